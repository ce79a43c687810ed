"""/broadcast and /broadcasts: staff compose an announcement, pick the audience, watch it go out."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from functools import partial

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import ContextTypes

from bot import broadcasts as core
from bot.models import Person, Place
from bot.store import from_db
from bot.services import Services
from bot import pending
from bot.when import parse_time
from handlers.common import BUTTON_EXPIRED, CANCEL_WORDS, ask_for, sender, services, staff_only
from handlers.keyboards import parse_int
from handlers.picker import PlacePicker

AUDIENCE_TITLES = {
    "all": "全体居民", "community": "某个社区", "grid": "某个网格", "compound": "某个小区",
    "building": "某栋楼", "unit": "某个单元", "building_heads": "全体楼栋长", "grid_heads": "全体网格长",
}
PLACE_PATHS = {"community": ("community",), "grid": ("grid",), "compound": ("compound",),
               "building": ("compound", "building"), "unit": ("compound", "building", "unit")}
WHEN = {"now": "立即发送", "1h": "1小时后", "20": "今晚8点", "08": "明早8点", "at": "其他时间"}
REMIND_GAP = timedelta(minutes=10)
TIME_HELP = "请输入发送时间，例如“11-25 09:00”或“2026-11-25 09:00”（30 天内）；回复“取消”放弃。"
STATE_TITLES = {"draft": "草稿", "scheduled": "定时", "sending": "发送中", "done": "已发完", "cancelled": "已取消"}


# -- delivery: the engine's send function and progress reports, in Telegram terms ----------------

def receipt_button(broadcast: dict) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        "收到", callback_data=f"rc:{broadcast['parent_id'] or broadcast['id']}")]])


async def send_announcement(bot: Bot, broadcast: dict, chat_id: int) -> int:
    """Send one copy; Telegram's errors become the engine's three outcomes."""
    text = f"📢 社区通知\n{broadcast['text']}"
    try:
        if broadcast["photo"]:
            message = await bot.send_photo(chat_id, broadcast["photo"], caption=text[:1024],
                                           reply_markup=receipt_button(broadcast))
        else:
            message = await bot.send_message(chat_id, text, reply_markup=receipt_button(broadcast))
    except RetryAfter as exc:
        delay = exc.retry_after
        raise core.RateLimited(delay.total_seconds() if isinstance(delay, timedelta) else float(delay)) from exc
    except Forbidden as exc:
        raise core.Unreachable(str(exc)) from exc
    except TelegramError as exc:
        raise core.TransientError(str(exc)) from exc
    return message.message_id


def progress_text(broadcast: dict, counts: dict, finished: bool, rate: float) -> str:
    done = counts["sent"] + counts["unreachable"] + counts["failed"]
    total = max(counts["total"], 1)
    if not finished:
        minutes = max(1, round(counts["pending"] / rate / 60))
        return (f"📢 通知发送中（{broadcast['audience_label']}）\n已发送 {done}/{counts['total']} · "
                f"{done * 100 // total}% · 预计还需 {minutes}分钟")
    title = "已取消" if broadcast["state"] == "cancelled" else "发送完成"
    started = from_db(broadcast["started_at"] or broadcast["created_at"])
    ended = from_db(broadcast["finished_at"] or broadcast["started_at"] or broadcast["created_at"])
    seconds = int((ended - started).total_seconds())
    return (f"📢 通知{title}（{broadcast['audience_label']}）\n送达 {counts['sent']}，无法送达 {counts['unreachable']}，"
            f"失败 {counts['failed']}{'，未发 ' + str(counts['cancelled']) if counts['cancelled'] else ''}，"
            f"用时 {seconds // 60}分{seconds % 60}秒\n已确认收到 {counts['confirmed']}/{counts['sent']}")


async def report_progress(bot: Bot, rate: float, broadcast: dict, counts: dict, finished: bool) -> None:
    """Edit the staff member's message into a live progress bar, then into the final report."""
    if not broadcast["progress_chat"]:
        return
    markup = history_buttons(broadcast) if finished else InlineKeyboardMarkup(
        [[InlineKeyboardButton("取消发送", callback_data=f"bc:{broadcast['id']}:cancel")]])
    try:
        await bot.edit_message_text(progress_text(broadcast, counts, finished, rate), broadcast["progress_chat"],
                                    broadcast["progress_message"], reply_markup=markup)
    except (BadRequest, Forbidden):  # the message was deleted or is unchanged; the figures are in /broadcasts
        pass


