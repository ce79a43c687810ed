"""The classifier's vocabulary, loaded from `knowledge/lexicon.toml` and validated with pydantic.

Community staff edit the TOML by hand, so every mistake must be caught at start-up with a message
they can act on (which term, which sections) rather than surface later as a wrong label.
The rule that matters most: one term may mean one thing only, unless a `[[shared]]` entry says
on purpose, with a reason, that it belongs to several places (井盖 inside or outside the compound).
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from itertools import chain
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.normalize import SEP, clean

LABELS = ("property", "grid", "service", "faq", "other")
DEFAULT_PATH = Path(__file__).resolve().parents[1] / "knowledge" / "lexicon.toml"


class LexiconError(ValueError):
    """The lexicon file cannot be used; the message says what to fix."""


def term_form(term: str) -> str:
    """The form two terms are compared in: the normalised text without spaces or punctuation."""
    return clean(term).replace(" ", "").replace(SEP, "")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Subcategory(_Strict):
    """One subcategory: all its words match alike; the split is for the staff who read the file."""

    title: str = ""  # the name staff see on ticket cards (物业问题 · 房屋本体); the first term when empty
    terms: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    colloquial: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    weight: float = Field(1.0, gt=0, le=5)

    @field_validator("terms", "aliases", "colloquial", "examples")
    @classmethod
    def _not_blank(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        for w in words:
            if not term_form(w):
                raise ValueError(f"空词条 {w!r}（归一化后为空）")
        return words

    @property
    def all_terms(self) -> tuple[str, ...]:
        return self.terms + self.aliases + self.colloquial


class Shared(_Strict):
    """A term that belongs to several subcategories on purpose. It counts as a term of every place
    listed (no need to repeat it there); the first place wins when nothing else decides."""

    term: str
    places: tuple[str, ...] = Field(min_length=2)
    reason: str = Field(min_length=2)


class Settings(_Strict):
    confident_threshold: float = Field(0.5, ge=0, le=1)
    fuzzy_cutoff: float = Field(86, ge=50, le=100)
    example_cutoff: float = Field(0.72, ge=0.3, le=1)


class Cues(_Strict):
    closure: tuple[str, ...] = ()
    reopen: tuple[str, ...] = ()
    further: tuple[str, ...] = ()
    negators: tuple[str, ...] = ()
    inside: tuple[str, ...] = ()
    outside: tuple[str, ...] = ()
    joke: tuple[str, ...] = ()
    hypothetical: tuple[str, ...] = ()
    asking: tuple[str, ...] = ()
    send_help: tuple[str, ...] = ()
    topic_break: tuple[str, ...] = ()
    where_asks: tuple[str, ...] = ()
    equipment: tuple[str, ...] = ()
    chat_frames: tuple[str, ...] = ()
    asks: tuple[str, ...] = ()


class Urgent(_Strict):
    """Danger cues; `exclude` vetoes a cue it overlaps (火锅), `context` one in its clause (上次),
    `not_now` the whole message (drills, talks, "just in case" questions), `ongoing` (还在, 现在) keeps
    a `context` word in its clause from cancelling a cue; `since` (以后, 之后) cancels a cue before it
    in its clause, which tells what came first (中风以后一直躺着), not one after it, which tells
    what followed (喝了水以后上吐下泻); `near` pairs two word groups
    that signal danger when they meet in one clause (火 … 好大), for phrasings nobody listed.

    Second chances and vetoes added for unseen phrasings: `resolved` (已经灭了, 已经关了) vetoes the
    whole message unless an `ongoing` word is there too, and cancels no `lasting` cue (不想活 … 不严重: a
    wish to die outlasts a wound that is nothing); a `weak` cue (救命, 快来人, help) alone is
    cancelled by a `benign` word (免费, 排队, 机器人); a `danger` word (火, 烟, 血, 煤气, help) is a cue
    when the message is a bare cry (a few characters besides numbers and places) or has an `alarm`
    marker (!!, 快来, 一动不动) in its clause; `emoji` (🆘 🚑) are cues, two different `emoji_alarm`
    (🔥 😱 ⚡) in a short message are one, unless an `emoji_joke` (😂 🎉) is there; `personal` cues
    (摔倒, 晕倒, 持刀, 着火) send an urgent message to grid unless facility words outweigh them.
    A `near_miss` (差点撞到, 差点砸到) told in a `complaint` frame (昨天, 查查是哪家, 能不能管管, 老是)
    is over: it cancels the cues in its clause unless an `ongoing` word or an `alarm` is in the message.
    `everyday_smoke` (抽烟, 烧纸, 烧烤) explains a cue in a clause about smoke (烟, 熏, 呛), unless fire is named.

    `classes` name concepts (@person, @harm, @edge …) that a `near` group may use in place of
    listing words, so one line composes a concept with another: @person near @harm catches
    "伸缩门倒了压着一个人" and every other person/harm pairing nobody wrote down."""

    terms: tuple[str, ...] = Field(min_length=1)
    exclude: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    since: tuple[str, ...] = ()
    not_now: tuple[str, ...] = ()
    ongoing: tuple[str, ...] = ()
    near: tuple[tuple[str, str], ...] = ()
    resolved: tuple[str, ...] = ()
    lasting: tuple[str, ...] = ()
    weak: tuple[str, ...] = ()
    benign: tuple[str, ...] = ()
    danger: tuple[str, ...] = ()
    alarm: tuple[str, ...] = ()
    emoji: str = ""
    emoji_alarm: str = ""
    emoji_joke: str = ""
    personal: tuple[str, ...] = ()
    near_miss: tuple[str, ...] = ()
    complaint: tuple[str, ...] = ()
    everyday_smoke: tuple[str, ...] = ()
    classes: dict[str, str] = {}

    @field_validator("near")
    @classmethod
    def _pairs_have_words(cls, pairs: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        for a, b in pairs:
            if not a.split() or not b.split():
                raise ValueError(f"near 的每一行要有两组词：{[a, b]}")
        return pairs

    @model_validator(mode="after")
    def _classes_known(self) -> "Urgent":
        """Every @name in `near` is a class with words, so a typo cannot silently disable a rule."""
        empty = [name for name, words in self.classes.items() if not words.split()]
        unknown = sorted({w[1:] for pair in self.near for group in pair for w in group.split()
                          if w.startswith("@") and w[1:] not in self.classes})
        if empty or unknown:
            raise ValueError("；".join(
                [f"classes.{name} 没有词" for name in empty] + [f"near 用了未定义的类 @{name}" for name in unknown]))
        return self

    def near_groups(self) -> tuple[tuple[frozenset[str], frozenset[str]], ...]:
        """Each `near` pair as two sets of words, with @class names replaced by the class's words."""
        def words(group: str) -> frozenset[str]:
            return frozenset(chain.from_iterable(
                self.classes[w[1:]].split() if w.startswith("@") else (w,) for w in group.split()))
        return tuple((words(a), words(b)) for a, b in self.near)


