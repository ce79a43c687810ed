"""Benchmark of ticket traffic through the real Application, offline, on a database of 100,000 tickets.

Run: .venv/bin/python benchmarks/bench_tickets.py [--tickets N] [--complaints N] [--my N] [--profile]

Target (from the issue): complaints pushed through the real Application offline with an on-disk
database already holding 100,000 tickets: >= 300 updates/s and p99 <= 30 ms on one core; ``/my``
for a resident p99 <= 5 ms. A baseline on an empty database (the demo roster and the same
registered residents, no tickets) is measured in the same run, so the ratios mean something.

How it works: each scenario gets its own temporary on-disk database. It is built the way the
console builds one (``console_application`` imports the demo roster on first start), extra
residents are registered and, for the full scenario, 100,000 tickets with their events are
written through the store's own API (``Store.insert_ticket`` / ``Store.add_event`` inside
``Store.transaction()``; no SQL here). The Application is then closed and opened again on the
same file, as after a restart, and driven through ``Console.run_line`` exactly as the console and
the tests drive it; only the HTTP hop to Telegram is replaced by ``BotApiDouble``.

Latency is the wall time of one ``Console.run_line`` (build the Update, ``process_update``, the
handler, the notification drain, the console's own bookkeeping); throughput is updates / total
seconds. The process pins itself to one CPU when the OS allows it. Exit status is 0 even when a
target is missed: this is a benchmark, not a test; misses are printed as FAIL.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import math
import os
import pstats
import re
import random
import resource
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from bot.clock import ManualClock  # noqa: E402
from bot.models import Status  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from bot.store import Store  # noqa: E402
from handlers.console import Console, console_application  # noqa: E402

from _demo import DEMO_ROSTER, START, TZ  # noqa: E402
SEED = 20261123

TARGET_RATE = 300.0  # complaints per second
TARGET_P99_MS = 30.0  # complaint p99
TARGET_MY_P99_MS = 5.0  # /my p99

EXTRA_RESIDENTS = 2_000
RESIDENT_TG_BASE = 200_000  # telegram ids of the extra residents: 200000, 200001, ...
MY_USER = 1001  # 张桂兰, demo resident, gets ~50 seeded tickets
MY_TICKETS = 50
ACTIVE_HOLDERS = 300  # residents with one open / accepted / reopened ticket (a resident rarely has more)
RESOLVED_HOLDERS = 200  # residents with a ticket resolved and waiting for their rating
SEED_BATCH = 2_000
WARMUP = 50

# -- messages -------------------------------------------------------------------------------------

PROBLEMS = [
    "电梯又坏了，上下楼很不方便", "楼道灯不亮了，晚上黑乎乎的", "楼顶漏水，家里天花板都湿了", "门禁坏了，谁都能进来",
    "楼道里的垃圾好几天没人打扫了", "水管爆了，一直在漏水", "楼道里的消防栓玻璃碎了", "最近蟑螂特别多，能不能统一消杀一下",
    "旁边的路灯坏了一个星期了", "楼下的绿化带好久没人修剪了", "单元门关不上", "停车位被外来车辆占了",
    "楼上每天半夜装修，吵得睡不着", "楼下有人占道摆摊卖菜", "有人在楼道里给电动车充电，很危险", "一楼有人私搭乱建，把绿化带围起来了",
    "楼下广场舞音响太吵了", "有人乱扔垃圾到绿化带里", "有流浪狗在小区里咬人", "门口有车违停，堵住了路",
    "暖气不热，家里才十几度", "外墙皮掉了一大块", "楼道墙皮脱落了，需要修补", "水压太低了，楼上用不了水",
    "物业保安晚上不巡逻", "楼下的健身器材坏了", "附近饭店油烟扰民", "有群租房，住了十几个人",
    "楼下的下水道堵了，污水冒出来了", "地下车库的灯一直不亮",
]
OPENERS = ["", "你好，", "您好，", "麻烦反映一下：", "请问能管管吗？", "我是{addr}的住户，", "{unit}这边", "又来反映了，",
           "打扰一下，", "我家在{addr}，", "{building}", "我们{building}"]
DETAILS = ["", "已经好几天了，一直没人管。", "上周也说过一次，还是老样子。", "邻居们都很有意见。", "希望今天能派人来看看。",
           "早上七八点最明显。", "麻烦尽快处理。", "晚上十点以后特别严重。", "这个问题反复出现好多次了。", "我们单元好几户都碰到了。",
           "希望物业和社区重视一下。", "这周已经是第三次了。", "能不能给个处理时间？", "昨天下午开始的。", "辛苦了。",
           "之前打过电话，说会来修，到现在也没来。", "家里有小孩，挺让人担心的。"]
RESOLUTIONS = ["已安排维修师傅上门处理完毕", "已联系相关部门现场处置", "已清理完毕", "已更换新的配件", "已劝导当事人整改",
               "已上报街道协调处理", "已现场核实并处理"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "桂兰建国秀英德明丽华敏刚磊静伟芳娜强军洋勇艳杰娟涛明超霞平辉玲红鹏华飞桂英玉梅志强淑珍"


@dataclass(frozen=True)
class Resident:
    telegram_id: int
    person_id: int
    building_id: int
    unit_id: int
    address: str  # 幸福里小区3号楼2单元
    building: str  # 幸福里小区3号楼
    unit: str  # 2单元


@dataclass(frozen=True)
class Message:
    telegram_id: int
    text: str
    label: str
    subcategory: str | None
    urgent: bool


def complaint(rng: random.Random, classifier, resident: Resident) -> Message:
    """A message that the app's own classifier files confidently as a property or grid problem."""
    for _ in range(50):
        opener = rng.choice(OPENERS).format(addr=resident.address, building=resident.building, unit=resident.unit)
        detail = "".join(rng.sample(DETAILS, 2))  # two details, so neighbours' reports of one problem still differ
        text = opener + rng.choice(PROBLEMS) + ("，" + detail if detail else "")
        result = classifier.classify(text)
        if result.confident and result.label in ("property", "grid"):
            return Message(resident.telegram_id, text, result.label, result.subcategory, result.urgent)
    raise RuntimeError("no confident complaint text; has the lexicon changed?")


