"""Dictation playback for the editor: speed change, position tracking, word-at-time look-up.

UI-free. Output goes through sounddevice (PortAudio); when PortAudio or an output device is
missing (CI, SSH without audio) ``Player.start`` raises ``AudioError(reason="no_playback")``
whose message says why, and everything else (position, seeking, word look-up) still works, so
the editor stays usable.

Speed (0.5x-2x) is applied by reading the source at fractional steps with linear
interpolation (numpy), block by block in the output callback: changing speed takes effect at
the next block and needs no precomputed copy of the audio. Pitch changes with speed, as on a
tape transcriber.
"""

from __future__ import annotations

import bisect
import logging
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

import numpy as np

from assistant.errors import AudioError
from assistant.models import Word

log = logging.getLogger(__name__)

MIN_SPEED, MAX_SPEED = 0.5, 2.0


def output_problem() -> str | None:
    """Why audio cannot be played here (missing PortAudio, no output device), or None."""
    try:
        import sounddevice as sd
    except OSError as e:  # the PortAudio library itself is missing
        log.info("PortAudio cannot load: %s", e)
        return "PortAudio is not installed (libportaudio2)"
    try:
        sd.query_devices(kind="output")
    except (sd.PortAudioError, ValueError) as e:
        log.info("no output device: %s", e)
        return "no audio output device"
    return None


def stretch_block(
    samples: np.ndarray, position: float, frames: int, speed: float
) -> tuple[np.ndarray, float]:
    """``frames`` output samples read from ``position`` at ``speed``; and the new position.

    Past the end of ``samples`` the block is padded with silence.
    """
    steps = position + np.arange(frames, dtype=np.float64) * speed
    inside = steps < len(samples) - 1
    out = np.zeros(frames, dtype=np.float32)
    if inside.any():
        src = np.arange(len(samples), dtype=np.float64)
        out[inside] = np.interp(steps[inside], src, samples).astype(np.float32)
    return out, position + frames * speed


class Player:
    """Plays mono samples; thread-safe position, speed and play/pause.

    ``stream_factory(samplerate, callback) -> stream`` opens the output (sounddevice's
    ``OutputStream`` by default); the stream's callback runs on PortAudio's thread.
    """

    def __init__(
        self,
        samples: np.ndarray,
        sample_rate: int,
        stream_factory: Callable[[int, Callable[..., None]], Any] | None = None,
    ) -> None:
        self.samples = np.ascontiguousarray(samples, dtype=np.float32).reshape(-1)
        self.sample_rate = sample_rate
        self._factory = stream_factory or _sounddevice_stream
        self._lock = threading.Lock()
        self._pos = 0.0  # in source samples
        self._speed = 1.0
        self._playing = False
        self._stream: Any = None

    # -- state ----------------------------------------------------------------------------------

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate

    @property
    def position(self) -> float:
        with self._lock:
            return self._pos / self.sample_rate

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def playing(self) -> bool:
        return self._playing

    def seek(self, seconds: float) -> float:
        with self._lock:
            self._pos = min(max(0.0, seconds), self.duration) * self.sample_rate
            return self._pos / self.sample_rate

    def skip(self, seconds: float) -> float:
        return self.seek(self.position + seconds)

    def set_speed(self, speed: float) -> float:
        with self._lock:
            self._speed = round(min(max(MIN_SPEED, speed), MAX_SPEED), 2)
            return self._speed

    # -- transport --------------------------------------------------------------------------------

    def start(self) -> None:
        """Start or resume playing; AudioError(reason="no_playback") says why it cannot."""
        if self._stream is None:
            self._stream = self._factory(self.sample_rate, self._callback)
        if self.position >= self.duration:
            self.seek(0.0)
        self._playing = True
        self._stream.start()

    def pause(self, backstep: float = 0.0) -> None:
        """Stop playing and step back ``backstep`` seconds (the transcriber's auto-backstep)."""
        self._playing = False
        if self._stream is not None:
            self._stream.stop()
        if backstep:
            self.skip(-backstep)

    def close(self) -> None:
        self._playing = False
        if self._stream is not None:
            self._stream.close()
            self._stream = None

    def _callback(self, outdata: np.ndarray, frames: int, _time: Any, _status: Any) -> None:
        with self._lock:
            if not self._playing:
                outdata[:] = 0
                return
            block, self._pos = stretch_block(self.samples, self._pos, frames, self._speed)
            self._pos = min(self._pos, float(len(self.samples)))
            if self._pos >= len(self.samples):
                self._playing = False
        outdata[:, 0] = block


def _sounddevice_stream(sample_rate: int, callback: Callable[..., None]) -> Any:
    problem = output_problem()
    if problem is not None:
        raise AudioError(f"Cannot play: {problem}.", reason="no_playback")
    import sounddevice as sd

    try:
        return sd.OutputStream(
            samplerate=sample_rate, channels=1, dtype="float32", callback=callback
        )
    except sd.PortAudioError as e:
        raise AudioError(f"Cannot play: {e}.", reason="no_playback") from e


# -- words and time ----------------------------------------------------------------------------


def word_at(words: Sequence[Word], seconds: float) -> int | None:
    """Index of the word being spoken at ``seconds`` (the last one started), or None before."""
    starts = [w.start for w in words]
    i = bisect.bisect_right(starts, seconds) - 1
    return i if i >= 0 else None


@dataclass(frozen=True)
class WordSpan:
    """Where transcript word ``index`` sits in the edited text (character offsets)."""

    index: int
    start: int
    end: int


_TOKEN = re.compile(r"[A-Za-z0-9']+")


def _norm(token: str) -> str:
    return token.lower().strip("'")


def align_words(words: Sequence[Word], text: str) -> list[WordSpan]:
    """Map transcript words to spans of ``text`` (formatted or edited), in order.

    Words that formatting or editing changed are matched when their neighbours anchor them;
    words with no counterpart are left out (they have no place to highlight).
    """
    tokens = [(m.start(), m.end(), _norm(m.group(0))) for m in _TOKEN.finditer(text)]
    heard: list[tuple[int, str]] = []
    for i, w in enumerate(words):
        for piece in _TOKEN.findall(w.text):
            heard.append((i, _norm(piece)))
    matcher = SequenceMatcher(None, [h[1] for h in heard], [t[2] for t in tokens], autojunk=False)
    spans: dict[int, WordSpan] = {}
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and a1 - a0 == b1 - b0):
            for k in range(a1 - a0):
                index = heard[a0 + k][0]
                start, end, _ = tokens[b0 + k]
                old = spans.get(index)
                spans[index] = WordSpan(index, old.start if old else start, end)
    return [spans[i] for i in sorted(spans)]
