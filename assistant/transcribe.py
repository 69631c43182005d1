"""The transcription core: a ``Transcriber`` protocol and ``WhisperTranscriber`` on faster-whisper.

Decoding is set up against invented text (Whisper's known failure on silence and noise): voice
activity detection on, ``condition_on_previous_text=False`` (one bad window cannot seed the
next), word timestamps with ``hallucination_silence_threshold`` (skips text placed over long
silences). What still looks invented is kept but flagged by :func:`flag_segment`, so an editor
reviews it rather than it vanishing. Silence and noise never reach the model at all
(:func:`assistant.audio.detect_speech`).
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from assistant.audio import AudioClip, detect_speech, load_audio
from assistant.config import TranscriptionSettings
from assistant.errors import TranscriptionError
from assistant.models import Correction, Provenance, Segment, Transcript, Word

log = logging.getLogger(__name__)

DEFAULT_MODEL_NAME = "tiny.en"


@dataclass(frozen=True)
class DecodeOptions:
    """What faster-whisper is asked to do; recorded whole in each transcript's provenance."""

    beam_size: int = 5
    vad: bool = True
    language: str | None = "en"
    initial_prompt: str | None = None
    hotwords: str | None = None
    word_timestamps: bool = True
    condition_on_previous_text: bool = False
    hallucination_silence_threshold: float | None = 2.0
    temperature: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
    no_speech_threshold: float | None = 0.6
    log_prob_threshold: float | None = -1.0
    compression_ratio_threshold: float | None = 2.4
    vad_min_silence_ms: int = 1000
    # Cap on tokens decoded per 30 s window (None: Whisper's own limit). The vocabulary pipeline
    # sets it for biased decoding, where a hotword prompt can send tiny.en into a long loop.
    max_new_tokens: int | None = None
    # Forbid any run of this many tokens from appearing twice in a window (0: off). The
    # vocabulary pipeline sets it for biased decoding, where tiny.en can loop on one syllable.
    no_repeat_ngram_size: int = 0

    @classmethod
    def from_settings(cls, settings: TranscriptionSettings, **changes: Any) -> DecodeOptions:
        base = {
            "beam_size": settings.beam_size,
            "vad": settings.vad,
            "language": settings.language or None,
        }
        return cls(**{**base, **changes})  # a change overrides the setting it names

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["temperature"] = list(self.temperature)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DecodeOptions:
        known = {f.name for f in fields(cls)}
        kept = {k: v for k, v in data.items() if k in known}
        if "temperature" in kept:
            kept["temperature"] = tuple(kept["temperature"])
        return cls(**kept)


class Transcriber(Protocol):
    """Anything that turns a clip into segments as they decode (the real model, or a fake)."""

    model_name: str

    def transcribe(
        self, clip: AudioClip, options: DecodeOptions | None = None
    ) -> Iterator[Segment]: ...


