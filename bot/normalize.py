"""Text normalisation for the classifier: one canonical form for every way residents type.

Residents write in Simplified or Traditional characters, full-width letters, pinyin with or
without tones, with emoji, zero-width characters pasted from other apps, and homophone typos
(电题 for 电梯). The classifier and the lexicon both go through `normalize`, so a term and a
message meet in the same form. Everything expensive (OpenCC, pypinyin) is cached per character
or called once per message, because the bot must classify tens of thousands of messages a second.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Iterable

import opencc
from pypinyin import Style, lazy_pinyin
from pypinyin.pinyin_dict import pinyin_dict

_T2S = opencc.OpenCC("t2s")

SEP = "|"  # stands for punctuation in the compact form: terms never match across it


def is_han(ch: str) -> bool:
    """CJK unified ideographs (basic block and extension A)."""
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


class _CharMap(dict):
    """str.translate table filled lazily, one entry per distinct character: NFKC first (full-width
    letters and digits become half-width), then control, format and zero-width characters vanish,
    punctuation and symbols become a separator, emoji a marker, letters lose case and tone marks,
    Traditional characters become Simplified (OpenCC, asked once per character). One pass over the
    message instead of four. NFKC per character differs from NFKC of the whole text only where NFKC
    composes a sequence: a letter and a combining mark (the mark is dropped either way) or Korean jamo."""

    def __missing__(self, code: int) -> str | None:
        out = "".join(map(_plain, unicodedata.normalize("NFKC", chr(code)))) or None
        self[code] = out
        return out


def _plain(ch: str) -> str:
    """One NFKC character in its canonical form ("" when it vanishes)."""
    code = ord(ch)
    cat = unicodedata.category(ch)
    if ch in "\n\r\t\v\f" or cat in ("Zs", "Zl", "Zp"):
        return " "
    if cat in ("Cc", "Cf", "Cs", "Co", "Cn", "Mn", "Me", "Mc", "Sk"):
        return ""  # zero-width, BOM, direction marks, variation selectors, combining marks
    if cat == "So" or 0x1F000 <= code <= 0x1FAFF:
        return EMOJI
    if cat[0] in "PS":
        return SEP
    if is_han(ch):
        return _DIALECT_CHARS.get(ch) or _T2S.convert(ch)
    if "\u00c0" <= ch <= "\u024f" or "\u1e00" <= ch <= "\u1eff":
        return strip_tones(ch).lower()
    return ch.lower()


# read at import, like the rest of normalisation: one table for every message and every lexicon term, so
# the two always meet in the same form whichever knowledge folder the lexicon comes from
DIALECT_PATH = Path(__file__).resolve().parents[1] / "knowledge" / "dialect.toml"


def alternation(words: Iterable[str]) -> str:
    """A regex matching any of the words, the longest that fits where a match starts ("" when there are none).

    Written as a trie (煤气|煤气罐|煤烟 → 煤(?:气(?:罐)?|烟)): re tries the branches of an alternation one
    after another, so a flat list of hundreds of words is tried word by word wherever one of them may
    start, while a trie tries one branch per distinct character. At each step the longer words come first,
    so the match, and what is backtracked to, is the same as with the words listed longest first."""
    distinct = sorted(set(filter(None, words)))
    return _trie(distinct) if distinct else ""


def _trie(words: list[str]) -> str:
    """The regex of `alternation` for sorted, distinct `words`, where "" means a word may end here."""
    may_end = words[0] == ""  # sorted: the empty rest comes first
    branches = [re.escape(first) + _trie([w[1:] for w in group])
                for first, group in groupby(words[may_end:], key=itemgetter(0))]
    if not branches:
        return ""
    if len(branches) == 1 and not may_end:
        return branches[0]
    return "(?:%s)%s" % ("|".join(branches), "?" if may_end else "")


def load_dialect(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Dialect characters and words with their Standard Mandarin forms (knowledge/dialect.toml).
    A word is keyed by its form after the character pass, since that is what the word pass sees."""
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"方言表 {path} 读不了: {exc}") from exc
    chars, words = table.get("chars", {}), table.get("words", {})
    bad = [k for k, v in chars.items() if len(k) != 1 or not isinstance(v, str) or not v]
    bad += [k for k, v in words.items() if not k or not isinstance(v, str) or not v]
    if bad:
        raise ValueError(f"方言表 {path}: [chars] 左边只能是一个字，[chars] 和 [words] 两边都要有字：{'、'.join(bad)}")
    return chars, words


# characters OpenCC keeps because they are also Simplified (著 in 拿著刀), and dialect characters for
# everyday words (部电梯停咗, 冇人理, 佢喺入面); words go in a second pass over the cleaned text
_DIALECT_CHARS, _dialect_words = load_dialect(DIALECT_PATH)

