"""Workstation responsiveness on a 2,000-word report. Prints a table; asserts nothing.

    .venv/bin/python benchmarks/bench_tui.py [--words 2000] [--moves 200]

A throwaway store gets one dictation whose transcript is ``--words`` words (the sample
reference texts, repeated, with seeded word probabilities so that about one word in eight is
low-confidence and flagged). The real app runs headless (Pilot, 120x40) as a transcriptionist:
sign in, open the dictation, then move the cursor and page through it with keys. Also timed
alone: aligning the transcript words to the text (done on open and after each edit pause) and
moving the playing-word highlight (done ten times a second while playing).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import Settings  # noqa: E402
from assistant.models import Patient, Provenance, Segment, Transcript, Word  # noqa: E402

PASSWORD = "bench-pass-1"


def synthetic_transcript(n_words: int) -> Transcript:
    texts = [p.read_text() for p in sorted((ROOT / "samples" / "audio").glob("*.txt"))]
    tokens = " ".join(texts).split()
    rng = random.Random(7)
    words, segments, t = [], [], 0.0
    for i in range(n_words):
        w = Word(" " + tokens[i % len(tokens)], t, t + 0.3, rng.choice([0.3] + [0.95] * 7))
        words.append(w)
        t += 0.35
        if len(words) == 20 or i == n_words - 1:
            text = "".join(x.text for x in words)
            segments.append(
                Segment(len(segments), words[0].start, words[-1].end, text, tuple(words))
            )
            words = []
    return Transcript(tuple(segments), Provenance("0" * 64, t, "synthetic", ""))


def build_store(folder: Path, transcript: Transcript) -> Path:
    from assistant.store import (
        add_dictation,
        bootstrap_admin,
        connect,
        create_user,
        register_patient,
        save_transcript,
    )
    from assistant.transcribe import transcript_to_dict

    path = folder / "bench.db"
    store = connect(path)
    admin = bootstrap_admin(store, "admin", PASSWORD)
    tina = create_user(store, admin, "tina", "transcriptionist", PASSWORD)
    p = register_patient(store, tina, Patient("MRN1", "Bench", "Mark"))
    d = add_dictation(store, tina, audio_sha256="0" * 64, patient_id=p.id, report_type="soap")
    save_transcript(store, tina, d.id, transcript_to_dict(transcript))
    store.close()
    return path


def ms(seconds: float) -> str:
    return f"{1000 * seconds:8.1f}"


async def drive(path: Path, moves: int) -> list[tuple[str, str, str]]:
    from assistant.playback import align_words
    from assistant.store import connect
    from assistant.tui.app import make_app
    from assistant.tui.screens.editor import EditorScreen

    store = connect(path)
    app = make_app(Settings(), None, store, username="tina")
    rows = []
    async with app.run_test(size=(120, 40)) as pilot:
        for ch in PASSWORD:
            await pilot.press(ch)
        started = time.perf_counter()
        await pilot.press("enter")
        await pilot.pause()
        rows.append(("sign in -> worklist shown", ms(time.perf_counter() - started), "1 run"))
        started = time.perf_counter()
        await pilot.press("enter")
        while not isinstance(app.screen, EditorScreen):
            await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        rows.append(("open 2,000-word dictation", ms(time.perf_counter() - started), "1 run"))
        editor = app.screen.editor
        words = editor.transcript.words
        for key, count in (("down", moves), ("right", moves), ("pagedown", 20)):
            times = []
            for _ in range(count):
                t0 = time.perf_counter()
                await pilot.press(key)
                times.append(time.perf_counter() - t0)
            rows.append(
                (
                    f"key '{key}' (median / p95)",
                    ms(statistics.median(times)),
                    f"p95 {ms(sorted(times)[int(0.95 * len(times)) - 1]).strip()} ms, n={count}",
                )
            )
        t0 = time.perf_counter()
        spans = align_words(words, editor.text)
        rows.append(
            (
                "align words to text",
                ms(time.perf_counter() - t0),
                f"{len(spans)}/{len(words)} placed",
            )
        )
        t0 = time.perf_counter()
        editor.align()
        rows.append(
            (
                "re-align + marks (after an edit)",
                ms(time.perf_counter() - t0),
                f"{len(editor.flags)} flags",
            )
        )
        times = []
        for i in range(0, min(len(words), 1000), 10):
            t0 = time.perf_counter()
            editor.show_playing(i, follow=True)
            await pilot.pause()
            times.append(time.perf_counter() - t0)
        rows.append(
            (
                "playing-word highlight + follow",
                ms(statistics.median(times)),
                f"median, n={len(times)}",
            )
        )
    store.close()
    return rows


async def baseline(text: str, moves: int) -> list[tuple[str, str, str]]:
    """The same keys on a plain Textual TextArea holding the same text: the floor."""
    from textual.app import App, ComposeResult
    from textual.widgets import TextArea

    class Plain(App):
        def compose(self) -> ComposeResult:
            yield TextArea(text, soft_wrap=True)

    rows = []
    async with Plain().run_test(size=(120, 40)) as pilot:
        for key in ("down", "right"):
            times = []
            for _ in range(moves):
                t0 = time.perf_counter()
                await pilot.press(key)
                times.append(time.perf_counter() - t0)
            rows.append((f"plain TextArea '{key}' (median)", ms(statistics.median(times)), "floor"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=2000)
    parser.add_argument("--moves", type=int, default=200)
    args = parser.parse_args()
    transcript = synthetic_transcript(args.words)
    with tempfile.TemporaryDirectory() as tmp:
        path = build_store(Path(tmp), transcript)
        rows = asyncio.run(drive(path, args.moves))
    from assistant.tui.workspace import Workspace

    text = Workspace(Settings(), None).format_transcript(transcript, "soap")
    rows += asyncio.run(baseline(text, args.moves))
    load = os.getloadavg()[0]
    print(f"Workstation on a {args.words}-word report (headless, 120x40; load average {load:.1f})")
    print(f"{'step':<36} {'ms':>8}  note")
    for step, value, note in rows:
        print(f"{step:<36} {value}  {note}")


if __name__ == "__main__":
    main()
