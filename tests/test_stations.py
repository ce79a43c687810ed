"""Stations, hours, holidays, scheduled slots and walking distance (knowledge/stations.toml)."""

from datetime import datetime

import pytest

from bot.stations import Catalogue, StationsFileError, parse_hours, walking_metres
from bot.workdays import WorkCalendar
from tests.conftest import TZ

CATALOGUE = Catalogue.load()
CALENDAR = WorkCalendar.load()


def at(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


def test_demo_has_three_stations_a_centre_and_a_general_service():
    kinds = [station.kind for station in CATALOGUE.stations]
    assert kinds.count("station") >= 3 and "centre" in kinds
    assert CATALOGUE.service_for("service.legal_aid").id == "legal"
    assert CATALOGUE.service_for("service.nothing_like_it").id == "general"


def test_hours_depend_on_weekday_and_public_holidays():
    xfl = CATALOGUE.station("xfl")
    assert CATALOGUE.is_open(xfl, at(2026, 11, 25, 19, 59), CALENDAR)   # a Wednesday evening
    assert not CATALOGUE.is_open(xfl, at(2026, 11, 25, 20, 0), CALENDAR)
    assert CATALOGUE.is_open(xfl, at(2026, 11, 28, 17, 0), CALENDAR)    # Saturday 09:00-18:00
    assert not CATALOGUE.is_open(xfl, at(2026, 10, 2, 14, 0), CALENDAR)  # National Day: mornings only
    assert CATALOGUE.is_open(xfl, at(2026, 10, 2, 10, 0), CALENDAR)
    centre = CATALOGUE.station("centre")
    assert not CATALOGUE.is_open(centre, at(2026, 11, 25, 12, 30), CALENDAR)  # lunch break
    assert CATALOGUE.next_opening(centre, at(2026, 11, 25, 12, 30), CALENDAR) == at(2026, 11, 25, 13, 30)
    assert CATALOGUE.next_opening(centre, at(2026, 11, 28, 12, 0), CALENDAR) == at(2026, 11, 30, 8, 30)


def test_slots_skip_days_the_station_is_closed_and_keep_one_in_progress():
    slots = CATALOGUE.slots("legal", at(2026, 11, 25, 15, 0), CALENDAR)
    assert [s.starts for s in slots] == [at(2026, 11, 25, 14), at(2026, 12, 2, 14), at(2026, 12, 9, 14)]
    assert CATALOGUE.slots("legal", at(2026, 11, 25, 17, 0), CALENDAR)[0].starts == at(2026, 12, 2, 14)
    haircut = CATALOGUE.slots("haircut", at(2026, 11, 25, 9), CALENDAR, count=1)[0]
    assert haircut.starts == at(2026, 12, 6, 9)  # the first Sunday of December
    meals = CATALOGUE.slots("meals", at(2026, 10, 1, 8), CALENDAR, count=1)[0]
    assert meals.starts.date() > datetime(2026, 10, 7).date()  # 和平苑 is closed for the National Day week


def test_nearest_prefers_distance_and_reports_open_state():
    found = CATALOGUE.nearest(30.3186, 120.1512, at(2026, 11, 25, 10), CALENDAR)
    assert found[0].station.id == "xfl" and found[0].open_now and found[0].minutes <= 5
    assert [n.metres for n in found] == sorted(n.metres for n in found)
    night = CATALOGUE.nearest(30.3186, 120.1512, at(2026, 11, 25, 20, 30), CALENDAR)
    assert [n.station.id for n in night if n.open_now] == ["bhgy"]  # only the park station opens late
    assert 1000 < walking_metres(30.0, 120.0, 30.01, 120.0) < 1500  # 1.1 km straight, times the detour


def test_bad_files_are_refused_with_a_line_for_staff(tmp_path):
    path = tmp_path / "stations.toml"
    path.write_text(CATALOGUE_TEXT.replace('"14:00-17:00"', '"17:00-14:00"'), encoding="utf-8")
    with pytest.raises(StationsFileError, match="开始要早于结束"):
        Catalogue.load(path)
    path.write_text(CATALOGUE_TEXT.replace('station = "xfl"', 'station = "nowhere"', 1), encoding="utf-8")
    with pytest.raises(StationsFileError, match="nowhere"):
        Catalogue.load(path)
    with pytest.raises(ValueError):
        parse_hours("9点到5点")


CATALOGUE_TEXT = (Catalogue.load.__globals__["DEFAULT_PATH"]).read_text(encoding="utf-8")


def test_no_slot_outside_the_stations_holiday_hours_and_make_up_days_keep_weekday_hours():
    slots = CATALOGUE.slots("legal", at(2026, 9, 30, 18), CALENDAR)
    assert at(2026, 10, 7, 14) not in [s.starts for s in slots]  # 幸福里 opens only 09:00-12:00 on 国庆
    centre = CATALOGUE.station("centre")
    assert CATALOGUE.is_open(centre, at(2026, 9, 20, 10), CALENDAR)  # Sunday 2026-09-20 is a 调休 working day
