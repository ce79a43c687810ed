"""Message classifier: lexicon lookups over several normalised views, then simple, explainable scoring.

Why not a model: the bot must run on a small box, start in well under a second, explain itself to
community staff (the matched terms) and learn from their corrections without retraining. Every
message is looked up through precomputed indexes (exact substrings, homophone pinyin, typed pinyin,
English words); rapidfuzz is only asked about a short candidate list, for examples and for messages
the exact indexes could not place. Pure Python, no Telegram. The one counted part is a second
opinion on urgency (bot.urgency_odds): gram counts staff can read, asked only whether a flagged
message reads as calm and whether an unflagged one reads as urgent as the clearest alarms.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Iterable, NamedTuple, Sequence

from rapidfuzz import fuzz, process

from bot.lexicon import DEFAULT_PATH, LABELS, Lexicon, load_lexicon, term_form
from bot.normalize import SEP, Normalized, alternation, normalize, term_keys
from bot.urgency_odds import FILE_NAME as ODDS_FILE, UrgencyOdds

log = logging.getLogger(__name__)

__all__ = ["LABELS", "Classification", "Example", "Classifier"]

PROBLEM_LABELS = frozenset({"property", "grid", "service"})
_PLACE_AFTER = ("口", "门口", "旁", "边", "前", "外")  # 电梯口, 单元门口: where something happened, not what broke
_CONTRAST = re.compile("但|可是|可我|不过|就是")  # what a closure is followed by when something is still wrong
# a clause of thanks tells of help given, whatever it says; narrower than [other.thanks], whose praise words
# (及时, 满意, 大晚上) also end reports
_THANKS = re.compile("谢谢|感谢|多谢|辛苦|thank")
_PAST = re.compile("昨天|昨晚|前天|上次|上回|那天|那次|那晚|上个月|上周|去年|之前")  # thanks for what was done then
_ENTERED = ("进", "进了")  # 跟着她进了单元门: a way someone went, not what broke
EQUIPMENT = 3.5  # property score added to an urgent message about the compound's equipment (困电梯, 配电房冒烟)
PERSONAL_BOOST = 2.0  # grid score added to an urgent message that names a danger to a person
SERVICE_REQUEST = 2.5  # service score from which an urgent message stays a request for that service
SEND_HELP = 2.5  # service score added to an urgent message that asks for a service at the door (家庭医生能马上上门吗)
CHAT_FRAME = 3.0  # other score added to a calm message framed as news, a dream or praise that asks for nothing
FAR_WINDOW = 40  # most characters between them, across clauses, when one word's clause says it goes on (还在爬)
NEAR_WINDOW = 10  # most characters between the two words of a `near` pair (8 missed 道闸坏了，杆子…乱砸)
FAQ_KEEP = 4.0  # faq score from which an urgent message stays a question about a station (驿站急救箱在哪 … 血止不住)
FAQ_ASKED = 2.0  # bonus with which an urgent message that asks where a station thing is, or what number to call,
# stays a question (网格员电话多少 楼下打起来了): the answer comes at once, staff are alerted too
FAQ_STATION = 1.0  # station or contact score from which such an urgent message asks (哪个驿站有氧气袋 … 喘不上气)
# what an urgent message may ask for while help is on its way: a station's things and hours, who to call
DOUBT_BELOW = 0.0  # urgency log-odds under which a flagged message reads as calm (no true alarm measured unseen scored lower)
RAISE_FROM = 110.0  # urgency log-odds from which a message no rule flagged is flagged all the same (calm: 98 at most)
RAISE_SHORTEST = 30  # shorter messages cannot hold enough to read as urgent without naming a danger (raised: 34 and up)
DOUBT_SHORTEST = 13  # shorter messages are cries (救命 救命, SOS) with too little text to read as calm
HELP_AT_HAND = frozenset({"faq.station_hours", "faq.station_location", "faq.amenities", "faq.contacts", "faq.roles"})
_SMOKY = re.compile("[烟熏呛]|塑料味|橡胶味")  # a clause about smoke, what it does to eyes and throats, or its smell
_FIRE = re.compile("火|烧着|燃|着起来|fire|flame|burn")  # what makes smoke a fire, whatever its source
_FIRE_NOW = re.compile("(着火|起火|失火|烧起来|着起来|冒火|着着火)[了啦呢咯哒]")  # a fire told as burning (着火了)
_ABOUT_TO = frozenset("要快")  # 要泡坏了, 火快灭了: what is coming, not what is over
_HEARSAY = re.compile("听说|据说|听人说|新闻")  # 听说隔壁区着火了: a fire someone heard of, not one seen
_LATIN = re.compile("[a-z]{3}")  # a typed word: English or pinyin
_BELIEF = re.compile("以为|想着|寻思|还当是|当是|是不是")  # what someone took it for, or guesses it is
_ASKS_ANYONE = ("有没有人", "有没人")  # asks whether anyone can help, not where something is
_CRY_FILLER = re.compile(r"救命|快来人|快来|来人|救救|求求|你们|出事|help|sos|please|pls|me|\W|[!！啊呀]")
_LINKS = "和跟与及同也还又都就给把被让在人"  # may stand between a negator and what it negates (没有人受伤)
_FUNCTION_CHARS = frozenset("是的了在有也就都和与吗呢吧啊呀么着过把被给个这那点些下次样种他她它子儿啥一")
_PARTICLES = frozenset("的地得了是也就都和与吗呢吧啊呀么")  # never the first character of a two-character typo
_ASKS_AFTER = frozenset("没吗么嘛不")  # right after a closure word (修好了吗, 找着了没) it asks whether it is over
# a Telegram bot command typed as text (/help, /baoxiu@shuoshi_bot): alone it asks how the bot works; before
# words it is a wrong command in front of a message, which is what gets read
_COMMAND = re.compile(r"\s*/([A-Za-z][A-Za-z0-9_]{0,31})(?:@\w+)?(?:\s+|$)")
_NEGATOR_CHARS = re.compile("[没不无未别非]")  # cheap test before looking for negations at all
# numbers, places and fillers around a bare cry for help ("煤气 2号楼", "help!!!", "火 快")
_PLACE_FILLER = re.compile(r"[\d|]+|号楼|单元|门口|楼下|楼上|楼道|楼顶|顶楼|这里|这儿|这边|小区|[啊呀了吧的快栋层号楼室]")


class _NearWord(NamedTuple):
    """A `near` word: the pair sides it stands on (pair * 2 + side), and the pairs it stands on first
    or second as bit masks, so that a message whose words complete no pair is ruled out at once."""

    codes: tuple[int, ...]
    firsts: int  # bit p set: the word stands first in pair p
    seconds: int

    @classmethod
    def of(cls, codes: list[int]) -> "_NearWord":
        return cls(tuple(codes), sum(1 << (c >> 1) for c in set(codes) if c % 2 == 0),
                   sum(1 << (c >> 1) for c in set(codes) if c % 2))


class Classification(NamedTuple):
    """What the classifier decided about one message, with the evidence staff can check. A named
    tuple: immutable like a frozen dataclass, and built several times faster (one per message)."""

    label: str
    subcategory: str | None
    urgent: bool
    confidence: float
    matched: tuple[str, ...]
    runner_up: str | None
    threshold: float = 0.5

    @property
    def confident(self) -> bool:
        """Confident enough to act on without asking staff (threshold set in the lexicon)."""
        return self.confidence >= self.threshold

    @property
    def evidence(self) -> str | None:
        """The words that set the urgent flag (电梯里困), so staff see at once why it is urgent;
        None when not urgent, or flagged by a staff-approved example rather than by words."""
        first = self.matched[0] if self.matched else ""
        return first[2:] if self.urgent and first.startswith("急:") else None

    def as_dict(self, text: str) -> dict:
        return {
            "text": text,
            "label": self.label,
            "subcategory": self.subcategory,
            "urgent": self.urgent,
            "confidence": self.confidence,
            "matched": list(self.matched),
            "runner_up": self.runner_up,
        }


@dataclass(frozen=True, slots=True)
class Example:
    """A labelled message, e.g. a correction approved by staff."""

    text: str
    label: str
    subcategory: str | None = None
    urgent: bool = False


@dataclass(frozen=True, slots=True)
class _Entry:
    """One lexicon word and where it counts: ((label, subcategory, weight), ...)."""

    text: str
    places: tuple[tuple[str, str, float], ...]
    shared: bool = False


def _length_factor(n: int) -> float:
    """Longer terms are more specific: 电梯坏了 says more than 坏了."""
    return (0.5, 0.5, 1.0, 1.4, 1.7)[n] if n < 5 else 2.0


def _size(word: str) -> int:
    """Specificity of a term: characters for Chinese, one more than the word count for English."""
    n = normalize(word)
    compact = n.compact.replace(SEP, "")
    return len(n.words) + 1 if compact.isascii() else len(compact)


class _Matcher:
    """Finds every indexed word of a message in one pass over four views.

    Each word carries payloads (role, index): role "T" is a lexicon term, "U" an urgent cue, and
    the other letters (and "smoke", the everyday sources of smoke) are sentence cues. Exact hits are found through a dict keyed by the first
    two characters (one lookup per position), homophones through one keyed by the first two
    syllables. Hits are (start, end, role, index, factor) on the compact text; typed pinyin and
    English hits have start = end = -1 and never take part in negation or subsumption.
    """

    def __init__(self) -> None:
        self.singles: dict[str, list] = {}
        self.syll_pairs: dict[tuple[str, str], list] = defaultdict(list)
        self.latin: dict[str, list] = defaultdict(list)
        self.english: dict[str, list] = defaultdict(list)
        self._exact: dict[str, list] = {}
        self._sylls: dict[tuple, list] = {}

    def add(self, word: str, role: str, index: int | tuple[int, ...], sound: bool | str = True) -> None:
        """Index `word`; with `sound`, also by its pinyin (homophone typos, typed pinyin); with
        sound="typed", by typed pinyin only (上周 as "shang zhou", but not 那嘶 for 那事); with
        sound="homophone", by homophone typos only (找不倒 for 找不到)."""
        compact, sylls, latin = term_keys(word)
        payload = (role, index)
        if not compact:
            return
        if compact.isascii():
            key = " ".join(normalize(word).words)
            self.english[key].append(payload)
            if key[-1:].isalpha() and not key.endswith("s"):  # drain → drains, without a stemmer
                self.english[key + "s"].append(payload)
            return
        if len(compact) == 1:
            self.singles.setdefault(compact, []).append(payload)
            return
        self._exact.setdefault(compact, []).append(payload)
        if not sound:
            return
        for key in sylls if sound is True or sound == "homophone" else ():
            if key not in self._sylls:
                self._sylls[key] = []
                self.syll_pairs[key[:2]].append((key, compact, self._sylls[key]))
            self._sylls[key].append(payload)
        for key in latin if sound is True or sound == "typed" else ():
            if len(key) >= 4:
                self.latin[key].append(payload)

    def freeze(self) -> None:
        """Longest candidates first; lengths of typed-pinyin keys by first letter."""
        # every word with whether it settles its position and its payloads, and the lengths of the words that
        # begin with each two characters: one dict for all words rather than one per beginning and length, so
        # that a lookup touches fewer objects
        self.words: dict[str, tuple[bool, tuple]] = {}
        lengths: dict[str, set[int]] = defaultdict(set)
        for word, payloads in self._exact.items():
            # only a term or an urgent cue settles a position; a cue word (拿着) may begin a
            # homophone typo of a longer cue (拿着到 → 拿着刀)
            self.words[word] = (any(role in "TU" for role, _i in payloads), tuple(payloads))
            lengths[word[:2]].add(len(word))
        self.lengths = {first_two: tuple(sorted(found, reverse=True)) for first_two, found in lengths.items()}
        # homophone keys by their first two syllables; a two-character typo must keep the word's first
        # character (_plausible_typo), and a longer one is looked up by its third syllable as well, so
        # that most positions are ruled out by lookups instead of by comparing candidates one by one
        self.sounds: dict[tuple[str, str], tuple[dict[str, tuple], tuple[tuple[str, list], ...]]] = {}
        for first_two, items in self.syll_pairs.items():
            items.sort(key=lambda item: -len(item[0]))
            longer: dict[str, list] = defaultdict(list)
            for key, word, payloads in items:
                if len(key) > 2:
                    longer[key[2]].append((len(key), key[3:], word, payloads))
            # a grammar word cannot anchor a two-character typo: 挖的沟 is a ditch, not 的狗
            twos = tuple(
                (word, payloads) for key, word, payloads in items if len(key) == 2 and word[0] not in _PARTICLES
            )
            self.sounds[first_two] = ({k: tuple(v) for k, v in longer.items()}, twos)
        latin_lens: dict[str, set[int]] = defaultdict(set)  # by first three letters
        for key in self.latin:
            latin_lens[key[:3]].add(len(key))
        self.latin_lens = {k: tuple(sorted(v, reverse=True)) for k, v in latin_lens.items()}
        widths: dict[str, set[int]] = defaultdict(set)  # English keys by first word
        for key in self.english:
            widths[key.split(" ", 1)[0]].add(key.count(" ") + 1)
        self.english_widths = {k: tuple(sorted(v, reverse=True)) for k, v in widths.items()}

    def find(self, n: Normalized) -> dict[str, list[tuple[int, int, str, int, float]]]:
        """All hits, grouped by role."""
        groups: dict[str, list] = defaultdict(list)
        text = n.compact
        size = len(text)
        if size <= 3:
            for i, ch in enumerate(text):
                for role, idx in self.singles.get(ch, ()):
                    groups[role].append((i, i + 1, role, idx, 1.0))
        word_lengths, words, sylls = self.lengths, self.words, n.syllables
        term_end = 0  # furthest end of a term found so far: a term ending before it lies inside a longer one
        sound_end = 0
        sounded = []  # homophone hits go after the exact ones: evidence quotes what was typed (掉下来, not 上掉)
        # the homophones that may start at each position, looked up by its two syllables for all positions at
        # once (map and zip run in C; most positions start none)
        for i, homophones in enumerate(map(self.sounds.get, zip(sylls, sylls[1:]))):
            lengths = word_lengths.get(text[i : i + 2])
            if lengths:
                found_here = False
                room = size - i
                for length in lengths:  # longest first
                    if length > room:
                        continue
                    found = words.get(text[i : i + length])
                    if found:
                        settles, payloads = found
                        found_here = found_here or settles
                        end = i + length
                        inside = end <= term_end  # 修好了 inside 没修好了 is no separate evidence
                        for role, idx in payloads:
                            if role == "T":
                                if inside:
                                    continue
                                term_end = end
                            groups[role].append((i, end, role, idx, 1.0))
                if found_here:
                    continue
            # no word starts here: a homophone typo may (居民说是 → 居民说事)
            if not homophones:
                continue
            longer, twos = homophones
            candidates = longer.get(sylls[i + 2], ()) if longer and i + 2 < size else ()
            for length, tail, word, payloads in candidates:  # longest first
                end = i + length
                if (length == 3 or sylls[i + 3 : end] == tail) and text[i:end] != word and _plausible_typo(text[i:end], word):
                    runs_on = _runs_on(text, end, word, words)
                    sound_end = self._sounded(sounded, i, end, payloads, term_end, sound_end, runs_on)
            for word, payloads in twos:
                if text[i] == word[0] and text[i + 1] != word[1] and text[i + 1] not in _FUNCTION_CHARS:
                    runs_on = _runs_on(text, i + 2, word, words)
                    sound_end = self._sounded(sounded, i, i + 2, payloads, term_end, sound_end, runs_on)
        for hit in sounded:
            groups[hit[2]].append(hit)
        for run, starts, ends in n.latin:
            room = len(run)
            for i in starts:
                for length in self.latin_lens.get(run[i : i + 3], ()):
                    if i + length > room:
                        continue
                    payloads = self.latin.get(run[i : i + length])
                    if payloads and (i + length in ends or length >= 6 and not _splits_word(starts, ends, i, length)):
                        for role, idx in payloads:
                            groups[role].append((-1, -1, role, idx, 0.9))
        if n.words:
            words, english, widths = n.words, self.english, self.english_widths
            for i, word in enumerate(words):
                for width in widths.get(word, ()):
                    if i + width > len(words):  # the last words are no longer phrase
                        continue
                    key = word if width == 1 else " ".join(words[i : i + width])
                    for role, idx in english.get(key, ()):
                        groups[role].append((-1, -1, role, idx, 1.0))
        return groups

    @staticmethod
    def _sounded(
        sounded: list, start: int, end: int, payloads: list, term_end: int, sound_end: int, runs_on: bool
    ) -> int:
        """Record a homophone hit; a term only when no exact or longer homophone term covers it, nor
        does the typed text run on into a word of its own (`_runs_on`). Cue words are recorded even then:
        a missed alarm costs more than a wrong label (孩子找不倒了, 倒了 a word of its own). Returns the
        new furthest end of a homophone term."""
        for role, idx in payloads:
            if role != "T":
                sounded.append((start, end, role, idx, 0.8))
            elif not runs_on and end > term_end and end > sound_end:
                sound_end = end
                sounded.append((start, end, role, idx, 0.8))
        return sound_end


def _runs_on(text: str, end: int, term: str, words: dict) -> bool:
    """Whether the last typed character of a homophone span, where it differs from the term's, begins a
    word of the lexicon with the character after it: 还在楼上 is someone upstairs, not 还在漏 (still
    leaking), and 隔离装修 next door's renovation, not 隔离桩."""
    return text[end - 1] != term[-1] and text[end - 1 : end + 1] in words


