"""One live dictation: the model, vocabulary and formatting wired to the streaming engine.

The CLI (`assistant dictate`) and the TUI's dictate key both call `run_dictation`; they differ
only in the audio source and in how they show events.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assistant.audio import AudioClip, file_sha256
from assistant.config import Settings
from assistant.formatting import clinical_formatter
from assistant.live import Corrector, Decoder, LiveEngine, LiveEvent, LiveSettings
from assistant.live_audio import SAMPLE_RATE, AudioSource, Recorder
from assistant.models import Correction, Provenance, Segment, Transcript
from assistant.transcribe import DecodeOptions, Transcriber, flag_segment
from assistant.vocab_bias import copied_or_looped, fit_terms, join_terms

if TYPE_CHECKING:
    from assistant.vocab import Lexicon

log = logging.getLogger(__name__)

# Fast dictation is about 4.5 tokens a second; a decode that writes twice that is looping.
_TOKENS_PER_S = 9.0
_TOKENS_AT_LEAST = 16


@dataclass(frozen=True)
class LiveResult:
    raw_text: str  # confirmed words as decoded, commands included
    text: str  # formatted as a clinician writes it
    transcript: Transcript  # final decodes with word timings against the recording
    audio_path: Path | None  # lossless FLAC of everything the microphone heard
    duration: float
    stopped_by_voice: bool  # the physician said "end dictation"


def whisper_decoder(
    transcriber: Transcriber, terms: Sequence[str] = (), final_beam: int = 1
) -> Decoder:
    """Greedy decodes for partial text; the final decode adds word timings (and a beam if set).

    No VAD inside the decode: the engine already hands over one utterance of speech. Hotwords
    can send tiny.en into a loop ("piperacillin, piperacillin, ...") or make it copy them over
    a pause, as in the file pipeline; so a biased decode may not repeat a 10-token run nor
    write more tokens than anyone says in that much audio, a partial text stops before a
    looped or copied segment (its words are never confirmed), and a final decode that loops
    or copies is done again without hotwords.
    """
    from assistant.pipeline import NO_REPEAT_NGRAM

    hotwords = join_terms(terms) or None
    partial = DecodeOptions(
        beam_size=1,
        vad=False,
        word_timestamps=False,
        hotwords=hotwords,
        temperature=(0.0,),
        hallucination_silence_threshold=None,
        no_repeat_ngram_size=NO_REPEAT_NGRAM if hotwords else 0,
    )
    # No temperature fallback: sampling would make the same audio give different text, and a
    # re-decode would add its time to the delay the physician waits.
    final = replace(partial, beam_size=final_beam, word_timestamps=True)

    def run(samples: np.ndarray, options: DecodeOptions) -> list[Segment]:
        seconds = len(samples) / SAMPLE_RATE
        capped = replace(options, max_new_tokens=int(_TOKENS_AT_LEAST + _TOKENS_PER_S * seconds))
        found = transcriber.transcribe(AudioClip.from_array(samples), capped)
        return [replace(s, flags=flag_segment(s, options.hotwords)) for s in found]

    def decode(samples: np.ndarray, is_final: bool) -> list[Segment]:
        segments = run(samples, final if is_final else partial)
        bad = [i for i, s in enumerate(segments) if terms and copied_or_looped(s, terms)]
        if not bad:
            return segments
        if not is_final:
            return segments[: bad[0]]
        log.info("live phrase repeats the hotwords or itself; decoding it without")
        return run(samples, replace(final, hotwords=None, no_repeat_ngram_size=0))

    return decode


def vocabulary_terms(
    transcriber: Transcriber,
    lexicon: Lexicon,
    settings: Settings,
    report_type: str | None,
    specialty: str | None,
) -> list[str]:
    """The report type's and specialty's terms that fit the prompt token budget."""
    from assistant.pipeline import token_counter

    terms = lexicon.specialty_terms(specialty, report_type)
    return fit_terms(terms, settings.vocab.prompt_token_budget, token_counter(transcriber))


def lexicon_corrector(
    lexicon: Lexicon, report_type: str | None, specialty: str | None
) -> Corrector:
    """Each phrase's final decode is corrected against the lexicon, as a dictated file is."""
    from assistant.vocab_match import correct_transcript

    prefer = lexicon.specialty_terms(specialty, report_type)
    # correct_transcript reads only the words; the phrase needs no provenance of its own.
    no_provenance = Provenance(audio_sha256="", audio_duration=0.0, model_name="", model_hash="")

    def correct(segments: list[Segment]) -> tuple[list[Segment], list[Correction]]:
        phrase = Transcript(tuple(segments), no_provenance)
        fixed = correct_transcript(phrase, lexicon.index, None, prefer, lexicon.phrases)
        return list(fixed.segments), list(fixed.corrections)

    return correct


