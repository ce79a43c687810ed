"""Plain text from residents: hold it for strangers until they register, otherwise understand it."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.models import Person
from handlers.common import sender, services

MAX_TEXT = 4096
TOO_LONG = f"消息太长了（超过 {MAX_TEXT} 字），请分成几条短一点的消息发送，或者把主要问题写在前面。"


async def text_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any non-command text in a private chat."""
    from handlers.onboarding import ADDRESS_PICKER  # onboarding replays held text through this module

    text = update.effective_message.text
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


async def handle_resident_text(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, text: str) -> None:
    """Understand a registered person's message and act on it."""
    await context.bot.send_message(person.telegram_id, f"收到您的消息：“{text[:100]}”。")
