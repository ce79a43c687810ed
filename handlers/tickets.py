"""Tickets in the chat: opening them from messages, the head's card, ratings, /my, /ticket, /tasks."""

from __future__ import annotations

from datetime import datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.models import RATING_TITLES, Person, Ticket
from bot.tickets import FORWARD_TARGETS, TicketError, forward_targets
from bot import pending
from handlers import orders
from handlers.common import BUTTON_EXPIRED, CANCEL_WORDS, ask_for, sender, services
from handlers.keyboards import parse_int
from handlers.notify import TicketText, card_buttons, when

EVENT_TITLES = {
    "opened": "居民反映", "assigned": "派单", "accepted": "接单", "resolved": "已解决", "forwarded": "转交",
    "escalated": "超时升级", "reminded": "提醒负责人", "asked": "负责人提问", "answered": "居民回复",
    "followed_up": "居民补充", "cancelled": "居民撤销", "rated": "居民评价", "reopened": "不满意，重新办理",
    "reason": "不满意原因", "closed": "自动办结（未评价）", "supported": "居民联名", "identity_viewed": "工作人员查看了匿名居民身份",
    "photo_added": "补充照片", "location_added": "补充位置", "meeting_outcome": "会议议定",
    "scheduled": "安排时间地点", "preferred": "居民希望的时间",
}
RECENT = timedelta(minutes=30)


def desk(context: ContextTypes.DEFAULT_TYPE):
    return services(context).tickets


async def open_for(context: ContextTypes.DEFAULT_TYPE, person: Person, inbox: dict, photo: str | None = None) -> None:
    """Open the ticket and tell the resident its number, what it is, who handles it and by when."""
    if person.building_id is None:
        await context.bot.send_message(person.telegram_id, "请先发送 /me 登记您的住址，我才知道该转给哪位楼栋长。")
        return
    try:
        ticket = await desk(context).open_ticket(person, inbox["text"], inbox["chosen_label"] or inbox["label"],
                                                 inbox["subcategory"], bool(inbox["urgent"]), inbox["id"], photo)
    except TicketError as exc:
        await context.bot.send_message(person.telegram_id, str(exc))
        return
    await tell_opened(context, person, ticket)


async def open_order(context: ContextTypes.DEFAULT_TYPE, person: Person, text: str, service_id: str) -> None:
    """我要预约 under an answer: a service order for that service, without a message to classify."""
    try:
        ticket = await desk(context).open_ticket(person, text, "service", None, False, service_id=service_id)
    except TicketError as exc:
        await context.bot.send_message(person.telegram_id, str(exc))
        return
    await tell_opened(context, person, ticket)


async def tell_opened(context: ContextTypes.DEFAULT_TYPE, person: Person, ticket: Ticket) -> None:
    text_of = TicketText(services(context))
    if ticket.is_order:
        await orders.confirm(context, person, ticket, await text_of.handler_name(ticket))
        return
    tz = services(context).clock.tz
    lines = [f"已登记工单 {ticket.number}：{text_of.kind(ticket)}{'（紧急）' if ticket.urgent else ''}",
             f"负责人：{await text_of.handler_name(ticket)}"]
    if ticket.accept_due:
        lines.append(f"将在 {when(ticket.accept_due, tz)} 前接单，{when(ticket.resolve_due, tz)} 前解决。")
    if ticket.anonymous:
        lines.append("您选择了匿名反映：楼栋长看不到您的姓名。")
    lines.append("有进展会第一时间通知您；发送 /my 查看您的工单。")
    await context.bot.send_message(person.telegram_id, "\n".join(lines))


async def offer_or_open(context: ContextTypes.DEFAULT_TYPE, person: Person, inbox: dict, photo: str | None = None) -> None:
    """Before opening: is it a follow-up of the resident's own open ticket, or someone else's (联名)?

    Urgent messages skip both questions: they open a ticket, and so reach everyone, at once. So do
    requests for a service: an order is personal, never somebody else's to join.
    """
    if inbox["urgent"] or (inbox["chosen_label"] or inbox["label"]) == "service":
        await open_for(context, person, inbox, photo)
        return
    mine = await services(context).store.active_tickets_reported_by(person.id)
    if mine:
        ticket = mine[0]
        markup = InlineKeyboardMarkup([[
            InlineKeyboardButton(f"补充到 {ticket.number}", callback_data=f"fu:{inbox['id']}:{ticket.id}"),
            InlineKeyboardButton("这是新问题", callback_data=f"fu:{inbox['id']}:new"),
        ]])
        await context.bot.send_message(
            person.telegram_id, f"您还有一张未办结的工单 {ticket.number}（{ticket.text[:40]}）。这条消息是对它的补充，还是一个新问题？",
            reply_markup=markup)
        return
    await offer_join_or_open(context, person, inbox, photo)


