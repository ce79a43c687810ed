"""Roster import (TOML, CSV, XLSX) reports line by line; a bad row costs only itself."""

from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

from bot.models import Role
from bot.roster import export_roster, import_roster
from tests.conftest import DEMO_ROSTER, TZ

AT = datetime(2026, 11, 23, 9, tzinfo=TZ)
CSV = """街道,社区,网格,小区,楼栋,单元,姓名,角色,telegram_id,电话
幸福街道,幸福社区,第一网格,幸福里小区,1-2,1-2,,,,
,,,幸福里小区,1号楼,1单元,甲,居民,101,
,,,幸福里小区,9号楼,1单元,乙,居民,102,
,,,幸福里小区,2号楼,,丙,楼长,103,
,,,幸福里小区,2号楼,,丁,队长,104,
,,,,,,戊,居民,,
"""


async def test_csv_with_bad_rows(store, tmp_path: Path):
    path = tmp_path / "roster.csv"
    path.write_text(CSV, encoding="utf-8")
    report = await import_roster(store, path, AT)
    text = report.render()
    assert "第 2 行 新增 幸福里小区 1号楼、2号楼（第一网格）" in text
    assert "第 3 行 新增 甲（居民 幸福里小区1号楼1单元）" in text
    assert "第 4 行 拒绝：幸福里小区没有9号楼" in text
    assert "第 5 行 新增 丙（楼栋长 幸福里小区2号楼）" in text
    assert "第 6 行 拒绝：role 未知角色“队长”" in text
    assert "第 7 行 拒绝" in text
    assert len(report.added) == 3 and len(report.rejected) == 3
    head = await store.person_by_telegram(103)
    assert head.roles == {Role.BUILDING_HEAD}


async def test_reimport_is_unchanged_and_changes_are_reported(store, tmp_path: Path):
    await import_roster(store, DEMO_ROSTER, AT)
    again = await import_roster(store, DEMO_ROSTER, AT)
    assert again.added == [] and again.changed == [] and again.rejected == []
    moved = tmp_path / "moved.toml"
    moved.write_text(DEMO_ROSTER.read_text(encoding="utf-8").replace('telegram_id = 1002\ncompound = "幸福里小区"\nbuilding = "3号楼"', 'telegram_id = 1002\ncompound = "幸福里小区"\nbuilding = "5号楼"'), encoding="utf-8")
    report = await import_roster(store, moved, AT)
    assert report.changed == ["第 46 行 更新 李建国（居民 幸福里小区5号楼1单元）"]


async def test_export_round_trips(store, tmp_path: Path):
    await import_roster(store, DEMO_ROSTER, AT)
    for fmt, suffix in (("toml", ".toml"), ("csv", ".csv")):
        path = tmp_path / f"export{suffix}"
        path.write_text(await export_roster(store, fmt), encoding="utf-8")
        report = await import_roster(store, path, AT)
        assert report.added == [] and report.changed == [] and report.rejected == [], report.render()


async def test_xlsx(store, tmp_path: Path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["street", "community", "grid", "compound", "building", "unit", "name", "role", "telegram_id"])
    sheet.append(["幸福街道", "幸福社区", "第一网格", "幸福里小区", "1", "1-2", None, None, None])
    sheet.append([None, None, "第一网格", None, None, None, "周敏", "网格长", 3001])
    sheet.append([None, None, "第九网格", None, None, None, "某人", "网格长", 3009])
    path = tmp_path / "roster.xlsx"
    workbook.save(path)
    report = await import_roster(store, path, AT)
    assert len(report.added) == 2
    assert report.rejected == ["第 4 行 拒绝：没有名为“第九网格”的网格"]
