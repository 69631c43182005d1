"""The medical transcription pipeline: biasing, decoding and correction against the lexicon.

``transcribe_medical`` is what the CLI, batch and TUI call. It

1. decodes once with ``hotwords`` chosen from the specialty's bias list (or the report type's,
   or the general one), within the token budget counted by the model's tokenizer; this pass
   has no temperature fallback, a per-window token cap and no repeated 10-token runs, because a
   prompt occasionally sends tiny.en into a loop and the fallback would multiply the cost;
2. decodes again, without biasing, each segment that copies the hotwords (Whisper's failure on
   silence) or loops, and any stretch of speech the biased pass skipped (a prompt can make
   Whisper jump ahead: the voice activity detector finds speech that no word covers);
3. optionally (``second_pass``, off by default) decodes again the stretches around unsure
   unknown words, all in one joined clip, with hotwords that sound like what was heard there
   (``relisten``); on tiny.en it cost ~0.2x more CPU and lowered accuracy slightly (measured in
   benchmarks/README.md), so a larger model is where it may pay;
4. replaces low-confidence spans that strongly match a lexicon term, or a misheard word inside
   an otherwise exact lexicon phrase, and records each change.
"""

from __future__ import annotations

import functools
import gc
import logging
import time
import weakref
from dataclasses import dataclass, replace
from pathlib import Path

from assistant.audio import SAMPLE_RATE, AudioClip, load_audio
from assistant.config import Settings, VocabSettings
from assistant.models import Transcript, Word
from assistant.relisten import PAD_S, RelistenSettings, decode_stretches, relisten, sub_clip
from assistant.transcribe import Transcriber, transcribe_clip
from assistant.vocab import GENERAL_LIST, Lexicon, load_lexicon
from assistant.vocab_bias import copied_or_looped, fit_terms, join_terms, leaked, near_terms
from assistant.vocab_match import MatchSettings, correct_transcript, unknown_word

log = logging.getLogger(__name__)

_MAX_NEW_TOKENS = 160  # per 30 s window in the biased pass (fast dictation needs ~130)
_WHISPER_MAX_LENGTH = 448  # prompt + decoded tokens per window
# In the biased pass no run of this many tokens may repeat within a window: tiny.en with a
# hotword prompt sometimes loops on one syllable ("ylylyl...") until the token cap, and
# decoding that window again costs a second pass. Ten tokens is longer than the phrases a
# dictation legitimately repeats within 30 s ("milligrams by mouth once daily period").
NO_REPEAT_NGRAM = 10


@dataclass(frozen=True)
class PipelineOptions:
    """How much of the vocabulary machinery runs (the CLI's --no-vocab turns it all off)."""

    bias: bool = True
    second_pass: bool = False  # off by default: on tiny.en it cost time and gained nothing
    correct: bool = True
    relisten: RelistenSettings = RelistenSettings()  # how the second pass picks and accepts
    min_gap: float = 1.5  # seconds of uncovered speech that the biased pass must not drop
    # With no specialty (or report type) that names a bias list, a quick greedy decode of the
    # first seconds guesses one from the terms it hears (``Lexicon.guess_specialty``).
    guess_specialty: bool = True
    match: MatchSettings = MatchSettings()


@functools.lru_cache(maxsize=4)
def cached_lexicon(extra_dirs: tuple[str, ...] = ()) -> Lexicon:
    """The lexicon for a set of site folders, loaded once per process."""
    return load_lexicon(VocabSettings(extra_dirs=extra_dirs))


_frozen: weakref.WeakSet[Lexicon] = weakref.WeakSet()


def _ready(lexicon: Lexicon) -> Lexicon:
    """Build the lexicon's indexes once and move them out of the garbage collector's way.

    They are millions of long-lived objects; every full collection (faster-whisper forces one
    per decoded file) would walk them all again, ~0.15 s each.
    """
    if lexicon not in _frozen:
        _ = lexicon.index, lexicon.phrases
        gc.freeze()
        _frozen.add(lexicon)
    return lexicon


