"""The medical pipeline with the real bundled model on real audio."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from assistant.audio import AudioClip, load_audio
from assistant.config import Settings, VocabSettings, with_overrides
from assistant.evaluation import find_samples, terms_found
from assistant.models import Segment
from assistant.pipeline import cached_lexicon, transcribe_medical
from assistant.transcribe import DecodeOptions, transcribe_clip
from assistant.vocab_match import correct_transcript

NON_MEDICAL = (
    "We walked along the river after lunch, and my sister said the weather was lovely, "
    "so we stayed until the evening and then drove home through the quiet village."
)


@pytest.fixture(scope="module")
def lexicon():
    return cached_lexicon()


@pytest.fixture(scope="module")
def sample(samples_dir: Path):
    """The first sample (by name) that lists key terms and a specialty."""
    for s in find_samples(samples_dir):
        meta = json.loads(s.audio.with_suffix(".json").read_text(encoding="utf-8"))
        if s.key_terms and meta.get("specialty"):
            return s, meta
    pytest.fail(f"no sample with key terms in {samples_dir}")


@pytest.fixture(scope="module")
def plain_and_medical(transcriber, sample, lexicon):
    s, meta = sample
    clip = load_audio(s.audio)
    plain = transcribe_clip(transcriber, clip)
    medical = transcribe_medical(
        transcriber, clip, Settings(), meta["report_type"], meta["specialty"], lexicon
    )
    return plain, medical


def _speak(folder: Path, text: str) -> AudioClip:
    if shutil.which("espeak-ng") is None:
        pytest.fail("espeak-ng is missing: run scripts/system-deps.sh")
    path = folder / "speech.wav"
    subprocess.run(["espeak-ng", "-s", "165", "-w", str(path), text], check=True)
    return load_audio(path)


@pytest.fixture(scope="module")
def non_medical_clip(tmp_path_factory: pytest.TempPathFactory) -> AudioClip:
    return _speak(tmp_path_factory.mktemp("walk"), NON_MEDICAL)


@pytest.fixture(scope="module")
def short_clip(tmp_path_factory: pytest.TempPathFactory) -> AudioClip:
    return _speak(tmp_path_factory.mktemp("short"), "The patient is resting comfortably.")


def test_correction_fixes_real_mishearings_of_key_terms(plain_and_medical, sample, lexicon) -> None:
    s, _meta = sample
    plain, _medical = plain_and_medical
    corrected = correct_transcript(plain, lexicon.index)
    before = set(terms_found(s.key_terms, plain.text))
    after = set(terms_found(s.key_terms, corrected.text))
    assert corrected.corrections, "tiny.en mishears some terms of every sample"
    assert before <= after  # nothing that was right is broken
    assert after - before, f"no key term fixed; corrections: {corrected.corrections}"
    for fix in corrected.corrections:
        assert lexicon.index.exact(fix.replacement) is not None
        assert fix.replacement in corrected.words[fix.word_index].text


def test_vocabulary_raises_key_term_recall(plain_and_medical, sample) -> None:
    s, _meta = sample
    plain, medical = plain_and_medical
    found_plain = terms_found(s.key_terms, plain.text)
    found_medical = terms_found(s.key_terms, medical.text)
    assert len(found_medical) > len(found_plain)
    used = medical.provenance.options["vocabulary"]
    assert used["hotword_terms"] > 0
    assert used["hotword_tokens"] <= Settings().vocab.prompt_token_budget


def test_corrections_point_at_their_words(plain_and_medical) -> None:
    _plain, medical = plain_and_medical
    words = medical.words
    for fix in medical.corrections:
        word = words[fix.word_index]
        assert fix.replacement in word.text
        assert (word.start, word.end) == (fix.start, fix.end)
        assert fix.word_count >= 1 and 0 < fix.score <= 1


def test_token_budget_is_never_exceeded(transcriber, sample, short_clip) -> None:
    _s, meta = sample
    for budget in (0, 12, 60):
        settings = with_overrides(Settings(), vocab={"prompt_token_budget": budget})
        t = transcribe_medical(transcriber, short_clip, settings, None, meta["specialty"])
        hotwords = t.provenance.hotwords or ""
        assert transcriber.tokenizer_count(hotwords) <= budget
        assert t.provenance.options["vocabulary"]["hotword_tokens"] <= budget


def test_ordinary_speech_gets_no_replacements_and_no_leaked_terms(
    transcriber, non_medical_clip, lexicon
) -> None:
    t = transcribe_medical(transcriber, non_medical_clip, Settings(), None, "cardiology", lexicon)
    assert t.corrections == ()
    assert "river" in t.text.lower()
    hot = [h.strip().lower() for h in (t.provenance.hotwords or "").split(",")]
    assert len(hot) > 5
    assert not [h for h in hot if h and h in t.text.lower()]


def test_silence_never_reaches_the_model(transcriber, lexicon) -> None:
    silence = AudioClip.from_array(np.zeros(16000 * 5, dtype=np.float32))
    t = transcribe_medical(transcriber, silence, Settings(), None, "cardiology", lexicon)
    assert t.no_speech and t.segments == () and t.corrections == ()


class EchoingTranscriber:
    """Stands in for Whisper's known failure: it copies the hotwords into the text."""

    model_name = "echo"

    def __init__(self, real):
        self.real = real
        self.calls: list[str | None] = []

    def transcribe(
        self, clip: AudioClip, options: DecodeOptions | None = None
    ) -> Iterator[Segment]:
        options = options or DecodeOptions()
        self.calls.append(options.hotwords)
        if options.hotwords:
            yield Segment(0, 0.0, clip.duration, " " + options.hotwords)
            return
        yield from self.real.transcribe(clip, options)


