"""Audio in: every format decodes to the same 16 kHz mono audio; every bad file gets its error.

All fixtures are made here with PyAV and numpy (no ffmpeg binary needed).
"""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from assistant.audio import (
    AUDIO_EXTENSIONS,
    SAMPLE_RATE,
    detect_speech,
    file_sha256,
    load_audio,
)
from assistant.errors import AudioError


def encode(path: Path, samples: np.ndarray, codec: str, rate: int = SAMPLE_RATE) -> Path:
    """Write mono float samples at 16 kHz with ``codec`` (PyAV resamples for the encoder)."""
    pcm = (np.clip(samples, -1, 1) * 32767).astype(np.int16)
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=rate, layout="mono")
        resampler = av.AudioResampler(format=stream.codec_context.format, layout="mono", rate=rate)
        for start in range(0, len(pcm), 1024):
            frame = av.AudioFrame.from_ndarray(
                pcm[start : start + 1024].reshape(1, -1), format="s16", layout="mono"
            )
            frame.sample_rate = SAMPLE_RATE
            for out in resampler.resample(frame):
                container.mux(stream.encode(out))
        for out in resampler.resample(None):
            container.mux(stream.encode(out))
        container.mux(stream.encode(None))
    return path


def video_only(path: Path) -> Path:
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(10):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), i * 20, np.uint8), "rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


@pytest.fixture(scope="module")
def speech(spoken_wav: Path) -> np.ndarray:
    return load_audio(spoken_wav).samples


@pytest.fixture(scope="module")
def speech_mp3(speech: np.ndarray, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return encode(tmp_path_factory.mktemp("mp3") / "speech.mp3", speech, "libmp3lame")


def test_wav_decodes_to_16k_mono_float32(spoken_wav: Path) -> None:
    clip = load_audio(spoken_wav)
    assert clip.samples.dtype == np.float32 and clip.samples.ndim == 1
    assert clip.duration == pytest.approx(len(clip.samples) / SAMPLE_RATE)
    assert 5 < clip.duration < 12
    assert clip.sha256 == file_sha256(spoken_wav)
    assert clip.source == spoken_wav
    assert clip.declared_duration == pytest.approx(clip.duration, abs=0.05)
    assert not clip.partial
    assert detect_speech(clip)


@pytest.mark.parametrize(
    ("name", "codec", "rate"),
    [
        ("a.flac", "flac", 16000),
        ("a.mp3", "libmp3lame", 16000),
        ("a.ogg", "libopus", 48000),
        ("a.opus", "libopus", 48000),
        ("a.m4a", "aac", 44100),
        ("a.mp4", "aac", 44100),  # the audio track of a video container
    ],
)
def test_formats_decode_to_the_same_audio(
    speech: np.ndarray, tmp_path: Path, name: str, codec: str, rate: int
) -> None:
    clip = load_audio(encode(tmp_path / name, speech, codec, rate))
    assert Path(name).suffix in AUDIO_EXTENSIONS
    # Lossy codecs add encoder delay and padding (tens of ms), never whole seconds.
    assert clip.duration == pytest.approx(len(speech) / SAMPLE_RATE, abs=0.1)
    assert not clip.partial
    level = float(np.sqrt(np.mean(speech**2)))
    assert float(np.sqrt(np.mean(clip.samples**2))) == pytest.approx(level, rel=0.2)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="not found") as e:
        load_audio(tmp_path / "nope.wav")
    assert e.value.reason == "missing"


def test_folder_is_not_audio(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="folder") as e:
        load_audio(tmp_path)
    assert e.value.reason == "not_audio"


def test_zero_bytes(tmp_path: Path) -> None:
    (tmp_path / "empty.wav").write_bytes(b"")
    with pytest.raises(AudioError, match="empty") as e:
        load_audio(tmp_path / "empty.wav")
    assert e.value.reason == "empty"


@pytest.mark.parametrize("suffix", [".wav", ".mp3", ".bin"])
def test_random_bytes_are_not_audio(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"random{suffix}"
    path.write_bytes(np.random.default_rng(7).bytes(50_000))
    with pytest.raises(AudioError) as e:
        load_audio(path)
    assert e.value.reason == "not_audio"
    assert str(path) in str(e.value)


def test_video_without_audio(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="no audio track") as e:
        load_audio(video_only(tmp_path / "video.mp4"))
    assert e.value.reason == "no_audio_stream"


def test_unknown_codec_in_wav(spoken_wav: Path, tmp_path: Path) -> None:
    data = bytearray(spoken_wav.read_bytes())
    fmt = data.find(b"fmt ")
    data[fmt + 8 : fmt + 10] = (0x7777).to_bytes(2, "little")  # no such WAVE format tag
    (tmp_path / "odd.wav").write_bytes(bytes(data))
    with pytest.raises(AudioError, match="codec is not supported") as e:
        load_audio(tmp_path / "odd.wav")
    assert e.value.reason == "unsupported_codec"


def test_truncated_mp3_is_partial(speech_mp3: Path, tmp_path: Path) -> None:
    data = speech_mp3.read_bytes()
    (tmp_path / "cut.mp3").write_bytes(data[: len(data) // 2])
    clip = load_audio(tmp_path / "cut.mp3")
    full = load_audio(speech_mp3).duration
    assert clip.partial
    assert clip.declared_duration == pytest.approx(full, abs=0.1)
    assert clip.duration < 0.7 * full


def test_mp3_with_garbage_in_the_middle_is_partial(speech_mp3: Path, tmp_path: Path) -> None:
    data = speech_mp3.read_bytes()
    third = len(data) // 3
    garbage = np.random.default_rng(3).bytes(third)
    (tmp_path / "bad.mp3").write_bytes(data[:third] + garbage + data[2 * third :])
    clip = load_audio(tmp_path / "bad.mp3")
    assert clip.partial
    assert clip.declared_duration is not None and clip.duration < clip.declared_duration


def test_wav_header_claiming_more_data_is_partial(spoken_wav: Path, tmp_path: Path) -> None:
    data = spoken_wav.read_bytes()
    (tmp_path / "cut.wav").write_bytes(data[: len(data) // 2])
    clip = load_audio(tmp_path / "cut.wav")
    full = load_audio(spoken_wav).duration
    assert clip.partial
    assert clip.declared_duration == pytest.approx(full, abs=0.05)
    assert clip.duration == pytest.approx(full / 2, abs=0.1)


def test_silence_is_no_speech(tmp_path: Path) -> None:
    clip = load_audio(encode(tmp_path / "silence.flac", np.zeros(30 * SAMPLE_RATE), "flac"))
    assert clip.duration == pytest.approx(30.0)
    assert not detect_speech(clip)


def test_white_noise_is_no_speech(tmp_path: Path) -> None:
    noise = np.random.default_rng(0).normal(0, 0.2, 10 * SAMPLE_RATE)
    clip = load_audio(encode(tmp_path / "noise.flac", noise, "flac"))
    assert not detect_speech(clip)