EMOJI = "\u2063"  # invisible separator, used only inside this module as the emoji marker
_CHARS = _CharMap()
DIALECT_WORDS = {word.translate(_CHARS): standard for word, standard in _dialect_words.items()}


def _dialect_pattern(words: Iterable[str]) -> re.Pattern:
    """The dialect words as one regex, behind a look ahead at a word's first two characters (a first character
    of one followed by a second character of one) or at a one-character word: re tries the branches of an
    alternation one after another wherever one may start, and most places where a dialect word's first
    character stands (不, 有, 上) are followed by no word's second character, so the look ahead passes them by."""
    words = sorted(set(filter(None, words)))
    longer = [w for w in words if len(w) > 1]
    ahead = [_char_class(w[0] for w in longer) + _char_class(w[1] for w in longer)] if longer else []
    if len(longer) < len(words):
        ahead.append(_char_class(w for w in words if len(w) == 1))
    return re.compile(("(?=%s)" % "|".join(ahead) if ahead else "") + alternation(words))


def _char_class(chars: Iterable[str]) -> str:
    """A regex character class of the characters."""
    return "[%s]" % re.escape("".join(sorted(set(chars))))


_DIALECT_RE = _dialect_pattern(DIALECT_WORDS) if DIALECT_WORDS else None

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUM = re.compile(r"[零〇一二两三四五六七八九十百]+(?=号楼|号|栋|幢|单元|层|楼|室|户|期|区|组|座)")
_BUILDING = re.compile(r"(\d+)(?:栋|幢|座|号楼)")
_NUMBERISH = re.compile(r"[零〇一二两三四五六七八九十百\d](?:号|栋|幢|单元|层|楼|室|户|期|区|组|座)|[十百]")
_HAS_LATIN = re.compile(r"[a-z0-9]")
_SPACES = re.compile(r"\s+")
_SEPS = re.compile(r"\s*(?:\|\s*)+")
_LATIN_RUN = re.compile(r"[a-z]+(?: [a-z]+)*")
_WORD = re.compile(r"[a-z]+|\d+")
_HAN_SPACE = re.compile(r"(?<=[\u3400-\u9fff]) +(?=[\u3400-\u9fff])")


def cn_to_int(s: str) -> int | None:
    """Chinese numerals up to 999 ("三" 3, "十二" 12, "二十" 20, "一百零五" 105, "二〇" 20); None if malformed."""
    if "十" not in s and "百" not in s:
        return int("".join(str(_CN_DIGITS[c]) for c in s)) if all(c in _CN_DIGITS for c in s) else None
    total, cur = 0, 0
    for ch in s:
        if ch in _CN_DIGITS:
            cur = _CN_DIGITS[ch]
        elif ch == "十":
            total += (cur or 1) * 10
            cur = 0
        elif ch == "百":
            total += (cur or 1) * 100
            cur = 0
    return total + cur


def _numeral(m: re.Match) -> str:
    value = cn_to_int(m.group())
    return m.group() if value is None else str(value)


def normalize_numbers(text: str) -> str:
    """三号楼 / 3栋 / 3幢 → 3号楼; 五单元 → 5单元: building numbers compare equal however written."""
    if _NUMBERISH.search(text) is None:
        return text
    text = _CN_NUM.sub(_numeral, text)
    return _BUILDING.sub(r"\1号楼", text)


def fuzzy_pinyin(s: str) -> str:
    """Merge the sounds residents (and dialects) mix up: zh/z, ch/c, sh/s, and ü typed as v or u.
    Applied identically to lexicon keys and to messages, so "lou sui" still meets 漏水 (lou shui).
    Safe on concatenated syllables, since no syllable ends in z, c or s. (-ng/-n is not merged:
    that turned 中间 into 中奖 more often than it fixed a typo.)"""
    return s.replace("zh", "z").replace("ch", "c").replace("sh", "s").replace("v", "u")


class _PinyinCache(dict):
    """Per-character toneless pinyin, computed once per distinct character (pypinyin is slow, and
    the lexicon's thousands of terms share a few thousand characters); "" for anything that is not
    a Chinese character. Given `raw` (the cache of pypinyin's own readings), it holds those readings
    with the sounds residents mix up merged (fuzzy_pinyin); without, pypinyin's own."""

    def __init__(self, raw: _PinyinCache | None = None) -> None:
        super().__init__()
        self.raw = raw

    def __missing__(self, ch: str) -> str:
        if self.raw is not None:
            syl = fuzzy_pinyin(self.raw[ch])
        else:
            syl = lazy_pinyin(ch, style=Style.NORMAL, v_to_u=False)[0] if is_han(ch) else ""
        self[ch] = syl
        return syl


_RAW_PINYIN = _PinyinCache()
_PINYIN = _PinyinCache(raw=_RAW_PINYIN)


