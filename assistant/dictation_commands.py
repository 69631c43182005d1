"""Spoken commands: which dictated words are punctuation, breaks, headings, list items or edits.

A few command words are also ordinary words of medicine: "colon" is an organ and "period" a
span of time ("sigmoid colon", "the postoperative period"). They are punctuation only when the
word before them does not make them a noun (a determiner, "sigmoid", "postoperative"...) and a
pause follows: Whisper's punctuation, the end of the text, another command or a capitalised
word (Whisper capitalises a new sentence even without a full stop). "colon" is also ":" after
a short label opening a sentence ("Exam colon abdomen soft"). "<heading> colon" (or Whisper's
"Heading:") at a sentence start is a heading command when the heading is one of ``headings``;
"Assessment colon cancer" keeps the organ ("Assessment: Colon cancer"). "colon"/"period" with
nothing before them to punctuate stay words. Multi-word commands starting with an adjective
("new line", "next section") are prose after a determiner or before "of" ("a new line of
therapy"). "scratch that" is applied here, so later steps see the text as finally dictated.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from assistant.dictation_tokens import (
    COMMAND,
    MARK,
    MARK_RANK,
    SENTENCE_END,
    WORD,
    Token,
    command,
    mark,
    word,
)

# Word sequences (lowercased) -> command name. A name of one character is a mark.
PHRASES: dict[tuple[str, ...], str] = {
    ("comma",): ",",
    ("semicolon",): ";",
    ("semi", "colon"): ";",
    ("full", "stop"): ".",
    ("question", "mark"): "?",
    ("exclamation", "point"): "!",
    ("exclamation", "mark"): "!",
    ("open", "parenthesis"): "(",
    ("open", "paren"): "(",
    ("open", "parentheses"): "(",
    ("left", "parenthesis"): "(",
    ("close", "parenthesis"): ")",
    ("close", "paren"): ")",
    ("close", "parentheses"): ")",
    ("right", "parenthesis"): ")",
    ("end", "parenthesis"): ")",
    ("new", "line"): "newline",
    ("newline",): "newline",
    ("next", "line"): "newline",
    ("new", "paragraph"): "paragraph",
    ("next", "paragraph"): "paragraph",
    ("next", "section"): "section",
    ("scratch", "that"): "scratch",
    ("next", "number"): "list_item",
    ("next", "item"): "list_item",
}
_PHRASE_MAX = max(len(k) for k in PHRASES)
COMMAND_WORDS = frozenset({k[0] for k in PHRASES} | {"period", "colon", "number"})
DETERMINERS = frozenset(
    "a an the this that another his her their our its any each every my your no".split()
)
# Words before "colon" that make it the organ ("sigmoid colon.", "the colon.").
_ORGAN_BEFORE = DETERMINERS | frozenset(
    "sigmoid ascending descending transverse right left proximal distal redundant entire whole "
    "spastic of and or to in into through normal remaining residual small large from within "
    "throughout at on across along involving including affecting nor".split()
)
# Words straight after "<heading> colon" that show "colon" was the organ ("Assessment colon
# cancer" is "Assessment: Colon cancer", not "Assessment: Cancer").
_ORGAN_AFTER = frozenset(
    "cancer carcinoma polyp polyps mass masses wall resection biopsy adenocarcinoma lesion "
    "lesions tumor diverticulosis perforation".split()
)
# Words before "period" that make it a span of time ("the postoperative period.").
_PERIOD_NOUN_BEFORE = DETERMINERS | frozenset(
    "postoperative perioperative postpartum post-op postop perinatal refractory incubation "
    "menstrual washout latent neonatal prodromal recovery waiting grace observation trial "
    "window".split()
)  # not "test", "study", "time": "...stress test period." ends a sentence far more often
_SKIPPED = frozenset({"period", "comma", "semicolon"})  # "Assessment, period, colon" is a heading
_NORM = re.compile(r"[^a-z0-9]")
_HEADING_MAX_TOKENS = 8
_LABEL_MAX = 4


def split_commands(tokens: Sequence[Token], headings: Collection[str] = ()) -> list[Token]:
    """Replace the spoken commands among ``tokens`` by MARK and COMMAND tokens."""
    wanted = _heading_table(headings)
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        found = None
        if t.kind == WORD and (t.key in COMMAND_WORDS or _norm(t.text) in wanted):
            found = _heading(tokens, i, out, wanted) or _command_at(tokens, i, out)
        new, i = found if found else ([t], i + 1)
        for n in new:
            _append(out, n, wanted)
    return out


def _heading_table(headings: Collection[str]) -> dict[str, str]:
    """Normalised heading -> heading as given; every proper prefix -> "" (to stop early)."""
    table: dict[str, str] = {}
    for h in headings:
        key = _norm(h)
        for n in range(1, len(key)):
            table.setdefault(key[:n], "")
        if key:
            table[key] = h.strip()
    return table


def _append(out: list[Token], t: Token, wanted: dict[str, str]) -> None:
    """Add ``t``, applying "scratch that" and dropping Whisper's marks around a command."""
    if t.kind == MARK and t.text == ":" and t.spoken and (heading := _heading_before(out, wanted)):
        out.append(heading)  # "Assessment, period, colon": the colon still makes a heading
    elif t.kind == COMMAND and t.text == "scratch":
        while out and (out[-1].kind == MARK and out[-1].text != "(" or out[-1] == t):
            out.pop()  # trailing marks, and an earlier "scratch that" (so two reach further)
        while out and out[-1].kind == WORD:
            out.pop()
    elif t.kind == MARK and not t.spoken and t.text in MARK_RANK and out:
        last = out[-1]
        if last.kind == COMMAND or (last.kind == MARK and last.spoken and last.text != ")"):
            return  # Whisper's pause punctuation around a spoken command
    out.append(t)


