"""Live dictation: text appears as the physician speaks, and confirmed words never change.

Design (for a 2-core CPU): voice-activity detection splits the stream into utterances at
pauses. While an utterance grows, it is re-decoded greedily every `partial_interval` seconds;
words on which two successive decodes agree are confirmed (the LocalAgreement-2 policy of
whisper_streaming). When the speaker pauses, the whole utterance (at most `max_utterance`
seconds, so a decode stays well under a second) is decoded once more with word timings and the
rest of it is confirmed. Decoding one short utterance instead of a sliding 30 s window is what
keeps the delay near the decode time of a phrase.
"""

from __future__ import annotations

import difflib
import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

import numpy as np

from assistant.live_audio import FRAME, SAMPLE_RATE, AudioSource, Recorder, StreamingVad
from assistant.models import Correction, Segment

log = logging.getLogger(__name__)

# decode(samples, final) -> segments of that audio (final: with word timestamps)
Decoder = Callable[[np.ndarray, bool], list[Segment]]
# correct(segments of one final decode) -> (segments, corrections timed within them)
Corrector = Callable[[list[Segment]], tuple[list[Segment], list[Correction]]]
# "end dictation" closes the dictation when it is the last thing said before a pause; tiny
# models often hear "and dictation", which no one says at the end of a phrase either.
STOP_COMMANDS = {("end", "dictation"), ("and", "dictation"), ("stop", "dictation")}


@dataclass(frozen=True)
class LiveSettings:
    partial_interval: float = 0.4  # seconds of new audio between partial decodes
    min_silence: float = 0.45  # a pause this long ends an utterance
    max_utterance: float = 6.0  # then close the utterance at the next dip, so decodes stay short
    speech_threshold: float = 0.5
    preroll: float = 0.3  # audio kept before speech starts, so first syllables are not cut
    final_beam: int = 1  # beam of an utterance's final decode; greedy measured faster, as good
    # The final decode hears this much of the pause that ended the utterance: a longer
    # silence invites words that were never said (tiny.en adds a hotword there).
    final_pause: float = 0.2


@dataclass(frozen=True)
class LiveEvent:
    """What the display needs after each step of the engine."""

    kind: str  # "partial" | "confirmed" | "utterance_end" | "stopped"
    confirmed: str  # every confirmed word so far, raw
    tentative: str  # the unconfirmed tail of the current utterance
    text: str  # the confirmed text formatted as a clinician writes it
    audio_time: float  # seconds of audio consumed when the event was emitted
    wall_time: float  # time.monotonic() at emission
    new_words: tuple[str, ...] = ()
    speech_end: float | None = None  # for utterance_end: audio time the speaker paused


def _norm(word: str) -> str:
    return re.sub(r"[^\w']", "", word.lower())


