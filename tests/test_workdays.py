import logging
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.workdays import DEFAULT_PATH, HolidayFileError, HolidayOverrides, WorkCalendar

SH = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar()


def at(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def write(tmp_path, text):
    path = tmp_path / "holidays.toml"
    path.write_text(text, encoding="utf-8")
    return path


# chinesecalendar 2026: 国庆 10-01..07 off; 09-20 (Sun) and 10-10 (Sat) are 调休 working days.
def test_national_day_2026_is_holiday():
    assert not CAL.is_working_day(date(2026, 10, 1))
    assert not CAL.is_working_day(date(2026, 10, 7))
    assert CAL.is_working_day(date(2026, 10, 8))


def test_makeup_saturday_2026_is_working_day():
    assert date(2026, 10, 10).weekday() == 5
    assert CAL.is_working_day(date(2026, 10, 10))
    assert CAL.is_working_day(date(2026, 9, 20))


def test_plain_weekend_is_not_working_day():
    assert not CAL.is_working_day(date(2026, 11, 21))


def test_next_working_day_skips_holiday():
    assert CAL.next_working_day(date(2026, 9, 30)) == date(2026, 10, 8)
    assert CAL.working_day_on_or_after(date(2026, 10, 8)) == date(2026, 10, 8)
    assert CAL.working_day_on_or_after(date(2026, 11, 21)) == date(2026, 11, 23)


def test_is_working_day_rejects_datetime():
    with pytest.raises(TypeError):
        CAL.is_working_day(at(2026, 11, 20, 10))


def test_add_working_days_across_weekend():
    assert CAL.add_working_days(at(2026, 11, 20, 15), 1) == at(2026, 11, 23, 15)


def test_add_working_days_across_holiday():
    assert CAL.add_working_days(at(2026, 9, 30, 10), 1) == at(2026, 10, 8, 10)
    assert CAL.add_working_days(at(2026, 9, 30, 10), 3) == at(2026, 10, 10, 10)


def test_add_working_days_from_weekend_starts_monday_nine():
    assert CAL.add_working_days(at(2026, 11, 21, 22), 1) == at(2026, 11, 24, 9)
    assert CAL.add_working_days(at(2026, 11, 21, 22), 0) == at(2026, 11, 23, 9)


def test_add_working_days_from_holiday_starts_after_it():
    assert CAL.add_working_days(at(2026, 10, 3, 8), 2) == at(2026, 10, 10, 9)


def test_add_working_days_rejects_negative():
    with pytest.raises(ValueError):
        CAL.add_working_days(at(2026, 11, 20, 15), -1)


def test_unknown_year_falls_back_to_weekends_and_warns_once(caplog):
    cal = WorkCalendar()
    with caplog.at_level(logging.WARNING, logger="bot.workdays"):
        assert cal.is_working_day(date(2027, 1, 1))  # a Friday; no data, so a plain weekday
        assert not cal.is_working_day(date(2027, 1, 2))
        assert cal.add_working_days(at(2027, 3, 5, 10), 1) == at(2027, 3, 8, 10)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "2027" in warnings[0].getMessage()
    assert "knowledge/holidays.toml" in warnings[0].getMessage()


def test_override_file_adds_2027_holiday_and_makeup_day(tmp_path, caplog):
    path = write(
        tmp_path,
        '[[year]]\nyear = 2027\nholidays = ["2027-01-01"]\nworkdays = ["2027-02-06"]\n',
    )
    cal = WorkCalendar.load(path)
    with caplog.at_level(logging.WARNING, logger="bot.workdays"):
        assert not cal.is_working_day(date(2027, 1, 1))
        assert cal.is_working_day(date(2027, 2, 6))  # a Saturday
        assert cal.is_working_day(date(2027, 1, 4))
    assert not caplog.records  # the year is in the file, so nothing to warn about
    assert cal.add_working_days(at(2026, 12, 31, 16), 1) == at(2027, 1, 4, 16)


def test_override_beats_chinese_calendar():
    block = {"year": 2026, "workdays": ["2026-10-07"]}
    overrides = HolidayOverrides.model_validate({"year": [block]})
    assert WorkCalendar(overrides).is_working_day(date(2026, 10, 7))


def test_missing_file_means_no_overrides(tmp_path):
    cal = WorkCalendar.load(tmp_path / "nope.toml")
    assert not cal.is_working_day(date(2026, 10, 1))


def test_shipped_file_loads():
    assert DEFAULT_PATH.exists()
    WorkCalendar.load()


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('[[year]]\nyear = 2027\nholidays = ["2027-02-30"]\n', "2027-02-30"),
        ('[[year]]\nyear = 2027\nholidays = ["2027/01/01"]\n', "2027/01/01"),
        ("[[year]]\nyear = 2027\nholidays = [20270101]\n", "20270101"),
        (
            '[[year]]\nyear = 2027\nholidays = ["2027-10-01"]\nworkdays = ["2027-10-01"]\n',
            "2027-10-01",
        ),
        ('[[year]]\nyear = 2027\nholidays = ["2028-01-01"]\n', "2028-01-01"),
        ("[[year]]\nyear = 2027\n[[year]]\nyear = 2027\n", "2027 年出现了两次"),
        ('[[year]]\nyear = 2027\nholiday = ["2027-01-01"]\n', "holiday"),
        ("[[year]\n", "TOML"),
    ],
)
def test_bad_file_fails_naming_the_problem(tmp_path, text, named):
    with pytest.raises(HolidayFileError, match=named) as info:
        WorkCalendar.load(write(tmp_path, text))
    assert "holidays.toml" in str(info.value)


