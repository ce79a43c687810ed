"""Input the bot cannot use gets a clear answer in Chinese and changes nothing."""

import pytest

from handlers import fallback
from handlers.common import BUTTON_EXPIRED, STAFF_ONLY
from handlers.messages import TOO_LONG


async def send(chat, user_id, content):
    chat.user_id = user_id
    start = len(chat.lines)
    await chat._send(content)
    await chat.flush()
    return chat.lines[start:]


async def test_sticker(chat):
    sticker = {"file_id": "s1", "file_unique_id": "s1", "width": 512, "height": 512, "is_animated": False,
               "is_video": False, "type": "regular"}
    assert await send(chat, 1001, {"sticker": sticker}) == [f"[to 张桂兰 1001] {fallback.STICKER}"]


async def test_voice(chat):
    voice = {"file_id": "v1", "file_unique_id": "v1", "duration": 3}
    assert await send(chat, 1001, {"voice": voice}) == [f"[to 张桂兰 1001] {fallback.VOICE}"]


async def test_photo_with_empty_caption(chat):
    replies = await chat.say(1001, "::photo")
    assert replies == [f"[to 张桂兰 1001] {fallback.PHOTO}"]


async def test_five_thousand_characters(chat):
    replies = await chat.say(1001, "电" * 5000)
    assert replies == [f"[to 张桂兰 1001] {TOO_LONG}"]


async def test_document_gets_an_answer(chat):
    document = {"file_id": "d1", "file_unique_id": "d1", "file_name": "a.pdf"}
    assert await send(chat, 1001, {"document": document}) == [f"[to 张桂兰 1001] {fallback.UNSUPPORTED}"]


async def test_unknown_command(chat):
    assert await chat.say(1001, "/frobnicate") == [f"[to 张桂兰 1001] {fallback.UNKNOWN_COMMAND}"]


async def test_words_after_an_unknown_command_are_still_a_report(chat):
    replies = await chat.say(1001, "/baoxiu@shuoshi_bot 3号楼电梯又坏了")
    assert replies[0] == "[to 张桂兰 1001] 没有 /baoxiu 这个命令，您后面写的话我照常处理。"
    ticket = await chat.services.store.ticket(1)
    assert ticket.text == "3号楼电梯又坏了" and ticket.label == "property"


@pytest.mark.parametrize("data", ["garbage", "ad:u:99999", "ad:u:abc", "ad:Pb:1:99999999999999",
                                  "ad:x:1", "iv.admin:start", "ad:b:", ":" * 60])
async def test_forged_callback_data_is_refused(chat, data):
    before = await chat.services.store.person_by_telegram(1001)
    replies = await chat.press(1001, data)
    assert replies == [f"[to 张桂兰 1001] (提示) {BUTTON_EXPIRED}"] or STAFF_ONLY in replies[0]
    assert await chat.services.store.person_by_telegram(1001) == before


async def test_resident_calling_staff_command(chat):
    assert await chat.say(1002, "/invite") == [f"[to 李建国 1002] {STAFF_ONLY}"]


async def test_edited_message(chat):
    chat.user_id = 1001
    edited = {"message_id": 1, "date": 0, "edit_date": 1, "chat": {"id": 1001, "type": "private"},
              "from": await chat._user(), "text": "改了"}
    start = len(chat.lines)
    await chat._process({"edited_message": edited})
    await chat.flush()
    assert chat.lines[start:] == [f"[to 张桂兰 1001] {fallback.EDITED}"]
