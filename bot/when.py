"""Times as people type them and as they are read back to them.

Typed: "明天下午3点 幸福里5号楼", "周四 10:00 上门", "12月2日 14:30 驿站", "11-25 09:00". The date and the time are
taken out first, and what is left is the place, so a building number in the place ("5号楼") is never read
as part of the time. Read back: 14:30 on tomorrow's date is "明天周四 下午2点半", as one would say it aloud
to an elderly neighbour.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from bot.normalize import cn_to_int
from bot.stations import WEEKDAY_NAMES

_NUMBER = r"(\d{1,2}|[零〇一二两三四五六七八九十]{1,3})"
_RELATIVE = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2}
_WEEKDAY = re.compile(r"(下个?)?(?:周|星期|礼拜)([一二三四五六日天1-7])")
_WEEKDAY_NUMBERS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6,
                    **{str(n): n - 1 for n in range(1, 8)}}
_DATE = re.compile(r"(?:(\d{4})[-/年])?(\d{1,2})[-/月](\d{1,2})[日号]?")
_CLOCK = re.compile(r"(\d{1,2})[:：](\d{2})")
_SPOKEN = re.compile(_NUMBER + r"点(?:(半)|" + _NUMBER + r"分?)?")
_PART = re.compile(r"凌晨|早上|早晨|上午|中午|下午|傍晚|晚上")
_AFTERNOON = ("下午", "傍晚", "晚上")


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() else cn_to_int(text)


def parse_appointment(text: str, now: datetime, max_days: int = 60) -> tuple[datetime, str] | None:
    """(moment, place) for a time in the future within ``max_days``; None when no time of day is given."""
    rest = text
    day: date | None = None
    for word, offset in _RELATIVE.items():
        if word in rest:
            day = now.date() + timedelta(days=offset)
            rest = rest.replace(word, " ", 1)
            break
    if day is None and (match := _DATE.search(rest)):
        year = int(match[1]) if match[1] else now.year
        try:
            day = date(year, int(match[2]), int(match[3]))
        except ValueError:
            return None
        if day < now.date() and not match[1]:
            day = day.replace(year=year + 1)
        rest = rest.replace(match[0], " ", 1)
    if day is None and (match := _WEEKDAY.search(rest)):
        ahead = (_WEEKDAY_NUMBERS[match[2]] - now.weekday()) % 7 + (7 if match[1] else 0)
        day = now.date() + timedelta(days=ahead)
        rest = rest.replace(match[0], " ", 1)
    part = _PART.search(rest)
    if part:
        rest = rest.replace(part[0], " ", 1)
    if match := _CLOCK.search(rest):
        hour, minute = int(match[1]), int(match[2])
    elif match := _SPOKEN.search(rest):
        hour = _number(match[1])
        minute = 30 if match[2] else (_number(match[3]) if match[3] else 0)
    else:
        return None
    rest = rest.replace(match[0], " ", 1)
    if hour is None or minute is None:
        return None
    if part and part[0] in _AFTERNOON and hour < 12:
        hour += 12
    elif part and part[0] == "中午" and hour < 6:
        hour += 12
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    moment = datetime.combine(day or now.date(), time(hour, minute), tzinfo=now.tzinfo)
    if day is None and moment <= now:
        moment += timedelta(days=1)  # "15:00" said after three o'clock means tomorrow
    if not now < moment <= now + timedelta(days=max_days):
        return None
    place = re.sub(r"\s+", " ", rest).strip(" ，,。、")
    return moment, place


def parse_time(text: str, now: datetime, max_days: int = 30) -> datetime | None:
    """Just the moment (a broadcast's send time, a meeting moved): in the future, at most ``max_days`` ahead."""
    parsed = parse_appointment(text, now, max_days)
    return parsed[0] if parsed else None


def spoken_time(moment) -> str:
    """14:30 → 下午2点半."""
    hour, minute = moment.hour, moment.minute
    part = "早上" if hour < 9 else "上午" if hour < 12 else "中午" if hour < 13 else "下午" if hour < 18 else "晚上"
    shown = hour - 12 if hour > 12 else hour
    tail = "" if minute == 0 else "半" if minute == 30 else f"{minute}分"
    return f"{part}{shown}点{tail}"


def spoken_day(day: date, today: date) -> str:
    """今天周三 / 明天周四 / 后天周五, further off 12月2日（周三）."""
    delta = (day - today).days
    prefix = {0: "今天", 1: "明天", 2: "后天"}.get(delta)
    name = f"{day.month}月{day.day}日（{WEEKDAY_NAMES[day.weekday()]}）"
    return f"{prefix}{WEEKDAY_NAMES[day.weekday()]}" if prefix else name
