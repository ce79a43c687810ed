"""The one place the Telegram Application is built and wired to the core."""

from __future__ import annotations

import asyncio
import html
import json
import logging
from datetime import datetime

from telegram import Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.clock import Clock
from bot.models import Role
from bot.roster import import_roster
from bot.services import Services
from bot.settings import Settings
from bot.store import Store, current_update
from bot.meeting_rules import load_rules
from bot.faq import FaqDesk, load_seeds
from bot.meetings import MeetingDesk
from bot.stations import Catalogue
from bot.sla import Deadlines
from bot.tickets import TicketDesk
from bot.triage import Triager
from handlers import broadcasts, fallback, faq, invites, meetings, messages, onboarding, orders, review, tickets
from handlers.menus import sync_all_menus
from handlers.broadcasts import make_engine
from handlers.notify import NotificationSender

log = logging.getLogger(__name__)
SORRY = "抱歉，系统出了点问题，您的操作可能没有完成。请稍后再试，或联系社区工作人员。"


class ShuoshiApplication(Application):
    """An Application that handles each Telegram update at most once, across restarts.

    Telegram re-delivers updates whose offset was not confirmed (a crash, a restart). The id of
    every handled update is stored: in the same transaction as the state change it caused, or,
    for updates that changed nothing, right after handling. A known id is skipped.
    """

    async def process_update(self, update: object) -> None:
        svc: Services | None = self.bot_data.get("services")
        if not isinstance(update, Update) or svc is None:
            await super().process_update(update)
            return
        if await svc.store.is_processed(update.update_id):
            log.info("update %s already handled; skipped", update.update_id)
            return
        token = current_update.set((update.update_id, svc.clock.now()))
        try:
            await super().process_update(update)
        finally:
            current_update.reset(token)
        await svc.store.mark_processed(update.update_id, svc.clock.now())
        await self.bot_data["after_update"]()  # what this update caused reaches the others now


async def open_services(settings: Settings, clock: Clock) -> Services:
    """Read the knowledge files, then open the database; on first start import the roster and admins.

    The files are read first so that a mistake in one stops start-up before the database is open
    (an open aiosqlite connection would keep the process alive after the error).
    """
    knowledge = settings.knowledge_dir
    deadlines = Deadlines.load(knowledge)
    catalogue = Catalogue.load(knowledge / "stations.toml")
    rules = load_rules(knowledge / "meetings.toml")
    faq_seeds = load_seeds(knowledge / "faq.toml", catalogue, {rule.id for rule in rules})
    store = await Store.open(settings.db_path)
    try:
        return await _services(settings, clock, store, deadlines, catalogue, rules, faq_seeds)
    except BaseException:
        await store.close()
        raise


async def _services(settings: Settings, clock: Clock, store: Store, deadlines: Deadlines, catalogue: Catalogue,
                    rules: list, faq_seeds: tuple) -> Services:
    roster = settings.roster
    if roster is not None and not await store.list_compounds():
        report = await import_roster(store, roster, clock.now())
        log.info("roster %s imported on first start:\n%s", roster, report.render())
    await ensure_admins(store, settings.admin_ids, clock.now())
    triage = await Triager.open(store, clock, settings.knowledge_dir / "lexicon.toml")
    tickets = TicketDesk(store, clock, deadlines, catalogue)
    missing = await tickets.missing_partners()
    if missing:
        log.warning("stations.toml 里这些服务的共建单位不在花名册里（角色“共建单位”），预约只会发给社区工作人员：%s",
                    "、".join(missing))
    meetings = MeetingDesk(store, clock, rules, deadlines.calendar)
    faq = FaqDesk(store, clock, catalogue, deadlines.calendar, meetings)
    await faq.load(faq_seeds)
    services = Services(settings=settings, store=store, clock=clock, triage=triage, tickets=tickets,
                        meetings=meetings, faq=faq)
    services.agenda.add(tickets)
    services.agenda.add(meetings)
    await meetings.materialize()  # so /meetings has the coming weeks before the first tick
    return services


async def ensure_admins(store: Store, admin_ids: list[int], at: datetime) -> None:
    for telegram_id in admin_ids:
        async with store.transaction() as db:
            person_id = await store.find_person_id(db, telegram_id, "", None)
            if person_id is None:
                person_id = await store.create_person(db, telegram_id=telegram_id, name=f"管理员{telegram_id}", at=at)
            await store.grant_role(db, person_id, Role.ADMIN, "all", None)


async def post_init(application: Application) -> None:
    """Open the shared services into ``bot_data``, sync role menus and start the agenda tick."""
    svc = await open_services(application.bot_data["settings"], application.bot_data["clock"])
    sender = NotificationSender(svc, application.bot)
    engine = make_engine(svc, application.bot, svc.settings.broadcast_rate)
    svc.agenda.add(sender)
    application.bot_data.update(services=svc, notifications=sender, broadcast_engine=engine)
    if application.bot_data["ticks"]:
        # Production: broadcasts drain in their own task, paced, so they never hold up replies.
        application.bot_data["after_update"] = sender.drain
        application.bot_data["broadcast_task"] = asyncio.create_task(engine.run_forever(), name="broadcasts")
    else:
        # Offline (console, tests) the clock only moves on ::advance/::time, which run the whole agenda;
        # after an update only what it caused goes out: notifications, then broadcasts it launched.
        svc.agenda.add(engine)

        async def after_update() -> None:
            await sender.drain()
            await engine.drain()

        application.bot_data["after_update"] = after_update
    await sync_all_menus(application.bot, svc.store)
    if application.job_queue is not None and application.bot_data.get("ticks"):
        application.job_queue.run_repeating(
            tick, interval=svc.settings.tick_seconds, first=1, name="agenda",
            job_kwargs={"misfire_grace_time": 60, "coalesce": True, "max_instances": 1},
        )


