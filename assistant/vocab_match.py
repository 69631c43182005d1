"""Correction against the lexicon: low-confidence words matched to terms by sound and spelling.

Each lexicon term, and each word of each term, becomes an :class:`Entry` keyed by its letters and
by its Metaphone code (jellyfish). A span of one to three decoded words whose probability is low
is looked up with rapidfuzz over both keys; the best entry replaces the span only when the blend
of phonetic and spelling similarity clears a cut-off that is stricter for short spans, for
single common-looking words and for generated (ICD/drug-database) entries than for the curated
core. High-probability words are never touched. Every replacement becomes a
:class:`~assistant.models.Correction` so the editor can show and undo it.

Two cheap signals widen what can be fixed without loosening the cut-off for ordinary speech:
unsure words that spell a curated one-word term when closed up ("pre renal", "a febrile") are
joined, and drug terms score a little higher where a drug is being named (after "hold",
"started", ... or before a dose such as "40 mg"). One ordinary word is never swapped for another.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import jellyfish
from rapidfuzz import fuzz, process

from assistant.models import Correction, Segment, Transcript, Word
from assistant.vocab_keys import core_of, edges_of, letters_of, sound_of
from assistant.vocab_phrase import PROTECTED, PhraseIndex, PhraseSettings, anchored_fixes

_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*[A-Za-z]|[A-Za-z]")
_CLEAN_TERM = re.compile(r"[A-Za-z][A-Za-z \-']*")

# Weight of an entry by tier: the curated core outranks ICD descriptions and drug databases.
TIER_WEIGHT = {"site": 1.0, "core": 1.0, "generated": 0.94}
_GENERATED_MIN_LETTERS = 6  # a short generated word is more often noise than a dictated term


@dataclass(frozen=True)
class MatchSettings:
    """Thresholds for correction; the defaults were chosen on the main samples only."""

    low_probability: float = 0.6  # a span needs a word below this to be considered
    keep_probability: float = 0.93  # a word at or above this is never replaced
    min_score: float = 84.0  # blended similarity (0-100) after tier weight
    short_penalty: float = 6.0  # added to min_score for spans of fewer than 7 letters
    common_penalty: float = 6.0  # added when every word of the span is ordinary English
    max_span: int = 3
    prefer_bonus: float = 3.0  # added for terms of the dictation's specialty list
    dose_bonus: float = 4.0  # added for drug terms after "hold", "started"... or before a dose
    min_join_letters: int = 7  # "pre renal" -> "prerenal" only for terms at least this long
    phrase: PhraseSettings = PhraseSettings()  # one misheard word inside a known phrase
    anchor_bonus: float = 10.0  # a phrase-anchored fix outranks a lone-word one on overlap


@dataclass(frozen=True)
class Entry:
    text: str  # what replaces the span, as written in the lexicon
    letters: str  # lower-case letters only
    sound: str  # Metaphone code of the letters
    words: int
    weight: float
    kind: str


@dataclass(frozen=True)
class Match:
    entry: Entry
    score: float  # 0-100, weighted


class TermIndex:
    """Entries grouped by Metaphone and by letters, searched with rapidfuzz."""

    def __init__(self, entries: Iterable[Entry], known: Iterable[str] = ()):
        best: dict[str, Entry] = {}
        for e in entries:
            old = best.get(e.letters)
            if old is None or e.weight > old.weight:
                best[e.letters] = e
        self.entries: tuple[Entry, ...] = tuple(sorted(best.values(), key=lambda e: e.letters))
        self._letters = [e.letters for e in self.entries]
        self._sounds = [e.sound for e in self.entries]
        self._by_letters = {e.letters: e for e in self.entries}
        self._weights = _weights([e.weight for e in self.entries])
        # Words of anchor-only phrases: spelled right when heard, but never a target.
        self._known = frozenset(known) | frozenset(self._by_letters)

    def __len__(self) -> int:
        return len(self.entries)

    @classmethod
    def build(cls, terms: Iterable) -> TermIndex:
        """Entries for whole short terms and for every word of every term (see module doc)."""
        entries: list[Entry] = []
        word_forms: dict[str, tuple[float, str, str]] = {}
        known: set[str] = set()
        for term in terms:
            if term.anchor_only:
                known.update(letters_of(w) for w in _WORD.findall(term.text))
                continue
            weight = TIER_WEIGHT.get(term.tier, 0.9)
            text = term.text.strip()
            n_words = len(text.split())
            if _CLEAN_TERM.fullmatch(text) and 2 <= n_words <= (4 if weight >= 1 else 3):
                entries.append(_entry(text, weight, term.kind))
            for i, raw in enumerate(_WORD.findall(text)):
                word = raw.strip("-'")
                low = word.lower()
                if len(low) < 4 or (weight < 1 and len(low) < _GENERATED_MIN_LETTERS):
                    continue
                # ICD descriptions are sentence case: a first word's capital is not its spelling.
                form = word if (i > 0 or weight >= 1) else low
                if weight >= 1 and term.kind != "drug" and form[:1].isupper() and i == 0:
                    form = word  # a curated proper noun (Kussmaul) keeps its capital
                old = word_forms.get(low)
                if old is None or weight > old[0]:
                    word_forms[low] = (weight, form, term.kind)
        for _low, (weight, form, kind) in word_forms.items():
            entries.append(_entry(form, weight, kind))
        return cls(entries, known)

    def exact(self, text: str) -> Entry | None:
        return self._by_letters.get(letters_of(text))

    def knows(self, text: str) -> bool:
        """Whether ``text`` is a lexicon word or term as heard (a target or an anchor word)."""
        return letters_of(text) in self._known

    def search(self, text: str, limit: int = 5) -> list[Match]:
        """Entries that sound or are spelled like ``text``, best first, weighted by tier."""
        return self.search_many([text], limit)[0]

    def search_many(self, texts: Sequence[str], limit: int = 5) -> list[list[Match]]:
        """:meth:`search` for many texts at once (one rapidfuzz ``cdist`` per key)."""
        import numpy as np

        results: list[list[Match]] = [[] for _ in texts]
        rows = [i for i, t in enumerate(texts) if len(letters_of(t)) >= 4]
        if not rows or not self.entries:
            return results
        letters = [letters_of(texts[i]) for i in rows]
        sounds = [sound_of(texts[i]) for i in rows]
        by_letters = process.cdist(letters, self._letters, scorer=fuzz.ratio, dtype=np.float32)
        by_sound = process.cdist(sounds, self._sounds, scorer=fuzz.ratio, dtype=np.float32)
        blended = (0.5 * by_letters + 0.5 * by_sound) * self._weights
        k = min(limit, len(self.entries))
        for row, i in enumerate(rows):
            top = np.argpartition(-blended[row], k - 1)[:k]
            matches = [Match(self.entries[j], float(blended[row, j])) for j in top]
            matches.sort(key=lambda m: (-m.score, m.entry.letters))
            results[i] = matches
        return results


def _weights(values: list[float]):
    import numpy as np

    return np.asarray(values, dtype=np.float32)


def _entry(text: str, weight: float, kind: str) -> Entry:
    letters = letters_of(text)
    return Entry(text, letters, jellyfish.metaphone(letters), len(text.split()), weight, kind)


@dataclass(frozen=True)
class _Candidate:
    start: int  # index into the flat word list
    count: int
    match: Match
    original: str


@functools.lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Words that are one token of Whisper's tokenizer: ordinary English, by the model's count.

    A decoded word outside this set and outside the lexicon ("furosmide") is suspect even when
    the model was sure of it; a common word is suspect only when its probability is low.
    """
    from assistant.resources import default_model_path

    path = default_model_path() / "tokenizer.json"
    try:
        vocab = json.loads(path.read_text(encoding="utf-8"))["model"]["vocab"]
    except (OSError, ValueError, KeyError):
        return frozenset()
    return frozenset(k[1:].lower() for k in vocab if k.startswith("\u0120") and k[1:].isalpha())