def strip_tones(text: str) -> str:
    """diàntī → dianti: drop combining tone marks (ü stays as u via NFKD)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@dataclass(slots=True)
class Normalized:
    """Every view of one message the classifier matches against.

    text     simplified, lower-case, punctuation as spaces: readable and used for English words
    compact  no spaces, punctuation as "|": Chinese terms match here as substrings
    syllables one fuzzy pinyin syllable per character of `compact` ("" for non-Han characters)
    latin    runs of Latin words (pinyin typed by residents): (letters fuzzy-merged without spaces,
             offsets where a word starts, offsets where a word ends)
    words    English words and numbers
    emoji    how many emoji / pictographs the message had
    """

    text: str
    compact: str
    syllables: tuple[str, ...]
    latin: tuple[tuple[str, frozenset[int], frozenset[int]], ...]
    words: tuple[str, ...]
    emoji: int


def clean(text: str) -> str:
    """Canonical characters: NFKC (full → half width), tones stripped, Traditional → Simplified,
    lower case, control/zero-width removed, punctuation → "|", dialect words in Standard Mandarin
    (落雨 → 下雨), numbers normalised."""
    return normalize_numbers(_canonical(text))


def _canonical(text: str) -> str:
    """`clean` before numbers are normalised."""
    if not text:
        return ""
    text = text.translate(_CHARS)
    if _DIALECT_RE is not None:
        text = _DIALECT_RE.sub(_standard_word, text)
    return text


def _standard_word(m: re.Match) -> str:
    return DIALECT_WORDS[m.group()]


def normalize(text: str) -> Normalized:
    """All views of `text` at once; never raises for any str."""
    cleaned = _canonical(text)
    emoji = cleaned.count(EMOJI)
    if emoji:
        cleaned = cleaned.replace(EMOJI, SEP)
    if " " in cleaned:  # a space between two Chinese characters is how many residents type a comma
        cleaned = _HAN_SPACE.sub(SEP, cleaned)  # (before 好了 一楼 becomes 好了 1楼)
    cleaned = normalize_numbers(cleaned)
    compact = cleaned.replace(" ", "")
    if SEP + SEP in compact:
        compact = _SEPS.sub(SEP, compact)
    compact = compact.strip(SEP)
    syllables = tuple(map(_PINYIN.__getitem__, compact))
    if _HAS_LATIN.search(cleaned) is None:  # most messages: no pinyin, English or digits to look at
        return Normalized(compact.replace(SEP, " "), compact, syllables, (), (), emoji)
    readable = _SPACES.sub(" ", cleaned.replace(SEP, " ")).strip()
    latin = tuple(_latin_run(r) for r in _LATIN_RUN.findall(_SPACES.sub(" ", cleaned)))
    return Normalized(readable, compact, syllables, latin, tuple(_WORD.findall(readable)), emoji)


def _latin_run(run: str) -> tuple[str, frozenset[int], frozenset[int]]:
    """Concatenated letters of a run of words plus its word boundaries, so that typed pinyin
    matches only from the start of a word ("inside" must not yield 是的 via "side")."""
    starts, ends, pos, parts = set(), set(), 0, []
    for word in run.split(" "):
        word = fuzzy_pinyin(word)
        starts.add(pos)
        pos += len(word)
        ends.add(pos)
        parts.append(word)
    return "".join(parts), frozenset(starts), frozenset(ends)


@lru_cache(maxsize=None)
def _one_reading(ch: str) -> bool:
    """Whether pypinyin knows a single toneless reading of the character (不 bù/bú counts as one)."""
    return len({strip_tones(r) for r in pinyin_dict.get(ord(ch), "").split(",")}) == 1


@lru_cache(maxsize=None)
def term_keys(term: str) -> tuple[str, tuple[tuple[str, ...], ...], tuple[str, ...]]:
    """How a lexicon term is looked up: its compact form, its syllable keys (per-character
    readings, as a homophone typo would produce, and phrase readings such as 着火 zhao huo)
    and its Latin keys for residents who type pinyin."""
    n = normalize(term)
    compact = n.compact.replace(SEP, "")
    if not compact or not all(is_han(c) for c in compact):
        return compact, (), ()
    per_char = tuple(_PINYIN[c] for c in compact)
    raw = [_RAW_PINYIN[c] for c in compact]
    # only a character with several readings can be read otherwise in a phrase; the phrase lookup is most of
    # the lexicon's start-up, and over a third of the terms have no such character
    phrase_raw = raw if all(map(_one_reading, compact)) else lazy_pinyin(compact, style=Style.NORMAL, v_to_u=False)
    phrase = tuple(fuzzy_pinyin(s) for s in phrase_raw)
    sylls = tuple(dict.fromkeys(k for k in (per_char, phrase) if len(k) == len(compact)))
    latin = tuple(dict.fromkeys(fuzzy_pinyin("".join(k)) for k in (raw, phrase_raw)))
    return compact, sylls, latin
