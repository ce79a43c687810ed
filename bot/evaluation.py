"""Accuracy figures for `shuoshi classify --eval FILE.jsonl` and the benchmark.

Staff need to see more than one number: which labels are confused with which, and above all
whether any urgent message was missed (urgent recall), since that is the costly error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from bot.lexicon import LABELS


@dataclass(frozen=True, slots=True)
class LabelStats:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True, slots=True)
class EvalReport:
    """Aggregate results; `confusion[gold][predicted]` counts messages."""

    total: int
    accuracy: float
    macro_f1: float
    per_label: dict[str, LabelStats]
    urgent_recall: float | None
    urgent_precision: float | None
    urgent_support: int
    urgent_flagged: int
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)

    def render(self) -> str:
        """A plain-text report readable in a terminal or a chat message."""

        def pct(x: float | None) -> str:
            return "  n/a" if x is None else f"{x:5.3f}"

        lines = [
            f"messages {self.total}   accuracy {pct(self.accuracy)}   macro-F1 {pct(self.macro_f1)}",
            f"urgent: recall {pct(self.urgent_recall)}   precision {pct(self.urgent_precision)}"
            f"   ({self.urgent_support} urgent, {self.urgent_flagged} flagged)",
            "",
            f"{'label':<10}{'precision':>10}{'recall':>8}{'f1':>8}{'support':>9}",
        ]
        for label, s in self.per_label.items():
            lines.append(f"{label:<10}{s.precision:>10.3f}{s.recall:>8.3f}{s.f1:>8.3f}{s.support:>9}")
        labels = list(self.confusion)
        lines += ["", "confusion (rows: expected, columns: predicted)", f"{'':<10}" + "".join(f"{p[:8]:>9}" for p in labels)]
        for gold in labels:
            lines.append(f"{gold:<10}" + "".join(f"{self.confusion[gold].get(p, 0):>9}" for p in labels))
        return "\n".join(lines)


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def evaluate(classifier, rows: Iterable[dict]) -> EvalReport:
    """Classify every row ({"text", "label", optional "urgent"}) and compare with the labels."""
    labels = list(LABELS)
    confusion = {g: {p: 0 for p in labels} for g in labels}
    total = correct = urgent_true = urgent_pred = urgent_hit = 0
    for row in rows:
        gold = row["label"]
        result = classifier.classify(row["text"])
        for name in (gold, result.label):
            if name not in confusion:
                labels.append(name)
                for g in confusion.values():
                    g.setdefault(name, 0)
                confusion[name] = {p: 0 for p in labels}
        confusion[gold][result.label] += 1
        total += 1
        correct += gold == result.label
        expected_urgent = bool(row.get("urgent", False))
        urgent_true += expected_urgent
        urgent_pred += result.urgent
        urgent_hit += expected_urgent and result.urgent
    per_label = {}
    for label in labels:
        tp = confusion[label][label]
        predicted = sum(confusion[g][label] for g in labels)
        support = sum(confusion[label].values())
        p, r = _ratio(tp, predicted), _ratio(tp, support)
        per_label[label] = LabelStats(p, r, _ratio(2 * p * r, p + r), support)
    # macro-F1 over the labels that occur in the expected or the predicted labels (as scikit-learn)
    present = [s.f1 for lab, s in per_label.items() if s.support or sum(confusion[g][lab] for g in labels)]
    return EvalReport(
        total=total,
        accuracy=_ratio(correct, total),
        macro_f1=sum(present) / len(present) if present else 0.0,
        per_label=per_label,
        urgent_recall=_ratio(urgent_hit, urgent_true) if urgent_true else None,
        urgent_precision=_ratio(urgent_hit, urgent_pred) if urgent_pred else None,
        urgent_support=urgent_true,
        urgent_flagged=urgent_pred,
        confusion=confusion,
    )


def read_jsonl(path: str | Path) -> list[dict]:
    """Rows of a JSON-lines file; blank lines are skipped, a broken line names its number."""
    rows = []
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
    return rows
