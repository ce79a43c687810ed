"""/meetings: upcoming meetings, RSVP, the organiser's counts, staff changes, outcomes and .ics export."""

from __future__ import annotations

import io
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot import pending
from bot.meeting_rules import ics_calendar
from bot.meetings import MeetingError
from bot.models import Person
from bot.services import Services
from bot.when import parse_time
from handlers.common import BUTTON_EXPIRED, CANCEL_WORDS, ask_for, sender, services
from handlers.keyboards import parse_int

WEEKDAYS = "一二三四五六日"
STAGE_TITLES = {"invitation": "📣 欢迎参加", "day_before": "⏰ 明天开会提醒", "hour_before": "⏰ 一小时后开会"}
SHOWN = 5
MAX_DAYS_AHEAD = 60


def when(meeting: dict, tz) -> str:
    start = meeting["starts_at"].astimezone(tz)
    return f"{start:%m-%d}（周{WEEKDAYS[start.weekday()]}）{start:%H:%M}"


def rsvp_buttons(meeting_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("参加", callback_data=f"mr:{meeting_id}:yes"),
                                  InlineKeyboardButton("不参加", callback_data=f"mr:{meeting_id}:no")]])


async def agenda_lines(svc: Services, meeting: dict) -> list[str]:
    """A grid meeting's agenda: that grid's open tickets, overdue ones marked."""
    if meeting["agenda"] != "grid_tickets":
        return []
    now = svc.clock.now()
    lines = []
    for ticket in await svc.store.grid_agenda(meeting["scope_id"]):
        _, building = await svc.store.building_path(ticket.building_id)
        due = ticket.accept_due or ticket.resolve_due
        overdue = "（已超时）" if (due and due < now) or ticket.level > 0 else ""
        lines.append(f"{ticket.number} {building} {ticket.text[:24]}{overdue}")
    return ["议题（本网格未办结工单）：", *lines] if lines else ["议题：本网格暂无未办结工单。"]


async def render_meeting(svc: Services, row: dict) -> tuple[str, InlineKeyboardMarkup | None]:
    """A queued meeting notification: a reminder or invitation with RSVP buttons, or a change."""
    meeting = await svc.store.meeting(row["meeting_id"])
    payload = row["payload"]
    head = f"{meeting['title']} · {when(meeting, svc.clock.tz)} · {meeting['place']}"
    if row["kind"] == "meeting_changed":
        if payload["change"] == "cancelled":
            return f"❌ 会议取消：{head}", None
        if payload["change"] == "paused":
            return f"⏸ 例会暂停：“{meeting['title']}”之后的 {payload['count']} 场都取消了，恢复时会另行通知。", None
        was = datetime.fromisoformat(payload["was"]).astimezone(svc.clock.tz)
        return f"🔁 会议改期：{meeting['title']} 由 {was:%m-%d %H:%M} 改到 {when(meeting, svc.clock.tz)}，地点 {meeting['place']}", rsvp_buttons(meeting["id"])
    lines = [f"{STAGE_TITLES[payload['stage']]}：{head}"]
    if payload["stage"] == "invitation":
        lines.append("居民朋友们可以来现场说说身边的事，志愿者和工作人员都在。")
    lines += await agenda_lines(svc, meeting)
    lines.append("请点下面的按钮告诉组织者您是否参加。")
    return "\n".join(lines), rsvp_buttons(meeting["id"])


