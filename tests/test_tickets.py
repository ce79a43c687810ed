"""Tickets: permissions, forged buttons, 联名, anonymity, cancelling, auto-close, follow-ups."""

import asyncio
import json

from bot.models import Status
from tests.test_cli import shuoshi


async def report(chat, user_id=1001, text="3号楼电梯又坏了"):
    return await chat.say(user_id, text)


async def ticket(chat, number=1):
    return await chat.services.store.ticket(number)


async def test_only_the_chain_may_act_on_a_card(chat):
    await report(chat)
    data = chat.double.latest_with_buttons(2003).buttons[0][0]["callback_data"]  # tk:1:accept
    for outsider in (1002, 2008, 3002, 1003):
        replies = await chat.press(outsider, data)
        assert "不是这张工单的负责人" in replies[0]
    assert (await ticket(chat)).status is Status.OPEN
    replies = await chat.press(3001, data)  # the grid head is above the building head
    assert any("已接单" in line for line in replies)
    assert (await ticket(chat)).status is Status.ACCEPTED


async def test_forged_ticket_buttons_change_nothing(chat):
    await report(chat)
    before = await ticket(chat)
    for data in ("tk:1:explode", "tk:999:accept", "tk:x:accept", "rt:1:satisfied", "rt:1:great",
                 "cx:1:yes", "mt:1:1", "fu:999:new", "tk:1:fwd-nowhere"):
        replies = await chat.press(1002, data)
        assert replies and ("失效" in replies[0] or "不是" in replies[0] or "不能" in replies[0]), (data, replies)
    assert await ticket(chat) == before


async def test_double_accept_is_refused(chat):
    await report(chat)
    data = chat.double.latest_with_buttons(2003).buttons[0][0]["callback_data"]
    await chat.press(2003, data)
    replies = await chat.press(2003, data)
    assert "不能接单" in replies[0]


async def test_me_too_offers_and_joins(chat):
    await report(chat, 1001, "3号楼电梯又坏了，停在5楼不动")
    replies = await chat.say(1002, "电梯又坏了 停在五楼")
    assert "类似问题 #1" in replies[0]
    replies = await chat.line("::tap 是，和 #1 一样")
    assert "已联名工单 #1（共 2 人反映）" in replies[0]
    assert any(line.startswith("[to 赵德明 2003] 工单 #1 又有居民联名反映") for line in replies)
    assert (await ticket(chat)).supporters == 1
    await chat.press(2003, "tk:1:accept")
    assert "[to 李建国 1002] 您反映的 #1 已由 楼栋长 赵德明 接单，正在处理。" in chat.lines


async def test_me_too_declined_opens_a_new_ticket(chat):
    await report(chat, 1001, "3号楼电梯又坏了，停在5楼不动")
    await chat.say(1002, "电梯又坏了 停在五楼")
    replies = await chat.line("::tap 不是，新问题")
    assert any("已登记工单 #2" in line for line in replies)


async def test_writing_again_asks_follow_up_or_new(chat):
    await report(chat)
    replies = await chat.say(1001, "电梯的按钮也不亮了，按了没反应")
    assert "补充到 #1" in replies[-1]
    replies = await chat.line("::tap 补充到 #1")
    assert "已补充到工单 #1" in replies[0]
    assert any(line.startswith("[to 赵德明 2003] 居民补充（工单 #1）") for line in replies)


async def test_anonymous_report_hides_the_name_from_the_head_not_staff(chat):
    await chat.say(1001, "/me")
    await chat.line("::tap 开启匿名")
    await report(chat, 1001, "3号楼有人在楼道里给电动车充电，太危险了")
    card = next(line for line in chat.lines if line.startswith("[to 赵德明 2003] 📋 新工单"))
    assert "居民（匿名）" in card and "张桂兰" not in card and "3号楼2单元" in card
    replies = await chat.say(5001, "/ticket 1")
    assert "张桂兰" in replies[0]
    events = await chat.services.store.ticket_events(1)
    assert events[-1].type == "identity_viewed"


