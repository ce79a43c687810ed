"""Inline keyboards for choosing among many places, paged so long lists stay usable on a phone."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.models import Place

PAGE_SIZE = 12
COLUMNS = 3
# One letter per kind of place in callback data (64 bytes at most, so no long names).
KIND_CODES = {"community": "m", "grid": "g", "compound": "c", "building": "b", "unit": "u"}
CODE_KINDS = {code: kind for kind, code in KIND_CODES.items()}


def place_keyboard(prefix: str, places: Sequence[Place], page: int = 0, page_data: str = "") -> InlineKeyboardMarkup:
    """Buttons ``<prefix>:<kind code>:<id>`` for one page of places, with 上一页/下一页.

    ``page_data`` is the callback data prefix of the page buttons (the page number is appended).
    """
    pages = max(1, -(-len(places) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    chunk = places[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
    rows = [
        [InlineKeyboardButton(place.name, callback_data=f"{prefix}:{KIND_CODES[place.kind]}:{place.id}")
         for place in chunk[i:i + COLUMNS]]
        for i in range(0, len(chunk), COLUMNS)
    ]
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton("« 上一页", callback_data=f"{page_data}:{page - 1}"))
    if page < pages - 1:
        nav.append(InlineKeyboardButton("下一页 »", callback_data=f"{page_data}:{page + 1}"))
    if nav:
        rows.append(nav)
    return InlineKeyboardMarkup(rows)


def parse_int(text: str) -> int | None:
    """Callback data arrives from the client and may be forged: never trust it to be a number."""
    return int(text) if text.isdigit() and len(text) < 12 else None


def button(data: str) -> tuple[int | None, str]:
    """``<prefix>:<number>:<choice>`` → (number, choice); (None, "") for anything else, forged included."""
    parts = data.split(":")
    return (parse_int(parts[1]), parts[2]) if len(parts) == 3 else (None, "")