def transcribe_medical(
    transcriber: Transcriber,
    clip_or_path: AudioClip | str | Path,
    settings: Settings,
    report_type: str | None = None,
    specialty: str | None = None,
    lexicon: Lexicon | None = None,
    options: PipelineOptions | None = None,
) -> Transcript:
    """Transcribe a dictation with the medical vocabulary (see the module docstring)."""
    started = time.perf_counter()
    clip = clip_or_path if isinstance(clip_or_path, AudioClip) else load_audio(clip_or_path)
    decode = _default_options(transcriber)
    if not settings.transcription.use_vocabulary:
        return transcribe_clip(transcriber, clip, decode)
    opts = options or PipelineOptions()
    lexicon = _ready(lexicon or cached_lexicon(tuple(settings.vocab.extra_dirs)))
    budget = settings.vocab.prompt_token_budget
    count = token_counter(transcriber)

    guessed = None
    unlisted = lexicon.specialty_list(specialty, report_type) == GENERAL_LIST
    if opts.bias and opts.guess_specialty and unlisted:
        guessed = _sniff_specialty(transcriber, clip, decode, lexicon)
    bias_terms = lexicon.specialty_terms(guessed or specialty, report_type) if opts.bias else []
    hot = fit_terms(bias_terms, budget, count)
    # The biased pass runs without temperature fallback: when hotwords send tiny.en into a loop,
    # five more sampled decodes of the window cost more than decoding it again unbiased.
    # It also caps the tokens per window: a 30 s window of fast dictation needs about 130, a loop
    # runs to Whisper's 448 (speech the cap cuts off is decoded again by _fill_gaps).
    biased = replace(decode, hotwords=join_terms(hot) or None)
    if hot:
        cap = min(_MAX_NEW_TOKENS, _WHISPER_MAX_LENGTH - count(join_terms(hot)) - 8)
        biased = replace(
            biased,
            temperature=decode.temperature[:1],
            max_new_tokens=max(cap, 32),
            no_repeat_ngram_size=NO_REPEAT_NGRAM,
        )
    transcript = transcribe_clip(transcriber, clip, biased)
    transcript = _undo_leaks(transcriber, clip, transcript, decode, hot)
    if hot:
        transcript = _fill_gaps(transcriber, clip, transcript, decode, opts.min_gap)
    redecoded = 0.0
    if opts.second_pass and not transcript.no_speech:
        transcript, redecoded = _second_pass(
            transcriber, clip, transcript, decode, lexicon, budget, count, opts
        )
    if opts.correct:
        transcript = correct_transcript(
            transcript, lexicon.index, opts.match, bias_terms, lexicon.phrases
        )
    recorded = dict(transcript.provenance.options)
    recorded["vocabulary"] = {
        "specialty": specialty,
        "guessed_specialty": guessed,
        "report_type": report_type,
        "hotword_terms": len(hot),
        "hotword_tokens": count(join_terms(hot)) if hot else 0,
        "token_budget": budget,
        "second_pass_seconds": round(redecoded, 2),
        "corrections": len(transcript.corrections),
        "lexicon_terms": len(lexicon),
    }
    provenance = replace(
        transcript.provenance,
        options=recorded,
        wall_time=round(time.perf_counter() - started, 3),
    )
    return replace(transcript, provenance=provenance)


_SNIFF_SECONDS = 20.0


def _sniff_specialty(transcriber: Transcriber, clip: AudioClip, decode, lexicon: Lexicon):
    """A specialty guessed from a greedy, unbiased decode of the dictation's first seconds.

    Costs one 30 s window of encoding and a short greedy decode (~0.1x of a one-minute file);
    the specialty's list is worth far more than the general one (benchmarks/README.md).
    """
    head = sub_clip(clip, 0.0, min(clip.duration, _SNIFF_SECONDS))
    quick = replace(decode, beam_size=1, temperature=decode.temperature[:1], word_timestamps=False)
    text = " ".join(s.text for s in transcriber.transcribe(head, quick))
    guessed = lexicon.guess_specialty(text)
    log.info("no specialty given; guessed %s from the first %.0f s", guessed, head.duration)
    return guessed


def _default_options(transcriber: Transcriber):
    from assistant.transcribe import DecodeOptions

    default = getattr(transcriber, "default_options", None)
    return default() if callable(default) else DecodeOptions()


