"""Regression guard on the development set (not timed): it must not silently get worse."""

from pathlib import Path

import pytest

from bot.classifier import Classifier
from bot.evaluation import evaluate, read_jsonl

DEV = Path(__file__).parent / "data" / "dev.jsonl"


@pytest.mark.skipif(not DEV.exists(), reason="development set not present")
def test_dev_accuracy():
    report = evaluate(Classifier.load(), read_jsonl(DEV))
    assert report.macro_f1 >= 0.9, report.render()
    assert report.urgent_recall == 1.0, report.render()
    assert report.urgent_precision >= 0.8, report.render()
