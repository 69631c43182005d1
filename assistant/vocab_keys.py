"""The keys words are compared by: plain letters, a Metaphone code, and their blend.

Shared by single-term correction (``vocab_match``) and phrase-anchored correction
(``vocab_phrase``), so both judge "sounds and is spelled like" the same way.
"""

from __future__ import annotations

import re

import jellyfish
from rapidfuzz import fuzz

from assistant.models import Word

_EDGE_PUNCT = re.compile(r"^(\W*)(.*?)(\W*)$", re.S)


def letters_of(text: str) -> str:
    """Lower-case letters only: "B-type" -> "btype"."""
    return re.sub(r"[^a-z]", "", text.lower())


def sound_of(text: str) -> str:
    """Metaphone code of the letters (jellyfish)."""
    letters = letters_of(text)
    return jellyfish.metaphone(letters) if letters else ""


def similarity(heard: str, term: str) -> float:
    """0-100: the mean of spelling and sound similarity (rapidfuzz ratio on each key)."""
    a, b = letters_of(heard), letters_of(term)
    if not a or not b:
        return 0.0
    return 0.5 * fuzz.ratio(a, b) + 0.5 * fuzz.ratio(sound_of(a), sound_of(b))


def core_of(word: Word) -> str:
    """The word without the punctuation Whisper attaches ("colon," -> "colon")."""
    return _EDGE_PUNCT.match(word.text.strip()).group(2)


def edges_of(text: str) -> tuple[str, str, str]:
    """(leading punctuation, core, trailing punctuation)."""
    m = _EDGE_PUNCT.match(text)
    return m.group(1), m.group(2), m.group(3)