async def meetings_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/meetings: the next meetings for this person, with the actions their role allows."""
    svc = services(context)
    person = await sender(update, context)
    if person is None:
        await update.effective_message.reply_text("请先发送 /start 登记。")
        return
    upcoming = await svc.meetings.upcoming_for(person)
    keyword = " ".join(context.args or []).strip()
    if keyword:
        upcoming = [m for m in upcoming if keyword in m["title"]]
    rows = [[InlineKeyboardButton("导出日历（.ics）", callback_data="mg:0:ics")]]
    if person.is_staff:
        rows.append([InlineKeyboardButton("新增会议", callback_data="mg:0:add")])
        rows += [[InlineKeyboardButton(f"恢复例会：{rule.title}", callback_data=f"mg:0:resume:{rule.id}")]
                 for rule in await svc.meetings.paused_for(person)]
    summary = (f"近 5 周您有 {len(upcoming)} 场会议，下面是最近 {min(len(upcoming), SHOWN)} 场"
               f"（发送“/meetings 关键词”只看某类，例如 /meetings 三方）。" if upcoming else "近期没有您需要参加的会议。")
    await update.effective_message.reply_text(summary, reply_markup=InlineKeyboardMarkup(rows))
    for meeting in upcoming[:SHOWN]:
        text, markup = await meeting_card(svc, person, meeting)
        await update.effective_message.reply_text(text, reply_markup=markup)


async def meeting_card(svc: Services, person: Person, meeting: dict) -> tuple[str, InlineKeyboardMarkup]:
    scope = await svc.store.scope_name(meeting["scope_kind"], meeting["scope_id"])
    lines = [f"{meeting['title']}（{scope}）· {when(meeting, svc.clock.tz)} · {meeting['place']}"]
    answers = await svc.store.rsvps(meeting["id"])
    mine = {"yes": "您已回复：参加", "no": "您已回复：不参加"}.get(answers.get(person.id, ""), "您还没有回复")
    lines.append(mine)
    rows = [rsvp_buttons(meeting["id"]).inline_keyboard[0]]
    if await svc.meetings.may_organise(person, meeting):
        coming, not_coming, silent = await svc.meetings.rsvp_summary(meeting)
        lines.append(f"回复：参加 {coming} · 不参加 {not_coming} · 未回复 {len(silent)}")
        if silent:
            lines.append("未回复：" + "、".join(p.name for p in silent[:20]))
        if meeting["agenda"] == "grid_tickets":
            rows.append([InlineKeyboardButton("记录议定事项", callback_data=f"mg:{meeting['id']}:outcomes")])
    if person.is_staff:
        rows.append([InlineKeyboardButton("取消本次", callback_data=f"mg:{meeting['id']}:cancel"),
                     InlineKeyboardButton("改期", callback_data=f"mg:{meeting['id']}:move")])
        if meeting["rule_id"]:
            rows.append([InlineKeyboardButton("暂停此例会", callback_data=f"mg:{meeting['id']}:pause")])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def rsvp_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``mr:<meeting>:yes|no``."""
    query = update.callback_query
    parts = query.data.split(":")
    person = await sender(update, context)
    meeting_id = parse_int(parts[1]) if len(parts) == 3 else None
    if person is None or meeting_id is None:
        await query.answer(BUTTON_EXPIRED, show_alert=True)
        return
    try:
        await services(context).meetings.rsvp(person, meeting_id, parts[2])
    except MeetingError as exc:
        await query.answer(str(exc), show_alert=True)
        return
    await query.answer("已记录：参加，谢谢！" if parts[2] == "yes" else "已记录：不参加。")