def _norm(text: str) -> str:
    return _NORM.sub("", text.lower())


def at_boundary(out: Sequence[Token], clause: bool = True) -> bool:
    """True when the next word starts a sentence or a line (or, with ``clause``, a clause)."""
    ends = SENTENCE_END | {":", ","} if clause else SENTENCE_END
    for t in reversed(out):
        if t.kind == WORD:
            return False
        if t.kind == COMMAND and t.text != "scratch" or t.text in ends:
            return True
    return True  # only parentheses or semicolons before: the text starts here


def _heading(
    tokens: Sequence[Token], i: int, out: Sequence[Token], wanted: dict[str, str]
) -> tuple[list[Token], int] | None:
    """'Assessment colon' or 'Assessment:' at a sentence start -> a heading command."""
    if not wanted or not at_boundary(out, clause=False):
        return None
    text = ""
    for j in range(i, min(len(tokens), i + _HEADING_MAX_TOKENS)):
        if tokens[j].kind != WORD:
            return None
        text += _norm(tokens[j].text)
        if text not in wanted:
            return None
        if not wanted[text]:
            continue
        k = j + 1
        while k < len(tokens) and (
            tokens[k].kind == MARK and tokens[k].text in ",.;" or tokens[k].key in _SKIPPED
        ):
            k += 1  # Whisper's pause: "Assessment, colon." / "Assessment. Colon."
        nxt = tokens[k] if k < len(tokens) else None
        heading = command("heading", wanted[text])
        if nxt and nxt.kind == MARK and nxt.text == ":":
            return [heading], k + 1
        if nxt and nxt.key == "colon":
            after = tokens[k + 1] if k + 1 < len(tokens) else None
            if after and after.key in _ORGAN_AFTER:
                return [heading], k  # "colon" stays: it is the organ
            return [heading], k + 1
    return None


def _heading_before(out: list[Token], wanted: dict[str, str]) -> Token | None:
    """Pop and return the heading that a dictated colon ends, if the words before are one."""
    end = len(out)
    while end and out[end - 1].kind == MARK and out[end - 1].text in MARK_RANK:
        end -= 1
    start = end
    while start and out[start - 1].kind == WORD and end - start < _HEADING_MAX_TOKENS:
        start -= 1
    if start == end or not at_boundary(out[:start], clause=False):
        return None
    title = wanted.get("".join(_norm(t.text) for t in out[start:end]))
    if not title:
        return None
    del out[start:]
    return command("heading", title)