def make_engine(svc: Services, bot: Bot, rate: float, **kwargs) -> core.BroadcastEngine:
    return core.BroadcastEngine(svc.store, svc.clock, partial(send_announcement, bot), rate=rate,
                                on_progress=partial(report_progress, bot, rate), **kwargs)


# -- composing ------------------------------------------------------------------------------------

@staff_only
async def broadcast_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/broadcast: ask for the content; the next text or captioned photo is it."""
    await ask_for(context, await sender(update, context),
                  "请发送通知内容：一段文字，或一张带说明的图片。回复“取消”放弃。", "broadcast")


async def receive_content(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, text: str,
                          photo: str | None) -> None:
    """The content arrived: save a draft and offer the audiences."""
    svc = services(context)
    await pending.forget(svc.store, person)
    if text.strip().lower() in CANCEL_WORDS:
        await update.effective_message.reply_text("好的，已取消。")
        return
    try:
        broadcast_id = await core.compose(svc.store, svc.clock, person, text, photo)
    except core.BroadcastError as exc:
        await update.effective_message.reply_text(str(exc))
        return
    buttons = [InlineKeyboardButton(title, callback_data=f"bc:{broadcast_id}:a:{kind}")
               for kind, title in AUDIENCE_TITLES.items()]
    await update.effective_message.reply_text(
        "发给谁？", reply_markup=InlineKeyboardMarkup([buttons[i:i + 3] for i in range(0, len(buttons), 3)]))


async def preview(update: Update, context: ContextTypes.DEFAULT_TYPE, broadcast_id: int) -> None:
    draft = await services(context).store.broadcast(broadcast_id)
    count = await services(context).store.audience_count(draft["audience_kind"], draft["audience_id"],
                                                         draft["community_id"])
    buttons = [InlineKeyboardButton(title, callback_data=f"bc:{broadcast_id}:go:{key}") for key, title in WHEN.items()]
    rows = [buttons[:4], [*buttons[4:], InlineKeyboardButton("放弃", callback_data=f"bc:{broadcast_id}:drop")]]
    photo = "（附图片）" if draft["photo"] else ""
    await update.callback_query.answer()
    await update.callback_query.edit_message_text(
        f"预览{photo}：\n📢 社区通知\n{draft['text']}\n\n对象：{draft['audience_label']}，共 {count} 人。确认发送？",
        reply_markup=InlineKeyboardMarkup(rows))


async def on_place(broadcast_id: int, update: Update, context: ContextTypes.DEFAULT_TYPE, place: Place) -> None:
    store = services(context).store
    try:
        await core.choose_audience(store, await sender(update, context), broadcast_id, place.kind, place.id,
                                   await store.scope_name(place.kind, place.id))
    except core.BroadcastError as exc:
        await update.callback_query.answer(str(exc), show_alert=True)
        return
    await preview(update, context, broadcast_id)


def send_time(now: datetime, key: str) -> datetime | None:
    if key == "1h":
        return now + timedelta(hours=1)
    if key in ("20", "08"):
        moment = datetime.combine(now.date(), time(int(key)), now.tzinfo)
        return moment if moment > now else moment + timedelta(days=1)
    return None


@staff_only
async def broadcast_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``bc:<id>:…``: audience, place picking, send time, cancel, statistics, reminders."""
    query = update.callback_query
    parts = query.data.split(":")
    broadcast_id = parse_int(parts[1]) if len(parts) >= 3 else None
    svc = services(context)
    draft = await svc.store.broadcast(broadcast_id) if broadcast_id is not None else None
    person = await sender(update, context)
    if draft is not None and not core.may_manage(person, draft):
        await query.answer("抱歉，只能操作本社区的通知。", show_alert=True)
        return
    action = parts[2] if draft else ""
    try:
        if action == "a" and len(parts) == 4 and parts[3] in AUDIENCE_TITLES:
            kind = parts[3]
            if kind in PLACE_PATHS:
                await picker(broadcast_id, kind).show(update, context)
                return
            await core.choose_audience(svc.store, person, broadcast_id, kind, None, AUDIENCE_TITLES[kind])
            await preview(update, context, broadcast_id)
        elif action == "p" and len(parts) >= 6 and parts[3] in PLACE_PATHS:
            await picker(broadcast_id, parts[3]).handle(update, context, parts[4:])
        elif action == "go" and len(parts) == 4 and parts[3] == "at":
            await query.answer()
            await ask_for(context, person, TIME_HELP, "broadcast_time", broadcast_id=broadcast_id,
                          progress=[query.message.chat_id, query.message.message_id])
        elif action == "go" and len(parts) == 4 and parts[3] in WHEN:
            await go(update, context, person, broadcast_id, parts[3])
        elif action == "drop":
            if not await svc.store.finish_broadcast(broadcast_id, "cancelled", svc.clock.now(), only_from=("draft",)):
                raise core.BroadcastError("这条通知已经发出或定时，请用“取消发送”。")
            await query.answer()
            await query.edit_message_text("已放弃这条通知。")
        elif action == "cancel":
            counts = await core.cancel(svc.store, svc.clock, person, broadcast_id)
            context.application.bot_data["broadcast_engine"].cancelled.add(broadcast_id)
            await query.answer("已取消")
            await query.edit_message_text(progress_text(await svc.store.broadcast(broadcast_id), counts, True,
                                                        svc.settings.broadcast_rate))
        elif action == "stat":
            await statistics(update, context, draft)
        elif action == "remind":
            await remind(update, context, person, draft)
        else:
            await query.answer(BUTTON_EXPIRED, show_alert=True)
    except core.BroadcastError as exc:
        await query.answer(str(exc), show_alert=True)


