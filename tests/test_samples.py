"""The sample dictations in samples/audio/: every audio file has a reference and a valid sidecar.

Fast and model-free: it checks the files teammates' tests and benchmarks rely on, and that the
expected ICD-10-CM codes are billable codes of the bundled tabular.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
import soundfile

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
AUDIO = SAMPLES / "audio"
AUDIO_SUFFIXES = {".flac", ".ogg", ".mp3", ".m4a", ".wav"}
REPORT_TYPES = {
    "soap",
    "history_physical",
    "consultation",
    "discharge_summary",
    "operative_note",
    "procedure_note",
    "radiology",
    "emergency",
}
SIDECAR_KEYS = {
    "mrn",
    "patient_name",
    "birth_date",
    "sex",
    "encounter",
    "encounter_type",
    "author",
    "report_type",
    "specialty",
    "dictated_at",
    "voice",
    "style",
    "key_terms",
    "expected_codes",
    "negated_findings",
}
PCS_CODE = re.compile(r"^[0-9A-HJ-NP-Z]{7}$")  # ICD-10-PCS never uses the letters I and O


def _audio_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in AUDIO_SUFFIXES)


MAIN = _audio_files(AUDIO)
HELDOUT = _audio_files(AUDIO / "heldout")
ALL = MAIN + HELDOUT


def _sidecar(audio: Path) -> dict:
    return json.loads(audio.with_suffix(".json").read_text(encoding="utf-8"))


def test_set_sizes() -> None:
    assert len(MAIN) >= 12
    assert len(HELDOUT) >= 4


@pytest.mark.parametrize("audio", ALL, ids=lambda p: p.stem)
def test_reference_and_sidecar(audio: Path) -> None:
    reference = audio.with_suffix(".txt").read_text(encoding="utf-8").strip()
    meta = _sidecar(audio)
    assert meta.keys() >= SIDECAR_KEYS
    assert meta["report_type"] in REPORT_TYPES
    assert meta["encounter_type"] in {"inpatient", "outpatient", "emergency"}
    assert meta["style"] in {"commands", "plain"}
    assert re.fullmatch(r"[^,]+, [^,]+", meta["patient_name"])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", meta["birth_date"])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", meta["dictated_at"])
    # A transcript is scored on the key terms, so each must be in the reference as written.
    assert 8 <= len(meta["key_terms"]) <= 20
    for term in meta["key_terms"] + meta["negated_findings"]:
        assert term.lower() in reference.lower(), term
    # Numbers are spelled the way they are spoken.
    assert not re.search(r"\d", reference)
    if meta["style"] == "commands":
        assert "period" in reference or "full stop" in reference
        assert not re.search(r"[.,;:]", reference)


@pytest.mark.parametrize("audio", ALL, ids=lambda p: p.stem)
def test_audio_is_readable_speech_length(audio: Path) -> None:
    if audio.suffix in {".mp3", ".m4a"}:
        import av  # PyAV comes with faster-whisper; libsndfile cannot read these containers

        with av.open(str(audio)) as container:
            seconds = float(container.duration) / av.time_base
    else:
        info = soundfile.info(str(audio))
        assert info.channels == 1
        assert info.samplerate == 16_000
        seconds = info.duration
    assert 30 <= seconds <= 80


@pytest.mark.parametrize("audio", ALL, ids=lambda p: p.stem)
def test_expected_codes_are_billable(audio: Path) -> None:
    import simple_icd_10_cm as cm

    codes = _sidecar(audio)["expected_codes"]
    assert codes["diagnoses"], "every dictation has at least one diagnosis"
    for code in codes["diagnoses"]:
        assert cm.is_valid_item(code) and cm.is_leaf(code), code
    for code in codes["procedures"]:
        assert PCS_CODE.fullmatch(code), code


def test_coverage_of_report_types_and_specialties() -> None:
    main = [_sidecar(a) for a in MAIN]
    everything = main + [_sidecar(a) for a in HELDOUT]
    assert len({m["report_type"] for m in main}) >= 6
    assert {m["report_type"] for m in everything} == REPORT_TYPES
    assert len({m["specialty"] for m in everything}) >= 6
    styles = Counter(m["style"] for m in main)
    assert styles["commands"] >= 4 and styles["plain"] >= 4
    piper = sum(m["voice"].startswith("piper") for m in everything)
    assert piper * 3 >= len(everything)
    assert len({a.suffix for a in ALL}) >= 3


def test_heldout_is_distinct() -> None:
    main_names = {a.stem for a in MAIN}
    assert not main_names & {a.stem for a in HELDOUT}


def test_total_size_under_budget() -> None:
    total = sum(p.stat().st_size for p in SAMPLES.rglob("*") if p.is_file())
    assert total < 15 * 1024 * 1024
