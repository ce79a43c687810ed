"""The service stations (红帆驿站), their hours, the scheduled services and the services one can order.

Read from ``knowledge/stations.toml`` so staff change hours without code. Everything that depends on
"now" takes the moment as an argument: the same question asked on a Wednesday afternoon and on a
public holiday gets different, correct answers.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.workdays import WorkCalendar

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "knowledge" / "stations.toml"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
GENERAL_SERVICE = "general"
# Walking: streets are not straight lines, and many askers are elderly.
DETOUR = 1.3
METRES_PER_MINUTE = 70
SEARCH_DAYS = 21
_RANGE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")

Hours = tuple[tuple[time, time], ...]


class StationsFileError(ValueError):
    """The stations file is wrong; the message names the entry and field, for staff."""


def parse_hours(text: str) -> Hours:
    """ "08:30-12:00,13:30-17:30" → two ranges; "closed" → none."""
    text = text.strip().replace("：", ":").replace("，", ",")
    if text in ("closed", "休息", "不开放", ""):
        return ()
    ranges = []
    for part in text.split(","):
        match = _RANGE.match(part.strip())
        if not match:
            raise ValueError(f"时间段“{part}”看不懂，应写成 08:30-17:30")
        h1, m1, h2, m2 = map(int, match.groups())
        opens, closes = time(h1, m1), time(h2, m2)
        if not opens < closes:
            raise ValueError(f"时间段“{part}”开始要早于结束")
        ranges.append((opens, closes))
    return tuple(sorted(ranges))


def format_hours(hours: Hours) -> str:
    return "、".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in hours) if hours else "不开放"


class Station(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    community: str
    kind: str = Field(default="station", pattern="^(station|centre)$")
    address: str
    phone: str = ""
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    hours: dict[str, Hours]
    holiday: Hours | None = None
    common: tuple[str, ...] = ()
    personal: tuple[str, ...] = ()

    @field_validator("hours", mode="before")
    @classmethod
    def _weekly(cls, value: dict) -> dict[str, Hours]:
        unknown = set(value) - set(WEEKDAYS)
        if unknown:
            raise ValueError(f"不认识的星期“{'、'.join(sorted(unknown))}”，只能写 {' '.join(WEEKDAYS)}")
        return {day: parse_hours(value.get(day, "closed")) for day in WEEKDAYS}

    @field_validator("holiday", mode="before")
    @classmethod
    def _holiday(cls, value: str | None) -> Hours | None:
        return None if value is None else parse_hours(value)

    def hours_on(self, day: date, calendar: WorkCalendar) -> Hours:
        """Holiday hours on a public holiday; a make-up working day (调休) on a weekend keeps Monday's."""
        if self.holiday is not None and calendar.is_public_holiday(day):
            return self.holiday
        if day.weekday() >= 5 and calendar.is_working_day(day):
            return self.hours["mon"]
        return self.hours[WEEKDAYS[day.weekday()]]


class Schedule(BaseModel):
    """A service offered at a fixed weekly time somewhere (律师值班 every Wednesday afternoon)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    station: str
    weekdays: tuple[int, ...] = Field(min_length=1)
    nth: tuple[int, ...] = ()
    time: Hours
    who: str = ""

    @field_validator("weekdays")
    @classmethod
    def _weekdays(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(not 1 <= day <= 7 for day in value):
            raise ValueError("星期只能写 1（周一）到 7（周日）")
        return value

    @field_validator("nth")
    @classmethod
    def _nth(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(not 1 <= n <= 5 for n in value):
            raise ValueError("nth 只能写 1 到 5（当月第几个）")
        return value

    @field_validator("time", mode="before")
    @classmethod
    def _time(cls, value: str) -> Hours:
        hours = parse_hours(value)
        if len(hours) != 1:
            raise ValueError("time 只能写一个时间段，例如 14:00-17:00")
        return hours

    def happens_on(self, day: date) -> bool:
        if day.isoweekday() not in self.weekdays:
            return False
        return not self.nth or (day.day - 1) // 7 + 1 in self.nth


class ServiceType(BaseModel):
    """A service residents order; ``partner`` is the roster name of the partner unit's contact."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    categories: tuple[str, ...] = ()
    partner: str | None = None
    schedule: str | None = None
    place: str | None = None


@dataclass(frozen=True)
class Slot:
    """One occurrence of a scheduled service."""

    schedule: Schedule
    station: Station
    starts: datetime
    ends: datetime


@dataclass(frozen=True)
class Nearby:
    station: Station
    metres: int
    minutes: int
    open_now: bool
    next_open: datetime | None