def _splits_word(starts: frozenset[int], ends: frozenset[int], i: int, length: int) -> bool:
    """Whether a typed-pinyin key that began in an earlier word stops two letters or more before the end of
    a later one: "loudianle" is 漏电 typed as one word and "wang xia tan" 往下塌 with a stray n, but
    "lou dianti" is 楼 电梯, not 漏电 and half a word."""
    end = i + length
    return any(i < s < end for s in starts) and min((e for e in ends if e > end), default=end) - end >= 2


def _plausible_typo(span: str, term: str) -> bool:
    """A homophone is taken for a typo only if enough characters agree: for two-character terms
    the first one (电题 → 电梯, 漏睡 → 漏水, but not 大家 → 打架 or 湖里 → 护理); for longer
    terms at least half of them (煤汽味 → 煤气味)."""
    if len(term) == 2:  # 火是 is not 火势: a grammar word in place of the second character is no typo
        return span[0] == term[0] and span[1] not in _FUNCTION_CHARS
    return sum(a == b for a, b in zip(span, term)) * 2 >= len(term)


def _spoiled(start: int, end: int, excluded: list[tuple[int, int]], within: bool = True) -> bool:
    """A word overlapping a look-alike is no evidence (火 of 火锅), unless the look-alike lies inside it
    (找着, "found", inside 没找着; not so for a listed cue, `within=False`: a look-alike inside a cue is
    that cue in a harmless phrase) or is the word itself (打火机 is a look-alike of 火, but a `near` word
    beside 汽油), or the word starts in it and goes on two characters or more: 报警器一直响 says more
    than the look-alike 烟雾报警器."""
    return any(
        x < end and start < y and not (within and start <= x and y <= end) and not (x <= start and end - y >= 2)
        for x, y in excluded
    )


