"""Answering residents' questions from the knowledge base, and letting staff improve it.

``knowledge/faq.toml`` seeds the database the first time each entry is seen; from then on the
database is the source, so an answer staff fix in chat (``/faq``) survives restarts and is not
overwritten by the file. Every question asked is recorded: those with no fitting answer, or whose
answer the asker marked 没用, are the gaps staff work through in ``/faq_gaps``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from rapidfuzz import fuzz

from bot.classifier import Classification
from bot.clock import Clock
from bot.faq_index import FaqEntry, FaqIndex, Match
from bot.meetings import MeetingDesk
from bot.models import Person, Role
from bot.normalize import normalize
from bot.stations import WEEKDAY_NAMES, Catalogue, Slot, Station, format_hours
from bot.when import spoken_day, spoken_time
from bot.store import Store
from bot.workdays import WorkCalendar

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "knowledge" / "faq.toml"
# Below this nothing fits; within MARGIN of the best, a second entry is as likely (ask which).
MIN_SCORE = 0.20
MARGIN = 0.04
# How well the knowledge base must answer a question the classifier put elsewhere before the answer
# wins: a service or chit-chat label yields more easily than a complaint, which must never lose its ticket.
OVERRIDE = {"service": 0.35, "other": 0.35, "property": 0.45, "grid": 0.45}
COMPLAINTS = ("property", "grid")
GAP_SIMILARITY = 80
LIVE_FIXED = ("hours", "stations", "holiday", "nearest", "contacts")
# The shape of a question in residents' Chinese (and English): a question mark, a final 吗/不/没,
# or a question word. "电梯坏了" is not a question; "电梯坏了找谁" is.
QUESTION = re.compile(r"[?？]|[吗么嘛][^\u4e00-\u9fff]*$|[不没][^\u4e00-\u9fff]*$|哪|几[点天号个时]|什么|啥|咋|怎么|怎样|如何|多少|谁|"
                      r"是否|能不能|可不可以|有没有|要不要|是不是|\b(?:when|where|how|what|who|is there|can i)\b", re.I)


class FaqFileError(ValueError):
    """The FAQ file is wrong; the message names the entry, for staff."""


class FaqSeed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str = Field(min_length=1, max_length=20)
    questions: tuple[str, ...] = Field(min_length=1)
    answer: str = Field(min_length=1)
    live: str | None = None
    service: str | None = None


class FaqFile(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    entries: tuple[FaqSeed, ...] = Field(alias="faq")


def load_seeds(path: Path, catalogue: Catalogue, meeting_ids: set[str]) -> tuple[FaqSeed, ...]:
    """Parse and cross-check the file: every live hook and every service must exist."""
    try:
        seeds = FaqFile.model_validate(tomllib.loads(path.read_text(encoding="utf-8"))).entries
    except tomllib.TOMLDecodeError as exc:
        raise FaqFileError(f"{path}: TOML 格式错误：{exc}") from None
    except ValidationError as exc:
        error = exc.errors()[0]
        where = " ".join(f"第{part + 1}条" if isinstance(part, int) else str(part) for part in error["loc"])
        raise FaqFileError(f"{path}: {where}: {error['msg']}") from None
    keys: set[str] = set()
    for seed in seeds:
        if seed.key in keys:
            raise FaqFileError(f"{path}: key “{seed.key}” 重复了")
        keys.add(seed.key)
        if seed.service and catalogue.service(seed.service) is None:
            raise FaqFileError(f"{path}: {seed.key}: stations.toml 里没有 id 为“{seed.service}”的服务")
        if seed.live and not _live_known(seed.live, catalogue, meeting_ids):
            raise FaqFileError(f"{path}: {seed.key}: live “{seed.live}” 不认识")
    return seeds


def _live_known(live: str, catalogue: Catalogue, meeting_ids: set[str]) -> bool:
    if live in LIVE_FIXED:
        return True
    kind, _, name = live.partition(":")
    return (kind == "schedule" and catalogue.schedule(name) is not None) or (kind == "meeting" and name in meeting_ids)


def decide(index: FaqIndex, text: str, result: Classification, unsure: bool = False) -> str:
    """"faq" (answer it), "ask" (let the resident choose) or the classifier's own label.

    The classifier knows problems; the knowledge base knows what it can answer. A question the
    knowledge base answers well is answered even when the classifier leaned to a service ("律师哪天
    在") or to chit-chat; a complaint yields only to a very good match, and an emergency never does.
    When the classifier says question but a complaint came close and no answer fits well, the
    resident chooses rather than losing a ticket to a vague answer. An unsure classifier asks,
    unless the message is a question the knowledge base answers well.
    """
    if result.urgent and result.label != "faq":
        return "ask" if unsure else result.label

    def score() -> float:  # searched only when it can change the outcome: most complaints are not questions
        matches = index.search(text)
        return matches[0].score if matches else 0.0

    question = QUESTION.search(text.strip()) is not None
    if unsure:
        return "faq" if question and score() >= OVERRIDE["service"] else "ask"
    if result.label == "faq":
        return "ask" if result.runner_up in COMPLAINTS and score() < OVERRIDE["service"] else "faq"
    if result.label in OVERRIDE and question and score() >= OVERRIDE[result.label]:
        return "faq"
    return result.label


@dataclass(frozen=True)
class Reply:
    """What the bot says to a question: an answer, a choice of likely questions, or nothing found."""

    ask_id: int
    entry: FaqEntry | None
    text: str
    choices: tuple[FaqEntry, ...] = ()


@dataclass(frozen=True)
class Gap:
    """Unanswered or unhelpful questions that look alike, counted together for staff."""

    text: str
    count: int
    ask_ids: tuple[int, ...]
    useless_answer: str | None


class FaqDesk:
    """The knowledge base at work: search, time-aware answers, feedback, and staff edits."""

    def __init__(self, store: Store, clock: Clock, catalogue: Catalogue, calendar: WorkCalendar,
                 meetings: MeetingDesk) -> None:
        self.store = store
        self.clock = clock
        self.catalogue = catalogue
        self.calendar = calendar
        self.meetings = meetings
        self.index = FaqIndex([])

    async def load(self, seeds: tuple[FaqSeed, ...] | None = None) -> None:
        """Seed entries the database has never seen (staff edits win), then build the index."""
        if seeds is None:
            seeds = load_seeds(DEFAULT_PATH, self.catalogue, set(self.meetings.rules))
        known = await self.store.faq_keys()
        fresh = [seed for seed in seeds if seed.key not in known]
        if fresh:
            async with self.store.transaction(records_update=False) as db:
                for seed in fresh:
                    await self.store.insert_faq_entry(
                        db, key=seed.key, title=seed.title, answer=seed.answer, live=seed.live,
                        service=seed.service, questions=seed.questions, person_id=None, at=self.clock.now())
        await self.refresh()

    async def refresh(self) -> None:
        rows = await self.store.faq_entries()
        self.index = FaqIndex([_entry(row) for row in rows])

    def entry(self, entry_id: int) -> FaqEntry | None:
        return next((entry for entry in self.index.entries if entry.id == entry_id), None)

    # -- residents ------------------------------------------------------------------------------

    def search(self, text: str) -> list[Match]:
        return self.index.search(text)

    def decide(self, text: str, result: Classification, unsure: bool = False) -> str:
        return decide(self.index, text, result, unsure)

    async def answer(self, person: Person, text: str) -> Reply:
        """The best answer; the top three when two are about as likely; nothing (a gap) below the floor."""
        matches = self.search(text)
        best = matches[0] if matches and matches[0].score >= MIN_SCORE else None
        ask_id = await self.store.record_faq_ask(person.id, text[:500], best.entry.id if best else None,
                                                 best.score if best else 0.0, self.clock.now())
        if best is None:
            return Reply(ask_id, None, "")
        close = tuple(m.entry for m in matches if m.score >= MIN_SCORE and m.score >= best.score - MARGIN)
        if len(close) > 1:
            return Reply(ask_id, None, "", choices=close[:3])
        return Reply(ask_id, best.entry, await self.render(best.entry, person))

    async def own_ask(self, person: Person, ask_id: int | None) -> dict | None:
        """The recorded question, if ``person`` asked it: buttons under an answer are the asker's only."""
        ask = await self.store.faq_ask(ask_id) if ask_id is not None else None
        return ask if ask is not None and ask["person_id"] == person.id else None

    async def pick(self, person: Person, ask_id: int, entry_id: int) -> Reply | None:
        """The resident chose one of the offered questions; None if the buttons are not theirs."""
        entry = self.entry(entry_id)
        if entry is None or await self.own_ask(person, ask_id) is None:
            return None
        await self.store.update_faq_ask(ask_id, entry_id=entry.id)
        return Reply(ask_id, entry, await self.render(entry, person))

    async def none_fits(self, person: Person, ask_id: int) -> bool:
        """都不是: none of the offered questions was meant, so the question becomes a gap for staff."""
        if await self.own_ask(person, ask_id) is None:
            return False
        await self.store.update_faq_ask(ask_id, entry_id=None)
        return True

    async def feedback(self, person: Person, ask_id: int, useful: bool) -> bool:
        if await self.own_ask(person, ask_id) is None:
            return False
        await self.store.update_faq_ask(ask_id, feedback="useful" if useful else "useless")
        return True

    async def render(self, entry: FaqEntry, person: Person) -> str:
        live = await self.live(entry.live, person) if entry.live else ""
        return f"{entry.answer.strip()}\n\n{live}".strip()

    # -- live parts of answers ----------------------------------------------------------------

    async def live(self, hook: str, person: Person) -> str:
        now = self.clock.now()
        community = await self._community_name(person)
        stations = self.catalogue.in_community(community)
        if hook == "hours":
            return self._hours_today(stations, now)
        if hook == "stations":
            return "\n".join(f"· {s.name}：{s.address}{'，电话 ' + s.phone if s.phone else ''}" for s in stations)
        if hook == "holiday":
            lines = [f"· {s.name}：{format_hours(s.holiday) if s.holiday is not None else '节假日照常开放'}"
                     for s in stations]
            if self.calendar.is_public_holiday(now.date()):
                lines.insert(0, "今天是法定节假日，按节假日时间开放：")
            return "\n".join(lines)
        if hook == "nearest":
            return "请点输入框旁的 📎，选“位置”发给我（或点下面的“发送我的位置”），我帮您找最近的驿站。"
        if hook == "contacts":
            return await self._contacts(person)
        kind, _, name = hook.partition(":")
        if kind == "schedule":
            return self.describe_slots(self.catalogue.slots(name, now, self.calendar, count=2), now)
        if kind == "meeting":
            return await self._next_meeting(name, person, now)
        return ""

    def _hours_today(self, stations: tuple[Station, ...], now: datetime) -> str:
        today = now.date()
        holiday = "，法定节假日" if self.calendar.is_public_holiday(today) else ""
        lines = [f"今天{WEEKDAY_NAMES[today.weekday()]}（{today.month}月{today.day}日{holiday}）开放时间："]
        for station in stations:
            hours = station.hours_on(today, self.calendar)
            lines.append(f"· {station.name}：{format_hours(hours)}（{self.open_state(station, now)}）")
        return "\n".join(lines)

    def open_state(self, station: Station, now: datetime) -> str:
        if self.catalogue.is_open(station, now, self.calendar):
            return "现在开着"
        opening = self.catalogue.next_opening(station, now, self.calendar)
        if opening is None:
            return "现在关着"
        return f"现在关着，{spoken_day(opening.date(), now.date())}{spoken_time(opening)}开门"

    @staticmethod
    def describe_slots(slots: list[Slot], now: datetime) -> str:
        """"今天周三，下午2点到5点律师值班在幸福里红帆驿站（正在进行）" — then the one after."""
        if not slots:
            return "近期没有安排，请打社区电话问一下。"
        lines = []
        for position, slot in enumerate(slots):
            day = spoken_day(slot.starts.date(), now.date())
            span = f"{spoken_time(slot.starts)}到{spoken_time(slot.ends).removeprefix('下午').removeprefix('中午')}"
            state = "（正在进行）" if slot.starts <= now < slot.ends else ""
            lead = "最近一次：" if position == 0 and not day.startswith("今天") else "再下一次：" if position else ""
            comma = "，" if day.startswith(("今天", "明天", "后天")) else " "
            lines.append(f"{lead}{day}{comma}{span}，{slot.schedule.title}在{slot.station.name}{state}")
        return "\n".join(lines)

    async def _next_meeting(self, rule_id: str, person: Person, now: datetime) -> str:
        rule = self.meetings.rules[rule_id]
        scopes = await self.store.building_scopes(person.building_id) if person.building_id else {}
        for meeting in await self.store.meetings_between(now, now + timedelta(days=62)):
            if meeting["rule_id"] == rule_id and scopes.get(meeting["scope_kind"]) == meeting["scope_id"]:
                start = meeting["starts_at"].astimezone(now.tzinfo)
                return (f"下一次{meeting['title']}：{spoken_day(start.date(), now.date())}"
                        f"{spoken_time(start)}，在{meeting['place']}。")
        return f"{rule.title}：{rule.recurrence.describe()} {rule.time:%H:%M}，在{rule.place}。"

    async def _contacts(self, person: Person) -> str:
        if person.building_id is None:
            return "您还没有登记住址，发送 /me 登记后我就能告诉您楼栋长和网格员是谁。"
        scopes = await self.store.building_scopes(person.building_id)
        wanted = [(Role.BUILDING_HEAD, "building", person.building_id), (Role.GRID_HEAD, "grid", scopes.get("grid")),
                  (Role.GRID_WORKER, "grid", scopes.get("grid")),
                  (Role.PROPERTY_MANAGER, "compound", scopes.get("compound")),
                  (Role.COMMUNITY_STAFF, "community", scopes.get("community"))]
        lines = [f"您（{person.address}）的联系人："]
        for role, kind, scope_id in wanted:
            for contact in await self.store.people_with_role(role, kind, scope_id) if scope_id else []:
                name = "" if contact.hide_name else f" {contact.name}"
                phone = f"，电话 {contact.phone}" if contact.phone and not contact.hide_name else ""
                lines.append(f"· {role.title}{name}{phone}")
        if len(lines) == 1:
            lines.append("· 暂未登记，请打社区电话询问。")
        lines.append("有事也可以直接在这里打字反映，会自动转给负责的人。")
        return "\n".join(lines)

    async def _community_name(self, person: Person) -> str | None:
        if person.building_id is None:
            return None
        scopes = await self.store.building_scopes(person.building_id)
        return await self.store.scope_name("community", scopes.get("community"))

    # -- near me ------------------------------------------------------------------------------

    def nearest(self, latitude: float, longitude: float) -> str:
        """The nearest open station first, with the walk and today's hours; the next ones after it."""
        now = self.clock.now()
        found = self.catalogue.nearest(latitude, longitude, now, self.calendar)
        open_first = sorted(found, key=lambda near: (not near.open_now, near.metres))
        best = open_first[0]
        lines = [("离您最近的开放中的驿站：" if best.open_now else "附近的驿站现在都关着，最近的是：")
                 + f"{best.station.name}",
                 f"地址：{best.station.address}",
                 f"步行约 {best.minutes} 分钟（约 {best.metres} 米）",
                 f"今天：{format_hours(best.station.hours_on(now.date(), self.calendar))}（{self.open_state(best.station, now)}）"]
        if best.station.phone:
            lines.append(f"电话：{best.station.phone}")
        others = [near for near in found if near is not best][:2]
        if others:
            lines.append("其他驿站：")
            lines.extend(f"· {near.station.name}，步行约 {near.minutes} 分钟（{self.open_state(near.station, now)}）"
                         for near in others)
        return "\n".join(lines)

    # -- staff ----------------------------------------------------------------------------------

    async def gaps(self) -> list[Gap]:
        """Open gaps, alike questions merged (rapidfuzz), the most asked first."""
        groups: list[dict] = []
        for row in await self.store.faq_gaps():
            form = normalize(row["text"]).compact
            group = next((g for g in groups if fuzz.ratio(form, g["form"]) >= GAP_SIMILARITY), None)
            if group is None:
                groups.append({"form": form, "text": row["text"], "ids": [row["id"]], "title": row["title"]})
            else:
                group["ids"].append(row["id"])
        gaps = [Gap(g["text"], len(g["ids"]), tuple(g["ids"]), g["title"]) for g in groups]
        return sorted(gaps, key=lambda gap: (-gap.count, gap.ask_ids[0]))

    async def add_entry(self, staff: Person, title: str, questions: list[str], answer: str,
                        closes: tuple[int, ...] = ()) -> FaqEntry:
        """A new question and answer, live at once; the gaps it answers are closed with it."""
        async with self.store.transaction() as db:
            entry_id = await self.store.insert_faq_entry(
                db, key=None, title=title[:20], answer=answer, live=None, service=None, questions=questions,
                person_id=staff.id, at=self.clock.now())
            await self.store.close_faq_gaps(db, closes, "answered")
        await self.refresh()
        return self.entry(entry_id)

    async def edit(self, staff: Person, entry_id: int, *, answer: str | None = None,
                   questions: list[str] = (), active: bool | None = None, closes: tuple[int, ...] = ()) -> None:
        fields = {key: value for key, value in (("answer", answer), ("active", active)) if value is not None}
        async with self.store.transaction() as db:
            await self.store.update_faq_entry(db, entry_id, staff.id, self.clock.now(), **fields)
            for question in questions:
                await self.store.add_faq_question(db, entry_id, question)
            await self.store.close_faq_gaps(db, closes, "answered")
        await self.refresh()

    async def dismiss(self, staff: Person, ask_ids: tuple[int, ...]) -> None:
        async with self.store.transaction() as db:
            await self.store.close_faq_gaps(db, ask_ids, "dismissed")


def _entry(row: dict) -> FaqEntry:
    return FaqEntry(id=row["id"], key=row["key"], title=row["title"], answer=row["answer"],
                    questions=tuple(row["questions"]), live=row["live"], service=row["service"])
