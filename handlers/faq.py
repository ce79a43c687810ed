"""Questions in the chat: answers with 有用/没用, "你是不是想问", the nearest station, and staff's /faq.

Staff edit the knowledge base in a few short steps, each a stored pending input (so a restart in
between loses nothing) rather than a ConversationHandler.
"""

from __future__ import annotations

from telegram import (InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup,
                      ReplyKeyboardRemove, Update)
from telegram.ext import ContextTypes

from bot import pending
from bot.faq import Reply
from bot.models import Person
from handlers.common import BUTTON_EXPIRED, CANCEL_WORDS, ask_for, sender, services, staff_only
from handlers.keyboards import button, parse_int

NO_ANSWER = ("这个问题我暂时答不上来，已经记下并转给社区工作人员补充答案。\n"
             "着急的话可以打社区电话 {phone}。如果您是要反映问题或需要服务，请点下面的类别：")
SHARE_LOCATION = ReplyKeyboardMarkup([[KeyboardButton("📍 发送我的位置", request_location=True)]],
                                     resize_keyboard=True, one_time_keyboard=True)
FAQ_INPUTS = ("faq_new_questions", "faq_new_answer", "faq_answer", "faq_questions", "faq_attach")
GAPS_SHOWN = 10
HELP = ("知识库命令：\n/faq 查看全部问答\n/faq 编号 查看、修改某一条\n/faq 新增 添加一条新的问答\n"
        "/faq_gaps 居民问了却没答上（或觉得没用）的问题")


def answer_buttons(reply: Reply, order_service: str | None = None) -> InlineKeyboardMarkup:
    """有用/没用 under every answer; 我要预约 when the answer is about a service one can order."""
    rows = [[InlineKeyboardButton("👍 有用", callback_data=f"fq:{reply.ask_id}:y"),
             InlineKeyboardButton("👎 没用", callback_data=f"fq:{reply.ask_id}:n")]]
    service = reply.entry.service or order_service
    if service:
        rows.insert(0, [InlineKeyboardButton("📝 我要预约", callback_data=f"so:{reply.ask_id}:{service}")])
    return InlineKeyboardMarkup(rows)


async def send_reply(context: ContextTypes.DEFAULT_TYPE, person: Person, reply: Reply,
                     order_service: str | None = None) -> None:
    """An answer, or the likely questions to choose from."""
    if reply.choices:
        rows = [[InlineKeyboardButton(entry.title, callback_data=f"fq:{reply.ask_id}:p{entry.id}")]
                for entry in reply.choices]
        rows.append([InlineKeyboardButton("都不是", callback_data=f"fq:{reply.ask_id}:none")])
        await context.bot.send_message(person.telegram_id, "您是不是想问：", reply_markup=InlineKeyboardMarkup(rows))
        return
    await context.bot.send_message(person.telegram_id, reply.text, reply_markup=answer_buttons(reply, order_service))
    if reply.entry.live == "nearest":  # the location that follows is for this, not for a recent ticket
        svc = services(context)
        await pending.expect(svc.store, svc.clock, person, "location")
        await context.bot.send_message(person.telegram_id, "点下面的按钮把位置发给我：", reply_markup=SHARE_LOCATION)


async def answer(context: ContextTypes.DEFAULT_TYPE, person: Person, inbox: dict,
                 order_service: str | None = None) -> None:
    """A question: the best answer, a choice, or — nothing fits — a recorded gap.

    ``order_service`` is the service the classifier heard in the question, offered as 我要预约.
    """
    from handlers.messages import ticket_choice_keyboard  # messages imports this module

    svc = services(context)
    reply = await svc.faq.answer(person, inbox["text"])
    if reply.entry is None and not reply.choices:
        await context.bot.send_message(person.telegram_id, NO_ANSWER.format(phone=community_phone(context)),
                                       reply_markup=ticket_choice_keyboard(inbox["id"]))
        return
    await send_reply(context, person, reply, order_service)


def community_phone(context: ContextTypes.DEFAULT_TYPE) -> str:
    centre = next((s for s in services(context).faq.catalogue.stations if s.kind == "centre" and s.phone), None)
    return centre.phone if centre else "12345"