async def meeting_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``mg:<meeting>:ics|add|cancel|move|pause|outcomes`` and ``mg:<meeting>:o:<ticket>``."""
    query = update.callback_query
    parts = query.data.split(":")
    svc = services(context)
    person = await sender(update, context)
    meeting_id = parse_int(parts[1]) if len(parts) >= 3 else None
    action = parts[2] if meeting_id is not None and person is not None else ""
    try:
        if action == "ics":
            await send_ics(update, context, person)
        elif action == "add" and person.is_staff:
            await query.answer()
            await ask_for(context, person, "请用一行写：会议名称 时间 地点，例如“消防安全培训 11-28 15:00 社区活动室”。"
                          "回复“取消”放弃。", "meeting_add")
        elif action == "cancel":
            meeting = await svc.meetings.cancel(person, meeting_id)
            await query.answer("已取消，已通知参会人")
            await query.edit_message_text(f"已取消：{meeting['title']} · {when(meeting, svc.clock.tz)}")
        elif action == "move":
            await svc.meetings.organised(person, meeting_id, staff_only=True)
            await query.answer()
            await ask_for(context, person, "改到什么时间？例如“11-16 15:00”或“明天 15:00”。回复“取消”放弃。",
                          "meeting_move", meeting_id=meeting_id)
        elif action == "pause":
            meeting = await svc.meetings.organised(person, meeting_id, staff_only=True)
            await query.answer()
            await query.edit_message_reply_markup(InlineKeyboardMarkup([[
                InlineKeyboardButton(f"确认暂停“{meeting['title']}”", callback_data=f"mg:{meeting_id}:pause!")]]))
        elif action == "pause!":
            meeting = await svc.store.meeting(meeting_id)
            count = await svc.meetings.pause_rule(person, meeting_id)
            await query.answer("已暂停")
            await query.edit_message_text(f"已暂停本社区的“{meeting['title']}”，取消了之后的 {count} 场并通知了参会人。")
        elif action == "resume" and len(parts) == 4:
            rule = await svc.meetings.resume_rule(person, parts[3])
            await query.answer("已恢复")
            await context.bot.send_message(person.telegram_id, f"已恢复“{rule.title}”，之后的会议会照常提醒。")
        elif action == "outcomes":
            await show_outcome_buttons(update, context, person, meeting_id)
        elif action == "o" and len(parts) == 4 and parse_int(parts[3]) is not None:
            await svc.meetings.organised(person, meeting_id)
            await query.answer()
            await ask_for(context, person, f"工单 #{parts[3]} 议定了什么？请用一句话回复。", "meeting_outcome",
                          meeting_id=meeting_id, ticket=parse_int(parts[3]))
        else:
            await query.answer(BUTTON_EXPIRED, show_alert=True)
    except MeetingError as exc:
        await query.answer(str(exc), show_alert=True)


async def show_outcome_buttons(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, meeting_id: int) -> None:
    svc = services(context)
    meeting = await svc.meetings.organised(person, meeting_id)
    if meeting["agenda"] != "grid_tickets":
        raise MeetingError("这次会议没有工单议题。")
    tickets = await svc.store.grid_agenda(meeting["scope_id"])
    await update.callback_query.answer()
    if not tickets:
        await context.bot.send_message(person.telegram_id, "这次会议没有议题工单。")
        return
    buttons = [InlineKeyboardButton(f"{t.number} {t.text[:10]}", callback_data=f"mg:{meeting_id}:o:{t.id}") for t in tickets]
    await context.bot.send_message(person.telegram_id, "选择要记录结果的工单：",
                                   reply_markup=InlineKeyboardMarkup([buttons[i:i + 2] for i in range(0, len(buttons), 2)]))


async def send_ics(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person) -> None:
    svc = services(context)
    meetings = await svc.meetings.upcoming_for(person, days=60)
    await update.callback_query.answer()
    if not meetings:
        await context.bot.send_message(person.telegram_id, "近期没有会议，无需导出。")
        return
    data = ics_calendar({"uid": f"meeting-{m['id']}@shuoshi", "title": m["title"], "start": m["starts_at"],
                         "minutes": m["minutes"], "place": m["place"], "description": m["title"]} for m in meetings)
    await context.bot.send_document(person.telegram_id, io.BytesIO(data), filename="shuoshi-meetings.ics",
                                    caption=f"{len(meetings)} 场会议，可导入手机日历。")


async def receive_input(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, text: str, asked: dict) -> None:
    """Texts asked for by the buttons above: a new meeting, a new time, an outcome."""
    svc = services(context)
    await pending.forget(svc.store, person)
    if text.strip().lower() in CANCEL_WORDS:
        await update.effective_message.reply_text("好的，已取消。")
        return
    now = svc.clock.now()
    try:
        if asked["kind"] == "meeting_add":
            parts = text.split()
            at = parse_time(" ".join(parts[1:3]), now, max_days=MAX_DAYS_AHEAD) if len(parts) >= 4 else None
            if at is None:
                raise MeetingError("没看懂。请按“会议名称 11-28 15:00 地点”的格式重新点“新增会议”。")
            meeting = await svc.meetings.add_one_off(person, parts[0], at, " ".join(parts[3:]))
            reply = f"已新增：{meeting['title']} · {when(meeting, svc.clock.tz)} · {meeting['place']}，会按时提醒参会人。"
        elif asked["kind"] == "meeting_move":
            at = parse_time(text, now, max_days=MAX_DAYS_AHEAD)
            if at is None:
                raise MeetingError(f"没看懂这个时间（或超过 {MAX_DAYS_AHEAD} 天），请重新点“改期”。")
            meeting = await svc.meetings.move(person, asked["payload"]["meeting_id"], at)
            reply = f"已改到 {when(meeting, svc.clock.tz)}，已通知参会人。"
        else:
            await svc.meetings.record_outcome(person, asked["payload"]["meeting_id"], asked["payload"]["ticket"], text)
            reply = f"已记入工单 #{asked['payload']['ticket']} 的进展。"
    except MeetingError as exc:
        reply = str(exc)
    await update.effective_message.reply_text(reply)


MEETING_INPUTS = ("meeting_add", "meeting_move", "meeting_outcome")
