"""Ticket time limits ("接诉即办"): when an assignee must accept, resolve, and be reminded.

Limits are staff-editable in ``knowledge/sla.toml``. Ordinary tickets count the accept clock only
inside the daytime window (volunteers are not expected to answer at 3 a.m.) and resolution in
working days of the Chinese calendar; urgent tickets count plain minutes and hours.
"""

from __future__ import annotations

import tomllib
from datetime import datetime, time, timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.models import Ticket
from bot.workdays import WorkCalendar


class UrgentLimits(BaseModel):
    model_config = ConfigDict(extra="forbid")
    accept_minutes: int = Field(15, gt=0)
    resolve_hours: float = Field(2, gt=0)
    accept_reminder_minutes: int = Field(5, ge=0)
    resolve_reminder_minutes: int = Field(30, ge=0)


class Limits(BaseModel):
    """The contents of ``knowledge/sla.toml``."""

    model_config = ConfigDict(extra="forbid")
    accept_hours: float = Field(2, gt=0)
    accept_window: tuple[time, time] = (time(8), time(20))
    accept_reminder_minutes: int = Field(30, ge=0)
    resolve_reminder_hours: float = Field(4, ge=0)
    rating_days: int = Field(3, gt=0)
    resolve_days: dict[str, int] = Field(default_factory=lambda: {"property": 3, "grid": 3, "service": 5})
    urgent: UrgentLimits = Field(default_factory=UrgentLimits)

    @field_validator("accept_window", mode="before")
    @classmethod
    def _clock_times(cls, value: object) -> object:
        if isinstance(value, list | tuple) and all(isinstance(part, str) for part in value):
            return tuple(time.fromisoformat(part) for part in value)
        return value


# A resident is reminded of a booked service this long before it (on the day, in time to set out).
APPOINTMENT_REMINDER = timedelta(hours=2)


class Deadlines:
    """Computes the deadlines and the next due moment of a ticket."""

    def __init__(self, limits: Limits, calendar: WorkCalendar) -> None:
        self.limits = limits
        self.calendar = calendar

    @classmethod
    def load(cls, knowledge_dir: Path) -> "Deadlines":
        path = knowledge_dir / "sla.toml"
        limits = Limits.model_validate(tomllib.loads(path.read_text(encoding="utf-8"))) if path.exists() else Limits()
        return cls(limits, WorkCalendar.load(knowledge_dir / "holidays.toml"))

    def accept_by(self, start: datetime, urgent: bool) -> datetime:
        if urgent:
            return start + timedelta(minutes=self.limits.urgent.accept_minutes)
        return self.calendar.add_window_hours(start, timedelta(hours=self.limits.accept_hours),
                                              self.limits.accept_window)

    def resolve_by(self, start: datetime, label: str, urgent: bool) -> datetime:
        if urgent:
            return start + timedelta(hours=self.limits.urgent.resolve_hours)
        return self.calendar.add_working_days(start, self.limits.resolve_days.get(label, 3))

    def rate_by(self, resolved_at: datetime) -> datetime:
        return resolved_at + timedelta(days=self.limits.rating_days)

    def reminder_leads(self, urgent: bool) -> tuple[timedelta, timedelta]:
        if urgent:
            return (timedelta(minutes=self.limits.urgent.accept_reminder_minutes),
                    timedelta(minutes=self.limits.urgent.resolve_reminder_minutes))
        return timedelta(minutes=self.limits.accept_reminder_minutes), timedelta(hours=self.limits.resolve_reminder_hours)

    def next_due(self, ticket: Ticket) -> datetime | None:
        """The earliest moment something must happen to this ticket: a reminder, a breach, auto-close."""
        accept_lead, resolve_lead = self.reminder_leads(ticket.urgent)
        moments = []
        if ticket.accept_due:
            moments.append(ticket.accept_due if ticket.accept_reminded else ticket.accept_due - accept_lead)
        if ticket.resolve_due:
            moments.append(ticket.resolve_due if ticket.resolve_reminded else ticket.resolve_due - resolve_lead)
        if ticket.rate_due:
            moments.append(ticket.rate_due)
        if ticket.appointment_at and not ticket.appointment_reminded and ticket.active:
            moments.append(ticket.appointment_at - APPOINTMENT_REMINDER)
        return min(moments, default=None)
