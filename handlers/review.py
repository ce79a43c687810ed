"""/review: staff approve or reject the label corrections residents made, before the bot learns them."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.triage import LABEL_NAMES, TriageError
from handlers.common import BUTTON_EXPIRED, sender, services, staff_only
from handlers.keyboards import parse_int

SHOWN = 10


@staff_only
async def review(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List pending corrections, each with 采纳 / 驳回."""
    pending = await services(context).store.corrections("pending", limit=SHOWN + 1)
    if not pending:
        await update.effective_message.reply_text("没有待审核的分类纠正。")
        return
    more = "（还有更多，处理完这些后再发 /review）" if len(pending) > SHOWN else ""
    await update.effective_message.reply_text(f"待审核的分类纠正 {min(len(pending), SHOWN)} 条{more}：")
    for row in pending[:SHOWN]:
        markup = InlineKeyboardMarkup([[
            InlineKeyboardButton("采纳", callback_data=f"rv:{row['id']}:a"),
            InlineKeyboardButton("驳回", callback_data=f"rv:{row['id']}:r"),
        ]])
        await update.effective_message.reply_text(
            f"“{row['text'][:300]}”\n机器判断：{LABEL_NAMES[row['predicted']]} → {row['proposer']} 认为：{LABEL_NAMES[row['label']]}",
            reply_markup=markup,
        )


@staff_only
async def review_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``rv:<id>:a|r``: settle one correction; an approved one is learnt at once."""
    query = update.callback_query
    parts = query.data.split(":")
    correction_id = parse_int(parts[1]) if len(parts) == 3 and parts[2] in ("a", "r") else None
    if correction_id is None:
        await query.answer(BUTTON_EXPIRED, show_alert=True)
        return
    try:
        await services(context).triage.review(await sender(update, context), correction_id, parts[2] == "a")
    except TriageError as exc:
        await query.answer(str(exc), show_alert=True)
        return
    await query.answer()
    verdict = "已采纳，之后类似的消息会按这个分类处理。" if parts[2] == "a" else "已驳回。"
    await query.edit_message_text(f"{query.message.text}\n\n{verdict}")
