"""ICD-10-PCS from an operation's name: "<organ>ectomy" + approach -> root operation title.

Only the common resections and excisions are read; anything else is left to the coder (the
classification builds a code from seven axes, which free text rarely states in full).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from assistant.coding import context, lexicon
from assistant.coding.index import PCS, CodeIndex
from assistant.models import Code

if TYPE_CHECKING:
    from assistant.coding.sections import SectionText
    from assistant.coding.suggest import CodeSuggestion

_ECTOMY = re.compile(r"\b(?P<partial>partial\s+|subtotal\s+)?(?P<organ>[a-z]+?)ectomy\b", re.I)


def suggest(section: SectionText, sentence: str, offset: int, index: CodeIndex) -> list:
    from assistant.coding.suggest import CodeSuggestion, Evidence

    out: list[CodeSuggestion] = []
    for m in _ECTOMY.finditer(sentence):
        if context.status_of(sentence, m.start(), m.end()) != context.PRESENT:
            continue
        body = _body_part(m.group("organ").lower(), sentence)
        if body is None:
            continue
        operation = "Excision" if m.group("partial") else "Resection"
        approach, stated = _approach(sentence)
        title = f"{operation} of {body}, {approach}"
        row = index._conn.execute(
            "SELECT code FROM codes WHERE system = ? AND description = ? ORDER BY code LIMIT 1",
            (PCS, title),
        ).fetchone()
        if row is None:
            continue
        ev = Evidence(section.name, offset + m.start(), offset + m.end(), m.group(0))
        why = f"'{sentence.strip()}' -> {operation} of {body}, {approach}"
        out.append(
            CodeSuggestion(
                code=Code(PCS, row[0], title),
                evidence=(ev,),
                score=0.8 if stated else 0.5,
                reason=why if stated else why + " (approach not stated: open assumed)",
                query_candidate=not stated,
                rank=(section.priority, section.order * 100000 + ev.start),
            )
        )
    return out


def _body_part(organ: str, sentence: str) -> str | None:
    for stem, (body, sided) in lexicon.PCS_BODY_PARTS.items():
        if organ.startswith(stem):
            if not sided:
                return body
            side = re.search(r"\b(right|left|bilateral)\b", sentence, re.I)
            return f"{body}, {side.group(1).title()}" if side else None
    return None


def _approach(sentence: str) -> tuple[str, bool]:
    for pattern, approach in lexicon.PCS_APPROACHES:
        if re.search(pattern, sentence, re.I):
            return approach, True
    return "Open Approach", False


def phrases(section: SectionText, sentence: str, offset: int, index: CodeIndex) -> list:
    """PCS codes a whole phrase names ("spontaneous vaginal delivery" -> 10E0XZZ)."""
    from assistant.coding.suggest import CodeSuggestion, Evidence

    out: list[CodeSuggestion] = []
    for phrase, code in lexicon.PCS_PHRASES.items():
        m = re.search(rf"\b{phrase}\b", sentence, re.I)
        if m is None or context.status_of(sentence, m.start(), m.end()) != context.PRESENT:
            continue
        info = index.require(code, PCS)
        ev = Evidence(section.name, offset + m.start(), offset + m.end(), m.group(0))
        out.append(
            CodeSuggestion(
                code=Code(PCS, info.code, info.description),
                evidence=(ev,),
                score=0.7,
                reason=f"'{m.group(0)}' -> {info.description}",
                rank=(section.priority, section.order * 100000 + ev.start),
            )
        )
    return out