def test_window_evening_spills_to_next_morning():
    assert CAL.add_window_hours(at(2026, 11, 20, 19), timedelta(hours=2)) == at(2026, 11, 21, 9)


def test_window_after_close_starts_next_morning():
    assert CAL.add_window_hours(at(2026, 11, 20, 23), timedelta(hours=2)) == at(2026, 11, 21, 10)


def test_window_before_open_starts_at_open():
    assert CAL.add_window_hours(at(2026, 11, 20, 7), timedelta(hours=2)) == at(2026, 11, 20, 10)


def test_window_fifteen_minutes_near_close():
    quarter = timedelta(minutes=15)
    assert CAL.add_window_hours(at(2026, 11, 20, 19, 50), quarter) == at(2026, 11, 21, 8, 5)
    assert CAL.add_window_hours(at(2026, 11, 20, 19, 45), quarter) == at(2026, 11, 20, 20)


def test_window_runs_on_holidays_and_spans_days():
    assert CAL.add_window_hours(at(2026, 10, 1, 12), timedelta(hours=14)) == at(2026, 10, 2, 14)


def test_custom_window():
    window = (time(9), time(17, 30))
    due = CAL.add_window_hours(at(2026, 11, 20, 17), timedelta(hours=1), window)
    assert due == at(2026, 11, 21, 9, 30)
    with pytest.raises(ValueError):
        CAL.add_window_hours(at(2026, 11, 20, 17), timedelta(hours=1), (time(20), time(8)))


def test_tz_is_preserved():
    start = at(2026, 11, 20, 19)
    assert CAL.add_window_hours(start, timedelta(hours=2)).tzinfo is SH
    assert CAL.add_working_days(start, 2).tzinfo is SH
    assert CAL.add_working_days(at(2026, 11, 21, 19), 2).tzinfo is SH


moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(SH)
)


@settings(max_examples=300, deadline=None)
@given(start=moments, days=st.integers(min_value=1, max_value=30))
def test_add_working_days_lands_on_later_working_day(start, days):
    due = CAL.add_working_days(start, days)
    assert due > start
    assert CAL.is_working_day(due.date())
    assert due.tzinfo is SH


@settings(max_examples=300, deadline=None)
@given(start=moments, minutes=st.integers(min_value=1, max_value=5000))
def test_window_result_is_inside_window_and_later(start, minutes):
    due = CAL.add_window_hours(start, timedelta(minutes=minutes))
    assert due > start
    assert time(8) < due.timetz().replace(tzinfo=None) <= time(20)