# -- building the databases -------------------------------------------------------------------------


def settings_for(db_path: Path):
    return load_settings(_env_file=None, db_path=db_path, roster=DEMO_ROSTER, admin_ids="", bot_token=None)


class QuietConsole(Console):
    """The console with nothing printed (what it would print is still rendered, as in the tests)."""

    def __init__(self, application, double, clock) -> None:
        super().__init__(application, double, clock, write=lambda _: None)


async def open_console(db_path: Path) -> QuietConsole:
    clock = ManualClock(TZ, START)
    application, double = console_application(settings_for(db_path), clock)
    console = QuietConsole(application, double, clock)
    await console.open()
    return console


async def register_residents(store: Store, rng: random.Random) -> None:
    """Extra residents across every building and unit of the demo roster, via the store's API."""
    places = []
    for compound in await store.list_compounds():
        for building in await store.list_buildings(compound.id):
            for unit in await store.list_units(building.id):
                places.append((building.id, unit.id))
    async with store.transaction() as db:
        for i in range(EXTRA_RESIDENTS):
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
            person_id = await Store.create_person(
                db, telegram_id=RESIDENT_TG_BASE + i, name=name, at=START - timedelta(days=rng.randint(30, 900)),
                phone=f"139{rng.randrange(10**8):08d}" if rng.random() < 0.6 else None)
            building_id, unit_id = places[i % len(places)]
            await Store.set_address(db, person_id, building_id, unit_id)


async def residents(store: Store) -> list[Resident]:
    found = []
    for i in range(EXTRA_RESIDENTS):
        person = await store.person_by_telegram(RESIDENT_TG_BASE + i)
        compound, building = await store.building_path(person.building_id)
        unit = await store.unit_name(person.unit_id)
        found.append(Resident(person.telegram_id, person.id, person.building_id, person.unit_id, person.address,
                              compound + building, unit))
    return found


@dataclass
class TicketSpec:
    reporter_id: int
    building_id: int
    unit_id: int
    status: Status
    created: datetime
    message: Message
    anonymous: bool = False


@dataclass
class SeedReport:
    tickets: int = 0
    events: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


