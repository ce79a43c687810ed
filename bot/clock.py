"""The one source of "now".

Everything that needs the time takes a clock, so tests and the console can move time forward and
see deadlines and reminders fall due exactly as they would in production.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo


class Clock:
    """Wall-clock time in the community's zone."""

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz

    def now(self) -> datetime:
        return datetime.now(self.tz)


class ManualClock(Clock):
    """A clock that only moves when told to (tests and the console)."""

    def __init__(self, tz: ZoneInfo, start: datetime | None = None) -> None:
        super().__init__(tz)
        self._now = (start or datetime.now(tz)).astimezone(tz)

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        """Move to ``moment``; time never runs backwards, or deadlines would fire twice."""
        moment = moment.astimezone(self.tz)
        if moment < self._now:
            raise ValueError(f"时间只能向前调整（现在是 {self._now:%Y-%m-%d %H:%M}）")
        self._now = moment

    def advance(self, delta: timedelta) -> None:
        self.set(self._now + delta)
