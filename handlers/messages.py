"""Plain text from residents: hold it for strangers until they register, otherwise understand it."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.ext import ContextTypes

from bot import pending
from bot.models import Person
from bot.triage import CHOICES, LABEL_TITLES, TriageError
from bot.tickets import TICKET_LABELS
from handlers import broadcasts, faq, meetings, orders, tickets
from handlers.common import BUTTON_EXPIRED, EVIDENCE, sender, services
from handlers.fallback import PHOTO, UNKNOWN_COMMAND
from handlers.keyboards import parse_int

MAX_TEXT = 4096
RESIDENT_INPUTS = ("answer", "reason", "order_preferred")  # what residents are asked for: an emergency overrides
TOO_LONG = f"消息太长了（超过 {MAX_TEXT} 字），请分成几条短一点的消息发送，或者把主要问题写在前面。"
URGENT = ("⚠️ 这听起来是紧急情况！如有危险，请先离开危险地点并立即拨打：\n"
          "110 报警 · 119 火警 · 120 急救\n"
          "您的消息已标记为紧急，社区工作人员会马上看到。")
UNSURE = "我还不太确定您说的是哪类事情，请点一下："
OTHER_REPLIES = {
    "other.greeting": "您好！有什么需要帮忙的，直接打字告诉我就行，比如“楼道灯不亮了”。",
    "other.thanks": "不客气！有事随时找我。",
    "other.closure": "好的，问题解决了就好。以后有事随时告诉我。",
    "other.ack": "好的👌",
    "other.test": "收到，我在呢。有什么事直接告诉我就行。",
}
CRY_FOLLOW_UP = ("社区工作人员已收到您的求救。能打字的话，请告诉我们：在哪里（几号楼几单元）、发生了什么、"
                 "有没有人受伤。")
OTHER_DEFAULT = "收到。如果有需要反映的问题或想咨询的事，直接告诉我就行；发送 /help 查看使用方法。"
# Who takes the text a person was asked for, by the kind of question (tickets' own kinds come last, below).
INPUT_RECEIVERS = (
    (meetings.MEETING_INPUTS, meetings.receive_input),
    (("broadcast_time",), broadcasts.receive_time),
    (faq.FAQ_INPUTS, faq.receive_input),
    (orders.ORDER_INPUTS, orders.receive_input),
)


async def text_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any non-command text in a private chat."""
    await take_text(update, context, update.effective_message.text)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command the bot does not have; words typed after it (/baoxiu 门禁坏了) are still a message."""
    command, *rest = update.effective_message.text.split(maxsplit=1)
    if not rest:
        await update.effective_message.reply_text(UNKNOWN_COMMAND)
        return
    await update.effective_message.reply_text(f"没有 {command.split('@')[0]} 这个命令，您后面写的话我照常处理。")
    await take_text(update, context, rest[0])


async def take_text(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """Hold a stranger's text until they register; understand a registered person's."""
    from handlers.onboarding import ADDRESS_PICKER  # onboarding replays held text through this module

    if len(text) > MAX_TEXT:
        await update.effective_message.reply_text(TOO_LONG)
        return
    person = await sender(update, context)
    if person is None or not person.is_registered:
        svc = services(context)
        await svc.store.hold_message(update.effective_user.id, text, svc.clock.now())
        await update.effective_message.reply_text("您的话我已经记下了。第一次使用请先登记住址，登记完马上为您处理。")
        await ADDRESS_PICKER.show(update, context)
        return
    await handle_resident_text(update, context, person, text)


def choice_keyboard(inbox_id: int) -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(LABEL_TITLES[label], callback_data=f"tr:{inbox_id}:{label}") for label in CHOICES]
    return InlineKeyboardMarkup([buttons[:2], buttons[2:4], buttons[4:]])


def ticket_choice_keyboard(inbox_id: int) -> InlineKeyboardMarkup:
    """Only the labels that open a ticket: offered when a question found no answer."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(LABEL_TITLES[label], callback_data=f"tr:{inbox_id}:{label}")
                                  for label in TICKET_LABELS]])


