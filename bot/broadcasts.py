"""Staff announcements: composing, a persistent outbox, and a paced, resumable delivery engine.

Recipients are fixed when staff confirm (one row each), so a restart resumes exactly where it
stopped: only rows still ``pending`` are sent, and each row is marked sent together with the
message id Telegram returned. The engine knows nothing of Telegram: it is given a ``send``
function and understands three outcomes besides success — wait (rate limit), unreachable, retry.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.models import Person, Role
from bot.store import Store

log = logging.getLogger(__name__)

AUDIENCES = ("all", "community", "grid", "compound", "building", "unit", "building_heads", "grid_heads")
MAX_ATTEMPTS = 5
BATCH = 200
CHECK_EVERY = 20  # sends between re-reading the broadcast's state, so 取消发送 stops within a moment


class BroadcastError(Exception):
    """Not allowed or no longer possible; the message is for the staff member."""


class RateLimited(Exception):
    """Telegram asked the whole bot to wait."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"retry after {retry_after}s")
        self.retry_after = retry_after


class Unreachable(Exception):
    """The recipient blocked the bot or deleted the account: never retried."""


class TransientError(Exception):
    """Anything else; retried with back-off a bounded number of times."""


Send = Callable[[dict, int], Awaitable[int]]  # (broadcast row, chat id) -> Telegram message id
Progress = Callable[[dict, dict, bool], Awaitable[None]]  # (broadcast, counts, finished)


@dataclass
class Pacer:
    """Spaces sends ``1/rate`` seconds apart on the monotonic clock (not the domain clock).

    It keeps an absolute schedule and may catch up a little (``slack``) after a late wake-up:
    asyncio timers wake in whole milliseconds, so restarting the schedule at every late send would
    lose up to a period each time (measured: 89% of 1,000/s without catch-up, 100% with 20 ms).
    """

    rate: float
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    slack: float = 0.02
    _next: float = 0.0

    async def wait(self) -> None:
        now = time.monotonic()
        if self._next > now:
            await self.sleep(self._next - now)
        self._next = max(self._next, now - self.slack) + 1 / self.rate

    def pause(self, seconds: float) -> None:
        """Hold the whole queue (Telegram's RetryAfter)."""
        self._next = max(self._next, time.monotonic() + seconds)


def home_community(author: Person) -> int | None:
    """The community a staff member speaks for; None for admins, who speak for the whole street office."""
    if Role.ADMIN in author.roles:
        return None
    return next((grant.scope_id for grant in author.grants if grant.role is Role.COMMUNITY_STAFF), None)


async def compose(store: Store, clock: Clock, author: Person, text: str, photo: str | None) -> int:
    if not author.is_staff:
        raise BroadcastError("抱歉，只有社区工作人员可以发布通知。")
    if not text.strip() and not photo:
        raise BroadcastError("通知内容不能为空。")
    return await store.create_broadcast(author.id, text.strip()[:3500], photo, clock.now(),
                                        community_id=home_community(author))


def may_manage(author: Person, broadcast: dict) -> bool:
    """Staff manage their own community's broadcasts; admins manage all."""
    if Role.ADMIN in author.roles:
        return True
    return author.is_staff and broadcast["community_id"] is not None and broadcast["community_id"] == home_community(author)


async def choose_audience(store: Store, author: Person, broadcast_id: int, kind: str, scope_id: int | None,
                          label: str) -> None:
    """Set who receives a draft; a place outside the author's community is refused."""
    community = home_community(author)
    draft = await store.broadcast(broadcast_id)
    if not author.is_staff or kind not in AUDIENCES or draft is None or not may_manage(author, draft):
        raise BroadcastError("抱歉，只能操作本社区的通知。")
    if scope_id is not None and community is not None and await store.community_of(kind, scope_id) != community:
        raise BroadcastError("只能向本社区发送通知。")
    await store.set_broadcast_audience(broadcast_id, kind, scope_id, label)


async def launch(store: Store, clock: Clock, author: Person, broadcast_id: int, send_at: datetime | None,
                 progress: tuple[int, int] | None) -> int:
    """Fix the recipients and start now (``send_at`` None) or at ``send_at``; returns the count."""
    draft = await store.broadcast(broadcast_id)
    if draft is None or not may_manage(author, draft):
        raise BroadcastError("抱歉，只能操作本社区的通知。")
    if draft["state"] != "draft" or (draft["audience_kind"] is None and draft["parent_id"] is None):
        raise BroadcastError("这条通知已经发出或还没有选择对象。")
    now = clock.now()
    count = await store.launch_broadcast(broadcast_id, send_at or now, send_at is None or send_at <= now,
                                         *(progress or (None, None)))
    if count == 0:
        await store.finish_broadcast(broadcast_id, "done", now)
    return count


