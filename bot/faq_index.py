"""Finding the FAQ entry a resident's question is about.

Residents ask the same thing in many ways ("驿站几点开门", "驛站啥時候開", "yizhan jidian kai"), so a
question is compared in three views at once: Chinese characters (unigrams and bigrams, after the
classifier's normalisation: Traditional → Simplified, punctuation and emoji removed), their fuzzy pinyin
(so homophone typos such as 驿战 or 律币 still meet), and pinyin typed in Latin letters, split into
syllables. Each feature is weighted by how few entries use it (a rare word like 律师 tells more than
请问), and an entry is scored against the question both as a whole (all its phrasings pooled: a
question may combine words from two of them) and phrasing by phrasing, where rapidfuzz's ratio rewards
near-identical wording. Everything is built once per knowledge-base change; a search is a few
dictionary look-ups per feature and one rapidfuzz pass over the phrasings.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.normalize import EMOJI, SEP, fuzzy_pinyin, is_han, normalize

# Characters that carry no topic: question words stay (几点 and 在哪 tell hours from places).
_FILLER = frozenset("的了吗呢吧啊呀么嘛哦哈我你您们请问一下个这那就也都还是在有")
_ENGLISH_FILLER = frozenset("a an the is are am do does i me my can could you your to of in on at for it there "
                            "what where when how who which any some this that be have has with please".split())
_MAX_SYLLABLE = 6
WEIGHTS = {"c1": 0.6, "c2": 1.0, "s1": 0.4, "s2": 1.0, "w": 1.0}
VIEWS = ("c", "s", "w")  # characters, sounds, (English) words: compared separately, then mixed
POOLED, BEST, FUZZ = 0.5, 0.3, 0.2
COVERAGE_DAMPING = 0.5


@dataclass(frozen=True, slots=True)
class FaqEntry:
    id: int
    key: str | None
    title: str
    answer: str
    questions: tuple[str, ...]
    live: str | None = None
    service: str | None = None


@dataclass(frozen=True, slots=True)
class Match:
    entry: FaqEntry
    score: float


def _syllables_of(word: str, vocabulary: frozenset[str]) -> list[str]:
    """Split typed pinyin ("yizhanjidian") into syllables the knowledge base uses, longest first."""
    word = fuzzy_pinyin(word)
    out, i = [], 0
    while i < len(word):
        for size in range(min(_MAX_SYLLABLE, len(word) - i), 0, -1):
            if word[i:i + size] in vocabulary:
                out.append(word[i:i + size])
                i += size
                break
        else:
            i += 1  # a letter no known syllable starts with: skip it
    return out


def features(text: str, vocabulary: frozenset[str]) -> Counter:
    """Weighted character and sound features of one text (see the module docstring)."""
    n = normalize(text)
    found: Counter = Counter()
    runs: list[list[tuple[str, str]]] = [[]]  # runs of (character, syllable) between punctuation
    for ch, syllable in zip(n.compact, n.syllables):
        if ch in (SEP, EMOJI) or not is_han(ch):
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append((ch, syllable))
    typed: list[tuple[str, str]] = []  # pinyin is often typed a syllable per word: one run for all of it
    for word in n.words:  # Latin letters: pinyin joins the sound view, English the word view
        typed.extend(("", syllable) for syllable in _syllables_of(word, vocabulary))
        if word not in _ENGLISH_FILLER and len(word) > 1:
            found["w:" + word.removesuffix("s")] += WEIGHTS["w"]
    runs.append(typed)
    for run in runs:
        for i, (ch, syllable) in enumerate(run):
            if ch and ch not in _FILLER:
                found["c1:" + ch] += WEIGHTS["c1"]
            if syllable and ch not in _FILLER:
                found["s1:" + syllable] += WEIGHTS["s1"]
            if i:
                before, before_syllable = run[i - 1]
                if ch and before:
                    found["c2:" + before + ch] += WEIGHTS["c2"]
                if syllable and before_syllable:
                    found["s2:" + before_syllable + syllable] += WEIGHTS["s2"]
    return found


def _compact(text: str) -> str:
    return normalize(text).compact.replace(SEP, "").replace(EMOJI, "")


class FaqIndex:
    """All active entries, ready to be searched."""

    def __init__(self, entries: list[FaqEntry]) -> None:
        self.entries = entries
        self.vocabulary = frozenset(
            fuzzy_pinyin(syllable) for entry in entries for question in entry.questions
            for syllable in normalize(question).syllables if syllable
        )
        phrasing_features = [[features(q, self.vocabulary) for q in entry.questions] for entry in entries]
        pooled = [sum(per_question, Counter()) for per_question in phrasing_features]
        documents = len(entries) or 1
        spread = Counter(feature for profile in pooled for feature in profile)
        self.idf = {feature: math.log(1 + documents / count) for feature, count in spread.items()}
        self._default_idf = math.log(1 + documents)
        # Inverted lists, feature → (entry or phrasing, weight): a search touches only what it shares.
        self._pooled_postings = _postings(self._unit(profile) for profile in pooled)
        self._phrasing_postings = _postings(self._unit(f) for per_question in phrasing_features for f in per_question)
        self._texts = [_compact(q) for entry in entries for q in entry.questions]
        self._owner = [index for index, entry in enumerate(entries) for _ in entry.questions]

    def _unit(self, found: Counter) -> dict[str, dict[str, float]]:
        """One unit vector per view; a view the text has nothing in is absent."""
        views: dict[str, dict[str, float]] = {}
        for feature, value in found.items():
            views.setdefault(feature[0], {})[feature] = value * self.idf.get(feature, self._default_idf)
        for vector in views.values():
            norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
            for feature in vector:
                vector[feature] /= norm
        return views

    def _coverage(self, found: Counter) -> float:
        """How much of the question's wording the knowledge base knows at all, damped.

        "小区游泳池夏天开放吗" shares 开放 with the opening-hours entry, but 游泳池 and 夏天 are words
        no entry uses: such a question is probably about something the knowledge base lacks. Counted on
        sounds, so that a homophone typo (雪压 for 血压) is not taken for an unknown word.
        """
        sounds = {f: v for f, v in found.items() if f.startswith("s2:")}  # sounds: a homophone typo is known
        if not sounds:
            return 1.0
        known = sum(v for f, v in sounds.items() if f in self.idf)
        return (known / sum(sounds.values())) ** COVERAGE_DAMPING

    def search(self, text: str, limit: int = 3) -> list[Match]:
        """The best entries for ``text``, best first, each with a score in 0..1."""
        if not self.entries:
            return []
        found = features(text, self.vocabulary)
        known = {f: v for f, v in found.items() if f in self.idf}
        if not known:
            return []
        coverage = self._coverage(found)
        mass: Counter = Counter()
        for feature, value in known.items():
            mass[feature[0]] += value * self.idf[feature]
        total = sum(mass.values())
        share = {view: weight / total for view, weight in mass.items()}
        query = self._unit(known)
        compact = _compact(text)
        close = [0.0] * len(self.entries)
        for _, score, position in process.extract(compact, self._texts, scorer=fuzz.ratio, limit=10):
            owner = self._owner[position]
            close[owner] = max(close[owner], score / 100)
        pooled = _accumulate(query, share, self._pooled_postings, len(self.entries))
        best = [0.0] * len(self.entries)
        for position, value in enumerate(_accumulate(query, share, self._phrasing_postings, len(self._owner))):
            owner = self._owner[position]
            best[owner] = max(best[owner], value)
        scored = [Match(entry, (POOLED * pooled[i] + BEST * best[i] + FUZZ * close[i]) * coverage)
                  for i, entry in enumerate(self.entries)]
        scored.sort(key=lambda match: match.score, reverse=True)
        return scored[:limit]


def _postings(vectors) -> dict[str, list[tuple[int, float]]]:
    lists: dict[str, list[tuple[int, float]]] = {}
    for position, views in enumerate(vectors):
        for vector in views.values():
            for feature, weight in vector.items():
                lists.setdefault(feature, []).append((position, weight))
    return lists


def _accumulate(query: dict[str, dict[str, float]], share: dict[str, float],
                postings: dict[str, list[tuple[int, float]]], size: int) -> list[float]:
    """Cosine per view against every document at once, mixed by how much of the question each view holds."""
    totals = [0.0] * size
    for view, vector in query.items():
        for feature, value in vector.items():
            weight = share[view] * value
            for position, other in postings.get(feature, ()):
                totals[position] += weight * other
    return totals
