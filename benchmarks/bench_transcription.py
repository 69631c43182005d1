"""Transcription accuracy and speed: the assistant beside plain faster-whisper, same files.

    .venv/bin/python benchmarks/bench_transcription.py [DIR] [--limit N] [--threads N]

For every sample in DIR (default samples/audio) with a NAME.txt reference it prints WER,
medical key-term recall (assistant.evaluation, same normalisation for both) and real-time factor
(wall time / audio duration, decoding the file included) of:

* ``assistant``: ``transcribe_file`` with the default options (tiny.en int8, beam 5, VAD,
  word timestamps, no conditioning on previous text, hallucination flags, no-speech check);
* ``faster-whisper``: ``WhisperModel(...).transcribe(path, beam_size=5, vad_filter=True)`` with
  every other option at faster-whisper's default, which is what a user would run instead.

The two run back to back on each file, so a busy machine slows both alike. Asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import TranscriptionSettings  # noqa: E402
from assistant.evaluation import EvalReport, evaluate_sample, find_samples  # noqa: E402
from assistant.models import Provenance, Segment, Transcript  # noqa: E402
from assistant.resources import default_model_path  # noqa: E402
from assistant.transcribe import WhisperTranscriber, transcribe_file  # noqa: E402


def plain_faster_whisper(model, path: Path) -> Transcript:
    segments, info = model.transcribe(str(path), beam_size=5, vad_filter=True, language="en")
    texts = tuple(Segment(i, s.start, s.end, s.text.strip()) for i, s in enumerate(segments))
    return Transcript(texts, Provenance("", info.duration, "tiny.en", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=ROOT / "samples" / "audio")
    parser.add_argument("--limit", type=int, default=0, help="only the first N samples")
    parser.add_argument("--threads", type=int, default=0, help="CPU threads (0 = all)")
    args = parser.parse_args()

    from faster_whisper import WhisperModel

    samples = find_samples(args.folder)[: args.limit or None]
    started = time.perf_counter()
    ours = WhisperTranscriber(TranscriptionSettings(cpu_threads=args.threads))
    load_ours = time.perf_counter() - started
    started = time.perf_counter()
    plain = WhisperModel(
        str(default_model_path()), device="cpu", compute_type="int8", cpu_threads=args.threads
    )
    load_plain = time.perf_counter() - started

    results: dict[str, list] = {"assistant": [], "faster-whisper": []}
    runners = {
        "assistant": lambda p: transcribe_file(ours, p),
        "faster-whisper": lambda p: plain_faster_whisper(plain, p),
    }
    header = f"{'file':<40} {'audio s':>7}  {'WER ours':>8} {'WER fw':>7}  "
    header += f"{'recall ours':>11} {'recall fw':>9}  {'RTF ours':>8} {'RTF fw':>7}"
    print(header)
    print("-" * len(header))
    for sample in samples:
        row = {}
        for name, run in runners.items():
            t0 = time.perf_counter()
            transcript = run(sample.audio)
            row[name] = evaluate_sample(sample, transcript, time.perf_counter() - t0)
            results[name].append(row[name])
        a, b = row["assistant"], row["faster-whisper"]
        print(
            f"{sample.name[:40]:<40} {a.duration:>7.1f}  {a.wer:>8.3f} {b.wer:>7.3f}  "
            f"{_pct(a.key_term_recall):>11} {_pct(b.key_term_recall):>9}  "
            f"{a.rtf:>8.3f} {b.rtf:>7.3f}"
        )
    ra, rb = EvalReport(tuple(results["assistant"])), EvalReport(tuple(results["faster-whisper"]))
    print("-" * len(header))
    print(
        f"{'overall':<40} {ra.audio_seconds:>7.1f}  {ra.wer:>8.3f} {rb.wer:>7.3f}  "
        f"{_pct(ra.key_term_recall):>11} {_pct(rb.key_term_recall):>9}  "
        f"{ra.rtf:>8.3f} {rb.rtf:>7.3f}"
    )
    print(f"\nmodel load: assistant {load_ours:.2f} s, faster-whisper {load_plain:.2f} s")
    flagged = sum(f.flagged_segments for f in ra.files)
    print(f"segments flagged for review by the assistant: {flagged}")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


if __name__ == "__main__":
    main()
