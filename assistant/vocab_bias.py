"""Biasing: which lexicon terms go into Whisper's ``hotwords`` for a window, within a token budget.

Whisper's prompt holds about 224 tokens and every prompt token slows decoding and raises the
chance that the prompt is copied into the text over silence, so the budget is counted with the
model's own tokenizer and kept well below that (``[vocab] prompt_token_budget``). Terms come,
in order, from the specialty (or report type) bias list, then from terms that sound like words a
first pass heard with low confidence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from assistant.models import Segment

TokenCounter = Callable[[str], int]
SEPARATOR = ", "
_WORDS = re.compile(r"[a-z0-9']+")


def fit_terms(terms: Iterable[str], budget: int, count_tokens: TokenCounter) -> list[str]:
    """The longest prefix-preserving selection of ``terms`` whose joined text fits ``budget``.

    A term that does not fit is skipped (a shorter later one may still fit); duplicates go.
    """
    chosen: list[str] = []
    seen: set[str] = set()
    for term in terms:
        key = term.strip().lower()
        if not key or key in seen:
            continue
        if count_tokens(join_terms([*chosen, term.strip()])) <= budget:
            chosen.append(term.strip())
            seen.add(key)
    return chosen


def join_terms(terms: Sequence[str]) -> str:
    return SEPARATOR.join(terms)


def near_terms(
    lexicon, heard: Iterable[str], min_score: float = 70.0, per_word: int = 2
) -> list[str]:
    """Lexicon terms that sound or are spelled like the heard words (best first)."""
    scored: dict[str, float] = {}
    for word in heard:
        for match in lexicon.index.search(word, limit=per_word):
            if match.score >= min_score:
                text = match.entry.text
                scored[text] = max(scored.get(text, 0.0), match.score)
    return sorted(scored, key=lambda t: -scored[t])


def leaked(segment: Segment, terms: Sequence[str], threshold: float = 0.6) -> bool:
    """True when a segment is mostly the hotwords themselves (a prompt copied over silence).

    Genuine speech that happens to use two or three of the terms has many other words around
    them; a leak is a run of the listed terms (three or more, or one over and over) and little
    else.
    """
    words = _WORDS.findall(segment.text.lower())
    if len(words) < 2 or not terms:
        return False
    term_words = {w for t in terms for w in _WORDS.findall(t.lower())}
    inside = sum(1 for w in words if w in term_words)
    if inside / len(words) < threshold:
        return False
    counts = [_occurrences(words, _WORDS.findall(t.lower())) for t in terms]
    return sum(1 for c in counts if c) >= 3 or max(counts) >= 2


def copied_or_looped(segment: Segment, terms: Sequence[str]) -> bool:
    """A biased decode to redo without hotwords: it copies them, or repeats itself.

    ``segment.flags`` must come from ``flag_segment`` ("repeated_ngram" includes a
    compression ratio over Whisper's own threshold).
    """
    return leaked(segment, terms) or "repeated_ngram" in segment.flags


def _occurrences(words: Sequence[str], term: Sequence[str]) -> int:
    n = len(term)
    return sum(1 for i in range(len(words) - n + 1) if n and list(words[i : i + n]) == list(term))
