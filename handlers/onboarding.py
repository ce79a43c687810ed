"""/start, /me and /help: registering a home address, redeeming invites, explaining the bot."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.invites import InviteError, redeem_invite
from bot.models import Person, Place, Role
from bot.residents import AddressError, register_address
from handlers.common import BUTTON_EXPIRED, display_name, sender, services, tell
from handlers.menus import sync_menu
from handlers.picker import PlacePicker

WELCOME = (
    "您好，欢迎使用“说事”小助手！\n"
    "有什么烦心事、需要帮忙的，直接打字告诉我就行，比如“3号楼电梯又坏了”。\n"
    "我会转给负责您楼栋的楼栋长，并告诉您处理进度。"
)
HELP = (
    "使用方法：\n"
    "• 直接发文字说明问题或提问，例如“楼道灯不亮了”“驿站几点开门”“律师哪天值班”\n"
    "• 需要服务就直接说，例如“想预约法律咨询”，社区会安排时间地点并通知您\n"
    "• 发送位置（📎→位置），帮您找最近的红帆驿站\n"
    "• /my 查看您反映的问题和进度，/ticket 编号 查看详情\n"
    "• /me 查看或修改您的住址、开启匿名反映\n"
    "• /start 重新开始\n"
    "遇到火灾、燃气泄漏、有人受伤等紧急情况，请先拨打 110 / 119 / 120。"
)


async def on_address_chosen(update: Update, context: ContextTypes.DEFAULT_TYPE, place: Place) -> None:
    """Save the chosen home, confirm it, then deal with anything the user wrote before."""
    svc = services(context)
    try:
        person = await register_address(
            svc.store, svc.clock, update.effective_user.id, display_name(update), place.kind, place.id
        )
    except AddressError as exc:
        await tell(update, str(exc))
        return
    await update.callback_query.answer("登记成功")
    await update.callback_query.edit_message_text(f"登记完成：{person.address}\n\n{HELP}")
    await sync_menu(context.bot, svc.store, person)
    await replay_held_messages(update, context, person)


async def replay_held_messages(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person) -> None:
    """What a stranger wrote before registering is handled now, not lost."""
    from handlers.messages import handle_resident_text  # the message flow imports onboarding too

    store = services(context).store
    for held_id, text in await store.held_messages(person.telegram_id):
        await context.bot.send_message(person.telegram_id, f"您登记前发的消息：“{text[:200]}”，现在为您处理。")
        await handle_resident_text(update, context, person, text)
        await store.drop_held_message(held_id)


ADDRESS_PICKER = PlacePicker("ad", ("compound", "building", "unit"), on_address_chosen, "请登记您的住址。")


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Welcome; with a deep-link payload, redeem the invite code in it."""
    if context.args:
        await redeem(update, context, context.args[0])
        return
    person = await sender(update, context)
    if person is not None and person.building_id is not None:
        await update.effective_message.reply_text(f"{WELCOME}\n\n您登记的住址：{person.address}\n发送 /me 可以修改。")
        return
    if person is not None and person.is_registered:
        await update.effective_message.reply_text(f"{WELCOME}\n\n您的身份：{roles_text(person)}\n{HELP}")
        return
    await update.effective_message.reply_text(WELCOME)
    await ADDRESS_PICKER.show(update, context)


async def redeem(update: Update, context: ContextTypes.DEFAULT_TYPE, code: str) -> None:
    """Bind this account to the invite's role; a used, expired or unknown code is refused."""
    svc = services(context)
    try:
        redeemed = await redeem_invite(
            svc.store, svc.clock, code[:64], update.effective_user.id, display_name(update)
        )
    except InviteError as exc:
        await update.effective_message.reply_text(str(exc))
        return
    invite = redeemed.invite
    await update.effective_message.reply_text(
        f"欢迎！您已成为 {invite.scope_name} 的{invite.role.title}。\n发送 /help 查看可用的命令。"
    )
    await sync_menu(context.bot, svc.store, redeemed.person)


def roles_text(person: Person) -> str:
    duties = [f"{grant.scope_name}{grant.role.title}" for grant in person.grants]
    return "、".join(duties) if duties else Role.RESIDENT.title


async def me(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show who the bot thinks you are, with a button to change the address."""
    person = await sender(update, context)
    if person is None:
        await update.effective_message.reply_text("您还没有登记。")
        await ADDRESS_PICKER.show(update, context)
        return
    text, markup = await me_view(context, person)
    await update.effective_message.reply_text(text, reply_markup=markup)


async def me_view(context: ContextTypes.DEFAULT_TYPE, person: Person) -> tuple[str, InlineKeyboardMarkup]:
    anonymous = await services(context).store.anonymous_reports(person.id)
    lines = [f"姓名：{person.name}", f"住址：{person.address or '未登记'}", f"身份：{roles_text(person)}",
             f"匿名反映：{'开（楼栋长看不到您的姓名）' if anonymous else '关'}"]
    markup = InlineKeyboardMarkup([[
        InlineKeyboardButton("修改住址", callback_data="ad:change"),
        InlineKeyboardButton("关闭匿名" if anonymous else "开启匿名", callback_data=f"an:{'off' if anonymous else 'on'}"),
    ]])
    return "\n".join(lines), markup


async def anonymous_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``an:on|off``: report anonymously from now on (heads see building and unit, not the name)."""
    person = await sender(update, context)
    choice = update.callback_query.data.partition(":")[2]
    if person is None or choice not in ("on", "off"):
        await update.callback_query.answer(BUTTON_EXPIRED, show_alert=True)
        return
    await services(context).store.set_anonymous_reports(person.id, choice == "on")
    await update.callback_query.answer("已开启匿名反映" if choice == "on" else "已关闭匿名反映")
    text, markup = await me_view(context, await sender(update, context))
    await update.callback_query.edit_message_text(text, reply_markup=markup)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """How to use the bot, in plain words."""
    person = await sender(update, context)
    text = HELP
    if person is not None and person.is_staff:
        text += ("\n\n工作人员命令：\n• /invite 生成楼栋长、网格长等角色的邀请链接"
                 "\n• /review 审核居民对消息分类的纠正（采纳后机器人会学会）")
    await update.effective_message.reply_text(text)


async def address_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Buttons of the address picker (``ad:…``)."""
    parts = update.callback_query.data.split(":")[1:]
    if parts == ["change"]:
        await ADDRESS_PICKER.show(update, context)
        return
    await ADDRESS_PICKER.handle(update, context, parts)
