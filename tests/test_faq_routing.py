"""Over the development set: no question opens a ticket, no complaint gets an answer instead of one.

Runs the core decision the chat makes (classifier, then the knowledge base's second opinion) on every
labelled message of tests/data/dev.jsonl. "ask" (the resident picks a category) is allowed for both:
it loses nothing.
"""

import json

import pytest

from bot.classifier import Classifier
from bot.faq import FaqDesk
from bot.meeting_rules import load_rules
from bot.meetings import MeetingDesk
from bot.stations import Catalogue
from bot.workdays import WorkCalendar
from tests.conftest import REPO, START

from bot.clock import ManualClock


@pytest.fixture
async def desk(store):
    clock = ManualClock(START.tzinfo, START)
    calendar = WorkCalendar.load()
    faq = FaqDesk(store, clock, Catalogue.load(), calendar, MeetingDesk(store, clock, load_rules(), calendar))
    await faq.load()
    return faq


def routes(desk: FaqDesk) -> list[tuple[str, str, str]]:
    classifier = Classifier.load()
    found = []
    for line in (REPO / "tests" / "data" / "dev.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        result = classifier.classify(row["text"])
        found.append((row["label"], desk.decide(row["text"], result, unsure=not result.confident), row["text"]))
    return found


async def test_no_question_opens_a_ticket(desk):
    opened = [text for gold, route, text in routes(desk) if gold == "faq" and route in ("property", "grid", "service")]
    assert opened == []


async def test_no_complaint_gets_an_answer_instead_of_a_ticket(desk):
    answered = [text for gold, route, text in routes(desk) if gold in ("property", "grid") and route == "faq"]
    assert answered == []


async def test_most_questions_are_answered_straight_away(desk):
    questions = [route for gold, route, _ in routes(desk) if gold == "faq"]
    assert questions.count("faq") / len(questions) >= 0.9
