"""Correction anchored on known phrases: one misheard word inside an otherwise exact phrase.

A word alone is a weak clue: "pericysmal" sounds a little like "paroxysmal" and a little like
"peroxisomal", and single-term correction rightly leaves it alone. The words around it are a
strong one: "pericysmal atrial fibrillation" differs from the lexicon phrase "paroxysmal atrial
fibrillation" in that one word. So every lexicon phrase of two to four words (and every run of
two or three content words inside a longer ICD description) is indexed by its words with one
left out; a transcript's unsure word whose neighbours fill such a key exactly is compared with
the word that was left out, with a cut-off lower than a lone word gets and higher when the
anchor is a single word.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from assistant.models import Word
from assistant.vocab_keys import core_of, letters_of, similarity

# Words that carry no evidence as an anchor and are never the word a phrase fixes.
STOP_WORDS = frozenset(
    "a an and the of with without in on to for by or at from due other unspecified nos not no "
    "than as into onto after before during following over under between through per is are was "
    "were be been has had have it its this that these those there which who she he his her they "
    "their any all both each more less also then when while where including associated related "
    "history initial encounter subsequent sequela specified elsewhere classified type use site "
    "part left right".split()
)
# ... and words whose loss would change the meaning: never rewritten.
PROTECTED = frozenset({"no", "not", "non", "without", "denies", "negative", "never", "none"})
_TOKEN = re.compile(r"[A-Za-z]+")
_SENTENCE_END = re.compile(r"[.!?;:]$")
_MIN_SLOT_LETTERS = 4
_WINDOW_FROM_LONG = (2, 3)  # runs taken from descriptions longer than four words


@dataclass(frozen=True)
class PhraseSettings:
    """Cut-offs (0-100 similarity of the heard word to the phrase's word)."""

    min_score: float = 70.0  # anchored by two or more words
    single_anchor_score: float = 76.0  # anchored by one word ("X fluid")
    keep_probability: float = 0.93  # a known word heard this surely is left alone
    margin: float = 4.0  # over the next best different word for the same slot


@dataclass(frozen=True)
class Slot:
    word: str  # the phrase's word as written ("paroxysmal")
    letters: str
    phrase: str  # the whole phrase, for the record


@dataclass(frozen=True)
class PhraseFix:
    start: int  # first replaced word, an index into the word list
    count: int  # how many heard words the phrase's word replaces (1 or 2)
    word: str
    phrase: str
    score: float
    original: str


@functools.cache
def _key_word(text: str) -> str:
    """Anchor words compare without a plural "s" ("adrenal glands" fills "adrenal gland")."""
    letters = letters_of(text)
    if len(letters) > 4 and letters.endswith("s") and not letters.endswith("ss"):
        return letters[:-1]
    return letters


@functools.cache
def _letters(word: str) -> str:
    return letters_of(word)


@functools.cache
def _content(word: str) -> bool:
    """A word that can anchor a phrase: not a function word; acronyms count ("CT scan")."""
    if word.lower() in STOP_WORDS:
        return False
    return len(word) >= 3 or (word.isupper() and len(word) == 2)


class PhraseIndex:
    """Phrases keyed by (length, position left out, the other words)."""

    def __init__(self, slots: dict[str, tuple[Slot, ...]]):
        self._slots = slots

    def __len__(self) -> int:
        return len(self._slots)

    @classmethod
    def build(cls, terms: Iterable) -> PhraseIndex:
        phrases: dict[tuple[str, ...], str] = {}  # unique word runs -> the phrase, first seen
        for term in terms:
            words = tuple(_written(w, term.tier) for w in _TOKEN.findall(term.text))
            if 2 <= len(words) <= 4:
                phrases.setdefault(words, term.text)
            elif len(words) > 4:
                content = [_content(w) for w in words]
                for size in _WINDOW_FROM_LONG:
                    for start in range(len(words) - size + 1):
                        if all(content[start : start + size]):
                            run = words[start : start + size]
                            phrases.setdefault(run, " ".join(run))
        found: dict[str, dict[str, Slot]] = {}
        for words, phrase in phrases.items():
            _add_phrase(found, words, phrase)
        return cls({k: tuple(v.values()) for k, v in found.items()})

    def slots(self, length: int, position: int, anchor: Sequence[str]) -> tuple[Slot, ...]:
        return self._slots.get(_key(length, position, anchor), ())


@functools.cache
def _written(word: str, tier: str) -> str:
    """A phrase's word as it should be written in a report.

    ICD-10-CM descriptions are sentence case and ICD-10-PCS title case, so a generated capital
    is not a spelling; acronyms and curated capitals (Kussmaul, Murphy) are.
    """
    if word.isupper() and len(word) > 1:
        return word
    if word[:1].isupper() and tier != "generated":
        return word
    return word.lower()


def _key(length: int, position: int, anchor: Sequence[str]) -> str:
    return f"{length}|{position}|{' '.join(anchor)}"


def _add_phrase(found: dict[str, dict[str, Slot]], words: tuple[str, ...], phrase: str) -> None:
    keys = [_key_word(w) for w in words]
    for i, word in enumerate(words):
        letters = _letters(word)
        if len(letters) < _MIN_SLOT_LETTERS or word.lower() in STOP_WORDS:
            continue
        anchor = keys[:i] + keys[i + 1 :]
        if not any(_content(w) for j, w in enumerate(words) if j != i):
            continue
        slot = found.setdefault(_key(len(words), i, anchor), {})
        slot.setdefault(letters, Slot(word, letters, phrase))


def _heard_ok(words: Sequence[Word], unknown, settings: PhraseSettings) -> bool:
    """One unsure word, or two that may be one word split ("non structing"): both unsure."""
    cores = [core_of(w) for w in words]
    if not all(c.isalpha() for c in cores):
        return False
    if any(c.lower() in PROTECTED or c.lower() in STOP_WORDS for c in cores):
        return False
    if any(_SENTENCE_END.search(w.text.strip()) for w in words[:-1]):
        return False
    unsure = [w.probability < settings.keep_probability or unknown(w) for w in words]
    return all(unsure) if len(words) > 1 else unsure[0]


def _anchor(words: Sequence[Word], start: int, end: int, before: bool) -> list[str] | None:
    """Key words of words[start:end], or None when a sentence ends inside or one is no word.

    Words ``before`` the heard ones must not end a sentence at all (the last one neither).
    """
    if start < 0 or end > len(words):
        return None
    span = words[start:end]
    inner = span if before else span[:-1]
    if any(_SENTENCE_END.search(w.text.strip()) for w in inner):
        return None
    keys = [_key_word(core_of(w)) for w in span]
    return keys if all(keys) else None


def anchored_fixes(
    words: Sequence[Word],
    phrases: PhraseIndex,
    unknown,
    settings: PhraseSettings | None = None,
) -> list[PhraseFix]:
    """Every heard word (or two) that a phrase around it says was misheard.

    ``unknown(word)`` says whether a word is outside ordinary English and the lexicon.
    """
    settings = settings or PhraseSettings()
    fixes: list[PhraseFix] = []
    for start in range(len(words)):
        for count in (1, 2):
            heard = words[start : start + count]
            if len(heard) < count or not _heard_ok(heard, unknown, settings):
                continue
            fix = _best_fix(words, start, count, phrases, settings)
            if fix is not None:
                fixes.append(fix)
    return fixes


def _best_fix(
    words: Sequence[Word], start: int, count: int, phrases: PhraseIndex, settings: PhraseSettings
) -> PhraseFix | None:
    original = " ".join(core_of(w) for w in words[start : start + count])
    heard_letters = letters_of(original)
    # A sentence may end on the heard word, but then nothing after it is part of its phrase.
    after_ok = not _SENTENCE_END.search(words[start + count - 1].text.strip())
    scored: dict[str, tuple[float, Slot, int]] = {}
    for length in (2, 3, 4):
        for position in range(length):
            before = _anchor(words, start - position, start, before=True)
            after_n = length - 1 - position
            after_end = start + count + after_n
            after = _anchor(words, start + count, after_end, before=False) if after_n else []
            if before is None or after is None or (after_n and not after_ok):
                continue
            slots = phrases.slots(length, position, before + after)
            if any(s.letters == heard_letters for s in slots):
                return None  # the heard words already make a known phrase
            for slot in slots:
                score = similarity(heard_letters, slot.letters)
                if score > scored.get(slot.letters, (0.0,))[0]:
                    scored[slot.letters] = (score, slot, length - 1)
    return _pick(scored, start, count, original, settings)


def _pick(
    scored: dict[str, tuple[float, Slot, int]],
    start: int,
    count: int,
    original: str,
    settings: PhraseSettings,
) -> PhraseFix | None:
    if not scored:
        return None
    ranked = sorted(scored.values(), key=lambda t: (-t[0], t[1].letters))
    score, slot, anchor_words = ranked[0]
    cutoff = settings.single_anchor_score if anchor_words == 1 else settings.min_score
    if score < cutoff:
        return None
    if len(ranked) > 1 and score - ranked[1][0] < settings.margin:
        return None  # two phrases fit about as well: not ours to choose
    heard = letters_of(original)
    if count > 1 and any(letters_of(w) == slot.letters for w in original.split()):
        return None  # "heart rate" -> "heart": a dropped word, not a mishearing
    short, long_ = sorted((heard, slot.letters), key=len)
    if long_.startswith(short):
        return None  # an inflection ("short" for "shortness" of breath), not a mishearing
    return PhraseFix(start, count, slot.word, slot.phrase, score, original)