_SUFFIXES = ("ies", "ing", "ed", "es", "ly", "er", "s", "d")


def english(word: str) -> bool:
    """A common word or a plain inflection of one ("tripped", "swelling", "bleeds").

    The tokenizer's whole-word entries miss most inflected forms, and an inflected English
    word is no more a misheard term than its stem is.
    """
    low = word.lower()
    common = common_words()
    if low in common:
        return True
    for suffix in _SUFFIXES:
        if not low.endswith(suffix) or len(low) - len(suffix) < 3:
            continue
        stem = low[: -len(suffix)]
        options = {stem + "y"} if suffix == "ies" else {stem, stem + "e"}
        if len(stem) > 3 and stem[-1] == stem[-2]:
            options.add(stem[:-1])  # "tripped" -> "trip"
        if options & common:
            return True
    return False


def unknown_word(word: Word, index: TermIndex) -> bool:
    """Neither ordinary English nor a lexicon word as heard ("himophesis")."""
    return not _heard_as_word(core_of(word), index)


def _heard_as_word(text: str, index: TermIndex) -> bool:
    return english(text) or index.knows(text)


def real_word(text: str, index: TermIndex) -> bool:
    """Whether a decoded token could be a word the speaker said, as opposed to a garble.

    Numbers and measures count ("120/80", "3.5"); a hyphenated or slashed compound counts
    when each of its parts does ("62-year-old", "re-on-hypot" does not).
    """
    core = re.sub(r"^[\W_]+|[\W_]+$", "", text)
    if not core or any(c.isdigit() for c in core):
        return True
    parts = [p for p in re.split(r"[-/]", core) if p]
    return all(_heard_as_word(p, index) for p in parts)