class WhisperTranscriber:
    """faster-whisper with the bundled tiny.en (or any CTranslate2 Whisper folder), loaded once.

    One instance serves one worker thread at a time; CTranslate2 itself is thread-safe, but the
    segments generator is not meant to be shared.
    """

    def __init__(
        self, settings: TranscriptionSettings | None = None, cpu_threads: int | None = None
    ) -> None:
        self.settings = settings or TranscriptionSettings()
        threads = self.settings.cpu_threads if cpu_threads is None else cpu_threads
        self.model_path, self.model_name = _resolve_model(self.settings.model)
        self._model = _load_model(
            self.model_path,
            device=self.settings.device,
            compute_type=self.settings.compute_type,
            cpu_threads=threads,
        )
        self._model_hash: str | None = None

    @property
    def model(self) -> Any:
        """The underlying ``faster_whisper.WhisperModel`` (for benchmarks and the live engine)."""
        return self._model

    @property
    def model_hash(self) -> str:
        """SHA-256 over the model folder's files (computed once, on first use)."""
        if self._model_hash is None:
            self._model_hash = folder_sha256(self.model_path)
        return self._model_hash

    def default_options(self, **changes: Any) -> DecodeOptions:
        return DecodeOptions.from_settings(self.settings, **changes)

    def tokenizer_count(self, text: str) -> int:
        """How many Whisper tokens ``text`` takes as a prompt (what the 224-token limit counts)."""
        if not text.strip():
            return 0
        return len(self._model.hf_tokenizer.encode(" " + text.strip(), add_special_tokens=False))

    def transcribe(
        self, clip: AudioClip, options: DecodeOptions | None = None
    ) -> Iterator[Segment]:
        """Yield segments as faster-whisper decodes them (flags are added by transcribe_clip)."""
        opts = options or self.default_options()
        try:
            segments, _info = self._model.transcribe(
                clip.samples,
                language=opts.language,
                beam_size=opts.beam_size,
                temperature=list(opts.temperature),
                compression_ratio_threshold=opts.compression_ratio_threshold,
                log_prob_threshold=opts.log_prob_threshold,
                no_speech_threshold=opts.no_speech_threshold,
                condition_on_previous_text=opts.condition_on_previous_text,
                initial_prompt=opts.initial_prompt,
                hotwords=opts.hotwords,
                word_timestamps=opts.word_timestamps,
                hallucination_silence_threshold=opts.hallucination_silence_threshold,
                vad_filter=opts.vad,
                vad_parameters={"min_silence_duration_ms": opts.vad_min_silence_ms},
                max_new_tokens=opts.max_new_tokens,
                no_repeat_ngram_size=opts.no_repeat_ngram_size,
            )
            for seg in segments:
                yield _segment_from_whisper(seg)
        except (RuntimeError, ValueError) as e:
            raise TranscriptionError(f"Decoding failed with model {self.model_name}: {e}") from e


def _resolve_model(model: str | None) -> tuple[Path, str]:
    """(folder, display name) for a settings value: None, a model folder, or a model name."""
    if model is None:
        from assistant.resources import default_model_path

        return default_model_path(), DEFAULT_MODEL_NAME
    path = Path(model).expanduser()
    if path.is_dir():
        if not (path / "model.bin").is_file():
            raise TranscriptionError(
                f"{path} is not a CTranslate2 Whisper model folder (no model.bin in it)."
            )
        return path.resolve(), path.name
    if model.startswith(("/", ".", "~")) or "\\" in model:
        raise TranscriptionError(f"Model folder not found: {path}")
    return _cached_model(model), model


def _cached_model(name: str) -> Path:
    """The local Hugging Face cache folder of a faster-whisper model name; never downloads."""
    from faster_whisper.utils import download_model

    try:
        return Path(download_model(name, local_files_only=True))
    except Exception as e:  # huggingface_hub raises several types; all mean "not cached"
        raise TranscriptionError(
            f"Model '{name}' is not a folder and is not in the local Hugging Face cache; "
            "nothing is downloaded at run time. Pass a CTranslate2 Whisper model folder "
            "with --model, or leave it out to use the bundled tiny.en."
        ) from e


def _load_model(model: Path, device: str, compute_type: str, cpu_threads: int) -> Any:
    from faster_whisper import WhisperModel

    try:
        return WhisperModel(
            str(model),
            device=device,
            compute_type=compute_type,
            cpu_threads=cpu_threads,
            local_files_only=True,  # never download at run time
        )
    except (RuntimeError, ValueError, OSError) as e:
        raise TranscriptionError(f"Cannot load the model in {model}: {e}") from e


