"""All SQL lives here: one aiosqlite connection, named migrations, one transaction per state change.

Every write goes through :meth:`Store.transaction`, which also records the Telegram update being
handled (see :data:`current_update_id`), so a re-delivered update can be recognised and skipped
and its state change is never applied twice.
"""

from __future__ import annotations

import contextvars
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncio
import aiosqlite

from bot.models import Invite, Person, Place, Role, RoleGrant

current_update_id: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "current_update_id", default=None
)

MIGRATIONS: list[tuple[str, str]] = [
    (
        "001_roster",
        """
        CREATE TABLE streets (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
        CREATE TABLE communities (
            id INTEGER PRIMARY KEY,
            street_id INTEGER NOT NULL REFERENCES streets(id),
            name TEXT NOT NULL,
            UNIQUE (street_id, name));
        CREATE TABLE grids (
            id INTEGER PRIMARY KEY,
            community_id INTEGER NOT NULL REFERENCES communities(id),
            name TEXT NOT NULL,
            UNIQUE (community_id, name));
        CREATE TABLE compounds (
            id INTEGER PRIMARY KEY,
            community_id INTEGER NOT NULL REFERENCES communities(id),
            name TEXT NOT NULL,
            UNIQUE (community_id, name));
        CREATE TABLE buildings (
            id INTEGER PRIMARY KEY,
            compound_id INTEGER NOT NULL REFERENCES compounds(id),
            grid_id INTEGER NOT NULL REFERENCES grids(id),
            name TEXT NOT NULL,
            sort_key INTEGER NOT NULL DEFAULT 0,
            UNIQUE (compound_id, name));
        CREATE TABLE units (
            id INTEGER PRIMARY KEY,
            building_id INTEGER NOT NULL REFERENCES buildings(id),
            name TEXT NOT NULL,
            sort_key INTEGER NOT NULL DEFAULT 0,
            UNIQUE (building_id, name));
        CREATE TABLE people (
            id INTEGER PRIMARY KEY,
            telegram_id INTEGER UNIQUE,
            name TEXT NOT NULL,
            phone TEXT,
            hide_name INTEGER NOT NULL DEFAULT 0,
            building_id INTEGER REFERENCES buildings(id),
            unit_id INTEGER REFERENCES units(id),
            menu_key TEXT,
            created_at TEXT NOT NULL);
        CREATE INDEX people_building ON people(building_id);
        CREATE TABLE roles (
            person_id INTEGER NOT NULL REFERENCES people(id),
            role TEXT NOT NULL,
            scope_kind TEXT NOT NULL,
            scope_id INTEGER,
            UNIQUE (person_id, role, scope_kind, scope_id));
        CREATE INDEX roles_scope ON roles(role, scope_kind, scope_id);
        """,
    ),
    (
        "002_invites",
        """
        CREATE TABLE invites (
            code TEXT PRIMARY KEY,
            role TEXT NOT NULL,
            scope_kind TEXT NOT NULL,
            scope_id INTEGER,
            created_by INTEGER NOT NULL REFERENCES people(id),
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            redeemed_by INTEGER REFERENCES people(id),
            redeemed_at TEXT);
        """,
    ),
    (
        "003_updates",
        """
        CREATE TABLE processed_updates (update_id INTEGER PRIMARY KEY, at TEXT NOT NULL);
        CREATE TABLE held_messages (
            id INTEGER PRIMARY KEY,
            telegram_id INTEGER NOT NULL,
            text TEXT NOT NULL,
            at TEXT NOT NULL);
        """,
    ),
]

SCOPE_TABLES = {
    "community": "communities",
    "grid": "grids",
    "compound": "compounds",
    "building": "buildings",
    "unit": "units",
}


