"""Benchmark of the FAQ matcher: accuracy on the paraphrase sets, what the bot would do, speed, and a baseline.

Run: .venv/bin/python benchmarks/bench_faq.py [dev,test,labels]
The baseline (every phrasing in knowledge/faq.toml scored with rapidfuzz WRatio against the normalised
text, best phrasing's entry wins, abstains below 60) is what one would write in ten minutes; it is measured
in the same run on the same machine, so the accuracy and speed ratios say what FaqIndex's extra work buys.
faq_test.jsonl is held out (never used for tuning): only aggregate figures are printed, never its texts.
"""

from __future__ import annotations

import statistics
from collections import Counter
import sys
import time
import timeit
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rapidfuzz import fuzz, process  # noqa: E402

from _demo import chosen_sets, pct, throughput  # noqa: E402

from bot.evaluation import read_jsonl  # noqa: E402
from bot.classifier import Classifier  # noqa: E402
from bot.faq import MARGIN, MIN_SCORE, decide  # noqa: E402
from bot.faq_index import FaqEntry, FaqIndex  # noqa: E402
from bot.normalize import SEP, normalize  # noqa: E402

FAQ_PATH = ROOT / "knowledge" / "faq.toml"
SETS = {
    "dev": ROOT / "tests" / "data" / "faq_dev.jsonl",
    "test": ROOT / "tests" / "data" / "faq_test.jsonl",
    "labels": ROOT / "tests" / "data" / "faq_labels.jsonl",
}
BASELINE_FLOOR = 60


def load_entries() -> list[FaqEntry]:
    seeds = tomllib.loads(FAQ_PATH.read_text(encoding="utf-8"))["faq"]
    return [FaqEntry(id=i, key=s["key"], title=s["title"], answer=s["answer"], questions=tuple(s["questions"]),
                     live=s.get("live"), service=s.get("service")) for i, s in enumerate(seeds)]


def compact(text: str) -> str:
    return normalize(text).compact.replace(SEP, "")


class NaiveBaseline:
    """All phrasings, normalised and compacted; WRatio against the question; best phrasing's entry wins."""

    def __init__(self, entries: list[FaqEntry]) -> None:
        self.texts = [compact(q) for e in entries for q in e.questions]
        self.keys = [e.key for e in entries for _ in e.questions]
        self.limit = 2 * max(len(e.questions) for e in entries) + 1  # always reaches 3 distinct entries

    def top1(self, text: str) -> tuple[str | None, float]:
        query = compact(text)
        best = process.extractOne(query, self.texts, scorer=fuzz.WRatio) if query else None
        return (self.keys[best[2]], best[1]) if best else (None, 0.0)

    def search(self, text: str) -> list[tuple[str, float]]:
        """The three best distinct entries, best first (the same job as FaqIndex.search)."""
        query, found = compact(text), {}
        if query:
            for _, score, position in process.extract(query, self.texts, scorer=fuzz.WRatio, limit=self.limit):
                found.setdefault(self.keys[position], score)
        return list(found.items())[:3]


def bot_outcome(matches) -> tuple[str, list[str]]:
    """What bot/faq.py's answer() does: ("answer" | "ask" | "none", keys shown to the resident)."""
    if not matches or matches[0].score < MIN_SCORE:
        return "none", []
    close = [m.entry.key for m in matches if m.score >= MIN_SCORE and m.score >= matches[0].score - MARGIN]
    return ("ask", close[:3]) if len(close) > 1 else ("answer", close)


def score_set(index: FaqIndex, baseline: NaiveBaseline, rows: list[dict]) -> dict[str, float]:
    keyed = [r for r in rows if r["faq"]]
    nulls = [r for r in rows if not r["faq"]]
    tally = dict.fromkeys("top1 top3 answer ask none served abstain b_top1 b_top3 b_abstain".split(), 0)
    for row in rows:
        matches = index.search(row["text"], limit=3)
        outcome, shown = bot_outcome(matches)
        b_key, b_score = baseline.top1(row["text"])
        b_three = [key for key, _ in baseline.search(row["text"])]
        if not row["faq"]:
            tally["abstain"] += outcome == "none"
            tally["b_abstain"] += b_score < BASELINE_FLOOR
            continue
        tally[outcome] += 1
        floor_ok = bool(matches) and matches[0].score >= MIN_SCORE
        tally["top1"] += floor_ok and matches[0].entry.key == row["faq"]
        tally["top3"] += floor_ok and row["faq"] in [m.entry.key for m in matches[:3]]
        tally["served"] += row["faq"] in shown
        tally["b_top1"] += b_score >= BASELINE_FLOOR and b_key == row["faq"]
        tally["b_top3"] += b_score >= BASELINE_FLOOR and row["faq"] in b_three
    out = {k: v / max(1, len(nulls) if "abstain" in k else len(keyed)) for k, v in tally.items()}
    out.update(n=len(rows), keyed=len(keyed), nulls=len(nulls))
    return out