async def seed_tickets(console: Console, people: list[Resident], count: int, rng: random.Random) -> SeedReport:
    """``count`` tickets in chronological order (ids grow with time, as in production), 2–4 events each."""
    svc = console.services
    store, desk, classifier = svc.store, svc.tickets, svc.triage.classifier
    report = SeedReport()
    started = time.perf_counter()
    me = await store.person_by_telegram(MY_USER)
    my_resident = Resident(MY_USER, me.id, me.building_id, me.unit_id, me.address, "", "")
    routes = {}
    for building_id in {p.building_id for p in people} | {me.building_id}:
        routes[building_id] = await desk.route(building_id, 0)
    # A few hundred texts per building are enough variety and keep classification out of the seeding time.
    pool = [complaint(rng, classifier, rng.choice(people)) for _ in range(3_000)]

    weights = [rng.lognormvariate(0, 0.8) for _ in people]
    reporters = rng.choices(people, weights=weights, k=count - MY_TICKETS) + [my_resident] * MY_TICKETS
    rng.shuffle(reporters)
    span = (START - timedelta(days=8)) - (START - timedelta(days=3 * 365))
    specs = []
    for reporter in reporters:
        status = Status.CANCELLED if rng.random() < 0.035 else Status.CLOSED
        created = START - timedelta(days=3 * 365) + span * rng.random()
        specs.append(TicketSpec(reporter.person_id, reporter.building_id, reporter.unit_id, status, created,
                                rng.choice(pool), anonymous=rng.random() < 0.05))
    # The few tickets still in progress are recent, and a resident seldom has more than one.
    by_reporter: dict[int, list[TicketSpec]] = {}
    for spec in specs:
        if spec.reporter_id != me.id:
            by_reporter.setdefault(spec.reporter_id, []).append(spec)
    holders = rng.sample(sorted(by_reporter), ACTIVE_HOLDERS + RESOLVED_HOLDERS)
    for n, holder in enumerate(holders):
        spec = rng.choice(by_reporter[holder])
        if n < ACTIVE_HOLDERS:  # (status, opened between this many hours ago)
            spec.status, newest, oldest = rng.choices(
                [(Status.OPEN, 0.5, 20), (Status.ACCEPTED, 1, 72), (Status.REOPENED, 12, 120)], weights=[40, 50, 10])[0]
        else:
            spec.status, newest, oldest = Status.RESOLVED, 3, 72
        spec.created = START - timedelta(hours=rng.uniform(newest, oldest))
    my_specs = [spec for spec in specs if spec.reporter_id == me.id]
    my_specs[0].status, my_specs[0].created = Status.RESOLVED, START - timedelta(hours=30)
    specs.sort(key=lambda spec: spec.created)

    for first in range(0, len(specs), SEED_BATCH):
        async with store.transaction() as db:
            for spec in specs[first:first + SEED_BATCH]:
                report.events += await insert_seeded(db, desk, routes[spec.building_id], spec, rng)
        report.tickets += min(SEED_BATCH, len(specs) - first)
    for spec in specs:
        report.by_status[spec.status.value] = report.by_status.get(spec.status.value, 0) + 1
    report.seconds = time.perf_counter() - started
    return report