def token_counter(transcriber: Transcriber):
    """Counts prompt tokens with the model's own tokenizer (what Whisper's 224 limit counts)."""
    counter = getattr(transcriber, "tokenizer_count", None)
    if callable(counter):
        return counter
    # A transcriber without a tokenizer (a test fake): count generously, never under.
    return lambda text: len(text.encode("utf-8"))


def _undo_leaks(
    transcriber: Transcriber, clip: AudioClip, transcript: Transcript, decode, hot: list[str]
) -> Transcript:
    """Decode again, unbiased, segments that copy the hotwords or loop; flag what persists.

    All such segments go through one joined clip (``decode_stretches``), as skipped speech
    does, instead of a 30 s window each.
    """
    if not hot:
        return transcript
    bad = [i for i, seg in enumerate(transcript.segments) if copied_or_looped(seg, hot)]
    if not bad:
        return transcript
    log.info("%d segments repeat themselves or the hotwords; decoding them without", len(bad))
    stretches = [
        (transcript.segments[i].start - PAD_S, transcript.segments[i].end + PAD_S) for i in bad
    ]
    opts = replace(decode, hotwords=None, vad=False)
    found = decode_stretches(transcriber, clip, stretches, opts)
    segments = list(transcript.segments)
    for i, new in reversed(list(zip(bad, found, strict=True))):
        segments[i : i + 1] = [
            replace(s, flags=(*s.flags, "prompt_echo")) if leaked(s, hot) else s for s in new
        ]
    renumbered = tuple(replace(s, id=n) for n, s in enumerate(segments))
    return replace(transcript, segments=renumbered)


def _uncovered(
    clip: AudioClip, transcript: Transcript, min_gap: float
) -> list[tuple[float, float]]:
    """Stretches of at least ``min_gap`` seconds with no decoded word that hold speech.

    Only the silences between words are given to the voice activity detector, so the check
    costs little next to decoding.
    """
    from assistant.audio import speech_timestamps

    edges = [0.0, *(t for w in transcript.words for t in (w.start, w.end)), clip.duration]
    gaps: list[tuple[float, float]] = []
    for start, end in zip(edges[::2], edges[1::2], strict=False):
        if end - start < min_gap:
            continue
        regions = speech_timestamps(sub_clip(clip, start, end))
        speech = sum(r["end"] - r["start"] for r in regions) / SAMPLE_RATE
        if speech >= min_gap / 2:
            gaps.append((start, end))
    return gaps


def _fill_gaps(
    transcriber: Transcriber, clip: AudioClip, transcript: Transcript, decode, min_gap: float = 1.5
) -> Transcript:
    """Decode, without biasing, speech that the biased pass skipped, and merge it in by time."""
    gaps = _uncovered(clip, transcript, min_gap)
    if not gaps:
        return transcript
    log.info("biased pass skipped %d speech spans; decoding them without hotwords", len(gaps))
    stretches = [(start - PAD_S, end + PAD_S) for start, end in gaps]
    opts = replace(decode, hotwords=None, vad=False)
    added = [seg for found in decode_stretches(transcriber, clip, stretches, opts) for seg in found]
    merged = sorted([*transcript.segments, *added], key=lambda s: (s.start, s.end))
    renumbered = tuple(replace(s, id=i) for i, s in enumerate(merged))
    return replace(transcript, segments=renumbered)


def _second_pass(
    transcriber, clip, transcript, decode, lexicon, budget, count, opts: PipelineOptions
) -> tuple[Transcript, float]:
    """Decode again the stretches around unsure unknown words, biased toward near terms."""
    index = lexicon.index

    def unsure(word: Word) -> bool:
        core = word.text.strip(" ,.;:?!")
        return (
            word.probability < opts.match.low_probability
            and len(core) > 3
            and unknown_word(word, index)
        )

    def hotwords_for(heard: list[str]) -> str | None:
        terms = fit_terms(near_terms(lexicon, heard), budget, count)
        return join_terms(terms) or None

    biased = replace(
        decode, vad=False, temperature=decode.temperature[:1], no_repeat_ngram_size=NO_REPEAT_NGRAM
    )
    return relisten(transcriber, clip, transcript, biased, unsure, hotwords_for, opts.relisten)
