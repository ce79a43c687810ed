"""What every handler needs: the shared services, the sender's record, and a polite refusal."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from bot import pending
from bot.models import Person
from bot.services import Services

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[Any]]

CANCEL_WORDS = frozenset({"取消", "算了", "cancel"})
STAFF_ONLY = "抱歉，这个命令只有社区工作人员可以使用。"
BUTTON_EXPIRED = "这个按钮已失效，请重新操作。"
EVIDENCE = "紧急线索："  # before the words that made a message urgent, on every staff alert


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data["services"]


async def sender(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Person | None:
    """The roster record of whoever sent this update, or None for a stranger."""
    user = update.effective_user
    return await services(context).store.person_by_telegram(user.id) if user else None


def display_name(update: Update) -> str:
    user = update.effective_user
    return (user.full_name or user.username or f"居民{user.id}").strip()[:40] if user else "居民"


async def tell(update: Update, text: str, **kwargs: Any) -> None:
    """Answer in the same place the user acted: a pop-up for a button, a message otherwise."""
    if update.callback_query:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_message:
        await update.effective_message.reply_text(text, **kwargs)


async def ask_for(context: ContextTypes.DEFAULT_TYPE, person: Person, prompt: str, kind: str,
                  ticket_id: int | None = None, continuing: bool = False, **payload: Any) -> None:
    """Ask this person for a text; if they were in the middle of another step, say it was dropped
    (unless this is the next step of the same exchange: ``continuing``)."""
    svc = services(context)
    previous = await pending.current(svc.store, svc.clock, person)
    await pending.expect(svc.store, svc.clock, person, kind, ticket_id, **payload)
    dropped = ("（上一步没有完成的操作已放弃。）\n"
               if previous is not None and previous["kind"] not in (kind, "location") and not continuing else "")
    await context.bot.send_message(person.telegram_id, dropped + prompt)


def staff_only(callback: Callback) -> Callback:
    """Refuse, and change nothing, when someone without a staff role calls a staff command."""

    @functools.wraps(callback)
    async def guarded(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Any:
        person = await sender(update, context)
        if person is None or not person.is_staff:
            await tell(update, STAFF_ONLY)
            return None
        return await callback(update, context)

    return guarded