ROUTING_SETS = ("dev", "dev2", "dev3", "dev4")


def routing(index: FaqIndex) -> None:
    """What the chat does with each labelled message of the classifier's sets (bot.faq.decide)."""
    classifier = Classifier.load()
    print("\nrouting (classifier + knowledge base) over the classifier's labelled sets:")
    print(f"  {'set':6}{'questions':>10}{'answered':>10}{'asked':>7}{'ticket':>8}   {'complaints':>10}{'ticket':>8}"
          f"{'asked':>7}{'answered':>10}")
    for name in ROUTING_SETS:
        rows = read_jsonl(ROOT / "tests" / "data" / f"{name}.jsonl")
        counts = Counter()
        for row in rows:
            result = classifier.classify(row["text"])
            route = decide(index, row["text"], result, unsure=not result.confident)
            kind = "faq" if row["label"] == "faq" else "complaint" if row["label"] in ("property", "grid") else None
            action = "answered" if route == "faq" else "asked" if route == "ask" else \
                "ticket" if route in ("property", "grid", "service") else "reply"
            counts[kind, action] += 1
        print(f"  {name:6}{sum(v for (k, _), v in counts.items() if k == 'faq'):>10}{counts['faq', 'answered']:>10}"
              f"{counts['faq', 'asked']:>7}{counts['faq', 'ticket']:>8}   "
              f"{sum(v for (k, _), v in counts.items() if k == 'complaint'):>10}{counts['complaint', 'ticket']:>8}"
              f"{counts['complaint', 'asked']:>7}{counts['complaint', 'answered']:>10}")


def main() -> int:
    entries = load_entries()
    start = time.perf_counter()
    index, baseline = FaqIndex(entries), NaiveBaseline(entries)  # cold: fills the per-character caches
    cold = time.perf_counter() - start
    build = min(timeit.repeat(lambda: FaqIndex(entries), number=1, repeat=5))
    setup = min(timeit.repeat(lambda: NaiveBaseline(entries), number=1, repeat=5))
    print(f"{len(entries)} entries, {len(baseline.texts)} phrasings; MIN_SCORE {MIN_SCORE}, MARGIN {MARGIN}, "
          f"baseline floor {BASELINE_FLOOR}")
    print(f"index build {build * 1000:.1f} ms  baseline setup {setup * 1000:.1f} ms  ratio {build / setup:.1f}x"
          f"  (best of 5, warm; first cold build of both {cold * 1000:.0f} ms)")

    results, texts = {}, []
    for name, path in chosen_sets(SETS, sys.argv):
        rows = read_jsonl(path)
        texts += [r["text"] for r in rows]
        r = results[name] = score_set(index, baseline, rows)
        print(f"\n[{name}] n {r['n']} ({r['keyed']} with key, {r['nulls']} null)")
        print(f"  {'':10}{'top-1':>8}{'top-3':>8}{'null abstain':>14}")
        print(f"  {'index':10}{r['top1']:8.3f}{r['top3']:8.3f}{r['abstain']:14.3f}")
        print(f"  {'baseline':10}{r['b_top1']:8.3f}{r['b_top3']:8.3f}{r['b_abstain']:14.3f}")
        print(f"  bot on keyed rows: answers {r['answer']:.3f}  asks 你是不是想问 {r['ask']:.3f}  "
              f"no answer {r['none']:.3f}  |  correct answered or offered {r['served']:.3f}")

    if not texts:
        return 0
    print(f"\nspeed over {len(texts)} texts, top-3 search (one core, after warm-up):")
    print(f"  {'':10}{'msg/s':>10}{'p50 µs':>9}{'p99 µs':>9}")
    rates = []
    for name, search in (("index", index.search), ("baseline", baseline.search)):
        rate, lat = throughput(search, texts)
        rates.append(rate)
        print(f"  {name:10}{rate:10,.0f}{statistics.median(lat):9.0f}{pct(lat, 0.99):9.0f}")
    print(f"  ratio index/baseline: {rates[0] / rates[1]:.2f}x throughput")

    routing(index)
    print("\nsummary:")
    for name, r in results.items():
        print(f"  {name:7} top-1 {r['top1']:.3f} (baseline {r['b_top1']:.3f})  top-3 {r['top3']:.3f} "
              f"(baseline {r['b_top3']:.3f})  served {r['served']:.3f}  null abstain {r['abstain']:.3f} "
              f"(baseline {r['b_abstain']:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