async def feedback_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``fq:<ask>:y|n`` (有用/没用), ``fq:<ask>:p<entry>`` (a chosen question) or ``fq:<ask>:none``."""
    query = update.callback_query
    ask_id, choice = button(query.data)
    person = await sender(update, context)
    faq = services(context).faq
    if person is None or await faq.own_ask(person, ask_id) is None:
        await query.answer(BUTTON_EXPIRED, show_alert=True)
        return
    if choice in ("y", "n"):
        await faq.feedback(person, ask_id, useful=choice == "y")
        await query.answer("谢谢您的反馈" if choice == "y" else "已记下，工作人员会改进这个答案")
        await query.edit_message_reply_markup(None)
        if choice == "n":
            await context.bot.send_message(
                person.telegram_id, f"抱歉没帮上忙。您可以换个说法再问，或者打社区电话 {community_phone(context)}。\n"
                "如果是要反映问题，直接把问题写下来就行，比如“3号楼电梯坏了”。")
        return
    if choice == "none":
        await faq.none_fits(person, ask_id)
        await query.answer()
        await query.edit_message_text("好的，这个问题已记下，工作人员会补充答案。换个说法再问问也可以。")
        return
    reply = await faq.pick(person, ask_id, parse_int(choice[1:]) or 0) if choice.startswith("p") else None
    if reply is None:
        await query.answer(BUTTON_EXPIRED, show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(f"您问的是：{reply.entry.title}")
    await send_reply(context, person, reply)


async def nearest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A shared location: the nearest open station, with the walk and today's hours."""
    where = update.effective_message.location
    text = services(context).faq.nearest(where.latitude, where.longitude)
    await update.effective_message.reply_text(text, reply_markup=ReplyKeyboardRemove())


# -- staff -------------------------------------------------------------------------------------

@staff_only
async def faq_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/faq, /faq N, /faq 新增: list, show or add questions and answers."""
    person = await sender(update, context)
    faq = services(context).faq
    argument = context.args[0] if context.args else ""
    if argument in ("新增", "add", "new"):
        await ask_for(context, person, "请发送新问题的几种问法，每行一种（第一行会作为标题）；回复“取消”放弃：",
                      "faq_new_questions")
        return
    if argument:
        entry_id = parse_int(argument.lstrip("#"))
        row = await faq.store.faq_entry(entry_id) if entry_id is not None else None
        if row is None:
            await update.effective_message.reply_text("没有这个编号的问答。发送 /faq 查看全部。")
            return
        await update.effective_message.reply_text(describe_entry(row), reply_markup=entry_buttons(row))
        return
    rows = await faq.store.faq_entries(include_inactive=True)
    lines = [f"知识库共 {sum(r['active'] for r in rows)} 条问答（停用的标 ⏸）："]
    lines += [f"{r['id']}. {r['title']}{'' if r['active'] else ' ⏸'}" for r in rows]
    lines.append(HELP)
    await update.effective_message.reply_text("\n".join(lines))


def describe_entry(row: dict) -> str:
    live = f"\n（回答后自动附上实时信息：{row['live']}）" if row["live"] else ""
    service = f"\n（答案下有“我要预约”：{row['service']}）" if row["service"] else ""
    questions = "\n".join(f"· {q}" for q in row["questions"])
    state = "" if row["active"] else "（已停用）"
    return f"问答 {row['id']}：{row['title']}{state}\n问法：\n{questions}\n答案：\n{row['answer']}{live}{service}"


def entry_buttons(row: dict) -> InlineKeyboardMarkup:
    toggle = ("停用", "off") if row["active"] else ("重新启用", "on")
    return InlineKeyboardMarkup([[
        InlineKeyboardButton("修改答案", callback_data=f"fe:{row['id']}:answer"),
        InlineKeyboardButton("添加问法", callback_data=f"fe:{row['id']}:questions"),
        InlineKeyboardButton(toggle[0], callback_data=f"fe:{row['id']}:{toggle[1]}"),
    ]])


@staff_only
async def entry_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``fe:<entry>:answer|questions|off|on`` under an entry shown by /faq N."""
    query = update.callback_query
    entry_id, action = button(query.data)
    person = await sender(update, context)
    faq = services(context).faq
    row = await faq.store.faq_entry(entry_id) if entry_id is not None else None
    if row is None or action not in ("answer", "questions", "off", "on"):
        await query.answer(BUTTON_EXPIRED, show_alert=True)
        return
    await query.answer()
    if action in ("off", "on"):
        await faq.edit(person, entry_id, active=action == "on")
        row = await faq.store.faq_entry(entry_id)
        await query.edit_message_text(describe_entry(row), reply_markup=entry_buttons(row))
        return
    prompt = ("请发送新的答案（会立即生效）；回复“取消”放弃：" if action == "answer"
              else "请发送要添加的问法，每行一种；回复“取消”放弃：")
    await ask_for(context, person, f"问答 {entry_id}（{row['title']}）：{prompt}",
                  "faq_answer" if action == "answer" else "faq_questions", entry_id=entry_id)


