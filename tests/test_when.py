"""Times and places as staff type them for an appointment."""

from datetime import datetime

from bot.when import parse_appointment
from tests.conftest import TZ

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=TZ)  # a Wednesday morning


def at(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


def test_the_place_is_what_is_left_and_its_numbers_are_not_the_time():
    assert parse_appointment("明天下午3点 幸福里5号楼", NOW) == (at(2026, 11, 26, 15), "幸福里5号楼")
    assert parse_appointment("明天 15:00 3号楼2单元", NOW) == (at(2026, 11, 26, 15), "3号楼2单元")
    assert parse_appointment("12月2日 14:00 幸福里5号楼", NOW) == (at(2026, 12, 2, 14), "幸福里5号楼")
    assert parse_appointment("11-26 10:00 上门服务", NOW) == (at(2026, 11, 26, 10), "上门服务")


def test_weekdays_half_hours_and_parts_of_the_day():
    assert parse_appointment("周四 10:00 驿站", NOW) == (at(2026, 11, 26, 10), "驿站")
    assert parse_appointment("下周三下午两点半 驿站", NOW) == (at(2026, 12, 2, 14, 30), "驿站")
    assert parse_appointment("明天10点半", NOW) == (at(2026, 11, 26, 10, 30), "")
    assert parse_appointment("晚上7点", NOW) == (at(2026, 11, 25, 19), "")
    assert parse_appointment("8:00", NOW) == (at(2026, 11, 26, 8), "")  # passed today: tomorrow


def test_no_time_or_the_past_or_too_far_is_refused():
    for text in ("随便", "明天", "今天 8:00", "2027年3月1日 9:00", "25:00", "明天 9:75"):
        assert parse_appointment(text, NOW) is None, text
