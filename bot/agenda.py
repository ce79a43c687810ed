"""Work that falls due at a moment: deadlines, reminders, scheduled sends.

Each kind of due work keeps its schedule in the database and answers two questions: when is the
next thing due, and do everything due by now. Production asks every few seconds (a JobQueue tick);
the console and tests step a manual clock from one due moment to the next, so everything happens
in the order and at the time it would in real life.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Protocol

from bot.clock import ManualClock

log = logging.getLogger(__name__)


class DueWork(Protocol):
    async def next_due(self) -> datetime | None: ...

    async def run_due(self, now: datetime) -> None: ...


class Agenda:
    """All kinds of due work, run together."""

    def __init__(self) -> None:
        self._work: list[DueWork] = []

    def add(self, work: DueWork) -> None:
        self._work.append(work)

    async def run_due(self, now: datetime) -> None:
        for work in self._work:
            await work.run_due(now)

    async def next_due(self) -> datetime | None:
        moments = [moment for work in self._work if (moment := await work.next_due()) is not None]
        return min(moments, default=None)

    async def advance_to(self, clock: ManualClock, target: datetime,
                         after_step: Callable[[datetime], Awaitable[None]] | None = None) -> None:
        """Move ``clock`` to ``target``, stopping at each due moment on the way to do its work.

        ``after_step`` runs after each moment's work (the console prints what was sent, with the time).
        """
        await self.run_due(clock.now())
        while (due := await self.next_due()) is not None and due <= target:
            if due <= clock.now():  # still due after running: stop rather than spin
                log.error("due work at %s did not move on; stopping the advance", due)
                break
            clock.set(due)
            await self.run_due(clock.now())
            if after_step:
                await after_step(clock.now())
        clock.set(target)
        await self.run_due(clock.now())
