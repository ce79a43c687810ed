"""Shared fixtures: a fresh demo community, driven through the real Application offline."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.classifier import Classifier
from bot.clock import ManualClock
from bot.lexicon import LABELS
from bot.settings import Settings, load_settings
from bot.store import Store
from handlers.console import Console, console_application

TZ = ZoneInfo("Asia/Shanghai")
REPO = Path(__file__).resolve().parents[1]
DEMO_ROSTER = REPO / "knowledge" / "demo_roster.toml"
START = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)  # a Monday morning


def minimal_lexicon(urgent_extra: str = "") -> str:
    """The smallest valid lexicon text: one urgent term, `urgent_extra` after it, one term per label."""
    sections = "\n".join(f'[{lab}.a]\nterms = ["{lab}词{i}"]' for i, lab in enumerate(LABELS))
    return f'[urgent]\nterms = ["着火"]\n{urgent_extra}\n{sections}\n'


@pytest.fixture(scope="session")
def clf() -> Classifier:
    """The shipped classifier, loaded once: it is immutable, so every test may share it."""
    return Classifier.load()


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read the developer's own SHUOSHI_* variables or .env file."""
    import os

    for name in list(os.environ):
        if name.startswith("SHUOSHI_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(REPO / "tests")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(db_path=tmp_path / "shuoshi.db", roster=DEMO_ROSTER, admin_ids="9001")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(TZ, START)


class Chat(Console):
    """The console harness, collecting printed lines so tests can read the conversation."""

    def __init__(self, *args, **kwargs) -> None:
        self.lines: list[str] = []
        super().__init__(*args, write=self.lines.append, **kwargs)

    async def say(self, user_id: int, text: str) -> list[str]:
        """``text`` from ``user_id``; returns what was printed for it."""
        self.user_id = user_id
        return await self.line(text)

    async def line(self, text: str) -> list[str]:
        start = len(self.lines)
        await self.run_line(text)
        return self.lines[start:]

    async def run_script(self, name: str) -> str:
        """Run a demo script from docs/demos line by line; returns the whole printed conversation."""
        for line in (REPO / "docs" / "demos" / name).read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                await self.run_line(line)
        return "\n".join(self.lines)

    async def press(self, user_id: int, data: str) -> list[str]:
        """Send callback data of our choosing, as a forged or stale button would."""
        self.user_id = user_id
        start = len(self.lines)
        message = self.double._new_message("message", {"chat_id": user_id}, "（旧消息）")
        self.double.outbox.pop()
        self.double.expect_callback("forged", user_id)
        await self._process({"callback_query": {
            "id": "forged", "from": await self._user(), "chat_instance": "x", "data": data,
            "message": message}})
        await self.flush()
        return self.lines[start:]


async def open_chat(settings: Settings, clock: ManualClock) -> Chat:
    application, double = console_application(settings, clock)
    chat = Chat(application, double, clock)
    await chat.open()
    return chat


@pytest.fixture
async def chat(settings: Settings, clock: ManualClock):
    chat = await open_chat(settings, clock)
    yield chat
    await chat.close()


@pytest.fixture
async def store():
    store = await Store.open(":memory:")
    yield store
    await store.close()