async def test_head_asks_and_resident_answer_is_attached(chat):
    await report(chat)
    await chat.press(2003, "tk:1:ask")
    await chat.say(2003, "是哪个单元的电梯？")
    assert any(line.startswith("[to 张桂兰 1001] 关于您反映的 #1，负责人想了解") for line in chat.lines)
    replies = await chat.say(1001, "2单元的")
    assert any(line.startswith("[to 赵德明 2003] 居民回复（工单 #1）：2单元的") for line in replies)


async def test_forward_to_property_manager(chat):
    await report(chat)
    await chat.press(2003, "tk:1:forward")
    replies = await chat.press(2003, "tk:1:fwd-property")
    assert any("已转交给 物业管家 郑磊" in line for line in replies)
    assert any(line.startswith("[to 郑磊 4001] ↪️ 转交给您的工单 #1") for line in replies)
    assert (await ticket(chat)).assignee_id == (await chat.services.store.person_by_telegram(4001)).id


async def test_resident_cancels_own_ticket(chat):
    await report(chat)
    await chat.say(1001, "/ticket 1")
    await chat.line("::tap 撤销工单")
    replies = await chat.line("::tap 确认撤销")
    assert any("工单 #1 已撤销" in line for line in replies)
    assert any(line.startswith("[to 赵德明 2003] 居民已撤销工单 #1") for line in replies)
    assert (await ticket(chat)).status is Status.CANCELLED
    assert await chat.services.tickets.next_due() is None


async def test_unrated_ticket_closes_after_three_days(chat):
    await report(chat)
    await chat.press(2003, "tk:1:resolve")
    await chat.say(2003, "修好了")
    await chat.line("::advance 3d")
    assert (await ticket(chat)).status is Status.CLOSED
    assert any("已自动办结" in line for line in chat.lines)


async def test_building_without_head_goes_to_grid_head(chat):
    await chat.say(7401, "/start")
    for tap in ("幸福里小区", "5号楼", "1单元"):
        await chat.line(f"::tap {tap}")
    replies = await chat.say(7401, "5号楼门口的垃圾桶满了好几天没人清")
    assert any("负责人：网格长 周敏" in line for line in replies)
    assert (await ticket(chat)).level == 1


async def test_photo_with_caption_opens_ticket_with_photo(chat):
    replies = await chat.say(1001, "::photo 楼道墙皮脱落了，掉了一大块")
    assert any("已登记工单 #1" in line for line in replies)
    assert await chat.services.store.ticket_photos(1) == ["console-photo-1"]
    replies = await chat.say(1001, "::photo")
    assert "照片已附加到工单 #1" in replies[0]


async def test_head_record_counts_ratings(chat):
    await report(chat)
    await chat.press(2003, "tk:1:resolve")
    await chat.say(2003, "已修好")
    await chat.press(1001, "rt:1:basic")
    record = await chat.services.store.head_record((await chat.services.store.person_by_telegram(2003)).id)
    assert record == {"resolved": 1, "satisfied": 0, "basic": 1, "dissatisfied": 0}


def test_tickets_json_after_a_console_session(tmp_path):
    env = {"SHUOSHI_DB_PATH": str(tmp_path / "demo.db")}
    shuoshi("console", stdin="::as 1001\n3号楼电梯又坏了\n::as 2003\n::tap 接单\n", env=env)
    result = shuoshi("tickets", "--json", env=env)
    rows = json.loads(result.stdout)
    assert rows[0]["status"] == "accepted" and rows[0]["reporter_id"] == 1001 and rows[0]["assignee_id"] == 2003
    assert {"id", "number", "label", "subcategory", "urgent", "building", "level", "rating", "supporters",
            "events"} <= set(rows[0])
    assert [e["type"] for e in rows[0]["events"]] == ["opened", "assigned", "accepted"]
    assert all({"at", "type", "actor_id"} <= set(e) for e in rows[0]["events"])


async def test_head_can_back_out_of_a_resolve_note(chat):
    await report(chat)
    await chat.press(2003, "tk:1:resolve")
    assert await chat.say(2003, "取消") == ["[to 赵德明 2003] 好的，已取消。"]
    assert (await ticket(chat)).status is Status.OPEN