async def insert_seeded(db, desk, route, spec: TicketSpec, rng: random.Random) -> int:
    """One ticket with the events its status implies; returns the number of events written."""
    m, created, status = spec.message, spec.created, spec.status
    assignee = route.assignee_id
    hour = timedelta(hours=1)
    latest = START - timedelta(minutes=1)  # nothing has happened after "now"
    accepted_at = min(created + hour * rng.uniform(0.2, 3), latest)
    resolved_at = min(accepted_at + hour * rng.uniform(2, 60), latest)
    fields = dict(reporter_id=spec.reporter_id, building_id=spec.building_id, unit_id=spec.unit_id, text=m.text,
                  label=m.label, subcategory=m.subcategory, urgent=int(m.urgent), anonymous=int(spec.anonymous),
                  status=status.value, level=route.level, assignee_id=assignee, created_at=created)
    events: list[tuple[datetime, str, int | None, dict]] = [
        (created, "opened", spec.reporter_id,
         dict(label=m.label, subcategory=m.subcategory, urgent=m.urgent, anonymous=spec.anonymous))]
    deadlines = desk.deadlines
    if status is Status.OPEN:
        accept_due = deadlines.accept_by(created, m.urgent)
        resolve_due = deadlines.resolve_by(created, m.label, m.urgent)
        fields.update(accept_due=accept_due, resolve_due=resolve_due, next_due=accept_due - timedelta(minutes=30),
                      updated_at=created)
        events.append((created, "assigned", None, dict(level=route.level, assignee=assignee)))
    elif status is Status.ACCEPTED:
        resolve_due = deadlines.resolve_by(created, m.label, m.urgent)
        fields.update(resolve_due=resolve_due, next_due=resolve_due - timedelta(hours=4), updated_at=accepted_at)
        events.append((created, "assigned", None, dict(level=route.level, assignee=assignee)))
        events.append((accepted_at, "accepted", assignee, dict(status="accepted")))
    elif status is Status.REOPENED:
        level = min(route.level + 1, 2)
        reopened_at = min(created + hour * rng.uniform(1, 10), latest)
        accept_due = deadlines.accept_by(reopened_at, m.urgent)
        resolve_due = deadlines.resolve_by(reopened_at, m.label, m.urgent)
        note = rng.choice(RESOLUTIONS)
        fields.update(level=level, rating="dissatisfied", resolved_by=assignee, resolution=note, accept_due=accept_due,
                      resolve_due=resolve_due, next_due=accept_due - timedelta(minutes=30), updated_at=reopened_at)
        events.append((created + hour, "resolved", assignee, dict(note=note, status="resolved")))
        events.append((reopened_at, "reopened", spec.reporter_id,
                       dict(rating="dissatisfied", status="reopened", level=level)))
    elif status is Status.RESOLVED:
        note = rng.choice(RESOLUTIONS)
        rate_due = deadlines.rate_by(resolved_at)
        fields.update(resolved_by=assignee, resolution=note, rate_due=rate_due, next_due=rate_due,
                      updated_at=resolved_at)
        events.append((created, "assigned", None, dict(level=route.level, assignee=assignee)))
        events.append((accepted_at, "accepted", assignee, dict(status="accepted")))
        events.append((resolved_at, "resolved", assignee, dict(note=note, status="resolved")))
    elif status is Status.CANCELLED:
        cancelled_at = created + hour * rng.uniform(0.1, 5)
        fields.update(updated_at=cancelled_at)
        events.append((created, "assigned", None, dict(level=route.level, assignee=assignee)))
        events.append((cancelled_at, "cancelled", spec.reporter_id, dict(status="cancelled")))
    else:  # closed: rated by the resident, or closed unrated after the rating days
        note = rng.choice(RESOLUTIONS)
        events.append((resolved_at, "resolved", assignee, dict(note=note, status="resolved")))
        if rng.random() < 0.65:
            rating = rng.choices(["satisfied", "basic"], weights=[80, 20])[0]  # "dissatisfied" would reopen it
            closed_at = resolved_at + hour * rng.uniform(1, 48)
            events.insert(1, (accepted_at, "accepted", assignee, dict(status="accepted")))
            events.append((closed_at, "rated", spec.reporter_id, dict(rating=rating, status="closed")))
        else:
            rating = None
            closed_at = deadlines.rate_by(resolved_at)
            events.append((closed_at, "closed", None, dict(status="closed", rating=None, reason="unrated")))
        fields.update(rating=rating, resolved_by=assignee, resolution=note, updated_at=closed_at)
    ticket_id = await Store.insert_ticket(db, **fields)
    for at, kind, actor, detail in events:
        await Store.add_event(db, ticket_id, at, kind, actor, **detail)
    return len(events)


# -- measuring ---------------------------------------------------------------------------------------


@dataclass
class Run:
    name: str
    latencies_ns: list[int]
    total_ns: int
    by_outcome: dict[str, list[int]] = field(default_factory=dict)  # latencies per kind of reply

    @property
    def rate(self) -> float:
        return len(self.latencies_ns) / (self.total_ns / 1e9)

    def percentile_ms(self, p: float, latencies: list[int] | None = None) -> float:
        ordered = sorted(self.latencies_ns if latencies is None else latencies)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] / 1e6

    @property
    def p50(self) -> float:
        return self.percentile_ms(50)

    @property
    def p99(self) -> float:
        return self.percentile_ms(99)


def outcome(console: Console, since: int, telegram_id: int) -> str:
    """What a complaint led to, read from what the bot sent the resident."""
    texts = [record.text for record in console.double.outbox[since:] if record.chat_id == telegram_id]
    joined = "\n".join(texts)
    if "已登记工单" in joined:
        return "ticket opened"
    if "未办结的工单" in joined:
        return "asked: follow-up or new?"
    if "类似问题" in joined:
        return "asked: me too?"
    if "不太确定" in joined:
        return "asked: which kind?"
    return "other: " + (texts[0][:20] if texts else "(nothing sent)")


