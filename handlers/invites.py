"""/invite: staff choose a role and its place, and get a one-time deep link to hand over."""

from __future__ import annotations

from functools import partial

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.invites import INVITABLE_ROLES, SCOPE_PATHS, InviteError, create_invite
from bot.models import Place, Role
from handlers.common import BUTTON_EXPIRED, sender, services, staff_only, tell
from handlers.picker import PlacePicker


async def on_scope_chosen(role: Role, update: Update, context: ContextTypes.DEFAULT_TYPE, place: Place) -> None:
    """Create the code for the chosen place and show the link to forward."""
    svc = services(context)
    try:
        invite = await create_invite(svc.store, svc.clock, await sender(update, context), role, place.id)
    except InviteError as exc:
        await tell(update, str(exc))
        return
    link = f"https://t.me/{context.bot.username}?start={invite.code}"
    await update.callback_query.answer()
    await update.callback_query.edit_message_text(
        f"邀请链接已生成：{invite.scope_name} {role.title}\n{link}\n\n"
        f"请把链接发给本人，第一个打开的人获得该身份；7 天内有效（至 {invite.expires_at.astimezone(svc.clock.tz):%m-%d %H:%M}），只能使用一次。",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("打开邀请链接", url=link)]]),
    )


PICKERS = {
    role: PlacePicker(f"iv.{role.value}", SCOPE_PATHS[role.scope_kind], partial(on_scope_chosen, role),
                      f"邀请{role.title}：")
    for role in INVITABLE_ROLES
}


@staff_only
async def invite(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Start an invite: which role?"""
    buttons = [InlineKeyboardButton(role.title, callback_data=f"iv.{role.value}:start") for role in INVITABLE_ROLES]
    rows = [buttons[i:i + 3] for i in range(0, len(buttons), 3)]
    await update.effective_message.reply_text("要邀请哪种角色？", reply_markup=InlineKeyboardMarkup(rows))


@staff_only
async def invite_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Buttons ``iv.<role>:…``: walk to the role's place, re-checking staff rights every step."""
    head, _, rest = update.callback_query.data.partition(":")
    picker = PICKERS.get(Role(head[3:])) if head[3:] in Role._value2member_map_ else None
    if picker is None:
        await update.callback_query.answer(BUTTON_EXPIRED, show_alert=True)
    elif rest == "start":
        await picker.show(update, context)
    else:
        await picker.handle(update, context, rest.split(":"))