@staff_only
async def gaps_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/faq_gaps: what residents asked that the knowledge base did not answer, most asked first."""
    gaps = await services(context).faq.gaps()
    if not gaps:
        await update.effective_message.reply_text("目前没有待补充的问题，居民的提问都答上了。")
        return
    await update.effective_message.reply_text(f"待补充的问题共 {len(gaps)} 类，显示最多的 {min(len(gaps), GAPS_SHOWN)} 类：")
    for gap in gaps[:GAPS_SHOWN]:
        why = f"答了“{gap.useless_answer}”但居民说没用" if gap.useless_answer else "没找到答案"
        markup = InlineKeyboardMarkup([[
            InlineKeyboardButton("写新答案", callback_data=f"fg:{gap.ask_ids[0]}:new"),
            InlineKeyboardButton("并入已有问答", callback_data=f"fg:{gap.ask_ids[0]}:add"),
            InlineKeyboardButton("忽略", callback_data=f"fg:{gap.ask_ids[0]}:skip"),
        ]])
        await update.effective_message.reply_text(f"“{gap.text[:200]}”\n{gap.count} 次 · {why}", reply_markup=markup)


@staff_only
async def gap_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``fg:<ask>:new|add|skip`` on a gap listed by /faq_gaps (the whole group of alike questions)."""
    query = update.callback_query
    ask_id, action = button(query.data)
    person = await sender(update, context)
    faq = services(context).faq
    gap = next((g for g in await faq.gaps() if ask_id in g.ask_ids), None)
    if gap is None or action not in ("new", "add", "skip"):
        await query.answer("这个问题已经处理过了。", show_alert=True)
        return
    await query.answer()
    if action == "skip":
        await faq.dismiss(person, gap.ask_ids)
        await query.edit_message_text(f"已忽略：“{gap.text[:200]}”")
    elif action == "new":
        await ask_for(context, person, f"为“{gap.text[:100]}”写答案（会立即生效）；回复“取消”放弃：",
                      "faq_new_answer", questions=[gap.text[:200]], closes=list(gap.ask_ids))
    else:
        await ask_for(context, person, f"“{gap.text[:100]}”应该用哪一条问答回答？请发送问答编号（/faq 可查看）：",
                      "faq_attach", question=gap.text[:200], closes=list(gap.ask_ids))


async def receive_input(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, text: str,
                        asked: dict) -> None:
    """The text a staff member sends after a /faq step asked for it."""
    svc = services(context)
    faq, kind, payload = svc.faq, asked["kind"], asked["payload"]
    reply = update.effective_message.reply_text
    if text.strip().lower() in CANCEL_WORDS:
        await pending.forget(svc.store, person)
        await reply("好的，已取消。")
        return
    if not person.is_staff:  # the role was taken away since the question was asked
        await pending.forget(svc.store, person)
        await reply("抱歉，只有社区工作人员可以修改知识库。")
        return
    lines = [line.strip() for line in text.splitlines() if line.strip()][:20]
    closes = tuple(payload.get("closes", ()))
    if kind == "faq_new_questions":
        await ask_for(context, person, f"收到 {len(lines)} 种问法。现在请发送答案：", "faq_new_answer",
                      continuing=True, questions=lines)
        return
    await pending.forget(svc.store, person)
    if kind == "faq_new_answer":
        entry = await faq.add_entry(person, payload["questions"][0], payload["questions"], text.strip()[:2000], closes)
        await reply(f"已添加问答 {entry.id}：{entry.title}，现在起居民就能问到了。")
    elif kind == "faq_answer":
        await faq.edit(person, payload["entry_id"], answer=text.strip()[:2000])
        await reply(f"问答 {payload['entry_id']} 的答案已更新，立即生效。")
    elif kind == "faq_questions":
        await faq.edit(person, payload["entry_id"], questions=lines)
        await reply(f"已为问答 {payload['entry_id']} 添加 {len(lines)} 种问法。")
    else:  # faq_attach
        entry_id = parse_int(text.strip().lstrip("#"))
        if entry_id is None or faq.entry(entry_id) is None:
            await reply("没有这个编号的问答（或已停用）。请重新在 /faq_gaps 里操作。")
            return
        await faq.edit(person, entry_id, questions=[payload["question"]], closes=closes)
        await reply(f"已把这个问题加到问答 {entry_id}（{faq.entry(entry_id).title}）的问法里，以后能直接答上了。")
