"""Ticket time limits follow knowledge/sla.toml, the daytime accept window and working days."""

from datetime import datetime

import pytest
from pydantic import ValidationError

from bot.sla import Deadlines, Limits
from tests.conftest import REPO, TZ

DEADLINES = Deadlines.load(REPO / "knowledge")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


def test_accept_clock_runs_only_in_daytime():
    assert DEADLINES.accept_by(at(23, 9), urgent=False) == at(23, 11)
    assert DEADLINES.accept_by(at(23, 19), urgent=False) == at(24, 9)
    assert DEADLINES.accept_by(at(23, 23), urgent=False) == at(24, 10)


def test_urgent_limits_are_plain_minutes_and_hours():
    assert DEADLINES.accept_by(at(23, 23), urgent=True) == at(23, 23, 15)
    assert DEADLINES.resolve_by(at(23, 23), "grid", urgent=True) == at(24, 1)


def test_resolve_in_working_days_by_label():
    friday = at(27, 10)
    assert DEADLINES.resolve_by(friday, "property", urgent=False) == datetime(2026, 12, 2, 10, tzinfo=TZ)
    assert DEADLINES.resolve_by(friday, "service", urgent=False) == datetime(2026, 12, 4, 10, tzinfo=TZ)


def test_national_day_is_not_a_working_day():
    assert DEADLINES.resolve_by(datetime(2026, 9, 30, 10, tzinfo=TZ), "grid", urgent=False) == \
        datetime(2026, 10, 10, 10, tzinfo=TZ)  # 10-01..07 off; 10-08, 10-09 and Saturday 10-10 (调休) count


def test_bad_limits_are_refused():
    with pytest.raises(ValidationError):
        Limits.model_validate({"accept_hours": -1})
    with pytest.raises(ValidationError):
        Limits.model_validate({"unknown": 1})