def _span_ok(words: Sequence[Word], index: TermIndex, settings: MatchSettings) -> bool:
    unknown = [unknown_word(w, index) for w in words]
    if any(
        w.probability >= settings.keep_probability and not u
        for w, u in zip(words, unknown, strict=True)
    ):
        return False
    suspect = [
        w.probability < settings.low_probability or u for w, u in zip(words, unknown, strict=True)
    ]
    if not any(suspect):
        return False
    # Numbers and sentence breaks inside a span are not part of one term.
    cores = [core_of(w) for w in words]
    if any(not c or any(ch.isdigit() for ch in c) for c in cores):
        return False
    return all(not re.search(r"[.!?;:]$", w.text.strip()) for w in words[:-1])


def _boosted(matches: list[Match], prefer: frozenset[str], bonus: float) -> list[Match]:
    """Terms of the dictation's specialty list count a little more: they are expected here."""
    if not prefer:
        return matches
    rescored = [
        Match(m.entry, m.score + bonus) if m.entry.letters in prefer else m for m in matches
    ]
    return sorted(rescored, key=lambda m: (-m.score, m.entry.letters))


# A number or one of these words right after a span says a drug was just named ("... 40 mg").
_DOSE_WORDS = frozenset(
    "mg milligram milligrams mcg microgram micrograms gram grams units unit daily twice once "
    "nightly tablet tablets bid tid qid prn".split()
)


# ... and these words right before one say the same ("hold lisinopril").
_DRUG_VERBS = frozenset(
    "take takes taking took start started starting continue continued hold held stop stopped "
    "resume resumed received given prescribed discontinue discontinued restart".split()
)


def _drug_context(words: Sequence[Word], start: int, end: int) -> bool:
    before = core_of(words[start - 1]).lower() if start > 0 else ""
    return before in _DRUG_VERBS or _dose_follows(words, end)


def _dose_follows(words: Sequence[Word], end: int) -> bool:
    for word in words[end : end + 2]:
        core = core_of(word).lower()
        if core and (core[0].isdigit() or core in _DOSE_WORDS or core in _NUMBER_WORDS):
            return True
    return False


_NUMBER_WORDS = frozenset(
    "one two three four five six seven eight nine ten twelve fifteen twenty twenty-five thirty "
    "forty fifty sixty eighty hundred".split()
)