def to_db(moment: datetime) -> str:
    """Store instants as UTC ISO strings: sortable, and unambiguous whatever the zone."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime reached the store")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def from_db(text: str) -> datetime:
    return datetime.fromisoformat(text)


class Store:
    """The database: open it, migrate it, and read or change the community's records."""

    def __init__(self, db: aiosqlite.Connection) -> None:
        self._db = db
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path | str) -> "Store":
        """Open (creating if needed) and migrate; ``":memory:"`` gives a private test database."""
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        db = await aiosqlite.connect(str(path), isolation_level=None)
        db.row_factory = aiosqlite.Row
        await db.execute("PRAGMA foreign_keys = ON")
        await db.execute("PRAGMA journal_mode = WAL")
        await db.execute("PRAGMA synchronous = NORMAL")
        await db.execute("PRAGMA busy_timeout = 5000")
        store = cls(db)
        await store._migrate()
        return store

    async def close(self) -> None:
        await self._db.close()

    async def _migrate(self) -> None:
        await self._db.execute(
            "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        done = {row[0] for row in await self._db.execute_fetchall("SELECT name FROM migrations")}
        for name, sql in MIGRATIONS:
            if name in done:
                continue
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                for statement in filter(str.strip, sql.split(";")):
                    await self._db.execute(statement)
                await self._db.execute(
                    "INSERT INTO migrations VALUES (?, ?)", (name, to_db(datetime.now(UTC)))
                )
            except BaseException:
                await self._db.execute("ROLLBACK")
                raise
            await self._db.execute("COMMIT")

    async def applied_migrations(self) -> list[str]:
        return [row[0] for row in await self._fetch("SELECT name FROM migrations ORDER BY name")]

    # -- plumbing ---------------------------------------------------------------------------

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """One state change, all or nothing, tagged with the update that caused it."""
        async with self._lock:
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                update_id = current_update_id.get()
                if update_id is not None:
                    await self._db.execute(
                        "INSERT OR IGNORE INTO processed_updates VALUES (?, ?)",
                        (update_id, to_db(datetime.now(UTC))),
                    )
            except BaseException:
                await self._db.execute("ROLLBACK")
                raise
            await self._db.execute("COMMIT")

    async def _fetch(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        async with self._lock:
            return list(await self._db.execute_fetchall(sql, tuple(params)))

    async def _fetch_one(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        rows = await self._fetch(sql, params)
        return rows[0] if rows else None

    # -- updates ----------------------------------------------------------------------------

    async def is_processed(self, update_id: int) -> bool:
        row = await self._fetch_one(
            "SELECT 1 FROM processed_updates WHERE update_id = ?", (update_id,)
        )
        return row is not None

    async def last_update_id(self) -> int:
        row = await self._fetch_one("SELECT COALESCE(MAX(update_id), 0) FROM processed_updates")
        return row[0]

    async def mark_processed(self, update_id: int, at: datetime) -> None:
        async with self._lock:
            await self._db.execute(
                "INSERT OR IGNORE INTO processed_updates VALUES (?, ?)", (update_id, to_db(at))
            )

    async def hold_message(self, telegram_id: int, text: str, at: datetime) -> None:
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO held_messages (telegram_id, text, at) VALUES (?, ?, ?)",
                (telegram_id, text, to_db(at)),
            )

    async def take_held_messages(self, telegram_id: int) -> list[str]:
        """Hand back what an unregistered user wrote, once, in the order written."""
        async with self.transaction() as db:
            rows = await db.execute_fetchall(
                "SELECT text FROM held_messages WHERE telegram_id = ? ORDER BY id", (telegram_id,)
            )
            await db.execute("DELETE FROM held_messages WHERE telegram_id = ?", (telegram_id,))
        return [row[0] for row in rows]

    # -- places -----------------------------------------------------------------------------

    @staticmethod
    async def _get_or_create(
        db: aiosqlite.Connection, table: str, keys: dict[str, Any], extra: dict[str, Any] | None = None
    ) -> tuple[int, bool]:
        where = " AND ".join(f"{key} = ?" for key in keys)
        rows = await db.execute_fetchall(f"SELECT id FROM {table} WHERE {where}", tuple(keys.values()))
        if rows:
            return rows[0][0], False
        values = {**keys, **(extra or {})}
        cursor = await db.execute(
            f"INSERT INTO {table} ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
            tuple(values.values()),
        )
        return cursor.lastrowid, True

    async def ensure_building(
        self,
        db: aiosqlite.Connection,
        *,
        street: str,
        community: str,
        grid: str,
        compound: str,
        building: str,
        building_order: int,
        units: list[tuple[str, int]],
    ) -> tuple[bool, bool, str | None]:
        """Create the chain down to a building and its units inside the caller's transaction.

        Returns (building created, units added, the grid it was moved from if it changed grid).
        """
        street_id, _ = await self._get_or_create(db, "streets", {"name": street})
        community_id, _ = await self._get_or_create(
            db, "communities", {"street_id": street_id, "name": community}
        )
        grid_id, _ = await self._get_or_create(db, "grids", {"community_id": community_id, "name": grid})
        compound_id, _ = await self._get_or_create(
            db, "compounds", {"community_id": community_id, "name": compound}
        )
        building_id, created = await self._get_or_create(
            db,
            "buildings",
            {"compound_id": compound_id, "name": building},
            {"grid_id": grid_id, "sort_key": building_order},
        )
        moved_from = None
        if not created:
            rows = await db.execute_fetchall(
                "SELECT g.id, g.name FROM buildings b JOIN grids g ON g.id = b.grid_id WHERE b.id = ?",
                (building_id,),
            )
            if rows[0][0] != grid_id:
                moved_from = rows[0][1]
                await db.execute("UPDATE buildings SET grid_id = ? WHERE id = ?", (grid_id, building_id))
        units_added = False
        for unit, order in units:
            _, unit_created = await self._get_or_create(
                db, "units", {"building_id": building_id, "name": unit}, {"sort_key": order}
            )
            units_added |= unit_created
        return created, units_added, moved_from

    async def list_compounds(self) -> list[Place]:
        rows = await self._fetch("SELECT id, name, community_id FROM compounds ORDER BY id")
        return [Place(row[0], "compound", row[1], row[2]) for row in rows]

    async def list_grids(self) -> list[Place]:
        rows = await self._fetch("SELECT id, name, community_id FROM grids ORDER BY id")
        return [Place(row[0], "grid", row[1], row[2]) for row in rows]

    async def list_communities(self) -> list[Place]:
        rows = await self._fetch("SELECT id, name, street_id FROM communities ORDER BY id")
        return [Place(row[0], "community", row[1], row[2]) for row in rows]

    async def list_buildings(self, compound_id: int) -> list[Place]:
        rows = await self._fetch(
            "SELECT id, name FROM buildings WHERE compound_id = ? ORDER BY sort_key, name",
            (compound_id,),
        )
        return [Place(row[0], "building", row[1], compound_id) for row in rows]

    async def list_units(self, building_id: int) -> list[Place]:
        rows = await self._fetch(
            "SELECT id, name FROM units WHERE building_id = ? ORDER BY sort_key, name", (building_id,)
        )
        return [Place(row[0], "unit", row[1], building_id) for row in rows]

    async def place(self, kind: str, place_id: int) -> Place | None:
        """One place by kind and id; unknown kinds and ids (forged buttons) give None."""
        table = SCOPE_TABLES.get(kind)
        if table is None:
            return None
        parent = {
            "community": "street_id",
            "grid": "community_id",
            "compound": "community_id",
            "building": "compound_id",
            "unit": "building_id",
        }[kind]
        row = await self._fetch_one(f"SELECT id, name, {parent} FROM {table} WHERE id = ?", (place_id,))
        return Place(row[0], kind, row[1], row[2]) if row else None

    async def find_place(self, kind: str, name: str, within: int | None = None) -> list[Place]:
        """Places of ``kind`` called ``name`` (optionally under parent ``within``)."""
        table = SCOPE_TABLES[kind]
        parent = {"grid": "community_id", "compound": "community_id", "community": "street_id",
                  "building": "compound_id", "unit": "building_id"}[kind]
        sql = f"SELECT id, name, {parent} FROM {table} WHERE name = ?"
        params: list[Any] = [name]
        if within is not None:
            sql += f" AND {parent} = ?"
            params.append(within)
        rows = await self._fetch(sql, params)
        return [Place(row[0], kind, row[1], row[2]) for row in rows]

    async def scope_name(self, kind: str, scope_id: int | None) -> str:
        """A human label for a role's scope: "幸福里小区3号楼", "第一网格", "全部"."""
        if kind == "all" or scope_id is None:
            return "全部"
        if kind == "building":
            row = await self._fetch_one(
                "SELECT c.name || b.name FROM buildings b JOIN compounds c ON c.id = b.compound_id "
                "WHERE b.id = ?",
                (scope_id,),
            )
        elif kind == "unit":
            row = await self._fetch_one(
                "SELECT c.name || b.name || u.name FROM units u JOIN buildings b ON b.id = u.building_id "
                "JOIN compounds c ON c.id = b.compound_id WHERE u.id = ?",
                (scope_id,),
            )
        else:
            row = await self._fetch_one(f"SELECT name FROM {SCOPE_TABLES[kind]} WHERE id = ?", (scope_id,))
        return row[0] if row else "?"

    # -- people -----------------------------------------------------------------------------

    _PERSON_SQL = (
        "SELECT p.id, p.telegram_id, p.name, p.phone, p.hide_name, p.building_id, p.unit_id, "
        "COALESCE(c.name || b.name || COALESCE(u.name, ''), '') AS address "
        "FROM people p LEFT JOIN buildings b ON b.id = p.building_id "
        "LEFT JOIN compounds c ON c.id = b.compound_id LEFT JOIN units u ON u.id = p.unit_id "
    )

    async def _person_from_row(self, row: aiosqlite.Row) -> Person:
        grants = []
        for grant in await self._fetch(
            "SELECT role, scope_kind, scope_id FROM roles WHERE person_id = ? ORDER BY rowid", (row[0],)
        ):
            grants.append(
                RoleGrant(Role(grant[0]), grant[1], grant[2], await self.scope_name(grant[1], grant[2]))
            )
        return Person(
            id=row[0], telegram_id=row[1], name=row[2], phone=row[3], hide_name=bool(row[4]),
            building_id=row[5], unit_id=row[6], address=row[7], grants=tuple(grants),
        )

    async def person_by_telegram(self, telegram_id: int) -> Person | None:
        row = await self._fetch_one(self._PERSON_SQL + "WHERE p.telegram_id = ?", (telegram_id,))
        return await self._person_from_row(row) if row else None

    async def person(self, person_id: int) -> Person | None:
        row = await self._fetch_one(self._PERSON_SQL + "WHERE p.id = ?", (person_id,))
        return await self._person_from_row(row) if row else None

    async def all_people(self) -> list[Person]:
        rows = await self._fetch(self._PERSON_SQL + "ORDER BY p.id")
        return [await self._person_from_row(row) for row in rows]

    async def people_with_role(self, role: Role, scope_kind: str, scope_id: int | None) -> list[Person]:
        rows = await self._fetch(
            self._PERSON_SQL + "JOIN roles r ON r.person_id = p.id "
            "WHERE r.role = ? AND r.scope_kind = ? AND r.scope_id IS ? ORDER BY p.id",
            (role.value, scope_kind, scope_id),
        )
        return [await self._person_from_row(row) for row in rows]

    @staticmethod
    async def find_person_id(
        db: aiosqlite.Connection, telegram_id: int | None, name: str, phone: str | None
    ) -> int | None:
        """Who a roster row means: the Telegram id if it has one, else the same name and phone."""
        if telegram_id is not None:
            rows = await db.execute_fetchall("SELECT id FROM people WHERE telegram_id = ?", (telegram_id,))
        else:
            rows = await db.execute_fetchall(
                "SELECT id FROM people WHERE telegram_id IS NULL AND name = ? AND phone IS ?",
                (name, phone),
            )
        return rows[0][0] if rows else None

    @staticmethod
    async def create_person(
        db: aiosqlite.Connection, *, telegram_id: int | None, name: str, at: datetime,
        phone: str | None = None, hide_name: bool = False,
    ) -> int:
        cursor = await db.execute(
            "INSERT INTO people (telegram_id, name, phone, hide_name, created_at) VALUES (?, ?, ?, ?, ?)",
            (telegram_id, name, phone, int(hide_name), to_db(at)),
        )
        return cursor.lastrowid

    @staticmethod
    async def update_person_details(
        db: aiosqlite.Connection, person_id: int, *, name: str, phone: str | None, hide_name: bool
    ) -> bool:
        cursor = await db.execute(
            "UPDATE people SET name = ?, phone = ?, hide_name = ? WHERE id = ? "
            "AND (name != ? OR phone IS NOT ? OR hide_name != ?)",
            (name, phone, int(hide_name), person_id, name, phone, int(hide_name)),
        )
        return cursor.rowcount > 0

    @staticmethod
    async def set_address(
        db: aiosqlite.Connection, person_id: int, building_id: int, unit_id: int | None
    ) -> bool:
        cursor = await db.execute(
            "UPDATE people SET building_id = ?, unit_id = ? WHERE id = ? "
            "AND (building_id IS NOT ? OR unit_id IS NOT ?)",
            (building_id, unit_id, person_id, building_id, unit_id),
        )
        return cursor.rowcount > 0

    @staticmethod
    async def grant_role(
        db: aiosqlite.Connection, person_id: int, role: Role, scope_kind: str, scope_id: int | None
    ) -> bool:
        cursor = await db.execute(
            "INSERT OR IGNORE INTO roles VALUES (?, ?, ?, ?)", (person_id, role.value, scope_kind, scope_id)
        )
        return cursor.rowcount > 0

    async def set_menu_key(self, person_id: int, menu_key: str) -> None:
        async with self.transaction() as db:
            await db.execute("UPDATE people SET menu_key = ? WHERE id = ?", (menu_key, person_id))

    async def menu_keys(self) -> dict[int, str | None]:
        """Telegram id → the command menu last sent to that chat."""
        rows = await self._fetch("SELECT telegram_id, menu_key FROM people WHERE telegram_id IS NOT NULL")
        return {row[0]: row[1] for row in rows}

    # -- roster export ----------------------------------------------------------------------

    async def building_rows(self) -> list[dict[str, Any]]:
        rows = await self._fetch(
            "SELECT s.name, cm.name, g.name, c.name, b.name, "
            "(SELECT group_concat(name, ';') FROM (SELECT name FROM units WHERE building_id = b.id "
            " ORDER BY sort_key, name)) "
            "FROM buildings b JOIN compounds c ON c.id = b.compound_id JOIN grids g ON g.id = b.grid_id "
            "JOIN communities cm ON cm.id = c.community_id JOIN streets s ON s.id = cm.street_id "
            "ORDER BY cm.id, c.id, b.sort_key, b.name"
        )
        keys = ("street", "community", "grid", "compound", "building", "unit")
        return [dict(zip(keys, row)) for row in rows]

    async def building_path(self, building_id: int) -> tuple[str, str]:
        row = await self._fetch_one(
            "SELECT c.name, b.name FROM buildings b JOIN compounds c ON c.id = b.compound_id WHERE b.id = ?",
            (building_id,),
        )
        return (row[0], row[1]) if row else ("", "")

    async def unit_name(self, unit_id: int | None) -> str:
        if unit_id is None:
            return ""
        row = await self._fetch_one("SELECT name FROM units WHERE id = ?", (unit_id,))
        return row[0] if row else ""

    # -- invites ----------------------------------------------------------------------------

    async def create_invite(
        self, *, code: str, role: Role, scope_kind: str, scope_id: int | None, created_by: int,
        created_at: datetime, expires_at: datetime,
    ) -> None:
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO invites (code, role, scope_kind, scope_id, created_by, created_at, expires_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (code, role.value, scope_kind, scope_id, created_by, to_db(created_at), to_db(expires_at)),
            )

    async def invite(self, code: str) -> Invite | None:
        row = await self._fetch_one(
            "SELECT code, role, scope_kind, scope_id, created_by, expires_at, redeemed_by "
            "FROM invites WHERE code = ?",
            (code,),
        )
        if row is None:
            return None
        return Invite(
            code=row[0], role=Role(row[1]), scope_kind=row[2], scope_id=row[3],
            scope_name=await self.scope_name(row[2], row[3]), created_by=row[4],
            expires_at=from_db(row[5]), redeemed_by=row[6],
        )

    @staticmethod
    async def claim_invite(db: aiosqlite.Connection, code: str, person_id: int, at: datetime) -> bool:
        """Mark a code used by ``person_id``; False if someone got there first or it expired."""
        cursor = await db.execute(
            "UPDATE invites SET redeemed_by = ?, redeemed_at = ? "
            "WHERE code = ? AND redeemed_by IS NULL AND expires_at > ?",
            (person_id, to_db(at), code, to_db(at)),
        )
        return cursor.rowcount == 1
