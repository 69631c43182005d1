"""Accuracy of live dictation: every sample replayed through the streaming engine.

The audio is fed as fast as the engine takes it (every partial decode runs, so the result
does not depend on the machine's load), with the sample's report type and specialty as a
physician would pick them. For each variant it prints the WER and key-term recall of the
confirmed text (normalised as `assistant eval` does), per file and for the main and held-out
sets, with the CPU seconds spent.

    .venv/bin/python benchmarks/bench_live_accuracy.py [--variants vocab,plain] [--workers 2]

Asserts nothing. Delay at the speaker's pace is measured by bench_live.py.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "audio"


@dataclass(frozen=True)
class Job:
    audio: Path
    reference: str
    key_terms: tuple[str, ...]
    report_type: str | None
    specialty: str | None
    vocabulary: bool
    heldout: bool


def run_job(job: Job) -> dict:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import numpy as np

    from assistant.audio import load_audio
    from assistant.config import Settings
    from assistant.evaluation import terms_found, word_errors
    from assistant.live_audio import SAMPLE_RATE, FileSource
    from assistant.live_session import run_dictation
    from assistant.transcribe import WhisperTranscriber

    settings = Settings()
    settings = replace(
        settings, transcription=replace(settings.transcription, use_vocabulary=job.vocabulary)
    )
    transcriber = WhisperTranscriber(cpu_threads=1)
    samples = load_audio(job.audio).samples
    tail = np.zeros(SAMPLE_RATE, np.float32)  # the pause after the last word
    started = time.process_time()
    result = run_dictation(
        FileSource(np.concatenate([samples, tail]), realtime=False),
        transcriber,
        settings,
        report_type=job.report_type,
        specialty=job.specialty,
    )
    errors, words = word_errors(job.reference, result.raw_text)
    return {
        "name": job.audio.stem,
        "heldout": job.heldout,
        "vocabulary": job.vocabulary,
        "errors": errors,
        "words": words,
        "found": len(terms_found(job.key_terms, result.raw_text)),
        "terms": len(job.key_terms),
        "corrections": len(result.transcript.corrections),
        "cpu": time.process_time() - started,
    }


def jobs_for(vocabulary: bool) -> list[Job]:
    from assistant.evaluation import find_samples

    jobs = []
    for folder, heldout in ((SAMPLES, False), (SAMPLES / "heldout", True)):
        for sample in find_samples(folder):
            sidecar = sample.audio.with_suffix(".json")
            meta = json.loads(sidecar.read_text()) if sidecar.is_file() else {}
            jobs.append(
                Job(
                    sample.audio,
                    sample.reference,
                    sample.key_terms,
                    meta.get("report_type"),
                    meta.get("specialty"),
                    vocabulary,
                    heldout,
                )
            )
    return jobs


def summary(label: str, rows: list[dict]) -> str:
    errors = sum(r["errors"] for r in rows)
    words = sum(r["words"] for r in rows)
    found = sum(r["found"] for r in rows)
    terms = sum(r["terms"] for r in rows)
    cpu = sum(r["cpu"] for r in rows)
    return (
        f"{label:28s} files {len(rows):2d}  WER {errors / words:.3f}"
        f"  recall {found / terms:.3f}  cpu {cpu:6.0f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--variants", default="vocab,plain", help="vocab, plain or both")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    jobs = [job for v in variants for job in jobs_for(v == "vocab")]
    with ProcessPoolExecutor(args.workers) as pool:
        rows = list(pool.map(run_job, jobs))
    print(f"{'sample':40s} {'variant':8s} {'WER':>6s} {'recall':>7s} {'fixes':>5s} {'cpu s':>6s}")
    for r in rows:
        variant = "vocab" if r["vocabulary"] else "plain"
        print(
            f"{r['name']:40s} {variant:8s} {r['errors'] / r['words']:6.3f}"
            f" {r['found']:3d}/{r['terms']:<3d} {r['corrections']:5d} {r['cpu']:6.0f}"
        )
    print()
    for variant in variants:
        for heldout in (False, True):
            key = (variant == "vocab", heldout)
            group = [r for r in rows if (r["vocabulary"], r["heldout"]) == key]
            if group:
                print(summary(f"{variant} {'heldout' if heldout else 'main'}", group))


if __name__ == "__main__":
    main()