def _command_at(
    tokens: Sequence[Token], i: int, out: Sequence[Token]
) -> tuple[list[Token], int] | None:
    keys = [t.key for t in tokens[i : i + _PHRASE_MAX + 1]]
    prev = out[-1].key if out and out[-1].kind == WORD else ""
    if keys[0] in ("colon", "period") and _nothing_to_punctuate(out):
        return None  # the word itself ("Colon: normal.")
    if keys[0] == "colon" and out[-1].text == ":":
        return None  # "Site: colon."
    if keys[0] == "colon":
        return _colon(tokens, i, out, prev)
    if keys[0] == "period":
        ok = prev not in _PERIOD_NOUN_BEFORE and _pause_after(tokens, i + 1)
        return ([mark(".", spoken=True)], i + 1) if ok else None
    if keys[0] == "number" and (item := _list_number(tokens, i, out, prev)):
        return item
    for n in range(_PHRASE_MAX, 0, -1):
        name = PHRASES.get(tuple(keys[:n]))
        if name and len(keys) >= n and not _is_prose(keys, n, prev):
            return [mark(name, spoken=True) if len(name) == 1 else command(name)], i + n
    return None


def _nothing_to_punctuate(out: Sequence[Token]) -> bool:
    """At the start of the text, a line or a parenthesis (a scratched phrase does not count)."""
    last = next((t for t in reversed(out) if t.text != "scratch"), None)
    return last is None or last.kind == COMMAND or last.text == "("


def _is_prose(keys: Sequence[str], n: int, prev: str) -> bool:
    """'a new line of therapy', 'the next section' are words, not commands."""
    if keys[0] not in ("new", "next", "open", "close", "end", "full", "left", "right"):
        return False
    return prev in DETERMINERS or (len(keys) > n and keys[n] == "of")


def _pause_after(tokens: Sequence[Token], j: int) -> bool:
    """A mark, a break, the end of the text, another command or a capitalised word follows.

    Whisper capitalises a new sentence even when it writes no full stop ("period He denies").
    """
    if j >= len(tokens) or tokens[j].kind != WORD:
        return True
    text = tokens[j].text
    if text[:1].isupper() and not (len(text) > 1 and text.isupper()):  # "PO", "IV" are no sign
        return True
    keys = tuple(t.key for t in tokens[j : j + _PHRASE_MAX])
    if keys[0] in ("period", "colon", "number"):
        return True
    return any(keys[:n] in PHRASES for n in range(1, _PHRASE_MAX + 1))


def _colon(
    tokens: Sequence[Token], i: int, out: Sequence[Token], prev: str
) -> tuple[list[Token], int] | None:
    if prev in _ORGAN_BEFORE:
        return None
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    if nxt is not None and nxt.key == "colon":  # "site colon colon" = "site: colon"
        return [mark(":", spoken=True), word(nxt.text)], i + 2
    if _pause_after(tokens, i + 1) or _after_label(out):
        return [mark(":", spoken=True)], i + 1
    return None


def _after_label(out: Sequence[Token]) -> bool:
    """One to four words open the sentence: "Exam colon pressure 158/94" labels, like a heading."""
    start = len(out)
    while start and out[start - 1].kind == WORD and len(out) - start <= _LABEL_MAX:
        start -= 1
    if not 0 < len(out) - start <= _LABEL_MAX or out[start].key in DETERMINERS:
        return False  # "The plan colon was discussed" is no label
    return at_boundary(out[:start], clause=False)


def _list_number(
    tokens: Sequence[Token], i: int, out: Sequence[Token], prev: str
) -> tuple[list[Token], int] | None:
    """'number one' / 'number 2' at a sentence or clause start -> list item 1 / 2."""
    if i + 1 >= len(tokens) or prev in DETERMINERS or not at_boundary(out):
        return None
    nxt = tokens[i + 1].key
    value = _SMALL.get(nxt) or (int(nxt) if nxt.isdigit() and 0 < int(nxt) < 100 else None)
    return ([command("list_item", str(value))], i + 2) if value else None


_SMALL = {
    w: n
    for n, w in enumerate(
        "one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split(),
        1,
    )
}
