"""Audio in: decode any container PyAV reads to 16 kHz mono float32, and check it first.

Every way a file can be unusable becomes an ``AudioError`` with a ``reason`` a batch job can
record (missing, empty, not_audio, no_audio_stream, unsupported_codec). A file that decodes to
much less audio than its container declares (a cut, or garbage in the middle of an MP3, which
FFmpeg skips silently) is returned but marked ``partial`` with both durations, so nobody files a
report made from half a dictation without knowing.
"""

from __future__ import annotations

import hashlib
import logging
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from assistant.errors import AudioError

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000

# Containers we scan for in batch folders (video containers included: we use their audio track).
AUDIO_EXTENSIONS: frozenset[str] = frozenset(
    {".wav", ".flac", ".mp3", ".ogg", ".oga", ".opus", ".m4a", ".aac", ".wma", ".webm"}
    | {".mp4", ".mov", ".mkv", ".avi"}
)

# A clip is partial when it decodes to less than this share of the declared duration and the gap
# is longer than PARTIAL_MIN_GAP seconds (declared durations of VBR MP3s are estimates).
PARTIAL_RATIO = 0.9
PARTIAL_MIN_GAP = 1.0


@dataclass(frozen=True, eq=False)
class AudioClip:
    """Decoded audio ready for the model, with what is needed to trace it back to its file."""

    samples: np.ndarray  # float32, mono, SAMPLE_RATE
    duration: float  # seconds actually decoded
    sha256: str  # of the file's bytes
    source: Path | None = None
    declared_duration: float | None = None  # what the container/header says, if anything
    partial: bool = False  # decoded much less than declared

    @classmethod
    def from_array(cls, samples: np.ndarray, source: Path | None = None) -> AudioClip:
        """Wrap samples already at 16 kHz mono (live dictation, tests); hashes the samples."""
        samples = np.ascontiguousarray(samples, dtype=np.float32)
        digest = hashlib.sha256(samples.tobytes()).hexdigest()
        return cls(samples, len(samples) / SAMPLE_RATE, digest, source)


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes, read in chunks so long recordings do not fill memory."""
    with open(path, "rb") as f:
        return stream_sha256(f)


def stream_sha256(f: BinaryIO) -> str:
    """SHA-256 of what is left to read in an open binary file, in 1 MiB chunks."""
    digest = hashlib.sha256()
    for chunk in iter(lambda: f.read(1 << 20), b""):
        digest.update(chunk)
    return digest.hexdigest()


def load_audio(path: str | Path) -> AudioClip:
    """Decode ``path`` to 16 kHz mono float32, or raise AudioError saying what is wrong."""
    path = Path(path)
    _check_file(path)
    declared = _max_known(_probe(path), _wav_header_duration(path))
    samples = _decode(path)
    duration = len(samples) / SAMPLE_RATE
    if len(samples) == 0:
        raise AudioError(
            f"{path}: no audio could be decoded; the file is damaged or not audio.",
            reason="not_audio",
        )
    partial = _is_partial(duration, declared)
    digest = file_sha256(path)
    if partial:  # file names may name patients: log the hash only
        log.info("audio %s decoded to %.1fs of a declared %.1fs", digest[:12], duration, declared)
    return AudioClip(samples, duration, digest, path, declared, partial)


def _check_file(path: Path) -> None:
    if not path.exists():
        raise AudioError(f"{path}: file not found.", reason="missing")
    if path.is_dir():
        raise AudioError(f"{path}: is a folder, not an audio file.", reason="not_audio")
    if path.stat().st_size == 0:
        raise AudioError(f"{path}: file is empty (0 bytes).", reason="empty")


def _probe(path: Path) -> float | None:
    """Open the container, check it has a decodable audio track, return its declared duration."""
    import av

    try:
        container = av.open(str(path), mode="r", metadata_errors="ignore")
    except av.FFmpegError as e:
        raise AudioError(
            f"{path}: not a recognised audio or video file ({_ffmpeg_reason(e)}).",
            reason="not_audio",
        ) from e
    with container:
        if not container.streams.audio:
            kind = "video file" if container.streams.video else "file"
            raise AudioError(
                f"{path}: this {kind} has no audio track; nothing to transcribe.",
                reason="no_audio_stream",
            )
        stream = container.streams.audio[0]
        codec = stream.codec_context
        if codec is None or not getattr(codec, "name", None) or codec.name == "none":
            raise AudioError(
                f"{path}: the audio codec is not supported; convert the file to WAV or FLAC.",
                reason="unsupported_codec",
            )
        if stream.duration is not None and stream.time_base is not None:
            return float(stream.duration * stream.time_base)
        if container.duration is not None:
            return container.duration / av.time_base
    return None


def _wav_header_duration(path: Path) -> float | None:
    """Duration a RIFF/WAVE header claims; FFmpeg trusts the file size instead, so a cut WAV
    would otherwise look complete."""
    with open(path, "rb") as f:
        head = f.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return None
        byte_rate = 0
        while chunk := f.read(8):
            if len(chunk) < 8:
                return None
            chunk_id, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
            if chunk_id == b"fmt ":
                fmt = f.read(size + size % 2)
                byte_rate = struct.unpack("<I", fmt[8:12])[0] if len(fmt) >= 12 else 0
            elif chunk_id == b"data":
                # 0 and 0xFFFFFFFF are placeholders written by streaming recorders.
                if not byte_rate or size in (0, 0xFFFFFFFF):
                    return None
                return size / byte_rate
            else:
                f.seek(size + size % 2, 1)
    return None


def _max_known(*values: float | None) -> float | None:
    known = [v for v in values if v]
    return max(known) if known else None


def _decode(path: Path) -> np.ndarray:
    import av
    from faster_whisper.audio import decode_audio

    try:
        samples = decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    except av.error.DecoderNotFoundError as e:
        raise AudioError(
            f"{path}: the audio codec is not supported; convert the file to WAV or FLAC.",
            reason="unsupported_codec",
        ) from e
    except (av.FFmpegError, ValueError, IndexError) as e:
        raise AudioError(
            f"{path}: the audio could not be decoded ({_ffmpeg_reason(e)}); "
            "the file may be damaged.",
            reason="not_audio",
        ) from e
    return np.asarray(samples, dtype=np.float32)


def _ffmpeg_reason(e: Exception) -> str:
    # PyAV errors carry the FFmpeg message; drop the file name it repeats.
    return getattr(e, "strerror", None) or type(e).__name__


def _is_partial(duration: float, declared: float | None) -> bool:
    if not declared or declared <= 0:
        return False
    return duration < declared * PARTIAL_RATIO and declared - duration > PARTIAL_MIN_GAP


def speech_timestamps(clip: AudioClip) -> list[dict[str, int]]:
    """Speech regions (sample offsets) found by faster-whisper's Silero VAD."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    if clip.duration == 0:
        return []
    options = VadOptions(min_speech_duration_ms=250, min_silence_duration_ms=500)
    return get_speech_timestamps(clip.samples, options, sampling_rate=SAMPLE_RATE)


def detect_speech(clip: AudioClip) -> bool:
    """False for silence and for noise: such audio is reported as "no speech", not transcribed.

    Silero VAD ignores steady noise; we require at least half a second of speech in total so a
    click or a cough does not send a silent file to the model (which would invent text).
    """
    regions = speech_timestamps(clip)
    speech = sum(r["end"] - r["start"] for r in regions) / SAMPLE_RATE
    return speech >= 0.5
