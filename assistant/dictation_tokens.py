"""Tokens of dictated text: words, punctuation marks and breaks, as the formatter sees them.

Whisper text arrives with its own punctuation glued to words ("fibrillation,"). The lexer peels
that punctuation off into separate marks so that spoken commands and numbers can be recognised
on bare words, while word-internal punctuation stays put ("3.5", "120/80", "2:30", "b.i.d.").
It also reads back what the formatter writes (line and paragraph breaks, the section line and
"1." list markers), which is what makes formatting formatted text a no-op.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

WORD = "word"
MARK = "mark"  # punctuation: one of . ? ! : ; , ( )
COMMAND = "command"  # a spoken command, or a break read back from formatted text

SECTION_BREAK = "§"

# Strength of sentence punctuation when two marks meet with no word between them.
MARK_RANK = {",": 1, ";": 2, ":": 3, ".": 4, "?": 4, "!": 4}
SENTENCE_END = frozenset(".?!")
_TRAILING = ".,;:?!)"

# Abbreviations whose dots belong to the word (so "b.i.d." is not a sentence end and the
# period after it is not doubled).
_DOTTED = frozenset(
    {"dr.", "mr.", "mrs.", "ms.", "st.", "vs.", "etc.", "no.", "approx.", "e.g.", "i.e."}
)
_LETTER_DOTS = re.compile(r"^(?:[A-Za-z]\.){2,}$")  # b.i.d., p.r.n., a.m., U.S.
_CHUNK = re.compile(r"\n[ \t]*\n\s*|\n\s*|\S+")
_LIST_MARKER = re.compile(r"^(\d{1,3})\.$")


@dataclass(frozen=True)
class Token:
    """One unit of dictation.

    ``kind`` is WORD, MARK or COMMAND. For a MARK, ``text`` is the character and ``spoken``
    says whether it was dictated ("comma") rather than written by Whisper. For a COMMAND,
    ``text`` names it (newline, paragraph, section, heading, list_item, scratch) and ``arg``
    carries the heading title or the list number ("" for "next number").
    """

    kind: str
    text: str
    spoken: bool = False
    arg: str = ""

    @cached_property
    def key(self) -> str:
        """The word lowercased, for matching: "Milligrams" -> "milligrams"."""
        return self.text.lower() if self.kind == WORD else ""


def word(text: str) -> Token:
    return Token(WORD, text)


def mark(char: str, spoken: bool = False) -> Token:
    return Token(MARK, char, spoken)


def command(name: str, arg: str = "") -> Token:
    return Token(COMMAND, name, True, arg)


def lex(text: str) -> list[Token]:
    """Split raw or formatted text into tokens; never raises, never drops a character of a word."""
    tokens: list[Token] = []
    at_line_start = True
    for match in _CHUNK.finditer(text):
        chunk = match.group()
        if chunk.startswith("\n"):
            tokens.append(command("paragraph" if chunk.count("\n") > 1 else "newline"))
            at_line_start = True
            continue
        if chunk == SECTION_BREAK:
            tokens.append(command("section"))
        elif at_line_start and (m := _LIST_MARKER.match(chunk)):
            tokens.append(command("list_item", m.group(1)))
        else:
            tokens.extend(_lex_chunk(chunk))
        at_line_start = False
    return tokens


def _lex_chunk(chunk: str) -> list[Token]:
    lead: list[Token] = []
    while chunk.startswith("("):
        lead.append(mark("("))
        chunk = chunk[1:]
    trail: list[Token] = []
    while chunk and chunk[-1] in _TRAILING and not _keeps_dot(chunk):
        trail.append(mark(chunk[-1]))
        chunk = chunk[:-1]
    body = [word(chunk)] if chunk else []
    return lead + body + trail[::-1]


def _keeps_dot(chunk: str) -> bool:
    """True when the final '.' is part of an abbreviation rather than punctuation."""
    return chunk.endswith(".") and (chunk.lower() in _DOTTED or bool(_LETTER_DOTS.match(chunk)))