def _context_boosted(matches: list[Match], dose: bool, bonus: float) -> list[Match]:
    """Drug terms count a little more where a dose follows: that is where drugs are named."""
    if not dose:
        return matches
    rescored = [Match(m.entry, m.score + bonus) if m.entry.kind == "drug" else m for m in matches]
    return sorted(rescored, key=lambda m: (-m.score, m.entry.letters))


def _joined(words: Sequence[Word], index: TermIndex, settings: MatchSettings) -> list[_Candidate]:
    """Words that spell a curated one-word term when written together ("pre renal").

    Only unsure spans are joined: a confident "a symptomatic" stays as the model heard it.
    """
    found: list[_Candidate] = []
    for start in range(len(words)):
        for count in (2, 3):
            span = words[start : start + count]
            if len(span) < count or all(w.probability >= settings.keep_probability for w in span):
                continue
            cores = [core_of(w) for w in span]
            if not all(c.isalpha() for c in cores):
                continue
            if any(re.search(r"[.!?;:,]$", w.text.strip()) for w in span[:-1]):
                continue
            entry = index.exact("".join(cores))
            # "st elevation" is as right as "ST-elevation": only a closed-up word is a fix.
            if entry is None or not entry.text.isalpha():
                continue
            # Whisper's own hyphen ("pre-renal") says it heard one word: any lexicon tier may
            # close it up; words it heard apart are joined only into a curated term.
            hyphenated = all(w.text.startswith("-") for w in span[1:])
            if entry.weight < 1 and not hyphenated:
                continue
            if len(entry.letters) < settings.min_join_letters:
                continue
            found.append(_Candidate(start, count, Match(entry, 100.0), " ".join(cores)))
    return found


def _anchored(
    words: Sequence[Word], index: TermIndex, phrases: PhraseIndex, settings: MatchSettings
) -> list[_Candidate]:
    """Fixes that a known phrase around the heard word supports (see ``vocab_phrase``)."""
    found = anchored_fixes(words, phrases, lambda w: unknown_word(w, index), settings.phrase)
    return [
        _Candidate(
            f.start,
            f.count,
            Match(_entry(f.word, 1.0, "phrase"), f.score + settings.anchor_bonus),
            f.original,
        )
        for f in found
    ]


def find_corrections(
    words: Sequence[Word],
    index: TermIndex,
    settings: MatchSettings | None = None,
    prefer: Iterable[str] = (),
    phrases: PhraseIndex | None = None,
) -> list[_Candidate]:
    settings = settings or MatchSettings()
    prefer = frozenset(letters_of(t) for t in prefer)
    spans: list[tuple[int, int, str]] = []
    for start in range(len(words)):
        for count in range(1, settings.max_span + 1):
            span = words[start : start + count]
            if len(span) < count or not _span_ok(span, index, settings):
                continue
            original = " ".join(core_of(w) for w in span)
            if count == 1 and index.knows(original):
                continue  # already a lexicon word, spelled right
            spans.append((start, count, original))
    found = index.search_many([original for _s, _c, original in spans], limit=5)
    candidates: list[_Candidate] = _joined(words, index, settings)
    if phrases is not None:
        candidates += _anchored(words, index, phrases, settings)
    for (start, count, original), matches in zip(spans, found, strict=True):
        matches = _boosted(matches, prefer, settings.prefer_bonus)
        dose = _drug_context(words, start, start + count)
        matches = _context_boosted(matches, dose, settings.dose_bonus)
        if not matches or not _plausible(original, matches[0].entry):
            continue
        best = matches[0]
        letters = letters_of(original)
        cutoff = settings.min_score
        if len(letters) < 7 or len(best.entry.letters) < 7:
            cutoff += settings.short_penalty
        if best.entry.weight < 1 and best.entry.letters in common_words():
            continue  # a generated entry that is ordinary English ("property"): noise
        if all(english(core_of(w)) for w in words[start : start + count]):
            if english(best.entry.letters):
                continue  # one ordinary word for another ("tripped" -> "trapped"): a guess
            cutoff += settings.common_penalty
        if best.score >= cutoff and best.entry.letters != letters:
            candidates.append(_Candidate(start, count, best, original))
    return _non_overlapping(candidates)