async def offer_join_or_open(context: ContextTypes.DEFAULT_TYPE, person: Person, inbox: dict, photo: str | None = None) -> None:
    similar = await desk(context).find_similar(person, inbox["text"], inbox["subcategory"])
    if similar is None:
        await open_for(context, person, inbox, photo)
        return
    markup = InlineKeyboardMarkup([[
        InlineKeyboardButton(f"是，和 {similar.number} 一样", callback_data=f"mt:{inbox['id']}:{similar.id}"),
        InlineKeyboardButton("不是，新问题", callback_data=f"mt:{inbox['id']}:new"),
    ]])
    await context.bot.send_message(
        person.telegram_id,
        f"您的楼栋已经有人反映了类似问题 {similar.number}：“{similar.text[:60]}”\n是同一个问题吗？联名后您会收到它的所有进展。",
        reply_markup=markup)


async def _own_inbox(update: Update, context: ContextTypes.DEFAULT_TYPE, inbox_id: int | None) -> tuple[Person, dict] | None:
    person = await sender(update, context)
    inbox = await services(context).store.inbox_message(inbox_id) if inbox_id is not None else None
    if person is None or inbox is None or inbox["person_id"] != person.id:
        await update.callback_query.answer(BUTTON_EXPIRED, show_alert=True)
        return None
    return person, inbox


async def _inbox_choice(update: Update, context: ContextTypes.DEFAULT_TYPE, on_new, on_ticket) -> None:
    """Buttons ``<prefix>:<inbox>:<ticket>|new`` about what to do with a resident's message."""
    query = update.callback_query
    _, inbox_part, choice = (query.data.split(":") + ["", ""])[:3]
    found = await _own_inbox(update, context, parse_int(inbox_part))
    if found is None:
        return
    person, inbox = found
    await query.answer()
    if choice == "new":
        await query.edit_message_text("好的，作为新问题登记。")
        await on_new(context, person, inbox)
        return
    try:
        reply = await on_ticket(person, inbox, parse_int(choice) or 0)
    except TicketError as exc:
        reply = str(exc)
    await query.edit_message_text(reply)


async def follow_up_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``fu:<inbox>:<ticket>|new``: attach to the resident's open ticket, or treat as a new problem."""

    async def attach(person: Person, inbox: dict, ticket_id: int) -> str:
        ticket = await desk(context).add_from_reporter(person, ticket_id, inbox["text"], "followed_up", inbox["id"])
        return f"已补充到工单 {ticket.number}，并通知了负责人。"

    await _inbox_choice(update, context, offer_join_or_open, attach)


async def me_too_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``mt:<inbox>:<ticket>|new``: join an existing ticket (联名) or open a new one."""

    async def join(person: Person, inbox: dict, ticket_id: int) -> str:
        ticket = await desk(context).join(person, ticket_id, inbox["id"])
        return f"已联名工单 {ticket.number}（共 {ticket.supporters + 1} 人反映），有进展会通知您。"

    await _inbox_choice(update, context, open_for, join)


async def card_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``tk:<ticket>:accept|resolve|forward|ask|fwd-<target>`` from a head's card."""
    query = update.callback_query
    parts = query.data.split(":")
    ticket_id = parse_int(parts[1]) if len(parts) == 3 else None
    person = await sender(update, context)
    ticket = await services(context).store.ticket(ticket_id) if ticket_id is not None else None
    action = parts[2] if len(parts) == 3 else ""
    if person is None or ticket is None or action not in ("accept", "resolve", "forward", "ask", "schedule",
                                                          *(f"fwd-{t}" for t in FORWARD_TARGETS)):
        await query.answer(BUTTON_EXPIRED, show_alert=True)
        return
    if not await desk(context).may_handle(person, ticket):
        await query.answer("您不是这张工单的负责人，不能操作。", show_alert=True)
        return
    try:
        if action == "accept":
            ticket = await desk(context).accept(person, ticket.id)
            await query.answer("已接单")
            text, markup = await TicketText(services(context)).card(ticket, person, "✅ 已接单")
            await query.edit_message_text(text, reply_markup=markup)
        elif action in ("resolve", "ask"):
            if not ticket.active:
                raise TicketError(f"工单 {ticket.number} 当前是“{ticket.status.title}”。")
            kind = "resolve_note" if action == "resolve" else "question"
            await query.answer()
            prompt = ("请回复一句话，说明处理结果（会转告居民）；回复“取消”放弃：" if action == "resolve"
                      else "请输入想问居民的问题；回复“取消”放弃：")
            await ask_for(context, person, f"工单 {ticket.number}：{prompt}", kind, ticket.id)
        elif action == "schedule":
            if not ticket.is_order or not ticket.active:
                raise TicketError(f"工单 {ticket.number} 现在不能安排时间。")
            await query.answer()
            await orders.offer_slots(update, context, ticket)
        elif action == "forward":
            await query.answer()
            await query.edit_message_reply_markup(InlineKeyboardMarkup([[
                InlineKeyboardButton(FORWARD_TARGETS[target].title, callback_data=f"tk:{ticket.id}:fwd-{target}")
                for target in forward_targets(ticket)]]))
        else:
            ticket = await desk(context).forward(person, ticket.id, action.removeprefix("fwd-"))
            await query.answer("已转交")
            await query.edit_message_text(f"工单 {ticket.number} 已转交给 {await TicketText(services(context)).handler_name(ticket)}。")
    except TicketError as exc:
        await query.answer(str(exc), show_alert=True)