async def handle_resident_text(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, text: str,
                               photo: str | None = None) -> None:
    """Understand a registered person's message: warn at once if urgent, ask if unsure, else act.

    A text the bot asked for (a resolve note, a question, an answer, a reason) is that, not a new message.
    """
    svc = services(context)
    asked = await pending.current(svc.store, svc.clock, person)
    if asked is not None and asked["kind"] == "location":  # they wrote instead of sharing a location
        await pending.forget(svc.store, person)
        asked = None
    if asked is not None and asked["kind"] in RESIDENT_INPUTS and svc.triage.classifier.classify(text).urgent:
        asked = None  # a resident's emergency is never taken as the answer the bot was waiting for
    if asked is not None and asked["kind"] == "broadcast":
        await broadcasts.receive_content(update, context, person, text, photo)
        return
    receiver = next((receive for kinds, receive in INPUT_RECEIVERS if asked and asked["kind"] in kinds), None)
    if receiver is not None:
        await receiver(update, context, person, text, asked)
        return
    if asked is not None and photo is None and await tickets.handle_pending_input(update, context, person, text, asked):
        return
    triage = await svc.triage.triage(person, text)
    result = triage.classification
    if result.urgent:
        await context.bot.send_message(person.telegram_id, URGENT)
        if triage.needs_choice or result.label not in TICKET_LABELS:  # no ticket yet to carry the alarm
            await alert_staff(context, person, text, result.evidence)
    route = svc.faq.decide(text, result, unsure=triage.needs_choice)
    if route == "ask":
        await context.bot.send_message(person.telegram_id, UNSURE, reply_markup=choice_keyboard(triage.inbox_id))
        return
    inbox = await svc.store.inbox_message(triage.inbox_id)
    if route == "faq" and (result.label != "faq" or triage.needs_choice):  # answered, though the classifier leaned elsewhere
        order = svc.tickets.catalogue.service_for(result.subcategory).id if result.label == "service" else None
        await faq.answer(context, person, inbox, order_service=order)
        return
    await act(context, person, inbox, photo)


async def alert_staff(context: ContextTypes.DEFAULT_TYPE, person: Person, text: str, evidence: str | None) -> None:
    """Urgent messages reach the community staff of the sender's building straight away."""
    if person.building_id is None:
        return
    why = f"\n{EVIDENCE}{evidence}" if evidence else ""
    for staff in await services(context).store.community_staff_for_building(person.building_id):
        if staff.telegram_id is not None:
            await context.bot.send_message(staff.telegram_id, f"🚨 紧急消息（{person.display}）：\n{text[:1000]}{why}")


async def act(context: ContextTypes.DEFAULT_TYPE, person: Person, inbox: dict, photo: str | None = None) -> None:
    """What follows a label: a ticket for problems and services, an answer or a short reply otherwise."""
    label = inbox["chosen_label"] or inbox["label"]
    subcategory = inbox["subcategory"] if label == inbox["label"] else None
    if label in TICKET_LABELS:
        await tickets.offer_or_open(context, person, {**inbox, "chosen_label": label, "subcategory": subcategory}, photo)
    elif label == "other" and inbox["urgent"]:  # 救命 快来人: the alert is out; ask what and where, no small talk
        await context.bot.send_message(person.telegram_id, CRY_FOLLOW_UP)
    elif label == "other":
        await context.bot.send_message(person.telegram_id, OTHER_REPLIES.get(subcategory or "", OTHER_DEFAULT))
    else:
        await faq.answer(context, person, inbox)


async def photo_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A photo: with a caption it is a report; alone, it belongs to a ticket just opened, if any."""
    person = await sender(update, context)
    file_id = update.effective_message.photo[-1].file_id
    caption = (update.effective_message.caption or "").strip()
    if person is not None and person.is_registered:
        asked = await pending.current(services(context).store, services(context).clock, person)
        if caption or (asked is not None and asked["kind"] == "broadcast"):  # a photo announcement
            await handle_resident_text(update, context, person, caption[:MAX_TEXT], photo=file_id)
            return
        ticket = await tickets.attach_media(update, context, person, photo=file_id)
        if ticket is not None:
            await update.effective_message.reply_text(f"照片已附加到工单 {ticket.number}。")
            return
    await update.effective_message.reply_text(PHOTO)


async def location_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A location belongs to a ticket just opened; otherwise the resident is looking for a station."""
    person = await sender(update, context)
    where = update.effective_message.location
    if person is not None and person.is_registered:
        asked = await pending.current(services(context).store, services(context).clock, person)
        if asked is not None and asked["kind"] == "location":  # the answer about stations asked for it
            await pending.forget(services(context).store, person)
            await faq.nearest(update, context)
            return
        ticket = await tickets.attach_media(update, context, person, location=(where.latitude, where.longitude))
        if ticket is not None:
            await update.effective_message.reply_text(f"位置已附加到工单 {ticket.number}。", reply_markup=ReplyKeyboardRemove())
            return
    await faq.nearest(update, context)


async def choice_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``tr:<inbox id>:<label>`` (the resident's choice) or ``tr:<inbox id>:fix`` (offer the choices)."""
    query = update.callback_query
    parts = query.data.split(":")
    inbox_id = parse_int(parts[1]) if len(parts) == 3 else None
    person = await sender(update, context)
    if inbox_id is None or person is None:
        await query.answer(BUTTON_EXPIRED, show_alert=True)
        return
    if parts[2] == "fix":
        message = await services(context).store.inbox_message(inbox_id)
        if message is None or message["person_id"] != person.id:
            await query.answer(BUTTON_EXPIRED, show_alert=True)
            return
        await query.answer()
        await query.edit_message_text("请选择正确的分类：", reply_markup=choice_keyboard(inbox_id))
        return
    try:
        message = await services(context).triage.choose(person, inbox_id, parts[2])
    except TriageError as exc:
        await query.answer(str(exc), show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(f"好的，按“{LABEL_TITLES[parts[2]]}”处理。")
    await act(context, person, message)
