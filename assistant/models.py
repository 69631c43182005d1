"""Frozen dataclasses of the domain, shared by every core module.

Areas add their own dataclasses in their own modules when no other module needs them; a
dataclass used across modules lives here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

# --- Transcription ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    """One decoded word with its time span (seconds) and the model's probability."""

    text: str
    start: float
    end: float
    probability: float


@dataclass(frozen=True)
class Segment:
    """One decoded segment, as faster-whisper yields it, plus our hallucination flags."""

    id: int
    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0
    compression_ratio: float = 0.0
    # Why this segment may be invented (e.g. "high_no_speech", "low_logprob", "repeated_ngram",
    # "prompt_echo", "stock_phrase"); empty when it looks genuine. Kept, never dropped.
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Correction:
    """A replacement made against the lexicon, recorded so an editor can show and undo it."""

    original: str
    replacement: str
    start: float
    end: float
    score: float
    kind: str = "lexicon"  # lexicon | spoken_form | ...
    word_index: int = -1  # index of the first replaced word in Transcript.words, when known
    word_count: int = 1


@dataclass(frozen=True)
class Provenance:
    """Where a transcript came from, so any text can be traced to audio, model and settings."""

    audio_sha256: str
    audio_duration: float
    model_name: str
    model_hash: str
    options: dict[str, Any] = field(default_factory=dict)
    prompt: str | None = None
    hotwords: str | None = None
    wall_time: float = 0.0
    created_at: str = ""


@dataclass(frozen=True)
class Transcript:
    """The result of transcribing one audio file."""

    segments: tuple[Segment, ...]
    provenance: Provenance
    language: str = "en"
    corrections: tuple[Correction, ...] = ()
    no_speech: bool = False

    @property
    def text(self) -> str:
        return " ".join(s.text.strip() for s in self.segments if s.text.strip())

    @property
    def words(self) -> tuple[Word, ...]:
        return tuple(w for s in self.segments for w in s.words)

    @property
    def flagged_segments(self) -> tuple[Segment, ...]:
        return tuple(s for s in self.segments if s.flags)


# --- Reports -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """One section of a report: its canonical name (or the dictated heading if unknown)."""

    name: str
    title: str
    text: str
    known: bool = True  # False for a heading the template does not know (kept, not lost)
    heading: str = ""  # the heading as dictated, if any


@dataclass(frozen=True)
class Report:
    """A transcript organised into a report type's sections."""

    report_type: str
    sections: tuple[Section, ...]
    confidence: float = 1.0  # how sure the template choice is, 0..1

    def section(self, name: str) -> Section | None:
        return next((s for s in self.sections if s.name == name), None)


# --- Coding ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Code:
    """A coded concept, in the shape of a FHIR Coding."""

    system: str  # "ICD-10-CM", "ICD-10-PCS", "MS-DRG", "LOINC"
    code: str
    display: str = ""


# --- Records -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Patient:
    mrn: str
    family_name: str
    given_name: str
    birth_date: date | None = None
    sex: str = "unknown"  # male | female | other | unknown (FHIR administrative gender)
    id: int | None = None


@dataclass(frozen=True)
class Encounter:
    patient_id: int
    encounter_type: str  # inpatient | outpatient | emergency | ...
    admit_date: datetime | None = None
    discharge_date: datetime | None = None
    attending: str | None = None
    discharge_disposition: str | None = None
    external_id: str | None = None  # the hospital's visit / account number
    id: int | None = None


@dataclass(frozen=True)
class DictationMeta:
    """What is known about a dictation before it is transcribed (sidecar file, CLI options)."""

    mrn: str | None = None
    patient_name: str | None = None  # "Family, Given"
    birth_date: str | None = None  # ISO date
    sex: str | None = None
    encounter: str | None = None
    encounter_type: str | None = None
    author: str | None = None
    report_type: str | None = None
    specialty: str | None = None
    dictated_at: str | None = None  # ISO datetime