def folder_sha256(folder: Path) -> str:
    """One hash over every file in a model folder (names and bytes), in a stable order."""
    digest = hashlib.sha256()
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode())
        with open(path, "rb") as f:
            for chunk in iter(lambda f=f: f.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def _segment_from_whisper(seg: Any) -> Segment:
    # float(): faster-whisper hands back numpy scalars, which JSON and equality trip over.
    words = tuple(
        Word(w.word, _sec(w.start), _sec(w.end), round(float(w.probability), 4))
        for w in seg.words or ()
    )
    return Segment(
        id=int(seg.id),
        start=_sec(seg.start),
        end=_sec(seg.end),
        text=seg.text.strip(),
        words=words,
        avg_logprob=float(seg.avg_logprob),
        no_speech_prob=float(seg.no_speech_prob),
        compression_ratio=float(seg.compression_ratio),
    )


def _sec(value: float) -> float:
    return round(float(value), 3)


# --- Hallucination flags --------------------------------------------------------------------

# tiny.en gives real dictation no-speech probabilities up to ~0.85 (one value per 30 s window)
# and average log-probabilities down to ~-0.7 (measured on samples/audio), so a flag needs an
# almost certain no-speech probability, or a high one together with an unsure decode (Whisper
# itself drops a segment only at > 0.6 together with < -1.0).
HIGH_NO_SPEECH = 0.95
SOME_NO_SPEECH, UNSURE_LOGPROB = 0.6, -0.8
LOW_LOGPROB = -1.0
MAX_COMPRESSION = 2.4  # Whisper's own threshold for repetitive text
# Phrases Whisper writes over silence and music, learned from subtitled web video.
STOCK_PHRASES = (
    "thanks for watching",
    "thank you for watching",
    "please subscribe",
    "like and subscribe",
    "subscribe to my channel",
    "see you in the next video",
    "subtitles by",
    "captions by",
    "transcribed by",
    "amara org",
    "the end of the video",
)
# Whole-segment texts that are almost always invented when they stand alone.
STOCK_ALONE = frozenset(
    {"you", "thank you", "thank you very much", "thanks", "bye", "bye bye", "okay", "so"}
)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


# A syllable repeated inside one "word" ("spironolololololol"): tiny.en looping below the level
# of words, which neither the n-gram check nor, in a short segment, the compression ratio sees.
_SYLLABLE_LOOP = re.compile(r"([a-z]{1,3})\1{4,}")


def _has_repeated_ngram(words: list[str], times: int = 3, max_n: int = 4) -> bool:
    """True when some 1..max_n-gram occurs ``times`` times in a row ("the the the")."""
    for n in range(1, max_n + 1):
        for start in range(len(words) - n * times + 1):
            gram = words[start : start + n]
            if all(words[start + k * n : start + (k + 1) * n] == gram for k in range(1, times)):
                return True
    return False


def _echoes_prompt(words: list[str], prompt: str | None) -> bool:
    """The segment mostly repeats the prompt: Whisper copies prompts when it hears nothing."""
    if not prompt or len(words) < 3:
        return False
    prompt_words = _words(prompt)
    if " ".join(words) in " ".join(prompt_words):
        return True
    trigrams = {tuple(words[i : i + 3]) for i in range(len(words) - 2)}
    prompt_trigrams = {tuple(prompt_words[i : i + 3]) for i in range(len(prompt_words) - 2)}
    return len(trigrams) >= 2 and len(trigrams & prompt_trigrams) / len(trigrams) >= 0.8


def flag_segment(segment: Segment, prompt: str | None) -> tuple[str, ...]:
    """Reasons this segment may be invented; empty when it looks genuine."""
    words = _words(segment.text)
    joined = " ".join(words)
    flags = []
    unsure = segment.no_speech_prob > SOME_NO_SPEECH and segment.avg_logprob < UNSURE_LOGPROB
    if segment.no_speech_prob > HIGH_NO_SPEECH or unsure:
        flags.append("high_no_speech")
    if segment.avg_logprob < LOW_LOGPROB:
        flags.append("low_logprob")
    looped = segment.compression_ratio > MAX_COMPRESSION or _SYLLABLE_LOOP.search(joined)
    if _has_repeated_ngram(words) or looped:
        flags.append("repeated_ngram")
    if _echoes_prompt(words, prompt):
        flags.append("prompt_echo")
    if joined in STOCK_ALONE or any(p in joined for p in STOCK_PHRASES):
        flags.append("stock_phrase")
    return tuple(flags)


# --- Whole-clip transcription -----------------------------------------------------------------


def transcribe_clip(
    transcriber: Transcriber,
    clip: AudioClip,
    options: DecodeOptions | None = None,
    on_segment: Callable[[Segment], None] | None = None,
) -> Transcript:
    """Transcribe a clip into a Transcript with flags and provenance.

    Audio without speech is not sent to the model: the result has no segments and
    ``no_speech=True``. ``on_segment`` is called with each flagged segment as it decodes.
    """
    if options is None:
        default = getattr(transcriber, "default_options", None)
        options = default() if callable(default) else DecodeOptions()
    started = time.perf_counter()
    segments: list[Segment] = []
    no_speech = not detect_speech(clip)
    if not no_speech:
        for seg in transcriber.transcribe(clip, options):
            seg = _with_flags(seg, flag_segment(seg, options.initial_prompt))
            segments.append(seg)
            if on_segment is not None:
                on_segment(seg)
    recorded = options.to_dict()
    if clip.partial:
        recorded["audio_partial"] = True
        recorded["audio_declared_duration"] = clip.declared_duration
    provenance = Provenance(
        audio_sha256=clip.sha256,
        audio_duration=round(clip.duration, 3),
        model_name=transcriber.model_name,
        model_hash=getattr(transcriber, "model_hash", ""),
        options=recorded,
        prompt=options.initial_prompt,
        hotwords=options.hotwords,
        wall_time=round(time.perf_counter() - started, 3),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    log.info("transcribed audio %s: %d segments", clip.sha256[:12], len(segments))
    return Transcript(tuple(segments), provenance, options.language or "en", no_speech=no_speech)


def _with_flags(seg: Segment, flags: tuple[str, ...]) -> Segment:
    merged = tuple(dict.fromkeys(seg.flags + flags))
    return replace(seg, flags=merged) if merged != seg.flags else seg


def transcribe_file(
    transcriber: Transcriber, path: str | Path, options: DecodeOptions | None = None
) -> Transcript:
    """Load, check and transcribe one file (AudioError for unusable audio)."""
    return transcribe_clip(transcriber, load_audio(path), options)


# --- Serialisation ---------------------------------------------------------------------------

SCHEMA_VERSION = 1


def transcript_to_dict(t: Transcript) -> dict[str, Any]:
    """Plain JSON-ready dict; ``text`` is included for readers and ignored when loading."""
    data = asdict(t)
    data["schema"] = SCHEMA_VERSION
    data["text"] = t.text
    return data


def transcript_from_dict(d: dict[str, Any]) -> Transcript:
    """Inverse of :func:`transcript_to_dict`."""
    segments = tuple(
        Segment(
            **{k: v for k, v in s.items() if k not in ("words", "flags")},
            words=tuple(Word(**w) for w in s.get("words", ())),
            flags=tuple(s.get("flags", ())),
        )
        for s in d.get("segments", ())
    )
    return Transcript(
        segments=segments,
        provenance=Provenance(**d["provenance"]),
        language=d.get("language", "en"),
        corrections=tuple(Correction(**c) for c in d.get("corrections", ())),
        no_speech=bool(d.get("no_speech", False)),
    )


def _timestamp(seconds: float, sep: str) -> str:
    ms = max(0, round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def to_srt(t: Transcript) -> str:
    """SubRip subtitles, one cue per segment."""
    cues = [
        f"{i}\n{_timestamp(s.start, ',')} --> {_timestamp(s.end, ',')}\n{s.text.strip()}\n"
        for i, s in enumerate(t.segments, start=1)
    ]
    return "\n".join(cues)


def to_vtt(t: Transcript) -> str:
    """WebVTT subtitles, one cue per segment."""
    cues = [
        f"{_timestamp(s.start, '.')} --> {_timestamp(s.end, '.')}\n{s.text.strip()}\n"
        for s in t.segments
    ]
    return "WEBVTT\n\n" + "\n".join(cues)


__all__ = [
    "DecodeOptions",
    "Transcriber",
    "WhisperTranscriber",
    "flag_segment",
    "folder_sha256",
    "to_srt",
    "to_vtt",
    "transcribe_clip",
    "transcribe_file",
    "transcript_from_dict",
    "transcript_to_dict",
]
