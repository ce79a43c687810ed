"""Service orders (居民点单、社区派单、共建单位接单) on the ticket machinery."""

from datetime import timedelta

from bot.models import Status
from tests.conftest import open_chat


async def order(chat, text="想申请法律援助，工资被拖欠了"):
    replies = await chat.say(1001, text)
    assert any("已为您登记服务预约" in line for line in replies), replies
    return await chat.services.store.ticket(1), replies


async def test_an_order_goes_to_staff_and_the_partner_not_the_building_head(chat):
    ticket, replies = await order(chat)
    staff = await chat.services.store.person_by_telegram(5001)
    assert ticket.is_order and ticket.service_id == "legal" and ticket.level == 2 and ticket.assignee_id == staff.id
    text = "\n".join(replies)
    assert "[to 陈静 5001] 🛎️ 新的服务预约 #1" in text and "[to 王律师 6001]" in text
    assert "[to 赵德明 2003]" not in text and "[to 心晴心理工作室 6003]" not in text


async def test_an_urgent_request_for_help_stays_an_ordinary_ticket(chat):
    replies = await chat.say(1001, "我家老人摔倒了起不来，快来人帮忙")
    ticket = await chat.services.store.ticket(1)
    assert ticket is not None and not ticket.is_order and ticket.urgent
    assert any("[to 赵德明 2003]" in line for line in replies)


async def test_the_partner_schedules_and_the_resident_is_told_and_reminded_once(chat):
    await order(chat)
    await chat.say(1001, "::tap 越快越好")
    await chat.say(6001, "/ticket 1")
    await chat.say(6001, "::tap 安排时间地点")
    await chat.say(6001, "::tap 其他时间地点")
    replies = await chat.say(6001, "11-24 10:00 您家里，上门服务")
    ticket = await chat.services.store.ticket(1)
    partner = await chat.services.store.person_by_telegram(6001)
    assert ticket.status is Status.ACCEPTED and ticket.assignee_id == partner.id
    assert ticket.appointment_place == "您家里，上门服务" and ticket.preferred_time == "越快越好"
    told = [line for line in replies if line.startswith("[to 张桂兰 1001]")]
    assert told and "明天周二 上午10点，您家里，上门服务" in told[0]
    assert any(line.startswith("[to 陈静 5001] 工单 #1 已由 共建单位 王律师 安排") for line in replies)
    reminders = []
    for _ in range(3):
        reminders += [line for line in await chat.line("::advance 12h") if "⏰ 提醒：您预约的" in line]
    assert len(reminders) == 1


async def test_the_partner_finds_open_orders_of_its_service_in_tasks(chat):
    await order(chat)
    assert any("#1" in line for line in await chat.say(6001, "/tasks"))
    assert not any("#1" in line for line in await chat.say(6003, "/tasks"))


async def test_other_partners_and_residents_cannot_act_on_an_order(chat):
    await order(chat)
    before = await chat.services.store.ticket(1)
    assert any("不是这张工单的负责人" in line for line in await chat.press(6003, "tk:1:accept"))
    assert any("不是这张工单的负责人" in line for line in await chat.press(6003, "ap:1:other"))
    assert any("失效" in line for line in await chat.press(1002, "pt:1:asap"))
    assert any("不是这张工单的负责人" in line for line in await chat.press(1001, "ap:1:202611251400"))
    assert any("重新选择" in line for line in await chat.press(5001, "ap:1:209901011400"))  # not one of the slots
    assert await chat.services.store.ticket(1) == before


async def test_staff_dispatch_to_the_partner_and_dissatisfaction_returns_to_staff(chat):
    await order(chat)
    await chat.say(5001, "::tap 转交")
    replies = await chat.say(5001, "::tap 共建单位")
    assert any("已转交给 共建单位 王律师" in line for line in replies)
    await chat.say(6001, "::tap 接单")
    await chat.say(6001, "::tap 已解决")
    await chat.say(6001, "电话里解答了")
    await chat.say(1001, "::tap 不满意")
    ticket = await chat.services.store.ticket(1)
    staff = await chat.services.store.person_by_telegram(5001)
    assert ticket.status is Status.REOPENED and ticket.assignee_id == staff.id and ticket.level == 2


