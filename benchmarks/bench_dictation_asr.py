"""Spoken commands on real Whisper output: leftover command words and sections found.

Transcribes the main-set samples in samples/audio/ (never samples/audio/heldout/ unless asked
with --heldout, which is for the one final check) with the bundled tiny.en through
``transcribe_medical``, caches each raw transcript under benchmarks/results/cache/ (git-ignored)
so reruns take seconds, formats it with ``format_dictation`` and compares with the reference
dictation formatted the same way:

- leftover: command words still in the output ("period", "comma", "colon", "new paragraph",
  "next section", "scratch that"), beyond those the formatted reference itself keeps as words
  ("sigmoid colon");
- sections: sections ``build_report`` finds in both the output and the formatted reference,
  out of those it finds in the reference.

Prints a table; asserts nothing.

    .venv/bin/python benchmarks/bench_dictation_asr.py [--heldout]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.dictation import format_dictation  # noqa: E402
from assistant.report_templates import all_headings, load_templates  # noqa: E402
from assistant.reports import build_report  # noqa: E402

CACHE = ROOT / "benchmarks" / "results" / "cache" / "dictation_asr"
AUDIO = (".flac", ".ogg", ".m4a", ".mp3", ".wav")
LEFTOVER = re.compile(r"\b(period|comma|colon|new paragraph|next section|scratch that)\b", re.I)


def samples(heldout: bool) -> list[Path]:
    folder = ROOT / "samples" / "audio" / ("heldout" if heldout else "")
    return sorted(p for p in folder.iterdir() if p.suffix in AUDIO)


def raw_text(path: Path, sidecar: dict, heldout: bool, state: dict) -> str:
    cached = CACHE / ("heldout" if heldout else "main") / f"{path.stem}.txt"
    if cached.exists():
        return cached.read_text(encoding="utf-8")
    if "transcriber" not in state:
        from assistant.transcribe import WhisperTranscriber

        state["transcriber"] = WhisperTranscriber()
    from assistant.config import Settings
    from assistant.pipeline import transcribe_medical

    transcript = transcribe_medical(
        state["transcriber"], path, Settings(), report_type=sidecar.get("report_type")
    )
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_text(transcript.text, encoding="utf-8")
    return transcript.text


def leftovers(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for m in LEFTOVER.finditer(text):
        key = m.group(1).lower()
        counts[key] = counts.get(key, 0) + 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--heldout", action="store_true", help="the held-out set (final check)")
    args = parser.parse_args()
    templates = load_templates()
    headings = all_headings(templates)
    state: dict = {}
    total_left = total_found = total_ref = 0
    print(f"{'sample':42} {'leftover':>8} {'sections':>9}  leftover words")
    for path in samples(args.heldout):
        sidecar = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        reference = path.with_suffix(".txt").read_text(encoding="utf-8")
        out = format_dictation(raw_text(path, sidecar, args.heldout, state), headings=headings)
        ref = format_dictation(reference, headings=headings)
        got, want = leftovers(out), leftovers(ref)
        excess = {k: n - want.get(k, 0) for k, n in got.items() if n > want.get(k, 0)}
        kind = sidecar.get("report_type")
        found = {s.name for s in build_report(out, kind, templates).sections}
        expected = {s.name for s in build_report(ref, kind, templates).sections}
        left = sum(excess.values())
        total_left += left
        total_found += len(found & expected)
        total_ref += len(expected)
        words = ", ".join(f"{k} x{n}" for k, n in sorted(excess.items()))
        print(f"{path.stem:42} {left:>8} {len(found & expected):>4}/{len(expected):<4}  {words}")
    print(f"{'TOTAL':42} {total_left:>8} {total_found:>4}/{total_ref:<4}")


if __name__ == "__main__":
    main()