def picker(broadcast_id: int, kind: str) -> PlacePicker:
    """Place choosers carry the audience kind in their prefix: ``bc:<id>:p:<kind>:…``."""
    return PlacePicker(f"bc:{broadcast_id}:p:{kind}", PLACE_PATHS[kind], partial(on_place, broadcast_id), "通知对象：")


async def go(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, broadcast_id: int, key: str) -> None:
    query = update.callback_query
    await query.answer()
    await start(context, person, broadcast_id, send_time(services(context).clock.now(), key),
                (query.message.chat_id, query.message.message_id))


async def start(context: ContextTypes.DEFAULT_TYPE, person: Person, broadcast_id: int, at: datetime | None,
                progress: tuple[int, int]) -> None:
    """Launch, turn the preview into the progress message, and wake the engine."""
    svc = services(context)
    count = await core.launch(svc.store, svc.clock, person, broadcast_id, at, progress)
    text = f"📢 通知发送中\n已发送 0/{count} · 0%" if at is None else f"已定时：{at:%m-%d %H:%M} 发给 {count} 人。"
    await context.bot.edit_message_text(text, *progress, reply_markup=InlineKeyboardMarkup(
        [[InlineKeyboardButton("取消发送", callback_data=f"bc:{broadcast_id}:cancel")]]))
    context.application.bot_data["broadcast_engine"].wake.set()


async def receive_time(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, text: str,
                       asked: dict) -> None:
    """The time typed after 其他时间."""
    svc = services(context)
    if text.strip().lower() in CANCEL_WORDS:
        await pending.forget(svc.store, person)
        await update.effective_message.reply_text("好的，已取消定时；通知仍是草稿，可以在预览里重新选择。")
        return
    at = parse_time(text, svc.clock.now())
    if at is None:
        await update.effective_message.reply_text("没看懂这个时间。" + TIME_HELP)
        return
    await pending.forget(svc.store, person)
    try:
        await start(context, person, asked["payload"]["broadcast_id"], at, tuple(asked["payload"]["progress"]))
    except core.BroadcastError as exc:
        await update.effective_message.reply_text(str(exc))
        return
    await update.effective_message.reply_text(f"好的，将在 {at:%m-%d %H:%M} 发送。")