async def test_book_from_an_answer_and_no_double_booking(chat):
    chat.clock.set(chat.clock.now() + timedelta(days=2))  # Wednesday
    await chat.say(1001, "律师哪天值班")
    replies = await chat.say(1001, "::tap 我要预约")
    assert any("已为您登记服务预约 #1：法律咨询" in line for line in replies)
    await chat.say(1001, "律师什么时候在")
    replies = await chat.say(1001, "::tap 我要预约")
    assert any("已经有一张法律咨询的预约 #1" in line for line in replies)
    assert await chat.services.store.ticket(2) is None


async def test_an_order_and_its_pending_time_survive_a_restart(settings, clock):
    chat = await open_chat(settings, clock)
    try:
        await order(chat)
        await chat.say(1001, "::tap 其他时间")
    finally:
        await chat.close()
    chat = await open_chat(settings, clock)
    try:
        replies = await chat.say(1001, "周四上午都行")
        assert any("已把您希望的时间告诉接单人" in line for line in replies)
        assert (await chat.services.store.ticket(1)).preferred_time == "周四上午都行"
    finally:
        await chat.close()


async def test_a_neighbour_is_never_offered_to_join_someone_elses_order(chat):
    await order(chat, "我想预约法律咨询，房子继承的事想问问律师")
    replies = await chat.say(1002, "我想预约法律咨询")  # same building
    assert not any("联名" in line or "继承" in line for line in replies if line.startswith("[to 李建国 1002]"))
    assert (await chat.services.store.ticket(2)).reporter_id != (await chat.services.store.ticket(1)).reporter_id


async def test_an_emergency_is_not_taken_for_the_preferred_time(chat):
    await order(chat)
    await chat.say(1001, "::tap 其他时间")
    replies = await chat.say(1001, "我家老人摔倒了在地上起不来，快来人")
    assert any("110 报警 · 119 火警 · 120 急救" in line for line in replies)
    assert (await chat.services.store.ticket(1)).preferred_time is None


async def test_the_partner_hears_of_a_booking_made_by_staff_and_a_double_tap_books_once(chat):
    chat.clock.set(chat.clock.now() + timedelta(days=2))  # Wednesday 09:00: today's duty is bookable
    await order(chat)
    stamp = f"ap:1:{chat.clock.now():%Y%m%d}1400"
    first = await chat.press(5001, stamp)
    second = await chat.press(5001, stamp)
    assert any(line.startswith("[to 王律师 6001] 工单 #1 已由 社区工作人员 陈静 安排") for line in first)
    assert not any(line.startswith("[to 张桂兰 1001]") for line in second)
    events = [e.type for e in await chat.services.store.ticket_events(1)]
    assert events.count("scheduled") == 1


async def test_dissatisfaction_with_the_partners_work_returns_to_staff_with_deadlines(chat):
    await order(chat)
    await chat.say(6001, "::tap 已解决")  # the partner resolves straight from the card
    await chat.say(6001, "电话里解答了")
    await chat.say(1001, "::tap 不满意")
    ticket = await chat.services.store.ticket(1)
    assert ticket.level == 2 and ticket.accept_due is not None and ticket.resolve_due is not None


async def test_orders_forward_only_to_partner_or_staff_and_closed_orders_take_no_preference(chat):
    await order(chat)
    assert any("不能转交" in line for line in await chat.press(5001, "tk:1:fwd-grid"))
    assert (await chat.services.store.ticket(1)).assignee_id == (await chat.services.store.person_by_telegram(5001)).id
    await chat.press(1001, "cx:1:yes")
    assert any("已经是" in line for line in await chat.press(1001, "pt:1:asap"))
    assert (await chat.services.store.ticket(1)).preferred_time is None


async def test_a_location_asked_for_by_an_answer_finds_a_station_even_after_a_report(chat):
    await order(chat)
    await chat.say(1001, "离我最近的驿站在哪")
    replies = await chat.line("::location 30.3186 120.1512")
    assert any("离您最近的开放中的驿站" in line for line in replies)


async def test_start_up_names_services_whose_partner_is_not_in_the_roster(chat):
    assert await chat.services.tickets.missing_partners() == []
    store = chat.services.store
    async with store.transaction() as db:
        await db.execute("DELETE FROM roles WHERE role = 'partner' AND person_id = "
                         "(SELECT id FROM people WHERE telegram_id = 6001)")
    assert await chat.services.tickets.missing_partners() == ["legal（王律师）"]