def _negated(text: str, start: int, negation: re.Pattern) -> bool:
    """True when a negator stands right before the word in the same clause (没有漏水, 不是着火), perhaps
    with up to two link characters between (没有人受伤); `negation` comes from `_negation_pattern`."""
    if start <= 0:
        return False
    before = text[max(0, start - 4) : start].rsplit(SEP, 1)[-1]
    m = negation.search(before)
    if m is None:
        return False
    # 有没有 / 是不是 / 好不好 ask a question, they do not deny anything; so does 有没 (有冇) before a noun
    if m.start() > 0 and (before[m.start() - 1] == m.group(1)[-1] or before[m.start() - 1 : m.start() + 1] == "有没"):
        return False
    # 这不是违建吗, 这不违建吗: a rhetorical question affirms
    rhetorical = m.group(1) == "不是" or m.group(1) == "不" and before[m.start() - 1 : m.start()] in ("这", "那")
    return not (rhetorical and text[_clause(text, start, start)[1] - 1] in "吗么嘛")


def _clause(compact: str, start: int, end: int) -> tuple[int, int]:
    """Where the clause holding compact[start:end] begins and ends: the nearest separators around it."""
    right = compact.find(SEP, end)
    return compact.rfind(SEP, 0, start) + 1, len(compact) if right < 0 else right


def _a_not_a(compact: str, start: int) -> bool:
    """Whether a denial (不是着火, 没有着火) is the second half of a question (是不是着火了, 有没有着火);
    要不要报警 still calls no one."""
    return 0 < start < len(compact) - 1 and compact[start] in "不没" and compact[start - 1] == compact[start + 1] in "是有"


def _stems(phrase: str) -> frozenset[str]:
    """The words of an English phrase without a plural s (smokes shares a word with smoke)."""
    return frozenset(w[:-1] if len(w) > 3 and w.endswith("s") else w for w in phrase.lower().split())


def _in_clause(compact: str, at: int, positions: Iterable[int]) -> bool:
    """Whether any of `positions` lies in the clause holding compact[at]."""
    left, right = _clause(compact, at, at)
    return any(left <= p < right for p in positions)


def _introduces(compact: str, end: int, cues: Iterable[tuple]) -> bool:
    """Whether the words ending at `end` end in 是 (结果是, 原来是) and a danger cue follows in the same
    clause: they reveal the danger rather than explain it away. Other words (岗亭里睡) explain what
    follows them (保安在岗亭里睡觉叫都叫不醒 is a guard asleep, not a man unconscious)."""
    if compact[end - 1 : end] != "是":
        return False
    right = _clause(compact, end, end)[1]
    return any(end <= h[0] < right for h in cues)


def _believed(compact: str, start: int) -> bool:
    """Whether the word at `start` is only what someone thought or guesses (还以为谁家放鞭炮, 想着过去就没事了,
    是不是管子泡坏了): a belief word stands before it in its clause, so it neither calls the danger off nor
    makes it a show."""
    return _BELIEF.search(compact, _clause(compact, start, start)[0], start) is not None


def _uncovered(hits: Sequence[tuple], covers: Sequence[tuple]) -> int:
    """How many hits do not lie inside one of `covers` (typed pinyin and English hits have no place)."""
    if not hits or not covers:  # most messages name neither side, or only one
        return len(hits)
    spans = [(c[0], c[1]) for c in covers if c[0] >= 0]
    return sum(1 for h in hits if h[0] < 0 or not any(a <= h[0] and h[1] <= b for a, b in spans))


def _same_clause(compact: str, a: int, b: int) -> bool:
    """Whether no punctuation or space stands between positions a and b."""
    return SEP not in compact[min(a, b) : max(a, b)]


def _strongest(subs: dict[str, float], label: str, default: str | None = None) -> str | None:
    """The label's subcategory with the highest score; `default` when none of its subcategories scored."""
    prefix = label + "."
    strongest, top = default, 0.0
    for name, value in subs.items():  # the first of equal scores wins
        if value > top and name.startswith(prefix):
            strongest, top = name, value
    return strongest


def _negation_pattern(negators: Iterable[str]) -> re.Pattern:
    """A negator (longest first) followed by at most two link characters at the end of a text."""
    words = alternation(negators)
    return re.compile("(%s)[%s]{0,2}$" % (words, re.escape(_LINKS)) if words else "(?!)")


class _ExampleIndex:
    """Labelled example messages, found by exact compact text or, among the few sharing the most
    character bigrams with the message, by rapidfuzz ratio."""

    def __init__(self, examples: tuple[Example, ...], weight: float) -> None:
        self.examples, self.weight = examples, weight
        self.forms: list[tuple[str, Example]] = []
        self.exact: dict[str, int] = {}
        grams: dict[str, list[int]] = defaultdict(list)
        for ex in examples:
            form = normalize(ex.text).compact.replace(SEP, "")
            if not form:
                continue
            idx = len(self.forms)
            self.forms.append((form, ex))
            self.exact[form] = idx  # a later correction of the same text wins
            for g in {form[i : i + 2] for i in range(max(1, len(form) - 1))}:
                grams[g].append(idx)
        self.grams = dict(grams)

    def match(self, form: str, cutoff: float, fuzzy: bool = True) -> list[tuple[Example, float]]:
        exact = self.exact.get(form)
        if exact is not None:
            return [(self.forms[exact][1], self.weight * 2)]
        if not fuzzy or not self.forms:
            return []
        grams = self.grams
        counts = Counter(chain.from_iterable(grams.get(form[i : i + 2], ()) for i in range(len(form) - 1)))
        best = sorted(counts, key=counts.__getitem__, reverse=True)[:6] if len(counts) > 6 else counts
        found = []
        for idx in best:
            ex_form, ex = self.forms[idx]
            sim = fuzz.ratio(form, ex_form) / 100
            if sim >= cutoff:
                found.append((ex, self.weight * sim))
        return found


