"""What the benchmarks share: the demo community and a fixed Monday morning to start from."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)  # a Monday morning
DEMO_ROSTER = ROOT / "knowledge" / "demo_roster.toml"
