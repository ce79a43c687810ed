"""Roster files: the places of a community and the people with a role in them.

Street offices keep rosters in spreadsheets, so one flat row shape serves TOML, CSV and XLSX:
a row without a role describes places (a building and its units, with the grid, compound,
community and street above it); a row with a role describes a person. Bad rows are rejected
with their line number and the rest is imported, because a 700-line roster with one typo must
not block a whole street office.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from bot.models import Role
from bot.store import Store

HEADER_ALIASES = {
    "street": {"street", "街道"},
    "community": {"community", "社区"},
    "grid": {"grid", "网格"},
    "compound": {"compound", "小区"},
    "building": {"building", "buildings", "楼栋", "楼号", "楼"},
    "unit": {"unit", "units", "单元"},
    "name": {"name", "姓名"},
    "role": {"role", "角色", "职务"},
    "telegram_id": {"telegram_id", "telegram", "tg", "电报id"},
    "phone": {"phone", "电话", "手机", "手机号"},
    "hide_name": {"hide_name", "隐藏姓名"},
}
_TRUE = {"1", "true", "yes", "y", "是", "x", "√"}
_SPLIT = re.compile(r"[;；,，、\s]+")
_RANGE = re.compile(r"^(\d+)\s*[-~－—至到]\s*(\d+)$")


class RosterRow(BaseModel):
    """One line of a roster, in any of the accepted formats."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    street: str | None = None
    community: str | None = None
    grid: str | None = None
    compound: str | None = None
    building: str | None = None
    unit: str | None = None
    name: str | None = None
    role: Role | None = None
    telegram_id: int | None = None
    phone: str | None = None
    hide_name: bool = False

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        if isinstance(value, float) and value.is_integer():  # spreadsheets store ids as floats
            return int(value)
        return value

    @field_validator("role", mode="before")
    @classmethod
    def _role_alias(cls, value: object) -> object:
        if isinstance(value, str):
            return Role.parse(value) if value.strip() else None
        return value

    @field_validator("hide_name", mode="before")
    @classmethod
    def _truthy(cls, value: object) -> object:
        if value is None:
            return False
        return str(value).strip().lower() in _TRUE if isinstance(value, str) else value

    @field_validator("phone", "building", "unit", mode="before")
    @classmethod
    def _as_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value


