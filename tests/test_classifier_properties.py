"""Any text at all gets a valid result and never an exception."""

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.classifier import LABELS, Classifier

CLASSIFIER = Classifier.load()

MIXED = st.text(
    alphabet=st.one_of(
        st.characters(),  # anything, including surrogates-free control and format characters
        st.sampled_from("电梯漏水着火吵驿站谢谢好的收到楼道灯律师低保網格樓dianti你👍🔥🙏\u200b\u200d\ufeff\x00\x1b\u202e"),
    ),
    max_size=200,
)


def check(text: str) -> None:
    result = CLASSIFIER._classify(text)  # the unguarded path: classify() would hide a bug as "other"
    assert result == CLASSIFIER.classify(text)
    assert result.label in LABELS
    assert result.runner_up is None or (result.runner_up in LABELS and result.runner_up != result.label)
    assert 0.0 <= result.confidence <= 1.0
    assert isinstance(result.urgent, bool)
    assert all(isinstance(m, str) for m in result.matched)
    assert result.subcategory is None or result.subcategory.startswith(result.label + ".")
    d = result.as_dict(text)
    assert set(d) == {"text", "label", "subcategory", "urgent", "confidence", "matched", "runner_up"}


@settings(max_examples=300, deadline=None)
@given(MIXED)
def test_any_text(text):
    check(text)


@settings(max_examples=20, deadline=None)
@given(MIXED.filter(bool).map(lambda s: s * (4096 // len(s) + 1)))
def test_very_long_text(text):
    check(text)


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet=st.sampled_from("👍🙏😊🔥🚨🌧️🐶❤️\ufe0f\u200d"), min_size=1, max_size=30))
def test_emoji_only(text):
    check(text)
    assert CLASSIFIER.classify(text).label == "other" or "🔥" in text or "🚨" in text


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(whitelist_categories=("Cc", "Cf", "Zs", "Zl", "Zp")), max_size=50))
def test_control_and_zero_width(text):
    check(text)
    assert CLASSIFIER.classify(text).label == "other"


def test_fixed_edge_cases():
    for text in ["", " ", "\x00", "?", "a" * 10000, "电梯" * 3000, "🐶🐱🐭🐹", "dianti" * 800, "\ud7ff\uffff", "\ud800电梯\udfff"]:
        check(text)
