"""The second opinion on urgency (bot.urgency_odds): counted from the labelled sets, it withdraws alarms
from messages that read as calm and raises them on messages that read as urgent as the clearest ones."""

from pathlib import Path

import pytest

from bot.classifier import Classifier
from bot.evaluation import read_jsonl
from bot.urgency_odds import GramCounts, UrgencyOdds, main
from tests.conftest import minimal_lexicon

ROOT = Path(__file__).resolve().parents[1]
SETS = sorted((ROOT / "tests" / "data").glob("dev*.jsonl"))


@pytest.fixture(scope="module")
def rules_only(tmp_path_factory):
    """The shipped lexicon without the odds file beside it: the rules alone."""
    folder = tmp_path_factory.mktemp("rules")
    (folder / "lexicon.toml").write_text((ROOT / "knowledge" / "lexicon.toml").read_text(encoding="utf-8"),
                                         encoding="utf-8")
    return Classifier.load(folder / "lexicon.toml")


def test_shipped_table_counts_the_labelled_sets_as_they_are_now():
    """`make odds` was run after the last change to a set or to the normaliser (test.jsonl is never read)."""
    rows = [row for path in SETS for row in read_jsonl(path)]
    counts = GramCounts.of((row["text"], row["urgent"]) for row in rows)
    shipped = (ROOT / "knowledge" / "urgency_grams.json").read_text(encoding="utf-8")
    assert counts.dumps() == shipped, "knowledge/urgency_grams.json is stale: run `make odds`"


def test_rare_grams_are_left_out_and_frequent_ones_lean_their_way():
    counts = GramCounts.of([("着火了", True), ("着火了快", True), ("着火演练", False), ("演练通知", False),
                            ("演练安排", False), ("罕见词", False)])
    assert counts.urgent == 2 and counts.calm == 4
    assert counts.grams["着火"] == (2, 1)
    assert "罕" not in counts.grams  # seen once
    odds = UrgencyOdds(counts.urgent, counts.calm, counts.grams)
    assert odds.weights["着火"] > 0 > odds.weights["演练"]
    assert odds.log_odds("着火了") > odds.log_odds("演练通知")


def test_loudest_clause_is_the_one_whose_grams_lean_most_urgent():
    odds = UrgencyOdds(10, 10, {"着火": (9, 1), "演练": (1, 9), "通知": (1, 9)})
    assert odds.loudest_clause("演练通知|着火|通知") == "着火"


def test_the_build_command_writes_the_table_it_describes(tmp_path, capsys):
    source = tmp_path / "set.jsonl"
    source.write_text('{"text": "着火了", "label": "grid", "urgent": true}\n' * 3, encoding="utf-8")
    out = tmp_path / "grams.json"
    assert main([str(out), str(source)]) == 0
    assert "3 urgent and 0 calm" in capsys.readouterr().out
    assert UrgencyOdds.load(out).weights["着火"] > 0
    assert main([str(out)]) == 2  # no sets named


@pytest.mark.parametrize(
    "text",
    [
        "被邻居家狗咬了 打疫苗的钱能找他要吗",  # who pays, after the bite was treated
        "电梯困人的时候 按哪个按钮能叫到人",  # how the alarm button works
    ],
)
def test_an_alarm_is_withdrawn_when_the_message_reads_as_calm(clf, rules_only, text):
    assert rules_only.classify(text).urgent, "the rules alone flag it: the odds are what withdraws it"
    assert not clf.classify(text).urgent


@pytest.mark.parametrize(
    "text",
    [
        "我家楼道着火了 这个机器人咋报警",  # asking, yet on fire
        "失火了",  # too short to read as anything but a cry
        "ran qi xie lou le",  # pinyin: too little of it in the sets to judge
        "电梯里有人晕倒了!!",  # two exclamation marks
    ],
)
def test_an_alarm_that_cries_out_or_says_fire_is_kept_however_it_reads(clf, text):
    assert clf.classify(text).urgent


@pytest.mark.parametrize(
    "text, evidence",
    [
        ("我妈一头栽在厨房地上 叫她也不答应 嘴唇都紫了 先打120还是先找邻居", "急:嘴唇都紫了"),
        ("我姐刚发消息说一整瓶安眠药都吃了 不想活了 她住12栋 我先打120还是先去她家", "急:不想活了"),
    ],
)
def test_a_message_no_rule_flags_is_raised_when_it_reads_as_urgent_as_the_clearest(clf, rules_only, text, evidence):
    """`先打120还是` frames the first-aid questions the rules step aside for; these ask it in the middle of one."""
    assert not rules_only.classify(text).urgent
    result = clf.classify(text)
    assert result.urgent and result.matched[0] == evidence


def test_a_lexicon_without_odds_beside_it_is_judged_by_its_rules_alone(tmp_path):
    path = tmp_path / "lexicon.toml"
    path.write_text(minimal_lexicon(""), encoding="utf-8")
    assert Classifier.load(path).odds is None