class Catalogue(BaseModel):
    """The whole file, cross-checked: every schedule's station and every service's schedule exist."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    stations: tuple[Station, ...] = Field(alias="station", min_length=1)
    schedules: tuple[Schedule, ...] = Field(default=(), alias="schedule")
    services: tuple[ServiceType, ...] = Field(alias="service", min_length=1)

    @model_validator(mode="after")
    def _references(self) -> Catalogue:
        for kind, items in (("station", self.stations), ("schedule", self.schedules), ("service", self.services)):
            ids = [item.id for item in items]
            duplicate = next((i for i in ids if ids.count(i) > 1), None)
            if duplicate:
                raise ValueError(f"[[{kind}]] id “{duplicate}” 重复了")
        stations = {s.id for s in self.stations}
        schedules = {s.id for s in self.schedules}
        for schedule in self.schedules:
            if schedule.station not in stations:
                raise ValueError(f"[[schedule]] {schedule.id}: 没有 id 为“{schedule.station}”的驿站")
        seen: dict[str, str] = {}
        for service in self.services:
            if service.schedule and service.schedule not in schedules:
                raise ValueError(f"[[service]] {service.id}: 没有 id 为“{service.schedule}”的定时服务")
            if service.place and service.place not in stations:
                raise ValueError(f"[[service]] {service.id}: 没有 id 为“{service.place}”的驿站")
            for category in service.categories:
                if category in seen:
                    raise ValueError(f"小类 {category} 同时属于服务 {seen[category]} 和 {service.id}")
                seen[category] = service.id
        if GENERAL_SERVICE not in {s.id for s in self.services}:
            raise ValueError(f"必须有一个 id 为“{GENERAL_SERVICE}”的 [[service]]（其他服务）")
        return self

    @classmethod
    def load(cls, path: Path | None = None) -> Catalogue:
        path = path or DEFAULT_PATH
        try:
            return cls.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
        except tomllib.TOMLDecodeError as exc:
            raise StationsFileError(f"{path}: TOML 格式错误：{exc}") from None
        except ValidationError as exc:
            error = exc.errors()[0]
            where = " ".join(str(part + 1) if isinstance(part, int) else str(part) for part in error["loc"])
            raise StationsFileError(f"{path}: {where}: {error['msg'].removeprefix('Value error, ')}") from None

    # -- lookups --------------------------------------------------------------------------------

    def station(self, station_id: str) -> Station:
        return next(s for s in self.stations if s.id == station_id)

    def schedule(self, schedule_id: str) -> Schedule | None:
        return next((s for s in self.schedules if s.id == schedule_id), None)

    def service(self, service_id: str | None) -> ServiceType | None:
        return next((s for s in self.services if s.id == service_id), None)

    def service_for(self, subcategory: str | None) -> ServiceType:
        """The orderable service a classifier subcategory belongs to; anything else is 其他服务."""
        found = next((s for s in self.services if subcategory in s.categories), None)
        return found or self.service(GENERAL_SERVICE)

    def in_community(self, community: str | None) -> tuple[Station, ...]:
        """A resident's own community's stations; all of them when the community has none listed."""
        own = tuple(s for s in self.stations if s.community == community)
        return own or self.stations

    # -- time -----------------------------------------------------------------------------------

    @staticmethod
    def is_open(station: Station, moment: datetime, calendar: WorkCalendar) -> bool:
        now = moment.time()
        return any(a <= now < b for a, b in station.hours_on(moment.date(), calendar))

    @staticmethod
    def next_opening(station: Station, moment: datetime, calendar: WorkCalendar) -> datetime | None:
        """When it next opens after ``moment`` (None when closed for the next three weeks)."""
        for offset in range(SEARCH_DAYS):
            day = moment.date() + timedelta(days=offset)
            for opens, _ in station.hours_on(day, calendar):
                start = datetime.combine(day, opens, tzinfo=moment.tzinfo)
                if start > moment:
                    return start
        return None

    def slots(self, schedule_id: str, after: datetime, calendar: WorkCalendar, count: int = 3) -> list[Slot]:
        """The next occurrences that have not ended, skipping those the station is not open for (holidays)."""
        schedule = self.schedule(schedule_id)
        if schedule is None:
            return []
        station = self.station(schedule.station)
        (opens, closes), = schedule.time
        found: list[Slot] = []
        for offset in range(7 * 10):
            day = after.date() + timedelta(days=offset)
            open_hours = station.hours_on(day, calendar)
            if not schedule.happens_on(day) or not any(a <= opens and closes <= b for a, b in open_hours):
                continue  # the station is closed then (a holiday, say): no lawyer either
            ends = datetime.combine(day, closes, tzinfo=after.tzinfo)
            if ends > after:
                found.append(Slot(schedule, station, datetime.combine(day, opens, tzinfo=after.tzinfo), ends))
                if len(found) == count:
                    break
        return found

    # -- place ----------------------------------------------------------------------------------

    def nearest(self, lat: float, lon: float, moment: datetime, calendar: WorkCalendar,
                community: str | None = None) -> list[Nearby]:
        """Every station by walking distance; the caller shows the nearest open one first."""
        found = []
        for station in self.stations if community is None else self.in_community(community):
            metres = round(walking_metres(lat, lon, station.lat, station.lon))
            found.append(Nearby(station, metres, max(1, math.ceil(metres / METRES_PER_MINUTE)),
                                self.is_open(station, moment, calendar),
                                self.next_opening(station, moment, calendar)))
        found.sort(key=lambda near: near.metres)
        return found


def walking_metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance times a detour factor: a fair guess of the walk without a street map."""
    radius = 6_371_000
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(a)) * DETOUR