def _entries(lexicon: Lexicon) -> list[_Entry]:
    """One entry per distinct term, with every place it counts for. A [[shared]] term counts fully
    for its first place and half for the others; a term containing a shared one (垃圾堆 ⊃ 垃圾) is
    marked shared too, so that location cues decide it as well."""
    entries: list[_Entry] = []
    seen: set[str] = set()
    shared = {term_form(s.term): s for s in lexicon.shared}
    shared_forms = [f for f in shared if len(f) > 1]
    for name, sub in lexicon.subcategories().items():
        label = name.split(".", 1)[0]
        for word in sub.all_terms:
            form = term_form(word)
            if form in seen:  # a [[shared]] term already entered from an earlier place
                continue
            seen.add(form)
            weight = sub.weight * _length_factor(_size(word))
            if form in shared:
                places = tuple((p.split(".", 1)[0], p, weight * (1.0 if i == 0 else 0.5))
                               for i, p in enumerate(shared[form].places))
                entries.append(_Entry(word, places, shared=True))
            else:
                entries.append(_Entry(word, ((label, name, weight),), any(f in form for f in shared_forms)))
    for form, s in shared.items():  # shared terms need not be repeated in their places
        if form not in seen:
            weight = _length_factor(_size(s.term))
            places = tuple((p.split(".", 1)[0], p, weight * (1.0 if i == 0 else 0.5)) for i, p in enumerate(s.places))
            entries.append(_Entry(s.term, places, shared=True))
    return entries


