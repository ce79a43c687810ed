"""Stopping and restarting mid-day loses no deadline and sends nothing twice."""

from datetime import timedelta

from tests.conftest import open_chat


def count(chat, prefix: str, chat_id: int | None = None) -> int:
    return sum(1 for record in chat.double.outbox
               if record.text.startswith(prefix) and chat_id in (None, record.chat_id))


async def test_restart_inside_the_reminder_window(settings, clock):
    first = await open_chat(settings, clock)
    await first.say(1002, "3号楼楼道灯坏了，晚上看不见")
    await first.line("::advance 105m")  # 10:45: the 10:30 reminder went out
    assert count(first, "⏰ 提醒：工单 #1", 2003) == 1
    await first.close()

    second = await open_chat(settings, clock)  # same database, same clock: a restart
    try:
        await second.line("::advance 3h")
        assert count(second, "⏰ 提醒：工单 #1", 2003) == 0  # not again
        assert count(second, "工单 #1 超时未接单", 2003) == 1
        assert count(second, "⬆️ 升级转来的工单 #1", 3001) == 1
        assert count(second, "⏰ 提醒：工单 #1", 3001) == 1  # the grid head's own accept deadline
        await second.line("::advance 1m")
        assert count(second, "工单 #1 超时未接单", 2003) == 1
    finally:
        await second.close()


async def test_deadline_passed_while_the_bot_was_down(settings, clock):
    first = await open_chat(settings, clock)
    await first.say(1002, "3号楼楼道灯坏了，晚上看不见")
    await first.close()

    clock.advance(timedelta(hours=4))  # down from 09:00 to 13:00
    second = await open_chat(settings, clock)
    try:
        await second.services.agenda.run_due(clock.now())  # what the first tick after start-up does
        await second.flush()
        escalated = [line for line in second.lines if "超时未接单" in line]
        assert escalated == ["[to 赵德明 2003] 工单 #1 超时未接单，已升级到 网格长。"]
        ticket = await second.services.store.ticket(1)
        assert ticket.level == 1 and ticket.accept_due > clock.now()
        await second.services.agenda.run_due(clock.now())
        await second.flush()
        assert [line for line in second.lines if "超时未接单" in line] == escalated
    finally:
        await second.close()


async def test_queued_notifications_survive_a_crash_before_sending(settings, clock):
    first = await open_chat(settings, clock)
    first.app.bot_data["notifications"].drain = _no_drain  # crash after commit, before anything is sent
    await first.say(1001, "3号楼电梯又坏了")
    assert count(first, "📋 新工单 #1") == 0
    await first.close()

    second = await open_chat(settings, clock)
    try:
        await second.services.agenda.run_due(clock.now())
        assert count(second, "📋 新工单 #1") == 1
        await second.services.agenda.run_due(clock.now())
        assert count(second, "📋 新工单 #1") == 1
    finally:
        await second.close()


async def _no_drain() -> None:
    return None


async def test_crash_between_recording_a_message_and_opening_its_ticket(settings, clock):
    """The first step does not mark the update handled, so Telegram's re-delivery opens the ticket."""
    from telegram import Update

    from bot.tickets import TicketDesk

    first = await open_chat(settings, clock)
    original = TicketDesk.open_ticket

    async def crash(*args, **kwargs):
        raise SystemExit("killed")

    TicketDesk.open_ticket = crash
    payload = {"update_id": 777, "message": {
        "message_id": 1, "date": 0, "chat": {"id": 1001, "type": "private"},
        "from": {"id": 1001, "is_bot": False, "first_name": "张桂兰"}, "text": "3号楼电梯又坏了"}}
    try:
        try:
            await first.app.process_update(Update.de_json(payload, first.app.bot))
        except SystemExit:
            pass
    finally:
        TicketDesk.open_ticket = original
    assert not await first.services.store.is_processed(777)
    await first.close()

    second = await open_chat(settings, clock)
    try:
        await second.app.process_update(Update.de_json(payload, second.app.bot))
        assert (await second.services.store.ticket(1)).text == "3号楼电梯又坏了"
        await second.app.process_update(Update.de_json(payload, second.app.bot))  # and only once
        assert await second.services.store.ticket(2) is None
    finally:
        await second.close()
