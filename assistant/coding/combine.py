"""Coding conventions applied to a set of suggestions: combination codes the classification
presumes, Excludes1 conflicts, and sequencing of the principal diagnosis."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from assistant.coding.edits import excludes1_conflicts
from assistant.coding.index import CM, CodeIndex, normalize
from assistant.models import Code

if TYPE_CHECKING:
    from assistant.coding.suggest import CodeSuggestion


def _find(found: list[CodeSuggestion], prefix: str) -> list[CodeSuggestion]:
    return [s for s in found if normalize(s.code.code).startswith(prefix)]


def combinations(index: CodeIndex, found: list[CodeSuggestion]) -> list[CodeSuggestion]:
    """Hypertension with heart failure and/or CKD (guideline I.C.9.a presumes the link), and
    diabetes with CKD (the tabular's "with" convention, I.A.15) become combination codes."""
    found = _hypertension(index, found)
    return _record_rules(_diabetes_ckd(index, found))


def _record_rules(found: list[CodeSuggestion]) -> list[CodeSuggestion]:
    """Codes a guideline forbids next to others: Z79.4 is not assigned with type 1 diabetes
    (insulin is inherent, I.C.4.a.3); Z38 liveborn codes belong on the newborn's record, never
    with the mother's obstetric (O) codes (I.C.16.a.1)."""
    drop: set[str] = set()
    if _find(found, "E10"):
        drop.add("Z794")
    if any(normalize(s.code.code).startswith("O") for s in found):
        drop |= {normalize(s.code.code) for s in _find(found, "Z38")}
    return [s for s in found if normalize(s.code.code) not in drop]


def _hypertension(index: CodeIndex, found: list[CodeSuggestion]) -> list[CodeSuggestion]:
    htn = _find(found, "I10")
    if htn and any(_find(found, p) for p in ("I11", "I12", "I13")):
        return [s for s in found if s is not htn[0]]  # stated as a combination already
    hf, ckd = _find(found, "I50"), _find(found, "N18")
    if not htn or not (hf or ckd):
        return found
    late_ckd = any(normalize(s.code.code) in ("N185", "N186") for s in ckd)
    if hf and ckd:
        code, why = ("I13.2" if late_ckd else "I13.0"), "hypertension with heart failure and CKD"
    elif hf:
        code, why = "I11.0", "hypertension with heart failure"
    else:
        code, why = ("I12.0" if late_ckd else "I12.9"), "hypertension with CKD"
    partner = min(hf + ckd, key=lambda s: s.rank)
    combined = _combined(index, code, htn[0], partner, why + ": causal link presumed (I.C.9.a)")
    return [combined if s is htn[0] else s for s in found]


def _diabetes_ckd(index: CodeIndex, found: list[CodeSuggestion]) -> list[CodeSuggestion]:
    ckd = _find(found, "N18")
    if not ckd:
        return found
    out = []
    for s in found:
        code = normalize(s.code.code)
        if (
            code[:3] in ("E08", "E09", "E10", "E11", "E13")
            and code.endswith("9")
            and len(code) == 4
        ):
            combined = _combined(
                index, f"{code[:3]}.22", s, ckd[0], "diabetes with CKD: 'with' presumes the link"
            )
            out.append(replace(combined, rank=s.rank))
        else:
            out.append(s)
    return out


def _combined(
    index: CodeIndex, code: str, first: CodeSuggestion, partner: CodeSuggestion, why: str
) -> CodeSuggestion:
    info = index.require(code, CM)
    # Sequenced just ahead of the manifestation it explains (its "use additional code" note).
    rank = min(first.rank, (partner.rank[0], partner.rank[1] - 1))
    return replace(
        first,
        code=Code(CM, info.display_code, info.description),
        evidence=first.evidence + partner.evidence,
        score=min(first.score, partner.score),
        reason=why,
        rank=rank,
    )


def drop_excludes1(index: CodeIndex, found: list[CodeSuggestion]) -> list[CodeSuggestion]:
    """Of two codes an Excludes1 note says never go together, keep the better-supported one."""
    ordered = sorted(found, key=lambda s: (s.rank[0], -s.score, s.rank[1]))
    kept: list[CodeSuggestion] = []
    for s in ordered:
        codes = [normalize(k.code.code) for k in kept] + [normalize(s.code.code)]
        clash = [c for c in excludes1_conflicts(index, codes) if normalize(s.code.code) in c[:2]]
        if not clash:
            kept.append(s)
    return [s for s in found if s in kept]


def sequence(found: list[CodeSuggestion]) -> list[CodeSuggestion]:
    """Principal first: the diagnostic section's first statement, a definitive diagnosis before a
    symptom (I.B.4-5, II.A), status and history Z codes last."""

    def key(s: CodeSuggestion) -> tuple[int, int, int]:
        code = normalize(s.code.code)
        # Status and history Z codes go last; an "Encounter for ..." reason (screening,
        # aftercare) may be first-listed (guideline I.C.21.c.5).
        status_z = code[0] == "Z" and not s.code.display.startswith("Encounter for")
        priority = max(s.rank[0], 7) if status_z else s.rank[0]
        return (priority, 0 if code[0] != "R" else 1, s.rank[1])

    ordered = sorted(found, key=lambda s: (key(s)[0], key(s)[2]))
    if ordered and normalize(ordered[0].code.code)[0] == "R":
        definitive = [
            s for s in ordered if normalize(s.code.code)[0] not in "RZ" and s.rank[0] <= 3
        ]
        if definitive:
            ordered.remove(definitive[0])
            ordered.insert(0, definitive[0])
    return ordered
