"""Residents registering their address, the one fact routing needs about them."""

from __future__ import annotations

from bot.clock import Clock
from bot.models import Person
from bot.store import Store


class AddressError(Exception):
    """The chosen unit does not exist (a stale or forged button)."""


async def register_address(
    store: Store, clock: Clock, telegram_id: int, name: str, kind: str, place_id: int
) -> Person:
    """Create the resident if new and set their home to a unit (or a building without units).

    Idempotent: choosing the same place again changes nothing.
    """
    place = await store.place(kind, place_id) if kind in ("unit", "building") else None
    if place is None:
        raise AddressError("找不到这个地址，请重新选择。")
    building_id, unit_id = (place.parent_id, place.id) if kind == "unit" else (place.id, None)
    person = await store.person_by_telegram(telegram_id)
    async with store.transaction(records_update=False) as db:  # held messages are replayed next
        person_id = person.id if person else await store.create_person(
            db, telegram_id=telegram_id, name=name, at=clock.now()
        )
        await store.set_address(db, person_id, building_id, unit_id)
    return await store.person(person_id)