def run_dictation(
    source: AudioSource,
    transcriber: Transcriber,
    settings: Settings,
    *,
    recording: Path | None = None,
    report_type: str | None = None,
    specialty: str | None = None,
    live: LiveSettings | None = None,
    on_event: Callable[[LiveEvent], None] | None = None,
) -> LiveResult:
    """Record and transcribe until the source ends, is stopped, or "end dictation" is said."""
    from assistant.pipeline import cached_lexicon
    from assistant.vocab_match import real_word

    started = time.perf_counter()
    lexicon = cached_lexicon(tuple(settings.vocab.extra_dirs))
    vocabulary = settings.transcription.use_vocabulary
    terms = (
        vocabulary_terms(transcriber, lexicon, settings, report_type, specialty)
        if vocabulary
        else []
    )
    hotwords = join_terms(terms) or None
    formatter = clinical_formatter(settings)
    recorder = Recorder(recording) if recording is not None else None
    live = live or LiveSettings()
    decoder = whisper_decoder(transcriber, terms, live.final_beam)
    # The lexicon's indexes are built on first use, not here: the microphone opens only once
    # the engine runs, and building them takes over a second (bench: index 0.4 s, phrases 1 s).
    engine = LiveEngine(
        decoder,
        live,
        formatter,
        recorder,
        real_word=lambda word: real_word(word, lexicon.index),
        correct=lexicon_corrector(lexicon, report_type, specialty) if vocabulary else None,
    )
    try:
        for event in engine.run(source):
            if on_event is not None:
                on_event(event)
    finally:
        audio_path = recorder.finish() if recorder is not None else None
    duration = recorder.duration if recorder is not None else 0.0
    provenance = Provenance(
        audio_sha256=file_sha256(audio_path) if audio_path else "",
        audio_duration=round(duration, 3),
        model_name=transcriber.model_name,
        model_hash=getattr(transcriber, "model_hash", ""),
        options={"live": True, "hotwords": hotwords},
        hotwords=hotwords,
        wall_time=round(time.perf_counter() - started, 3),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    transcript = Transcript(
        tuple(engine.segments),
        provenance,
        corrections=tuple(engine.corrections),
        no_speech=not engine.words,
    )
    return LiveResult(
        raw_text=engine.raw_text,
        text=formatter(engine.raw_text),
        transcript=transcript,
        audio_path=audio_path,
        duration=duration,
        stopped_by_voice=engine.stopped_by_voice,
    )


def file_live_dictation(
    store,
    user,
    result: LiveResult,
    *,
    patient_id: int,
    report_type: str,
    settings: Settings,
    encounter_id: int | None = None,
    author: str | None = None,
):
    """File the recording, its transcript and the report draft together; returns the draft id.

    The draft is the text the physician saw confirmed; the transcript keeps the word timings
    for playback in the editor.
    """
    from assistant.intake import Dictated, file_dictation
    from assistant.reports import build_report, load_templates
    from assistant.transcribe import transcript_to_dict

    report = build_report(result.text, report_type, load_templates(settings.reports.template_dirs))
    dictated = Dictated(
        audio_sha256=result.transcript.provenance.audio_sha256,
        path=str(result.audio_path) if result.audio_path else None,
        duration=result.duration,
        transcript=transcript_to_dict(result.transcript),
        raw_text=result.raw_text,
        text=result.text,
        report_type=report_type,
        sections=report.sections,
    )
    filed = file_dictation(
        store,
        user,
        dictated,
        patient_id=patient_id,
        encounter_id=encounter_id,
        author=author or user.username,
        signer=author,
        dictated_at=result.transcript.provenance.created_at,
        status="draft",
    )
    return filed.document_id
