"""A re-delivered update has no second effect, and data survives a restart."""

from telegram import Update

from tests.conftest import open_chat


async def test_redelivered_update_has_no_second_effect(chat):
    await chat.say(7201, "/start")
    await chat.line("::tap 幸福里小区")
    await chat.line("::tap 7号楼")
    record = chat.double.latest_with_buttons(7201)
    payload = {"update_id": 5000, "callback_query": {
        "id": "dup", "from": {"id": 7201, "is_bot": False, "first_name": "访客"}, "chat_instance": "x",
        "data": [b for row in record.buttons for b in row][0]["callback_data"],
        "message": chat.double.message_json(7201, record.message_id)}}
    await chat.app.process_update(Update.de_json(payload, chat.app.bot))
    sent = len(chat.double.outbox)
    await chat.app.process_update(Update.de_json(payload, chat.app.bot))
    assert len(chat.double.outbox) == sent
    assert await chat.services.store.is_processed(5000)


async def test_read_only_updates_are_also_recorded(chat):
    await chat.say(1001, "/help")
    assert await chat.services.store.is_processed(chat._update_id)


async def test_data_survives_restart(settings, clock):
    first = await open_chat(settings, clock)
    await first.say(7202, "/start")
    await first.line("::tap 和平苑")
    await first.line("::tap 3号楼")
    await first.line("::tap 2单元")
    last_update = first._update_id
    await first.close()

    second = await open_chat(settings, clock)
    try:
        person = await second.services.store.person_by_telegram(7202)
        assert person.address == "和平苑3号楼2单元"
        assert second._update_id == last_update  # numbering continues, so nothing is mistaken for a repeat
        replies = await second.say(7202, "/me")
        assert "和平苑3号楼2单元" in replies[0]
    finally:
        await second.close()
