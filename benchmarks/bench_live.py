"""Live dictation latency and accuracy, on the samples replayed in real time.

For each sample: the audio is played into the streaming engine at the speed it was spoken.
Word timings come from transcribing the whole file at once (word timestamps); each streamed
word is matched to that transcript and we measure

- partial delay: from the end of the word to the first display that shows it;
- confirmed delay: from the end of the word to the display that confirms it;
- final delay: from the moment the speaker pauses to the display of the final phrase text;

and the WER of the streamed text against the reference, beside the whole-file WER.

    .venv/bin/python benchmarks/bench_live.py [--limit N] [NAME ...]

Prints a table; asserts nothing. Run it on an otherwise idle machine: it is real time.
"""

from __future__ import annotations

import argparse
import difflib
import re
import statistics
from pathlib import Path

import jiwer

from assistant.audio import load_audio
from assistant.config import Settings
from assistant.live import LiveSettings
from assistant.live_audio import FileSource
from assistant.live_session import run_dictation
from assistant.transcribe import WhisperTranscriber, transcribe_clip

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "audio"


def norm(word: str) -> str:
    return re.sub(r"[^\w']", "", word.lower())


def norm_text(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s']", " ", text.lower()).split())


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def measure(transcriber, audio: Path, live: LiveSettings) -> dict:
    clip = load_audio(audio)
    full = transcribe_clip(transcriber, clip)
    truth = [(norm(w.text), w.end) for w in full.words if norm(w.text)]
    source = FileSource(clip.samples, realtime=True)
    events = []
    result = run_dictation(source, transcriber, Settings(), live=live, on_event=events.append)
    t0 = source.started_at

    first_shown: dict[int, float] = {}
    first_confirmed: dict[int, float] = {}
    for e in events:
        shown = [norm(w) for w in (e.confirmed + " " + e.tentative).split()]
        confirmed = len(e.confirmed.split())
        for i, w in enumerate(shown):
            if w:
                first_shown.setdefault((i, w), e.wall_time - t0)
        for i in range(confirmed):
            first_confirmed.setdefault(i, e.wall_time - t0)
    streamed = [norm(w) for w in result.raw_text.split()]
    matcher = difflib.SequenceMatcher(a=streamed, b=[w for w, _ in truth], autojunk=False)
    partial, confirmed = [], []
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            i, j = block.a + k, block.b + k
            spoken_end = truth[j][1]
            if (i, streamed[i]) in first_shown:
                partial.append(first_shown[(i, streamed[i])] - spoken_end)
            if i in first_confirmed:
                confirmed.append(first_confirmed[i] - spoken_end)
    finals = [
        e.wall_time - t0 - e.speech_end
        for e in events
        if e.kind == "utterance_end" and e.speech_end is not None
    ]
    reference = norm_text(audio.with_suffix(".txt").read_text())
    return {
        "name": audio.stem,
        "seconds": clip.duration,
        "partial": partial,
        "confirmed": confirmed,
        "final": finals,
        "wer_live": jiwer.wer(reference, norm_text(result.raw_text)),
        "wer_full": jiwer.wer(reference, norm_text(full.text)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="sample names (default: all)")
    parser.add_argument("--limit", type=int, default=0, help="at most this many samples")
    defaults = LiveSettings()
    parser.add_argument("--min-silence", type=float, default=defaults.min_silence)
    parser.add_argument("--max-utterance", type=float, default=defaults.max_utterance)
    parser.add_argument("--final-beam", type=int, default=defaults.final_beam)
    args = parser.parse_args()
    audio = sorted(p for p in SAMPLES.iterdir() if p.suffix not in {".txt", ".json", ".md"})
    if args.names:
        audio = [p for p in audio if p.stem in args.names]
    if args.limit:
        audio = audio[: args.limit]
    transcriber = WhisperTranscriber()
    live = LiveSettings(
        min_silence=args.min_silence,
        max_utterance=args.max_utterance,
        final_beam=args.final_beam,
    )
    print(f"{live}\n")
    rows = []
    print(f"{'sample':40s} {'sec':>5s} {'part p50':>8s} {'conf p50':>8s} {'final p50':>9s}"
          f" {'final p95':>9s} {'WER live':>8s} {'WER full':>8s}")  # fmt: skip
    for path in audio:
        r = measure(transcriber, path, live)
        rows.append(r)
        print(
            f"{r['name']:40s} {r['seconds']:5.1f} {pct(r['partial'], 0.5):8.2f}"
            f" {pct(r['confirmed'], 0.5):8.2f} {pct(r['final'], 0.5):9.2f}"
            f" {pct(r['final'], 0.95):9.2f} {r['wer_live']:8.3f} {r['wer_full']:8.3f}"
        )
    every = {k: [v for r in rows for v in r[k]] for k in ("partial", "confirmed", "final")}
    wer_live = statistics.mean(r["wer_live"] for r in rows)
    wer_full = statistics.mean(r["wer_full"] for r in rows)
    print()
    for k, values in every.items():
        print(
            f"{k:10s} delay  p50 {pct(values, 0.5):5.2f} s   p95 {pct(values, 0.95):5.2f} s"
            f"   ({len(values)} measurements)"
        )
    print(f"mean WER   live {wer_live:.3f}   whole file {wer_full:.3f}"
          f"   relative {wer_live / wer_full - 1:+.1%}")  # fmt: skip


if __name__ == "__main__":
    main()
