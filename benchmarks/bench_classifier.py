"""Benchmark of the message classifier: accuracy on the labelled sets, speed, and a naive baseline.

Run: .venv/bin/python benchmarks/bench_classifier.py [dev,dev2,...,dev94,test,realworld]
The baseline (every lexicon term scored with rapidfuzz partial_ratio, best wins) is measured in the
same run on the same machine, so the speed and accuracy ratios mean something.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rapidfuzz import fuzz, process  # noqa: E402

from _demo import chosen_sets, pct, throughput  # noqa: E402

from bot.classifier import Classification, Classifier  # noqa: E402
from bot.evaluation import evaluate, read_jsonl  # noqa: E402
from bot.normalize import SEP, normalize  # noqa: E402

DEV_SETS = ("dev", *(f"dev{i}" for i in range(2, 238)), "test")
SETS = {name: ROOT / "tests" / "data" / f"{name}.jsonl" for name in DEV_SETS}
SETS["realworld"] = Path(__file__).resolve().parents[2] / "shared" / "eval" / "realworld.jsonl"


class NaiveBaseline:
    """Scores every lexicon term against the normalised text with fuzz.partial_ratio; best wins."""

    def __init__(self, classifier: Classifier) -> None:
        self.choices = {}
        self.labels = []
        for entry in classifier.entries:
            self.choices[len(self.labels)] = entry.text.lower()
            self.labels.append(entry.places[0][0])

    def classify(self, text: str) -> Classification:
        query = normalize(text).compact.replace(SEP, "")
        best = process.extractOne(query, self.choices, scorer=fuzz.partial_ratio) if query else None
        label = self.labels[best[2]] if best and best[1] > 0 else "other"
        return Classification(label, None, False, (best[1] / 100) if best else 0.0, (), None)


def main() -> int:
    start = time.perf_counter()
    classifier = Classifier.load()
    startup = time.perf_counter() - start
    baseline = NaiveBaseline(classifier)
    print(f"start-up (lexicon load + index build): {startup * 1000:.0f} ms")

    results = {}
    for name, path in chosen_sets(SETS, sys.argv):
        rows = read_jsonl(path)
        ours, base = evaluate(classifier, rows), evaluate(baseline, rows)
        results[name] = (ours, base)
        ur = "n/a" if ours.urgent_recall is None else f"{ours.urgent_recall:.3f}"
        up = "n/a" if ours.urgent_precision is None else f"{ours.urgent_precision:.3f}"
        print(
            f"\n[{name}] {ours.total} messages: accuracy {ours.accuracy:.3f}  macro-F1 {ours.macro_f1:.3f}"
            f"  urgent recall {ur}  precision {up}"
            f"\n  baseline: accuracy {base.accuracy:.3f}  macro-F1 {base.macro_f1:.3f}"
        )

    texts = [r["text"] for r in read_jsonl(SETS["dev"])] if SETS["dev"].exists() else ["电梯坏了"] * 100
    short = [t for t in texts if len(t) <= 40] or texts
    ours_rate, ours_lat = throughput(classifier.classify, short)
    base_rate, base_lat = throughput(baseline.classify, short, seconds=1.0)
    print(
        f"\nspeed on {len(short)} short dev messages (one core, after warm-up):"
        f"\n  ours:     {ours_rate:,.0f} msg/s  p50 {statistics.median(ours_lat):.0f} µs  p99 {pct(ours_lat, 0.99):.0f} µs"
        f"\n  baseline: {base_rate:,.0f} msg/s  p50 {statistics.median(base_lat):.0f} µs  p99 {pct(base_lat, 0.99):.0f} µs"
        f"\n  ratio ours/baseline: {ours_rate / base_rate:.1f}x throughput"
    )
    for name, (ours, base) in results.items():
        print(f"  accuracy {name}: ours {ours.accuracy:.3f} / baseline {base.accuracy:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
