"""A local chat with the bot: the real Application and handlers, offline, on a demo community.

Each line is a message from the current user or a ``::`` command (see ``HELP``). Updates are built
as Telegram would send them and fed to the Application; what the bot sends goes to the Bot API
double and is printed as ``[to <name> <id>] <text>`` with its buttons on the next line.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.clock import Clock, ManualClock
from bot.services import Services
from handlers.app import build_application, start_offline, stop_offline
from handlers.botapi_double import BotApiDouble, Outgoing
from bot.settings import Settings

HELP = """控制台命令：
  直接输入文字            以当前用户身份发消息（/start、/me 等命令也可以）
  ::as <用户ID>          切换身份，例如 ::as 2003
  ::tap <按钮文字>        点最近一条带按钮的消息上的按钮
  ::advance <N>m|h|d     时间快进，例如 ::advance 3h
  ::time <YYYY-MM-DD HH:MM>  把时间调到某一刻（只能往后）
  ::photo <说明>          发一张照片（带说明文字）
  ::location <纬度> <经度>  发送位置
  ::help                 显示本说明；::quit 退出"""

BANNER = """说事 shuoshi 控制台演示（离线，不连接 Telegram）
演示社区：幸福社区 幸福里小区 1–12号楼、和平苑 1–4号楼
  1001 张桂兰  居民 幸福里小区3号楼2单元      2003 赵德明  3号楼、4号楼楼栋长
  1002 李建国  居民 幸福里小区3号楼1单元      2008 孙丽华  8号楼楼栋长
  1003 王秀英  居民 幸福里小区8号楼1单元      3001 周敏    第一网格网格长（1–6号楼）
  4001 郑磊    幸福里小区物业管家            3002 吴刚    第二网格网格长（7–12号楼）
  5001 陈静    社区工作人员                  6001 王律师  共建单位（法律咨询），6002–6004 其他共建单位
  其他 ID 是尚未登记的新用户
