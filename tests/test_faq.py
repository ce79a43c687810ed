"""The knowledge base: search, time-aware answers, feedback and gaps, staff edits kept across restarts."""

import tomllib
from datetime import datetime

from hypothesis import given, settings as hypothesis_settings, strategies as st

from bot.classifier import Classification
from bot.faq import FaqDesk
from bot.when import spoken_time
from bot.faq_index import FaqEntry, FaqIndex
from bot.models import Person
from tests.conftest import REPO, open_chat

SEEDS = tomllib.loads((REPO / "knowledge" / "faq.toml").read_text(encoding="utf-8"))["faq"]
INDEX = FaqIndex([FaqEntry(i, s["key"], s["title"], s["answer"], tuple(s["questions"])) for i, s in enumerate(SEEDS)])


def faq_of(chat) -> FaqDesk:
    return chat.services.faq


async def resident(chat, telegram_id=1001) -> Person:
    return await chat.services.store.person_by_telegram(telegram_id)


def test_spoken_times():
    assert spoken_time(datetime(2026, 1, 1, 14, 0)) == "下午2点"
    assert spoken_time(datetime(2026, 1, 1, 8, 30)) == "早上8点半"
    assert spoken_time(datetime(2026, 1, 1, 12, 0)) == "中午12点"


async def test_file_seeds_at_least_forty_entries(chat):
    entries = faq_of(chat).index.entries
    assert len(entries) >= 40 and all(len(e.questions) >= 3 for e in entries)


async def test_search_finds_paraphrases_typos_pinyin_and_traditional(chat):
    faq = faq_of(chat)
    for text, key in (("驿站几点开门", "station_hours"), ("驿战啥时候关门", "station_hours"),
                      ("律师哪天来", "lawyer"), ("lv shi shen me shi hou zhi ban", "lawyer"),
                      ("驛站可以借輪椅嗎", "wheelchair"), ("where can I charge my phone", "charging")):
        assert faq.search(text)[0].entry.key == key, text


async def test_answers_are_recorded_and_unanswered_questions_become_gaps(chat):
    faq, person = faq_of(chat), await resident(chat)
    reply = await faq.answer(person, "驿站几点开门")
    assert reply.entry.key == "station_hours" and "今天周一（11月23日）开放时间" in reply.text
    assert await faq.feedback(person, reply.ask_id, useful=False)
    assert not await faq.feedback(await resident(chat, 1002), reply.ask_id, useful=True)  # not theirs
    await faq.answer(person, "游泳池夏天开吗")
    await faq.answer(await resident(chat, 1002), "小区游泳池夏天开放吗")
    gaps = await faq.gaps()
    assert [(gap.count, gap.useless_answer) for gap in gaps] == [(2, None), (1, "驿站开放时间")]


async def test_close_answers_offer_a_choice(chat):
    faq, person = faq_of(chat), await resident(chat)
    matches = faq.search("驿站节假日几点开")
    reply = await faq.answer(person, "驿站节假日几点开")
    if matches[1].score >= matches[0].score - 0.04:
        assert len(reply.choices) >= 2 and reply.entry is None
        picked = await faq.pick(person, reply.ask_id, reply.choices[1].id)
        assert picked.entry == reply.choices[1]
    else:
        assert reply.entry.key == matches[0].entry.key


async def test_decide_keeps_complaints_and_emergencies_as_tickets(chat):
    faq = faq_of(chat)

    def result(label, urgent=False, runner_up=None):
        return Classification(label, None, urgent, 0.8, (), runner_up)

    assert faq.decide("律师哪天值班", result("service")) == "faq"       # a question about a service
    assert faq.decide("我想预约律师", result("service")) == "service"    # a request for one
    assert faq.decide("3号楼电梯坏了", result("property")) == "property"
    assert faq.decide("着火了怎么办", result("grid", urgent=True)) == "grid"
    assert faq.decide("电梯困人的事处理了吗", result("faq", runner_up="property")) == "ask"
    assert faq.decide("驿站几点开门", result("other"), unsure=True) == "faq"
    assert faq.decide("嗯嗯", result("other"), unsure=True) == "ask"


async def test_staff_edits_survive_a_restart_and_the_file_does_not_overwrite_them(settings, clock):
    chat = await open_chat(settings, clock)
    try:
        await chat.say(5001, "/faq 新增")
        await chat.say(5001, "小区游泳池开不开\n游泳池几点开")
        replies = await chat.say(5001, "小区没有游泳池，附近的全民健身中心有，电话 0571-8888 6666。")
        assert any("已添加问答" in line for line in replies)
        hours = faq_of(chat).search("驿站几点开门")[0].entry
        await chat.say(5001, f"/faq {hours.id}")
        await chat.say(5001, "::tap 修改答案")
        await chat.say(5001, "驿站的开放时间见下面，节假日另有安排。")
    finally:
        await chat.close()
    chat = await open_chat(settings, clock)  # restarted: the database, not the file, is the source now
    try:
        replies = await chat.say(1001, "游泳池几点开")
        assert any("全民健身中心" in line for line in replies)
        replies = await chat.say(1001, "驿站几点开门")
        assert any(line.startswith("[to 张桂兰 1001] 驿站的开放时间见下面") for line in replies)
    finally:
        await chat.close()


async def test_gaps_are_answered_from_the_chat(chat):
    for resident_id, question in ((1001, "游泳池夏天开吗"), (1002, "小区游泳池夏天开放吗")):
        await chat.say(resident_id, question)  # unsure what it is: the resident says it is a question
        replies = await chat.say(resident_id, "::tap 只是咨询")
        assert any("暂时答不上来" in line for line in replies)
    replies = await chat.say(5001, "/faq_gaps")
    assert any("2 次 · 没找到答案" in line for line in replies)
    await chat.say(5001, "::tap 写新答案")
    await chat.say(5001, "小区没有游泳池。")
    assert await faq_of(chat).gaps() == []
    replies = await chat.say(1003, "游泳池夏天开吗")
    assert any("小区没有游泳池" in line for line in replies)


async def test_residents_cannot_edit_and_forged_buttons_change_nothing(chat):
    assert any("只有社区工作人员" in line for line in await chat.say(1001, "/faq"))
    assert any("只有社区工作人员" in line for line in await chat.say(1001, "/faq_gaps"))
    before = await chat.services.store.faq_entries(include_inactive=True)
    for data in ("fe:1:off", "fg:1:skip", "fq:999:y", "fq:abc:y", "fq:1:p99999", "so:1:legal", "pt:1:asap", "ap:1:other"):
        replies = await chat.press(1001, data)
        assert replies, data
    assert await chat.services.store.faq_entries(include_inactive=True) == before
    assert await chat.services.store.ticket(1) is None


@hypothesis_settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_search_never_fails_and_scores_stay_in_range(text):
    for match in INDEX.search(text):
        assert 0.0 <= match.score <= 1.0 + 1e-9


def test_search_survives_the_edges():
    for text in ("", "👍👍👍", "\u200b\u200d", "驿" * 4096, "a" * 4096, "请问" + "\u0000" * 5):
        INDEX.search(text)
