"""All SQL lives here: one aiosqlite connection, named migrations, one transaction per state change.

Every write goes through :meth:`Store.transaction`, which also records the Telegram update being
handled (see :data:`current_update`), so a re-delivered update can be recognised and skipped
and its state change is never applied twice.
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncio
import aiosqlite

from bot.models import Invite, Person, Place, Role, RoleGrant, Status, Ticket, TicketEvent

# (update id, the clock's "now" when it arrived), set by the adapter while it handles an update.
current_update: contextvars.ContextVar[tuple[int, datetime] | None] = contextvars.ContextVar(
    "current_update", default=None
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
    (
        "004_triage",
        """
        CREATE TABLE inbox (
            id INTEGER PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES people(id),
            text TEXT NOT NULL,
            label TEXT NOT NULL,
            subcategory TEXT,
            urgent INTEGER NOT NULL,
            confidence REAL NOT NULL,
            chosen_label TEXT,
            at TEXT NOT NULL);
        CREATE INDEX inbox_person ON inbox(person_id);
        CREATE TABLE corrections (
            id INTEGER PRIMARY KEY,
            inbox_id INTEGER NOT NULL REFERENCES inbox(id),
            label TEXT NOT NULL,
            proposed_by INTEGER NOT NULL REFERENCES people(id),
            status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
            reviewed_by INTEGER REFERENCES people(id),
            reviewed_at TEXT,
            at TEXT NOT NULL,
            UNIQUE (inbox_id, proposed_by));
        """,
    ),
    (
        "005_tickets",
        """
        CREATE TABLE tickets (
            id INTEGER PRIMARY KEY,
            reporter_id INTEGER NOT NULL REFERENCES people(id),
            building_id INTEGER REFERENCES buildings(id),
            unit_id INTEGER REFERENCES units(id),
            inbox_id INTEGER REFERENCES inbox(id),
            text TEXT NOT NULL,
            label TEXT NOT NULL,
            subcategory TEXT,
            urgent INTEGER NOT NULL,
            anonymous INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL CHECK (status IN
                ('open', 'accepted', 'resolved', 'reopened', 'closed', 'cancelled')),
            level INTEGER NOT NULL DEFAULT 0,
            assignee_id INTEGER REFERENCES people(id),
            resolved_by INTEGER REFERENCES people(id),
            accept_due TEXT,
            resolve_due TEXT,
            rate_due TEXT,
            accept_reminded INTEGER NOT NULL DEFAULT 0,
            resolve_reminded INTEGER NOT NULL DEFAULT 0,
            next_due TEXT,
            rating TEXT CHECK (rating IN ('satisfied', 'basic', 'dissatisfied')),
            resolution TEXT,
            latitude REAL,
            longitude REAL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL);
        CREATE INDEX tickets_reporter ON tickets(reporter_id, id);
        CREATE INDEX tickets_building ON tickets(building_id, status, subcategory);
        CREATE INDEX tickets_assignee ON tickets(assignee_id, status);
        CREATE INDEX tickets_next_due ON tickets(next_due) WHERE next_due IS NOT NULL;
        CREATE TABLE ticket_events (
            id INTEGER PRIMARY KEY,
            ticket_id INTEGER NOT NULL REFERENCES tickets(id),
            at TEXT NOT NULL,
            type TEXT NOT NULL,
            actor_id INTEGER REFERENCES people(id),
            detail TEXT NOT NULL DEFAULT '{}');
        CREATE INDEX ticket_events_ticket ON ticket_events(ticket_id, id);
        CREATE TABLE ticket_photos (
            ticket_id INTEGER NOT NULL REFERENCES tickets(id),
            file_id TEXT NOT NULL,
            at TEXT NOT NULL);
        CREATE TABLE ticket_supporters (
            ticket_id INTEGER NOT NULL REFERENCES tickets(id),
            person_id INTEGER NOT NULL REFERENCES people(id),
            at TEXT NOT NULL,
            PRIMARY KEY (ticket_id, person_id));
        CREATE INDEX ticket_supporters_person ON ticket_supporters(person_id);
        CREATE TABLE notifications (
            id INTEGER PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES people(id),
            kind TEXT NOT NULL,
            ticket_id INTEGER REFERENCES tickets(id),
            payload TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'unreachable', 'failed')),
            message_id INTEGER,
            attempts INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX notifications_pending ON notifications(id) WHERE state = 'pending';
        CREATE TABLE pending_inputs (
            person_id INTEGER PRIMARY KEY REFERENCES people(id),
            kind TEXT NOT NULL,
            ticket_id INTEGER REFERENCES tickets(id),
            payload TEXT NOT NULL DEFAULT '{}',
            at TEXT NOT NULL);
        ALTER TABLE people ADD COLUMN anonymous_reports INTEGER NOT NULL DEFAULT 0;
        """,
    ),
    (
        "006_inbox_outcome",
        """
        ALTER TABLE inbox ADD COLUMN outcome TEXT;
        """,
    ),
    (
        "007_broadcasts",
        """
        CREATE TABLE broadcasts (
            id INTEGER PRIMARY KEY,
            author_id INTEGER NOT NULL REFERENCES people(id),
            parent_id INTEGER REFERENCES broadcasts(id),
            text TEXT NOT NULL,
            photo TEXT,
            audience_kind TEXT,
            audience_id INTEGER,
            audience_label TEXT,
            state TEXT NOT NULL CHECK (state IN ('draft', 'scheduled', 'sending', 'done', 'cancelled')),
            send_at TEXT,
            created_at TEXT NOT NULL,
            started_at TEXT,
            finished_at TEXT,
            progress_chat INTEGER,
            progress_message INTEGER);
        CREATE INDEX broadcasts_state ON broadcasts(state, send_at);
        CREATE TABLE broadcast_recipients (
            broadcast_id INTEGER NOT NULL REFERENCES broadcasts(id),
            person_id INTEGER NOT NULL REFERENCES people(id),
            chat_id INTEGER NOT NULL,
            building_id INTEGER REFERENCES buildings(id),
            state TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'sent', 'unreachable', 'failed', 'cancelled')),
            message_id INTEGER,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_try TEXT,
            sent_at TEXT,
            confirmed_at TEXT,
            PRIMARY KEY (broadcast_id, person_id));
        CREATE INDEX broadcast_recipients_state ON broadcast_recipients(broadcast_id, state);
        """,
    ),
    (
        "008_meetings",
        """
        CREATE TABLE meetings (
            id INTEGER PRIMARY KEY,
            rule_id TEXT,
            title TEXT NOT NULL,
            scope_kind TEXT NOT NULL CHECK (scope_kind IN ('grid', 'compound', 'community')),
            scope_id INTEGER NOT NULL,
            rule_day TEXT,
            starts_at TEXT NOT NULL,
            minutes INTEGER NOT NULL,
            place TEXT NOT NULL,
            audience TEXT NOT NULL,
            organiser_role TEXT NOT NULL,
            open_to_residents INTEGER NOT NULL DEFAULT 0,
            agenda TEXT NOT NULL DEFAULT 'none',
            state TEXT NOT NULL DEFAULT 'scheduled' CHECK (state IN ('scheduled', 'cancelled')),
            reminders_sent INTEGER NOT NULL DEFAULT 0,
            next_reminder_at TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (rule_id, scope_kind, scope_id, rule_day));
        CREATE INDEX meetings_due ON meetings(next_reminder_at) WHERE next_reminder_at IS NOT NULL;
        CREATE INDEX meetings_starts ON meetings(starts_at);
        CREATE TABLE meeting_rsvps (
            meeting_id INTEGER NOT NULL REFERENCES meetings(id),
            person_id INTEGER NOT NULL REFERENCES people(id),
            answer TEXT NOT NULL CHECK (answer IN ('yes', 'no')),
            at TEXT NOT NULL,
            PRIMARY KEY (meeting_id, person_id));
        CREATE TABLE meeting_rule_pauses (
            rule_id TEXT NOT NULL,
            community_id INTEGER NOT NULL REFERENCES communities(id),
            paused_by INTEGER REFERENCES people(id),
            at TEXT NOT NULL,
            PRIMARY KEY (rule_id, community_id));
        ALTER TABLE notifications ADD COLUMN meeting_id INTEGER REFERENCES meetings(id);
        """,
    ),
    (
        "009_broadcast_community",
        """
        ALTER TABLE broadcasts ADD COLUMN community_id INTEGER REFERENCES communities(id);
        """,
    ),
    (
        "010_faq_and_service_orders",
        """
        CREATE TABLE faq_entries (
            id INTEGER PRIMARY KEY,
            key TEXT UNIQUE,
            title TEXT NOT NULL,
            answer TEXT NOT NULL,
            live TEXT,
            service TEXT,
            active INTEGER NOT NULL DEFAULT 1,
            updated_by INTEGER REFERENCES people(id),
            updated_at TEXT NOT NULL);
        CREATE TABLE faq_questions (
            id INTEGER PRIMARY KEY,
            entry_id INTEGER NOT NULL REFERENCES faq_entries(id),
            text TEXT NOT NULL,
            UNIQUE (entry_id, text));
        CREATE TABLE faq_asks (
            id INTEGER PRIMARY KEY,
            person_id INTEGER REFERENCES people(id),
            text TEXT NOT NULL,
            entry_id INTEGER REFERENCES faq_entries(id),
            score REAL,
            feedback TEXT CHECK (feedback IN ('useful', 'useless')),
            gap_state TEXT NOT NULL DEFAULT 'open' CHECK (gap_state IN ('open', 'answered', 'dismissed')),
            at TEXT NOT NULL);
        CREATE INDEX faq_asks_gaps ON faq_asks(gap_state, entry_id, feedback);
        ALTER TABLE tickets ADD COLUMN service_id TEXT;
        ALTER TABLE tickets ADD COLUMN preferred_time TEXT;
        ALTER TABLE tickets ADD COLUMN appointment_at TEXT;
        ALTER TABLE tickets ADD COLUMN appointment_place TEXT;
        ALTER TABLE tickets ADD COLUMN appointment_reminded INTEGER NOT NULL DEFAULT 0;
        """,
    ),
    (
        "011_inbox_evidence",
        """
        ALTER TABLE inbox ADD COLUMN evidence TEXT;
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


