"""WER and key-term recall: the documented normalisation, sample discovery, pooling."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.evaluation import (
    EvalReport,
    evaluate_dir,
    find_samples,
    normalize,
    number_words,
    terms_found,
    word_errors,
)
from assistant.models import Provenance, Segment, Transcript
from tests.conftest import SPOKEN_TEXT


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mr. Whitaker is a 77-year-old man.", "mr whitaker is a seventy seven year old man"),
        ("EF 30%, BNP 1400", "ef thirty percent bnp fourteen hundred"),
        ("2.5 mg b.i.d.", "two point five mg b i d"),
        ("1,250 units", "one thousand two hundred fifty units"),
        ("The patient's x-ray / CT", "the patient's x ray ct"),
        ("'quoted'  words\n", "quoted words"),
        ("Period. New paragraph.", "period new paragraph"),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


NUMBERS = [
    (0, "zero"),
    (13, "thirteen"),
    (40, "forty"),
    (105, "one hundred five"),
    (2000, "two thousand"),
    (1100, "eleven hundred"),
    (21_500, "twenty one thousand five hundred"),
]


@pytest.mark.parametrize(("n", "words"), NUMBERS)
def test_number_words(n: int, words: str) -> None:
    assert number_words(n) == words


@given(st.text(max_size=80))
def test_normalize_is_idempotent_and_clean(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    assert "  " not in once and once == once.strip()


def test_word_errors_counts_substitutions_deletions_insertions() -> None:
    reference = "start metoprolol twenty five milligrams twice daily period"
    assert word_errors(reference, "Start metoprolol 25 milligrams twice daily period") == (0, 8)
    # "metoprolol" -> "metaprolol" (sub), "twice" dropped (del), "okay" added (ins)
    hypothesis = "start metaprolol 25 milligrams daily period okay"
    assert word_errors(reference, hypothesis) == (3, 8)
    assert word_errors(reference, "") == (8, 8)


def test_terms_found_needs_whole_words_in_order() -> None:
    terms = ("atrial fibrillation", "hypertension", "heart failure", "AF")
    text = "History of hypertension and paroxysmal atrial fibrillation; no failure of heart."
    assert terms_found(terms, text) == ["atrial fibrillation", "hypertension"]


def _write_sample(folder: Path, name: str, audio: Path, text: str, terms: list[str]) -> None:
    shutil.copy(audio, folder / f"{name}.wav")
    (folder / f"{name}.txt").write_text(text + "\n")
    (folder / f"{name}.json").write_text(json.dumps({"key_terms": terms}))


def _transcript(text: str, duration: float) -> Transcript:
    segment = Segment(0, 0.0, duration, text)
    return Transcript((segment,), Provenance("x", duration, "fake", ""))


def test_find_samples_and_pooled_scores(tmp_path: Path, spoken_wav: Path) -> None:
    _write_sample(tmp_path, "a", spoken_wav, "one two three four", ["two", "five"])
    _write_sample(tmp_path, "b", spoken_wav, "six seven", ["seven"])
    shutil.copy(spoken_wav, tmp_path / "no_reference.wav")
    (tmp_path / "notes.txt").write_text("not a sample")
    samples = find_samples(tmp_path)
    assert [s.name for s in samples] == ["a", "b"]
    assert samples[0].key_terms == ("two", "five") and samples[0].reference == "one two three four"

    # A scripted stand-in for the model: this test is about scoring, not decoding.
    hypotheses = {"a": "one two three 4", "b": "six eleven"}
    report = evaluate_dir(tmp_path, lambda path: _transcript(hypotheses[path.stem], 10.0))
    a, b = report.files
    assert (a.errors, a.reference_words, a.key_terms_found, a.missed_terms) == (0, 4, 1, ("five",))
    assert (b.errors, b.wer, b.key_term_recall) == (1, 0.5, 0.0)
    assert report.wer == pytest.approx(1 / 6)  # pooled, not the mean of 0.0 and 0.5
    assert report.key_term_recall == pytest.approx(1 / 3)
    assert report.audio_seconds == 20.0 and report.rtf == report.wall_seconds / 20.0
    data = report.to_dict()
    assert data["overall"]["wer"] == round(1 / 6, 4) and len(data["files"]) == 2


def test_evaluate_dir_with_the_real_transcriber(
    tmp_path: Path, spoken_wav: Path, transcriber
) -> None:
    _write_sample(tmp_path, "spoken", spoken_wav, SPOKEN_TEXT, ["chest pain", "diabetes"])
    report = evaluate_dir(tmp_path, transcriber)
    (result,) = report.files
    assert result.reference_words == len(normalize(SPOKEN_TEXT).split())
    assert 0 <= result.wer < 0.35
    assert result.key_terms_found >= 1 and result.wall_time > 0 and 0 < report.rtf < 5
    assert isinstance(report, EvalReport)
