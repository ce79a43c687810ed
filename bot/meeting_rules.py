"""Recurring community meetings: the rules staff write, the days they fall on, and .ics export.

Rules live in ``knowledge/meetings.toml`` (one ``[[meeting]]`` block each) so staff can change a
time or a room without a release. The grid tripartite meeting is "the 15th of every month", Red
Sunday is "the first Sunday", and so on (see DOMAIN.md, "Recurring meetings"). A rule may move off
a weekend or public holiday to the next working day, using the State Council calendar with its
make-up working days (调休) as ``WorkCalendar`` knows it.

Nothing here reads the clock, talks to Telegram or touches the database: callers pass the dates.
"""

from __future__ import annotations

import calendar as _monthcal
import re
import tomllib
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.models import Role
from bot.workdays import WorkCalendar

DEFAULT_PATH = Path(__file__).resolve().parents[1] / "knowledge" / "meetings.toml"
PRODID = "-//shuoshi//说事//ZH"
ICS_TZID = "Asia/Shanghai"
WEEKDAY_NAMES = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六", 7: "日"}
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
_RULE_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class MeetingRulesError(ValueError):
    """The meetings file is unusable; the message names the file, the rule and the field."""


def _parse_clock(value: object) -> time:
    """Accept "HH:MM" (or a TOML time literal); pydantic's lax mode would read 54000 as 15:00."""
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise ValueError("时间不要带时区，按社区当地时间写，例如 \"19:30\"")
        return value
    if isinstance(value, str):
        match = _CLOCK.match(value.strip())
        if match and int(match[1]) < 24 and int(match[2]) < 60:
            return time(int(match[1]), int(match[2]))
    raise ValueError(f"时间 {value!r} 无效，应写成 \"HH:MM\"，例如 \"15:00\"")


def _parse_role(value: object) -> str:
    """English role names, or the Chinese titles staff use in the roster (楼长, 网格长 …)."""
    if not isinstance(value, str):
        raise ValueError(f"角色 {value!r} 无效")
    try:
        return Role.parse(value).value
    except ValueError:
        names = "、".join(role.value for role in Role)
        raise ValueError(f"未知角色 {value!r}，可用：{names}（也可写中文，如 网格长、楼栋长）") from None


Clock = Annotated[time, BeforeValidator(_parse_clock)]
RoleName = Annotated[str, BeforeValidator(_parse_role)]


