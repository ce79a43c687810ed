"""The ``shuoshi`` command end to end, in subprocesses, as a newcomer would run it."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

from tests.conftest import REPO


def shuoshi(*args: str, stdin: str = "", env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SHUOSHI_")}
    return subprocess.run([sys.executable, "-m", "handlers.cli", *args], input=stdin, text=True,
                          capture_output=True, cwd=REPO, env={**clean, **(env or {})}, timeout=timeout)


def test_run_without_token_falls_back_to_console_script(tmp_path: Path):
    result = shuoshi("run", stdin="::as 1001\n你好\n", env={"SHUOSHI_DB_PATH": str(tmp_path / "demo.db")})
    assert result.returncode == 0, result.stderr
    assert "未设置 SHUOSHI_BOT_TOKEN" in result.stdout
    assert "[to 张桂兰 1001]" in result.stdout


def test_a_broken_knowledge_file_stops_start_up_with_one_line(tmp_path: Path):
    import shutil

    knowledge = tmp_path / "knowledge"
    shutil.copytree(REPO / "knowledge", knowledge)
    stations = knowledge / "stations.toml"
    stations.write_text(stations.read_text(encoding="utf-8").replace('weekdays = [3]', 'weekdays = [9]'), encoding="utf-8")
    result = shuoshi("console", stdin="", env={"SHUOSHI_DB_PATH": str(tmp_path / "demo.db"),
                                               "SHUOSHI_KNOWLEDGE_DIR": str(knowledge)})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "stations.toml" in result.stderr and "星期只能写 1（周一）到 7（周日）" in result.stderr


def test_console_fresh_and_shared_database(tmp_path: Path):
    env = {"SHUOSHI_DB_PATH": str(tmp_path / "demo.db")}
    shuoshi("console", stdin="::as 7301\n/start\n::tap 幸福里小区\n::tap 1号楼\n::tap 1单元\n", env=env)
    exported = shuoshi("roster", "export", "--format", "csv", env=env)
    assert ",1号楼,1单元,访客7301,resident,7301" in exported.stdout
    shuoshi("console", "--fresh", stdin="", env=env)
    assert "7301" not in shuoshi("roster", "export", env=env).stdout


def test_roster_import_reports_and_exit_code(tmp_path: Path):
    bad = tmp_path / "r.csv"
    bad.write_text("小区,楼栋,姓名,角色,telegram_id\n幸福里小区,3号楼,某人,居民,1\n", encoding="utf-8")
    result = shuoshi("roster", "import", str(bad), env={"SHUOSHI_DB_PATH": str(tmp_path / "x.db")})
    assert result.returncode == 1
    assert "第 2 行 拒绝：没有名为“幸福里小区”的小区" in result.stdout


class FakeBotApi(BaseHTTPRequestHandler):
    """Just enough of the Bot API for one /start to be polled and answered."""

    calls: list[tuple[str, dict]] = []
    delivered = False

    def do_POST(self) -> None:  # noqa: N802 (http.server naming)
        method = self.path.rsplit("/", 1)[-1]
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        params = json.loads(body) if body.startswith("{") else {k: v[0] for k, v in parse_qs(body).items()}
        type(self).calls.append((method, params))
        result: object = True
        if method == "getMe":
            result = {"id": 1, "is_bot": True, "first_name": "说事", "username": "fake_bot"}
        elif method == "getUpdates":
            result = []
            if not type(self).delivered:
                type(self).delivered = True
                user = {"id": 42, "is_bot": False, "first_name": "测试"}
                result = [{"update_id": 1, "message": {
                    "message_id": 1, "date": int(time.time()), "chat": {"id": 42, "type": "private"},
                    "from": user, "text": "/start", "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}}]
            else:
                time.sleep(0.2)
        elif method == "sendMessage":
            result = {"message_id": 2, "date": int(time.time()), "chat": {"id": int(params["chat_id"]), "type": "private"},
                      "text": params.get("text", "")}
        payload = json.dumps({"ok": True, "result": result}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        return None


def test_run_talks_to_the_configured_bot_api_server(tmp_path: Path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeBotApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SHUOSHI_")}
    env = {**clean, "SHUOSHI_BOT_TOKEN": "123456:FAKE-token", "SHUOSHI_DB_PATH": str(tmp_path / "live.db"),
           "SHUOSHI_TELEGRAM_BASE_URL": f"http://127.0.0.1:{server.server_port}",
           "SHUOSHI_ROSTER": str(REPO / "knowledge" / "demo_roster.toml")}
    process = subprocess.Popen([sys.executable, "-m", "handlers.cli", "run"], cwd=REPO, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any(m == "sendMessage" for m, _ in FakeBotApi.calls):
            time.sleep(0.2)
    finally:
        process.send_signal(signal.SIGINT)
        output = process.communicate(timeout=30)[0]
        server.shutdown()
    methods = [method for method, _ in FakeBotApi.calls]
    assert "getMe" in methods and "getUpdates" in methods, output
    replies = [params for method, params in FakeBotApi.calls if method == "sendMessage"]
    assert replies and str(replies[0]["chat_id"]) == "42" and "欢迎" in replies[0]["text"]