async def rating_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``rt:<ticket>:satisfied|basic|dissatisfied`` from the resident."""
    query = update.callback_query
    parts = query.data.split(":")
    person = await sender(update, context)
    ticket_id = parse_int(parts[1]) if len(parts) == 3 else None
    if person is None or ticket_id is None or parts[2] not in RATING_TITLES:
        await query.answer(BUTTON_EXPIRED, show_alert=True)
        return
    try:
        ticket = await desk(context).rate(person, ticket_id, parts[2])
    except TicketError as exc:
        await query.answer(str(exc), show_alert=True)
        return
    await query.answer("谢谢您的评价")
    await query.edit_message_text(f"{query.message.text}\n\n您的评价：{RATING_TITLES[parts[2]]}")
    if parts[2] == "dissatisfied":
        await context.bot.send_message(person.telegram_id, f"抱歉没让您满意。工单 {ticket.number} 已重新打开并升级。请说说哪里不满意？（直接回复文字）")


async def cancel_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``cx:<ticket>`` asks to confirm; ``cx:<ticket>:yes`` cancels the resident's own open ticket."""
    query = update.callback_query
    parts = query.data.split(":")
    person = await sender(update, context)
    ticket_id = parse_int(parts[1]) if len(parts) in (2, 3) else None
    if person is None or ticket_id is None:
        await query.answer(BUTTON_EXPIRED, show_alert=True)
        return
    if len(parts) == 2:
        await query.answer()
        await query.edit_message_reply_markup(InlineKeyboardMarkup([[
            InlineKeyboardButton("确认撤销", callback_data=f"cx:{ticket_id}:yes")]]))
        return
    try:
        ticket = await desk(context).cancel(person, ticket_id)
    except TicketError as exc:
        await query.answer(str(exc), show_alert=True)
        return
    await query.answer("已撤销")
    await query.edit_message_text(f"工单 {ticket.number} 已撤销。")


async def handle_pending_input(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, text: str,
                               asked: dict) -> bool:
    """If the bot asked this person for a note, question, answer or reason, this text is it."""
    ticket_id, kind = asked["ticket_id"], asked["kind"]
    if text.strip().lower() in CANCEL_WORDS:
        await pending.forget(services(context).store, person)
        await update.effective_message.reply_text("好的，已取消。")
        return True
    try:
        if kind == "resolve_note":
            ticket = await desk(context).resolve(person, ticket_id, text)
            reply = f"工单 {ticket.number} 已标记为解决，已请居民评价。"
        elif kind == "question":
            ticket = await desk(context).ask(person, ticket_id, text)
            reply = f"问题已发给居民，回复会转给您（工单 {ticket.number}）。"
        else:
            ticket = await desk(context).add_from_reporter(person, ticket_id, text, "answered" if kind == "answer" else "reason")
            reply = f"已转告负责人（工单 {ticket.number}），谢谢！"
    except TicketError as exc:
        reply = str(exc)
    await pending.forget(services(context).store, person)
    await update.effective_message.reply_text(reply)
    return True


