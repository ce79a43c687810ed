"""Everything the bot cannot use still gets a clear, polite answer, never silence."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from handlers.common import BUTTON_EXPIRED

STICKER = "我看不懂表情贴纸😊 请用文字告诉我您的问题，比如“3号楼楼道灯不亮了”。"
VOICE = "暂时还听不了语音，请用文字描述一下您的问题，谢谢！"
PHOTO = "收到图片了。请再用一句话说明是什么问题（可以在发图片时写在说明里），我才能帮您转给负责人。"
UNSUPPORTED = "这类消息我暂时处理不了。请直接用文字告诉我您的问题。"
UNKNOWN_COMMAND = "没有这个命令。发送 /help 查看可以用的命令。"
EDITED = "修改后的消息不会重新处理；如需补充，请直接发一条新消息。"


async def sticker(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers and emoji animations."""
    await update.effective_message.reply_text(STICKER)


async def voice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Voice notes, audio and round videos."""
    await update.effective_message.reply_text(VOICE)


async def unsupported(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Documents, contacts, polls, games and anything else."""
    await update.effective_message.reply_text(UNSUPPORTED)


async def edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edit of an earlier message."""
    await update.effective_message.reply_text(EDITED)


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Callback data no handler recognises: old buttons or forged data."""
    await update.callback_query.answer(BUTTON_EXPIRED, show_alert=True)