PARENT_COLUMNS = {
    "community": "street_id",
    "grid": "community_id",
    "compound": "community_id",
    "building": "compound_id",
    "unit": "building_id",
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
        self._owner: asyncio.Task | None = None
        self._recorded_update: int | None = None  # the update id the last commit already recorded

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
                    # When the schema changed is a fact about this machine, not the community's clock.
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
    async def transaction(self, *, records_update: bool = True) -> AsyncIterator[aiosqlite.Connection]:
        """One state change, all or nothing, tagged with the update that caused it.

        A first step that more steps of the same update must follow (recording a message before the
        ticket it becomes) passes ``records_update=False``: if the process dies between the steps,
        Telegram's re-delivery is then handled again instead of skipped, and nothing is lost.
        """
        async with self._lock:
            self._owner = asyncio.current_task()
            await self._db.execute("BEGIN IMMEDIATE")
            update_id = None
            try:
                yield self._db
                update = current_update.get() if records_update else None
                update_id = update[0] if update else None
                if update is not None and update_id != self._recorded_update:
                    await self._db.execute(
                        "INSERT OR IGNORE INTO processed_updates VALUES (?, ?)", (update_id, to_db(update[1])))
            except BaseException:
                await self._db.execute("ROLLBACK")
                raise
            else:
                await self._db.execute("COMMIT")
                self._recorded_update = update_id
            finally:
                self._owner = None

    async def _fetch(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        """Read; inside the caller's own transaction it reads through it (and sees its writes)."""
        if self._owner is not None and self._owner is asyncio.current_task():
            return list(await self._db.execute_fetchall(sql, tuple(params)))
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
        if update_id == self._recorded_update:  # its state change already recorded it
            return
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

    async def held_messages(self, telegram_id: int) -> list[tuple[int, str]]:
        """What an unregistered user wrote, in the order written, as (id, text)."""
        return [(row[0], row[1]) for row in await self._fetch(
            "SELECT id, text FROM held_messages WHERE telegram_id = ? ORDER BY id", (telegram_id,))]

    async def drop_held_message(self, held_id: int) -> None:
        """Called once the held message has been handled, so a crash before that replays it."""
        async with self.transaction(records_update=False) as db:
            await db.execute("DELETE FROM held_messages WHERE id = ?", (held_id,))

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
        parent = PARENT_COLUMNS[kind]
        row = await self._fetch_one(f"SELECT id, name, {parent} FROM {table} WHERE id = ?", (place_id,))
        return Place(row[0], kind, row[1], row[2]) if row else None

    async def find_place(self, kind: str, name: str, within: int | None = None) -> list[Place]:
        """Places of ``kind`` called ``name`` (optionally under parent ``within``)."""
        table = SCOPE_TABLES[kind]
        parent = PARENT_COLUMNS[kind]
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

    # A person with their role grants and each grant's place name, in one statement: people are read
    # on every update, and one query per grant was half of all the SQL a new ticket cost.
    _PERSON_SQL = (
        "SELECT p.id, p.telegram_id, p.name, p.phone, p.hide_name, p.building_id, p.unit_id, "
        "COALESCE(c.name || b.name || COALESCE(u.name, ''), '') AS address, "
        "(SELECT json_group_array(json_array(r.role, r.scope_kind, r.scope_id, CASE r.scope_kind "
        "  WHEN 'building' THEN (SELECT c2.name || b2.name FROM buildings b2 "
        "       JOIN compounds c2 ON c2.id = b2.compound_id WHERE b2.id = r.scope_id) "
        "  WHEN 'unit' THEN (SELECT c2.name || b2.name || u2.name FROM units u2 "
        "       JOIN buildings b2 ON b2.id = u2.building_id JOIN compounds c2 ON c2.id = b2.compound_id "
        "       WHERE u2.id = r.scope_id) "
        "  WHEN 'grid' THEN (SELECT name FROM grids WHERE id = r.scope_id) "
        "  WHEN 'compound' THEN (SELECT name FROM compounds WHERE id = r.scope_id) "
        "  WHEN 'community' THEN (SELECT name FROM communities WHERE id = r.scope_id) "
        "  ELSE '全部' END)) FROM (SELECT * FROM roles WHERE person_id = p.id ORDER BY rowid) r) AS grants "
        "FROM people p LEFT JOIN buildings b ON b.id = p.building_id "
        "LEFT JOIN compounds c ON c.id = b.compound_id LEFT JOIN units u ON u.id = p.unit_id "
    )

    @staticmethod
    def _person_from_row(row: aiosqlite.Row) -> Person:
        grants = tuple(RoleGrant(Role(role), kind, scope_id, name or "?")
                       for role, kind, scope_id, name in json.loads(row[8] or "[]"))
        return Person(
            id=row[0], telegram_id=row[1], name=row[2], phone=row[3], hide_name=bool(row[4]),
            building_id=row[5], unit_id=row[6], address=row[7], grants=grants,
        )

    async def person_by_telegram(self, telegram_id: int) -> Person | None:
        row = await self._fetch_one(self._PERSON_SQL + "WHERE p.telegram_id = ?", (telegram_id,))
        return self._person_from_row(row) if row else None

    async def person(self, person_id: int) -> Person | None:
        row = await self._fetch_one(self._PERSON_SQL + "WHERE p.id = ?", (person_id,))
        return self._person_from_row(row) if row else None

    async def all_people(self) -> list[Person]:
        rows = await self._fetch(self._PERSON_SQL + "ORDER BY p.id")
        return [self._person_from_row(row) for row in rows]

    async def people_with_role(self, role: Role, scope_kind: str, scope_id: int | None) -> list[Person]:
        rows = await self._fetch(
            self._PERSON_SQL + "JOIN roles r ON r.person_id = p.id "
            "WHERE r.role = ? AND r.scope_kind = ? AND r.scope_id IS ? ORDER BY p.id",
            (role.value, scope_kind, scope_id),
        )
        return [self._person_from_row(row) for row in rows]

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

    # -- triage -----------------------------------------------------------------------------

    async def record_inbox(self, person_id: int, text: str, label: str, subcategory: str | None,
                           urgent: bool, confidence: float, at: datetime, evidence: str | None = None) -> int:
        async with self.transaction(records_update=False) as db:  # the ticket it may become comes next
            cursor = await db.execute(
                "INSERT INTO inbox (person_id, text, label, subcategory, urgent, confidence, at, evidence) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (person_id, text, label, subcategory, int(urgent), confidence, to_db(at), evidence),
            )
        return cursor.lastrowid

    async def inbox_message(self, inbox_id: int) -> dict[str, Any] | None:
        row = await self._fetch_one(
            "SELECT id, person_id, text, label, subcategory, urgent, confidence, chosen_label, at, outcome, evidence "
            "FROM inbox WHERE id = ?", (inbox_id,),
        )
        return dict(row) if row else None

    async def ticket_evidence(self, ticket_id: int) -> str | None:
        """The words that made the message behind a ticket urgent, if it came from one."""
        row = await self._fetch_one(
            "SELECT inbox.evidence FROM tickets JOIN inbox ON inbox.id = tickets.inbox_id WHERE tickets.id = ?",
            (ticket_id,),
        )
        return row[0] if row else None

    async def choose_label(self, inbox_id: int, label: str, proposed_by: int, at: datetime,
                           propose: bool) -> None:
        """Record the label a person chose, and (if it differs) propose it as a correction."""
        async with self.transaction() as db:
            await db.execute("UPDATE inbox SET chosen_label = ? WHERE id = ?", (label, inbox_id))
            if propose:
                await db.execute(
                    "INSERT INTO corrections (inbox_id, label, proposed_by, at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (inbox_id, proposed_by) DO UPDATE SET label = excluded.label, "
                    "status = 'pending', at = excluded.at WHERE corrections.status = 'pending'",
                    (inbox_id, label, proposed_by, to_db(at)),
                )

    @staticmethod
    async def claim_inbox(db: aiosqlite.Connection, inbox_id: int, outcome: str) -> bool:
        """Record what a message became, once: a second tap on an old button finds it taken."""
        cursor = await db.execute(
            "UPDATE inbox SET outcome = ? WHERE id = ? AND outcome IS NULL", (outcome, inbox_id))
        return cursor.rowcount == 1

    async def corrections(self, status: str, limit: int = 1000) -> list[dict[str, Any]]:
        rows = await self._fetch(
            "SELECT c.id, c.label, c.status, i.text, i.label AS predicted, p.name AS proposer "
            "FROM corrections c JOIN inbox i ON i.id = c.inbox_id JOIN people p ON p.id = c.proposed_by "
            "WHERE c.status = ? ORDER BY c.id LIMIT ?", (status, limit),
        )
        return [dict(row) for row in rows]

    async def review_correction(self, correction_id: int, approve: bool, reviewer: int, at: datetime) -> bool:
        """Settle a pending correction; False if it was not pending (already reviewed or unknown)."""
        async with self.transaction() as db:
            cursor = await db.execute(
                "UPDATE corrections SET status = ?, reviewed_by = ?, reviewed_at = ? "
                "WHERE id = ? AND status = 'pending'",
                ("approved" if approve else "rejected", reviewer, to_db(at), correction_id),
            )
        return cursor.rowcount == 1

    async def community_staff_for_building(self, building_id: int) -> list[Person]:
        rows = await self._fetch(
            self._PERSON_SQL + "JOIN roles r ON r.person_id = p.id AND r.role = 'community_staff' "
            "AND r.scope_kind = 'community' WHERE r.scope_id = "
            "(SELECT c.community_id FROM buildings b2 JOIN compounds c ON c.id = b2.compound_id "
            " WHERE b2.id = ?) ORDER BY p.id", (building_id,),
        )
        return [self._person_from_row(row) for row in rows]

    # -- tickets ----------------------------------------------------------------------------

    _TICKET_SQL = (
        "SELECT t.id, t.reporter_id, t.building_id, t.unit_id, t.text, t.label, t.subcategory, t.urgent, "
        "t.anonymous, t.status, t.level, t.assignee_id, t.accept_due, t.resolve_due, t.rate_due, t.rating, "
        "t.resolution, (SELECT COUNT(*) FROM ticket_supporters s WHERE s.ticket_id = t.id), t.created_at, "
        "t.latitude, t.longitude, t.accept_reminded, t.resolve_reminded, t.service_id, t.preferred_time, "
        "t.appointment_at, t.appointment_place, t.appointment_reminded, t.resolved_by FROM tickets t "
    )

    @staticmethod
    def _ticket(row: aiosqlite.Row) -> Ticket:
        due = [from_db(value) if value else None for value in (row[12], row[13], row[14])]
        return Ticket(
            id=row[0], reporter_id=row[1], building_id=row[2], unit_id=row[3], text=row[4], label=row[5],
            subcategory=row[6], urgent=bool(row[7]), anonymous=bool(row[8]), status=Status(row[9]),
            level=row[10], assignee_id=row[11], accept_due=due[0], resolve_due=due[1], rate_due=due[2],
            rating=row[15], resolution=row[16], supporters=row[17], created_at=from_db(row[18]),
            latitude=row[19], longitude=row[20], accept_reminded=bool(row[21]), resolve_reminded=bool(row[22]),
            service_id=row[23], preferred_time=row[24], appointment_at=from_db(row[25]) if row[25] else None,
            appointment_place=row[26], appointment_reminded=bool(row[27]), resolved_by=row[28],
        )

    async def ticket(self, ticket_id: int) -> Ticket | None:
        row = await self._fetch_one(self._TICKET_SQL + "WHERE t.id = ?", (ticket_id,))
        return self._ticket(row) if row else None

    async def tickets_of(self, person_id: int, limit: int = 20) -> list[Ticket]:
        """A resident's own tickets and those they joined (联名), newest first."""
        rows = await self._fetch(
            self._TICKET_SQL + "WHERE t.reporter_id = ? OR t.id IN "
            "(SELECT ticket_id FROM ticket_supporters WHERE person_id = ?) ORDER BY t.id DESC LIMIT ?",
            (person_id, person_id, limit),
        )
        return [self._ticket(row) for row in rows]

    async def active_tickets_reported_by(self, person_id: int) -> list[Ticket]:
        rows = await self._fetch(
            self._TICKET_SQL + "WHERE t.reporter_id = ? AND t.status IN ('open', 'accepted', 'reopened') "
            "ORDER BY t.id DESC", (person_id,),
        )
        return [self._ticket(row) for row in rows]

    async def tickets_assigned_to(self, person_id: int) -> list[Ticket]:
        rows = await self._fetch(
            self._TICKET_SQL + "WHERE t.assignee_id = ? AND t.status IN ('open', 'accepted', 'reopened') "
            "ORDER BY t.urgent DESC, t.id", (person_id,),
        )
        return [self._ticket(row) for row in rows]

    async def active_orders(self, service_ids: Iterable[str]) -> list[Ticket]:
        ids = list(service_ids)
        rows = await self._fetch(
            self._TICKET_SQL + f"WHERE t.service_id IN ({', '.join('?' * len(ids))}) "
            "AND t.status IN ('open', 'accepted', 'reopened') ORDER BY t.id", ids,
        ) if ids else []
        return [self._ticket(row) for row in rows]

    async def similar_open_tickets(self, building_id: int, subcategory: str, since: datetime,
                                   exclude_reporter: int) -> list[Ticket]:
        rows = await self._fetch(
            self._TICKET_SQL + "WHERE t.building_id = ? AND t.subcategory = ? AND t.created_at >= ? AND t.service_id IS NULL "
            "AND t.status IN ('open', 'accepted', 'reopened') AND t.reporter_id != ? ORDER BY t.id DESC LIMIT 20",
            (building_id, subcategory, to_db(since), exclude_reporter),
        )
        return [self._ticket(row) for row in rows]

    @staticmethod
    async def insert_ticket(db: aiosqlite.Connection, **fields: Any) -> int:
        fields = {key: to_db(value) if isinstance(value, datetime) else value for key, value in fields.items()}
        cursor = await db.execute(
            f"INSERT INTO tickets ({', '.join(fields)}) VALUES ({', '.join('?' * len(fields))})",
            tuple(fields.values()),
        )
        return cursor.lastrowid

    @staticmethod
    async def update_ticket(db: aiosqlite.Connection, ticket_id: int, **fields: Any) -> None:
        fields = {key: to_db(value) if isinstance(value, datetime) else value for key, value in fields.items()}
        await db.execute(
            f"UPDATE tickets SET {', '.join(f'{key} = ?' for key in fields)} WHERE id = ?",
            (*fields.values(), ticket_id),
        )

    @staticmethod
    async def add_event(db: aiosqlite.Connection, ticket_id: int, at: datetime, type_: str,
                        actor_id: int | None, **detail: Any) -> None:
        await db.execute(
            "INSERT INTO ticket_events (ticket_id, at, type, actor_id, detail) VALUES (?, ?, ?, ?, ?)",
            (ticket_id, to_db(at), type_, actor_id, json.dumps(detail, ensure_ascii=False)),
        )

    async def ticket_events(self, ticket_id: int) -> list[TicketEvent]:
        rows = await self._fetch(
            "SELECT at, type, actor_id, detail FROM ticket_events WHERE ticket_id = ? ORDER BY id", (ticket_id,)
        )
        return [TicketEvent(from_db(row[0]), row[1], row[2], json.loads(row[3])) for row in rows]

    @staticmethod
    async def add_photo(db: aiosqlite.Connection, ticket_id: int, file_id: str, at: datetime) -> None:
        await db.execute("INSERT INTO ticket_photos VALUES (?, ?, ?)", (ticket_id, file_id, to_db(at)))

    async def ticket_photos(self, ticket_id: int) -> list[str]:
        return [row[0] for row in await self._fetch(
            "SELECT file_id FROM ticket_photos WHERE ticket_id = ? ORDER BY rowid", (ticket_id,))]

    @staticmethod
    async def add_supporter(db: aiosqlite.Connection, ticket_id: int, person_id: int, at: datetime) -> bool:
        cursor = await db.execute(
            "INSERT OR IGNORE INTO ticket_supporters VALUES (?, ?, ?)", (ticket_id, person_id, to_db(at))
        )
        return cursor.rowcount == 1

    async def supporter_ids(self, ticket_id: int) -> list[int]:
        return [row[0] for row in await self._fetch(
            "SELECT person_id FROM ticket_supporters WHERE ticket_id = ? ORDER BY at", (ticket_id,))]

    async def next_ticket_due(self) -> datetime | None:
        row = await self._fetch_one("SELECT MIN(next_due) FROM tickets WHERE next_due IS NOT NULL")
        return from_db(row[0]) if row and row[0] else None

    async def due_ticket_ids(self, now: datetime) -> list[int]:
        return [row[0] for row in await self._fetch(
            "SELECT id FROM tickets WHERE next_due IS NOT NULL AND next_due <= ? ORDER BY next_due, id",
            (to_db(now),))]

    async def building_scopes(self, building_id: int) -> dict[str, int]:
        row = await self._fetch_one(
            "SELECT b.grid_id, b.compound_id, c.community_id FROM buildings b "
            "JOIN compounds c ON c.id = b.compound_id WHERE b.id = ?", (building_id,),
        )
        return {"grid": row[0], "compound": row[1], "community": row[2]} if row else {}

    async def head_record(self, person_id: int) -> dict[str, int]:
        """How a head's resolved tickets were rated (their credit record)."""
        row = await self._fetch_one(
            "SELECT COUNT(*), SUM(rating = 'satisfied'), SUM(rating = 'basic'), SUM(rating = 'dissatisfied') "
            "FROM tickets WHERE resolved_by = ? AND status IN ('resolved', 'closed', 'reopened')", (person_id,),
        )
        return {"resolved": row[0], "satisfied": row[1] or 0, "basic": row[2] or 0, "dissatisfied": row[3] or 0}

    async def tickets_export(self) -> list[dict[str, Any]]:
        """Every ticket with its supporters and events, for ``shuoshi tickets --json``."""
        tickets = [self._ticket(row) for row in await self._fetch(self._TICKET_SQL + "ORDER BY t.id")]
        events: dict[int, list[dict[str, Any]]] = {}
        for row in await self._fetch("SELECT ticket_id, at, type, actor_id, detail FROM ticket_events ORDER BY id"):
            events.setdefault(row[0], []).append(
                {"at": row[1], "type": row[2], "actor_id": row[3], **json.loads(row[4])})
        supporters: dict[int, list[int]] = {}
        for row in await self._fetch("SELECT ticket_id, person_id FROM ticket_supporters ORDER BY at"):
            supporters.setdefault(row[0], []).append(row[1])
        names = {row[0]: row[1] for row in await self._fetch(
            "SELECT b.id, c.name || b.name FROM buildings b JOIN compounds c ON c.id = b.compound_id")}
        telegram = {row[0]: row[1] for row in await self._fetch("SELECT id, telegram_id FROM people")}
        return [{
            "id": t.id, "number": t.number, "status": t.status.value, "label": t.label,
            "subcategory": t.subcategory, "urgent": t.urgent, "anonymous": t.anonymous,
            "reporter_id": telegram.get(t.reporter_id), "building": names.get(t.building_id),
            "assignee_id": telegram.get(t.assignee_id), "level": t.level, "rating": t.rating,
            "text": t.text, "created_at": to_db(t.created_at),
            "supporters": [telegram.get(p) for p in supporters.get(t.id, [])],
            "events": [{**e, "actor_id": telegram.get(e["actor_id"])} for e in events.get(t.id, [])],
        } for t in tickets]

    # -- notifications and pending inputs ----------------------------------------------------

    @staticmethod
    async def queue_notification(db: aiosqlite.Connection, person_id: int, kind: str, ticket_id: int | None,
                                 at: datetime, **payload: Any) -> None:
        await db.execute(
            "INSERT INTO notifications (person_id, kind, ticket_id, payload, created_at) VALUES (?, ?, ?, ?, ?)",
            (person_id, kind, ticket_id, json.dumps(payload, ensure_ascii=False), to_db(at)),
        )

    async def pending_notifications(self, limit: int = 100) -> list[dict[str, Any]]:
        rows = await self._fetch(
            "SELECT n.id, n.person_id, p.telegram_id, n.kind, n.ticket_id, n.payload, n.attempts, n.meeting_id "
            "FROM notifications n JOIN people p ON p.id = n.person_id WHERE n.state = 'pending' "
            "ORDER BY n.id LIMIT ?", (limit,),
        )
        return [{**dict(row), "payload": json.loads(row[5])} for row in rows]

    async def has_pending_notifications(self) -> bool:
        return await self._fetch_one("SELECT 1 FROM notifications WHERE state = 'pending' LIMIT 1") is not None

    async def settle_notification(self, notification_id: int, state: str, message_id: int | None = None) -> None:
        """One statement, atomic on its own: no BEGIN/COMMIT round trips on the hottest write."""
        async with self._lock:
            await self._db.execute(
                "UPDATE notifications SET state = ?, message_id = ?, attempts = attempts + 1 WHERE id = ?",
                (state, message_id, notification_id),
            )

    async def retry_notification_later(self, notification_id: int) -> int:
        async with self.transaction() as db:
            await db.execute("UPDATE notifications SET attempts = attempts + 1 WHERE id = ?", (notification_id,))
            rows = await db.execute_fetchall("SELECT attempts FROM notifications WHERE id = ?", (notification_id,))
        return rows[0][0]

    @staticmethod
    async def set_pending_input(db: aiosqlite.Connection, person_id: int, kind: str, ticket_id: int | None,
                                at: datetime, **payload: Any) -> None:
        await db.execute(
            "INSERT INTO pending_inputs VALUES (?, ?, ?, ?, ?) ON CONFLICT (person_id) DO UPDATE SET "
            "kind = excluded.kind, ticket_id = excluded.ticket_id, payload = excluded.payload, at = excluded.at",
            (person_id, kind, ticket_id, json.dumps(payload, ensure_ascii=False), to_db(at)),
        )

    async def pending_input(self, person_id: int) -> dict[str, Any] | None:
        row = await self._fetch_one(
            "SELECT kind, ticket_id, payload, at FROM pending_inputs WHERE person_id = ?", (person_id,))
        return {"kind": row[0], "ticket_id": row[1], "payload": json.loads(row[2]), "at": from_db(row[3])} if row else None

    @staticmethod
    async def clear_pending_input(db: aiosqlite.Connection, person_id: int) -> None:
        await db.execute("DELETE FROM pending_inputs WHERE person_id = ?", (person_id,))

    async def set_anonymous_reports(self, person_id: int, anonymous: bool) -> None:
        async with self.transaction() as db:
            await db.execute("UPDATE people SET anonymous_reports = ? WHERE id = ?", (int(anonymous), person_id))

    async def anonymous_reports(self, person_id: int) -> bool:
        row = await self._fetch_one("SELECT anonymous_reports FROM people WHERE id = ?", (person_id,))
        return bool(row and row[0])

    # -- broadcasts -------------------------------------------------------------------------

    _AUDIENCE_SQL = {
        # Everyone, except partner units' contacts who do not live here: announcements are for the community.
        "all": "SELECT id, telegram_id, building_id FROM people WHERE telegram_id IS NOT NULL AND NOT "
               "(building_id IS NULL AND id IN (SELECT person_id FROM roles WHERE role = 'partner'))",
        "community": "SELECT p.id, p.telegram_id, p.building_id FROM people p JOIN buildings b ON b.id = p.building_id "
                     "JOIN compounds c ON c.id = b.compound_id WHERE p.telegram_id IS NOT NULL AND c.community_id = ?",
        "grid": "SELECT p.id, p.telegram_id, p.building_id FROM people p JOIN buildings b ON b.id = p.building_id "
                "WHERE p.telegram_id IS NOT NULL AND b.grid_id = ?",
        "compound": "SELECT p.id, p.telegram_id, p.building_id FROM people p JOIN buildings b ON b.id = p.building_id "
                    "WHERE p.telegram_id IS NOT NULL AND b.compound_id = ?",
        "building": "SELECT id, telegram_id, building_id FROM people WHERE telegram_id IS NOT NULL AND building_id = ?",
        "unit": "SELECT id, telegram_id, building_id FROM people WHERE telegram_id IS NOT NULL AND unit_id = ?",
        "building_heads": "SELECT DISTINCT p.id, p.telegram_id, p.building_id FROM people p JOIN roles r "
                          "ON r.person_id = p.id AND r.role = 'building_head' WHERE p.telegram_id IS NOT NULL",
        "grid_heads": "SELECT DISTINCT p.id, p.telegram_id, p.building_id FROM people p JOIN roles r "
                      "ON r.person_id = p.id AND r.role = 'grid_head' WHERE p.telegram_id IS NOT NULL",
    }

    def _audience(self, kind: str, scope_id: int | None, community_id: int | None) -> tuple[str, tuple]:
        """The recipients' query; a community staff member's broadcast stays inside their community."""
        sql = self._AUDIENCE_SQL[kind]
        params: tuple = (scope_id,) if "?" in sql else ()
        if community_id is None:
            return sql, params
        members = (
            "SELECT p2.id FROM people p2 JOIN buildings b2 ON b2.id = p2.building_id "
            "JOIN compounds c2 ON c2.id = b2.compound_id WHERE c2.community_id = ? "
            f"UNION SELECT g.person_id FROM ({self._GRANT_PLACES}) g WHERE g.community = ?"
        )
        return f"SELECT a.* FROM ({sql}) a WHERE a.id IN ({members})", (*params, community_id, community_id)

    async def audience_count(self, kind: str, scope_id: int | None, community_id: int | None = None) -> int:
        sql, params = self._audience(kind, scope_id, community_id)
        row = await self._fetch_one(f"SELECT COUNT(*) FROM ({sql})", params)
        return row[0]

    async def create_broadcast(self, author_id: int, text: str, photo: str | None, at: datetime,
                               parent_id: int | None = None, community_id: int | None = None) -> int:
        async with self.transaction() as db:
            cursor = await db.execute(
                "INSERT INTO broadcasts (author_id, parent_id, text, photo, state, created_at, community_id) "
                "VALUES (?, ?, ?, ?, 'draft', ?, ?)", (author_id, parent_id, text, photo, to_db(at), community_id))
        return cursor.lastrowid

    async def broadcast(self, broadcast_id: int) -> dict[str, Any] | None:
        row = await self._fetch_one("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,))
        return dict(row) if row else None

    async def set_broadcast_audience(self, broadcast_id: int, kind: str, scope_id: int | None, label: str) -> None:
        async with self.transaction() as db:
            await db.execute(
                "UPDATE broadcasts SET audience_kind = ?, audience_id = ?, audience_label = ? "
                "WHERE id = ? AND state = 'draft'", (kind, scope_id, label, broadcast_id))

    async def launch_broadcast(self, broadcast_id: int, send_at: datetime, sending: bool,
                               progress_chat: int | None, progress_message: int | None) -> int:
        """Fix the recipients (one row each) and schedule or start; False-y (0) if not a draft any more."""
        async with self.transaction() as db:
            rows = await db.execute_fetchall(
                "SELECT audience_kind, audience_id, parent_id, community_id FROM broadcasts "
                "WHERE id = ? AND state = 'draft'", (broadcast_id,))
            if not rows:
                return 0
            kind, scope_id, parent_id, community_id = rows[0]
            if parent_id is not None:  # a reminder: the parent's recipients who have not confirmed
                sql = ("SELECT person_id, chat_id, building_id FROM broadcast_recipients WHERE broadcast_id = ? "
                       "AND state = 'sent' AND confirmed_at IS NULL")
                params: tuple = (parent_id,)
            else:
                sql, params = self._audience(kind, scope_id, community_id)
            cursor = await db.execute(
                f"INSERT OR IGNORE INTO broadcast_recipients (broadcast_id, person_id, chat_id, building_id) "
                f"SELECT ?, * FROM ({sql})", (broadcast_id, *params))
            await db.execute(
                "UPDATE broadcasts SET state = ?, send_at = ?, progress_chat = ?, progress_message = ? WHERE id = ?",
                ("sending" if sending else "scheduled", to_db(send_at), progress_chat, progress_message, broadcast_id))
        return cursor.rowcount

    async def start_due_broadcasts(self, now: datetime) -> None:
        """A single statement (atomic by itself); it runs after every update offline, so no BEGIN/COMMIT."""
        async with self._lock:
            await self._db.execute(
                "UPDATE broadcasts SET state = 'sending' WHERE state = 'scheduled' AND send_at <= ?", (to_db(now),))

    async def next_broadcast_due(self) -> datetime | None:
        row = await self._fetch_one(
            "SELECT MIN(CASE WHEN b.state = 'scheduled' THEN b.send_at ELSE COALESCE(r.next_try, b.send_at) END) "
            "FROM broadcasts b LEFT JOIN broadcast_recipients r ON r.broadcast_id = b.id AND r.state = 'pending' "
            "WHERE b.state = 'scheduled' OR (b.state = 'sending' AND r.person_id IS NOT NULL)")
        return from_db(row[0]) if row and row[0] else None

    async def sending_broadcasts(self) -> list[dict[str, Any]]:
        return [dict(row) for row in await self._fetch("SELECT * FROM broadcasts WHERE state = 'sending' ORDER BY id")]

    async def pending_recipients(self, broadcast_id: int, now: datetime, limit: int) -> list[dict[str, Any]]:
        rows = await self._fetch(
            "SELECT person_id, chat_id, attempts FROM broadcast_recipients WHERE broadcast_id = ? AND state = 'pending' "
            "AND (next_try IS NULL OR next_try <= ?) ORDER BY person_id LIMIT ?", (broadcast_id, to_db(now), limit))
        return [dict(row) for row in rows]

    async def record_delivery(self, broadcast_id: int, person_id: int, state: str, at: datetime,
                              message_id: int | None = None, next_try: datetime | None = None) -> None:
        """One recipient's outcome; only a row still pending changes, so a resume re-checks for free.

        A single UPDATE is atomic by itself: one round trip instead of three on the broadcast hot path.
        """
        async with self._lock:
            await self._db.execute(
                "UPDATE broadcast_recipients SET state = ?, message_id = ?, sent_at = ?, attempts = attempts + 1, "
                "next_try = ? WHERE broadcast_id = ? AND person_id = ? "
                "AND (state = 'pending' OR (state = 'cancelled' AND ? = 'sent'))",
                (state, message_id, to_db(at) if state == "sent" else None,
                 to_db(next_try) if next_try else None, broadcast_id, person_id, state))

    async def retry_recipient(self, broadcast_id: int, person_id: int, next_try: datetime) -> None:
        async with self.transaction() as db:
            await db.execute(
                "UPDATE broadcast_recipients SET attempts = attempts + 1, next_try = ? "
                "WHERE broadcast_id = ? AND person_id = ? AND state = 'pending'",
                (to_db(next_try), broadcast_id, person_id))

    async def broadcast_counts(self, broadcast_id: int) -> dict[str, int]:
        rows = await self._fetch(
            "SELECT state, COUNT(*), SUM(confirmed_at IS NOT NULL) FROM broadcast_recipients "
            "WHERE broadcast_id = ? GROUP BY state", (broadcast_id,))
        counts = {state: 0 for state in ("pending", "sent", "unreachable", "failed", "cancelled")}
        confirmed = 0
        for state, number, confirmations in rows:
            counts[state] = number
            confirmed += confirmations or 0
        return {**counts, "total": sum(counts.values()), "confirmed": confirmed}

    async def finish_broadcast(self, broadcast_id: int, state: str, at: datetime,
                               only_from: tuple[str, ...] = ("sending", "scheduled", "draft")) -> bool:
        async with self.transaction() as db:
            if state == "cancelled":
                await db.execute("UPDATE broadcast_recipients SET state = 'cancelled' "
                                 "WHERE broadcast_id = ? AND state = 'pending'", (broadcast_id,))
            cursor = await db.execute(
                f"UPDATE broadcasts SET state = ?, finished_at = ? WHERE id = ? "
                f"AND state IN ({', '.join('?' * len(only_from))})", (state, to_db(at), broadcast_id, *only_from))
        return cursor.rowcount == 1

    async def mark_started(self, broadcast_id: int, at: datetime) -> None:
        async with self.transaction() as db:
            await db.execute("UPDATE broadcasts SET started_at = COALESCE(started_at, ?) WHERE id = ?",
                             (to_db(at), broadcast_id))

    async def confirm_receipt(self, broadcast_id: int, chat_id: int, at: datetime) -> bool:
        async with self.transaction() as db:
            cursor = await db.execute(
                "UPDATE broadcast_recipients SET confirmed_at = ? WHERE broadcast_id = ? AND chat_id = ? "
                "AND confirmed_at IS NULL", (to_db(at), broadcast_id, chat_id))
        return cursor.rowcount == 1

    async def unconfirmed_by_building(self, broadcast_id: int) -> list[tuple[str, str]]:
        rows = await self._fetch(
            "SELECT COALESCE(c.name || b.name, '未登记楼栋'), p.name FROM broadcast_recipients r "
            "JOIN people p ON p.id = r.person_id LEFT JOIN buildings b ON b.id = r.building_id "
            "LEFT JOIN compounds c ON c.id = b.compound_id WHERE r.broadcast_id = ? AND r.state = 'sent' "
            "AND r.confirmed_at IS NULL ORDER BY c.id, b.sort_key, p.id", (broadcast_id,))
        return [(row[0], row[1]) for row in rows]

    async def last_reminder_at(self, parent_id: int) -> datetime | None:
        row = await self._fetch_one("SELECT MAX(created_at) FROM broadcasts WHERE parent_id = ?", (parent_id,))
        return from_db(row[0]) if row and row[0] else None

    async def recent_broadcasts(self, limit: int = 10) -> list[dict[str, Any]]:
        rows = await self._fetch(
            "SELECT * FROM broadcasts WHERE state != 'draft' AND parent_id IS NULL ORDER BY id DESC LIMIT ?", (limit,))
        return [dict(row) for row in rows]

    # -- meetings ---------------------------------------------------------------------------

    @staticmethod
    def _meeting(row: aiosqlite.Row) -> dict[str, Any]:
        meeting = dict(row)
        meeting["starts_at"] = from_db(meeting["starts_at"])
        meeting["audience"] = tuple(json.loads(meeting["audience"]))
        meeting["next_reminder_at"] = from_db(meeting["next_reminder_at"]) if meeting["next_reminder_at"] else None
        return meeting

    async def scope_ids(self, kind: str) -> list[int]:
        return [row[0] for row in await self._fetch(f"SELECT id FROM {SCOPE_TABLES[kind]} ORDER BY id")]

    @staticmethod
    async def insert_meeting(db: aiosqlite.Connection, **fields: Any) -> int | None:
        """Insert unless the rule already made this occurrence (materialising is idempotent)."""
        fields = {key: (to_db(value) if isinstance(value, datetime) else
                        json.dumps(list(value)) if isinstance(value, tuple) else value)
                  for key, value in fields.items()}
        cursor = await db.execute(
            f"INSERT OR IGNORE INTO meetings ({', '.join(fields)}) VALUES ({', '.join('?' * len(fields))})",
            tuple(fields.values()))
        return cursor.lastrowid if cursor.rowcount == 1 else None

    async def meeting(self, meeting_id: int) -> dict[str, Any] | None:
        row = await self._fetch_one("SELECT * FROM meetings WHERE id = ?", (meeting_id,))
        return self._meeting(row) if row else None

    async def meetings_between(self, start: datetime, end: datetime, state: str = "scheduled") -> list[dict[str, Any]]:
        rows = await self._fetch(
            "SELECT * FROM meetings WHERE starts_at >= ? AND starts_at < ? AND state = ? ORDER BY starts_at, id",
            (to_db(start), to_db(end), state))
        return [self._meeting(row) for row in rows]

    async def next_meeting_reminder(self) -> datetime | None:
        row = await self._fetch_one(
            "SELECT MIN(next_reminder_at) FROM meetings WHERE next_reminder_at IS NOT NULL AND state = 'scheduled'")
        return from_db(row[0]) if row and row[0] else None

    async def due_meeting_ids(self, now: datetime) -> list[int]:
        return [row[0] for row in await self._fetch(
            "SELECT id FROM meetings WHERE next_reminder_at IS NOT NULL AND next_reminder_at <= ? "
            "AND state = 'scheduled' ORDER BY next_reminder_at, id", (to_db(now),))]

    @staticmethod
    async def update_meeting(db: aiosqlite.Connection, meeting_id: int, **fields: Any) -> None:
        fields = {key: to_db(value) if isinstance(value, datetime) else value for key, value in fields.items()}
        await db.execute(f"UPDATE meetings SET {', '.join(f'{key} = ?' for key in fields)} WHERE id = ?",
                         (*fields.values(), meeting_id))

    async def paused_rules(self) -> set[tuple[str, int]]:
        """(rule, community) pairs a community's staff paused."""
        return {(row[0], row[1]) for row in await self._fetch("SELECT rule_id, community_id FROM meeting_rule_pauses")}

    @staticmethod
    async def pause_rule(db: aiosqlite.Connection, rule_id: str, community_id: int, person_id: int,
                         at: datetime) -> None:
        await db.execute("INSERT OR IGNORE INTO meeting_rule_pauses VALUES (?, ?, ?, ?)",
                         (rule_id, community_id, person_id, to_db(at)))

    # Where each role grant sits, as (grid, compound, community), so "inside a meeting's scope" is one test.
    _GRANT_PLACES = (
        "SELECT r.person_id, r.role, "
        " CASE r.scope_kind WHEN 'building' THEN b.grid_id WHEN 'unit' THEN ub.grid_id WHEN 'grid' THEN r.scope_id END AS grid, "
        " CASE r.scope_kind WHEN 'building' THEN b.compound_id WHEN 'unit' THEN ub.compound_id "
        "   WHEN 'compound' THEN r.scope_id END AS compound, "
        " CASE r.scope_kind WHEN 'building' THEN bc.community_id WHEN 'unit' THEN uc.community_id "
        "   WHEN 'grid' THEN g.community_id WHEN 'compound' THEN cp.community_id WHEN 'community' THEN r.scope_id END "
        "   AS community, r.scope_kind "
        "FROM roles r LEFT JOIN buildings b ON r.scope_kind = 'building' AND b.id = r.scope_id "
        "LEFT JOIN compounds bc ON bc.id = b.compound_id "
        "LEFT JOIN units u ON r.scope_kind = 'unit' AND u.id = r.scope_id "
        "LEFT JOIN buildings ub ON ub.id = u.building_id LEFT JOIN compounds uc ON uc.id = ub.compound_id "
        "LEFT JOIN grids g ON r.scope_kind = 'grid' AND g.id = r.scope_id "
        "LEFT JOIN compounds cp ON r.scope_kind = 'compound' AND cp.id = r.scope_id"
    )

    async def resume_rule(self, rule_id: str, community_id: int) -> bool:
        async with self.transaction() as db:
            cursor = await db.execute("DELETE FROM meeting_rule_pauses WHERE rule_id = ? AND community_id = ?",
                                      (rule_id, community_id))
        return cursor.rowcount == 1

    async def community_of(self, kind: str, scope_id: int) -> int | None:
        sql = {"grid": "SELECT community_id FROM grids WHERE id = ?",
               "compound": "SELECT community_id FROM compounds WHERE id = ?",
               "community": "SELECT id FROM communities WHERE id = ?",
               "building": "SELECT c.community_id FROM buildings b JOIN compounds c ON c.id = b.compound_id "
                           "WHERE b.id = ?",
               "unit": "SELECT c.community_id FROM units u JOIN buildings b ON b.id = u.building_id "
                       "JOIN compounds c ON c.id = b.compound_id WHERE u.id = ?"}[kind]
        row = await self._fetch_one(sql, (scope_id,))
        return row[0] if row else None

    async def people_for_meeting(self, kind: str, scope_id: int, roles: Iterable[str]) -> list[Person]:
        """People holding one of ``roles`` inside the scope; community-wide roles count for its grids and compounds."""
        roles = list(roles)
        community = await self.community_of(kind, scope_id)
        inside = {"grid": "g2.grid = ?", "compound": "g2.compound = ?", "community": "g2.community = ?"}[kind]
        rows = await self._fetch(
            self._PERSON_SQL + f"WHERE p.telegram_id IS NOT NULL AND p.id IN (SELECT g2.person_id FROM "
            f"({self._GRANT_PLACES}) g2 WHERE g2.role IN ({', '.join('?' * len(roles))}) AND ({inside} OR "
            f"(g2.scope_kind IN ('community', 'all') AND (g2.community = ? OR g2.scope_kind = 'all')))) ORDER BY p.id",
            (*roles, scope_id, community))
        return [self._person_from_row(row) for row in rows]

    async def residents_in(self, kind: str, scope_id: int) -> list[Person]:
        column = {"grid": "b.grid_id", "compound": "b.compound_id", "community": "c.community_id"}[kind]
        rows = await self._fetch(self._PERSON_SQL + f"WHERE p.telegram_id IS NOT NULL AND {column} = ? ORDER BY p.id",
                                 (scope_id,))
        return [self._person_from_row(row) for row in rows]

    async def grid_agenda(self, grid_id: int) -> list[Ticket]:
        """A grid's open tickets, oldest first: what its monthly meeting should discuss."""
        rows = await self._fetch(
            self._TICKET_SQL + "JOIN buildings ab ON ab.id = t.building_id WHERE ab.grid_id = ? "
            "AND t.status IN ('open', 'accepted', 'reopened') ORDER BY t.id LIMIT 30", (grid_id,))
        return [self._ticket(row) for row in rows]

    @staticmethod
    async def queue_meeting_notification(db: aiosqlite.Connection, person_id: int, kind: str, meeting_id: int,
                                         at: datetime, **payload: Any) -> None:
        await db.execute(
            "INSERT INTO notifications (person_id, kind, meeting_id, payload, created_at) VALUES (?, ?, ?, ?, ?)",
            (person_id, kind, meeting_id, json.dumps(payload, ensure_ascii=False), to_db(at)))

    async def set_rsvp(self, meeting_id: int, person_id: int, answer: str, at: datetime) -> None:
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO meeting_rsvps VALUES (?, ?, ?, ?) ON CONFLICT (meeting_id, person_id) "
                "DO UPDATE SET answer = excluded.answer, at = excluded.at", (meeting_id, person_id, answer, to_db(at)))

    async def rsvps(self, meeting_id: int) -> dict[int, str]:
        return {row[0]: row[1] for row in await self._fetch(
            "SELECT person_id, answer FROM meeting_rsvps WHERE meeting_id = ?", (meeting_id,))}

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

    # -- FAQ --------------------------------------------------------------------------------

    async def faq_keys(self) -> set[str]:
        """Keys of every entry ever loaded from the file, switched off ones included."""
        return {row[0] for row in await self._fetch("SELECT key FROM faq_entries WHERE key IS NOT NULL")}

    @staticmethod
    async def insert_faq_entry(db: aiosqlite.Connection, *, key: str | None, title: str, answer: str,
                               live: str | None, service: str | None, questions: Iterable[str],
                               person_id: int | None, at: datetime) -> int:
        cursor = await db.execute(
            "INSERT INTO faq_entries (key, title, answer, live, service, updated_by, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)", (key, title, answer, live, service, person_id, to_db(at)),
        )
        await db.executemany("INSERT OR IGNORE INTO faq_questions (entry_id, text) VALUES (?, ?)",
                             [(cursor.lastrowid, text) for text in questions])
        return cursor.lastrowid

    async def faq_entries(self, include_inactive: bool = False) -> list[dict[str, Any]]:
        rows = await self._fetch(
            "SELECT id, key, title, answer, live, service, active FROM faq_entries "
            + ("" if include_inactive else "WHERE active = 1 ") + "ORDER BY id"
        )
        questions: dict[int, list[str]] = {}
        for entry_id, text in await self._fetch("SELECT entry_id, text FROM faq_questions ORDER BY id"):
            questions.setdefault(entry_id, []).append(text)
        return [{**dict(row), "active": bool(row["active"]), "questions": questions.get(row["id"], [])}
                for row in rows]

    async def faq_entry(self, entry_id: int) -> dict[str, Any] | None:
        return next((entry for entry in await self.faq_entries(include_inactive=True) if entry["id"] == entry_id), None)

    @staticmethod
    async def update_faq_entry(db: aiosqlite.Connection, entry_id: int, person_id: int, at: datetime,
                               **fields: Any) -> None:
        await db.execute(
            f"UPDATE faq_entries SET {''.join(f'{key} = ?, ' for key in fields)}updated_by = ?, updated_at = ? "
            "WHERE id = ?", (*fields.values(), person_id, to_db(at), entry_id),
        )

    @staticmethod
    async def add_faq_question(db: aiosqlite.Connection, entry_id: int, text: str) -> None:
        await db.execute("INSERT OR IGNORE INTO faq_questions (entry_id, text) VALUES (?, ?)", (entry_id, text))

    async def record_faq_ask(self, person_id: int | None, text: str, entry_id: int | None, score: float,
                             at: datetime) -> int:
        async with self.transaction() as db:
            cursor = await db.execute(
                "INSERT INTO faq_asks (person_id, text, entry_id, score, at) VALUES (?, ?, ?, ?, ?)",
                (person_id, text, entry_id, round(score, 3), to_db(at)),
            )
            return cursor.lastrowid

    async def faq_ask(self, ask_id: int) -> dict[str, Any] | None:
        row = await self._fetch_one("SELECT * FROM faq_asks WHERE id = ?", (ask_id,))
        return dict(row) if row else None

    async def update_faq_ask(self, ask_id: int, **fields: Any) -> None:
        async with self.transaction() as db:
            await db.execute(f"UPDATE faq_asks SET {', '.join(f'{key} = ?' for key in fields)} WHERE id = ?",
                             (*fields.values(), ask_id))

    async def faq_gaps(self) -> list[dict[str, Any]]:
        """Questions nobody's answer fitted, or whose answer the asker found useless, still open."""
        rows = await self._fetch(
            "SELECT a.id, a.text, a.entry_id, a.feedback, a.at, e.title FROM faq_asks a "
            "LEFT JOIN faq_entries e ON e.id = a.entry_id "
            "WHERE a.gap_state = 'open' AND (a.entry_id IS NULL OR a.feedback = 'useless') ORDER BY a.id"
        )
        return [dict(row) for row in rows]

    @staticmethod
    async def close_faq_gaps(db: aiosqlite.Connection, ask_ids: Iterable[int], state: str) -> None:
        await db.executemany("UPDATE faq_asks SET gap_state = ? WHERE id = ? AND gap_state = 'open'",
                             [(state, ask_id) for ask_id in ask_ids])
