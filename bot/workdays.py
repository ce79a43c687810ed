"""Working days and windowed clocks for service deadlines.

Community SLAs are written in the State Council's calendar ("resolve within 3 working days"), where
a Saturday can be a make-up working day (调休) and a Thursday a holiday. chinesecalendar knows that
calendar only for the years it ships, and the next year's notice usually appears in November, so
staff can fill the gap in ``knowledge/holidays.toml`` without waiting for a library release; until
they do, an unknown year degrades to plain weekends rather than stopping the bot.

Nothing here reads the clock: callers pass the moments, so tests and the console can replay time.
"""

from __future__ import annotations

import logging
import re
import tomllib
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated

import chinese_calendar
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

log = logging.getLogger(__name__)

DEFAULT_PATH = Path(__file__).resolve().parents[1] / "knowledge" / "holidays.toml"
WORKDAY_START = time(9)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class HolidayFileError(ValueError):
    """The override file is unusable; the message names the file and the offending entry."""


def _parse_day(value: object) -> date:
    """Accept only YYYY-MM-DD, since pydantic's lax mode would read 20270101 as a Unix timestamp."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"日期 {value!r} 无效，应写成 \"YYYY-MM-DD\"，例如 \"2027-01-01\"")


Day = Annotated[date, BeforeValidator(_parse_day)]


class YearOverride(BaseModel):
    """One ``[[year]]`` block: the days of one year that differ from the plain weekend rule."""

    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=2000, le=2100)
    holidays: list[Day] = Field(default_factory=list)
    workdays: list[Day] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> YearOverride:
        """A date under the wrong year or on both lists is a typo; guessing would hide it."""
        for day in [*self.holidays, *self.workdays]:
            if day.year != self.year:
                raise ValueError(f"{day.isoformat()} 不属于 {self.year} 年，请放到对应年份下")
        both = sorted(set(self.holidays) & set(self.workdays))
        if both:
            raise ValueError(f"{both[0].isoformat()} 同时列为放假日和调休上班日，只能选一个")
        return self


class HolidayOverrides(BaseModel):
    """The whole override file; years are kept apart so one year's block reads like its notice."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    years: list[YearOverride] = Field(default_factory=list, alias="year")

    @model_validator(mode="after")
    def _one_block_per_year(self) -> HolidayOverrides:
        seen: set[int] = set()
        for block in self.years:
            if block.year in seen:
                raise ValueError(f"{block.year} 年出现了两次，请合并成一个 [[year]]")
            seen.add(block.year)
        return self

    @classmethod
    def from_file(cls, path: Path) -> HolidayOverrides:
        """Parse and validate, reporting problems in words staff can act on (no tracebacks)."""
        try:
            return cls.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
        except tomllib.TOMLDecodeError as exc:
            raise HolidayFileError(f"{path}: TOML 格式错误：{exc}") from None
        except ValidationError as exc:
            raise HolidayFileError(f"{path}: {_describe(exc)}") from None

    def covered_years(self) -> set[int]:
        return {block.year for block in self.years}

    def lookup(self) -> dict[date, bool]:
        """Flatten to date → is-working-day, the only shape the calendar needs."""
        table: dict[date, bool] = {}
        for block in self.years:
            table.update(dict.fromkeys(block.holidays, False))
            table.update(dict.fromkeys(block.workdays, True))
        return table


def _describe(exc: ValidationError) -> str:
    """First problem only, located the way staff count: the 2nd [[year]], the 3rd date."""
    error = exc.errors()[0]
    where = " ".join(f"第{part + 1}项" if isinstance(part, int) else part for part in error["loc"])
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "未知的字段，只能写 year、holidays、workdays"
    return f"{where}: {message}" if where else message


