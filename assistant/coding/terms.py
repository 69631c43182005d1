"""Word matching of clinical statements against ICD-10-CM titles and clinical phrases.

A title becomes a set of "essential" word stems: parentheses (nonessential modifiers), words after
"without" (the default a title assumes) and filler words are dropped. A statement matches a title
when it holds every stem close together; the title with the most stems wins, as a coder picks the
most specific code the words support.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from assistant.coding import lexicon
from assistant.coding.index import CM, CodeIndex, normalize

_FILLER = frozenset(
    [
        "of",
        "the",
        "and",
        "with",
        "in",
        "to",
        "a",
        "an",
        "or",
        "for",
        "due",
        "by",
        "as",
        "on",
        "at",
        "from",
        "other",
        "unspecified",
        "nos",
        "specified",
        "elsewhere",
        "classified",
        "not",
        "mellitus",
        "congestive",
        "essential",
        "primary",
        "site",
        "is",
        "are",
        "than",
        "during",
        "encounter",
    ]
)
_NUMBERS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "i": "1",
    "ii": "2", "iii": "3", "iv": "4",
}  # fmt: skip
_GENERIC = frozenset(
    [
        "diseas",
        "disorder",
        "syndrome",
        "pain",
        "infect",
        "injury",
        "complicat",
        "abnormal",
        "condit",
    ]
)
_TOKEN = re.compile(r"[a-z0-9]+")
# Adjective forms a clinician says where the tabular names the organ.
_SAME = {"femoral": "femur", "renal": "kidney", "hepatic": "liver", "cardiac": "heart"}
_SUFFIXES = ("ies", "es", "ous", "us", "s", "ic", "al", "ive", "ion", "ed", "ing", "y")


_SPACED = [(re.compile(p), w) for p, w in lexicon.SPACED_ABBREVIATIONS.items()]
_ANY_SPACED = re.compile("|".join(f"(?:{p})" for p in lexicon.SPACED_ABBREVIATIONS))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    word = word.lower()
    word = _NUMBERS.get(word, word)
    word = _SAME.get(word, word)
    if len(word) <= 4 or word.isdigit():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def essential(title: str) -> frozenset[str]:
    """The stems a statement must hold to support this title."""
    return _split_title(title)[0]


def _split_title(title: str) -> tuple[frozenset[str], frozenset[str]]:
    """(essential stems, default stems): words after "without" or "not" name what the title
    assumes absent, so they are not needed, but a statement that says them fits it better."""
    # Titles are not expanded: the statement's side carries the synonyms ("colon" -> "large
    # intestine"), so a title never needs more words than it prints.
    text = re.sub(r"\([^)]*\)", " ", title.lower())
    need: set[str] = set()
    extra: set[str] = set()
    for part in text.split(","):
        if re.match(r"\s*not\b", part):  # ", not intractable": the default
            extra |= _stems(part)
            continue
        pieces = re.split(r"\bwithout\b", part)
        need |= _stems(pieces[0])
        for piece in pieces[1:]:
            # "without X with Y" / "without X of ear": Y and the site are said, X is not.
            absent, *present = re.split(r"\b(?:with|of)\b", piece)
            extra |= _stems(absent)
            need |= {w for p in present for w in _stems(p)}
    need_set = frozenset(need)
    return need_set, frozenset(extra) - need_set


def _stems(text: str) -> set[str]:
    return {stem(w) for w in _TOKEN.findall(text) if w not in _FILLER}


@dataclass(frozen=True)
class Term:
    code: str  # normalized (E1122)
    stems: frozenset[str]
    billable: bool
    default: bool  # an "unspecified" / "without complications" title: the fallback of its group
    curated: bool  # from our phrase list (the Alphabetic Index's job)
    description: str
    extra: frozenset[str] = frozenset()  # "without X" words: a better fit when said


@dataclass(frozen=True)
class Token:
    stem: str
    start: int
    end: int


@dataclass(frozen=True)
class Match:
    term: Term
    start: int  # char span in the statement
    end: int
    positions: frozenset[int]  # token indexes used


def tokens(text: str) -> list[Token]:
    """Stems with char offsets; abbreviations expand to several stems on the same span."""
    lowered = text.lower()
    spans: list[tuple[int, int, str]] = []
    if _ANY_SPACED.search(lowered):
        for pattern, words in _SPACED:
            for m in pattern.finditer(lowered):
                spans.append((m.start(), m.end(), words))
    out: list[Token] = []
    covered: list[tuple[int, int]] = [(a, b) for a, b, _ in spans]
    for m in _TOKEN.finditer(lowered):
        if any(a <= m.start() < b for a, b in covered):
            continue
        words = lexicon.ABBREVIATIONS.get(m.group(0), m.group(0))
        spans.append((m.start(), m.end(), words))
    for start, end, words in sorted(spans):
        for w in _TOKEN.findall(words):
            if w not in _FILLER or w == "not":
                out.append(Token(stem(w), start, end))
    return out


class TermMatcher:
    """All ICD-10-CM titles (except 7th-character extensions) plus curated phrases."""

    def __init__(self, index: CodeIndex) -> None:
        self.index = index
        self.terms: list[Term] = []
        rows = index._conn.execute(
            "SELECT code, need, extra, billable, is_default, description FROM terms"
        )
        for code, need, extra, billable, default, description in rows:
            self._add(
                Term(code, frozenset(need.split()), bool(billable), bool(default), False,
                     description, frozenset(extra.split()))
            )  # fmt: skip
        for phrase, code in lexicon.PHRASES.items():
            info = index.require(code, CM)
            self._add(Term(info.code, essential(phrase), info.billable, False, True, phrase))
        self._by_key: dict[str, list[int]] = defaultdict(list)
        counts: dict[str, int] = defaultdict(int)
        for term in self.terms:
            for s in term.stems:
                counts[s] += 1
        for i, term in enumerate(self.terms):
            key = min(term.stems, key=lambda s: (counts[s], s))
            self._by_key[key].append(i)

    def _add(self, term: Term) -> None:
        if term.stems and not term.stems <= _GENERIC:
            self.terms.append(term)

    def matches(self, toks: list[Token], context: frozenset[str] = frozenset()) -> list[Match]:
        """Every title whose stems all occur close together among these tokens; ``context`` is
        every stem of the statement (negated ones too), to prefer "without X" titles."""
        where: dict[str, list[int]] = defaultdict(list)
        for i, t in enumerate(toks):
            where[t.stem].append(i)
        found: list[Match] = []
        for key, anchors in where.items():
            for term_id in self._by_key.get(key, ()):
                term = self.terms[term_id]
                if not term.stems <= where.keys():
                    continue
                for anchor in anchors:
                    chosen = {min(where[s], key=lambda p: abs(p - anchor)) for s in term.stems}
                    # Words of one concept sit close together; a title's words scattered over a
                    # long statement are not one statement about it.
                    if max(chosen) - min(chosen) <= 2 * len(term.stems) + 2 and _numbers_bound(
                        toks, chosen
                    ):
                        first, last = toks[min(chosen)], toks[max(chosen)]
                        found.append(Match(term, first.start, last.end, frozenset(chosen)))
                        break
        return _most_specific(found, context or frozenset(t.stem for t in toks))


def title_rows(rows: Iterable[tuple[str, str, int, str]]) -> Iterator[tuple[object, ...]]:
    """Index-build time: (code, need, extra, billable, default, description) per title and
    inclusion term of every ICD-10-CM code (7th-character extensions excepted)."""
    for code, description, billable, notes in rows:
        default = bool(re.search(r"unspecified|without complication|, NOS", description, re.I))
        titles = [description, *json.loads(notes).get("inclusion_terms", [])]
        for title in titles:
            need, extra = _split_title(title)
            variants = [need]
            if code.startswith("E11") and {"type", "2"} <= need:
                variants.append(need - {"type", "2"})  # unstated type is type 2 (I.C.4.a.2)
            for words in variants:
                yield (code, " ".join(sorted(words)), " ".join(sorted(extra)), billable,
                       int(default), description)  # fmt: skip


def _numbers_bound(toks: list[Token], chosen: set[int]) -> bool:
    """A number belongs to the word next to it ("stage 3", "type 2"), never to a far one."""
    return all((p - 1 in chosen or p + 1 in chosen) for p in chosen if toks[p].stem.isdigit())


def _dominates(o: Match, m: Match) -> bool:
    # More words about the same thing win within one category ("acute on chronic systolic heart
    # failure" over "heart failure"), and over a symptom; across categories both are coded
    # (hypertensive CKD I12.9 and the stage N18.4).
    weak = m.term.default or m.term.description.startswith("Other ") or m.term.code[0] == "R"
    related = o.term.code[:3] == m.term.code[:3] or weak
    wider = o.positions > m.positions or (
        o.term.stems > m.term.stems and o.positions >= m.positions
    )
    return related and wider


def _most_specific(found: list[Match], said: frozenset[str]) -> list[Match]:
    """Drop a match another dominates; of equal word sets keep the title whose "without" words
    were said, then our curated phrase, then the billable, then the default title."""
    kept = [m for m in found if not any(_dominates(o, m) for o in found)]

    def rank(m: Match) -> tuple[int, bool, bool, bool, int]:
        t = m.term
        return (len(t.extra & said), t.curated, t.billable, t.default, -len(t.description))

    best: dict[frozenset[int], Match] = {}
    for m in kept:
        old = best.get(m.positions)
        if old is None or rank(m) > rank(old):
            best[m.positions] = m
    return sorted(best.values(), key=lambda m: m.start)


def default_child(index: CodeIndex, code: str) -> str | None:
    """The billable 'unspecified' code under a category the words reached, or None when the
    category has no such default (then a coder must choose; we do not guess)."""
    queue = [normalize(code)]
    while queue:
        current = queue.pop(0)
        kids = index.children(current)
        for kid in kids:
            if re.search(r"unspecified|without complication", kid.description, re.I):
                if kid.billable:
                    return kid.code
                queue.insert(0, kid.code)
                break
    return None