class Classifier:
    """Lexicon-driven classifier; immutable, so one instance can serve every chat concurrently."""

    def __init__(self, lexicon: Lexicon, examples: tuple[Example, ...] = (), odds: UrgencyOdds | None = None) -> None:
        self.lexicon = lexicon
        self.odds = odds
        self.threshold = lexicon.settings.confident_threshold
        self.entries = _entries(lexicon)
        urgent, cues = lexicon.urgent, lexicon.cues
        self.negation = _negation_pattern(cues.negators)
        self.topic_break = re.compile(alternation(map(term_form, cues.topic_break)) or "(?!)")
        self.asks = re.compile(alternation(map(term_form, cues.asks)) or "(?!)")  # one character (吗, 请) too
        self.urgent_forms = tuple(term_form(w) for w in urgent.terms)
        self.exclude_forms = tuple(term_form(w) for w in urgent.exclude)
        self.fire_cues = frozenset(i for i, form in enumerate(self.urgent_forms) if _FIRE.search(form))
        # English cues and look-alikes by word: fire exit rules out fire, not see smoke
        self.urgent_words = tuple(_stems(w) if w.isascii() else None for w in urgent.terms)
        self.exclude_words = tuple(_stems(w) for w in urgent.exclude)
        # typed-pinyin spellings, to tell a context word spelt inside a typed cue from one framing it
        self.urgent_spellings = tuple(term_keys(w)[2] for w in urgent.terms)
        self.context_spellings = tuple(term_keys(w)[2] for w in urgent.context)
        matcher = _Matcher()
        for idx, entry in enumerate(self.entries):
            matcher.add(entry.text, "T", idx)
        for idx, word in enumerate(urgent.terms):
            matcher.add(word, "U", idx)
        for role, group, sound in (
            ("X", urgent.exclude, False), ("Y", urgent.context, "typed"), ("S", urgent.since, False),
            ("N", urgent.not_now, "typed"),
            ("G", urgent.ongoing, False), ("Z", urgent.resolved, False), ("B", urgent.benign, "typed"),
            ("lasting", urgent.lasting, False),
            ("A", urgent.alarm, "typed"), ("Q", urgent.personal, True),
            ("M", urgent.near_miss, False), ("D", urgent.complaint, False),
            ("smoke", urgent.everyday_smoke, False),
            ("C", cues.closure, True),
            ("R", cues.reopen, False), ("F", cues.further, False),
            ("I", cues.inside, False), ("O", cues.outside, False),
            ("J", cues.joke, False), ("H", cues.hypothetical, "typed"), ("K", cues.asking, "typed"),
            ("W", cues.send_help, False), ("V", cues.where_asks, False),
            ("E", cues.equipment, False), ("L", cues.chat_frames, False),
        ):
            for idx, word in enumerate(group):
                matcher.add(word, role, idx, sound)
        # every `near` word once, with all the pair sides it stands on (a class word such as 孩子 is on
        # many), so a message pays one hit per word, not one per rule
        sides: dict[str, list[int]] = defaultdict(list)
        for pair, (a, b) in enumerate(urgent.near_groups()):
            for side, group in enumerate((a, b)):
                for word in {term_form(w) for w in group}:
                    sides[word].append(pair * 2 + side)
        near = {word: _NearWord.of(codes) for word, codes in sides.items()}
        # lexicon terms that are also `near` words: their homophone typos (电题) count on the pair's side
        self.near_terms = {
            i: near[form] for i, e in enumerate(self.entries) if len(form := term_form(e.text)) > 1 and form in near
        }
        self.near_chars: dict[str, _NearWord] = {}  # one-character words of `near`
        for word, near_word in near.items():
            if len(word) == 1:
                self.near_chars[word] = near_word
            else:
                matcher.add(word, "P", near_word, sound="homophone" if len(word) >= 3 else False)
        matcher.freeze()
        self.matcher = matcher
        self.weak_forms = frozenset(term_form(w) for w in urgent.weak)
        # alarms that are only a cry (救命, 快来): a joke (哈哈, 😂) around them is still a joke
        self.cry_alarms = frozenset(i for i, w in enumerate(urgent.alarm) if term_form(w) in self.weak_forms)
        self.danger_re = re.compile(alternation(map(term_form, urgent.danger)) or "(?!)")
        self.emoji_sets = (frozenset(urgent.emoji.replace(" ", "")), frozenset(urgent.emoji_alarm.replace(" ", "")),
                           frozenset(urgent.emoji_joke.replace(" ", "")))
        self.near_char_re = re.compile("[%s]" % re.escape("".join(self.near_chars)) if self.near_chars else "(?!)")
        self._set_examples(
            tuple(
                Example(text, name.split(".", 1)[0], name)
                for name, sub in lexicon.subcategories().items()
                for text in sub.examples
            ),
            examples,
        )

    # ------------------------------------------------------------------ construction
    @classmethod
    def load(cls, path: Path | None = None) -> "Classifier":
        """Load and index the lexicon (default: knowledge/lexicon.toml next to the bot package), with the
        urgency odds kept beside it; a lexicon without them (a test's own) is judged by its rules alone."""
        path = Path(path) if path is not None else DEFAULT_PATH
        odds = path.with_name(ODDS_FILE)
        return cls(load_lexicon(path), odds=UrgencyOdds.load(odds) if odds.exists() else None)

    def with_examples(self, examples: Iterable[Example]) -> "Classifier":
        """A new classifier that also matches these examples (approved staff corrections); the
        original is untouched. A later example with the same text overrides an earlier one."""
        extra = tuple(e for e in examples if e.text)
        for e in extra:
            if e.label not in LABELS:
                raise ValueError(f"unknown label {e.label!r} in example {e.text!r}; expected one of {LABELS}")
        clone = object.__new__(Classifier)
        clone.__dict__.update(self.__dict__)  # every index is shared; only the learned examples differ
        clone._set_examples(self.seed_examples, self.learned + extra)
        return clone

    def _set_examples(self, seed: tuple[Example, ...], learned: tuple[Example, ...]) -> None:
        """Seed examples (from the lexicon) and learned ones (staff corrections) in two indexes, so
        that adding a correction re-indexes only the corrections."""
        self.seed_examples, self.learned = seed, learned
        if getattr(self, "seed_index", None) is None or self.seed_index.examples != seed:
            self.seed_index = _ExampleIndex(seed, 2.5)
        self.learned_index = _ExampleIndex(learned, 5.0)

    # ------------------------------------------------------------------ classification
    def classify(self, text: str) -> Classification:
        """Label, subcategory, urgent flag, confidence and evidence for one message; never raises."""
        try:
            return self._classify(text if isinstance(text, str) else str(text))
        except Exception:  # a classifier bug must never take the bot down; staff will see low confidence
            log.exception("classifier failed on %r", text[:80] if isinstance(text, str) else text)
            return Classification("other", None, False, 0.0, (), None, self.threshold)

    def _classify(self, text: str) -> Classification:
        command = _COMMAND.match(text) if "/" in text else None  # most messages have no slash: no regex to run
        if command:
            text = text[command.end():]
            if not text.strip():
                return Classification("faq", "faq.bot_usage", False, 1.0, ("/" + command.group(1),), None,
                                       self.threshold)
        n = normalize(text)
        compact = n.compact
        by_role = self.matcher.find(n)
        may_negate = _NEGATOR_CHARS.search(compact) is not None
        scores: dict[str, float] = defaultdict(float)
        subs: dict[str, float] = defaultdict(float)
        matched: list[str] = []
        negations = 0
        entries = self.entries
        shared_hit = False
        for start, _end, _role, entry_id, factor in by_role.get("T", ()):
            entry = entries[entry_id]
            if may_negate and start > 0 and entry.places[0][0] in PROBLEM_LABELS and _negated(compact, start, self.negation):
                negations += 1
                continue
            shared_hit |= entry.shared
            matched.append(entry.text)
            for label, sub, weight in entry.places:
                scores[label] += weight * factor
                subs[sub] += weight * factor
        if not scores and len(compact) >= 3:
            self._fuzzy_terms(n, scores, subs, matched)
        # where: the street or the compound; a word inside the other side's word does not count (路上 of 小区主路上)
        streets, compounds = by_role.get("O", ()), by_role.get("I", ())
        outside, inside = _uncovered(streets, compounds), _uncovered(compounds, streets)
        if shared_hit:  # boundary rule 1: a shared word (井盖, 路灯) goes where the message says it is
            if outside > inside:
                scores["grid"] += 2.5
            elif inside > outside:
                scores["property"] += 1.0
        # 打不通了, 还没修好了: a negated closure word says the opposite
        # 修好了吗, 找着了没: asking whether it is over is no closure (most messages have none)
        closures = [
            c for c in by_role["C"]
            if not _negated(compact, c[0], self.negation) and (c[1] < 0 or compact[c[1] : c[1] + 1] not in _ASKS_AFTER)
        ] if "C" in by_role else []
        closed = bool(closures) and not by_role.get("R", ())
        if closed and self._goes_on_after(compact, max(c[1] for c in closures), by_role):
            closed = False  # 修好了 … 地板泡坏了谁来补: the matter is over, but one more is asked
            scores["other"] = max(0.0, scores["other"] - subs.pop("other.closure", 0.0))
        problem = scores["property"] or scores["grid"] or scores["service"]
        if len(compact) > 10 and problem:
            scores["other"] *= 0.4  # 好的, 谢谢, 你好 inside a report do not make it chit-chat
        if closed or (negations and not problem):
            for label in PROBLEM_LABELS:
                scores[label] *= 0.5
            scores["other"] += 3.0
            subs["other.closure"] += 3.0
        danger_signalled = self._could_signal_danger(n, by_role)  # false for most messages: nothing to weigh
        evidence = self._urgent(text, n, by_role) if danger_signalled else None
        if evidence is not None and self._reads_calm(text, n, by_role):
            evidence = None
        elif evidence is None and danger_signalled:
            evidence = self._reads_urgent(n)
        urgent = evidence is not None
        # thanks for what was done (谢谢 … 昨天帮…, 谢谢 … 修好了); only a calm message can be chat
        thanked = not urgent and _THANKS.search(compact) is not None and (
            _PAST.search(compact) is not None or bool(closures)
        )
        if urgent:
            matched.insert(0, f"急:{evidence}")  # someone in danger is reporting, not asking or chatting,
            # unless plainly asking where help is (驿站急救箱在哪 … 血止不住): the answer helps, staff are alerted
            asked_where = self._asks_for_help_at_hand(compact, by_role)
            if asked_where:
                scores["faq"] += FAQ_ASKED
                subs["faq.question"] += FAQ_ASKED
            elif scores["faq"] < FAQ_KEEP:
                scores["faq"] *= 0.3
            scores["other"] *= 0.3
            # a person in danger is the safety of a resident (grid), unless the message plainly asks for a
            # service (家庭医生能马上来吗, 求社区安排护工上门): then staff arrange that service, flagged urgent
            asks = bool(self._affirmed(compact, by_role.get("W", ())))
            if asks:
                scores["service"] += SEND_HELP
                subs[_strongest(subs, "service", "service.request")] += SEND_HELP
            elif 0 < scores["service"] and scores["service"] - self._told_danger(by_role) < SERVICE_REQUEST:
                scores["grid"] += scores["service"]
                subs["grid.public_safety"] += scores["service"]
                scores["service"] = 0.0
            personal = len(self._affirmed(compact, by_role.get("Q", ())))
            if personal and not asks and not asked_where:  # a fall, a stroke, a fire, a weapon: public safety
                # unless equipment outweighs it; in a long message about several things the danger decides
                # (物业费… 李大爷几天没见人)
                boost = PERSONAL_BOOST + 0.5 * min(personal - 1, 2)
                scores["grid"] += boost
                subs["grid.public_safety"] += boost
            machine = any(
                h[0] < 0 or not compact.startswith(_PLACE_AFTER, h[1]) and not compact.endswith(_ENTERED, 0, h[0])
                for h in by_role.get("E", ())
            )
            if machine and outside <= inside and not asks and not asked_where:  # a lift, a switch room: the property's
                scores["property"] += EQUIPMENT
                subs[_strongest(subs, "property", "property.general")] += EQUIPMENT
            if self._bare_cry(compact, by_role, evidence):
                # 救命啊 快来人, SOS: a cry that names nothing has no one to route to; the alert goes out all the same
                for label in PROBLEM_LABELS:
                    scores[label] = 0.0
                scores["other"] += 1.5
            elif not any(scores[label] for label in PROBLEM_LABELS):
                scores["grid"] += 1.5  # danger with no facility or service named: public safety
                subs["grid.public_safety"] += 1.5
        elif (by_role.get("L", ()) or thanked) and not (
            self._asks_anything(compact) or self.topic_break.search(compact) or by_role.get("R", ())
        ):
            # 看新闻说外地电梯掉下来, 梦见着火了, 物业…点个赞, 谢谢保安昨天帮我把老爸送回来: a story, a dream,
            # praise or thanks for what was done names a topic but asks nothing of anyone (unless the message
            # goes on to another matter, 对了, 另外, or says it is back, 又漏了)
            for label in PROBLEM_LABELS:
                scores[label] *= 0.5
            scores["other"] += CHAT_FRAME
            subs["other.thanks" if thanked else "other.chitchat"] += CHAT_FRAME  # thanks get 不客气
        elif (by_role.get("H", ()) or by_role.get("N", ())) and by_role.get("K", ()):
            scores["faq"] += 2.5  # 万一着火了往哪边疏散？如果燃气泄漏应该怎么办: asking what to do, not reporting
            subs["faq.question"] += 2.5
        elif by_role.get("J", ()) or (n.emoji and any(ch in self.emoji_sets[2] for ch in text)):
            scores["other"] += 1.5  # 烟花好美🎆, 呛得打喷嚏哈哈: a joke or a greeting, not a report
            subs["other.chitchat"] += 1.5
        ex_urgent = self._examples(compact.replace(SEP, ""), scores, subs, matched)
        return self._decide(n, scores, subs, matched, urgent or ex_urgent)

    def _reads_calm(self, text: str, n: Normalized, by_role: dict[str, list]) -> bool:
        """Whether a message the rules flagged reads, as a whole, like the calm messages of the labelled
        sets (家里着火把户口本烧了 补办要啥手续; 多亏网格员 半夜送医院 现在稳定了): the second opinion of
        bot.urgency_odds. A message that cries out (an alarm word, two exclamation marks, an emoji), says a
        fire is burning (怎么报急事啊 我家楼道着火了: asking, yet on fire), is too short to read or is typed
        in pinyin or English keeps its alarm whatever it scores."""
        if self.odds is None or by_role.get("A") or n.emoji or len(n.compact) < DOUBT_SHORTEST:
            return False
        if _LATIN.search(n.compact):  # ran qi xie lou le: the sets hold too little pinyin and English to judge it
            return False
        if _FIRE_NOW.search(n.compact) and not _HEARSAY.search(n.compact):
            return False
        if text.count("!") + text.count("！") >= 2:
            return False
        return self.odds.log_odds(n.compact) < DOUBT_BELOW

    def _reads_urgent(self, n: Normalized) -> str | None:
        """The clause that reads most urgent, when the whole message reads as urgent as the clearest alarms
        of the labelled sets though no rule flagged it (俺娘栽地上了 叫她不应 嘴唇发紫 先打120还是先找人:
        a cry for help told as a question): a false alarm costs a phone call, a missed one a life. Counted
        Chinese only: the few English and pinyin messages in the sets make their grams read urgent too easily."""
        compact = n.compact
        if self.odds is None or len(compact) < RAISE_SHORTEST or _LATIN.search(compact):
            return None
        if self.odds.log_odds(compact) < RAISE_FROM:
            return None
        return self.odds.loudest_clause(compact)

    def _affirmed(self, compact: str, hits: Iterable[tuple]) -> list[tuple]:
        """The hits no negator stands before (typed pinyin and English ones have no place to be negated)."""
        return [h for h in hits if not _negated(compact, h[0], self.negation)]

    def _told_danger(self, by_role: dict[str, list]) -> float:
        """The service score of terms that are themselves danger cues (摔倒, 起不来): in an urgent
        message they tell what happened, they do not ask for a service (俺爹在家摔倒起不来了 谁能去看看)."""
        cues = [(h[0], h[1]) for h in by_role.get("U", ()) if h[0] >= 0]
        return sum(
            weight * factor
            for start, end, _role, entry_id, factor in by_role.get("T", ()) if start >= 0
            and any(a <= start and end <= b for a, b in cues)
            for label, _sub, weight in self.entries[entry_id].places if label == "service"
        )

    def _asks_anything(self, compact: str) -> bool:
        """Whether an ask word stands outside a clause of thanks, and a 帮 outside one about the past
        (谢谢楼长帮我妈拿药, 昨天帮我把老爸送回来 tell of help given; 能不能帮我妈拿药 asks for it)."""
        for m in self.asks.finditer(compact):
            left = _clause(compact, m.start(), m.end())[0]
            if not (_THANKS.search(compact, left, m.start())
                    or m.group().startswith("帮") and _PAST.search(compact, left, m.start())):
                return True
        return False

    def _goes_on_after(self, compact: str, end: int, by_role: dict[str, list]) -> bool:
        """Whether, after a closure ending at `end`, the message asks for more (修好了 … 谁来补) or turns
        to what is still wrong (修是修好了 但墙上都是手印; 已经修好了 就是地上的水还没拖)."""
        if any(h[0] < 0 or h[0] >= end for h in by_role.get("F", ())):
            return True
        turn = _CONTRAST.search(compact, end)
        return turn is not None and any(
            h[0] >= turn.end() and self.entries[h[3]].places[0][0] in PROBLEM_LABELS for h in by_role.get("T", ())
        )

    def _bare_cry(self, compact: str, by_role: dict[str, list], evidence: str) -> bool:
        """Whether an urgent message is only a cry (救命, 快来人, help, SOS): every cue and term a cry, and
        little else written besides places and fillers (求求你们快来 出事了, but not 救命 有人在打我妈)."""
        weak = self.weak_forms
        if evidence.lower() not in weak or by_role.get("Q") or any(  # 🔥🔥 5栋 names a fire
            h[3] < 0 or self.urgent_forms[h[3]] not in weak for h in by_role.get("U", ())
        ):
            return False
        if any(term_form(self.entries[h[3]].text) not in weak for h in by_role.get("T", ())):
            return False
        rest = _PLACE_FILLER.sub("", _CRY_FILLER.sub("", compact))
        return len(rest) <= 4

    def _asks_for_help_at_hand(self, compact: str, by_role: dict[str, list]) -> bool:
        """Whether the message asks, in one clause, where a station thing is or whom to call (AED在哪,
        哪个驿站有氧气袋, 社区医生电话多少); 阀门在哪 … 喷开水 asks about no station thing."""
        asks = [h[0] for h in by_role.get("V", ()) if not compact.startswith(_ASKS_ANYONE, h[0])]
        if not asks:
            return False
        weight = 0.0
        for start, _end, _role, entry_id, factor in by_role.get("T", ()):
            at_hand = sum(w for _label, sub, w in self.entries[entry_id].places if sub in HELP_AT_HAND)
            if at_hand and (start < 0 or any(a < 0 or _same_clause(compact, start, a) for a in asks)):
                weight += at_hand * factor
        return weight >= FAQ_STATION

    def _fuzzy_terms(self, n: Normalized, scores, subs, matched) -> None:
        """No exact hit: ask rapidfuzz about typed pinyin and English words with typos, comparing
        each only with the few keys that share letter trigrams with it."""
        # typed pinyin runs may hold a term anywhere (partial match); an English word is one word (whole)
        queries = {run: fuzz.partial_ratio for run, _s, _e in n.latin if len(run) >= 4}
        queries.update((w, fuzz.ratio) for w in n.words if len(w) >= 5)
        if not queries:
            return
        choices, grams = self._fuzzy_index()
        cutoff = self.lexicon.settings.fuzzy_cutoff
        for q, scorer in list(queries.items())[:8]:
            counts = Counter(chain.from_iterable(grams.get(q[i : i + 3], ()) for i in range(len(q) - 2)))
            near = {
                idx: choices[idx]
                for idx, c in counts.most_common(12)
                if c * 3 >= len(choices[idx]) and len(choices[idx]) <= len(q) + 1
            }
            if not near:
                continue
            for _key, score, entry_id in process.extract(
                q, near, scorer=scorer, score_cutoff=cutoff, limit=3
            ):
                entry = self.entries[entry_id]
                matched.append(entry.text)
                for label, sub, weight in entry.places:
                    scores[label] += weight * 0.7 * score / 100
                    subs[sub] += weight * 0.7 * score / 100

    def _fuzzy_index(self) -> tuple[dict[int, str], dict[str, list[int]]]:
        """Typed-pinyin and English keys of the terms (five letters or more) and a trigram index
        over them; built on first use, shared by clones."""
        cached = getattr(self.matcher, "fuzzy", None)
        if cached is None:
            choices: dict[int, str] = {}
            for key, payloads in list(self.matcher.latin.items()) + list(self.matcher.english.items()):
                for role, idx in payloads:
                    if role == "T" and len(key) >= 5:
                        choices.setdefault(idx, key)
            grams: dict[str, list[int]] = defaultdict(list)
            for idx, key in choices.items():
                for g in {key[i : i + 3] for i in range(len(key) - 2)}:
                    grams[g].append(idx)
            cached = self.matcher.fuzzy = (choices, dict(grams))
        return cached

    def _urgent(self, text: str, n: Normalized, by_role: dict[str, list]) -> str | None:
        """The evidence (the words or emoji staff will see) of a danger cue that is not negated, nor
        part of a look-alike (消防演练, 没有着火, fire lane), nor in a message that is plainly not about
        now (以防万一, 演练; but 不是演习 is), nor one that says the danger is over (已经灭了) or tells a
        near miss as a complaint (差点砸到人 查查是哪家) unless it also says it goes on (还在冒); None when
        there is none."""
        compact = n.compact
        cues = by_role.get("U", ())
        near_words = self._near_words(by_role.get("P"), by_role.get("T", ()))
        complete = self._completed_pairs(compact, near_words)
        if not (cues or complete or n.emoji) and self.danger_re.search(compact) is None:
            return None  # no cue, no `near` pair, no emoji and no danger word: nothing below could find a cue,
            # and most messages with a word of some `near` rule get no further
        excluded = [(h[0], h[1]) for h in by_role.get("X", ()) if not _a_not_a(compact, h[0])]
        alarms = by_role.get("A", ())
        if alarms and excluded:  # a look-alike spoils an alarm as it spoils a cue (跟真的一样 is no 真的)
            alarms = [h for h in alarms if not _spoiled(h[0], h[1], excluded)]
        if not alarms and any(
            h[0] < 0 or not _negated(compact, h[0], self.negation) and not _believed(compact, h[0])
            for h in by_role.get("N", ())
        ):
            return None  # a drill or a talk, unless someone cries out in it (快来人) or says 不是演习
        ongoing = [h[0] for h in by_role.get("G", ())]
        over = not ongoing and any(
            h[0] < 0
            or not _negated(compact, h[0], self.negation)
            and not _introduces(compact, h[1], cues)
            and not _believed(compact, h[0])
            and compact[h[0] - 1 : h[0]] not in _ABOUT_TO
            for h in by_role.get("Z", ()) if not _a_not_a(compact, h[0])
        )
        if over:
            # 已经灭了, 原来是…; but 不是误会 says it is real, 结果是电表箱在冒火花 what it is, 要泡坏了 what is
            # coming; and a wish to die outlasts what is over (我真的不想活了 刚才划了一下手 不严重)
            lasting = [(h[0], h[1]) for h in by_role.get("lasting", ()) if not _negated(compact, h[0], self.negation)]
            cues = [h for h in cues if any(a < h[1] and h[0] < b for a, b in lasting)]
            if not cues:
                return None
        strong, alarm, joke = self.emoji_sets
        if (by_role.get("J", ()) or n.emoji and any(ch in joke for ch in text)) and not (
            ongoing or any(h[3] not in self.cry_alarms for h in alarms)
        ):
            return None  # 热得要着火了😂, 救命哈哈: a joke, unless someone also cries out (一动不动) or says it goes on now
        if by_role.get("H", ()) and by_role.get("K", ()) and not alarms and not ongoing:
            return None  # 如果有人敲门，应该报警还是…: asking what to do if, not reporting
        benign = bool(by_role.get("B", ()))
        if n.emoji and not benign:
            seen = [ch for ch in text if ch in strong or ch in alarm or ch in joke]
            marks = set(seen)
            if not marks & joke and (
                marks & strong
                or not excluded  # 太火了🔥🔥 is praise
                and (len(marks & alarm) >= 2 and len(compact) <= 20 or len(seen) >= 2 and len(compact) <= 12)
            ):  # 😱🔥 6栋; 😰😰 楼顶有人: a short, repeated alarm
                return "".join(dict.fromkeys(seen))
        cries = []
        if benign:  # 快来人啊，驿站有免费理发: a cry that only calls people to something nice is no cue, nor does it
            # pair with a `near` word (救命啊 电梯三天了还没修 is no one shut in the lift)
            cries = [(h[0], h[1]) for h in cues if h[3] >= 0 and self.urgent_forms[h[3]] in self.weak_forms]
            cues = [h for h in cues if h[3] < 0 or self.urgent_forms[h[3]] not in self.weak_forms]
        if by_role.get("M") and by_role.get("D") and not ongoing and not by_role.get("A"):
            return None  # 昨天有人扔西瓜皮 差点砸到人 查查是哪家: a near miss told as a complaint is over, and so
            # is all the message tells around it (小区里横冲直撞 | 差点撞到我孙子), unless something goes on
        # 对门天天抽烟 烟全窜俺家: smoke with an everyday source, and no fire named, is a nuisance
        smoky = self._affirmed(compact, by_role.get("smoke", ()))
        sources = [h[0] for h in smoky]
        harmless = excluded + [(h[0], h[1]) for h in smoky]  # the 火 of 没有明火 or of 烧柴火 is no fire
        if sources and (
            any(not any(x <= m.start() < y for x, y in harmless) for m in _FIRE.finditer(compact))
            # 着活 typed for 着火 is a fire; 明火 inside 没有明火 is none
            or any(h[3] in self.fire_cues and not _spoiled(h[0], h[1], excluded, within=False) for h in cues)
        ):
            sources = []
        frame = (by_role, excluded, ongoing, sources)
        # each pass only when the one before found nothing; two concepts meeting (电瓶 … 鼓起来) outweigh
        # a benign word (物业费) elsewhere, but a lone danger word in a joke or an invitation gets no second chance
        cue = self._any_cue(compact, cues, *frame)
        if cue is None and not over:  # a message that is over has only its lasting cues left to weigh
            cue = (
                self._any_cue(compact, self._near(compact, near_words, complete, excluded + cries, ongoing), *frame)
                or (None if benign else self._any_cue(compact, self._second_chance(text, compact, alarms), *frame))
            )
        if cue is None:
            return None
        start, end, _role, idx, _f = cue
        if start >= 0:
            return compact[start:end].replace(SEP, " ")
        return self.urgent_forms[idx] if idx >= 0 else "拼音/英文"  # typed words have no span to quote

    def _could_signal_danger(self, n: Normalized, by_role: dict[str, list]) -> bool:
        """Whether anything in the message could signal danger (a cue, a `near` word, an emoji, a danger
        word); most messages hold none, and neither the rules nor the odds need look at them further."""
        if by_role.get("U") or by_role.get("P") or n.emoji:
            return True
        # a one-character `near` word first: _urgent looks for danger words again when no `near` pair is complete
        return self.near_char_re.search(n.compact) is not None or self.danger_re.search(n.compact) is not None

    def _second_chance(self, text: str, compact: str, alarms: list) -> list[tuple[int, int, str, int, float]]:
        """Danger words (火, 烟, 血, 煤气, help) that no listed phrasing caught count as cues when the
        message is no more than a cry (⚠️ 煤气 2栋, help!!!), when it has two exclamation marks, or
        when an alarm marker (快来, 一动不动, 冒) stands in the same clause."""
        found = []
        hits = [(m.start(), m.end()) for m in self.danger_re.finditer(compact)]
        if not hits:
            return found
        core = _PLACE_FILLER.sub("", compact)
        if len(core) <= 4 or (core.isascii() and len(core) <= 9) or text.count("!") + text.count("！") >= 2:
            return [(a, b, "U", -2, 1.0) for a, b in hits]
        if alarms and len(core) <= 12 and compact.count(SEP) >= 3:
            # telegraphic fragments (老人 倒 楼梯 血 很多 快快): the alarm marker speaks for the whole message
            return [(a, b, "U", -2, 1.0) for a, b in hits]
        for a, b in hits:
            left, right = _clause(compact, a, b)
            if any(left <= h[0] < right and not (h[0] < b and a < h[1]) for h in alarms):
                found.append((a, b, "U", -2, 1.0))
        return found

    def _any_cue(
        self, compact: str, cues, by_role: dict, excluded: list, ongoing: list, smoke_sources: list
    ) -> tuple | None:
        """The first cue that no look-alike (`excluded` spans), negation or past/hypothetical context
        cancels. A cue directly followed by 过 tells of an experience (晕倒过一次), not of now; an `ongoing`
        word in the clause (还在, 现在) keeps a past word from cancelling it (昨天起一直冒烟，现在还在冒);
        a `since` word after it (中风以后) says it came first; where someone smokes or burns paper
        (`smoke_sources`) and nothing says fire, a cue in a clause that speaks of smoke (烟, 熏, 呛) says
        nothing more, unless the smoking is part of it (稀料 … 抽烟) or the cue harms a person (晕倒)."""
        if not cues:
            return None
        # a context word that is, or is inside, a `near` word is part of a danger, not a frame around one
        # (说是公安局的 … 安全账户: the swindler's line; 汽油 … 抽烟: the smoking is the danger)
        words = by_role.get("P", ())
        context = [  # placed context words; typed ones (no place) are weighed against typed cues alone
            a for a, b, *_ in by_role.get("Y", ()) if a >= 0 and not any(x <= a and b <= y for x, y, *_ in words)
        ]
        typed_context = [h[3] for h in by_role.get("Y", ()) if h[0] < 0]
        since = [h[0] for h in by_role.get("S", ())]
        for cue in cues:
            start, end, _role, idx, _f = cue
            if start < 0:  # typed pinyin or English has no place: a look-alike or context typed the same way
                # vetoes, unless the cue holds it and says more (yao sha le wo is no yao sha, 要啥; pa dao
                # chuanghu wai is 爬到窗户外, not 怕倒, "afraid it falls"); an English look-alike vetoes only
                # the English cues that share a word with it
                form = self.urgent_forms[idx] if idx >= 0 else ""
                english = self.urgent_words[idx] if idx >= 0 else None
                if any(not self._spelt_inside(idx, c) for c in typed_context) and not ongoing or any(
                    h[0] < 0
                    and not (self.exclude_forms[h[3]] in form and self.exclude_forms[h[3]] != form)
                    and (english is None or not english.isdisjoint(self.exclude_words[h[3]]))
                    for h in by_role.get("X", ())
                ):
                    continue
                if idx >= 0 and compact.isascii() is False:  # 别打119: a Chinese look-alike around a number
                    word = self.urgent_forms[idx]
                    if any(word in compact[a:b] for a, b in excluded if a >= 0):
                        continue
                return cue
            if smoke_sources and _SMOKY.search(compact, *_clause(compact, start, end)) and not any(
                start <= a < end for a in smoke_sources
            ):
                harms = [(a, b) for a, b, *_ in by_role.get("Q", ()) if not _SMOKY.search(compact, a, b)]
                if not any(a < end and start < b for a, b in harms):  # 烟呛得人晕倒了: a collapse is no nuisance
                    continue
            if idx != -1 and _spoiled(start, end, excluded, within=False):
                continue  # (a `near` span was checked word by word: 火往油烟机上窜 is no 油烟)
            if _negated(compact, start, self.negation):
                continue
            if compact[end : end + 1] == "过" and compact[end + 1 : end + 2] not in ("来", "去"):
                continue
            if context or since:
                left, right = _clause(compact, start, end)
                if any(
                    left <= a < right and not (idx >= 0 and start < a < end) and not _in_clause(compact, a, ongoing)
                    for a in context
                ):  # a context word that starts inside a listed cue (好久了 of 站在边上好久) frames nothing; an
                    continue  # ongoing word keeps it from cancelling only in its own clause (还有人在充电 | 万一起火)
                if any(end <= a < right for a in since):  # 中风以后: what came first
                    continue
            return cue
        return None

    def _spelt_inside(self, cue: int, context: int) -> bool:
        """Whether a typed context word is spelt inside a longer typed cue, so that its letters belong to the
        cue and frame nothing."""
        outer = self.urgent_spellings[cue] if cue >= 0 else ()
        return any(inner in spelling and inner != spelling
                   for inner in self.context_spellings[context] for spelling in outer)

    def _near_words(self, pairs: list | None, terms: list) -> list:
        """The `near` words found, plus lexicon terms typed as homophones that are also `near` words,
        so that 电题 (电梯) … 在里面 is a lift with someone inside."""
        near_terms = self.near_terms
        words = pairs or []
        for a, b, _r, idx, f in terms:  # a loop rather than a comprehension (a call): most messages have none
            if f < 1.0 and idx in near_terms:
                words = [*words, (a, b, "P", near_terms[idx], f)]  # a new list: `pairs` are the matcher's hits
        return words

    def _completed_pairs(self, compact: str, words: list) -> int:
        """The `near` pairs (bit p for pair p) with words of both sides in the message, `words` being the
        `near` words found (_near_words). Most messages hold words of many rules but both sides of none:
        bitwise ors over the words and the one-character words present tell, before any position is looked at."""
        chars = self.near_chars
        first_mask = second_mask = 0
        for hit in words:
            first_mask |= hit[3].firsts
            second_mask |= hit[3].seconds
        for ch in self.near_char_re.findall(compact):
            first_mask |= chars[ch].firsts
            second_mask |= chars[ch].seconds
        return first_mask & second_mask

    def _near(self, compact: str, words: list, complete: int, excluded: list, ongoing: list[int]) -> list[tuple]:
        """Spans where both word groups of a `near` pair meet at most NEAR_WINDOW characters apart, across at
        most one punctuation mark (火 … 好大: 冒出好大的火; 小孩在路边哭，找不到), as extra urgent
        cues; up to FAR_WINDOW apart when one of them is in a clause with an `ongoing` word (有个人顺着水管往
        3楼阳台爬 那家没亮灯 现在还在爬: the halves of one danger told clauses apart, and still going on).
        Only the pairs in `complete` (_completed_pairs) are looked at. A word a look-alike spoils (火 of 火锅)
        takes no part. Linear-ish even for 4096 characters."""
        if not complete:
            return []
        chars = self.near_chars
        # a homophone (吊下来 for 掉下来) where a look-alike stands is the look-alike, not the word
        placed = [(start, end, word) for start, end, _role, word, f in words
                  if f == 1.0 or not any(x < end and start < y for x, y in excluded)]
        placed += [(m.start(), m.end(), chars[m.group()]) for m in self.near_char_re.finditer(compact)]
        spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for start, end, word in placed:
            for code in word.codes:
                if complete >> (code >> 1) & 1:
                    spans[code].append((start, end))
        if excluded:  # rare: drop the words a look-alike spoils
            for code, found in spans.items():
                spans[code] = [(a, b) for a, b in found if not _spoiled(a, b, excluded)]
        found = []
        reach = FAR_WINDOW if ongoing else NEAR_WINDOW
        for code, firsts in spans.items():
            seconds = spans.get(code + 1) if code % 2 == 0 else None
            if not seconds:
                continue
            seconds.sort()
            starts = [s2 for s2, _e in seconds]
            for s1, e1 in firsts:
                lo = bisect_left(starts, s1 - reach - 8)  # a second word before the first is at most 8 long
                for s2, e2 in seconds[lo : bisect_right(starts, e1 + reach)]:
                    if not (e1 <= s2 or e2 <= s1):
                        continue  # overlapping words are one word, not two meeting
                    left, right = (e1, s2) if e1 <= s2 else (e2, s1)
                    gap = right - left
                    if not (gap <= NEAR_WINDOW and compact.count(SEP, left, right) <= 1 or gap <= FAR_WINDOW and any(
                        _same_clause(compact, s, g) for g in ongoing if g >= 0 for s in (s1, s2)
                    )):
                        continue
                    if _negated(compact, s1, self.negation) or _negated(compact, s2, self.negation):
                        continue  # 插座松了没冒烟
                    if self.topic_break.search(compact, left, right):
                        continue  # 开关坏了，另外楼上渗水: two matters, not one danger
                    found.append((min(s1, s2), max(e1, e2), "U", -1, 1.0))
                    break
        return found

    def _examples(self, form: str, scores, subs, matched) -> bool:
        """Nearest labelled examples by rapidfuzz similarity. Staff corrections are always consulted;
        the lexicon's seed phrases only when the words alone left the decision open (and cheaply)."""
        if not form:
            return False
        cutoff = self.lexicon.settings.example_cutoff
        hits = self.learned_index.match(form, cutoff) if self.learned else []
        if not hits:
            top = second = 0.0
            for value in scores.values():
                if value > top:
                    top, second = value, top
                elif value > second:
                    second = value
            decided = top >= 1.0 and top >= 2 * second
            hits = self.seed_index.match(form, cutoff, fuzzy=not decided)
        urgent = False
        for ex, weight in hits:
            scores[ex.label] += weight
            if ex.subcategory:
                subs[ex.subcategory] += weight
            matched.append(f"例:{ex.text}")
            urgent |= ex.urgent
        return urgent

    def _decide(self, n: Normalized, scores, subs, matched, urgent: bool) -> Classification:
        """The best label, its strongest subcategory, and how clearly it beat the runner-up."""
        label = runner = None
        top = second = 0.0
        for name, value in scores.items():
            if value > top:
                label, top, runner, second = name, value, label, top
            elif value > second:
                runner, second = name, value
        if label is None:
            # nothing known: short junk and emoji are chit-chat; a long unknown message may be a problem
            conf = 0.6 if len(n.compact) <= 6 else 0.25
            return Classification("other", None, urgent, conf, (), None, self.threshold)
        confidence = round(top / (top + second + 0.6), 3)
        if label == "other" and len(n.compact) > 12 and not (
            subs.get("other.closure") or max(subs.get("other.chitchat", 0.0), subs.get("other.thanks", 0.0)) >= CHAT_FRAME
        ):
            confidence = min(confidence, 0.45)  # a long message explained only by 好的 / 明白: ask staff
        return Classification(label, _strongest(subs, label), urgent, confidence, tuple(dict.fromkeys(matched)), runner,
                              self.threshold)
