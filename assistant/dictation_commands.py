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

Whisper's tiny models mishear command words ("colon" -> "Colin", "coal and"; "period" -> "pier
it"; "next section" -> "next session"). A word that sounds like a command (double-checked by
spelling and by metaphone code, see :func:`sounds_like`) is taken for one only where a command
is plausible: a colon after a heading word at a sentence start, a full stop before a pause, a
comma between Whisper's own pause marks, a break or "scratch that" between pauses. Anywhere
else it stays as heard, so "diabetic coma", "colon cancer" and "call on the team" survive.
A spoken colon after words that sound like a heading ("Object of colon") names that heading.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

import jellyfish
from rapidfuzz import fuzz, process

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
        if found is None and t.kind == WORD:
            found = _misheard(tokens, i, out, wanted)
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
    said = "".join(_norm(t.text) for t in out[start:end])
    title = wanted.get(said) or _heading_like(said, wanted)
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
    organ = nxt is not None and nxt.key in _ORGAN_AFTER  # "Patient colon cancer" is prose
    if _pause_after(tokens, i + 1) or _after_label(out) and not organ:
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


# --- Misheard commands ----------------------------------------------------------------------

# Normalised command -> what it becomes. Multi-word ones only ever start with these words.
_MISHEARD_MARKS = {"period": ".", "comma": ",", "colon": ":"}
# How close (metaphone codes, spelling) must be: "period" closer, or "percent" (PRSNT/PRT: 75)
# "PO to" (spelling 40) and "pier" (60) would do; "karma" (40) is a comma.
_MARK_MIN = {"period": (80, 65), "comma": (75, 40), "colon": (75, 55)}
_MISHEARD_PHRASES = {
    "newparagraph": "paragraph",
    "nextsection": "section",
    "scratchthat": "scratch",
}
# How many words each may be heard as: "new pair graph", but "scratched the a" is no command.
_PHRASE_WORDS = {"paragraph": (2, 3), "section": (2,), "scratch": (2,)}
_PHRASE_STARTS = frozenset({"new", "next", "scratch", "scratched", "scratches"})
# Real words of medicine that sound like a command: a command only between Whisper's pauses.
_LOOKALIKE_WORDS = frozenset({"coma", "call", "coal", "calm", "colin"})
_EXACT = frozenset({"period", "comma", "colon", "semicolon"})
_EXACT_1 = COMMAND_WORDS - _PHRASE_STARTS  # "next" may start "next session", not "number"
_MISHEARD_MAX = 3
_SOUND_MIN = 75  # metaphone codes: "KLNT" (coal and) vs "KLN" (colon) is 86
_SPELLING_MIN = 40  # spelling: "karma" vs "comma" is 40, "kim" vs "comma" 25
_HEADING_SOUND_MIN = 85  # a heading must sound and look much closer ("subject of": 100 and 74)
_HEADING_SPELLING_MIN = 70
_HEADING_SPELLING_NEAR = 85


def sounds_like(
    said: str,
    target: str,
    sound: int = _SOUND_MIN,
    spelling: int = _SPELLING_MIN,
    onset: bool = True,
) -> bool:
    """True when normalised ``said`` is close to ``target`` both by metaphone and by spelling."""
    if not said.isalpha() or len(said) < 4 or abs(len(said) - len(target)) > 3:
        return False  # "3rd" and "cm" are no commands, nor is "period cough"
    said_code, target_code = jellyfish.metaphone(said), jellyfish.metaphone(target)
    if onset and said_code[:1] != target_code[:1]:
        return False  # Whisper keeps the onset: "read" (RT) is no "period" (PRT)
    return fuzz.ratio(said_code, target_code) >= sound and fuzz.ratio(said, target) >= spelling


def _heading_like(said: str, wanted: dict[str, str]) -> str | None:
    """The heading ``said`` sounds like ("objectof" -> "Objective"), for a dictated colon."""
    titles = {k: v for k, v in wanted.items() if v and len(k) >= 4}
    if len(said) < 4 or not titles:
        return None
    for key, _score, _index in process.extract(said, list(titles), scorer=fuzz.ratio, limit=5):
        # Whisper mostly keeps a word's onset ("subject of"), so "the plan colon" names no
        # heading; a near-identical spelling may differ there ("this charge medications").
        same = key[0] == said[0]
        spelling = _HEADING_SPELLING_MIN if same else _HEADING_SPELLING_NEAR
        if sounds_like(said, key, _HEADING_SOUND_MIN, spelling, onset=same):
            return titles[key]
    return None


