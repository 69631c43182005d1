"""Report type choice and section finding on the samples. Prints tables; asserts nothing.

    .venv/bin/python benchmarks/bench_reports.py [--audio] [DIR ...]

For each sample the reference text (``*.txt``, formatted by ``dictation.format_dictation``)
goes through ``choose_template``; the table shows whether the pick matches the sidecar's
``report_type``, how sure it was, which required sections the sidecar's type found, and the
time taken. ``--audio`` also does the same on tiny.en transcripts of the audio (slow: about
real time on two cores). ``heldout/`` is reported separately. It is no longer fully held out:
its first measurement (reference texts 4/4, tiny.en transcripts 3/4) came before anyone looked
at it; the miss (cardiology_nstemi_hp picked as radiology) was then studied, which led to
weighting headings by how many types know them and to "history"/"data" in the H&P spec.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.dictation import format_dictation  # noqa: E402
from assistant.reports import (  # noqa: E402
    all_headings,
    choose_template,
    find_sections,
    load_templates,
    render_report,
)

AUDIO_SUFFIXES = (".flac", ".ogg", ".mp3", ".m4a", ".wav")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dirs", nargs="*", type=Path)
    parser.add_argument("--audio", action="store_true", help="also run on tiny.en transcripts")
    args = parser.parse_args()
    folders = [d.resolve() for d in args.dirs] or [
        ROOT / "samples" / "audio",
        ROOT / "samples" / "audio" / "heldout",
    ]
    templates = load_templates()
    headings = all_headings(templates)
    transcriber = None
    if args.audio:
        from assistant.transcribe import WhisperTranscriber

        transcriber = WhisperTranscriber()
    for folder in folders:
        rows = [_row(p, templates, headings, None) for p in sorted(folder.glob("*.txt"))]
        _print(f"{folder.relative_to(ROOT)} (reference texts)", rows)
        if transcriber is not None:
            rows = [_row(p, templates, headings, transcriber) for p in sorted(folder.glob("*.txt"))]
            _print(f"{folder.relative_to(ROOT)} (tiny.en transcripts)", rows)


def _row(text_path: Path, templates, headings, transcriber) -> dict:
    meta = json.loads(text_path.with_suffix(".json").read_text(encoding="utf-8"))
    raw = text_path.read_text(encoding="utf-8")
    if transcriber is not None:
        from assistant.config import Settings
        from assistant.pipeline import transcribe_medical

        audio = next(
            text_path.with_suffix(s) for s in AUDIO_SUFFIXES if text_path.with_suffix(s).exists()
        )
        # What `assistant report` does, minus the sidecar's type and specialty (no hints).
        raw = transcribe_medical(transcriber, audio, Settings()).text
    text = format_dictation(raw, headings=headings)
    start = time.perf_counter()
    chosen, confidence = choose_template(text, templates)
    choose_ms = (time.perf_counter() - start) * 1000
    want = templates[meta["report_type"]]
    start = time.perf_counter()
    report = find_sections(text, want)
    for fmt in ("txt", "md", "html"):
        render_report(report, want, fmt)
    sections_ms = (time.perf_counter() - start) * 1000
    present = {s.name for s in report.sections}
    required = want.required_sections
    met = sum(1 for s in required if s.name in present or present & set(s.satisfied_by))
    return {
        "name": text_path.stem,
        "want": want.id,
        "got": chosen.id,
        "confidence": confidence,
        "required": f"{met}/{len(required)}",
        "unknown": sum(1 for s in report.sections if not s.known),
        "choose_ms": choose_ms,
        "sections_ms": sections_ms,
    }


def _print(title: str, rows: list[dict]) -> None:
    if not rows:
        return
    print(f"\n{title}")
    print(
        f"{'sample':40} {'sidecar type':18} {'chosen':18} {'conf':>5} {'req':>5} {'unk':>3}"
        f" {'choose ms':>9} {'split+render ms':>15}"
    )
    for r in rows:
        mark = "" if r["want"] == r["got"] else "  <- wrong"
        print(
            f"{r['name']:40} {r['want']:18} {r['got']:18} {r['confidence']:5.2f} "
            f"{r['required']:>5} {r['unknown']:3d} {r['choose_ms']:9.1f} "
            f"{r['sections_ms']:15.1f}{mark}"
        )
    right = sum(r["want"] == r["got"] for r in rows)
    print(f"chose the sidecar's type for {right}/{len(rows)} ({100 * right / len(rows):.0f}%)")


if __name__ == "__main__":
    main()
