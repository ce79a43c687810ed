"""Residents' messages are understood in the chat: urgent first, unsure asks, corrections are reviewed."""

import json

from handlers.common import STAFF_ONLY
from handlers.messages import CRY_FOLLOW_UP, OTHER_REPLIES, UNSURE, URGENT
from tests.test_cli import shuoshi


async def test_confident_problem_opens_a_ticket(chat):
    replies = await chat.say(1001, "3号楼电梯又坏了")
    assert replies[0].startswith("[to 张桂兰 1001] 已登记工单 #1：物业问题 · 电梯")


async def test_ticket_names_its_subcategory_by_the_lexicon_title(chat):
    replies = await chat.say(1001, "楼道天花板的墙皮掉了一大块")
    assert replies[0].startswith("[to 张桂兰 1001] 已登记工单 #1：物业问题 · 房屋本体")  # not its first term, 开发商


async def test_question_gets_no_ticket(chat):
    replies = await chat.say(1001, "驿站几点开门")
    assert "开放时间" in "\n".join(replies) and "工单" not in "\n".join(replies)


async def test_greeting_gets_a_short_reply(chat):
    assert await chat.say(1001, "你好") == [f"[to 张桂兰 1001] {OTHER_REPLIES['other.greeting']}"]


async def test_thanks_for_help_already_given_get_a_thanks_reply_and_no_ticket(chat):
    replies = await chat.say(1001, "谢谢保安大哥 昨天帮我把迷路的老爸送回来了")
    assert replies == [f"[to 张桂兰 1001] {OTHER_REPLIES['other.thanks']}"]


async def test_urgent_is_answered_at_once_and_staff_alerted(chat):
    replies = await chat.say(1002, "楼道里有煤气味，好冲")
    assert replies[0] == f"[to 李建国 1002] {URGENT}"
    assert "110" in replies[0] and "119" in replies[0] and "120" in replies[0]
    assert any(line.startswith("[to 陈静 5001] 📣 知会：新工单 #1（🚨紧急）") for line in replies)


async def test_unsure_urgent_message_alerts_staff_before_any_ticket(chat):
    replies = await chat.say(1002, "zhao huo le kuai lai ren")
    assert replies[0] == f"[to 李建国 1002] {URGENT}"
    assert any(line.startswith("[to 陈静 5001] 🚨 紧急消息") or "🚨紧急" in line for line in replies)


async def test_a_bare_cry_alerts_staff_and_asks_where_without_a_ticket(chat):
    replies = await chat.say(1002, "救命啊 快来人")
    assert replies[0] == f"[to 李建国 1002] {URGENT}"
    assert any(line.startswith("[to 陈静 5001] 🚨 紧急消息") for line in replies)
    assert replies[-1] == f"[to 李建国 1002] {CRY_FOLLOW_UP}"
    assert "工单" not in "\n".join(replies)


async def test_unsure_message_asks_with_buttons_and_records_choice(chat):
    replies = await chat.say(1001, "qwpoeiru zxmcnv")
    assert replies[0].startswith(f"[to 张桂兰 1001] {UNSURE}")
    assert "[物业问题] [网格问题] [需要服务] [只是咨询] [都不是]" in replies[0]
    replies = await chat.line("::tap 网格问题")
    assert "按“网格问题”处理" in replies[0]
    pending = await chat.services.store.corrections("pending")
    assert [(row["text"], row["label"]) for row in pending] == [("qwpoeiru zxmcnv", "grid")]


async def test_correction_is_learnt_only_after_staff_approval(chat):
    text = "小区东门那个大坑里老是积一摊黑水"
    before = chat.services.triage.classifier.classify(text)
    target = "grid" if before.label != "grid" else "service"
    replies = await chat.say(1001, text)
    if "[分类不对？]" in replies[-1]:
        await chat.line("::tap 分类不对")
    await chat.line(f"::tap {dict(grid='网格问题', service='需要服务')[target]}")
    assert chat.services.triage.classifier.classify(text).label == before.label  # one user cannot teach it

    assert await chat.say(1002, "/review") == [f"[to 李建国 1002] {STAFF_ONLY}"]
    replies = await chat.say(5001, "/review")
    assert any(text in line for line in replies)
    await chat.line("::tap 采纳")
    assert chat.services.triage.classifier.classify(text).label == target
    replies = await chat.say(5001, "/review")
    assert replies == ["[to 陈静 5001] 没有待审核的分类纠正。"]


async def test_someone_else_cannot_choose_for_my_message(chat):
    await chat.say(1001, "qwpoeiru zxmcnv")
    data = chat.double.latest_with_buttons(1001).buttons[0][0]["callback_data"]
    replies = await chat.press(1002, data)
    assert "失效" in replies[0]
    assert await chat.services.store.corrections("pending") == []


async def test_review_twice_is_refused(chat):
    await chat.say(1001, "qwpoeiru zxmcnv")
    await chat.line("::tap 网格问题")
    await chat.say(5001, "/review")
    data = chat.double.latest_with_buttons(5001).buttons[0][0]["callback_data"]
    await chat.press(5001, data)
    replies = await chat.press(5001, data)
    assert "已经审核过" in replies[0]


def test_classify_command_reads_text_and_json_lines():
    result = shuoshi("classify", stdin='3号楼电梯又坏了\n{"text": "驿站几点开门"}\n👍\n')
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["label"] for row in rows] == ["property", "faq", "other"]
    assert set(rows[0]) >= {"text", "label", "subcategory", "urgent", "confidence", "matched"}


def test_classify_eval_prints_metrics():
    result = shuoshi("classify", "--eval", "tests/data/dev.jsonl")
    assert "macro-F1" in result.stdout and "urgent" in result.stdout and "confusion" in result.stdout


async def test_staff_see_the_words_that_made_it_urgent(chat):
    replies = await chat.say(1002, "楼道里有煤气味，好冲")
    card = next(line for line in replies if line.startswith("[to 陈静 5001] 📣 知会：新工单 #1（🚨紧急）"))
    assert "紧急线索：煤气味" in card, card

