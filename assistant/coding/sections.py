"""Which parts of a report a coder reads for diagnoses, and in what order of authority."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.models import Report

PRIMARY = "primary"  # diagnostic statements: diagnoses, assessment, impression, procedure
HISTORY = "history"  # HPI, course, past history: comorbidities, supporting evidence
EXAM = "exam"  # exam, vitals, labs, operative description: evidence only, never coded
FINDINGS = "findings"  # procedure findings, imaging: diagnoses a specialist saw (coded low)
PLAN = "plan"  # orders: new drugs are not long-term use unless "continue"
MEDS = "medications"  # medication lists: long-term drug use (Z79)
FAMILY = "family"  # family history: every finding belongs to a relative

# (pattern on the lower-case heading, kind, sequencing priority: lower is read first)
_KINDS: tuple[tuple[str, str, int], ...] = (
    (r"family", FAMILY, 9),
    (r"description of (?:the )?procedure|technique|operative (?:description|details)", EXAM, 9),
    (r"principal|final diagnos|discharge diagnos|postoperative diagnos|post-operative", PRIMARY, 0),
    (r"admi(?:ssion|tting) diagnos|assessment|impression|diagnos|problem", PRIMARY, 1),
    (r"preoperative|pre-operative", PRIMARY, 2),
    (r"chief complaint|reason for (?:visit|admission|consult)", PRIMARY, 3),
    (r"^procedures?\b|procedures? performed|operations?\b", PRIMARY, 4),
    (r"medication|prescription", MEDS, 6),
    (r"\bplan\b|recommendation", PLAN, 6),
    (r"finding|imaging|radiology", FINDINGS, 6),
    # Past and social history hold comorbidities, never the reason for this encounter.
    (r"past|social", HISTORY, 7),
    (
        r"exam|objective|result|lab|vital|specimen|blood loss|anesthes|sedation"
        r"|surgeon|assistant|drain|complication|disposition|follow|allerg",
        EXAM,
        9,
    ),
)
_HEADINGS = (
    "chief complaint", "history of present illness", "hpi", "past medical history",
    "past surgical history", "social history", "family history", "review of systems",
    "physical exam", "physical examination", "exam", "objective", "subjective", "assessment",
    "assessment and plan", "plan", "impression", "diagnosis", "diagnoses", "admission diagnosis",
    "discharge diagnosis", "discharge diagnoses", "principal diagnosis", "secondary diagnoses",
    "final diagnosis", "preoperative diagnosis", "postoperative diagnosis", "procedure",
    "procedures", "procedure performed", "operation", "hospital course", "findings", "indications",
    "indication", "results", "labs", "imaging", "medications", "discharge medications",
    "allergies", "disposition", "follow up", "surgeon", "anesthesia", "estimated blood loss",
    "description of procedure", "complications", "specimens", "reason for visit", "operative note",
    "discharge summary", "history", "condition at discharge", "procedure note", "sedation",
    "recommendations", "recommendation", "clinical indication", "comparison",
    "history and physical",
)  # fmt: skip
_NAMES = "|".join(sorted(map(re.escape, _HEADINGS), key=len, reverse=True))
_HEADING_RE = re.compile(r"(?:^|(?<=[.\n]))\s*(?P<h>" + _NAMES + r")\s*[:.]\s*", re.I)
# Raw speech-recognition output often marks a heading with a comma or a spoken "colon" only:
# "preoperative diagnosis, acute appendicitis, procedure, laparoscopic appendectomy".
_LOOSE_HEADING_RE = re.compile(
    r"(?:^|(?<=[.\n,;]))\s*(?P<h>" + _NAMES + r")\s*(?:[:.,]|\s+colon\b)\s*", re.I
)


@dataclass(frozen=True)
class SectionText:
    name: str
    title: str
    text: str
    kind: str
    priority: int
    order: int

    @property
    def procedure(self) -> bool:
        return bool(re.search(r"procedure|operation", self.title, re.I))


def classify(title: str) -> tuple[str, int]:
    lowered = title.lower().strip()
    for pattern, kind, priority in _KINDS:
        if re.search(pattern, lowered):
            return kind, priority
    return HISTORY, 5


def split_report(report: Report | str) -> list[SectionText]:
    """Sections of a Report as given, or of plain text by its dictated headings. Inside each,
    headings marked only by a comma (raw speech-recognition text) start a section too."""
    if isinstance(report, Report):
        pairs = [(s.name, s.title or s.heading or s.name, s.text) for s in report.sections]
    else:
        pairs = _split_text(report, _HEADING_RE)
    finer = []
    for name, title, text in pairs:
        for sub_name, sub_title, sub_text in _split_text(text, _LOOSE_HEADING_RE):
            if sub_name == "body":
                sub_name, sub_title = name, title
            finer.append((sub_name, sub_title, sub_text))
    return _classified(finer)


def _classified(pairs: list[tuple[str, str, str]]) -> list[SectionText]:
    out = []
    for order, (name, title, text) in enumerate(pairs):
        kind, priority = classify(title.replace("_", " ") or name.replace("_", " "))
        out.append(SectionText(name, title, text, kind, priority, order))
    return out


def _split_text(text: str, pattern: re.Pattern[str]) -> list[tuple[str, str, str]]:
    marks = list(pattern.finditer(text))
    pairs = []
    if not marks or marks[0].start() > 0:
        head = text[: marks[0].start()] if marks else text
        if head.strip():
            pairs.append(("body", "Body", head))
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        title = m.group("h").strip()
        pairs.append((re.sub(r"\W+", "_", title.lower()), title, text[m.end() : end]))
    return pairs