class WorkCalendar:
    """Answers "is this a working day": override file, then chinesecalendar, then weekends."""

    def __init__(self, overrides: HolidayOverrides | None = None) -> None:
        overrides = HolidayOverrides() if overrides is None else overrides
        self._overrides = overrides.lookup()
        self._covered_years = overrides.covered_years()
        self._cache: dict[date, bool] = {}
        self._warned_years: set[int] = set()

    @classmethod
    def load(cls, path: Path | None = None) -> WorkCalendar:
        """A missing file is normal (the library may know every year we need): no overrides."""
        path = path or DEFAULT_PATH
        if not path.exists():
            return cls()
        return cls(HolidayOverrides.from_file(path))

    def is_working_day(self, day: date) -> bool:
        if isinstance(day, datetime):
            raise TypeError("pass the local date, not a datetime: the day depends on the time zone")
        cached = self._cache.get(day)
        if cached is None:
            cached = self._cache[day] = self._decide(day)
        return cached

    def _decide(self, day: date) -> bool:
        if day in self._overrides:
            return self._overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            self._warn_unknown_year(day.year)
            return day.weekday() < 5

    def _warn_unknown_year(self, year: int) -> None:
        """Once per year: a warning per call would flood the log from the deadline loop.

        A year with a block in the override file is taken as filled in by staff, so it stays quiet.
        """
        if year in self._warned_years or year in self._covered_years:
            return
        self._warned_years.add(year)
        log.warning(
            "chinesecalendar 没有 %d 年的节假日数据，暂按周一至周五上班计算；"
            "工作人员可在 knowledge/holidays.toml 中添加 %d 年的放假和调休安排",
            year,
            year,
        )

    def is_public_holiday(self, day: date) -> bool:
        """A statutory holiday (国庆, 春节 …), not an ordinary weekend: stations keep holiday hours then."""
        if day in self._overrides:
            return not self._overrides[day]
        try:
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:
            self._warn_unknown_year(day.year)
            return False
        return on_holiday and name is not None

    def next_working_day(self, day: date) -> date:
        return self.working_day_on_or_after(day + timedelta(days=1))

    def working_day_on_or_after(self, day: date) -> date:
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """Deadline for "within ``days`` working days" of ``start``.

        The deadline is at the same local time of day, ``days`` working days later, so a report
        made on Tuesday 15:00 with 1 working day is due Wednesday 15:00 (or the next working day
        after a holiday). A report made on a non-working day has not yet been seen by anyone, so
        its clock starts at 09:00 on the first working day: Saturday 22:00 + 1 → Tuesday 09:00
        in an ordinary week. Day boundaries are those of ``start``'s own tzinfo, which is kept.
        """
        if days < 0:
            raise ValueError("days must not be negative")
        if not self.is_working_day(start.date()):
            first = self.working_day_on_or_after(start.date())
            start = _at(start, first, WORKDAY_START)
        day = start.date()
        for _ in range(days):
            day = self.next_working_day(day)
        return _at(start, day, start.time())

    def add_window_hours(
        self,
        start: datetime,
        duration: timedelta,
        window: tuple[time, time] = (time(8), time(20)),
    ) -> datetime:
        """End of ``duration`` on a clock that only runs inside ``window``, on every calendar day.

        Used for "accept within 2 hours, counted 08:00–20:00": 19:00 + 2h → 09:00 the next day,
        23:00 + 2h → 10:00. A duration that ends exactly at closing time ends at closing time, not
        at the next opening. Works in ``start``'s wall time and keeps its tzinfo.
        """
        opens, closes = window
        if not opens < closes:
            raise ValueError("window must open before it closes on the same day")
        if duration < timedelta(0):
            raise ValueError("duration must not be negative")
        moment = start.replace(tzinfo=None)
        remaining = duration
        while True:
            moment = max(moment, datetime.combine(moment.date(), opens))
            available = datetime.combine(moment.date(), closes) - moment
            if remaining <= available:
                return (moment + remaining).replace(tzinfo=start.tzinfo)
            remaining -= max(available, timedelta(0))
            moment = datetime.combine(moment.date() + timedelta(days=1), opens)


def _at(template: datetime, day: date, clock: time) -> datetime:
    """``day`` at ``clock`` in ``template``'s time zone, keeping the zone rather than converting."""
    return datetime.combine(day, clock, tzinfo=template.tzinfo)
