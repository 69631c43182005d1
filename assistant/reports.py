"""Dictated text -> report sections, the best report type for it, and what a report still lacks.

Section finding works on the output of ``dictation.format_dictation`` (and on plain typed or
Whisper-punctuated text). A section opens at:

* a heading the report type knows, at the start of a paragraph or a sentence, followed by a colon,
  a comma, a full stop or a dash ("Assessment and plan, number one ...");
* a known multi-word heading opening a paragraph without punctuation ("Follow up in one week"):
  the section starts there and the words stay in its text;
* a section break (``§``, or the spoken "next section"), which moves to the next section of the
  template after the current one;
* a common heading no type lists (``_headings.toml``, "Code status: full code") followed by a
  colon, or any short capitalised "Heading:" opening a line: kept as an extra section.

Text before the first heading becomes a "preamble" section. No dictated word is dropped: every
word ends up in a section's heading or text, in order.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from assistant.errors import TemplateError
from assistant.models import Report, Section
from assistant.report_templates import (
    FORMATS,
    ReportTemplate,
    SectionSpec,
    all_headings,
    extra_headings,
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

SECTION_BREAK = "§"  # what dictation.format_dictation writes for "next section"
PREAMBLE = "preamble"

# "Heading:" words that open a line but belong inside a section (exam systems, vitals, ROS), so
# a colon after them never starts an extra section.
_SUBHEADING_WORDS = """general constitutional heent head eyes ears nose throat mouth neck lungs
chest heart cardiovascular cv respiratory resp abdomen abd gi gu genitourinary extremities ext neuro
neurologic neurological skin psych psychiatric musculoskeletal msk back spine rectal pelvic breast
breasts lymph lymphatic vascular pulses motor sensory reflexes gait temperature temp bp pulse hr rr
spo2 o2 sat weight height bmi pain note dr doctor mr mrs ms"""
_SUBHEADINGS = frozenset(_SUBHEADING_WORDS.split()) | {
    "mental status",
    "cranial nerves",
    "blood pressure",
    "heart rate",
    "respiratory rate",
    "oxygen saturation",
    "lower extremities",
    "upper extremities",
    "of note",
}

_STARTS = re.compile(r"[.!?][\"')\]]*\s+|\n\s*")
_PUNCT = r"(?:[ \t]*:|[.,;](?=\s|$)|[ \t]+[-\u2013\u2014](?=\s))[ \t]*"
_NEXT_SECTION = re.compile(r"next\s+section\b[.,;:]?\s*", re.IGNORECASE)
_UNKNOWN = re.compile(r"(?P<h>[A-Z][A-Za-z0-9'&/()\- ]{0,40}?)[ \t]*:[ \t]*(?=\S)(?!\d)")
_WORDS = re.compile(r"\w+")


@dataclass(frozen=True)
class _Boundary:
    start: int  # text before this belongs to the previous section
    end: int  # this section's text begins here
    kind: str  # "heading" | "implicit" | "break"
    name: str = ""
    title: str = ""
    heading: str = ""
    known: bool = False


@dataclass(frozen=True)
class _Matchers:
    heading: re.Pattern[str]  # known heading + punctuation
    alone: re.Pattern[str]  # known heading alone on its line
    implicit: re.Pattern[str] | None  # known multi-word heading opening a paragraph
    extra: re.Pattern[str] | None  # common headings + colon
    table: dict[str, SectionSpec]


# --- Section finding ----------------------------------------------------------------------------


def find_sections(text: str, template: ReportTemplate) -> Report:
    """Split dictated text into the template's sections (see the module docstring)."""
    bounds = _scan(text, template)
    sections: list[Section] = []
    preamble = _clean(text[: bounds[0].start] if bounds else text)
    if preamble:
        sections.append(Section(PREAMBLE, "Preamble", preamble, known=False))
    order = {name: i for i, name in enumerate(template.section_names)}
    current = -1  # template index of the last known section
    for i, bound in enumerate(bounds):
        following = bounds[i + 1] if i + 1 < len(bounds) else None
        body = _clean(text[bound.end : following.start if following else len(text)])
        if bound.kind == "break":
            current += 1
            if current >= len(template.sections):
                current = len(template.sections) - 1
                if body and sections:  # past the last section: the text stays with the last one
                    last = sections[-1]
                    sections[-1] = _with_text(last, "\n\n".join(t for t in (last.text, body) if t))
                elif body:
                    sections.append(Section(PREAMBLE, "Preamble", body, known=False))
                continue
            if not body:  # "next section" twice skips a section
                continue
            spec = template.sections[current]
            sections.append(Section(spec.name, spec.title, body))
            continue
        if bound.known:
            current = order[bound.name]
        sections.append(Section(bound.name, bound.title, body, bound.known, bound.heading))
    return Report(report_type=template.id, sections=tuple(sections))


def _with_text(section: Section, text: str) -> Section:
    return Section(section.name, section.title, text, section.known, section.heading)


def _clean(text: str) -> str:
    text = text.strip()
    text = re.sub(r"^[:.,;\u2013\u2014-]+\s*", "", text) if _WORDS.search(text) else text
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _scan(text: str, template: ReportTemplate) -> list[_Boundary]:
    """Every place a section opens, in order, never overlapping."""
    m = _matchers(template)
    found: list[_Boundary] = [
        _Boundary(b.start(), _skip_space(text, b.end()), "break")
        for b in re.finditer(re.escape(SECTION_BREAK), text)
    ]
    for start, line_start in _starts(text):
        bound = _match_at(text, start, line_start, m)
        if bound:
            found.append(bound)
    found.sort(key=lambda b: (b.start, b.kind != "break"))
    kept: list[_Boundary] = []
    for bound in found:
        if not kept or bound.start >= kept[-1].end:
            kept.append(bound)
    return kept