async def drive(console: Console, messages: list[Message], name: str, count_outcomes: bool = True) -> Run:
    latencies = []
    by_outcome: dict[str, list[int]] = {}
    started = time.perf_counter_ns()
    for message in messages:
        console.user_id = message.telegram_id
        before = len(console.double.outbox)
        t0 = time.perf_counter_ns()
        await console.run_line(message.text)
        latencies.append(time.perf_counter_ns() - t0)
        if count_outcomes:  # reading the outbox is cheap, but it is still outside the timed part
            by_outcome.setdefault(outcome(console, before, message.telegram_id), []).append(latencies[-1])
    return Run(name, latencies, time.perf_counter_ns() - started, by_outcome)


async def drive_my(console: Console, count: int, name: str) -> Run:
    console.user_id = MY_USER
    latencies = []
    started = time.perf_counter_ns()
    for _ in range(count):
        t0 = time.perf_counter_ns()
        await console.run_line("/my")
        latencies.append(time.perf_counter_ns() - t0)
    return Run(name, latencies, time.perf_counter_ns() - started)


@dataclass
class Scenario:
    label: str
    complaints: Run
    my: Run
    my_lines: int
    seed: SeedReport | None
    db_mb: float
    build_seconds: float
    profile: str = ""


def db_size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6


async def scenario(label: str, tickets: int, n_complaints: int, n_my: int, profile: bool) -> Scenario:
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory(prefix="shuoshi-bench-") as tmp:
        db_path = Path(tmp) / "shuoshi.db"
        started = time.perf_counter()
        console = await open_console(db_path)  # first start: imports the demo roster
        try:
            await register_residents(console.services.store, rng)
            people = await residents(console.services.store)
            seed = await seed_tickets(console, people, tickets, rng) if tickets else None
        finally:
            await console.close()
        build_seconds = time.perf_counter() - started

        console = await open_console(db_path)  # a restart on the populated database
        try:
            classifier = console.services.triage.classifier
            store = console.services.store
            # Every sender is a different resident, in random order: most have no ticket in progress.
            msg_rng = random.Random(SEED + 1)
            senders = msg_rng.sample(people, WARMUP + n_complaints)
            messages = [complaint(msg_rng, classifier, resident) for resident in senders]
            warm, measured = messages[:WARMUP], messages[WARMUP:]
            await drive(console, warm, "warm-up", count_outcomes=False)
            complaints = await drive(console, measured, f"complaints ({label})")
            console.user_id = MY_USER
            for _ in range(WARMUP):
                await console.run_line("/my")
            my = await drive_my(console, n_my, f"/my ({label})")
            my_person = await store.person_by_telegram(MY_USER)
            my_lines = len(await store.tickets_of(my_person.id))
            used = {resident.telegram_id for resident in senders}
            fresh = [resident for resident in people if resident.telegram_id not in used]  # no ticket opened here
            profiled = await profile_run(console, fresh, classifier) if profile else ""
        finally:
            await console.close()
        return Scenario(label, complaints, my, my_lines, seed, db_size_mb(db_path), build_seconds, profiled)


PROFILED = [  # (row label, file path ending, function name): cumulative time on the event-loop thread
    ("Console.run_line (one whole update)", "handlers/console.py", "run_line"),
    ("  console harness: _user + flush", "handlers/console.py", ("_user", "flush")),
    ("  ShuoshiApplication.process_update", "handlers/app.py", "process_update"),
    ("    handler messages.text_message", "handlers/messages.py", "text_message"),
    ("      Triager.triage (classify+inbox)", "bot/triage.py", "triage"),
    ("      tickets.offer_or_open", "handlers/tickets.py", "offer_or_open"),
    ("        TicketDesk.open_ticket", "bot/tickets.py", "open_ticket"),
    ("          TicketDesk.route+informed", "bot/tickets.py", ("route", "informed")),
    ("        TicketDesk.find_similar", "bot/tickets.py", "find_similar"),
    ("    handler tickets.my_tickets", "handlers/tickets.py", "my_tickets"),
    ("    NotificationSender.drain", "handlers/notify.py", "drain"),
    ("      notify.render", "handlers/notify.py", "render"),
    ("Store._person_from_row (all callers)", "bot/store.py", "_person_from_row"),
    ("Store._fetch (every read)", "bot/store.py", "_fetch"),
    ("Store.transaction (every write)", "bot/store.py", "transaction"),
    ("ExtBot.send_message (PTB+double)", "telegram/ext/_extbot.py", "send_message"),
    ("Update.de_json", "telegram/_update.py", "de_json"),
    ("Classifier.classify", "bot/classifier.py", "classify"),
    ("idle in epoll: waiting on aiosqlite", "~", "<method 'poll' of 'select.epoll' objects>"),
]


