"""Medical vocabulary: WER, key-term recall and wall time, with and without it, beside plain
faster-whisper on the same samples. Prints tables; asserts nothing.

    .venv/bin/python benchmarks/bench_vocab.py [--variants plain,bias,full] [DIR ...]

Variants: ``plain`` is faster-whisper tiny.en as a user would run it (our default decode
options, no vocabulary); ``bias`` adds specialty hotwords only; ``bias+correct`` adds lexicon
correction; ``full`` adds the low-confidence second pass (what ``transcribe_medical`` does by
default). The variants of one file run back to back, so a busy machine slows them alike.
The heldout folder is reported separately: it was never used to choose thresholds.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import Settings, with_overrides  # noqa: E402
from assistant.evaluation import EvalReport, evaluate_sample, find_samples  # noqa: E402
from assistant.pipeline import PipelineOptions, cached_lexicon, transcribe_medical  # noqa: E402
from assistant.transcribe import WhisperTranscriber, transcribe_file  # noqa: E402

cpu_seconds: dict[str, float] = {}  # CPU time per variant (less disturbed by a busy machine)

VARIANTS = {
    "bias": PipelineOptions(second_pass=False, correct=False),
    "bias+correct": PipelineOptions(second_pass=False),
    "full": PipelineOptions(),
    "full+2nd": PipelineOptions(second_pass=True),
}


def _sidecar(audio: Path) -> dict:
    path = audio.with_suffix(".json")
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def run(
    folder: Path, variants: list[str], transcriber, settings, metadata: bool = True
) -> dict[str, EvalReport]:
    results: dict[str, list] = {v: [] for v in variants}
    cpu_seconds.clear()
    cpu_seconds.update({v: 0.0 for v in variants})
    for sample in find_samples(folder):
        meta = _sidecar(sample.audio) if metadata else {}
        for variant in variants:
            started, cpu = time.perf_counter(), time.process_time()
            if variant == "plain":
                transcript = transcribe_file(transcriber, sample.audio)
            else:
                # "full@60": the same pipeline with a 60-token prompt budget.
                name, _, budget = variant.partition("@")
                run_settings = settings
                if budget:
                    run_settings = with_overrides(
                        settings, vocab={"prompt_token_budget": int(budget)}
                    )
                transcript = transcribe_medical(
                    transcriber,
                    sample.audio,
                    run_settings,
                    report_type=meta.get("report_type"),
                    specialty=meta.get("specialty"),
                    options=VARIANTS[name],
                )
            result = evaluate_sample(sample, transcript, time.perf_counter() - started)
            results[variant].append(result)
            cpu_seconds[variant] += time.process_time() - cpu
            print(
                f"  {sample.name:42} {variant:13} WER {result.wer:.3f}  "
                f"recall {result.key_term_recall or 0:.2f}  {result.wall_time:5.1f}s  "
                f"cpu {time.process_time() - cpu:5.1f}s  corrections {len(transcript.corrections)}",
                file=sys.stderr,
            )
    return {v: EvalReport(tuple(r)) for v, r in results.items()}


def table(title: str, reports: dict[str, EvalReport]) -> None:
    print(f"\n{title}")
    print(
        f"{'variant':14} {'files':>5} {'WER':>7} {'recall':>7} {'wall s':>8} {'x plain':>8}"
        f" {'cpu s':>8} {'x plain':>8}"
    )
    plain = reports.get("plain")
    for name, rep in reports.items():
        ratio = rep.wall_seconds / plain.wall_seconds if plain and plain.wall_seconds else 0
        recall = rep.key_term_recall or 0.0
        cpu, plain_cpu = cpu_seconds.get(name, 0.0), cpu_seconds.get("plain", 0.0)
        cpu_ratio = cpu / plain_cpu if plain_cpu else 0.0
        print(
            f"{name:14} {len(rep.files):5d} {rep.wer:7.3f} {recall:7.3f} "
            f"{rep.wall_seconds:8.1f} {ratio:8.2f} {cpu:8.1f} {cpu_ratio:8.2f}"
        )
    if plain and plain.wer:
        for name, rep in reports.items():
            if name != "plain":
                print(f"  {name}: WER {100 * (1 - rep.wer / plain.wer):+.1f}% lower than plain")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="*", type=Path)
    parser.add_argument("--variants", default="plain,bias,bias+correct,full")
    parser.add_argument(
        "--no-metadata",
        action="store_true",
        help="Leave out the sidecars' specialty and report type (the pipeline guesses one).",
    )
    args = parser.parse_args()
    samples = ROOT / "samples" / "audio"
    dirs = args.dirs or [samples, samples / "heldout"]
    variants = args.variants.split(",")
    settings = Settings()
    transcriber = WhisperTranscriber(settings.transcription)
    lexicon = cached_lexicon()
    _ = lexicon.index, lexicon.phrases  # load and index once, outside the timings
    for folder in dirs:
        if folder.is_dir():
            reports = run(folder, variants, transcriber, settings, not args.no_metadata)
            note = ", no specialty or report type given" if args.no_metadata else ""
            table(f"{folder} (tiny.en{note})", reports)


if __name__ == "__main__":
    main()
