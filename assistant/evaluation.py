"""Accuracy of a transcriber on samples with references: word error rate and key-term recall.

A sample is an audio file with ``NAME.txt`` (the words spoken) next to it and, optionally, a
``NAME.json`` sidecar whose ``key_terms`` list holds the medical terms that must come out right.

The transcript is compared *raw*: no dictation formatting, no vocabulary correction unless the
``transcribe`` callable does it. Spoken commands ("period", "comma", "new paragraph") are words
of the reference, so a model that writes "." for "period" counts an error there; this keeps the
score about hearing, not formatting.

Normalisation, applied identically to reference and hypothesis before scoring:

1. Unicode NFKC, lower case; curly apostrophes become ``'``.
2. Hyphens, slashes and en/em dashes become spaces ("x-ray" -> "x ray", "77-year-old" -> "77
   year old").
3. Digits are spelled out as English words ("77" -> "seventy seven", "2.5" -> "two point
   five", "1,250" -> "one thousand two hundred fifty", but "1400" -> "fourteen hundred" as
   clinicians say it), and "%" becomes "percent", because references are written as spoken.
4. Every other character that is not a letter, digit, apostrophe or space is removed; an
   apostrophe is kept only inside a word ("patient's"); whitespace is collapsed.

WER is jiwer's (substitutions + deletions + insertions) / reference words; the overall figure
pools every file's errors and reference words (not a mean of per-file rates). Key-term recall is
the share of key terms whose normalised words appear, contiguous and in order, in the
normalised hypothesis; overall recall pools the terms of every file.
"""

from __future__ import annotations

import json
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from assistant.audio import AUDIO_EXTENSIONS
from assistant.models import Transcript

_ONES = [
    *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
    *("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen"),
    *("eighteen", "nineteen"),
]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def number_words(n: int) -> str:
    """Spell a non-negative integer in English words, without "and" ("one hundred five")."""
    if n < 20:
        return _ONES[n]
    if 1100 <= n < 10000 and n % 100 == 0 and n % 1000:
        return f"{number_words(n // 100)} hundred"  # 1400 is said "fourteen hundred"
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f" {_ONES[ones]}" if ones else "")
    for size, name in (
        (10**9, "billion"),
        (10**6, "million"),
        (1000, "thousand"),
        (100, "hundred"),
    ):
        if n >= size:
            high, rest = divmod(n, size)
            return f"{number_words(high)} {name}" + (f" {number_words(rest)}" if rest else "")
    raise AssertionError("unreachable")


def _spell_number(match: re.Match[str]) -> str:
    whole, _, frac = match.group(0).replace(",", "").partition(".")
    words = number_words(int(whole))
    if frac:
        words += " point " + " ".join(_ONES[int(d)] for d in frac)
    return f" {words} "


