"""Broadcasts: targeted, refused to non-staff, exactly once through 429s, 403s and a crash."""

import asyncio
from collections import Counter

from bot.models import Role, Person
from handlers.botapi_double import BotApiDouble
from handlers.broadcasts import make_engine


async def test_demo_script(chat):
    text = await chat.run_script("broadcast.txt")
    assert "对象：幸福里小区3号楼，共 2 人" in text
    assert "[to 张桂兰 1001] 📢 社区通知\n明天上午9点到12点3号楼停水检修" in text
    assert "[to 李建国 1002] 📢 社区通知" in text
    assert "[to 王秀英 1003]" not in text
    assert "送达 2，无法送达 0，失败 0" in text
    assert "[to 张桂兰 1001] (提示) 已确认收到，谢谢！" in text
    assert "送达 2/2，无法送达 0，失败 0，确认 1" in text
    assert "通知 #1：已确认 1/2\n幸福里小区3号楼 未确认：李建国" in text
    assert text.endswith("[to 张桂兰 1001] 抱歉，这个命令只有社区工作人员可以使用。")


async def test_reminder_goes_only_to_the_unconfirmed(chat):
    await chat.run_script("broadcast.txt")
    await chat.say(5001, "/broadcasts")
    replies = await chat.line("::tap 提醒未确认")
    assert any(line.startswith("[to 李建国 1002] 📢 社区通知\n（提醒）") for line in replies)
    assert not any(line.startswith("[to 张桂兰 1001] 📢") for line in replies)
    await chat.say(1002, "::tap 收到")
    counts = await chat.services.store.broadcast_counts(1)
    assert counts["confirmed"] == 2


async def test_scheduled_broadcast_waits_for_its_time_and_can_be_cancelled(chat):
    for line in ("/broadcast", "周六上午社区义诊，欢迎参加", "::tap 全体楼栋长", "::tap 1小时后"):
        await chat.say(5001, line)
    def delivered(text: str) -> list[str]:
        return [line.split("]")[0] for line in chat.lines if f"] 📢 社区通知\n{text}" in line]

    assert delivered("周六") == []
    await chat.line("::advance 61m")
    assert delivered("周六") == ["[to 赵德明 2003", "[to 孙丽华 2008"]
    for line in ("/broadcast", "第二条", "::tap 全体网格长", "::tap 1小时后", "::tap 取消发送"):
        await chat.say(5001, line)
    await chat.line("::advance 2h")
    assert delivered("第二条") == []


async def add_residents(store, count: int) -> None:
    at = (await store.person_by_telegram(1001))
    async with store.transaction() as db:
        for n in range(count):
            person_id = await store.create_person(db, telegram_id=800_000 + n, name=f"居民{n}",
                                                  at=datetime_now())
            await store.set_address(db, person_id, at.building_id, at.unit_id)


def datetime_now():
    from tests.conftest import START
    return START