@dataclass
class RosterReport:
    """What an import did, line by line, for the person who ran it."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    rejected: list[str] = field(default_factory=list)

    def render(self) -> str:
        lines = [*self.added, *self.changed, *self.rejected]
        lines.append(
            f"新增 {len(self.added)} 行，更新 {len(self.changed)} 行，未变 {self.unchanged} 行，"
            f"拒绝 {len(self.rejected)} 行"
        )
        return "\n".join(lines)


def expand_names(text: str, suffix: str) -> list[tuple[str, int]]:
    """"1-3" → 1号楼, 2号楼, 3号楼; "3号楼;5" → 3号楼, 5号楼; each with its sort order."""
    names: list[tuple[str, int]] = []
    for part in filter(None, _SPLIT.split(text)):
        span = _RANGE.match(part)
        if span:
            low, high = int(span[1]), int(span[2])
            names.extend((f"{n}{suffix}", n) for n in range(low, high + 1))
        elif part.isdigit():
            names.append((f"{part}{suffix}", int(part)))
        else:
            digits = re.match(r"\d+", part)
            names.append((part, int(digits[0]) if digits else 0))
    return names


def read_roster(path: Path) -> list[tuple[int, dict[str, object]]]:
    """Rows with their line numbers (spreadsheet row numbers for XLSX)."""
    suffix = path.suffix.lower()
    if suffix == ".toml":
        return _read_toml(path.read_text(encoding="utf-8"))
    if suffix == ".csv":
        return _read_csv(path.read_text(encoding="utf-8-sig"))
    if suffix in {".xlsx", ".xlsm"}:
        return _read_xlsx(path)
    raise ValueError(f"不支持的花名册格式 {path.suffix}（支持 .toml .csv .xlsx）")


def _canonical_header(name: str) -> str:
    key = str(name or "").strip().lower()
    for canonical, aliases in HEADER_ALIASES.items():
        if key in aliases:
            return canonical
    return key


def _read_toml(text: str) -> list[tuple[int, dict[str, object]]]:
    data = tomllib.loads(text)
    header_lines: dict[str, list[int]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = re.match(r"\s*\[\[\s*(\w+)\s*\]\]", line)
        if match:
            header_lines.setdefault(match[1], []).append(number)
    rows = []
    for table in ("places", "people"):
        for index, entry in enumerate(data.get(table, [])):
            rows.append((header_lines[table][index], {_canonical_header(k): v for k, v in entry.items()}))
    unknown = set(data) - {"places", "people"}
    if unknown:
        raise ValueError(f"花名册里有不认识的表：{', '.join(sorted(unknown))}（只认 places 和 people）")
    return sorted(rows, key=lambda row: row[0])


def _read_csv(text: str) -> list[tuple[int, dict[str, object]]]:
    reader = csv.reader(io.StringIO(text))
    header = [_canonical_header(cell) for cell in next(reader, [])]
    rows = []
    for cells in reader:
        if any(cell.strip() for cell in cells):
            rows.append((reader.line_num, dict(zip(header, cells))))
    return rows


def _read_xlsx(path: Path) -> list[tuple[int, dict[str, object]]]:
    from openpyxl import load_workbook

    rows = []
    workbook = load_workbook(path, read_only=True, data_only=True)
    for sheet in workbook.worksheets:
        values = sheet.iter_rows(values_only=True)
        header = [_canonical_header(cell) for cell in next(values, ())]
        for number, cells in enumerate(values, start=2):
            if any(cell not in (None, "") for cell in cells):
                rows.append((number, {k: v for k, v in zip(header, cells) if k}))
    workbook.close()
    return rows


async def import_roster(store: Store, path: Path, at: datetime) -> RosterReport:
    """Import a roster file; each row is its own transaction so one bad row costs only itself."""
    report = RosterReport()
    parsed: list[tuple[int, RosterRow]] = []
    for line, raw in read_roster(path):
        try:
            parsed.append((line, RosterRow.model_validate(raw)))
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(part) for part in error["loc"])
            report.rejected.append(f"第 {line} 行 拒绝：{where} {error['msg'].removeprefix('Value error, ')}")
    # Places first, so a person row may refer to a building defined further down the file.
    for line, row in sorted(parsed, key=lambda item: (item[1].role is not None, item[0])):
        try:
            outcome = await (_import_place(store, row) if row.role is None else _import_person(store, row, at))
        except RosterRowError as exc:
            report.rejected.append(f"第 {line} 行 拒绝：{exc}")
            continue
        if outcome is None:
            report.unchanged += 1
        elif outcome.startswith("新增"):
            report.added.append(f"第 {line} 行 {outcome}")
        else:
            report.changed.append(f"第 {line} 行 {outcome}")
    return report


class RosterRowError(Exception):
    """A row that cannot be imported; the message says why, in Chinese."""


async def _import_place(store: Store, row: RosterRow) -> str | None:
    missing = [name for name in ("street", "community", "grid", "compound", "building") if not getattr(row, name)]
    if missing:
        raise RosterRowError(f"地点行缺少 {', '.join(missing)}")
    buildings = expand_names(row.building, "号楼")
    units = expand_names(row.unit, "单元") if row.unit else []
    added, changed = [], []
    async with store.transaction() as db:
        for building, order in buildings:
            created, units_added, moved_from = await store.ensure_building(
                db, street=row.street, community=row.community, grid=row.grid,
                compound=row.compound, building=building, building_order=order, units=units,
            )
            if created:
                added.append(building)
            elif moved_from:
                changed.append(f"{building} 从{moved_from}调到{row.grid}")
            elif units_added:
                changed.append(f"{building} 增加单元")
    if added:
        return f"新增 {row.compound} {'、'.join(added)}（{row.grid}）"
    if changed:
        return f"更新 {row.compound} {'；'.join(changed)}"
    return None


Scope = tuple[str, int | None, str]


async def _resolve_scope(store: Store, row: RosterRow) -> tuple[list[Scope], tuple[int, int | None] | None]:
    """The places a person row's role applies to, as (kind, id, label), and a home address."""
    role = row.role
    kind = role.scope_kind
    if kind == "all":
        return [("all", None, "全部")], None
    if kind in ("community", "grid"):
        return [await _one_place(store, kind, getattr(row, kind), {"community": "社区", "grid": "网格"}[kind])], None
    compound = await _one_place(store, "compound", row.compound, "小区")
    if kind == "compound":
        return [compound], None
    if not row.building:
        raise RosterRowError(f"{role.title}需要填写楼栋")
    buildings = []
    for building, _ in expand_names(row.building, "号楼"):
        found = await store.find_place("building", building, within=compound[1])
        if not found:
            raise RosterRowError(f"{row.compound}没有{building}")
        buildings.append(("building", found[0].id, f"{row.compound}{building}"))
    if kind == "building":
        return buildings, None
    if len(buildings) != 1:
        raise RosterRowError(f"{role.title}只能填一栋楼")
    building_id, label = buildings[0][1], buildings[0][2]
    if not row.unit:
        if role is Role.UNIT_HEAD:
            raise RosterRowError("单元长需要填写单元")
        return buildings, (building_id, None)
    unit_name = expand_names(row.unit, "单元")[0][0]
    found = await store.find_place("unit", unit_name, within=building_id)
    if not found:
        raise RosterRowError(f"{label}没有{unit_name}")
    return [("unit", found[0].id, f"{label}{unit_name}")], (building_id, found[0].id)


