"""What a person's next text message is for, when the bot asked them something.

A head's resolve note, a resident's answer, a staff member's announcement: the question is stored,
not kept in memory, so a restart between the question and the answer loses nothing (unlike an
in-memory ConversationHandler).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.clock import Clock
from bot.models import Person
from bot.store import Store


MAX_AGE = timedelta(days=1)


async def current(store: Store, clock: Clock, person: Person) -> dict[str, Any] | None:
    """What the bot is waiting for from this person; a question older than a day is forgotten."""
    asked = await store.pending_input(person.id)
    if asked is not None and clock.now() - asked["at"] > MAX_AGE:
        await forget(store, person)
        return None
    return asked


async def expect(store: Store, clock: Clock, person: Person, kind: str, ticket_id: int | None = None,
                 **payload: Any) -> None:
    async with store.transaction() as db:
        await store.set_pending_input(db, person.id, kind, ticket_id, clock.now(), **payload)


async def forget(store: Store, person: Person) -> None:
    async with store.transaction() as db:
        await store.clear_pending_input(db, person.id)
