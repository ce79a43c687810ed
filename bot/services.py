"""The shared services one running bot needs, built once and handed to every adapter."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.agenda import Agenda
from bot.clock import Clock
from bot.settings import Settings
from bot.store import Store


@dataclass
class Services:
    settings: Settings
    store: Store
    clock: Clock
    agenda: Agenda = field(default_factory=Agenda)
