"""Batch throughput: 1, 2 and the default number of workers against plain faster-whisper.

The peer is what a script would do without us: one ``WhisperModel`` (bundled tiny.en, int8,
CTranslate2's default threads), ``beam_size=5``, VAD on, transcribing the same files one after
another. The batch rows do more work per file (decode checks, the vocabulary pipeline, dictation
formatting, report building and filing in SQLite), so they are the real product path.

Prints audio seconds per wall second (x real time), the ratio to the peer and the peak resident
memory of each worker process. Asserts nothing.

    .venv/bin/python benchmarks/bench_batch.py [--files 12] [--no-vocab-row]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.audio import AUDIO_EXTENSIONS  # noqa: E402
from assistant.resources import samples_dir  # noqa: E402


def pick_files(n: int) -> list[Path]:
    files = sorted(p for p in samples_dir().iterdir() if p.suffix.lower() in AUDIO_EXTENSIONS)
    return files[:n]


def peer(files: list[str]) -> dict:
    """Plain faster-whisper, sequential, default threads (run in a child for a clean RSS).

    Timed from the import, as the batch rows are (their workers import and load the model
    inside the measured time too).
    """
    started = time.perf_counter()
    from faster_whisper import WhisperModel

    from assistant.resources import default_model_path

    model = WhisperModel(str(default_model_path()), device="cpu", compute_type="int8")
    audio = 0.0
    for f in files:
        segments, info = model.transcribe(f, beam_size=5, vad_filter=True, language="en")
        for _ in segments:
            pass
        audio += info.duration
    wall = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"audio_s": audio, "wall_s": wall, "rss_mb": [round(rss, 1)]}


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the peer, pool workers)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def batch(files: list[Path], workers: int, vocab: bool) -> dict:
    from assistant.batch import BatchOptions, process_folder, summarize
    from assistant.config import Settings
    from assistant.store import bootstrap_admin, connect

    with tempfile.TemporaryDirectory() as tmp:
        inbox = Path(tmp) / "inbox"
        inbox.mkdir()
        for f in files:
            shutil.copy(f, inbox / f.name)
            sidecar = f.with_suffix(".json")
            if sidecar.exists():
                shutil.copy(sidecar, inbox / sidecar.name)
        db = Path(tmp) / "bench.db"
        store = connect(db)
        bootstrap_admin(store, "admin", "bench-password-1")
        store.close()
        settings = Settings()
        settings = replace(
            settings, transcription=replace(settings.transcription, use_vocabulary=vocab)
        )
        started, cpu = time.perf_counter(), cpu_seconds()
        results = list(process_folder(inbox, db, settings, BatchOptions(workers=workers)))
        wall, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    summary = summarize(results, wall, workers)
    if summary["counts"]["done"] != len(files):
        raise SystemExit(f"batch did not file every file: {summary['counts']}")
    return {
        "audio_s": summary["audio_seconds"],
        "wall_s": wall,
        "cpu_s": cpu,
        "rss_mb": summary["peak_rss_mb_per_worker"],
    }


def run_peer(files: list[Path]) -> dict:
    cpu = cpu_seconds()
    out = subprocess.run(
        [sys.executable, __file__, "--peer", *map(str, files)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.splitlines()[-1]) | {"cpu_s": cpu_seconds() - cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=12, help="How many sample files.")
    parser.add_argument("--repeat", type=int, default=1, help="Rounds; the best of each is kept.")
    parser.add_argument("--no-vocab-row", action="store_true", help="Skip the no-vocab row.")
    parser.add_argument("--peer", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.peer is not None:
        print(json.dumps(peer(args.peer)))
        return

    from assistant.batch import cpu_count, default_workers, threads_per_worker

    files = pick_files(args.files)
    load = f"{os.getloadavg()[0]:.1f}"
    default = default_workers()
    print(f"{len(files)} files, {cpu_count()} cores, default workers {default}", flush=True)
    configs: list[tuple[str, Callable[[], dict]]] = [
        ("faster-whisper sequential (peer)", lambda: run_peer(files))
    ]
    for workers in dict.fromkeys([1, 2, default]):
        label = f"batch {workers} worker(s) x {threads_per_worker(workers)} thread(s)"
        configs.append((label, lambda w=workers: batch(files, w, vocab=True)))
    if not args.no_vocab_row:
        configs.append(
            (f"batch {default} worker(s), vocabulary off", lambda: batch(files, default, False))
        )
    # Rounds interleave the configurations so that a burst of load elsewhere hits all of them.
    best: dict[str, dict] = {}
    for round_no in range(args.repeat):
        for label, run in configs:
            r = run()
            if label not in best or r["wall_s"] < best[label]["wall_s"]:
                best[label] = r
            print(f"  round {round_no + 1}: {label}: {r['wall_s']:.1f} s", flush=True)

    peer_row = best[configs[0][0]]
    peer_speed = peer_row["audio_s"] / peer_row["wall_s"]
    print(f"\nload average before: {load}, after: {os.getloadavg()[0]:.1f} (busy skews wall)")
    head = f"{'run':<44} {'audio s':>8} {'wall s':>8} {'CPU s':>7} {'x RT':>6} {'vs peer':>8}"
    print(f"{head}  peak RSS MB per process")
    for label, _ in configs:
        r = best[label]
        speed = r["audio_s"] / r["wall_s"]
        rss = ", ".join(f"{m:.0f}" for m in r["rss_mb"])
        print(
            f"{label:<44} {r['audio_s']:>8.1f} {r['wall_s']:>8.1f} {r['cpu_s']:>7.1f} {speed:>6.1f}"
            f" {speed / peer_speed:>7.2f}x  {rss}"
        )


if __name__ == "__main__":
    main()