def normalize(text: str) -> str:
    """The documented normalisation (see the module docstring)."""
    text = unicodedata.normalize("NFKC", text).lower().replace("\u2019", "'")
    text = re.sub(r"[-/\u2013\u2014]", " ", text).replace("%", " percent ")
    text = re.sub(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?", _spell_number, text)
    text = re.sub(r"[^\w' ]|_", " ", text)
    text = re.sub(r"(?<!\w)'|'(?!\w)", " ", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class Sample:
    """One audio file with its reference text and key terms."""

    name: str
    audio: Path
    reference: str
    key_terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileEval:
    name: str
    audio: str
    duration: float
    wall_time: float
    reference_words: int
    errors: int  # substitutions + deletions + insertions
    wer: float
    key_terms: int
    key_terms_found: int
    missed_terms: tuple[str, ...]
    hypothesis: str
    flagged_segments: int = 0
    no_speech: bool = False

    @property
    def key_term_recall(self) -> float | None:
        return self.key_terms_found / self.key_terms if self.key_terms else None

    @property
    def rtf(self) -> float:
        return self.wall_time / self.duration if self.duration else 0.0


@dataclass(frozen=True)
class EvalReport:
    files: tuple[FileEval, ...]

    @property
    def wer(self) -> float:
        words = sum(f.reference_words for f in self.files)
        return sum(f.errors for f in self.files) / words if words else 0.0

    @property
    def key_term_recall(self) -> float | None:
        total = sum(f.key_terms for f in self.files)
        return sum(f.key_terms_found for f in self.files) / total if total else None

    @property
    def audio_seconds(self) -> float:
        return sum(f.duration for f in self.files)

    @property
    def wall_seconds(self) -> float:
        return sum(f.wall_time for f in self.files)

    @property
    def rtf(self) -> float:
        return self.wall_seconds / self.audio_seconds if self.audio_seconds else 0.0

    def to_dict(self) -> dict[str, Any]:
        files = [
            {**asdict(f), "key_term_recall": f.key_term_recall, "rtf": round(f.rtf, 4)}
            for f in self.files
        ]
        return {
            "normalisation": "assistant.evaluation.normalize (lower case, no punctuation, "
            "hyphens as spaces, digits spelled out)",
            "files": files,
            "overall": {
                "wer": round(self.wer, 4),
                "key_term_recall": self.key_term_recall,
                "audio_seconds": round(self.audio_seconds, 2),
                "wall_seconds": round(self.wall_seconds, 2),
                "rtf": round(self.rtf, 4),
            },
        }


def find_samples(folder: str | Path) -> list[Sample]:
    """Audio files in ``folder`` that have a ``NAME.txt`` reference, sorted by name."""
    samples = []
    for audio in sorted(Path(folder).iterdir()):
        reference = audio.with_suffix(".txt")
        if audio.suffix.lower() not in AUDIO_EXTENSIONS or not reference.is_file():
            continue
        sidecar = audio.with_suffix(".json")
        terms: list[str] = []
        if sidecar.is_file():
            terms = json.loads(sidecar.read_text(encoding="utf-8")).get("key_terms", [])
        text = reference.read_text(encoding="utf-8").strip()
        samples.append(Sample(audio.stem, audio, text, tuple(terms)))
    return samples


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(errors, reference words) after normalisation."""
    import jiwer

    ref, hyp = normalize(reference), normalize(hypothesis)
    ref_words = len(ref.split())
    if not ref_words:
        return len(hyp.split()), 0
    if not hyp:
        return ref_words, ref_words
    out = jiwer.process_words(ref, hyp)
    return out.substitutions + out.deletions + out.insertions, ref_words


def terms_found(terms: tuple[str, ...], hypothesis: str) -> list[str]:
    """The key terms whose normalised words appear contiguously in the hypothesis."""
    padded = f" {normalize(hypothesis)} "
    return [t for t in terms if normalize(t) and f" {normalize(t)} " in padded]


def evaluate_sample(sample: Sample, transcript: Transcript, wall_time: float) -> FileEval:
    errors, words = word_errors(sample.reference, transcript.text)
    found = terms_found(sample.key_terms, transcript.text)
    return FileEval(
        name=sample.name,
        audio=sample.audio.name,
        duration=transcript.provenance.audio_duration,
        wall_time=round(wall_time, 3),
        reference_words=words,
        errors=errors,
        wer=round(errors / words, 4) if words else 0.0,
        key_terms=len(sample.key_terms),
        key_terms_found=len(found),
        missed_terms=tuple(t for t in sample.key_terms if t not in found),
        hypothesis=transcript.text,
        flagged_segments=len(transcript.flagged_segments),
        no_speech=transcript.no_speech,
    )


TranscribeFn = Callable[[Path], Transcript]


def evaluate_samples(
    samples: list[Sample],
    transcribe: TranscribeFn | Any,
    on_file: Callable[[FileEval], None] | None = None,
) -> EvalReport:
    """Transcribe each sample with ``transcribe`` (a callable or a Transcriber) and score it."""
    fn = _as_callable(transcribe)
    results = []
    for sample in samples:
        started = time.perf_counter()
        transcript = fn(sample.audio)
        result = evaluate_sample(sample, transcript, time.perf_counter() - started)
        results.append(result)
        if on_file is not None:
            on_file(result)
    return EvalReport(tuple(results))


def evaluate_dir(
    folder: str | Path,
    transcribe: TranscribeFn | Any,
    on_file: Callable[[FileEval], None] | None = None,
) -> EvalReport:
    """Evaluate every sample with a reference in ``folder``."""
    return evaluate_samples(find_samples(folder), transcribe, on_file)


def _as_callable(transcribe: TranscribeFn | Any) -> TranscribeFn:
    if hasattr(transcribe, "transcribe") and hasattr(transcribe, "model_name"):
        from assistant.transcribe import transcribe_file

        return lambda path: transcribe_file(transcribe, path)
    return transcribe
