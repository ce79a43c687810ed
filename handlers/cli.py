"""The ``shuoshi`` command: run the bot, the console demo, and the staff's command-line tools."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from pathlib import Path

from telegram import Update

from bot.clock import Clock
from bot.roster import export_roster, import_roster
from bot.faq import FaqFileError
from bot.lexicon import LexiconError
from bot.meeting_rules import MeetingRulesError
from bot.settings import Settings, SettingsError, load_settings
from bot.stations import StationsFileError
from bot.workdays import HolidayFileError
from bot.store import Store

DEMO_DB = Path("data/demo.db")
NO_TOKEN = "未设置 SHUOSHI_BOT_TOKEN：启动本地控制台演示（不连接 Telegram）。设置令牌后 make run 会连接 Telegram。"


def console_settings(fresh: bool) -> Settings:
    """The demo's own database unless SHUOSHI_DB_PATH names one, seeded from the demo roster."""
    overrides: dict[str, object] = {}
    if "SHUOSHI_DB_PATH" not in os.environ:
        overrides["db_path"] = DEMO_DB
    settings = load_settings(**overrides)
    if "SHUOSHI_ROSTER" not in os.environ:
        settings.roster = settings.knowledge_dir / "demo_roster.toml"
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{settings.db_path}{suffix}").unlink(missing_ok=True)
    return settings


def cmd_run(args: argparse.Namespace) -> None:
    settings = load_settings()
    if settings.bot_token is None:
        print(NO_TOKEN, flush=True)
        cmd_console(argparse.Namespace(fresh=False))
        return
    from handlers.app import build_application

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    application = build_application(settings, Clock(settings.tz))
    if settings.webhook_url:
        application.run_webhook(
            listen=settings.webhook_listen, port=settings.webhook_port,
            url_path=settings.bot_token.split(":")[0], webhook_url=settings.webhook_url,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)


def cmd_console(args: argparse.Namespace) -> None:
    from handlers.console import run_console

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    asyncio.run(run_console(console_settings(args.fresh)))


async def _with_store(settings: Settings, work):
    store = await Store.open(settings.db_path)
    try:
        return await work(store)
    finally:
        await store.close()


def cmd_roster_import(args: argparse.Namespace) -> int:
    settings = load_settings()
    clock = Clock(settings.tz)
    try:
        report = asyncio.run(_with_store(settings, lambda store: import_roster(store, args.file, clock.now())))
    except (OSError, ValueError) as exc:
        print(f"无法读取花名册 {args.file}：{exc}", file=sys.stderr)
        return 2
    print(report.render())
    return 1 if report.rejected else 0


def cmd_roster_export(args: argparse.Namespace) -> int:
    text = asyncio.run(_with_store(load_settings(), lambda store: export_roster(store, args.format)))
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def cmd_classify(args: argparse.Namespace) -> int:
    """One JSON object per input line; with --eval, the metrics of a labelled JSONL file."""
    from bot.classifier import Classifier
    from bot.evaluation import evaluate, read_jsonl

    classifier = Classifier.load(load_settings().knowledge_dir / "lexicon.toml")
    if args.eval:
        print(evaluate(classifier, read_jsonl(args.eval)).render())
        return 0
    for line in sys.stdin:
        line = line.rstrip("\n")
        if not line.strip():
            continue
        text = line
        if line.lstrip().startswith("{"):
            try:
                text = str(json.loads(line).get("text", ""))
            except (json.JSONDecodeError, AttributeError):
                text = line
        print(json.dumps(classifier.classify(text).as_dict(text), ensure_ascii=False), flush=True)
    return 0


def cmd_tickets(args: argparse.Namespace) -> int:
    """Every ticket with its events, for ledgers (台账) and for checking what a console session did."""
    rows = asyncio.run(_with_store(load_settings(), lambda store: store.tickets_export()))
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for row in rows:
        print(f"{row['number']}\t{row['status']}\t{row['label']}\t{row['building'] or ''}\t{row['text'][:40]}")
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="shuoshi", description="说事：社区居民说事 Telegram 机器人")
    commands = root.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="连接 Telegram（无令牌时启动控制台演示）").set_defaults(func=cmd_run)
    console = commands.add_parser("console", help="本地控制台演示")
    console.add_argument("--fresh", action="store_true", help="清空演示数据库重新开始")
    console.set_defaults(func=cmd_console)
    roster = commands.add_parser("roster", help="花名册导入导出").add_subparsers(dest="roster_command", required=True)
    importer = roster.add_parser("import", help="导入 TOML / CSV / XLSX 花名册")
    importer.add_argument("file", type=Path)
    importer.set_defaults(func=cmd_roster_import)
    exporter = roster.add_parser("export", help="导出花名册")
    exporter.add_argument("--format", choices=("toml", "csv"), default="toml")
    exporter.add_argument("-o", "--output")
    exporter.set_defaults(func=cmd_roster_export)
    classify = commands.add_parser("classify", help="给消息分类（每行一条，纯文本或带 text 字段的 JSON）")
    classify.add_argument("--eval", type=Path, metavar="FILE.jsonl", help="评估带标注的 JSONL 文件")
    classify.set_defaults(func=cmd_classify)
    tickets = commands.add_parser("tickets", help="列出全部工单（读取 SHUOSHI_DB_PATH）")
    tickets.add_argument("--json", action="store_true", help="输出 JSON（含事件记录）")
    tickets.set_defaults(func=cmd_tickets)
    return root


KNOWLEDGE_ERRORS = (SettingsError, LexiconError, MeetingRulesError, HolidayFileError, StationsFileError, FaqFileError)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args) or 0
    except KNOWLEDGE_ERRORS as exc:  # a wrong setting or knowledge file: one line naming it, no traceback
        print(exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `shuoshi classify … | head`: the reader has all it wants, so stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 1


if __name__ == "__main__":
    sys.exit(main())