async def _one_place(store: Store, kind: str, name: str | None, title: str) -> tuple[str, int, str]:
    if not name:
        raise RosterRowError(f"需要填写{title}")
    found = await store.find_place(kind, name)
    if not found:
        raise RosterRowError(f"没有名为“{name}”的{title}")
    if len(found) > 1:
        raise RosterRowError(f"有多个名为“{name}”的{title}，请改名以区分")
    return kind, found[0].id, name


async def _import_person(store: Store, row: RosterRow, at: datetime) -> str | None:
    if not row.name:
        raise RosterRowError("人员行缺少姓名")
    if row.telegram_id is None and not row.phone:
        raise RosterRowError("人员行需要 telegram_id 或电话，用来认出同一个人")
    scopes, address = await _resolve_scope(store, row)
    role = row.role
    async with store.transaction() as db:
        person_id = await store.find_person_id(db, row.telegram_id, row.name, row.phone)
        created = person_id is None
        if created:
            person_id = await store.create_person(
                db, telegram_id=row.telegram_id, name=row.name, phone=row.phone,
                hide_name=row.hide_name, at=at,
            )
            changed = True
        else:
            changed = await store.update_person_details(
                db, person_id, name=row.name, phone=row.phone, hide_name=row.hide_name
            )
        if address is not None:
            changed |= await store.set_address(db, person_id, *address)
        for kind, scope_id, _ in scopes:
            if role is not Role.RESIDENT:
                changed |= await store.grant_role(db, person_id, role, kind, scope_id)
    where = "、".join(label for _, _, label in scopes)
    if created:
        return f"新增 {row.name}（{role.title} {where}）"
    return f"更新 {row.name}（{role.title} {where}）" if changed else None


async def export_roster(store: Store, fmt: str = "toml") -> str:
    """The whole roster in the import format, so an export re-imports as "unchanged"."""
    places = await store.building_rows()
    people = []
    for person in await store.all_people():
        base = {"name": person.name, "telegram_id": person.telegram_id, "phone": person.phone,
                "hide_name": person.hide_name}
        if person.building_id is not None and not person.roles & {Role.UNIT_HEAD}:
            compound, building = await store.building_path(person.building_id)
            people.append({**base, "role": Role.RESIDENT.value, "compound": compound,
                           "building": building, "unit": await store.unit_name(person.unit_id)})
        for grant in person.grants:
            people.append({**base, "role": grant.role.value, **await _scope_columns(store, person, grant)})
    if fmt == "csv":
        return _to_csv(places + people)
    return _to_toml(places, people)


async def _scope_columns(store: Store, person, grant) -> dict[str, object]:
    if grant.scope_kind in ("community", "grid", "compound"):
        return {grant.scope_kind: (await store.place(grant.scope_kind, grant.scope_id)).name}
    if grant.scope_kind == "building":
        compound, building = await store.building_path(grant.scope_id)
        return {"compound": compound, "building": building}
    if grant.scope_kind == "unit":
        compound, building = await store.building_path(person.building_id)
        return {"compound": compound, "building": building, "unit": await store.unit_name(grant.scope_id)}
    return {}


COLUMNS = ["street", "community", "grid", "compound", "building", "unit", "name", "role",
           "telegram_id", "phone", "hide_name"]


def _to_csv(rows: list[dict[str, object]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("1" if v is True else "" if v in (None, False) else v) for k, v in row.items()})
    return buffer.getvalue()


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _to_toml(places: list[dict[str, object]], people: list[dict[str, object]]) -> str:
    out = ["# 花名册导出（shuoshi roster export）；可直接用 shuoshi roster import 导回", ""]
    for table, rows in (("places", places), ("people", people)):
        for row in rows:
            out.append(f"[[{table}]]")
            out.extend(f"{k} = {_toml_value(v)}" for k, v in row.items() if v not in (None, "", False))
            out.append("")
    return "\n".join(out)