def _plausible(original: str, entry: Entry) -> bool:
    """Reject rewrites that only drop or inflect words rather than fix a mishearing."""
    heard = [w.lower() for w in re.findall(r"[A-Za-z]+", original)]
    if any(w in PROTECTED for w in heard):  # the meaning would change
        return False
    target = {w.lower() for w in re.findall(r"[A-Za-z]+", entry.text)}
    if len(heard) > 1 and any(w in target for w in heard if len(w) > 1):
        return False  # "with a" -> "with", "no st elevation" -> "non-ST-elevation"
    a, b = letters_of(original), entry.letters
    short, long_ = sorted((a, b), key=len)
    # "indications" -> "indication": an inflection of a real word, not a mishearing.
    return not (long_.startswith(short) and len(long_) - len(short) <= 3)


def _non_overlapping(candidates: list[_Candidate]) -> list[_Candidate]:
    chosen: list[_Candidate] = []
    taken: set[int] = set()
    # Best score first; on a tie the longer span (it explains more of the audio).
    for c in sorted(candidates, key=lambda c: (-c.match.score, -c.count, c.start)):
        span = set(range(c.start, c.start + c.count))
        if span & taken:
            continue
        chosen.append(c)
        taken |= span
    return sorted(chosen, key=lambda c: c.start)


def correct_transcript(
    transcript: Transcript,
    index: TermIndex,
    settings: MatchSettings | None = None,
    prefer: Iterable[str] = (),
    phrases: PhraseIndex | None = None,
) -> Transcript:
    """A copy of ``transcript`` with strong lexicon matches replaced and recorded.

    With ``phrases``, a word inside an otherwise exact lexicon phrase is also fixed at a lower
    cut-off ("pericysmal atrial fibrillation"); its score includes the anchor's bonus.

    ``Correction.word_index`` is the position of the new word in the corrected transcript's
    ``words``; ``word_count`` is how many decoded words it replaced.
    """
    words = transcript.words
    chosen = {c.start: c for c in find_corrections(words, index, settings, prefer, phrases)}
    if not chosen:
        return transcript
    corrections: list[Correction] = list(transcript.corrections)
    new_segments: list[Segment] = []
    flat = 0  # index into the original words
    out_index = 0  # index into the corrected words
    for seg in transcript.segments:
        new_words: list[Word] = []
        seg_end = flat + len(seg.words)
        i = flat
        while i < seg_end:
            c = chosen.get(i)
            if c is None or i + c.count > seg_end:
                new_words.append(words[i])
                i += 1
                out_index += 1
                continue
            span = words[i : i + c.count]
            new_word, written = _replacement_word(span, c.match.entry.text)
            new_words.append(new_word)
            corrections.append(
                Correction(
                    original=" ".join(w.text.strip() for w in span),
                    replacement=written,
                    start=span[0].start,
                    end=span[-1].end,
                    score=round(min(c.match.score, 100.0) / 100, 3),  # bonuses can pass 100
                    kind="lexicon",
                    word_index=out_index,
                    word_count=c.count,
                )
            )
            i += c.count
            out_index += 1
        flat = seg_end
        if new_words != list(seg.words):
            text = "".join(w.text for w in new_words)
            seg = replace(seg, words=tuple(new_words), text=text)
        new_segments.append(seg)
    return replace(transcript, segments=tuple(new_segments), corrections=tuple(corrections))


def _replacement_word(span: Sequence[Word], term: str) -> tuple[Word, str]:
    """The word that stands for the span (its punctuation kept) and the term as written."""
    first = edges_of(span[0].text)[0]
    last = edges_of(span[-1].text)[2]
    lead = " " if span[0].text.startswith(" ") else ""
    first = first.strip()
    core = core_of(span[0])
    if core[:1].isupper() and term[:1].islower():
        term = term[:1].upper() + term[1:]  # keep a sentence's capital
    prob = sum(w.probability for w in span) / len(span)
    return Word(f"{lead}{first}{term}{last}", span[0].start, span[-1].end, prob), term
