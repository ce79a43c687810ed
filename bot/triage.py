"""Understanding a resident's message, asking when unsure, and learning from reviewed corrections.

The classifier only learns from corrections a staff member approved, so one confused or malicious
user cannot teach it to file gas leaks as chit-chat.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.classifier import Classification, Classifier, Example
from bot.clock import Clock
from bot.models import Person
from bot.store import Store

LABEL_TITLES = {"property": "物业问题", "grid": "网格问题", "service": "需要服务", "faq": "只是咨询", "other": "都不是"}
LABEL_NAMES = {"property": "物业问题", "grid": "网格问题", "service": "服务需求", "faq": "咨询", "other": "闲聊/其他"}
CHOICES = ("property", "grid", "service", "faq", "other")


class TriageError(Exception):
    """A choice or review that does not apply (someone else's message, already reviewed)."""


@dataclass(frozen=True)
class Triage:
    inbox_id: int
    classification: Classification

    @property
    def needs_choice(self) -> bool:
        """Unsure: ask the resident rather than guess (urgent or not, the label may still be wrong)."""
        return not self.classification.confident


class Triager:
    """Classifies with the lexicon plus every approved correction."""

    def __init__(self, store: Store, clock: Clock, base: Classifier) -> None:
        self.store = store
        self.clock = clock
        self._base = base
        self.classifier = base
        self._titles = {
            name: sub.title or sub.terms[0] for name, sub in base.lexicon.subcategories().items() if sub.title or sub.terms
        }

    @classmethod
    async def open(cls, store: Store, clock: Clock, lexicon: Path) -> "Triager":
        triager = cls(store, clock, Classifier.load(lexicon))
        await triager.refresh()
        return triager

    async def refresh(self) -> None:
        """Rebuild the classifier with the approved corrections as extra examples."""
        approved = await self.store.corrections("approved")
        self.classifier = self._base.with_examples(Example(row["text"], row["label"]) for row in approved)

    def subcategory_title(self, subcategory: str | None) -> str:
        """A short Chinese name for a subcategory: its `title`, or else the first term staff wrote for it."""
        return self._titles.get(subcategory or "", "")

    async def triage(self, person: Person, text: str) -> Triage:
        """Classify and record the message, so a later choice or correction can refer to it."""
        result = self.classifier.classify(text)
        inbox_id = await self.store.record_inbox(
            person.id, text, result.label, result.subcategory, result.urgent, result.confidence, self.clock.now(),
            result.evidence,
        )
        return Triage(inbox_id, result)

    async def choose(self, person: Person, inbox_id: int, label: str) -> dict:
        """The sender says what their message is; a disagreement becomes a pending correction."""
        message = await self.store.inbox_message(inbox_id)
        if label not in CHOICES or message is None or message["person_id"] != person.id:
            raise TriageError("这个按钮已失效，请重新发送您的消息。")
        if message["outcome"] is not None:  # it already became a ticket, a follow-up or a 联名
            raise TriageError("这条消息已经处理过了，发送 /my 查看进度。")
        await self.store.choose_label(inbox_id, label, person.id, self.clock.now(),
                                      propose=label != message["label"])
        return await self.store.inbox_message(inbox_id)

    async def review(self, staff: Person, correction_id: int, approve: bool) -> None:
        if not staff.is_staff:
            raise TriageError("只有社区工作人员可以审核。")
        if not await self.store.review_correction(correction_id, approve, staff.id, self.clock.now()):
            raise TriageError("这条纠正已经审核过了。")
        if approve:
            await self.refresh()
