"""Dictated text -> the text as a clinician writes it: spoken commands, numbers, capitals.

``format_dictation`` takes raw Whisper text ("Assessment colon. Atrial fibrillation, period.")
and returns the written note ("Assessment: Atrial fibrillation."). It is pure, never raises on
any text, and formatting its own output changes nothing, so live dictation can simply format
the whole confirmed raw text again after each phrase (2,000 words take a few milliseconds; see
benchmarks/bench_dictation.py); ``format_incremental`` does exactly that.

Spoken commands (see :mod:`assistant.dictation_commands` for when "colon" and "period" are words):

- "period", "comma", "colon", "semicolon", "question mark", "exclamation point": the mark.
  A dictated mark replaces the punctuation Whisper put around it ("fibrillation, period." ->
  "fibrillation."), so marks never double up.
- "new line" -> "\\n"; "new paragraph" -> "\\n\\n"; "next section" -> a paragraph break, a line
  holding only SECTION_BREAK, and a paragraph break.
- "open/close parenthesis" -> "(" / ")".
- "<heading> colon" at a sentence start, for a heading in ``headings`` -> a new paragraph
  starting "<Heading as given>: ".
- "number one" (any number up to twenty, at a sentence or clause start) starts list item 1 on a
  new line; "next number" / "next item" continues the list ("2. ..."). A heading, paragraph or
  section restarts the count.
- "scratch that" deletes the last phrase: the words since the previous punctuation mark (from
  Whisper or dictated), command or break, together with the punctuation that ended them.
  It never deletes a heading, a break or a list marker, so "scratch that" right after one
  deletes nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any

from assistant.dictation_commands import COMMAND_WORDS, split_commands
from assistant.dictation_numbers import UNITS, convert_quantities
from assistant.dictation_tokens import (
    COMMAND,
    MARK,
    MARK_RANK,
    SECTION_BREAK,
    SENTENCE_END,
    WORD,
    Token,
    lex,
    word,
)

__all__ = [
    "SECTION_BREAK",
    "Token",
    "format_dictation",
    "format_incremental",
    "join_raw",
    "tokenize",
]

ABBREVIATION_STYLES = ("clinical", "plain")
_BREAK_RANK = {"newline": 1, "paragraph": 2, "section": 3}
_WEAK = frozenset(",;")
# Written forms that keep their lower case even at a sentence start.
_KEEP_CASE = frozenset(set(UNITS.values()) | {"b.i.d.", "t.i.d.", "q.i.d.", "p.r.n.", "subcut"})

# Frequencies and routes. The Joint Commission "Do Not Use" list bans "q.d."/"q.o.d." in every
# style; ISMP's error-prone list bans "SC"/"SQ" (we write "subcut").
_ALWAYS: dict[tuple[str, ...], str] = {
    ("q.d.",): "daily",
    ("qd",): "daily",
    ("q.o.d.",): "every other day",
    ("qod",): "every other day",
}
_CLINICAL: dict[tuple[str, ...], str] = {
    ("by", "mouth"): "PO",
    ("orally",): "PO",
    ("intravenously",): "IV",
    ("intravenous",): "IV",
    ("intramuscularly",): "IM",
    ("intramuscular",): "IM",
    ("subcutaneously",): "subcut",
    ("subcutaneous",): "subcut",
    ("sublingually",): "SL",
    ("as", "needed"): "p.r.n.",
    ("once", "daily"): "daily",
    ("once", "a", "day"): "daily",
}
for _n, _abbr in (("2", "b.i.d."), ("3", "t.i.d."), ("4", "q.i.d.")):
    for _tail in (("daily",), ("a", "day"), ("per", "day")):
        _CLINICAL[(_n, "times", *_tail)] = _abbr
        if _n == "2":
            _CLINICAL[("twice", *_tail)] = _abbr


def tokenize(
    text: str,
    *,
    headings: Collection[str] = (),
    brand_names: Collection[str] = (),
    abbreviations: str = "clinical",
    date_style: str = "long",
) -> list[Token]:
    """Raw text -> tokens with commands recognised and quantities rewritten (not yet laid out)."""
    # Brand names first: command recognition reads a capitalised word as a new sentence.
    brands = {
        tuple(b.lower().split()): b
        for b in brand_names
        if b.strip() and b.split()[0].lower() not in COMMAND_WORDS
    }
    tokens = split_commands(_replace_phrases(lex(text), brands), headings)
    tokens = convert_quantities(tokens, date_style=date_style)
    table = _ALWAYS | (_CLINICAL if abbreviations == "clinical" else {})
    return _replace_phrases(tokens, table)


def format_dictation(
    text: str,
    *,
    headings: Collection[str] = (),
    brand_names: Collection[str] = (),
    abbreviations: str = "clinical",
    date_style: str = "long",
) -> str:
    """Format raw dictated text as written clinical text.

    ``headings`` are the section headings a dictated "<heading> colon" may name (written as
    given); ``brand_names`` are capitalised as given ("lasix" -> "Lasix"); ``abbreviations`` is
    "clinical" (b.i.d., PO, IV, subcut, p.r.n.) or "plain" (words kept; units are always
    abbreviated); ``date_style`` is "long" ("March 3, 2026") or "iso" ("2026-03-03").
    """
    tokens = tokenize(
        text,
        headings=headings,
        brand_names=brand_names,
        abbreviations=abbreviations,
        date_style=date_style,
    )
    protected = {b for b in brand_names}
    return render(assemble(tokens, protected))


def format_incremental(confirmed_raw: str, new_raw: str, **options: Any) -> str:
    """The formatted text of ``confirmed_raw`` followed by ``new_raw`` (raw Whisper text both).

    For live dictation: keep the raw confirmed text (``join_raw``), and after each confirmed
    phrase show ``format_incremental(raw_so_far, phrase)``. Formatting everything again is what
    lets "scratch that" reach back into the previous phrase and a dictated "period" replace
    Whisper's comma before it; it takes milliseconds even for a long dictation. ``options`` are
    those of :func:`format_dictation`.
    """
    return format_dictation(join_raw(confirmed_raw, new_raw), **options)


def join_raw(confirmed_raw: str, new_raw: str) -> str:
    """Raw text so far plus one more raw phrase, separated by one space."""
    return f"{confirmed_raw.rstrip()} {new_raw.strip()}".strip()


def _replace_phrases(tokens: Sequence[Token], table: dict[tuple[str, ...], str]) -> list[Token]:
    if not table:
        return list(tokens)
    longest = max(len(k) for k in table)
    firsts = {k[0] for k in table}
    keys = [t.key for t in tokens]
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        if keys[i] in firsts:
            for n in range(min(longest, len(tokens) - i), 0, -1):
                if (found := table.get(tuple(keys[i : i + n]))) is not None:
                    out.append(word(found))
                    i += n
                    break
            else:
                out.append(tokens[i])
                i += 1
        else:
            out.append(tokens[i])
            i += 1
    return out


class _Layout:
    """Lays tokens out in order, merging punctuation and breaks as they meet."""

    def __init__(self, protected: Collection[str]) -> None:
        self.items: list[Token] = []
        self.list_count = 0
        self.after_command = False  # Whisper's marks around a spoken command are dropped
        self.lower_next = False  # a dictated comma replaced Whisper's full stop
        self.protected = protected

    def add(self, t: Token) -> None:
        if t.kind == WORD:
            self._word(t)
        elif t.kind == MARK:
            self._mark(t)
        elif t.text == "scratch":
            self._scratch()
        else:
            self._break(t)

    def _last(self) -> Token | None:
        return self.items[-1] if self.items else None

    def _word(self, t: Token) -> None:
        text = t.text
        if self._sentence_start():
            if text[:1].islower() and text not in _KEEP_CASE:
                text = text[0].upper() + text[1:]
        elif (
            self.lower_next
            and text not in self.protected
            and text[1:].isalpha()
            and text[1:].islower()
        ):
            text = text[0].lower() + text[1:]
        self.items.append(word(text))
        self.after_command = self.lower_next = False

    def _sentence_start(self) -> bool:
        last = self._last()
        if last is None or last.kind == COMMAND:
            return True
        return last.kind == MARK and last.text in SENTENCE_END

    def _mark(self, t: Token) -> None:
        last = self._last()
        if t.text == "(":
            if t.spoken:  # Whisper's comma before a dictated "open parenthesis"
                self._drop_trailing(lambda m: not m.spoken and m.text in _WEAK)
            self.items.append(t)
        elif t.text == ")":  # "(as needed)" never "(as needed,)" or "(as needed.)"
            self._drop_trailing(lambda m: m.text in MARK_RANK)
            if self.items and self.items[-1].kind != COMMAND:
                self.items.append(t)
                self.after_command = False  # "(as needed)." keeps the full stop after it
        elif last is None or last.kind == COMMAND or (last.kind == MARK and last.text == "("):
            pass  # no punctuation at the start of a line
        elif not t.spoken and (self.after_command or self._trailing_spoken_mark()):
            pass
        elif last.kind == MARK and last.text in MARK_RANK:
            self._merge(last, t)
        else:
            self.items.append(t)
        if t.spoken and t.text != ")":
            self.after_command = True

    def _trailing_spoken_mark(self) -> bool:
        last = self._last()
        return last is not None and last.kind == MARK and last.spoken and last.text in MARK_RANK

    def _merge(self, last: Token, t: Token) -> None:
        """Two marks meet: a dictated one wins; otherwise the stronger one stays."""
        if t.spoken or MARK_RANK[t.text] > MARK_RANK[last.text]:
            if last.text in SENTENCE_END and t.text not in SENTENCE_END:
                self.lower_next = True
            self.items[-1] = t

    def _drop_trailing(self, which) -> None:  # type: ignore[no-untyped-def]
        while self.items and self.items[-1].kind == MARK and which(self.items[-1]):
            self.items.pop()

    def _break(self, t: Token) -> None:
        self._drop_trailing(lambda m: m.text in _WEAK)  # no line ends in a comma
        last = self._last()
        if t.text in _BREAK_RANK:
            if last is None and t.text != "section":
                pass
            elif last is not None and last.text in _BREAK_RANK and last.kind == COMMAND:
                if _BREAK_RANK[t.text] > _BREAK_RANK[last.text]:
                    self.items[-1] = t
            else:
                self.items.append(t)
            if t.text != "newline":
                self.list_count = 0
        elif t.text == "heading":
            self.list_count = 0
            self.items.append(t)
        elif t.text == "list_item":
            self.list_count = int(t.arg) if t.arg else self.list_count + 1
            self.items.append(Token(COMMAND, "list_item", True, str(self.list_count)))
        self.after_command = True
        self.lower_next = False

    def _scratch(self) -> None:
        # The phrase itself was removed by split_commands; marks after "scratch that" go too.
        self.after_command = True


def assemble(tokens: Iterable[Token], protected: Collection[str] = ()) -> list[Token]:
    """Apply marks, breaks, lists and "scratch that" in order; capitalise sentence starts."""
    layout = _Layout(protected)
    for t in tokens:
        layout.add(t)
    return layout.items


def render(items: Iterable[Token]) -> str:
    out: list[str] = []
    for t in items:
        if t.kind == WORD:
            _space(out)
            out.append(t.text)
        elif t.kind == MARK:
            if t.text == "(":
                _space(out)
                out.append("(")
            elif not (t.text == "." and out and out[-1].endswith(".")):
                out.append(t.text)
        elif t.text == "section":
            _ensure_newlines(out, 2)
            out.append(f"{SECTION_BREAK}\n\n")
        elif t.text in _BREAK_RANK:
            _ensure_newlines(out, _BREAK_RANK[t.text])
        elif t.text == "heading":
            _ensure_newlines(out, 2)
            out.append(f"{t.arg}:")
        elif t.text == "list_item":
            _ensure_newlines(out, 1)
            out.append(f"{t.arg}.")
    return "".join(out).rstrip(" ")


def _space(out: list[str]) -> None:
    if out and not out[-1].endswith(("\n", "(")):
        out.append(" ")


def _ensure_newlines(out: list[str], n: int) -> None:
    """End ``out`` with at least ``n`` newlines (pieces with newlines are only ever ours)."""
    if not out:
        return
    have = len(out[-1]) - len(out[-1].rstrip("\n"))
    out.append("\n" * max(0, n - have))
