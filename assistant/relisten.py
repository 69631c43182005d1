"""Decoding stretches of a dictation again: skipped speech, and words heard unsurely.

Whisper encodes a full 30 s window however short the audio it is given, so decoding each short
stretch on its own pays a whole window per stretch. Here the stretches of one dictation are
joined, with a short silence between them, into one clip and decoded once; the result is cut
back into the stretches at their own times.

``relisten`` is the second, targeted pass: the few words the first pass heard unsurely and that
are neither English nor lexicon words ("himophesis") are decoded again, with a few words of
context, with ``hotwords`` made of the lexicon terms that sound like them. The model then
chooses among terms it can hear; correction against the lexicon still runs afterwards.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from assistant.audio import SAMPLE_RATE, AudioClip
from assistant.models import Segment, Transcript, Word
from assistant.transcribe import Transcriber

log = logging.getLogger(__name__)

SILENCE_S = 0.6  # between stretches decoded together
PAD_S = 0.25  # audio kept around a stretch


@dataclass(frozen=True)
class RelistenSettings:
    context_words: int = 2  # words of context on each side of an unsure word
    max_fraction: float = 0.25  # most of the dictation's duration decoded again
    min_gain: float = 0.05  # mean word probability the new words must add


def sub_clip(clip: AudioClip, start: float, end: float) -> AudioClip:
    a = max(0, int(start * SAMPLE_RATE))
    b = min(len(clip.samples), int(end * SAMPLE_RATE))
    return AudioClip.from_array(clip.samples[a:b])


def decode_stretches(
    transcriber: Transcriber, clip: AudioClip, stretches: Sequence[tuple[float, float]], options
) -> list[list[Segment]]:
    """Segments decoded from each (start, end) stretch, in the clip's time, one list each."""
    pieces: list[np.ndarray] = []
    placed: list[tuple[float, float, float]] = []  # (start in joined clip, start in clip, length)
    at = 0.0
    for start, end in stretches:
        sub = sub_clip(clip, start, end)
        placed.append((at, max(0.0, start), sub.duration))
        pieces += [sub.samples, np.zeros(int(SILENCE_S * SAMPLE_RATE), dtype=np.float32)]
        at += sub.duration + SILENCE_S
    found: list[list[Segment]] = [[] for _ in stretches]
    if not placed:
        return found
    joined = AudioClip.from_array(np.concatenate(pieces))
    for seg in transcriber.transcribe(joined, options):
        for k, part in _split(seg, placed):
            found[k].append(part)
    return found


def _split(seg: Segment, placed: list[tuple[float, float, float]]) -> list[tuple[int, Segment]]:
    """A segment of the joined clip, cut back into its stretches at their own times.

    Words in the silences between stretches (Whisper's inventions) are dropped; a segment
    without word timings goes whole to the stretch holding its middle.
    """
    parts: list[tuple[int, Segment]] = []
    for k, (at, start, length) in enumerate(placed):
        shift = start - at
        if not seg.words:
            if at <= (seg.start + seg.end) / 2 < at + length:
                parts.append((k, replace(seg, id=-1, start=seg.start + shift, end=seg.end + shift)))
            continue
        words = [w for w in seg.words if at <= (w.start + w.end) / 2 < at + length]
        if not words:
            continue
        moved = tuple(replace(w, start=w.start + shift, end=w.end + shift) for w in words)
        text = "".join(w.text for w in moved)
        part = replace(seg, id=-1, start=moved[0].start, end=moved[-1].end, text=text, words=moved)
        parts.append((k, part))
    return parts


def relisten(
    transcriber: Transcriber,
    clip: AudioClip,
    transcript: Transcript,
    options,
    unsure: Callable[[Word], bool],
    hotwords_for: Callable[[list[str]], str | None],
    settings: RelistenSettings | None = None,
) -> tuple[Transcript, float]:
    """Decode again, biased toward what they sound like, the stretches around unsure words.

    ``unsure(word)`` picks the words; ``hotwords_for(heard)`` gives the hotwords for them.
    Returns the transcript (a stretch is replaced only when the new words are surer) and the
    seconds of audio decoded again.
    """
    settings = settings or RelistenSettings()
    runs = _runs(transcript, unsure, settings, clip.duration)
    if not runs:
        return transcript, 0.0
    heard = [
        w.text.strip(" ,.;:?!")
        for seg_i, a, b in runs
        for w in transcript.segments[seg_i].words[a:b]
        if unsure(w)
    ]
    hotwords = hotwords_for(heard)
    if not hotwords:
        return transcript, 0.0
    stretches = [
        (seg.words[a].start - PAD_S, seg.words[b - 1].end + PAD_S)
        for seg_i, a, b in runs
        for seg in [transcript.segments[seg_i]]
    ]
    decoded = decode_stretches(transcriber, clip, stretches, replace(options, hotwords=hotwords))
    segments = list(transcript.segments)
    kept = 0
    for (seg_i, a, b), new_segs in reversed(list(zip(runs, decoded, strict=True))):
        seg = segments[seg_i]
        old = seg.words[a:b]
        new = [w for s in new_segs for w in s.words if old[0].start - 0.05 <= w.start < old[-1].end]
        if _better(old, new, hotwords, settings):
            words = (*seg.words[:a], *new, *seg.words[b:])
            segments[seg_i] = replace(seg, words=words, text="".join(w.text for w in words))
            kept += 1
    log.info("relistened to %d stretches, kept %d", len(runs), kept)
    seconds = sum(end - start for start, end in stretches)
    return replace(transcript, segments=tuple(segments)), seconds


def _runs(
    transcript: Transcript,
    unsure: Callable[[Word], bool],
    settings: RelistenSettings,
    duration: float,
) -> list[tuple[int, int, int]]:
    """(segment, first word, end word) around unsure words, merged, least sure first, capped."""
    found: list[tuple[float, int, int, int]] = []
    ctx = settings.context_words
    for seg_i, seg in enumerate(transcript.segments):
        spans: list[list[int]] = []
        for i, w in enumerate(seg.words):
            if not unsure(w):
                continue
            a, b = max(0, i - ctx), min(len(seg.words), i + ctx + 1)
            if spans and a <= spans[-1][1]:
                spans[-1][1] = b
            else:
                spans.append([a, b])
        for a, b in spans:
            probs = [w.probability for w in seg.words[a:b]]
            found.append((sum(probs) / len(probs), seg_i, a, b))
    chosen: list[tuple[int, int, int]] = []
    used, limit = 0.0, settings.max_fraction * duration
    for _prob, seg_i, a, b in sorted(found):
        words = transcript.segments[seg_i].words
        length = words[b - 1].end - words[a].start + 2 * PAD_S
        if used + length <= limit:
            used += length
            chosen.append((seg_i, a, b))
    return sorted(chosen)


def _better(
    old: Sequence[Word], new: Sequence[Word], hotwords: str, settings: RelistenSettings
) -> bool:
    """New words replace old ones only when surer, about as many, and not the prompt copied."""
    if not new or not 0.6 <= len(new) / len(old) <= 1.6:
        return False
    text = " ".join(w.text.strip(" ,.;:?!").lower() for w in new)
    prompt_terms = [t.strip().lower() for t in hotwords.split(",") if t.strip()]
    if sum(1 for t in prompt_terms if t in text) > 1:
        return False  # more than one hotword in a few words: the prompt leaking
    return _mean_probability(new) >= _mean_probability(old) + settings.min_gain


def _mean_probability(words: Sequence[Word]) -> float:
    return sum(w.probability for w in words) / len(words)