async def cancel(store: Store, clock: Clock, author: Person, broadcast_id: int) -> dict:
    """Stop a broadcast still sending or scheduled: the rest are not sent."""
    broadcast = await store.broadcast(broadcast_id)
    if broadcast is None or not may_manage(author, broadcast):
        raise BroadcastError("抱歉，只能操作本社区的通知。")
    if not await store.finish_broadcast(broadcast_id, "cancelled", clock.now()):
        raise BroadcastError("这条通知已经发送完毕，无法取消。")
    return await store.broadcast_counts(broadcast_id)


class BroadcastEngine:
    """Drains every sending broadcast, paced, resumable; also due work for the agenda."""

    def __init__(self, store: Store, clock: Clock, send: Send, rate: float = 25.0,
                 on_progress: Progress | None = None, progress_every: float = 2.0,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.store = store
        self.clock = clock
        self.send = send
        self.pacer = Pacer(rate, sleep)
        self.on_progress = on_progress
        self.progress_every = progress_every
        self.wake = asyncio.Event()
        self.cancelled: set[int] = set()  # told by the staff's 取消发送 in this process: checked every send

    async def next_due(self) -> datetime | None:
        return await self.store.next_broadcast_due()

    async def run_due(self, now: datetime) -> None:
        await self.drain()

    async def drain(self) -> None:
        """Send everything due now; returns when nothing more can be sent at this moment."""
        await self.store.start_due_broadcasts(self.clock.now())
        for broadcast in await self.store.sending_broadcasts():
            await self._drain_one(broadcast)

    async def _drain_one(self, broadcast: dict) -> None:
        await self.store.mark_started(broadcast["id"], self.clock.now())
        last_report = time.monotonic()
        while True:
            current = await self.store.broadcast(broadcast["id"])
            if current["state"] != "sending":  # cancelled while sending
                break
            batch = await self.store.pending_recipients(broadcast["id"], self.clock.now(), BATCH)
            if not batch:
                break
            for index, row in enumerate(batch):
                if broadcast["id"] in self.cancelled or (
                        index and index % CHECK_EVERY == 0
                        and (await self.store.broadcast(broadcast["id"]))["state"] != "sending"):
                    break
                await self.pacer.wait()
                # Shielded: a cancelled task never stops between Telegram's answer and the record of it.
                if await asyncio.shield(self._deliver(current, row)) == "paused":
                    break
                if self.on_progress and time.monotonic() - last_report >= self.progress_every:
                    last_report = time.monotonic()
                    await self.on_progress(current, await self.store.broadcast_counts(broadcast["id"]), False)
            if (await self.store.broadcast(broadcast["id"]))["state"] != "sending":
                break
        counts = await self.store.broadcast_counts(broadcast["id"])
        if counts["pending"] == 0:
            await self.store.finish_broadcast(broadcast["id"], "done", self.clock.now())
        final = await self.store.broadcast(broadcast["id"])
        if self.on_progress and final["state"] in ("done", "cancelled"):
            await self.on_progress(final, counts, True)

    async def _deliver(self, broadcast: dict, row: dict) -> str:
        now = self.clock.now()
        try:
            message_id = await self.send(broadcast, row["chat_id"])
        except RateLimited as exc:
            self.pacer.pause(exc.retry_after)
            log.warning("rate limited: the broadcast queue pauses %.1fs", exc.retry_after)
            return "paused"
        except Unreachable:
            await self.store.record_delivery(broadcast["id"], row["person_id"], "unreachable", now)
            return "unreachable"
        except TransientError as exc:
            if row["attempts"] + 1 >= MAX_ATTEMPTS:
                await self.store.record_delivery(broadcast["id"], row["person_id"], "failed", now)
                return "failed"
            backoff = timedelta(seconds=2 ** row["attempts"])
            log.info("send to %s failed (%s); retry in %s", row["chat_id"], exc, backoff)
            await self.store.retry_recipient(broadcast["id"], row["person_id"], now + backoff)
            return "retry"
        await self.store.record_delivery(broadcast["id"], row["person_id"], "sent", now, message_id)
        return "sent"

    async def run_forever(self, poll_seconds: float = 5.0) -> None:
        """Production: a background task that drains whenever woken or every few seconds."""
        while True:
            try:
                await self.drain()
            except Exception:  # keep the queue alive; the rows are safe in the database
                log.exception("broadcast engine round failed")
            try:
                await asyncio.wait_for(self.wake.wait(), poll_seconds)
            except TimeoutError:
                pass
            self.wake.clear()
