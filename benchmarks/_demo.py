"""What the benchmarks share: the demo community, a fixed Monday morning, and how speed is timed."""

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)  # a Monday morning
DEMO_ROSTER = ROOT / "knowledge" / "demo_roster.toml"


def throughput(call: Callable[[str], object], texts: list[str], seconds: float = 2.0) -> tuple[float, list[float]]:
    """Calls per second over repeated passes, and per-call latencies (µs) of one pass, after a warm-up
    that fills the per-character normalisation and pinyin caches."""
    for text in texts[:200]:
        call(text)
    latencies = []
    for text in texts:
        start = time.perf_counter()
        call(text)
        latencies.append((time.perf_counter() - start) * 1e6)
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for text in texts:
            call(text)
        count += len(texts)
    return count / (time.perf_counter() - start), latencies


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def chosen_sets(sets: dict[str, Path], argv: list[str]) -> list[tuple[str, Path]]:
    """The labelled sets named on the command line ("dev,test"), all by default; missing files are said and skipped."""
    only = argv[1].split(",") if len(argv) > 1 else list(sets)
    chosen = []
    for name, path in sets.items():
        if name not in only:
            continue
        if not path.exists():
            print(f"\n[{name}] skipped: {path} not found")
            continue
        chosen.append((name, path))
    return chosen
