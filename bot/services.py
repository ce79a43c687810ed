"""The shared services one running bot needs, built once and handed to every adapter."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.agenda import Agenda
from bot.clock import Clock
from bot.faq import FaqDesk
from bot.settings import Settings
from bot.store import Store
from bot.meetings import MeetingDesk
from bot.tickets import TicketDesk
from bot.triage import Triager


@dataclass
class Services:
    settings: Settings
    store: Store
    clock: Clock
    triage: Triager
    tickets: TicketDesk
    meetings: MeetingDesk
    faq: FaqDesk
    agenda: Agenda = field(default_factory=Agenda)
