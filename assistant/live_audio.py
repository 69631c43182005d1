"""Audio for live dictation: sources (microphone, replayed file), streaming VAD and a recorder.

A source yields float32 mono 16 kHz blocks. The recorder writes each block to disk as it
arrives, so a crash loses at most the block in hand; the streaming VAD scores each 32 ms frame
with the Silero model that faster-whisper ships (no download).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from assistant.errors import DictationError

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000
FRAME = 512  # Silero VAD frame: 32 ms at 16 kHz


class AudioSource(Protocol):
    """Anything that yields float32 mono 16 kHz blocks until it ends or is stopped."""

    def blocks(self) -> Iterator[np.ndarray]: ...

    def stop(self) -> None: ...


class FileSource:
    """Replays samples as if spoken: paced in real time, or as fast as they are read."""

    def __init__(self, samples: np.ndarray, *, realtime: bool = False, block: int = 1600) -> None:
        self.samples = np.asarray(samples, dtype=np.float32)
        self.realtime = realtime
        self.block = block
        self.started_at: float | None = None  # wall time of audio time 0 (for latency)
        self._stop = threading.Event()

    def blocks(self) -> Iterator[np.ndarray]:
        self.started_at = time.monotonic()
        for offset in range(0, len(self.samples), self.block):
            if self._stop.is_set():
                return
            chunk = self.samples[offset : offset + self.block]
            if self.realtime:
                # A microphone hands a block over only once it has been spoken.
                due = self.started_at + (offset + len(chunk)) / SAMPLE_RATE
                delay = due - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            yield chunk

    def stop(self) -> None:
        self._stop.set()


def _sounddevice():
    try:
        import sounddevice
    except OSError as e:  # the PortAudio shared library is missing
        raise DictationError(
            "PortAudio is not installed, so no microphone can be opened "
            "(Debian/Ubuntu: apt-get install libportaudio2)."
        ) from e
    return sounddevice


@dataclass(frozen=True)
class InputDevice:
    index: int
    name: str
    channels: int
    default_samplerate: float
    is_default: bool


def list_input_devices() -> list[InputDevice]:
    sd = _sounddevice()
    try:
        devices = sd.query_devices()
        default_in = sd.default.device[0]
    except sd.PortAudioError as e:
        raise DictationError(f"Cannot list audio devices: {e}") from e
    return [
        InputDevice(i, d["name"], d["max_input_channels"], d["default_samplerate"], i == default_in)
        for i, d in enumerate(devices)
        if d["max_input_channels"] > 0
    ]


class MicrophoneSource:
    """Records from a PortAudio input device; reopens it after a device error.

    Blocks are handed from PortAudio's callback thread through a queue, so a slow decode never
    makes the device drop audio.
    """

    def __init__(
        self,
        device: str | int | None = None,
        *,
        block: int = 1600,
        max_reopen_attempts: int = 10,
        max_seconds: float | None = None,
        on_message=None,
    ) -> None:
        self.device = device
        self.max_samples = int(max_seconds * SAMPLE_RATE) if max_seconds else None
        self.block = block
        self.max_reopen_attempts = max_reopen_attempts
        self.on_message = on_message or (lambda text: log.warning("%s", text))
        self.started_at: float | None = None
        self._queue: queue.Queue[np.ndarray] = queue.Queue()
        self._stop = threading.Event()
        self._sd = _sounddevice()
        self._check_device()

    def _check_device(self) -> None:
        sd = self._sd
        try:
            sd.check_input_settings(
                device=self.device, samplerate=SAMPLE_RATE, channels=1, dtype="float32"
            )
        except (sd.PortAudioError, ValueError) as e:
            which = f"'{self.device}'" if self.device is not None else "the default input"
            raise DictationError(
                f"Cannot record from {which}: {e}. List devices with `assistant devices`."
            ) from e

    def _open(self):
        def callback(indata, frames, time_info, status):  # PortAudio's thread
            if status.input_overflow:
                log.warning("microphone input overflow: some audio was dropped")
            self._queue.put(indata[:, 0].copy())

        stream = self._sd.InputStream(
            device=self.device,
            samplerate=SAMPLE_RATE,
            channels=1,
            dtype="float32",
            blocksize=self.block,
            callback=callback,
        )
        stream.start()
        return stream

    def blocks(self) -> Iterator[np.ndarray]:
        sd = self._sd
        attempts = 0
        stream = None
        delivered = 0
        self.started_at = time.monotonic()
        try:
            while not self._stop.is_set():
                if stream is None:
                    try:
                        stream = self._open()
                        attempts = 0
                    except sd.PortAudioError as e:
                        attempts += 1
                        if attempts > self.max_reopen_attempts:
                            raise DictationError(f"The microphone is unavailable: {e}") from e
                        self.on_message(f"Microphone error ({e}); retrying ({attempts})...")
                        time.sleep(1.0)
                        continue
                try:
                    block = self._queue.get(timeout=0.5)
                except queue.Empty:
                    if not stream.active:  # unplugged or failed: say so and reopen
                        self.on_message("The microphone stopped; reopening it...")
                        stream.close()
                        stream = None
                    continue
                if self.max_samples is not None:
                    block = block[: self.max_samples - delivered]
                    if delivered + len(block) >= self.max_samples:
                        self._stop.set()
                delivered += len(block)
                yield block
        finally:
            if stream is not None:
                stream.close()

    def stop(self) -> None:
        self._stop.set()


class StreamingVad:
    """Silero VAD scored frame by frame, carrying the model state between frames."""

    def __init__(self) -> None:
        from faster_whisper.vad import get_vad_model

        self._session = get_vad_model().session
        self._state = np.zeros((1, 1, 128), dtype=np.float32), np.zeros((1, 1, 128), np.float32)
        self._context = np.zeros((1, 64), dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)

    def feed(self, samples: np.ndarray) -> list[float]:
        """Speech probability of each complete 32 ms frame in what has arrived so far."""
        self._pending = np.concatenate([self._pending, samples])
        probs = []
        while len(self._pending) >= FRAME:
            frame, self._pending = self._pending[:FRAME], self._pending[FRAME:]
            batch = np.concatenate([self._context, frame[None, :]], axis=1)
            h, c = self._state
            out, h, c = self._session.run(None, {"input": batch, "h": h, "c": c})
            self._state = (h, c)
            self._context = frame[None, -64:]
            probs.append(float(np.asarray(out).reshape(-1)[0]))
        return probs


class Recorder:
    """Writes blocks to a WAV file as they arrive; `finish()` keeps a lossless FLAC copy."""

    def __init__(self, path: Path) -> None:
        import soundfile

        self.wav_path = path.with_suffix(".wav")
        self.wav_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._file = soundfile.SoundFile(
                self.wav_path, "w", samplerate=SAMPLE_RATE, channels=1, subtype="PCM_16"
            )
        except (OSError, RuntimeError) as e:
            raise DictationError(f"Cannot write the recording to {self.wav_path}: {e}") from e
        self.frames = 0

    def write(self, block: np.ndarray) -> None:
        self._file.write(block)
        self.frames += len(block)
        # Flushing updates the header too: after a crash the file is playable up to here.
        self._file.flush()

    def finish(self) -> Path:
        """Close the WAV and convert it to FLAC (lossless, about half the size)."""
        import soundfile

        self._file.close()
        flac_path = self.wav_path.with_suffix(".flac")
        data, rate = soundfile.read(self.wav_path, dtype="int16")
        soundfile.write(flac_path, data, rate, subtype="PCM_16", format="FLAC")
        self.wav_path.unlink()
        return flac_path

    @property
    def duration(self) -> float:
        return self.frames / SAMPLE_RATE
