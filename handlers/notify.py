"""Delivering the notifications the core queued, rendered in Chinese with their buttons.

The core only records "tell person P about ticket T (kind K)" inside the transaction that changed
the ticket; this module renders the current state of the ticket when it sends, so a card sent
after a restart is still accurate. Forbidden (the user blocked the bot) marks the row unreachable;
RetryAfter stops this round and the rest waits for the next one.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.when import spoken_day, spoken_time
from bot.models import LEVEL_TITLES, RATING_TITLES, Person, Role, Ticket
from bot.services import Services
from bot.triage import LABEL_NAMES
from handlers.common import EVIDENCE
from handlers.meetings import render_meeting

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
# Which of an assignee's roles names them on a ticket, the most local first.
TITLE_ORDER = (Role.BUILDING_HEAD, Role.PROPERTY_MANAGER, Role.PARTNER, Role.GRID_HEAD, Role.GRID_WORKER,
               Role.COMMUNITY_STAFF)
DEADLINE_NAMES = {"accept": "接单", "resolve": "解决"}


def when(moment: datetime | None, tz) -> str:
    return moment.astimezone(tz).strftime("%m-%d %H:%M") if moment else "—"


class TicketText:
    """How tickets read to each audience."""

    def __init__(self, svc: Services) -> None:
        self.svc = svc

    def kind(self, ticket: Ticket) -> str:
        if ticket.is_order:
            return f"服务预约 · {self.service_title(ticket)}"
        title = self.svc.triage.subcategory_title(ticket.subcategory)
        return f"{LABEL_NAMES.get(ticket.label, ticket.label)}{' · ' + title if title else ''}"

    def service_title(self, ticket: Ticket) -> str:
        service = self.svc.tickets.catalogue.service(ticket.service_id)
        return service.title if service else ""

    def appointment(self, ticket: Ticket) -> str:
        """"11月25日（周三） 下午2点，幸福里红帆驿站（…）", as residents are told it."""
        if ticket.appointment_at is None:
            return "待安排"
        at = ticket.appointment_at.astimezone(self.svc.clock.tz)
        return f"{spoken_day(at.date(), self.svc.clock.now().date())} {spoken_time(at)}，{ticket.appointment_place}"

    async def place(self, ticket: Ticket) -> str:
        if ticket.building_id is None:
            return "未登记楼栋"
        compound, building = await self.svc.store.building_path(ticket.building_id)
        return f"{compound}{building}{await self.svc.store.unit_name(ticket.unit_id)}"

    async def reporter(self, ticket: Ticket, viewer: Person | None) -> str:
        """The head sees "居民（匿名）" for anonymous reports; staff still see the name."""
        reporter = await self.svc.store.person(ticket.reporter_id)
        if ticket.anonymous and not (viewer and viewer.is_staff):
            return "居民（匿名）"
        if ticket.anonymous and viewer.id != reporter.id:
            await self.svc.tickets.record_identity_view(viewer, ticket)
        suffix = "（匿名反映）" if ticket.anonymous else ""
        phone = f" {reporter.phone}" if reporter.phone and not ticket.anonymous else ""
        return f"{reporter.name}{phone}{suffix}"

    async def handler_name(self, ticket: Ticket) -> str:
        """Who handles it, for residents: the role, and the name unless the head opted out."""
        if ticket.assignee_id is None or ticket.level == 3:
            return LEVEL_TITLES[ticket.level]
        person = await self.svc.store.person(ticket.assignee_id)
        # Named by their own role: a grid head who took over a level-0 ticket is still 网格长.
        title = next((role.title for role in TITLE_ORDER if role in person.roles), LEVEL_TITLES[min(ticket.level, 2)])
        return title if person.hide_name else f"{title} {person.name}"

    async def card(self, ticket: Ticket, viewer: Person | None, headline: str = "📋 新工单") -> tuple[str, InlineKeyboardMarkup | None]:
        tz = self.svc.clock.tz
        lines = [f"{headline} {ticket.number}{'（🚨紧急）' if ticket.urgent else ''}"]
        if ticket.urgent and (evidence := await self.svc.store.ticket_evidence(ticket.id)):
            lines.append(f"{EVIDENCE}{evidence}")
        lines += [f"类别：{self.kind(ticket)}",
                 f"位置：{await self.place(ticket)}",
                 f"反映人：{await self.reporter(ticket, viewer)}",
                 f"内容：{ticket.text[:1500]}"]
        if ticket.supporters:
            lines.append(f"联名：另有 {ticket.supporters} 位居民反映同一问题（优先处理）")
        if ticket.is_order:
            lines.append(f"居民希望的时间：{ticket.preferred_time or '未说明'}")
            lines.append(f"预约：{self.appointment(ticket)}")
        photos = await self.svc.store.ticket_photos(ticket.id)
        if photos:
            lines.append(f"照片：{len(photos)} 张（/ticket {ticket.id} 查看）")
        lines.append(f"状态：{ticket.status.title}（{LEVEL_TITLES[ticket.level]}）")
        if ticket.accept_due:
            lines.append(f"请在 {when(ticket.accept_due, tz)} 前接单")
        if ticket.resolve_due:
            lines.append(f"请在 {when(ticket.resolve_due, tz)} 前解决")
        return "\n".join(lines), card_buttons(ticket) if ticket.active else None


def card_buttons(ticket: Ticket) -> InlineKeyboardMarkup:
    accept = [InlineKeyboardButton("接单", callback_data=f"tk:{ticket.id}:accept")] if ticket.status.value != "accepted" else []
    schedule = [InlineKeyboardButton("安排时间地点", callback_data=f"tk:{ticket.id}:schedule")] if ticket.is_order else []
    return InlineKeyboardMarkup([
        [*accept, *schedule, InlineKeyboardButton("已解决", callback_data=f"tk:{ticket.id}:resolve")],
        [InlineKeyboardButton("转交", callback_data=f"tk:{ticket.id}:forward"),
         InlineKeyboardButton("需要补充", callback_data=f"tk:{ticket.id}:ask")],
    ])


def rating_buttons(ticket: Ticket) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(title, callback_data=f"rt:{ticket.id}:{key}")
                                  for key, title in RATING_TITLES.items()]])


STATUS_NEWS = {
    "accepted": "您反映的 {number} 已由 {handler} 接单，正在处理。",
    "forwarded": "您反映的 {number} 已转交给 {handler} 处理。",
    "escalated": "您反映的 {number} 因超时未处理，已升级到 {handler}。",
    "cancelled": "工单 {number} 已撤销。",
    "reopened": "您对 {number} 的处理不满意，工单已重新打开并升级到 {handler}。",
    "rated": "工单 {number} 已办结，谢谢您的评价！",
    "closed_unrated": "工单 {number} 解决后 3 天未收到评价，已自动办结。如问题仍在，请直接再告诉我。",
    "resolved": "{number} 已处理：{note}",
    "scheduled": "您预约的{service}（{number}）已安排好：\n{appointment}\n由 {handler} 负责。有变化会再通知您。",
}
ASSIGNEE_NEWS = {  # the same events, told to the people handling the ticket rather than those who raised it
    "accepted": "工单 {number} 已由 {handler} 接手处理。",
    "cancelled": "居民已撤销工单 {number}，无需再处理。",
    "rated": "居民对工单 {number} 的评价：{rating}。",
    "reopened": "居民对工单 {number} 的处理不满意，工单已升级到 {handler}。",
    "scheduled": "工单 {number} 已由 {handler} 安排：{appointment}。",
}


async def render(svc: Services, row: dict) -> tuple[str, InlineKeyboardMarkup | None]:
    """The text and buttons of one queued notification."""
    if row["meeting_id"] is not None:
        return await render_meeting(svc, row)
    text_of = TicketText(svc)
    ticket = await svc.store.ticket(row["ticket_id"])
    viewer = await svc.store.person(row["person_id"])
    payload = row["payload"]
    kind = row["kind"]
    values = {"number": ticket.number, "handler": await text_of.handler_name(ticket),
              "note": ticket.resolution or "", "rating": RATING_TITLES.get(ticket.rating or "", "未评价"),
              "service": text_of.service_title(ticket), "appointment": text_of.appointment(ticket)}
    if kind == "card":
        headline = {"escalated": "⬆️ 升级转来的工单", "forwarded": "↪️ 转交给您的工单",
                    "reopened": "🔁 居民不满意、重新办理的工单",
                    "ordered": "🛎️ 新的服务预约（共建单位可接单）"}.get(payload.get("event", ""),
                                                           "🛎️ 新的服务预约" if ticket.is_order else "📋 新工单")
        return await text_of.card(ticket, viewer, headline)
    if kind == "info":
        text, _ = await text_of.card(ticket, viewer, "📣 知会：新工单")
        return f"{text}\n负责人：{await text_of.handler_name(ticket)}", None
    if kind == "reminder":
        deadline = payload["deadline"]
        due = ticket.accept_due if deadline == "accept" else ticket.resolve_due
        return (f"⏰ 提醒：工单 {ticket.number}（{ticket.text[:30]}）需在 {when(due, svc.clock.tz)} 前"
                f"{DEADLINE_NAMES[deadline]}，逾期将自动升级。", card_buttons(ticket))
    if kind == "escalated_away":
        if ticket.assignee_id == viewer.id:  # at the top of the chain the staff member keeps it
            return (f"工单 {ticket.number} 超时未{DEADLINE_NAMES[payload['breach']]}，已上报{LEVEL_TITLES[ticket.level]}备案，"
                    f"请继续跟进办结。", card_buttons(ticket) if ticket.active else None)
        return f"工单 {ticket.number} 超时未{DEADLINE_NAMES[payload['breach']]}，已升级到 {LEVEL_TITLES[ticket.level]}。", None
    if kind == "rate":
        return (f"您反映的 {ticket.number} 已处理：{ticket.resolution}\n您对处理结果满意吗？",
                rating_buttons(ticket) if ticket.status.value == "resolved" else None)
    if kind == "appointment":
        return (f"⏰ 提醒：您预约的{values['service']}（{ticket.number}）就在{values['appointment']}。"
                f"请按时前往，来不了请在 /ticket {ticket.id} 撤销或直接回复说明。", None)
    if kind == "question":
        return f"关于您反映的 {ticket.number}，负责人想了解：\n{payload['question']}\n请直接回复文字。", None
    if kind in ("answered", "followed_up", "reason", "meeting_outcome", "preferred"):
        title = {"answered": "居民回复", "followed_up": "居民补充", "reason": "居民不满意的原因",
                 "meeting_outcome": "会议议定", "preferred": "居民希望的时间"}[kind]
        return f"{title}（工单 {ticket.number}）：{payload['text']}", None
    if kind == "supported":
        return f"工单 {ticket.number} 又有居民联名反映，现在共 {ticket.supporters + 1} 人关注，请优先处理。", None
    event = payload.get("event", "")
    raised_it = viewer.id == ticket.reporter_id or viewer.id in await svc.store.supporter_ids(ticket.id)
    news = STATUS_NEWS if raised_it else {**STATUS_NEWS, **ASSIGNEE_NEWS}
    template = news.get(event, "工单 {number} 状态更新：" + ticket.status.title)
    return template.format(**values), None


class NotificationSender:
    """Due work that drains the notification queue (due whenever something is queued)."""

    def __init__(self, svc: Services, bot: Bot) -> None:
        self.svc = svc
        self.bot = bot
        self._lock = asyncio.Lock()  # the tick and the after-update drain must not send the same row

    async def next_due(self) -> datetime | None:
        return self.svc.clock.now() if await self.svc.store.has_pending_notifications() else None

    async def run_due(self, now: datetime) -> None:
        await self.drain()

    async def drain(self) -> None:
        async with self._lock:
            await self._drain()

    async def _drain(self) -> None:
        store = self.svc.store
        for row in await store.pending_notifications():
            if row["telegram_id"] is None:
                await store.settle_notification(row["id"], "unreachable")
                continue
            try:
                text, markup = await render(self.svc, row)
            except Exception:  # a rendering bug must not block every notification queued after it
                log.exception("notification %s could not be rendered", row["id"])
                await store.settle_notification(row["id"], "failed")
                continue
            try:
                message = await self.bot.send_message(row["telegram_id"], text, reply_markup=markup)
            except RetryAfter as exc:
                log.warning("Telegram asks to wait %ss; notifications resume on the next round", exc.retry_after)
                return
            except Forbidden:
                await store.settle_notification(row["id"], "unreachable")
            except (BadRequest, TelegramError) as exc:
                attempts = await store.retry_notification_later(row["id"])
                log.warning("notification %s failed (%s), attempt %s", row["id"], exc, attempts)
                if attempts >= MAX_ATTEMPTS:
                    await store.settle_notification(row["id"], "failed")
                return
            else:
                await store.settle_notification(row["id"], "sent", message.message_id)