async def my_tickets(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/my: the resident's tickets (and those they joined) with their status."""
    person = await sender(update, context)
    tickets = await services(context).store.tickets_of(person.id) if person else []
    if not tickets:
        await update.effective_message.reply_text("您还没有反映过问题。有事直接打字告诉我就行。")
        return
    tz = services(context).clock.tz
    lines = ["您的工单（最近 20 张）："]
    for ticket in tickets:
        mark = "（联名）" if ticket.reporter_id != person.id else ""
        lines.append(f"{ticket.number} [{ticket.status.title}] {ticket.text[:24]}{mark} · {when(ticket.created_at, tz)}")
    lines.append("发送 /ticket 编号 查看详情，例如 /ticket " + str(tickets[0].id))
    await update.effective_message.reply_text("\n".join(lines))


async def ticket_detail(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ticket N: the timeline, with the actions this person may take."""
    person = await sender(update, context)
    ticket_id = parse_int(context.args[0].lstrip("#")) if context.args else None
    if person is None or ticket_id is None:
        await update.effective_message.reply_text("用法：/ticket 编号，例如 /ticket 12。发送 /my 查看您的工单。")
        return
    try:
        ticket, events = await desk(context).view(person, ticket_id)
    except TicketError as exc:
        await update.effective_message.reply_text(str(exc))
        return
    svc = services(context)
    text_of = TicketText(svc)
    lines = [f"工单 {ticket.number} · {text_of.kind(ticket)} · {ticket.status.title}",
             f"内容：{ticket.text[:1000]}", f"位置：{await text_of.place(ticket)}",
             f"负责人：{await text_of.handler_name(ticket)}"]
    if ticket.reporter_id != person.id and not (ticket.anonymous and person.is_staff):
        lines.append(f"反映人：{await text_of.reporter(ticket, person)}")
    elif ticket.reporter_id != person.id:  # view() already recorded that staff saw the name
        reporter = await svc.store.person(ticket.reporter_id)
        lines.append(f"反映人：{reporter.name}（匿名反映）")
    if ticket.supporters:
        lines.append(f"联名：{ticket.supporters} 人")
    lines.append("进展：")
    for event in events:
        detail = event.detail.get("note") or event.detail.get("text") or event.detail.get("question") or ""
        if event.type == "scheduled":
            detail = f"{when(datetime.fromisoformat(event.detail['appointment_at']), svc.clock.tz)} {event.detail['appointment_place']}"
        rating = RATING_TITLES.get(event.detail.get("rating") or "", "") if event.type == "rated" else ""
        lines.append(f"· {when(event.at, svc.clock.tz)} {EVENT_TITLES.get(event.type, event.type)} {rating}{detail[:80]}".rstrip())
    markup = None
    if ticket.reporter_id == person.id and ticket.active:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("撤销工单", callback_data=f"cx:{ticket.id}")]])
    elif ticket.active and await desk(context).may_handle(person, ticket):
        markup = card_buttons(ticket)
    await update.effective_message.reply_text("\n".join(lines), reply_markup=markup)
    for photo in await svc.store.ticket_photos(ticket.id):
        await context.bot.send_photo(person.telegram_id, photo, caption=f"工单 {ticket.number} 的照片")


async def my_tasks(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/tasks: what is assigned to this head now, urgent and most-supported first."""
    person = await sender(update, context)
    tickets = await desk(context).tasks(person) if person else []
    if not tickets:
        record = await services(context).store.head_record(person.id) if person else None
        suffix = f"\n您的记录：已解决 {record['resolved']} 件，满意 {record['satisfied']}、基本满意 {record['basic']}、不满意 {record['dissatisfied']}。" if record and record["resolved"] else ""
        await update.effective_message.reply_text("目前没有待您处理的工单。" + suffix)
        return
    tz = services(context).clock.tz
    lines = ["待您处理的工单："]
    for ticket in sorted(tickets, key=lambda t: (not t.urgent, -t.supporters, t.id)):
        due = ticket.accept_due or ticket.resolve_due
        lines.append(f"{ticket.number}{'🚨' if ticket.urgent else ''} [{ticket.status.title}] {ticket.text[:24]}"
                     f"{f' · 联名{ticket.supporters}' if ticket.supporters else ''} · 期限 {when(due, tz)}")
    lines.append("发送 /ticket 编号 查看并处理。")
    await update.effective_message.reply_text("\n".join(lines))


async def attach_media(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, photo: str | None = None,
                       location: tuple[float, float] | None = None) -> Ticket | None:
    """A photo or location sent right after reporting belongs to that ticket."""
    mine = await services(context).store.active_tickets_reported_by(person.id)
    now = services(context).clock.now()
    if not mine or now - mine[0].created_at > RECENT:
        return None
    return await desk(context).attach(person, mine[0].id, photo=photo, location=location)