def _common_prefix(a: list[str], b: list[str]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if _norm(x) != _norm(y):
            break
        n += 1
    return n


def _any_word(word: str) -> bool:
    return True


@dataclass
class LocalAgreement:
    """Confirms the words on which two successive hypotheses of one utterance agree.

    ``real_word`` stops confirmation at the first agreed token that is no word at all: a
    prompt-biased decode of a second of audio can repeat the same garble ("lipation") twice,
    and once confirmed it could never be taken back. The utterance's final decode decides it.
    """

    confirmed: list[str] = field(default_factory=list)
    previous: list[str] = field(default_factory=list)
    real_word: Callable[[str], bool] = _any_word

    def insert(self, hypothesis: list[str]) -> list[str]:
        # Compare what each hypothesis says after the confirmed words: a decode may re-split
        # earlier words ("7-5" -> "7.5"), so positions alone would repeat or skip words.
        previous_tail = self.previous[_aligned_end(self.confirmed, self.previous) :]
        tail = hypothesis[_aligned_end(self.confirmed, hypothesis) :]
        agreed = tail[: _common_prefix(previous_tail, tail)]
        garbled = [i for i, word in enumerate(agreed) if not self.real_word(word)]
        new = agreed[: garbled[0]] if garbled else agreed
        self.confirmed += new
        self.previous = hypothesis
        return new

    def tentative(self) -> list[str]:
        return self.previous[_aligned_end(self.confirmed, self.previous) :]

    def finish(self, final: list[str]) -> list[str]:
        """Confirm what the final decode adds after the words already confirmed."""
        start = _aligned_end(self.confirmed, final)
        new = final[start:]
        self.confirmed, self.previous = [], []
        return new


def _aligned_end(confirmed: list[str], final: list[str]) -> int:
    """Index in `final` just after the words that correspond to `confirmed`."""
    n = len(confirmed)
    if n == 0:
        return 0
    if _common_prefix(confirmed, final) == n:
        return n
    matcher = difflib.SequenceMatcher(
        a=[_norm(w) for w in confirmed], b=[_norm(w) for w in final], autojunk=False
    )
    blocks = [b for b in matcher.get_matching_blocks() if b.size and b.a < n]
    if not blocks:
        return min(n, len(final))
    last = blocks[-1]
    return min(len(final), last.b + (n - last.a))


class LiveEngine:
    """Turns a stream of audio blocks into partial and confirmed dictation text."""

    def __init__(
        self,
        decode: Decoder,
        settings: LiveSettings | None = None,
        formatter: Callable[[str], str] | None = None,
        recorder: Recorder | None = None,
        real_word: Callable[[str], bool] = _any_word,
        correct: Corrector | None = None,
    ) -> None:
        self.decode = decode
        self.real_word = real_word
        self.correct = correct
        self.corrections: list[Correction] = []  # timed against the recording
        self.settings = settings or LiveSettings()
        self.formatter = formatter or (lambda raw: raw)
        self.recorder = recorder
        self.words: list[str] = []  # every confirmed word, raw
        self.segments: list[Segment] = []  # final decodes, timed against the whole recording
        self.stopped_by_voice = False

    # -- public ---------------------------------------------------------------------------

    def run(self, source: AudioSource) -> Iterator[LiveEvent]:
        s = self.settings
        vad = StreamingVad()
        preroll = int(s.preroll * SAMPLE_RATE)
        consumed = 0  # samples received so far
        idle = np.zeros(0, dtype=np.float32)  # recent audio before speech starts
        utterance: np.ndarray | None = None
        utterance_start = 0
        silence = 0
        decoded_at = 0
        agreement = LocalAgreement(real_word=self.real_word)

        for block in source.blocks():
            if self.recorder is not None:
                self.recorder.write(block)
            consumed += len(block)
            frame_probs = vad.feed(block)
            if utterance is None:
                idle = np.concatenate([idle, block])[-(preroll + len(block)) :]
                if not any(p >= s.speech_threshold for p in frame_probs):
                    continue
                utterance, idle = idle, np.zeros(0, dtype=np.float32)
                utterance_start = consumed - len(utterance)
                silence, decoded_at = 0, 0
            else:
                utterance = np.concatenate([utterance, block])
            for p in frame_probs:
                silence = silence + 1 if p < s.speech_threshold - 0.15 else 0

            paused = silence * FRAME >= s.min_silence * SAMPLE_RATE
            if paused or self._split_now(utterance, frame_probs):
                spoken = len(utterance) - silence * FRAME
                speech_end = (utterance_start + spoken) / SAMPLE_RATE
                if paused:
                    utterance = utterance[: spoken + int(s.final_pause * SAMPLE_RATE)]
                yield from self._finish_utterance(
                    utterance,
                    utterance_start,
                    agreement,
                    consumed,
                    speech_end if paused else None,
                )
                if self.stopped_by_voice:
                    break
                utterance = None
                continue

            due = len(utterance) - decoded_at >= s.partial_interval * SAMPLE_RATE
            if due and not self._behind(source, consumed):
                decoded_at = len(utterance)
                hypothesis = _words(self.decode(utterance, False))
                new = agreement.insert(hypothesis)
                yield from self._emit(new, agreement, consumed)

        if utterance is not None and not self.stopped_by_voice:
            yield from self._finish_utterance(utterance, utterance_start, agreement, consumed, None)
        yield self._event("stopped", (), [], consumed)

    @property
    def raw_text(self) -> str:
        return " ".join(self.words)

    # -- steps ----------------------------------------------------------------------------

    def _finish_utterance(
        self,
        audio: np.ndarray,
        start_sample: int,
        agreement: LocalAgreement,
        consumed: int,
        speech_end: float | None,
    ) -> Iterator[LiveEvent]:
        start = start_sample / SAMPLE_RATE
        segments = self.decode(audio, True)
        if self.correct is not None:
            # Words confirmed from partial decodes stay as shown; the lexicon fixes the rest,
            # which holds every garbled word (LocalAgreement never confirms those early).
            segments, corrections = self.correct(segments)
            words_before = sum(len(seg.words) for seg in self.segments)
            self.corrections += [_shifted_correction(c, start, words_before) for c in corrections]
        new = agreement.finish(_words(segments))
        self.words += new
        self.segments += [
            _shifted(seg, start, len(self.segments) + i) for i, seg in enumerate(segments)
        ]
        self._check_stop_command()
        yield self._event("utterance_end", tuple(new), [], consumed, speech_end)

    def _emit(self, new: list[str], agreement: LocalAgreement, consumed: int):
        if new:
            self.words += new
            yield self._event("confirmed", tuple(new), agreement.tentative(), consumed)
        yield self._event("partial", (), agreement.tentative(), consumed)

    def _check_stop_command(self) -> None:
        # The command ends the utterance, or is followed by one stray word: a biased decode
        # sometimes adds a word of its prompt after it ("and dictation disease").
        for size in (2, 3):
            tail = tuple(_norm(w) for w in self.words[-size:])
            if len(tail) == size and tail[:2] in STOP_COMMANDS:
                del self.words[-size:]
                self.stopped_by_voice = True
                return

    def _event(self, kind, new, tentative, consumed, speech_end=None) -> LiveEvent:
        raw = self.raw_text
        return LiveEvent(
            kind=kind,
            confirmed=raw,
            tentative=" ".join(tentative),
            text=self.formatter(raw),
            audio_time=consumed / SAMPLE_RATE,
            wall_time=time.monotonic(),
            new_words=tuple(new),
            speech_end=speech_end,
        )

    def _split_now(self, utterance: np.ndarray, frame_probs: list[float]) -> bool:
        """Close a long utterance at its next dip in speech (or at all, 2 s later).

        The whole utterance is closed, never a part: confirmed words may come from anywhere in
        it, so audio left over for the next utterance would be transcribed twice.
        """
        s = self.settings
        seconds = len(utterance) / SAMPLE_RATE
        if seconds < s.max_utterance:
            return False
        dip = bool(frame_probs) and frame_probs[-1] < s.speech_threshold
        return dip or seconds >= s.max_utterance + 2.0

    @staticmethod
    def _behind(source: AudioSource, consumed: int) -> bool:
        """True when blocks are waiting: skip partial decodes to catch up with the speaker."""
        started = getattr(source, "started_at", None)
        if started is None or not getattr(source, "realtime", True):
            return False
        return time.monotonic() - (started + consumed / SAMPLE_RATE) > 0.15


def _words(segments: list[Segment]) -> list[str]:
    return [w for seg in segments for w in seg.text.split()]


def _shifted(seg: Segment, offset: float, seg_id: int) -> Segment:
    """A segment of one utterance, re-timed against the start of the recording."""
    words = tuple(
        replace(w, start=round(w.start + offset, 3), end=round(w.end + offset, 3))
        for w in seg.words
    )
    return replace(
        seg,
        id=seg_id,
        start=round(seg.start + offset, 3),
        end=round(seg.end + offset, 3),
        words=words,
    )


def _shifted_correction(correction: Correction, offset: float, words_before: int) -> Correction:
    return replace(
        correction,
        start=round(correction.start + offset, 3),
        end=round(correction.end + offset, 3),
        word_index=correction.word_index + words_before if correction.word_index >= 0 else -1,
    )