async def test_exactly_once_through_429_403_and_a_crash(chat):
    store, svc = chat.services.store, chat.services
    await add_residents(store, 300)
    blocked = {800_000 + n for n in range(0, 300, 37)}
    sends = Counter()
    crash = asyncio.Event()
    state = {"sent": 0}

    def fail(method, params):
        if method not in ("sendMessage", "sendPhoto"):
            return None
        chat_id = int(params["chat_id"])
        sends[chat_id] += 1
        if chat_id in blocked:
            return 403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
        if sends[chat_id] == 1 and chat_id % 11 == 0:
            return 429, {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 1",
                         "parameters": {"retry_after": 1}}
        state["sent"] += 1
        if state["sent"] == 120:
            crash.set()
        return None

    chat.double._fail = fail
    author: Person = await store.person_by_telegram(5001)
    from bot import broadcasts as core
    broadcast_id = await core.compose(store, svc.clock, author, "全体居民：今晚消防演练", None)
    await store.set_broadcast_audience(broadcast_id, "all", None, "全体居民")
    total = await core.launch(store, svc.clock, author, broadcast_id, None, None)

    async def no_sleep(seconds: float) -> None:
        await asyncio.sleep(0)

    first = make_engine(svc, chat.app.bot, rate=10_000, sleep=no_sleep)
    task = asyncio.create_task(first.drain())
    await crash.wait()
    task.cancel()  # the bot is killed mid-way
    await asyncio.gather(task, return_exceptions=True)
    counts = await store.broadcast_counts(broadcast_id)
    assert 0 < counts["sent"] < total and counts["pending"] > 0

    second = make_engine(svc, chat.app.bot, rate=10_000, sleep=no_sleep)  # restarted from the database
    while (await store.broadcast_counts(broadcast_id))["pending"]:
        await second.drain()
    counts = await store.broadcast_counts(broadcast_id)
    delivered = Counter(record.chat_id for record in chat.double.outbox
                        if record.kind == "message" and record.text.startswith("📢 社区通知\n全体居民"))
    # 5001 speaks for 幸福社区: everyone there, not the street office's admin 9001 (who lives nowhere in it),
    # nor the partner units' contacts (6001-6004), who serve the community but do not live in it.
    recipients = [p.telegram_id for p in await store.all_people()
                  if p.telegram_id not in (None, 9001) and Role.PARTNER not in p.roles]
    assert all(delivered[partner] == 0 for partner in (6001, 6002, 6003, 6004))
    assert delivered[9001] == 0
    for chat_id in recipients:
        assert delivered[chat_id] == (0 if chat_id in blocked else 1), chat_id
    assert counts == {"pending": 0, "sent": total - len(blocked), "unreachable": len(blocked), "failed": 0,
                      "cancelled": 0, "total": total, "confirmed": 0}


def test_double_is_a_base_request():
    assert issubclass(BotApiDouble, __import__("telegram").request.BaseRequest)


def test_parse_time():
    from datetime import datetime

    from handlers.broadcasts import parse_time
    from tests.conftest import START, TZ

    assert parse_time("11-25 09:00", START) == datetime(2026, 11, 25, 9, tzinfo=TZ)
    assert parse_time("2026-11-25 9:30", START) == datetime(2026, 11, 25, 9, 30, tzinfo=TZ)
    assert parse_time("11月25日 9点", START) == datetime(2026, 11, 25, 9, tzinfo=TZ)
    assert parse_time("08:30", START) == datetime(2026, 11, 24, 8, 30, tzinfo=TZ)  # 08:30 has passed today
    assert parse_time("20:00", START) == datetime(2026, 11, 23, 20, tzinfo=TZ)
    for bad in ("明天", "12月1日", "11-25", "13-45 10:00", "2026-11-01 10:00", "2027-06-01 10:00", ""):
        assert parse_time(bad, START) is None, bad


async def test_typed_send_time(chat):
    for line in ("/broadcast", "下周一停电检修", "::tap 全体网格长", "::tap 其他时间"):
        await chat.say(5001, line)
    assert (await chat.say(5001, "明天"))[0].startswith("[to 陈静 5001] 没看懂这个时间")
    replies = await chat.say(5001, "11-24 10:00")
    assert any("已定时：11-24 10:00 发给 2 人" in line for line in replies)
    await chat.line("::time 2026-11-24 10:01")
    assert sum("] 📢 社区通知\n下周一停电检修" in line for line in chat.lines) == 2


async def test_cancel_stops_sending_at_once_and_counts_right(chat):
    store, svc = chat.services.store, chat.services
    await add_residents(store, 60)
    from bot import broadcasts as core
    author = await store.person_by_telegram(5001)
    broadcast_id = await core.compose(store, svc.clock, author, "取消测试", None)
    await store.set_broadcast_audience(broadcast_id, "all", None, "全体居民")
    await core.launch(store, svc.clock, author, broadcast_id, None, None)
    engine = make_engine(svc, chat.app.bot, rate=10_000)
    sent = {"n": 0}

    def cancel_after_five(method, params):
        if method == "sendMessage":
            sent["n"] += 1
            if sent["n"] == 5:
                engine.cancelled.add(broadcast_id)
                asyncio.get_running_loop().create_task(core.cancel(store, svc.clock, author, broadcast_id))
        return None

    chat.double._fail = cancel_after_five
    await engine.drain()
    await asyncio.sleep(0.05)
    counts = await store.broadcast_counts(broadcast_id)
    assert sent["n"] == 5 and counts["sent"] == 5 and counts["cancelled"] == counts["total"] - 5


