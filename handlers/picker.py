"""Choosing a place step by step (compound → building → unit, or a grid, or a community).

Onboarding and invites both need it; each gives the path of kinds to walk and what to do with the
final choice. Every step re-reads the place from the database, so a stale or forged button finds
nothing and is refused instead of changing anything.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.models import Place
from bot.store import Store
from handlers.common import BUTTON_EXPIRED, services
from handlers.keyboards import CODE_KINDS, KIND_CODES, parse_int, place_keyboard

KIND_TITLES = {"community": "社区", "grid": "网格", "compound": "小区", "building": "楼栋", "unit": "单元"}
OnChosen = Callable[[Update, ContextTypes.DEFAULT_TYPE, Place], Awaitable[None]]


async def children(store: Store, kind: str, parent_id: int | None) -> list[Place]:
    """The places of ``kind`` to offer, under ``parent_id`` where the kind has a parent."""
    if kind == "building":
        return await store.list_buildings(parent_id)
    if kind == "unit":
        return await store.list_units(parent_id)
    return await {"compound": store.list_compounds, "grid": store.list_grids,
                  "community": store.list_communities}[kind]()


class PlacePicker:
    """Walks ``path`` with inline keyboards under callback prefix ``prefix``."""

    def __init__(self, prefix: str, path: tuple[str, ...], on_chosen: OnChosen, question: str) -> None:
        self.prefix = prefix
        self.path = path
        self.on_chosen = on_chosen
        self.question = question

    async def show(self, update: Update, context: ContextTypes.DEFAULT_TYPE, level: int = 0,
                   parent: Place | None = None, page: int = 0) -> None:
        kind = self.path[level]
        places = await children(services(context).store, kind, parent.id if parent else None)
        if not places:
            if parent is not None and kind == "unit":  # a building without units: the building will do
                await self.on_chosen(update, context, parent)
                return
            await self._render(update, f"还没有可选的{KIND_TITLES[kind]}，请联系社区工作人员。", None)
            return
        where = f"{parent.name} · " if parent else ""
        text = f"{self.question}\n{where}请选择{KIND_TITLES[kind]}："
        page_data = f"{self.prefix}:P{KIND_CODES[kind]}:{parent.id if parent else 0}"
        await self._render(update, text, place_keyboard(self.prefix, places, page, page_data))

    @staticmethod
    async def _render(update: Update, text: str, markup: InlineKeyboardMarkup | None) -> None:
        if update.callback_query:
            await update.callback_query.answer()
            await update.callback_query.edit_message_text(text, reply_markup=markup)
        else:
            await update.effective_message.reply_text(text, reply_markup=markup)

    async def handle(self, update: Update, context: ContextTypes.DEFAULT_TYPE, parts: list[str]) -> None:
        """React to ``<kind code>:<id>`` or ``P<kind code>:<parent id>:<page>``."""
        store = services(context).store
        if len(parts) == 3 and parts[0].startswith("P") and parts[0][1:] in CODE_KINDS:
            kind, parent_id, page = CODE_KINDS[parts[0][1:]], parse_int(parts[1]), parse_int(parts[2])
            if kind in self.path and parent_id is not None and page is not None:
                level = self.path.index(kind)
                parent = await store.place(self.path[level - 1], parent_id) if level else None
                if level == 0 or parent is not None:
                    await self.show(update, context, level, parent, page)
                    return
        elif len(parts) == 2 and parts[0] in CODE_KINDS and CODE_KINDS[parts[0]] in self.path:
            kind, place_id = CODE_KINDS[parts[0]], parse_int(parts[1])
            place = await store.place(kind, place_id) if place_id is not None else None
            if place is not None:
                level = self.path.index(kind)
                if level == len(self.path) - 1:
                    await self.on_chosen(update, context, place)
                else:
                    await self.show(update, context, level + 1, place)
                return
        await update.callback_query.answer(BUTTON_EXPIRED, show_alert=True)
