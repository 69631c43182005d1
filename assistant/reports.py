"""Dictated text -> report sections, the best report type for it, and what a report still lacks.

The public face of the report modules: section finding lives in :mod:`assistant.report_sections`,
specs and rendering in :mod:`assistant.report_templates`; callers import everything from here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from assistant.errors import TemplateError
from assistant.models import Report, Section
from assistant.report_sections import (
    PREAMBLE,
    SECTION_BREAK,
    find_sections,
    headings_found,
    known_headings,
    phrase_pattern,
)
from assistant.report_templates import (
    FORMATS,
    ReportTemplate,
    SectionSpec,
    all_headings,
    get_template,
    load_templates,
    render_report,
)

__all__ = [
    "FORMATS",
    "PREAMBLE",
    "SECTION_BREAK",
    "Deficiency",
    "ReportTemplate",
    "SectionSpec",
    "all_headings",
    "build_report",
    "choose_template",
    "find_sections",
    "get_template",
    "load_templates",
    "render_report",
    "report_from_dict",
    "report_to_dict",
    "review_completeness",
]


# --- Choosing the report type -------------------------------------------------------------------


def choose_template(
    text: str, templates: Mapping[str, ReportTemplate]
) -> tuple[ReportTemplate, float]:
    """The report type that best fits the dictated headings, and how sure (0..1) that is.

    Each dictated heading scores for the types that know it, weighted by how few types know
    it ("comparison" says more than "impression"); naming the type near the start ("Operative
    report.") scores most; a type's keywords and how many of its required sections are present
    add a little; dictated headings a type does not know count against it. The confidence is
    the winner's share of a softmax over the scores.
    """
    if not templates:
        raise TemplateError("No report templates to choose from")
    hits = {tid: headings_found(text, t) for tid, t in templates.items()}
    known = {tid: known_headings(t) for tid, t in templates.items()}
    dictated = {heading for found in hits.values() for heading in found}
    shared = {h: sum(1 for tid in templates if h in known[tid]) for h in dictated}
    scores = {
        tid: _score(text, t, hits[tid], shared, len(dictated - known[tid]))
        for tid, t in templates.items()
    }
    # Ties go to the most common note, then to the first id: the choice must be deterministic.
    ids = sorted(templates)
    best = max(ids, key=lambda tid: (scores[tid], tid == "soap", -ids.index(tid)))
    top = max(scores.values())
    total = sum(math.exp(s - top) for s in scores.values())
    return templates[best], round(math.exp(scores[best] - top) / total, 3)


def _score(
    text: str,
    template: ReportTemplate,
    hits: Mapping[str, str],
    shared: Mapping[str, int],
    unknown: int,
) -> float:
    score = sum(1.0 / shared[heading] for heading in hits) - 0.3 * unknown
    found = set(hits.values())
    required = template.required_sections
    if required and found:
        # A section named as such counts fully; one only covered by another ("plan" by
        # "assessment_and_plan") counts half, so the type whose own headings were used wins.
        met = sum(_coverage(spec, found) for spec in required)
        score += met / len(required)
    opening = text[:200]
    if any(_contains(opening, name) for name in template.names):
        score += 3.0
    # Keywords are weak evidence, and the opening pages show the type: keep long texts cheap.
    start = text[:5000]
    score += min(1.5, 0.25 * sum(1 for k in template.keywords if _contains(start, k)))
    return score


def _coverage(spec: SectionSpec, found: set[str]) -> float:
    if spec.name in found:
        return 1.0
    return 0.5 if found.intersection(spec.satisfied_by) else 0.0


def _contains(text: str, phrase: str) -> bool:
    return _phrase(phrase).search(text) is not None


@lru_cache(maxsize=1024)
def _phrase(phrase: str) -> re.Pattern[str]:
    flags = 0 if phrase.isupper() else re.IGNORECASE  # "ED" must not match "ed"
    return re.compile(rf"(?<!\w){phrase_pattern(phrase)}", flags)


def build_report(
    text: str, report_type: str | None, templates: Mapping[str, ReportTemplate]
) -> Report:
    """Sections of ``text`` for the given type, or for the best-fitting type when None."""
    if report_type is None:
        template, confidence = choose_template(text, templates)
    else:
        template, confidence = get_template(report_type, templates), 1.0
    report = find_sections(text, template)
    return Report(report.report_type, report.sections, confidence)


# --- Completeness -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deficiency:
    """Something a report lacks before it can be final; ``kind`` is stable for queries."""

    # missing_section | empty_section | unsigned_overdue | no_diagnosis_code | unreviewed_flag
    kind: str
    detail: str
    section: str | None = None


def review_completeness(
    report: Report,
    template: ReportTemplate,
    *,
    signed_at: datetime | None,
    created_at: datetime | None,
    now: datetime,
    diagnosis_codes: Sequence[Any] = (),
    unreviewed_flags: Sequence[str] = (),
    unsigned_max_age_hours: float = 48,
) -> list[Deficiency]:
    """Everything that keeps ``report`` from being complete, in a stable order."""
    present = {s.name for s in report.sections}
    found = [
        Deficiency(
            "missing_section", f"Required section '{spec.title}' was not dictated", spec.name
        )
        for spec in template.required_sections
        if spec.name not in present and not present.intersection(spec.satisfied_by)
    ]
    found += [
        Deficiency("empty_section", f"Section '{s.title}' has a heading but no text", s.name)
        for s in report.sections
        if not s.text.strip()
    ]
    if signed_at is None and created_at is not None:
        age_hours = (_utc(now) - _utc(created_at)).total_seconds() / 3600
        if age_hours > unsigned_max_age_hours:
            found.append(
                Deficiency(
                    "unsigned_overdue",
                    f"Unsigned for {age_hours:.0f} h (limit {unsigned_max_age_hours:g} h)",
                )
            )
    if template.requires_diagnosis_code and not diagnosis_codes:
        found.append(Deficiency("no_diagnosis_code", "No diagnosis code has been assigned"))
    found += [
        Deficiency("unreviewed_flag", f"Possibly invented text not yet reviewed: {flag}")
        for flag in unreviewed_flags
    ]
    return found


def _utc(moment: datetime) -> datetime:
    """Naive times are taken as UTC, so a naive and an aware time can be compared."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


# --- JSON round-trip for the store ------------------------------------------------------------


def report_to_dict(report: Report) -> dict[str, Any]:
    return {
        "report_type": report.report_type,
        "confidence": report.confidence,
        "sections": [asdict(s) for s in report.sections],
    }


def report_from_dict(data: Mapping[str, Any]) -> Report:
    """The inverse of report_to_dict; malformed data raises TemplateError."""
    try:
        sections = tuple(
            Section(
                name=str(s["name"]),
                title=str(s["title"]),
                text=str(s["text"]),
                known=bool(s.get("known", True)),
                heading=str(s.get("heading", "")),
            )
            for s in data["sections"]
        )
        return Report(str(data["report_type"]), sections, float(data.get("confidence", 1.0)))
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise TemplateError(f"Malformed report data: {e!r}") from e