async def test_tapping_new_problem_twice_opens_one_ticket(chat):
    await report(chat, 1001, "3号楼电梯又坏了，停在5楼不动")
    await chat.say(1002, "电梯又坏了 停在五楼")
    data = chat.double.latest_with_buttons(1002).buttons[0][1]["callback_data"]
    await chat.press(1002, data)
    replies = await chat.press(1002, data)
    assert any("已经处理过了" in line for line in replies)
    assert await ticket(chat, 3) is None


async def test_urgent_message_is_never_taken_as_a_pending_answer(chat):
    await report(chat, 1001, "楼道灯不亮了")
    await chat.press(2003, "tk:1:ask")
    await chat.say(2003, "是哪一层？")
    replies = await chat.say(1001, "3号楼电梯里有人被困，快来人")
    assert "110" in replies[0]
    assert any(line.startswith("[to 陈静 5001] 📣 知会：新工单 #2（🚨紧急）") for line in replies)
    replies = await chat.say(1001, "三楼")  # the question is still waiting for its answer
    assert any(line.startswith("[to 赵德明 2003] 居民回复（工单 #1）：三楼") for line in replies)


async def test_urgent_message_with_an_open_ticket_opens_at_once(chat):
    await report(chat, 1001, "楼上邻居半夜装修噪音太大")
    replies = await chat.say(1001, "3号楼着火了，好大的烟")
    assert not any("补充到" in line for line in replies)
    assert any(line.startswith("[to 陈静 5001] 📣 知会：新工单 #2（🚨紧急）") for line in replies)


async def test_head_cannot_ask_on_a_cancelled_ticket(chat):
    await report(chat)
    await chat.say(1001, "/ticket 1")
    await chat.line("::tap 撤销工单")
    await chat.line("::tap 确认撤销")
    replies = await chat.press(2003, "tk:1:ask")
    assert "已撤销" in replies[0] or "不是" in replies[0] or "当前是" in replies[0]


async def test_property_manager_cannot_take_a_grid_ticket(chat):
    await report(chat, 1001, "楼下工地晚上施工噪音太大了")
    assert (await ticket(chat)).label == "grid"
    replies = await chat.press(4001, "tk:1:accept")
    assert "不是这张工单的负责人" in replies[0]


async def test_accepting_someone_elses_card_tells_them(chat):
    await report(chat)
    await chat.press(3001, "tk:1:accept")
    assert any(line.startswith("[to 赵德明 2003]") and "周敏" in line for line in chat.lines[-3:])


async def test_street_level_is_reported_consistently(chat):
    await report(chat, 1003, "8号楼门口的垃圾好几天没人清了")
    await chat.line("::advance 20d")
    assert (await ticket(chat)).level == 3
    top = [line for line in chat.lines if "街道办" in line]
    assert any(line.startswith("[to 王秀英 1003]") and "已升级到 街道办" in line for line in top)
    assert any(line.startswith("[to 陈静 5001]") and "已上报街道办备案" in line for line in top)


async def test_concurrent_drains_send_each_notification_once(chat):
    await report(chat)
    sender = chat.app.bot_data["notifications"]
    async with chat.services.store.transaction() as db:
        for _ in range(5):
            await chat.services.store.queue_notification(db, 1, "status", 1, chat.clock.now(), event="accepted")
    before = len(chat.double.outbox)
    await asyncio.gather(sender.drain(), sender.drain())
    assert len(chat.double.outbox) - before == 5


async def test_urgent_anonymous_card_to_staff_is_recorded(chat):
    await chat.say(1001, "/me")
    await chat.line("::tap 开启匿名")
    await report(chat, 1001, "3号楼2单元楼道里有很浓的煤气味")
    staff_card = next(line for line in chat.lines if line.startswith("[to 陈静 5001] 📣"))
    assert "张桂兰" in staff_card
    assert "identity_viewed" in [event.type for event in await chat.services.store.ticket_events(1)]


async def test_a_grid_head_taking_over_is_named_as_grid_head(chat):
    await report(chat)
    replies = await chat.press(3001, "tk:1:accept")
    assert "[to 张桂兰 1001] 您反映的 #1 已由 网格长 周敏 接单，正在处理。" in replies
    assert "[to 赵德明 2003] 工单 #1 已由 网格长 周敏 接手处理。" in replies