当前身份 1001。试试：输入“3号楼电梯又坏了”，再 ::as 2003 和 ::tap 接单；问“驿站几点开门”“律师哪天值班”；
::location 30.3186 120.1512 找最近的驿站；/my、/meetings；::as 5001 后 /broadcast、/faq_gaps。
完整演示脚本在 docs/demos/（例如 shuoshi console --fresh < docs/demos/ticket_loop.txt）。""" + "\n" + HELP

ADVANCE = re.compile(r"^(\d+)\s*([mhd])$")
UNITS = {"m": "minutes", "h": "hours", "d": "days"}


class ConsoleError(Exception):
    """A console line that cannot be carried out; printed, and the session goes on."""


class Console:
    """Feeds typed lines to the Application as Telegram updates and prints the bot's answers."""

    def __init__(self, application: Application, double: BotApiDouble, clock: ManualClock,
                 write: Callable[[str], Any] = print) -> None:
        self.app = application
        self.double = double
        self.clock = clock
        self.write = write
        self.user_id = 1001
        self._update_id = 0
        self._message_id = 0
        self._printed = 0
        self._names: dict[int, str] = {}

    @property
    def services(self) -> Services:
        return self.app.bot_data["services"]

    async def open(self) -> None:
        await start_offline(self.app)
        self._update_id = await self.services.store.last_update_id()
        self._printed = len(self.double.outbox)

    async def close(self) -> None:
        await stop_offline(self.app)

    # -- one line ------------------------------------------------------------------------------

    async def run_line(self, line: str) -> None:
        line = line.strip()
        if not line:
            return
        try:
            if line.startswith("::"):
                await self._command(line[2:].strip())
            else:
                await self._send({"text": line, **self._command_entity(line)})
        except ConsoleError as exc:
            self.write(f"（控制台）{exc}")
        await self.flush()

    async def _command(self, line: str) -> None:
        verb, _, arg = line.partition(" ")
        arg = arg.strip()
        if verb == "as":
            if not arg.isdigit():
                raise ConsoleError("用法：::as <用户ID>")
            self.user_id = int(arg)
        elif verb == "tap":
            await self._tap(arg)
        elif verb == "advance":
            match = ADVANCE.match(arg)
            if not match:
                raise ConsoleError("用法：::advance <N>m|h|d，例如 ::advance 3h")
            await self._move_to(self.clock.now() + timedelta(**{UNITS[match[2]]: int(match[1])}))
        elif verb == "time":
            try:
                moment = datetime.strptime(arg, "%Y-%m-%d %H:%M").replace(tzinfo=self.clock.tz)
            except ValueError:
                raise ConsoleError("用法：::time YYYY-MM-DD HH:MM") from None
            await self._move_to(moment)
        elif verb == "photo":
            photo = [{"file_id": f"console-photo-{self._message_id + 1}",
                      "file_unique_id": f"p{self._message_id + 1}", "width": 640, "height": 480}]
            await self._send({"photo": photo, **({"caption": arg} if arg else {})})
        elif verb == "location":
            try:
                latitude, longitude = (float(part) for part in arg.split())
            except ValueError:
                raise ConsoleError("用法：::location <纬度> <经度>") from None
            await self._send({"location": {"latitude": latitude, "longitude": longitude}})
        elif verb == "help":
            self.write(HELP)
        else:
            raise ConsoleError(f"不认识的命令 ::{verb}（::help 查看说明）")

    async def _move_to(self, moment: datetime) -> None:
        if moment < self.clock.now():
            raise ConsoleError(f"时间只能往后调（现在是 {self.clock.now():%Y-%m-%d %H:%M}）")
        await self.services.agenda.advance_to(self.clock, moment, self._print_step)
        now = self.clock.now()
        self.write(f"（控制台）现在是 {now:%Y-%m-%d %H:%M} 星期{'一二三四五六日'[now.weekday()]}")

    async def _print_step(self, moment: datetime) -> None:
        """While time moves, show what was sent at each moment under that moment."""
        if len(self.double.outbox) > self._printed:
            self.write(f"（控制台）{moment:%m-%d %H:%M}")
            await self.flush()

    # -- building updates ----------------------------------------------------------------------

    async def _user(self) -> dict[str, Any]:
        name = await self._name(self.user_id)
        return {"id": self.user_id, "is_bot": False, "first_name": name, "language_code": "zh-hans"}

    @staticmethod
    def _command_entity(text: str) -> dict[str, Any]:
        if not text.startswith("/"):
            return {}
        length = len(text.split()[0])
        return {"entities": [{"type": "bot_command", "offset": 0, "length": length}]}

    async def _send(self, content: dict[str, Any]) -> None:
        user = await self._user()
        self._message_id += 1
        message = {
            "message_id": self._message_id,
            "date": int(self.clock.now().timestamp()),
            "chat": {"id": self.user_id, "type": "private", "first_name": user["first_name"]},
            "from": user,
            **content,
        }
        await self._process({"message": message})

    async def _tap(self, label: str) -> None:
        if not label:
            raise ConsoleError("用法：::tap <按钮文字>")
        messages = self.double.with_buttons(self.user_id)
        if not messages:
            raise ConsoleError("最近没有带按钮的消息")
        # The newest message with a button of exactly this label, else the newest with one containing it.
        candidates = [(record, button) for record in messages for row in record.buttons for button in row]
        record, chosen = next(((r, b) for r, b in candidates if b["text"] == label), None) or next(
            ((r, b) for r, b in candidates if label in b["text"]), (None, None))
        if chosen is None:
            choices = " ".join(f"[{button['text']}]" for row in messages[0].buttons for button in row)
            raise ConsoleError(f"没有“{label}”按钮；最新消息上的按钮：{choices}")
        if "url" in chosen:  # a deep link t.me/<bot>?start=<code> opens the chat with /start <code>
            payload = chosen["url"].partition("?start=")[2]
            text = f"/start {payload}" if payload else "/start"
            await self._send({"text": text, **self._command_entity(text)})
            return
        query_id = f"cb{self._update_id + 1}"
        self.double.expect_callback(query_id, self.user_id)
        await self._process({"callback_query": {
            "id": query_id, "from": await self._user(), "chat_instance": f"console-{self.user_id}",
            "data": chosen["callback_data"],
            "message": self.double.message_json(self.user_id, record.message_id),
        }})

    async def _process(self, payload: dict[str, Any]) -> None:
        self._update_id += 1
        update = Update.de_json({"update_id": self._update_id, **payload}, self.app.bot)
        await self.app.process_update(update)

    # -- printing ------------------------------------------------------------------------------

    async def flush(self) -> None:
        """Print everything the bot sent since the last flush."""
        new = self.double.outbox[self._printed:]
        self._printed = len(self.double.outbox)
        for record in new:
            self.write(await self._render(record))

    async def _name(self, telegram_id: int) -> str:
        """A chat's display name; registered names are remembered (the roster does not rename mid-session)."""
        if telegram_id not in self._names:
            person = await self.services.store.person_by_telegram(telegram_id)
            if person is None:
                return f"访客{telegram_id}"
            self._names[telegram_id] = person.name
        return self._names[telegram_id]

    async def _render(self, record: Outgoing) -> str:
        name = await self._name(record.chat_id)
        mark = {"message": "", "edit": "(已更新) ", "alert": "(提示) ", "photo": "(图片) ",
                "document": "(文件) "}[record.kind]
        line = f"[to {name} {record.chat_id}] {mark}{record.text}"
        labels = [f"[{button['text']}]" for row in record.buttons for button in row]
        return f"{line}\n{' '.join(labels)}" if labels and record.kind != "alert" else line


def console_application(settings: Settings, clock: ManualClock) -> tuple[Application, BotApiDouble]:
    double = BotApiDouble(clock)
    return build_application(settings, clock, double, ticks=False), double


async def run_console(settings: Settings, script: bool | None = None) -> None:
    """Interactive on a terminal; a script when stdin is a pipe or file (runs the lines, then exits)."""
    script = (not sys.stdin.isatty()) if script is None else script
    clock = ManualClock(settings.tz, Clock(settings.tz).now().replace(second=0, microsecond=0))
    application, double = console_application(settings, clock)
    console = Console(application, double, clock)
    await console.open()
    try:
        if script:
            for line in sys.stdin:
                if line.strip() and not line.lstrip().startswith("#"):
                    console.write(f">>> {console.user_id}: {line.strip()}")
                    await console.run_line(line)
            return
        console.write(BANNER)
        while True:
            try:
                line = input(f"[{console.user_id}]> ")
            except EOFError:
                break
            if line.strip() in ("::quit", "::exit"):
                break
            await console.run_line(line)
    finally:
        await console.close()
