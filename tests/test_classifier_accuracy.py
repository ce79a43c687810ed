"""Regression guard on the development sets (not timed): they must not silently get worse.

dev.jsonl is the set the lexicon was tuned on; dev2.jsonl was written independently and is used
only to check that fixes generalise (its sentences are never copied into the lexicon)."""

from pathlib import Path

import pytest

from bot.classifier import Classifier
from bot.evaluation import evaluate, read_jsonl

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def classifier():
    return Classifier.load()


@pytest.mark.parametrize("name", ["dev", "dev2"])
def test_dev_accuracy(classifier, name):
    path = DATA / f"{name}.jsonl"
    if not path.exists():
        pytest.skip(f"{name} set not present")
    report = evaluate(classifier, read_jsonl(path))
    assert report.macro_f1 >= 0.9, report.render()
    assert report.urgent_recall == 1.0, report.render()
    assert report.urgent_precision >= 0.8, report.render()
