"""Service orders in the chat (居民点单、社区派单、共建单位接单): booking, preferred time, scheduling.

An order is a ticket with a service (see ``bot.tickets``): the same card, deadlines, rating and audit
trail. This module adds only what is particular to it — the resident's preferred time, and the
handler's 安排 (time and place), offered as the service's next scheduled slots or typed freely.
"""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot import pending
from bot.when import parse_appointment, spoken_day, spoken_time
from bot.models import Person, Ticket
from bot.stations import Slot
from bot.tickets import TicketError
from handlers.common import BUTTON_EXPIRED, CANCEL_WORDS, ask_for, sender, services
from handlers.keyboards import button

ORDER_INPUTS = ("order_preferred", "order_appointment")
STAMP = "%Y%m%d%H%M"
MAX_DAYS_AHEAD = 60
TIME_HELP = "请写日期、时间和地点，例如“明天下午3点 上门服务”“周四 10:00 幸福里红帆驿站”“12月2日 14:30 社区服务中心”。"


def slot_text(slot: Slot, now: datetime) -> str:
    return f"{spoken_day(slot.starts.date(), now.date())} {spoken_time(slot.starts)}，{slot.station.name}"


def next_slots(context: ContextTypes.DEFAULT_TYPE, ticket: Ticket) -> list[Slot]:
    """The service's coming slots that can still be booked (one already under way cannot)."""
    svc = services(context)
    service = svc.tickets.catalogue.service(ticket.service_id)
    if service is None or service.schedule is None:
        return []
    now = svc.clock.now()
    return [slot for slot in svc.tickets.catalogue.slots(service.schedule, now, svc.faq.calendar, count=4)
            if slot.starts > now][:3]


async def confirm(context: ContextTypes.DEFAULT_TYPE, person: Person, ticket: Ticket, handler: str) -> None:
    """Tell the resident the order is in, who takes it, and ask when suits them."""
    svc = services(context)
    service = svc.tickets.catalogue.service(ticket.service_id)
    partner = await svc.tickets.order_partner(ticket)
    if partner is not None and partner.id != ticket.assignee_id:
        handler += f" 和 共建单位 {partner.name}"
    now = svc.clock.now()
    rows = [[InlineKeyboardButton(slot_text(slot, now), callback_data=f"pt:{ticket.id}:{slot.starts:{STAMP}}")]
            for slot in next_slots(context, ticket)]
    rows.append([InlineKeyboardButton("越快越好", callback_data=f"pt:{ticket.id}:asap"),
                 InlineKeyboardButton("其他时间（打字）", callback_data=f"pt:{ticket.id}:other")])
    await context.bot.send_message(
        person.telegram_id,
        f"已为您登记服务预约 {ticket.number}：{service.title}\n由 {handler} 安排，安排好时间和地点会马上通知您。\n"
        "您希望什么时候？请点一个：", reply_markup=InlineKeyboardMarkup(rows))


async def _order(update: Update, context: ContextTypes.DEFAULT_TYPE) -> tuple[Person, Ticket, str] | None:
    """The presser and the service order a ``<prefix>:<ticket>:<choice>`` button is about, if both exist."""
    ticket_id, choice = button(update.callback_query.data)
    person = await sender(update, context)
    ticket = await services(context).store.ticket(ticket_id) if ticket_id is not None else None
    if person is None or ticket is None or not ticket.is_order:
        return None
    return person, ticket, choice


async def order_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``so:<ask>:<service>``: 我要预约 under an answer turns the question into a service order."""
    from handlers.tickets import open_order  # tickets imports this module

    query = update.callback_query
    ask_id, service_id = button(query.data)
    person = await sender(update, context)
    svc = services(context)
    ask = await svc.faq.own_ask(person, ask_id) if person is not None else None
    service = svc.tickets.catalogue.service(service_id)
    if ask is None or service is None:
        await query.answer(BUTTON_EXPIRED, show_alert=True)
        return
    same = [t for t in await svc.store.active_tickets_reported_by(person.id) if t.service_id == service.id]
    if same:
        await query.answer(f"您已经有一张{service.title}的预约 {same[0].number}，正在安排中。", show_alert=True)
        return
    await query.answer()
    await query.edit_message_reply_markup(None)
    await open_order(context, person, f"预约{service.title}（居民问：{ask['text'][:200]}）", service.id)


async def preferred_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``pt:<ticket>:<slot start>|asap|other``: the resident's preferred time, passed to the handler."""
    query = update.callback_query
    found = await _order(update, context)
    if found is None or found[0].id != found[1].reporter_id:
        await query.answer(BUTTON_EXPIRED, show_alert=True)
        return
    person, ticket, choice = found
    svc = services(context)
    if choice == "other":
        await query.answer()
        await ask_for(context, person, "请写下您方便的时间（例如“周四上午”“11月28日下午3点以后”）；回复“取消”放弃：",
                      "order_preferred", ticket.id)
        return
    wanted = "越快越好" if choice == "asap" else next(
        (slot_text(slot, svc.clock.now()) for slot in next_slots(context, ticket) if f"{slot.starts:{STAMP}}" == choice), None)
    if wanted is None:
        await query.answer("这个时间已经过去了，请重新选择。", show_alert=True)
        return
    if ticket.preferred_time == wanted:  # a double tap: already passed on
        await query.answer("已告诉接单人")
        return
    try:
        await svc.tickets.add_from_reporter(person, ticket.id, wanted, "preferred")
    except TicketError as exc:
        await query.answer(str(exc), show_alert=True)
        return
    await query.answer("已告诉接单人")
    await query.edit_message_text(f"{query.message.text.split(chr(10))[0]}\n您希望的时间：{wanted}。安排好后会通知您。")


