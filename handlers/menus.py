"""Each role sees its own command menu (``set_my_commands`` per private chat).

The menu a chat was last given is recorded, so start-up only talks to Telegram for people whose
role changed (a roster import, an invite) instead of for every resident each time.
"""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import Forbidden, BadRequest

from bot.models import HEAD_ROLES, Person
from bot.store import Store

log = logging.getLogger(__name__)

RESIDENT_COMMANDS = [
    BotCommand("my", "我反映的问题"),
    BotCommand("ticket", "查看工单进展，例如 /ticket 12"),
    BotCommand("meetings", "会议与居民说事活动"),
    BotCommand("me", "我的信息和住址"),
    BotCommand("start", "开始 / 登记住址"),
    BotCommand("help", "使用帮助"),
]
HEAD_COMMANDS = [BotCommand("tasks", "待我处理的工单"), *RESIDENT_COMMANDS]
STAFF_COMMANDS = [*HEAD_COMMANDS, BotCommand("invite", "生成角色邀请链接"),
                  BotCommand("review", "审核分类纠正"), BotCommand("broadcast", "发布通知"),
                  BotCommand("broadcasts", "通知记录和确认情况"), BotCommand("faq", "知识库问答"),
                  BotCommand("faq_gaps", "没答上的居民提问")]
MENUS = {"resident": RESIDENT_COMMANDS, "head": HEAD_COMMANDS, "staff": STAFF_COMMANDS}


def menu_key(person: Person) -> str:
    if person.is_staff:
        return "staff"
    return "head" if person.roles & HEAD_ROLES else "resident"


async def sync_menu(bot: Bot, store: Store, person: Person) -> None:
    """Give this person's chat the menu of their role, if it is not the one they have."""
    key = menu_key(person)
    try:
        await bot.set_my_commands(MENUS[key], scope=BotCommandScopeChat(person.telegram_id))
    except (Forbidden, BadRequest) as exc:  # never opened a chat with the bot, or blocked it
        log.info("menu for %s not set: %s", person.telegram_id, exc)
        return
    await store.set_menu_key(person.id, key)


async def sync_all_menus(bot: Bot, store: Store) -> None:
    """At start-up: the default menu, then every chat whose role changed while the bot was down."""
    await bot.set_my_commands(RESIDENT_COMMANDS, scope=BotCommandScopeDefault())
    known = await store.menu_keys()
    for person in await store.all_people():
        if person.telegram_id is None:
            continue
        key, last = menu_key(person), known.get(person.telegram_id)
        if key != last and not (key == "resident" and last is None):  # the default covers new residents
            await sync_menu(bot, store, person)