class Recurrence(BaseModel):
    """Which days a rule falls on; exactly one of the three kinds is set."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    day_of_month: int | None = None
    """Every month on this day, 1..28 (29..31 do not exist in every month, so they are refused)."""
    nth_weekday: tuple[int, int] | None = None
    """(n, ISO weekday): n = 1..5 counts from the start of the month, -1 is the last one.
    A month without a 5th such weekday has no meeting that month."""
    weekly: int | None = None
    """Every week on this ISO weekday (1 = Monday … 7 = Sunday)."""

    @field_validator("day_of_month")
    @classmethod
    def _day(cls, value: int | None) -> int | None:
        if value is not None and not 1 <= value <= 28:
            if 29 <= value <= 31:
                raise ValueError(
                    f"{value} 日不是每个月都有（例如 2 月），只能写 1 到 28；"
                    "月末开会请改用 nth_weekday = [-1, 星期几]（每月最后一个星期几）"
                )
            raise ValueError(f"{value} 无效，每月几号只能写 1 到 28")
        return value

    @field_validator("nth_weekday")
    @classmethod
    def _nth(cls, value: tuple[int, int] | None) -> tuple[int, int] | None:
        if value is not None:
            n, weekday = value
            if n not in (1, 2, 3, 4, 5, -1):
                raise ValueError(f"第 {n} 个无效：第几个只能写 1 到 5，或 -1 表示最后一个")
            if not 1 <= weekday <= 7:
                raise ValueError(f"星期 {weekday} 无效：1 表示周一 … 7 表示周日")
        return value

    @field_validator("weekly")
    @classmethod
    def _weekly(cls, value: int | None) -> int | None:
        if value is not None and not 1 <= value <= 7:
            raise ValueError(f"星期 {value} 无效：1 表示周一 … 7 表示周日")
        return value

    @model_validator(mode="after")
    def _exactly_one(self) -> Recurrence:
        kinds = [name for name in ("day_of_month", "nth_weekday", "weekly") if getattr(self, name) is not None]
        if len(kinds) != 1:
            found = "、".join(kinds) if kinds else "一个也没有"
            raise ValueError(f"day_of_month、nth_weekday、weekly 必须且只能写一个（现在：{found}）")
        return self

    def describe(self) -> str:
        """Chinese wording for menus: 每月15日 / 每月第三个星期三 / 每周二."""
        if self.day_of_month is not None:
            return f"每月{self.day_of_month}日"
        if self.nth_weekday is not None:
            n, weekday = self.nth_weekday
            which = "最后一个" if n == -1 else f"第{'一二三四五'[n - 1]}个"
            return f"每月{which}星期{WEEKDAY_NAMES[weekday]}"
        return f"每周{WEEKDAY_NAMES[self.weekly]}"  # type: ignore[index]

    def days(self, start: date, end: date) -> list[date]:
        """Every day this recurrence names with start <= day <= end, in order."""
        if start > end:
            return []
        if self.weekly is not None:
            first = start + timedelta(days=(self.weekly - start.isoweekday()) % 7)
            return [first + timedelta(weeks=k) for k in range((end - first).days // 7 + 1)] if first <= end else []
        found: list[date] = []
        year, month = start.year, start.month
        while (year, month) <= (end.year, end.month):
            day = self._day_in(year, month)
            if day is not None and start <= day <= end:
                found.append(day)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return found

    def _day_in(self, year: int, month: int) -> date | None:
        if self.day_of_month is not None:
            return date(year, month, self.day_of_month)
        n, weekday = self.nth_weekday  # type: ignore[misc]
        length = _monthcal.monthrange(year, month)[1]
        if n == -1:
            last = date(year, month, length)
            return last - timedelta(days=(last.isoweekday() - weekday) % 7)
        first = date(year, month, 1)
        day = 1 + (weekday - first.isoweekday()) % 7 + 7 * (n - 1)
        return date(year, month, day) if day <= length else None


class MeetingRule(BaseModel):
    """One ``[[meeting]]`` block of knowledge/meetings.toml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title: str = Field(min_length=1)
    recurrence: Recurrence
    time: Clock
    duration_minutes: int = Field(gt=0, le=24 * 60)
    place: str = Field(min_length=1)
    per: Literal["grid", "compound", "community"]
    audience: tuple[RoleName, ...] = Field(min_length=1)
    organiser: RoleName
    open_to_residents: bool = False
    on_holiday: Literal["keep", "next_working_day"] = "keep"
    agenda: Literal["none", "grid_tickets"] = "none"
    paused: bool = False

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _RULE_ID.match(value):
            raise ValueError(f"{value!r} 无效：只能用小写英文字母、数字和下划线，并以字母开头，例如 grid_tripartite")
        return value

    @field_validator("title", "place")
    @classmethod
    def _strip(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("不能为空")
        return value.strip()

    @field_validator("audience")
    @classmethod
    def _no_repeats(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        repeated = sorted({role for role in value if value.count(role) > 1})
        if repeated:
            raise ValueError(f"角色 {repeated[0]} 写了两次")
        return value


def load_rules(path: Path | None = None) -> list[MeetingRule]:
    """Read and validate the meetings file; every problem is reported, each naming rule and field."""
    path = path or DEFAULT_PATH
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MeetingRulesError(f"{path}: 找不到会议规则文件") from None
    except tomllib.TOMLDecodeError as exc:
        raise MeetingRulesError(f"{path}: TOML 格式错误：{exc}") from None
    unknown = sorted(set(data) - {"meeting"})
    if unknown:
        raise MeetingRulesError(f"{path}: 未知的顶层字段 {unknown[0]}，每个会议应写在 [[meeting]] 下")
    blocks = data.get("meeting", [])
    if not isinstance(blocks, list):
        raise MeetingRulesError(f"{path}: meeting 应写成 [[meeting]]（可以有多个）")

    rules: list[MeetingRule] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(blocks):
        name = _rule_name(raw, index)
        try:
            rule = MeetingRule.model_validate(raw)
        except ValidationError as exc:
            problems.extend(f"{name}: {_describe(error)}" for error in exc.errors())
            continue
        if rule.id in seen:
            problems.append(f"{name}: id: {rule.id} 重复（第{seen[rule.id] + 1}个会议已经用了这个 id）")
            continue
        seen[rule.id] = index
        rules.append(rule)
    if problems:
        raise MeetingRulesError(f"{path}:\n" + "\n".join(f"  {line}" for line in problems))
    return rules


def _rule_name(raw: Any, index: int) -> str:
    rule_id = raw.get("id") if isinstance(raw, dict) else None
    return f"会议 {rule_id}（第{index + 1}个）" if isinstance(rule_id, str) and rule_id else f"第{index + 1}个会议"


def _describe(error: Any) -> str:
    """``recurrence.day_of_month: …`` — the field as staff wrote it, the message in Chinese."""
    where = ""
    for part in error["loc"]:
        if isinstance(part, int):
            where += f" 第{part + 1}项"
        elif not part.startswith("function-"):  # pydantic's name for an Annotated validator
            where += f".{part}" if where else part
    kind = error["type"]
    message = error["msg"].removeprefix("Value error, ")
    if kind == "extra_forbidden":
        message = "未知的字段（拼写错误？）"
    elif kind == "missing":
        message = "缺少这个字段"
    elif kind == "literal_error":
        message = f"只能写 {error['ctx']['expected'].replace(' or ', ' 或 ')}"
    elif kind in ("greater_than", "less_than_equal"):
        message = "分钟数应在 1 到 1440 之间"
    return f"{where}: {message}" if where else message


def occurrences(
    rule: MeetingRule,
    start: date,
    end: date,
    calendar: WorkCalendar,
    tz: ZoneInfo,
) -> list[tuple[date, datetime]]:
    """(scheduled day, actual local start) for each day the rule names, start <= day <= end.

    With ``on_holiday = "next_working_day"`` a day that is not a working day (weekend or public
    holiday; a 调休 Saturday counts as working) moves to the next working day, so the actual
    start may fall after ``end``. ``keep`` never moves. A paused rule has no occurrences.
    """
    if rule.paused:
        return []
    found: list[tuple[date, datetime]] = []
    for day in rule.recurrence.days(start, end):
        actual = day
        if rule.on_holiday == "next_working_day" and not calendar.is_working_day(day):
            actual = calendar.next_working_day(day)
        found.append((day, datetime.combine(actual, rule.time, tzinfo=tz)))
    return found


def ics_calendar(events: Iterable[dict]) -> bytes:
    """An iCalendar file with one VEVENT per event, times written in Asia/Shanghai with a VTIMEZONE.

    Each event: ``uid``, ``title``, ``start`` (aware datetime), ``minutes``, and optionally ``place``,
    ``description`` and ``stamp`` (aware datetime for DTSTAMP; defaults to ``start``, since this
    module never reads the clock and RFC 5545 requires a DTSTAMP).
    """
    import icalendar

    local = ZoneInfo(ICS_TZID)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    first: date | None = None
    last: date | None = None
    for event in events:
        start = event["start"]
        if not isinstance(start, datetime) or start.tzinfo is None or start.utcoffset() is None:
            raise ValueError(f"event {event.get('uid')!r}: start must be an aware datetime")
        minutes = int(event["minutes"])
        if minutes <= 0:
            raise ValueError(f"event {event.get('uid')!r}: minutes must be positive")
        start = start.astimezone(local)
        finish = start + timedelta(minutes=minutes)
        stamp = event.get("stamp") or start
        vevent = icalendar.Event()
        vevent.add("uid", str(event["uid"]))
        vevent.add("dtstamp", stamp.astimezone(ZoneInfo("UTC")))
        vevent.add("dtstart", start)
        vevent.add("dtend", finish)
        vevent.add("summary", str(event["title"]))
        if event.get("place"):
            vevent.add("location", str(event["place"]))
        if event.get("description"):
            vevent.add("description", str(event["description"]))
        cal.add_component(vevent)
        first = min(first, start.date()) if first else start.date()
        last = max(last, finish.date()) if last else finish.date()
    if first is not None and last is not None:
        cal.add_missing_timezones(first_date=date(first.year, 1, 1), last_date=date(last.year + 1, 1, 1))
    return cal.to_ical()
