from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from bot.meeting_rules import (
    DEFAULT_PATH,
    MeetingRule,
    MeetingRulesError,
    Recurrence,
    ics_calendar,
    load_rules,
    occurrences,
)
from bot.workdays import WorkCalendar

SH = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar()


def rule(on_holiday="next_working_day", **recurrence):
    return MeetingRule(
        id="test",
        title="测试会",
        recurrence=Recurrence(**recurrence),
        time=time(15),
        duration_minutes=90,
        place="会议室",
        per="grid",
        audience=("grid_head",),
        organiser="grid_head",
        on_holiday=on_holiday,
    )


def days(r, start, end):
    return [day for day, _ in occurrences(r, start, end, CAL, SH)]


def actual(r, start, end):
    return [moment.date() for _, moment in occurrences(r, start, end, CAL, SH)]


def write(tmp_path, text):
    path = tmp_path / "meetings.toml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """
[[meeting]]
id = "{id}"
title = "网格三方会议"
recurrence = {{ {recurrence} }}
time = "15:00"
duration_minutes = 90
place = "会议室"
per = "grid"
audience = [{audience}]
organiser = "grid_head"
"""


def block(id="a", recurrence="day_of_month = 15", audience='"grid_head", "building_head"'):
    return GOOD.format(id=id, recurrence=recurrence, audience=audience)


# --- scheduling ---------------------------------------------------------------------------------


def test_fifteenth_across_months():
    r = rule(on_holiday="keep", day_of_month=15)
    assert days(r, date(2026, 9, 1), date(2027, 1, 31)) == [
        date(2026, 9, 15), date(2026, 10, 15), date(2026, 11, 15), date(2026, 12, 15), date(2027, 1, 15)
    ]


def test_range_is_inclusive_and_partial_months():
    r = rule(on_holiday="keep", day_of_month=15)
    assert days(r, date(2026, 11, 15), date(2026, 12, 15)) == [date(2026, 11, 15), date(2026, 12, 15)]
    assert days(r, date(2026, 11, 16), date(2026, 12, 14)) == []
    assert days(r, date(2026, 12, 1), date(2026, 11, 1)) == []


def test_fifteenth_on_sunday_moves_to_monday():
    r = rule(day_of_month=15)
    [(day, moment)] = occurrences(r, date(2026, 11, 1), date(2026, 11, 30), CAL, SH)
    assert day == date(2026, 11, 15)  # a Sunday
    assert moment == datetime(2026, 11, 16, 15, 0, tzinfo=SH)


def test_keep_never_moves():
    r = rule(on_holiday="keep", day_of_month=15)
    assert actual(r, date(2026, 11, 1), date(2026, 11, 30)) == [date(2026, 11, 15)]


def test_national_day_holiday_moves_to_after_golden_week():
    r = rule(day_of_month=5)
    assert occurrences(r, date(2026, 10, 1), date(2026, 10, 31), CAL, SH) == [
        (date(2026, 10, 5), datetime(2026, 10, 8, 15, tzinfo=SH))
    ]


def test_spring_festival_moves_past_whole_break():
    # 2026-02-15 (Sun) .. 02-23 are off; 02-24 is the first working day.
    r = rule(day_of_month=15)
    assert actual(r, date(2026, 2, 1), date(2026, 2, 28)) == [date(2026, 2, 24)]


def test_make_up_saturday_counts_as_working():
    # 2026-10-10 is a Saturday but a 调休 working day: the meeting stays put.
    r = rule(day_of_month=10)
    assert occurrences(r, date(2026, 10, 1), date(2026, 10, 31), CAL, SH) == [
        (date(2026, 10, 10), datetime(2026, 10, 10, 15, tzinfo=SH))
    ]


def test_moved_meeting_may_start_after_range_end():
    r = rule(day_of_month=15)
    assert occurrences(r, date(2026, 11, 15), date(2026, 11, 15), CAL, SH) == [
        (date(2026, 11, 15), datetime(2026, 11, 16, 15, tzinfo=SH))
    ]


def test_first_sunday_into_2027():
    r = rule(on_holiday="keep", nth_weekday=(1, 7))
    assert days(r, date(2026, 12, 1), date(2027, 2, 28)) == [date(2026, 12, 6), date(2027, 1, 3), date(2027, 2, 7)]


def test_first_sunday_with_next_working_day_in_2027_falls_back_to_weekends():
    r = rule(nth_weekday=(1, 7))
    assert actual(r, date(2027, 1, 1), date(2027, 1, 31)) == [date(2027, 1, 4)]


def test_third_wednesday():
    r = rule(on_holiday="keep", nth_weekday=(3, 3))
    assert days(r, date(2026, 10, 1), date(2027, 1, 31)) == [
        date(2026, 10, 21), date(2026, 11, 18), date(2026, 12, 16), date(2027, 1, 20)
    ]


def test_first_weekday_when_month_starts_on_it():
    # 2026-11-01 is a Sunday.
    r = rule(on_holiday="keep", nth_weekday=(1, 7))
    assert days(r, date(2026, 11, 1), date(2026, 11, 30)) == [date(2026, 11, 1)]


def test_last_weekday():
    last_friday = rule(on_holiday="keep", nth_weekday=(-1, 5))
    assert days(last_friday, date(2026, 11, 1), date(2027, 1, 31)) == [
        date(2026, 11, 27), date(2026, 12, 25), date(2027, 1, 29)
    ]
    last_monday = rule(on_holiday="keep", nth_weekday=(-1, 1))
    assert days(last_monday, date(2026, 8, 1), date(2026, 8, 31)) == [date(2026, 8, 31)]


def test_fifth_weekday_skips_short_months():
    r = rule(on_holiday="keep", nth_weekday=(5, 1))
    assert days(r, date(2026, 11, 1), date(2026, 12, 31)) == [date(2026, 11, 30)]


def test_weekly_tuesday():
    r = rule(on_holiday="keep", weekly=2)
    assert days(r, date(2026, 11, 21), date(2026, 12, 15)) == [
        date(2026, 11, 24), date(2026, 12, 1), date(2026, 12, 8), date(2026, 12, 15)
    ]
    assert days(r, date(2026, 11, 24), date(2026, 11, 24)) == [date(2026, 11, 24)]
    assert days(r, date(2026, 11, 25), date(2026, 11, 30)) == []


def test_weekly_in_golden_week_moves_when_asked():
    r = rule(weekly=2)
    assert occurrences(r, date(2026, 10, 6), date(2026, 10, 6), CAL, SH) == [
        (date(2026, 10, 6), datetime(2026, 10, 8, 15, tzinfo=SH))
    ]


def test_local_times_are_always_plus_eight():
    r = rule(on_holiday="keep", weekly=2)
    found = occurrences(r, date(2026, 1, 1), date(2027, 12, 31), CAL, SH)
    assert len(found) == 104
    assert {moment.utcoffset() for _, moment in found} == {timedelta(hours=8)}
    assert {moment.timetz().replace(tzinfo=None) for _, moment in found} == {time(15)}


def test_paused_rule_has_no_occurrences():
    r = rule(day_of_month=15).model_copy(update={"paused": True})
    assert occurrences(r, date(2026, 1, 1), date(2026, 12, 31), CAL, SH) == []


def test_describe():
    assert Recurrence(day_of_month=15).describe() == "每月15日"
    assert Recurrence(nth_weekday=(3, 3)).describe() == "每月第三个星期三"
    assert Recurrence(nth_weekday=(-1, 7)).describe() == "每月最后一个星期日"
    assert Recurrence(weekly=2).describe() == "每周二"


# --- validation ---------------------------------------------------------------------------------


def test_day_31_rejected_with_clear_message(tmp_path):
    with pytest.raises(MeetingRulesError) as exc:
        load_rules(write(tmp_path, block(id="monthly_end", recurrence="day_of_month = 31")))
    message = str(exc.value)
    assert "monthly_end" in message and "recurrence.day_of_month" in message and "1 到 28" in message


def test_day_zero_rejected():
    with pytest.raises(ValueError):
        Recurrence(day_of_month=0)


def test_two_recurrence_kinds_rejected(tmp_path):
    with pytest.raises(MeetingRulesError) as exc:
        load_rules(write(tmp_path, block(id="both", recurrence="day_of_month = 15, weekly = 2")))
    assert "both" in str(exc.value) and "recurrence" in str(exc.value) and "只能写一个" in str(exc.value)


def test_no_recurrence_kind_rejected():
    with pytest.raises(ValueError):
        Recurrence()


def test_bad_nth_weekday_rejected():
    for value in [(0, 3), (6, 3), (-2, 3), (1, 0), (1, 8)]:
        with pytest.raises(ValueError):
            Recurrence(nth_weekday=value)
    with pytest.raises(ValueError):
        Recurrence(weekly=8)


def test_unknown_role_rejected(tmp_path):
    with pytest.raises(MeetingRulesError) as exc:
        load_rules(write(tmp_path, block(id="cadre", audience='"grid_head", "street_cadre"')))
    message = str(exc.value)
    assert "cadre" in message and "audience" in message and "street_cadre" in message


def test_chinese_role_titles_accepted(tmp_path):
    [r] = load_rules(write(tmp_path, block(audience='"网格长", "楼长"')))
    assert r.audience == ("grid_head", "building_head")


def test_duplicate_id_rejected(tmp_path):
    with pytest.raises(MeetingRulesError) as exc:
        load_rules(write(tmp_path, block(id="same") + block(id="same")))
    assert "same" in str(exc.value) and "重复" in str(exc.value)


def test_bad_time_and_unknown_field_rejected(tmp_path):
    text = block(id="late").replace('time = "15:00"', 'time = "25:00"\ncolour = "red"')
    with pytest.raises(MeetingRulesError) as exc:
        load_rules(write(tmp_path, text))
    message = str(exc.value)
    assert "late" in message and "time" in message and "colour" in message


def test_bad_toml_rejected(tmp_path):
    with pytest.raises(MeetingRulesError):
        load_rules(write(tmp_path, "[[meeting]\n"))


def test_shipped_file_loads():
    rules = {r.id: r for r in load_rules()}
    assert DEFAULT_PATH.name == "meetings.toml"
    assert set(rules) == {"grid_tripartite", "four_party", "red_sunday", "weekly_talk"}
    grid = rules["grid_tripartite"]
    assert grid.recurrence.day_of_month == 15 and grid.time == time(15) and grid.duration_minutes == 90
    assert grid.per == "grid" and grid.agenda == "grid_tickets" and grid.on_holiday == "next_working_day"
    assert grid.audience == ("grid_head", "grid_worker", "building_head", "community_staff")
    assert rules["four_party"].recurrence.nth_weekday == (3, 3)
    assert rules["red_sunday"].recurrence.nth_weekday == (1, 7) and rules["red_sunday"].open_to_residents
    assert rules["weekly_talk"].recurrence.weekly == 2 and rules["weekly_talk"].time == time(19, 30)
    assert not any(r.paused for r in rules.values())


# --- iCalendar ----------------------------------------------------------------------------------


def test_ics_round_trip():
    grid = {r.id: r for r in load_rules()}["grid_tripartite"]
    [(day, start)] = occurrences(grid, date(2026, 11, 1), date(2026, 11, 30), CAL, SH)
    data = ics_calendar([
        {
            "uid": f"grid_tripartite-第一网格-{day.isoformat()}@shuoshi",
            "title": grid.title,
            "start": start,
            "minutes": grid.duration_minutes,
            "place": grid.place,
            "description": "议题：本网格未办结工单; 共 3 件",
        }
    ])
    assert isinstance(data, bytes)
    assert b"DTSTART;TZID=Asia/Shanghai:20261116T150000" in data
    cal = icalendar.Calendar.from_ical(data)
    assert str(cal["prodid"]) == "-//shuoshi//说事//ZH"
    assert cal.walk("VTIMEZONE")[0]["tzid"] == "Asia/Shanghai"
    [event] = cal.walk("VEVENT")
    assert event.decoded("dtstart") == datetime(2026, 11, 16, 15, tzinfo=SH)
    assert event.decoded("dtend") == datetime(2026, 11, 16, 16, 30, tzinfo=SH)
    assert event["dtstart"].params["TZID"] == "Asia/Shanghai"
    assert str(event["summary"]) == "网格三方会议"
    assert str(event["location"]) == "社区党群服务中心二楼会议室"
    assert str(event["description"]) == "议题：本网格未办结工单; 共 3 件"
    assert str(event["uid"]) == "grid_tripartite-第一网格-2026-11-15@shuoshi"
    assert "dtstamp" in event


def test_ics_converts_other_zones_to_shanghai():
    start = datetime(2026, 12, 1, 11, 30, tzinfo=ZoneInfo("UTC"))
    data = ics_calendar([{"uid": "u1", "title": "t", "start": start, "minutes": 60, "place": "p", "description": ""}])
    assert b"DTSTART;TZID=Asia/Shanghai:20261201T193000" in data
    [event] = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert event.decoded("dtstart") == start


def test_ics_rejects_naive_start():
    with pytest.raises(ValueError):
        ics_calendar([{"uid": "u", "title": "t", "start": datetime(2026, 12, 1, 19), "minutes": 60, "place": "", "description": ""}])


def test_ics_empty_calendar_is_valid():
    cal = icalendar.Calendar.from_ical(ics_calendar([]))
    assert cal.walk("VEVENT") == []