async def statistics(update: Update, context: ContextTypes.DEFAULT_TYPE, broadcast: dict) -> None:
    """Who has not tapped 收到 yet, building by building."""
    store = services(context).store
    counts = await store.broadcast_counts(broadcast["id"])
    missing = await store.unconfirmed_by_building(broadcast["id"])
    lines = [f"通知 #{broadcast['id']}：已确认 {counts['confirmed']}/{counts['sent']}"]
    by_building: dict[str, list[str]] = {}
    for building, name in missing:
        by_building.setdefault(building, []).append(name)
    lines += [f"{building} 未确认：{'、'.join(names[:30])}{' 等' if len(names) > 30 else ''}"
              for building, names in by_building.items()]
    await update.callback_query.answer()
    await context.bot.send_message(update.effective_user.id, "\n".join(lines), reply_markup=history_buttons(broadcast))


async def remind(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, broadcast: dict) -> None:
    """Send the announcement again, only to those who received it and have not confirmed."""
    svc = services(context)
    last = await svc.store.last_reminder_at(broadcast["id"])
    if broadcast["state"] == "cancelled":
        raise core.BroadcastError("这条通知已取消，不能提醒。")
    if last is not None and svc.clock.now() - last < REMIND_GAP:  # a double tap, or too soon to nag
        raise core.BroadcastError(f"{REMIND_GAP.seconds // 60} 分钟内已经提醒过，请稍后再试。")
    reminder_id = await svc.store.create_broadcast(
        person.id, f"（提醒）请查看并点“收到”确认：\n{broadcast['text']}", broadcast["photo"], svc.clock.now(),
        parent_id=broadcast["id"], community_id=broadcast["community_id"])
    await svc.store.set_broadcast_audience(reminder_id, "reminder", None, f"通知 #{broadcast['id']} 未确认的人")
    message = await context.bot.send_message(update.effective_user.id, "正在提醒未确认的人……")
    count = await core.launch(svc.store, svc.clock, person, reminder_id, None, (message.chat_id, message.message_id))
    await update.callback_query.answer(f"已提醒 {count} 人" if count else "所有人都已确认")
    context.application.bot_data["broadcast_engine"].wake.set()


def history_buttons(broadcast: dict) -> InlineKeyboardMarkup:
    row = [InlineKeyboardButton("确认情况", callback_data=f"bc:{broadcast['id']}:stat"),
           InlineKeyboardButton("提醒未确认", callback_data=f"bc:{broadcast['id']}:remind")]
    if broadcast["state"] in ("sending", "scheduled"):
        row.append(InlineKeyboardButton("取消发送", callback_data=f"bc:{broadcast['id']}:cancel"))
    return InlineKeyboardMarkup([row])


@staff_only
async def history(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/broadcasts: the last ten announcements with their figures."""
    store = services(context).store
    person = await sender(update, context)
    recent = [b for b in await store.recent_broadcasts(limit=50) if core.may_manage(person, b)][:10]
    if not recent:
        await update.effective_message.reply_text("还没有发过通知。发送 /broadcast 发布一条。")
        return
    await update.effective_message.reply_text(f"最近 {len(recent)} 条通知：")
    for broadcast in recent:
        counts = await store.broadcast_counts(broadcast["id"])
        at = from_db(broadcast["send_at"] or broadcast["created_at"]).astimezone(services(context).clock.tz)
        await update.effective_message.reply_text(
            f"#{broadcast['id']} [{STATE_TITLES[broadcast['state']]}] {broadcast['audience_label']} · {at:%m-%d %H:%M}\n"
            f"「{broadcast['text'][:40]}」\n送达 {counts['sent']}/{counts['total']}，无法送达 {counts['unreachable']}，"
            f"失败 {counts['failed']}，确认 {counts['confirmed']}",
            reply_markup=history_buttons(broadcast))


async def receipt_button_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``rc:<id>``: a recipient confirms they read the announcement."""
    query = update.callback_query
    broadcast_id = parse_int(query.data.partition(":")[2])
    svc = services(context)
    if broadcast_id is None or await svc.store.broadcast(broadcast_id) is None:
        await query.answer(BUTTON_EXPIRED, show_alert=True)
        return
    confirmed = await svc.store.confirm_receipt(broadcast_id, update.effective_user.id, svc.clock.now())
    await query.answer("已确认收到，谢谢！" if confirmed else "您已经确认过了。")