def _misheard(
    tokens: Sequence[Token], i: int, out: list[Token], wanted: dict[str, str]
) -> tuple[list[Token], int] | None:
    """A misheard command at ``tokens[i]``, where the context makes a command plausible."""
    best: tuple[float, tuple[list[Token], int]] | None = None
    for n in range(min(_MISHEARD_MAX, len(tokens) - i), 0, -1):
        window = tokens[i : i + n]
        if n == 1 and window[0].key == "colon" and wanted and _heading_before(list(out), wanted):
            return [mark(":", spoken=True)], i + 1  # "subject of colon": a misheard heading
        if any(t.kind != WORD or t.key in _EXACT for t in window) or window[0].key in _EXACT_1:
            continue  # the words themselves were tried as commands already
        if window[0].key in DETERMINERS or any(not t.text.islower() for t in window[1:]):
            continue  # "she had a period.", "pier I": a misheard command is one lowercase run
        said = "".join(_norm(t.text) for t in window)
        if n > 1 and window[0].key in _PHRASE_STARTS:
            if found := _misheard_phrase(tokens, i, n, said, out):
                return found
        elif (scored := _misheard_mark(tokens, i, n, said, out, wanted)) and (
            best is None or scored[0] > best[0]
        ):
            best = scored  # the closest window: "coal and" over "coal", "Colin" over "Colin the"
    return best[1] if best else None


def _misheard_phrase(
    tokens: Sequence[Token], i: int, n: int, said: str, out: Sequence[Token]
) -> tuple[list[Token], int] | None:
    """'new paragraphs', 'next session', 'scratched that' between two pauses."""
    prev = out[-1].key if out and out[-1].kind == WORD else ""
    keys = [t.key for t in tokens[i : i + n + 1]]
    if _is_prose(keys, n, prev) or not at_boundary(out) or not _pause_after(tokens, i + n):
        return None
    if any(k in _PHRASE_STARTS for k in keys[1:n]):
        return None  # "new new paragraph": the second "new" starts the command
    for target, name in _MISHEARD_PHRASES.items():
        if n in _PHRASE_WORDS[name] and sounds_like(said, target, spelling=80):
            return [command(name)], i + n
    return None


def _misheard_mark(
    tokens: Sequence[Token], i: int, n: int, said: str, out: list[Token], wanted: dict[str, str]
) -> tuple[float, tuple[list[Token], int]] | None:
    """How close ``said`` sounds to the mark it may stand for, and that mark, where it fits."""
    for target, char in _MISHEARD_MARKS.items():
        if n > (1 if char == "," else 2) or not sounds_like(said, target, *_MARK_MIN[target]):
            continue
        if said.startswith(target) and said != target:
            continue  # "heavy periods.", "colonic": the word itself, inflected
        score = _closeness(said, target)
        if char == ":" and wanted and _heading_before(list(out), wanted):
            return score, ([mark(":", spoken=True)], i + n)  # _append makes it the heading
        if char == "." and _misheard_period_fits(tokens, i, n, out):
            return score, ([mark(".", spoken=True)], i + n)
        if char == "," and _misheard_comma_fits(tokens, i, n, said, out):
            return score, ([mark(",", spoken=True)], i + n)
    return None


def _closeness(said: str, target: str) -> float:
    codes = fuzz.ratio(jellyfish.metaphone(said), jellyfish.metaphone(target))
    return codes + fuzz.ratio(said, target)


def _misheard_period_fits(tokens: Sequence[Token], i: int, n: int, out: Sequence[Token]) -> bool:
    """'pier it' / 'a period' ending a sentence: a word before, a pause after."""
    words = [t for t in out if t.kind == WORD]
    if not out or out[-1].kind == COMMAND or not words or not _pause_after(tokens, i + n):
        return False
    last = out[-1]  # a word, or Whisper's comma after one ("an hour, peri-od.")
    pause = last.kind == MARK and not last.spoken and last.text == "," and out[-2:-1] == words[-1:]
    return words[-1].key not in _PERIOD_NOUN_BEFORE and (last.kind == WORD or pause)


def _misheard_comma_fits(
    tokens: Sequence[Token], i: int, n: int, said: str, out: Sequence[Token]
) -> bool:
    """'aura, coma, weakness': a comma-like word between pauses, with words around it."""
    nxt = tokens[i + n] if i + n < len(tokens) else None
    if not out or nxt is None:
        return False
    before = out[-1].kind == MARK and not out[-1].spoken and out[-1].text in ",."
    after = nxt.kind == MARK and nxt.text in ",."
    same = jellyfish.metaphone(said) == jellyfish.metaphone("comma")
    if same and said not in _LOOKALIKE_WORDS:  # "negative times 2 kama, no evidence"
        return before and nxt.kind == WORD or after and out[-1].kind == WORD
    # "aura, coma, weakness", "dyspnea, calm, sweats", never "the common bile duct",
    # "who comes in" or "a coma. Coma resolved": Whisper's pauses on both sides, one a comma.
    following = tokens[i + n + 1] if i + n + 1 < len(tokens) else None
    commas = "," in (out[-1].text, nxt.text)
    return before and after and commas and following is not None and following.kind == WORD