async def post_shutdown(application: Application) -> None:
    """Close the database so the WAL is checkpointed and nothing is left half-written."""
    task = application.bot_data.pop("broadcast_task", None)
    if task is not None:
        task.cancel()  # safe at any point: every recipient's outcome is recorded as it happens
        await asyncio.gather(task, return_exceptions=True)
    svc: Services | None = application.bot_data.pop("services", None)
    if svc is not None:
        await svc.store.close()


async def tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Run whatever deadlines and reminders have fallen due (schedules live in the database)."""
    svc: Services = context.bot_data["services"]
    await svc.agenda.run_due(svc.clock.now())


async def error_handler(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure with the update that caused it, and tell the user something polite."""
    payload = update.to_dict() if isinstance(update, Update) else str(update)
    log.error("error while handling update: %s", html.escape(json.dumps(payload, ensure_ascii=False)[:2000]),
              exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            if update.callback_query:
                await update.callback_query.answer(SORRY, show_alert=True)
            else:
                await context.bot.send_message(update.effective_chat.id, SORRY)
        except Exception:  # the error may be that Telegram is unreachable; the log has it already
            log.warning("could not tell the user about the error", exc_info=True)


def register_handlers(application: Application) -> None:
    """All handlers in one group: the first match wins, so specific ones come before fallbacks."""
    private = filters.ChatType.PRIVATE
    new_message = filters.UpdateType.MESSAGE & private
    commands = {
        "start": onboarding.start, "me": onboarding.me, "help": onboarding.help_command,
        "invite": invites.invite, "review": review.review, "my": tickets.my_tickets,
        "ticket": tickets.ticket_detail, "tasks": tickets.my_tasks,
        "broadcast": broadcasts.broadcast_command, "broadcasts": broadcasts.history,
        "meetings": meetings.meetings_command, "faq": faq.faq_command, "faq_gaps": faq.gaps_command,
    }
    buttons = {  # callback data prefix → handler; every handler re-checks rights and state itself
        r"^ad:": onboarding.address_button, r"^an:": onboarding.anonymous_button,
        r"^iv\.": invites.invite_button, r"^tr:": messages.choice_button, r"^rv:": review.review_button,
        r"^tk:": tickets.card_button, r"^rt:": tickets.rating_button, r"^cx:": tickets.cancel_button,
        r"^mt:": tickets.me_too_button, r"^fu:": tickets.follow_up_button,
        r"^bc:": broadcasts.broadcast_button, r"^rc:": broadcasts.receipt_button_pressed,
        r"^mr:": meetings.rsvp_button, r"^mg:": meetings.meeting_button,
        r"^fq:": faq.feedback_button, r"^fe:": faq.entry_button, r"^fg:": faq.gap_button,
        r"^so:": orders.order_button, r"^pt:": orders.preferred_button, r"^ap:": orders.appointment_button,
    }
    application.add_handlers([
        *(CommandHandler(name, callback, filters=new_message) for name, callback in commands.items()),
        *(CallbackQueryHandler(callback, pattern=pattern) for pattern, callback in buttons.items()),
        # Fallbacks: after every real handler, so they only see what nothing else took.
        CallbackQueryHandler(fallback.stale_button),
        MessageHandler(filters.UpdateType.EDITED_MESSAGE & private, fallback.edited),
        MessageHandler(new_message & filters.COMMAND, messages.unknown_command),
        MessageHandler(new_message & filters.TEXT, messages.text_message),
        MessageHandler(new_message & filters.Sticker.ALL, fallback.sticker),
        MessageHandler(new_message & (filters.VOICE | filters.AUDIO | filters.VIDEO_NOTE), fallback.voice),
        MessageHandler(new_message & filters.PHOTO, messages.photo_message),
        MessageHandler(new_message & filters.LOCATION, messages.location_message),
        MessageHandler(new_message, fallback.unsupported),
    ])
    application.add_error_handler(error_handler)


def build_application(
    settings: Settings, clock: Clock, request: BaseRequest | None = None, *, ticks: bool = True
) -> Application:
    """The Application for production (``request=None``) or offline against a Bot API double.

    ``ticks`` starts the JobQueue tick that runs due work; the console and tests turn it off and
    drive the agenda with a manual clock instead.
    """
    builder = (
        Application.builder()
        .application_class(ShuoshiApplication)
        .token(settings.bot_token or "0:offline")
        .base_url(settings.telegram_base_url)
        .defaults(Defaults(tzinfo=clock.tz))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    else:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    application = builder.build()
    application.bot_data.update(settings=settings, clock=clock, ticks=ticks)
    register_handlers(application)
    return application


async def start_offline(application: Application) -> Services:
    """Initialise without polling (console, tests): what ``run_polling`` does before it polls."""
    await application.initialize()
    await application.post_init(application)
    return application.bot_data["services"]


async def stop_offline(application: Application) -> None:
    await application.post_shutdown(application)
    await application.shutdown()