def profile_table(profiler: cProfile.Profile, n: int) -> list[str]:
    stats = pstats.Stats(profiler).stats
    total = sum(tt for (_, _, _), (_, _, tt, _, _) in stats.items())
    lines = [f"  {'where (cumulative, per update)':<40}{'ms':>8}{'share':>8}"]
    for label, path, names in PROFILED:
        names = (names,) if isinstance(names, str) else names
        cumulative = sum(ct for (file, _, name), (_, _, _, ct, _) in stats.items()
                         if name in names and file.replace("\\", "/").endswith(path))
        if cumulative:
            lines.append(f"  {label:<40}{cumulative / n * 1e3:>8.3f}{cumulative / total:>8.0%}")
    lines.append(f"  {'(everything profiled)':<40}{total / n * 1e3:>8.3f}{1:>8.0%}")
    return lines


async def profile_run(console: Console, people: list[Resident], classifier) -> str:
    """cProfile and an SQL statement count over 300 complaints and 300 × /my (after the measurements)."""
    rng = random.Random(SEED + 2)
    messages = [complaint(rng, classifier, resident) for resident in rng.sample(people, min(300, len(people)))]
    statements: Counter[str] = Counter()

    def trace(sql: str) -> None:
        statements[re.sub(r"'[^']*'|\b\d+(\.\d+)?\b", "?", " ".join(sql.split()))[:110]] += 1

    # Diagnostics only: sqlite3's trace hook on the store's connection counts the statements each update runs.
    connection = console.services.store._db
    out = []
    for title, work in ((f"{len(messages)} complaints", lambda: drive(console, messages, "profile")),
                        ("300 × /my", lambda: drive_my(console, 300, "profile"))):
        statements.clear()
        await connection.set_trace_callback(trace)
        profiler = cProfile.Profile()
        profiler.enable()
        run = await work()
        profiler.disable()
        await connection.set_trace_callback(None)
        kinds = ", ".join(f"{k} {len(v)}" for k, v in run.by_outcome.items())
        n = len(run.latencies_ns)
        out.append(f"--- {title} on the full database{' (' + kinds + ')' if kinds else ''}: "
                   f"{sum(statements.values()) / n:.1f} SQL statements per update (each one aiosqlite round trip)")
        out.extend(f"  {count / n:6.2f}  {sql}" for sql, count in statements.most_common(14))
        out.append(f"--- cProfile of the same {title} (profiler overhead included; p50 unprofiled is lower)")
        out.extend(profile_table(profiler, n))
    return "\n".join(out)


