"""ConText/NegEx-style assertion rules: is a finding negated, uncertain, historical, in a family
member, or hypothetical?

No maintained ConText/NegEx library on PyPI works without spaCy (medspacy, negspacy and
pyConTextNLP need it or are unmaintained), so this is a small rule set after Chapman et al.'s
NegEx/ConText trigger lists: a trigger opens a scope that runs forward (or backward) to a
terminating word or punctuation, and a finding inside the scope takes the trigger's status.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PRESENT = "present"
NEGATED = "negated"
UNCERTAIN = "uncertain"
HISTORY = "history"
FAMILY = "family"
HYPOTHETICAL = "hypothetical"

# Which status wins when several scopes cover a finding ("family history of X" is family).
_PRIORITY = (NEGATED, FAMILY, HYPOTHETICAL, UNCERTAIN, HISTORY)
_MAX_WORDS = 14  # NegEx uses 5; clinical lists ("denies fever, chills, or cough") run longer

# Phrases that look like triggers but are not (NegEx "pseudo-triggers").
_PSEUDO = re.compile(
    r"\b(no (?:increase|change|significant change|interval change|further)|not (?:only|necessarily)"
    r"|gram[- ]negative|without (?:difficulty|incident|complaint)|history of present illness"
    r"|not certain (?:if|whether)|not (?:been )?(?:excluded|ruled out)|no longer (?:has|have)?"
    r"|negative (?:pressure|for change))\b"
)

_FORWARD: tuple[tuple[str, str], ...] = (
    (
        NEGATED,
        r"no|not|denie[sd]|deny(?:ing)?|without|negative for|free of|absence of|absent"
        r"|no (?:evidence|sign|signs|history|complaints?) of|never had|ruled out for|resolution of"
        r"|fails? to reveal|no new|nor",
    ),
    (
        UNCERTAIN,
        r"rule out|r/o|rule-out|possible|possibly|probable|probably|suspected|suspect"
        r"|suspicious for|concern(?:ing)? for|question of|questionable|likely|may (?:be|have)"
        r"|might (?:be|have)|cannot (?:be )?(?:exclude|rule out)d?|consider(?:ing)?|differential"
        r"(?: diagnosis)? (?:includes?|of)|versus|vs\.?|presumed|worrisome for|evaluate for"
        r"|evaluation for|to exclude|work[- ]?up for|screening for|screen for",
    ),
    (
        HISTORY,
        r"history of|h/o|hx of|status post|s/p|previous|prior|remote|former|past"
        r"|resolved|in remission",
    ),
    (
        FAMILY,
        r"family history of|family hx of|(?:his|her|the patient's|patient's)? ?"
        r"(?:mother|father|brother|sister|sibling|son|daughter|aunt|uncle|grandmother|grandfather"
        r"|grandparent|parent|cousin)s?(?: (?:had|has|with|died of|diagnosed with))?",
    ),
    (
        HYPOTHETICAL,
        r"if (?:she|he|they|the patient|patient|symptoms?)?|return (?:if|for)|should"
        r"|in case of|watch for|monitor for|warning signs? of|risk of|at risk for"
        r"|prevent(?:ion of)?"
        r"|prophylaxis (?:for|against|of)",
    ),
)
_BACKWARD: tuple[tuple[str, str], ...] = (
    (
        NEGATED,
        r"(?:was|were|is|are|has been|have been|been)? ?(?:ruled out|excluded|negative"
        r"|absent|not (?:seen|present|found|identified)|unlikely|resolved|immune)",
    ),
    (
        UNCERTAIN,
        r"(?:is|was|are)? ?(?:suspected|possible|probable|questionable|likely"
        r"|not excluded|not ruled out|cannot be excluded|to be ruled out)",
    ),
)
_TERMINATORS = re.compile(
    r"[.;:!?\n]|\b(?:but|however|although|though|except|aside from|apart from|which|who|that"
    r"|presents? with|presented with|complain(?:s|ed|ing)? of|reports?|admitted with|now with"
    r"|secondary to|due to|because|as well as|and then|yet|still|otherwise)\b"
)
_BACK_TERMINATORS = re.compile(rf"{_TERMINATORS.pattern}|,")
_FORWARD_RE = [(s, re.compile(rf"\b(?:{p})\b")) for s, p in _FORWARD]
_BACKWARD_RE = [(s, re.compile(rf"\b(?:{p})\b")) for s, p in _BACKWARD]
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Scope:
    status: str
    start: int
    end: int
    trigger: str


def scopes(sentence: str) -> list[Scope]:
    """Every assertion scope in one sentence, as character spans."""
    text = sentence.lower()
    pseudo = [m.span() for m in _PSEUDO.finditer(text)]
    found: list[Scope] = []
    for status, pattern in _FORWARD_RE:
        for m in pattern.finditer(text):
            if _inside(m.span(), pseudo):
                continue
            found.append(Scope(status, m.end(), _forward_end(text, m.end()), m.group(0)))
    for status, pattern in _BACKWARD_RE:
        for m in pattern.finditer(text):
            if not m.group(0).strip() or (status == NEGATED and _inside(m.span(), pseudo)):
                continue
            found.append(Scope(status, _backward_start(text, m.start()), m.start(), m.group(0)))
    return found


def status_of(sentence: str, start: int, end: int, found: list[Scope] | None = None) -> str:
    """The assertion status of the finding at ``sentence[start:end]``."""
    found = scopes(sentence) if found is None else found
    hits = {s.status for s in found if s.start <= start and end <= s.end + 1}
    hits |= {s.status for s in found if s.start < end and start < s.end and s.status == NEGATED}
    return next((status for status in _PRIORITY if status in hits), PRESENT)


def trigger_of(sentence: str, start: int, end: int, found: list[Scope] | None = None) -> str:
    """The trigger phrase that set the status (for the 'why' shown to the coder)."""
    found = scopes(sentence) if found is None else found
    status = status_of(sentence, start, end, found)
    return next(
        (s.trigger for s in found if s.status == status and s.start < end and start < s.end + 1),
        "",
    )


def _inside(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(a <= span[0] and span[1] <= b for a, b in spans)


def _forward_end(text: str, start: int) -> int:
    stop = _TERMINATORS.search(text, start)
    limit = stop.start() if stop else len(text)
    words = list(_WORD.finditer(text, start, limit))
    return words[_MAX_WORDS - 1].end() if len(words) > _MAX_WORDS else limit


def _backward_start(text: str, end: int) -> int:
    # A backward trigger ("... ruled out") reaches back only to the previous comma: in
    # "chest pain, acute coronary syndrome ruled out" the chest pain stays present.
    begin = 0
    for stop in _BACK_TERMINATORS.finditer(text, 0, end):
        begin = stop.end()
    words = list(_WORD.finditer(text, begin, end))
    return words[-_MAX_WORDS].start() if len(words) > _MAX_WORDS else begin