def _starts(text: str) -> list[tuple[int, bool]]:
    """Positions where a sentence starts, and whether each one also starts a line."""
    first = len(text) - len(text.lstrip())
    starts = {first: True}
    for gap in _STARTS.finditer(text):
        pos = gap.end()
        if pos < len(text):
            starts[pos] = starts.get(pos, False) or "\n" in gap.group()
    return sorted(starts.items())


def _match_at(text: str, pos: int, line_start: bool, m: _Matchers) -> _Boundary | None:
    if hit := _NEXT_SECTION.match(text, pos):
        return _Boundary(pos, hit.end(), "break")
    hit = m.heading.match(text, pos) or (m.alone.match(text, pos) if line_start else None)
    if hit:
        spec = m.table[_normal(hit.group("h"))]
        return _Boundary(pos, hit.end(), "heading", spec.name, spec.title, hit.group("h"), True)
    if line_start and m.implicit and (hit := m.implicit.match(text, pos)):
        spec = m.table[_normal(hit.group("h"))]
        return _Boundary(pos, pos, "implicit", spec.name, spec.title, "", True)
    hit = (m.extra.match(text, pos) if m.extra else None) or (
        _UNKNOWN.match(text, pos) if line_start else None
    )
    if hit and _plausible_heading(hit.group("h")):
        heading = hit.group("h").strip()
        name = "_".join(_WORDS.findall(heading.lower()))
        title = heading[:1].upper() + heading[1:]
        return _Boundary(pos, hit.end(), "heading", name, title, heading)
    return None


def _plausible_heading(heading: str) -> bool:
    words = heading.split()
    return 0 < len(words) <= 5 and _normal(heading) not in _SUBHEADINGS


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


def _normal(heading: str) -> str:
    return " ".join(re.split(r"[\s-]+", heading.lower().strip()))


@lru_cache(maxsize=64)
def _matchers(template: ReportTemplate) -> _Matchers:
    table = {_normal(k): v for k, v in template.headings().items()}
    aliases = sorted(table, key=len, reverse=True)
    known = _alternation(aliases)
    multi = _alternation([a for a in aliases if " " in a])
    extras = [h for h in extra_headings([template.source.parent]) if _normal(h) not in table]
    extra = _alternation(sorted(extras, key=len, reverse=True))
    flags = re.IGNORECASE
    return _Matchers(
        heading=re.compile(rf"(?P<h>{known}){_PUNCT}", flags),
        alone=re.compile(rf"(?P<h>{known})[ \t]*(?=\n|$)", flags),
        implicit=re.compile(rf"(?P<h>{multi})(?=[ \t]+\w)", flags) if multi else None,
        extra=re.compile(rf"(?P<h>{extra})[ \t]*:[ \t]*", flags) if extras else None,
        table=table,
    )


def _alternation(headings: Sequence[str]) -> str:
    parts = [r"[\s-]+".join(re.escape(w) for w in re.split(r"[\s-]+", h)) for h in headings]
    return "|".join(rf"{p}(?![\w&/])" for p in parts)


# --- Choosing the report type -------------------------------------------------------------------


def choose_template(
    text: str, templates: Mapping[str, ReportTemplate]
) -> tuple[ReportTemplate, float]:
    """The report type that best fits the dictated headings, and how sure (0..1) that is.

    Each heading found scores for the types that know it, weighted by how few types share it;
    naming the type near the start ("Operative report.") scores most; a type's keywords and
    how many of its required sections are present add a little; headings a type does not know
    count against it. The confidence is the winner's share of a softmax over the scores.
    """
    if not templates:
        raise TemplateError("No report templates to choose from")
    hits = {tid: _headings_found(text, t) for tid, t in templates.items()}
    shared: dict[str, int] = {}
    for found in hits.values():
        for heading in found:
            shared[heading] = shared.get(heading, 0) + 1
    everything = set(shared)
    scores = {tid: _score(text, t, hits[tid], shared, everything) for tid, t in templates.items()}
    # Ties go to the most common note, then to the first id: the choice must be deterministic.
    ids = sorted(templates)
    best = max(ids, key=lambda tid: (scores[tid], tid == "soap", -ids.index(tid)))
    top = max(scores.values())
    total = sum(math.exp(s - top) for s in scores.values())
    return templates[best], round(math.exp(scores[best] - top) / total, 3)


def _headings_found(text: str, template: ReportTemplate) -> set[str]:
    found = set()
    for bound in _scan(text, template):
        if bound.known:
            found.add(bound.name)
    return found


def _score(
    text: str,
    template: ReportTemplate,
    found: set[str],
    shared: Mapping[str, int],
    everything: set[str],
) -> float:
    score = sum(1.0 / shared[name] for name in found)
    score -= 0.3 * len(everything - set(template.section_names))
    required = template.required_sections
    if required and found:
        # A section named as such counts fully; one only covered by another ("plan" by
        # "assessment_and_plan") counts half, so the type whose own headings were used wins.
        met = sum(_coverage(spec, found) for spec in required)
        score += met / len(required)
    opening = text[:200]
    if any(_contains(opening, name) for name in template.names):
        score += 3.0
    score += min(1.5, 0.25 * sum(1 for k in template.keywords if _contains(text, k)))
    return score


def _coverage(spec: SectionSpec, found: set[str]) -> float:
    if spec.name in found:
        return 1.0
    return 0.5 if found.intersection(spec.satisfied_by) else 0.0


def _contains(text: str, phrase: str) -> bool:
    flags = 0 if phrase.isupper() else re.IGNORECASE  # "ED" must not match "ed"
    return re.search(rf"(?<!\w){_alternation([phrase])}", text, flags) is not None


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
        age_hours = (now - created_at).total_seconds() / 3600
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