# -- reporting ---------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(empty: Scenario, full: Scenario, tickets: int) -> bool:
    print()
    for s in (empty, full):
        line = f"database '{s.label}': built in {s.build_seconds:.1f} s, {s.db_mb:.1f} MB on disk"
        if s.seed:
            statuses = ", ".join(f"{k} {v}" for k, v in sorted(s.seed.by_status.items(), key=lambda kv: -kv[1]))
            line += (f"; seeded {s.seed.tickets:,} tickets + {s.seed.events:,} events in {s.seed.seconds:.1f} s "
                     f"({s.seed.tickets / s.seed.seconds:,.0f} tickets/s; not measured) — {statuses}")
        print(line)
    print()
    header = f"{'scenario':<28}{'updates/s':>11}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"
    print(header)
    print("-" * len(header))
    for a, b in ((empty.complaints, full.complaints), (empty.my, full.my)):
        for run in (a, b):
            print(f"{run.name:<28}{run.rate:>11.0f}{run.p50:>9.2f}{run.p99:>9.2f}{max(run.latencies_ns) / 1e6:>9.2f}")
        kind = a.name.split(" (")[0]
        print(f"{'  ratio full/empty ' + kind:<28}{b.rate / a.rate:>10.2f}x{b.p50 / a.p50:>8.2f}x{b.p99 / a.p99:>8.2f}x")
    print()
    print("what the complaints led to (a resident with a ticket in progress is asked \"follow-up or new?\";")
    print("a similar open ticket in the building by someone else gives \"me too?\"):")
    kinds = sorted({k for s in (empty, full) for k in s.complaints.by_outcome},
                   key=lambda k: -len(full.complaints.by_outcome.get(k, [])))
    print(f"  {'reply':<26}" + "".join(f"{s.label + ': n / p50 / p99 ms':>32}" for s in (empty, full))
          + f"{'p50, p99 full/empty':>22}")
    for kind in kinds:
        cells, lats = [], []
        for s in (empty, full):
            lat = s.complaints.by_outcome.get(kind, [])
            run = s.complaints
            lats.append(lat)
            cells.append(f"{len(lat):>6} / {run.percentile_ms(50, lat):6.2f} / {run.percentile_ms(99, lat):6.2f}"
                         if lat else "—")
        ratio = ""
        if all(lats):
            p = [[empty.complaints.percentile_ms(q, lat) for lat in lats] for q in (50, 99)]
            ratio = f"{p[0][1] / p[0][0]:.2f}x, {p[1][1] / p[1][0]:.2f}x"
        print(f"  {kind:<26}" + "".join(f"{cell:>32}" for cell in cells) + f"{ratio:>22}")
    for s in (empty, full):
        print(f"/my on '{s.label}' lists {s.my_lines} tickets for resident {MY_USER}")
    print()
    checks = [
        (f"complaints on {tickets:,} tickets: {full.complaints.rate:.0f} updates/s >= {TARGET_RATE:.0f}",
         full.complaints.rate >= TARGET_RATE),
        (f"complaints on {tickets:,} tickets: p99 {full.complaints.p99:.2f} ms <= {TARGET_P99_MS:.0f} ms",
         full.complaints.p99 <= TARGET_P99_MS),
        (f"/my on {tickets:,} tickets: p99 {full.my.p99:.2f} ms <= {TARGET_MY_P99_MS:.0f} ms",
         full.my.p99 <= TARGET_MY_P99_MS),
    ]
    for text, ok in checks:
        print(f"{verdict(ok)}  {text}")
    return all(ok for _, ok in checks)


def pin_to_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        try:
            cpu = min(os.sched_getaffinity(0))
            os.sched_setaffinity(0, {cpu})  # threads started later (aiosqlite's) inherit it
            return f"pinned to CPU {cpu} (os.sched_setaffinity) of {os.cpu_count()}"
        except OSError as exc:
            return f"could not pin to one CPU ({exc}); {os.cpu_count()} CPUs visible"
    return f"os.sched_setaffinity unavailable; {os.cpu_count()} CPUs visible"


async def main(args: argparse.Namespace) -> None:
    print("shuoshi ticket benchmark: complaints and /my through the real Application, offline (BotApiDouble)")
    print(f"python {sys.version.split()[0]}, {pin_to_one_core()}; clock fixed at {START:%Y-%m-%d %H:%M %Z}")
    print(f"{args.complaints} complaints from different registered residents and {args.my} × /my for resident "
          f"{MY_USER}, each after {WARMUP} warm-up updates; baseline 'empty' = demo roster + the same "
          f"{EXTRA_RESIDENTS:,} residents, no tickets")
    empty = await scenario("empty", 0, args.complaints, args.my, profile=False)
    full = await scenario(f"{args.tickets // 1000}k tickets", args.tickets, args.complaints, args.my,
                          profile=args.profile)
    report(empty, full, args.tickets)
    if full.profile:
        print("\n" + full.profile)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak_mb = peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024
    print(f"\npeak RSS {peak_mb:.0f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000, help="tickets seeded in the full database")
    parser.add_argument("--complaints", type=int, default=1_500, help="complaints measured per database")
    parser.add_argument("--my", type=int, default=1_000, help="/my updates measured per database")
    parser.add_argument("--profile", action="store_true", help="cProfile 300 complaints and 300 /my on the full database")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    started = time.perf_counter()
    asyncio.run(main(parser.parse_args()))
    print(f"total run time {time.perf_counter() - started:.0f} s")
