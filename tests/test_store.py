"""The store: migrations recorded by name, WAL, foreign keys, transactions all or nothing."""

from datetime import datetime

import pytest

from bot.store import MIGRATIONS, Store
from tests.conftest import TZ


async def test_migrations_recorded_once(tmp_path):
    path = tmp_path / "s.db"
    store = await Store.open(path)
    assert await store.applied_migrations() == [name for name, _ in MIGRATIONS]
    await store.close()
    store = await Store.open(path)  # re-opening applies nothing twice
    assert await store.applied_migrations() == [name for name, _ in MIGRATIONS]
    assert (await store._fetch("PRAGMA journal_mode"))[0][0] == "wal"
    assert (await store._fetch("PRAGMA foreign_keys"))[0][0] == 1
    await store.close()


async def test_failed_transaction_leaves_nothing(store):
    at = datetime(2026, 11, 23, tzinfo=TZ)
    with pytest.raises(RuntimeError):
        async with store.transaction() as db:
            await store.create_person(db, telegram_id=1, name="甲", at=at)
            raise RuntimeError("crash mid-way")
    assert await store.person_by_telegram(1) is None


async def test_naive_datetimes_are_refused(store):
    with pytest.raises(ValueError):
        await store.hold_message(1, "x", datetime(2026, 1, 1))