class Lexicon(_Strict):
    settings: Settings = Settings()
    cues: Cues = Cues()
    urgent: Urgent
    shared: tuple[Shared, ...] = ()
    property: dict[str, Subcategory] = Field(min_length=1)
    grid: dict[str, Subcategory] = Field(min_length=1)
    service: dict[str, Subcategory] = Field(min_length=1)
    faq: dict[str, Subcategory] = Field(min_length=1)
    other: dict[str, Subcategory] = Field(min_length=1)

    def subcategories(self) -> dict[str, Subcategory]:
        """All subcategories by dotted name ("property.elevator"), in file order."""
        return {f"{label}.{name}": sub for label in LABELS for name, sub in getattr(self, label).items()}

    @model_validator(mode="after")
    def _check_duplicates(self) -> "Lexicon":
        """Every term in one place only, unless a [[shared]] entry lists the places and a reason."""
        subs = self.subcategories()
        places: dict[str, set[str]] = defaultdict(set)
        for name, sub in subs.items():
            for word in sub.all_terms:
                places[term_form(word)].add(name)
        allowed: dict[str, set[str]] = {}
        problems = []
        for entry in self.shared:
            unknown = [p for p in entry.places if p not in subs]
            if unknown:
                problems.append(f"[[shared]] “{entry.term}”：没有这个小类 {', '.join(unknown)}")
            allowed[term_form(entry.term)] = set(entry.places)
            places[term_form(entry.term)].update(p for p in entry.places if p in subs)
        for form, where in places.items():
            if len(where) > 1 and not where <= allowed.get(form, set()):
                problems.append(
                    f"词条“{form}”同时出现在 {', '.join(sorted(where))}，"
                    f"请只保留一处，或在 [[shared]] 里登记它并写明 reason"
                )
        if problems:
            raise ValueError("；".join(problems))
        return self


def load_lexicon(path: Path | str | None = None) -> Lexicon:
    """Read and validate the lexicon; every failure becomes a LexiconError naming the problem."""
    path = Path(path) if path is not None else DEFAULT_PATH
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise LexiconError(f"无法读取词库 {path}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise LexiconError(f"词库 {path} 不是合法的 TOML: {exc}") from exc
    try:
        return Lexicon.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '词库'}: {err['msg'].removeprefix('Value error, ')}"
            for err in exc.errors()
        )
        raise LexiconError(f"词库 {path} 有误: {problems}") from exc
