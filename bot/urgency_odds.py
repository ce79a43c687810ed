"""A second opinion on urgency, counted from labelled messages.

The lexicon's cues find every message that names a danger, and they have to: a missed alarm is the worst
mistake the bot can make. But each new writer brings calm messages that name dangers in ways no rule has
seen (a question about insurance after a fire, thanks after a lift rescue, a hazard reported for later),
and rules written for one set of such messages carried almost nothing over to the next. What does carry
over is how the whole message reads: the character n-grams of calm messages (上次, 能报吗, 谢谢, 有空)
differ from those of cries for help (快, 还在, 叫不醒) whatever the danger is.

So this module counts, over the labelled development sets, how often each character 1- to 3-gram
appears in urgent and in calm messages, and scores a message by naive-Bayes log-odds. The classifier
asks it twice: whether a message its rules flagged reads as calm (then the alarm is withdrawn), and
whether a long message they did not flag reads as urgent as the clearest alarms (then one is raised);
both thresholds were set on sets the counts had not seen (docs/PERFORMANCE.md). The table is data, rebuilt by
`make odds` from tests/data whenever the sets or the normaliser change; a test checks it is current.
"""

from __future__ import annotations

import json
import math
import sys
from collections import Counter
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Iterable

from bot.evaluation import read_jsonl
from bot.normalize import SEP, normalize

FILE_NAME = "urgency_grams.json"
MIN_SEEN = 3  # a gram seen fewer times tells of one writer's wording, not of urgency
SMOOTHING = 0.5


def grams(compact: str) -> set[str]:
    """The distinct character 1- to 3-grams of a normalised message (separators included: 了| ends a clause)."""
    found = set(compact)
    found.update(compact[i : i + 2] for i in range(len(compact) - 1))
    found.update(compact[i : i + 3] for i in range(len(compact) - 2))
    return found


@dataclass(frozen=True)
class GramCounts:
    """How many urgent and calm messages there were, and in how many of each every gram appeared."""

    urgent: int
    calm: int
    grams: dict[str, tuple[int, int]]

    @classmethod
    def of(cls, messages: Iterable[tuple[str, bool]]) -> "GramCounts":
        """Count (text, urgent) pairs; grams seen in fewer than MIN_SEEN messages are left out."""
        seen_urgent: Counter[str] = Counter()
        seen_calm: Counter[str] = Counter()
        urgent = calm = 0
        for text, is_urgent in messages:
            found = grams(normalize(text).compact)
            if is_urgent:
                seen_urgent.update(found)
                urgent += 1
            else:
                seen_calm.update(found)
                calm += 1
        table = {
            g: (seen_urgent[g], seen_calm[g])
            for g in sorted(seen_urgent.keys() | seen_calm.keys())
            if seen_urgent[g] + seen_calm[g] >= MIN_SEEN
        }
        return cls(urgent, calm, table)

    def dumps(self) -> str:
        """JSON with one gram per line, so that a rebuild shows as a readable diff."""
        lines = [f"  {json.dumps(g, ensure_ascii=False)}: [{u}, {c}]" for g, (u, c) in self.grams.items()]
        return (
            "{\n"
            '  "about": "messages (and grams) counted in urgent and calm labelled messages; rebuilt by make odds",\n'
            f'  "messages": [{self.urgent}, {self.calm}],\n'
            '  "grams": {\n' + ",\n".join("  " + line for line in lines) + "\n  }\n}\n"
        )


class UrgencyOdds:
    """Naive-Bayes log-odds that a message is urgent, from gram counts (a GramCounts or its file)."""

    def __init__(self, urgent: int, calm: int, counts: dict[str, tuple[int, int] | list[int]]) -> None:
        self.prior = math.log(max(urgent, 1) / max(calm, 1))
        log_urgent, log_calm = math.log(urgent + 2 * SMOOTHING), math.log(calm + 2 * SMOOTHING)
        log = math.log
        self.weights = {
            g: log(u + SMOOTHING) - log_urgent - log(c + SMOOTHING) + log_calm for g, (u, c) in counts.items()
        }

    @classmethod
    def load(cls, path: Path) -> "UrgencyOdds":
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(*data["messages"], data["grams"])

    def log_odds(self, compact: str) -> float:
        """Positive when the message reads like the urgent ones, negative when like the calm ones."""
        return self.prior + sum(map(self.weights.get, grams(compact), repeat(0.0)))

    def loudest_clause(self, compact: str) -> str:
        """The clause whose grams read most urgent on average: what staff are shown as the evidence
        when the whole message, not a listed cue, raised the alarm (叫她不应 rather than 谁能过来搭把手)."""
        weights = self.weights

        def mean(clause: str) -> float:
            found = grams(clause)
            return sum(weights.get(g, 0.0) for g in found) / len(found) if len(clause) >= 2 else float("-inf")

        return max(compact.split(SEP), key=mean)


def main(argv: list[str] | None = None) -> int:
    """`python -m bot.urgency_odds OUT FILE.jsonl...`: count labelled sets into the table the classifier reads."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 2:
        print("usage: python -m bot.urgency_odds OUT.json LABELLED.jsonl...", file=sys.stderr)
        return 2
    out, sources = Path(args[0]), args[1:]
    rows = [row for src in sources for row in read_jsonl(src)]
    counts = GramCounts.of((row["text"], bool(row["urgent"])) for row in rows)
    out.write_text(counts.dumps(), encoding="utf-8")
    print(f"{out}: {counts.urgent} urgent and {counts.calm} calm messages, {len(counts.grams)} grams")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
