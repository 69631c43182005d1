"""Section finding: dictated text -> the sections of one report type.

Section finding works on the output of ``dictation.format_dictation`` (and on plain typed or
Whisper-punctuated text). A section opens at:

* a heading the report type knows, at the start of a paragraph or a sentence, followed by a colon,
  a comma, a full stop or a dash ("Assessment and plan, number one ...");
* a known multi-word heading opening a paragraph without punctuation ("Follow up in one week"):
  the section starts there and the words stay in its text;
* a known multi-word heading between commas (", past medical history, ...") or run into the
  sentence before a capital ("... gangrene description of procedure After ..."): Whisper often
  writes the pauses around a heading that way;
* a section break (``§``, or the spoken "next section"), which moves to the next section of the
  template after the current one;
* a common heading no type lists (``_headings.toml``, "Code status: full code") followed by a
  colon, or any short capitalised "Heading:" opening a line: kept as an extra section.

Text before the first heading becomes a "preamble" section. No dictated word is dropped: every
word ends up in a section's heading or text, in order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from assistant.models import Report, Section
from assistant.report_templates import ReportTemplate, SectionSpec, extra_headings

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
_UNKNOWN = re.compile(r"(?P<h>[A-Z][A-Za-z0-9'&/()\- ]{0,40}?)[ \t]*:(?=\s*\S)[ \t]*")
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
    alias: str = ""  # the known heading matched, normalised (for choosing a report type)


@dataclass(frozen=True)
class _Matchers:
    heading: re.Pattern[str]  # known heading + punctuation
    alone: re.Pattern[str]  # known heading alone on its line
    implicit: re.Pattern[str] | None  # known multi-word heading opening a paragraph
    after_break: re.Pattern[str]  # any known heading opening the text after a section break
    listed: re.Pattern[str] | None  # ", past medical history, ..." (Whisper's commas)
    run_on: re.Pattern[str] | None  # "... gangrene description of procedure After ..."
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
    text = text.strip().rstrip(",;").rstrip()
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
    # Right after a break any known heading opens the section, even one word with no
    # punctuation ("§ Subjective coal in ..." when Whisper missed the colon).
    for brk in list(found):
        if hit := m.after_break.match(text, brk.end):
            spec = m.table[_normal(hit.group("h"))]
            found.append(_known(brk.end, brk.end, "implicit", spec, hit.group("h")))
    for start, line_start in _starts(text):
        bound = _match_at(text, start, line_start, m)
        if bound:
            found.append(bound)
    found += _unpunctuated(text, m)
    found.sort(key=lambda b: (b.start, b.kind != "break"))
    kept: list[_Boundary] = []
    for bound in found:
        if not kept or bound.start >= kept[-1].end:
            kept.append(bound)
    return kept


def _unpunctuated(text: str, m: _Matchers) -> list[_Boundary]:
    """Multi-word headings in Whisper's run-on style, where the full stops became commas or
    vanished. Single words ("plan", "allergies") are too common in prose to trust here."""
    hits = []
    if m.listed:
        for comma in re.finditer(r"[,;][ \t]+", text):
            if hit := m.listed.match(text, comma.end()):
                hits.append(hit)
    if m.run_on:
        hits += m.run_on.finditer(text)
    return [
        _known(h.start(), h.end(), "heading", spec, h.group("h"))
        for h in hits
        if (spec := m.table[_normal(h.group("h"))])
    ]


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
        return _known(pos, hit.end(), "heading", spec, hit.group("h"))
    if line_start and m.implicit and (hit := m.implicit.match(text, pos)):
        spec = m.table[_normal(hit.group("h"))]
        return _known(pos, pos, "implicit", spec, hit.group("h"))
    hit = (m.extra.match(text, pos) if m.extra else None) or (
        _UNKNOWN.match(text, pos) if line_start else None
    )
    if hit and _plausible_heading(hit.group("h")):
        heading = hit.group("h").strip()
        name = "_".join(_WORDS.findall(heading.lower()))
        title = heading[:1].upper() + heading[1:]
        return _Boundary(pos, hit.end(), "heading", name, title, heading)
    return None


def _known(start: int, end: int, kind: str, spec: SectionSpec, heading: str) -> _Boundary:
    # An implicit heading stays in the section's text, so it is not repeated as its heading.
    shown = "" if kind == "implicit" else heading
    return _Boundary(start, end, kind, spec.name, spec.title, shown, True, _normal(heading))


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
        after_break=re.compile(rf"(?P<h>{known})(?=[ \t]+\w)", flags),
        implicit=re.compile(rf"(?P<h>{multi})(?=[ \t]+\w)", flags) if multi else None,
        listed=re.compile(rf"(?P<h>{multi})[ \t]*[,:][ \t]*", flags) if multi else None,
        # Case matters around the heading: a lower-case word before, a capital after.
        run_on=re.compile(rf"(?<=[a-z] )(?P<h>(?i:{multi}))[ \t]+(?=[A-Z][a-z])")
        if multi
        else None,
        extra=re.compile(rf"(?P<h>{extra})[ \t]*:[ \t]*", flags) if extras else None,
        table=table,
    )


def _alternation(headings: Sequence[str]) -> str:
    parts = [r"[\s-]+".join(re.escape(w) for w in re.split(r"[\s-]+", h)) for h in headings]
    return "|".join(rf"{p}(?![\w&/])" for p in parts)


def headings_found(text: str, template: ReportTemplate) -> dict[str, str]:
    """The template's headings that ``text`` dictates (normalised) -> their section names."""
    return {b.alias: b.name for b in _scan(text, template) if b.known}


def known_headings(template: ReportTemplate) -> frozenset[str]:
    """Every heading the template knows, normalised as headings_found returns them."""
    return frozenset(_matchers(template).table)


def phrase_pattern(phrase: str) -> str:
    """A regex for a heading or phrase: any case of spacing or hyphens, whole words only."""
    return _alternation([phrase])