async def offer_slots(update: Update, context: ContextTypes.DEFAULT_TYPE, ticket: Ticket) -> None:
    """安排 on a card: the service's next slots, or a time typed freely."""
    rows = [[InlineKeyboardButton(slot_text(slot, services(context).clock.now()),
                                  callback_data=f"ap:{ticket.id}:{slot.starts:{STAMP}}")]
            for slot in next_slots(context, ticket)]
    rows.append([InlineKeyboardButton("其他时间地点（打字）", callback_data=f"ap:{ticket.id}:other")])
    await update.callback_query.edit_message_reply_markup(InlineKeyboardMarkup(rows))


async def appointment_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``ap:<ticket>:<slot start>|other`` from the handler: fix the time and place."""
    query = update.callback_query
    found = await _order(update, context)
    if found is None:
        await query.answer(BUTTON_EXPIRED, show_alert=True)
        return
    person, ticket, choice = found
    svc = services(context)
    if not await svc.tickets.may_handle(person, ticket):
        await query.answer("您不是这张工单的负责人，不能操作。", show_alert=True)
        return
    if choice == "other":
        await query.answer()
        await ask_for(context, person, f"工单 {ticket.number}：{TIME_HELP}回复“取消”放弃：", "order_appointment", ticket.id)
        return
    slot = next((s for s in next_slots(context, ticket) if f"{s.starts:{STAMP}}" == choice), None)
    if slot is None:
        await query.answer("这个时间已经过去了，请重新选择。", show_alert=True)
        return
    try:
        text = await _schedule(context, person, ticket, slot.starts, f"{slot.station.name}（{slot.station.address}）")
    except TicketError as exc:
        await query.answer(str(exc), show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(text)


async def _schedule(context: ContextTypes.DEFAULT_TYPE, person: Person, ticket: Ticket, at: datetime,
                    place: str) -> str:
    """Book it; the confirmation for the handler, who sees the time as the resident will read it."""
    ticket = await services(context).tickets.schedule(person, ticket.id, at, place)
    now = services(context).clock.now()
    return (f"工单 {ticket.number} 已安排：{spoken_day(at.date(), now.date())} {spoken_time(at)}，{place}。已通知居民。\n"
            f"时间不对可以再点“安排时间地点”重新安排。服务完成后请在 /ticket {ticket.id} 点“已解决”，居民会收到评价邀请。")


async def receive_input(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, text: str,
                        asked: dict) -> None:
    """A preferred time typed by the resident, or a time and place typed by the handler."""
    svc = services(context)
    reply = update.effective_message.reply_text
    if text.strip().lower() in CANCEL_WORDS:
        await pending.forget(svc.store, person)
        await reply("好的，已取消。")
        return
    ticket = await svc.store.ticket(asked["ticket_id"])
    if asked["kind"] == "order_preferred":
        await pending.forget(svc.store, person)
        try:
            await svc.tickets.add_from_reporter(person, ticket.id, text.strip()[:100], "preferred")
        except TicketError as exc:
            await reply(str(exc))
            return
        await reply(f"已把您希望的时间告诉接单人（{ticket.number}），安排好后会通知您。")
        return
    parsed = parse_appointment(text, svc.clock.now(), max_days=MAX_DAYS_AHEAD)
    if parsed is None:
        await reply("没看懂这个时间（要在今后 60 天内）。" + TIME_HELP)
        return
    await pending.forget(svc.store, person)
    at, place = parsed
    service = svc.tickets.catalogue.service(ticket.service_id)
    default_place = svc.tickets.catalogue.station(service.place).name if service and service.place else "另行电话约定"
    try:
        await reply(await _schedule(context, person, ticket, at, place or default_place))
    except TicketError as exc:
        await reply(str(exc))
