"""Meetings: reminders with the grid's agenda, invitations, RSVP, moves, cancels, restarts."""

from tests.conftest import open_chat


def block(text: str, start: str) -> str:
    """The printed message that starts with ``start`` (up to the next message)."""
    tail = text[text.index(start):]
    following = tail.find("\n[to ", 1)
    return tail if following < 0 else tail[:following]


async def test_demo_month_of_meetings(chat):
    text = await chat.run_script("meetings.txt")
    for head in ("[to 赵德明 2003] ⏰ 明天开会提醒：网格三方会议 · 12-15", "[to 周敏 3001] ⏰ 明天开会提醒：网格三方会议 · 12-15"):
        assert "议题（本网格未办结工单）：\n#1 3号楼" in block(text, head)
    assert "#2" not in block(text, "[to 周敏 3001] ⏰ 明天开会提醒：网格三方会议")  # 8号楼 is another grid
    for resident in ("张桂兰 1001", "李建国 1002", "王秀英 1003"):
        assert f"[to {resident}] 📣 欢迎参加：红色星期天·居民说事 · 12-06" in text
    assert "回复：参加 1 · 不参加 0 · 未回复 2" in block(text, "[to 周敏 3001] 网格三方会议（第一网格）· 12-15")
    assert "[to 赵德明 2003] 🔁 会议改期：红色星期天·居民说事 由 01-03 09:00 改到 01-04（周一）15:00" in text
    assert "[to 陈静 5001] ⏰ 一小时后开会：红色星期天·居民说事 · 01-04（周一）15:00" in text
    assert "⏰ 一小时后开会：红色星期天·居民说事 · 01-03" not in text


async def test_cancelled_occurrence_sends_nothing(chat):
    await chat.say(5001, "::time 2026-12-01 09:00")
    await chat.say(5001, "/meetings 红色星期天")
    replies = await chat.line("::tap 取消本次")  # the newest card: January's
    assert any("已取消：红色星期天·居民说事 · 01-03" in line for line in replies)
    assert any(line.startswith("[to 周敏 3001] ❌ 会议取消：红色星期天·居民说事 · 01-03") for line in replies)
    start = len(chat.lines)
    await chat.line("::time 2027-01-03 10:00")
    later = "\n".join(chat.lines[start:])
    assert "红色星期天·居民说事 · 12-06" in later  # December's still happens
    assert "红色星期天·居民说事 · 01-03" not in later


async def test_reminder_sent_once_across_a_restart_inside_its_window(settings, clock):
    first = await open_chat(settings, clock)
    await first.line("::time 2026-12-14 14:00")
    await first.close()

    clock.set(clock.now().replace(day=14, hour=16))  # down over the 15:00 day-before reminder
    second = await open_chat(settings, clock)
    try:
        await second.services.agenda.run_due(clock.now())
        await second.services.agenda.run_due(clock.now())
        sent = [r for r in second.double.outbox if r.text.startswith("⏰ 明天开会提醒：网格三方会议 · 12-15")]
        assert sorted(r.chat_id for r in sent) == [2003, 2008, 3001, 3002, 5001, 5001]
    finally:
        await second.close()

    third = await open_chat(settings, clock)
    try:
        await third.services.agenda.run_due(clock.now())
        assert not [r for r in third.double.outbox if r.text.startswith("⏰ 明天开会提醒：网格三方会议")]
    finally:
        await third.close()


async def test_missed_reminder_after_the_meeting_is_not_sent(settings, clock):
    first = await open_chat(settings, clock)
    await first.line("::time 2026-12-14 14:00")
    await first.close()
    clock.set(clock.now().replace(day=15, hour=16))  # down until after the meeting
    second = await open_chat(settings, clock)
    try:
        await second.services.agenda.run_due(clock.now())
        assert not [r for r in second.double.outbox if "网格三方会议 · 12-15" in r.text]
    finally:
        await second.close()


async def test_rsvp_by_outsider_and_ics_export(chat):
    await chat.say(1001, "::time 2026-12-10 09:00")
    meeting = next(m for m in await chat.services.store.meetings_between(chat.clock.now(), chat.clock.now().replace(day=31))
                   if m["rule_id"] == "weekly_talk")
    replies = await chat.press(1001, f"mr:{meeting['id']}:yes")  # residents are not at the heads' evening talk
    assert "失效" in replies[0]
    await chat.say(2003, "/meetings")
    await chat.press(2003, "mg:0:ics")
    document = [r for r in chat.double.outbox if r.kind == "document" and r.chat_id == 2003]
    assert document and "场会议" in document[0].text


async def test_grid_head_records_an_outcome_on_the_agenda_ticket(chat):
    await chat.say(1001, "::time 2026-12-10 09:00")
    await chat.say(1001, "3号楼电梯又坏了")
    await chat.say(3001, "/meetings 三方")
    await chat.line("::tap 记录议定事项")
    await chat.line("::tap #1")
    replies = await chat.say(3001, "物业本周内更换电梯主板，网格长督办")
    assert "已记入工单 #1" in replies[0]
    events = await chat.services.store.ticket_events(1)
    assert events[-1].type == "meeting_outcome"


async def test_staff_add_a_one_off_meeting_and_heads_are_reminded(chat):
    await chat.say(5001, "/meetings")
    await chat.line("::tap 新增会议")
    replies = await chat.say(5001, "消防安全培训 11-28 15:00 社区活动室")
    assert "已新增：消防安全培训" in replies[0]
    await chat.line("::time 2026-11-28 14:30")
    assert "[to 赵德明 2003] ⏰ 一小时后开会：消防安全培训 · 11-28（周六）15:00 · 社区活动室" in "\n".join(chat.lines)


async def test_pausing_a_rule_cancels_what_is_coming_and_stops_new_ones(chat):
    await chat.say(5001, "/meetings 夜谈")
    await chat.line("::tap 暂停此例会")
    replies = await chat.line("::tap 确认暂停")
    assert any("已暂停本社区的“楼长每周夜谈”" in line for line in replies)
    assert sum(line.startswith("[to 赵德明 2003] ⏸ 例会暂停") for line in replies) == 1
    start = len(chat.lines)
    await chat.line("::advance 30d")
    assert "楼长每周夜谈" not in "\n".join(chat.lines[start:])
    await chat.say(5001, "/meetings")
    replies = await chat.line("::tap 恢复例会：楼长每周夜谈")
    assert any("已恢复“楼长每周夜谈”" in line for line in replies)
    assert "楼长每周夜谈" in "\n".join(await chat.say(5001, "/meetings 夜谈"))


async def test_resident_cannot_change_meetings(chat):
    meeting = (await chat.services.store.meetings_between(chat.clock.now(), chat.clock.now().replace(year=2027)))[0]
    for action in ("cancel", "move", "pause", "outcomes"):
        replies = await chat.press(1001, f"mg:{meeting['id']}:{action}")
        assert "只有" in replies[0] or "失效" in replies[0], action
    assert (await chat.services.store.meeting(meeting["id"]))["state"] == "scheduled"


async def test_invited_residents_hear_of_a_cancel_after_a_move(chat):
    await chat.say(5001, "::time 2026-12-03 10:00")  # the Red Sunday invitation went out at 09:00
    await chat.say(5001, "/meetings 红色星期天")
    await chat.line("::tap 改期")
    await chat.say(5001, "12-05 09:00")
    await chat.say(5001, "/meetings 红色星期天")
    replies = await chat.line("::tap 取消本次")
    assert any(line.startswith("[to 张桂兰 1001] ❌ 会议取消：红色星期天") for line in replies)