async def test_reminder_twice_in_a_row_is_refused(chat):
    await chat.run_script("broadcast.txt")
    await chat.say(5001, "/broadcasts")
    data = chat.double.latest_with_buttons(5001).buttons[0][1]["callback_data"]
    await chat.press(5001, data)
    replies = await chat.press(5001, data)
    assert "已经提醒过" in replies[0]
    assert sum(line.startswith("[to 李建国 1002] 📢 社区通知\n（提醒）") for line in chat.lines) == 1


async def test_staff_broadcast_stays_in_their_community(chat):
    store = chat.services.store
    async with store.transaction() as db:  # a second community in the same street office
        await store.ensure_building(db, street="幸福街道", community="和谐社区", grid="第三网格", compound="和谐家园",
                                   building="1号楼", building_order=1, units=[("1单元", 1)])
        person_id = await store.create_person(db, telegram_id=7501, name="外社区居民", at=chat.clock.now())
        building = (await store.find_place("building", "1号楼", within=(await store.find_place("compound", "和谐家园"))[0].id))[0]
        await store.set_address(db, person_id, building.id, None)
    for line in ("/broadcast", "本社区通知", "::tap 全体居民"):
        await chat.say(5001, line)
    assert any("共 9 人" in line for line in chat.lines[-3:])  # the demo community: 1001-1003, heads, 4001, 5001
    await chat.line("::tap 立即发送")
    assert not any(line.startswith("[to 外社区居民 7501]") for line in chat.lines)
    for line in ("/broadcast", "跨社区", "::tap 某个小区"):
        await chat.say(5001, line)
    replies = await chat.line("::tap 和谐家园")
    assert any("只能向本社区发送通知" in line for line in replies)


async def test_announcement_about_fire_safety_is_taken_as_content(chat):
    await chat.say(5001, "/broadcast")
    replies = await chat.say(5001, "冬季防火：楼道里不要堆放杂物，着火了请拨打119")
    assert replies == ["[to 陈静 5001] 发给谁？\n[全体居民] [某个社区] [某个网格] [某个小区] [某栋楼] [某个单元] [全体楼栋长] [全体网格长]"]


async def test_starting_another_step_says_the_first_was_dropped(chat):
    await chat.say(5001, "/broadcast")
    await chat.say(5001, "/meetings 红色星期天")
    replies = await chat.line("::tap 改期")
    assert replies[0].startswith("[to 陈静 5001] （上一步没有完成的操作已放弃。）")


async def test_another_communitys_staff_cannot_touch_a_broadcast(chat):
    store = chat.services.store
    async with store.transaction() as db:
        await store.ensure_building(db, street="幸福街道", community="和谐社区", grid="第三网格", compound="和谐家园",
                                   building="1号楼", building_order=1, units=[])
        other = await store.create_person(db, telegram_id=7601, name="外社区工作人员", at=chat.clock.now())
        community = (await store.find_place("community", "和谐社区"))[0].id
        from bot.models import Role
        await store.grant_role(db, other, Role.COMMUNITY_STAFF, "community", community)
    for line in ("/broadcast", "今晚停电", "::tap 全体居民", "::tap 今晚8点"):
        await chat.say(5001, line)
    assert (await chat.say(7601, "/broadcasts")) == ["[to 外社区工作人员 7601] 还没有发过通知。发送 /broadcast 发布一条。"]
    replies = await chat.press(7601, "bc:1:cancel")
    assert "只能操作本社区的通知" in replies[0]
    assert (await store.broadcast(1))["state"] == "scheduled"


def test_parse_relative_days():
    from datetime import datetime

    from handlers.broadcasts import parse_time
    from tests.conftest import START, TZ

    assert parse_time("明天 15:00", START) == datetime(2026, 11, 24, 15, tzinfo=TZ)
    assert parse_time("后天 8点", START) == datetime(2026, 11, 25, 8, tzinfo=TZ)
    assert parse_time("2027-01-10 09:00", START, max_days=60) == datetime(2027, 1, 10, 9, tzinfo=TZ)