def test_leaked_hotwords_are_decoded_again_without_biasing(
    transcriber, non_medical_clip, lexicon
) -> None:
    echo = EchoingTranscriber(transcriber)
    t = transcribe_medical(echo, non_medical_clip, Settings(), None, "cardiology", lexicon)
    assert echo.calls[0] and echo.calls[-1] is None  # biased first, then unbiased
    assert "apixaban" not in t.text.lower()
    assert "river" in t.text.lower()


def test_vocabulary_can_be_switched_off(transcriber, short_clip) -> None:
    settings = with_overrides(Settings(), transcription={"use_vocabulary": False})
    t = transcribe_medical(transcriber, short_clip, settings, None, "cardiology")
    assert t.provenance.hotwords is None
    assert "vocabulary" not in t.provenance.options


def test_site_terms_reach_the_prompt(transcriber, tmp_path: Path, short_clip) -> None:
    site = tmp_path / "site"
    (site / "specialties").mkdir(parents=True)
    (site / "specialties" / "cardiology.txt").write_text("Zorbelimab\n", encoding="utf-8")
    settings = replace(Settings(), vocab=VocabSettings(extra_dirs=(str(site),)))
    t = transcribe_medical(transcriber, short_clip, settings, None, "cardiology")
    assert (t.provenance.hotwords or "").startswith("Zorbelimab")


def test_skipped_speech_is_decoded_again_and_put_back_in_place(
    transcriber, non_medical_clip
) -> None:
    from assistant.pipeline import _fill_gaps

    decode = transcriber.default_options()
    full = transcribe_clip(transcriber, non_medical_clip, decode)
    words = full.words
    # Drop two stretches of words, as a biased pass that jumped ahead would.
    third = len(words) // 3
    dropped = [words[2 : 2 + 6], words[2 * third : 2 * third + 6]]
    gone = {id(w) for run in dropped for w in run}
    cut = tuple(
        replace(s, words=kept, text="".join(w.text for w in kept))
        for s in full.segments
        if (kept := tuple(w for w in s.words if id(w) not in gone))
    )
    skipped = replace(full, segments=cut)
    filled = _fill_gaps(transcriber, non_medical_clip, skipped, decode)
    new = [w for w in filled.words if w not in skipped.words]
    # Both stretches come back, each at its own time (not where the joined clip put it).
    for run in dropped:
        back = [w for w in new if run[0].start - 0.5 <= w.start <= run[-1].end + 0.5]
        assert len(back) >= 4, (run, new)
    starts = [s.start for s in filled.segments]
    assert starts == sorted(starts)
    assert [s.id for s in filled.segments] == list(range(len(filled.segments)))


def test_second_pass_relistens_to_unsure_words_only(transcriber, sample, lexicon) -> None:
    from assistant.pipeline import PipelineOptions

    s, meta = sample
    clip = load_audio(s.audio)
    opts = PipelineOptions(second_pass=True, correct=False)
    t = transcribe_medical(
        transcriber, clip, Settings(), meta["report_type"], meta["specialty"], lexicon, opts
    )
    seconds = t.provenance.options["vocabulary"]["second_pass_seconds"]
    # Some audio is decoded again, but only stretches around unsure words: well under the cap.
    assert 0 < seconds <= opts.relisten.max_fraction * clip.duration + 1
    for seg in t.segments:  # replaced words sit in order inside their segment
        starts = [w.start for w in seg.words]
        assert starts == sorted(starts)
    assert terms_found(s.key_terms, t.text)


def test_a_dictation_without_a_specialty_gets_one_guessed(
    transcriber, samples_dir, lexicon
) -> None:
    (copd,) = [s for s in find_samples(samples_dir) if s.name == "pulmonology_copd_soap"]
    t = transcribe_medical(transcriber, copd.audio, Settings(), None, None, lexicon)
    vocab = t.provenance.options["vocabulary"]
    assert vocab["guessed_specialty"] == "pulmonology"
    assert "albuterol" in (t.provenance.hotwords or "")
    # A given specialty is used as given: nothing is guessed.
    given = transcribe_medical(transcriber, copd.audio, Settings(), None, "neurology", lexicon)
    assert given.provenance.options["vocabulary"]["guessed_specialty"] is None
