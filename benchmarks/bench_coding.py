"""Clinical coding: index build and look-up speed, and suggestion accuracy on the samples.
Prints tables; asserts nothing.

    .venv/bin/python benchmarks/bench_coding.py [--audio] [--no-build] [DIR ...]

Accuracy uses each sample's sidecar ``expected_codes`` (a coder's answer, principal first):
top-1 = the first suggested diagnosis is the expected principal; recall@5 = share of expected
diagnoses among the first five suggested diagnoses (and of expected procedures among the first
five procedures); "negated coded" counts sidecar ``negated_findings`` whose words are the
evidence of a suggested code. Texts go through the real path: ``format_dictation`` ->
``choose_template`` -> ``find_sections`` -> ``analyze``. ``--audio`` repeats it on tiny.en
transcripts (about real time on two cores). ``heldout/`` was never read while the rules were
written, so it shows how the rules carry to unseen wording.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.coding import analyze, open_index  # noqa: E402
from assistant.coding.suggest import matcher_for  # noqa: E402
from assistant.dictation import format_dictation  # noqa: E402

AUDIO_SUFFIXES = (".flac", ".ogg", ".mp3", ".m4a", ".wav")
LOOKUPS = {
    "code": ["I50.23", "E1122", "S72.031A", "0DTJ4ZZ", "J18.9", "Z87.891"],
    "words": [
        "acute on chronic systolic heart failure",
        "type 2 diabetes chronic kidney disease",
        "pneumonia",
        "fracture neck femur right displaced",
        "resection appendix endoscopic",
        "chest pain",
    ],
    "prefix": ["E11", "I50.2", "S72.0", "0DT", "K35.3", "Z3A"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dirs", nargs="*", type=Path)
    parser.add_argument("--audio", action="store_true", help="also run on tiny.en transcripts")
    parser.add_argument("--no-build", action="store_true", help="skip the fresh index build")
    parser.add_argument(
        "--transcripts",
        type=Path,
        help="keep tiny.en transcripts here (NAME.txt) and reuse them on the next run",
    )
    args = parser.parse_args()
    if not args.no_build:
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            open_index(tmp).close()
            built = time.perf_counter() - start
            size = sum(p.stat().st_size for p in Path(tmp).glob("*.db")) / 1e6
            print(f"index build (one-off): {built:.1f} s, {size:.0f} MB")
    start = time.perf_counter()
    index = open_index()
    seconds = time.perf_counter() - start
    if index.built:
        print(f"index built at first use: {seconds:.1f} s ({index.path})")
        index.close()
        start = time.perf_counter()
        index = open_index()
    ms = (time.perf_counter() - start) * 1000
    print(f"index open (cached): {ms:.1f} ms ({index.path})")
    start = time.perf_counter()
    matcher_for(index)
    print(f"term matcher load (once per process): {time.perf_counter() - start:.2f} s")
    _lookups(index)
    folders = [d.resolve() for d in args.dirs] or [
        ROOT / "samples" / "audio",
        ROOT / "samples" / "audio" / "heldout",
    ]
    transcriber = None
    if args.audio:
        from assistant.transcribe import WhisperTranscriber

        transcriber = WhisperTranscriber()
    for folder in folders:
        texts = sorted(p for p in folder.glob("*.txt") if p.with_suffix(".json").exists())
        _accuracy(f"{_rel(folder)} (reference texts)", texts, index, None)
        if transcriber is not None:
            _accuracy(
                f"{_rel(folder)} (tiny.en transcripts)", texts, index, transcriber, args.transcripts
            )


def _rel(folder: Path) -> str:
    return str(folder.relative_to(ROOT)) if folder.is_relative_to(ROOT) else str(folder)


def _lookups(index) -> None:  # noqa: ANN001
    print(f"\n{'look-up':8} {'n':>4} {'median ms':>10} {'p95 ms':>8} {'max ms':>8}")
    for kind, queries in LOOKUPS.items():
        times = []
        for _ in range(20):
            for q in queries:
                start = time.perf_counter()
                if kind == "code":
                    index.get(q)
                elif kind == "prefix":
                    index.prefix(q, 50)
                else:
                    index.search(q, 20)
                times.append((time.perf_counter() - start) * 1000)
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        med = statistics.median(times)
        print(f"{kind:8} {len(times):4d} {med:10.2f} {p95:8.2f} {times[-1]:8.2f}")


def _report(raw: str):  # noqa: ANN202
    """The assistant's own path from dictated words to a sectioned report."""
    from assistant.reports import all_headings, choose_template, find_sections, load_templates

    templates = load_templates()
    text = format_dictation(raw, headings=all_headings(templates))
    chosen, _confidence = choose_template(text, templates)
    return find_sections(text, chosen)


def _transcript(text_path: Path, transcriber, keep: Path | None) -> str:  # noqa: ANN001
    from assistant.config import Settings
    from assistant.pipeline import transcribe_medical

    kept = keep / f"{text_path.stem}.txt" if keep else None
    if kept is not None and kept.exists():
        return kept.read_text(encoding="utf-8")
    audio = next(
        text_path.with_suffix(s) for s in AUDIO_SUFFIXES if text_path.with_suffix(s).exists()
    )
    text = transcribe_medical(transcriber, audio, Settings()).text
    if kept is not None:
        kept.parent.mkdir(parents=True, exist_ok=True)
        kept.write_text(text, encoding="utf-8")
    return text


def _accuracy(  # noqa: ANN001
    title: str, texts: list[Path], index, transcriber, keep: Path | None = None
) -> None:
    rows = []
    for path in texts:
        meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        expected = meta.get("expected_codes")
        if not expected:
            continue
        raw = path.read_text(encoding="utf-8")
        if transcriber is not None:
            raw = _transcript(path, transcriber, keep)
        start = time.perf_counter()
        result = analyze(_report(raw), index)
        ms = (time.perf_counter() - start) * 1000
        dx = [s.code.code for s in result.diagnoses]
        pr = [s.code.code for s in result.procedures]
        want_dx, want_pr = expected.get("diagnoses", []), expected.get("procedures", [])
        found = [c for c in want_dx if c in dx[:5]] + [c for c in want_pr if c in pr[:5]]
        evidence = [(s.code.code, e.text.lower()) for s in result.suggestions for e in s.evidence]
        # A negated finding counts as coded when its words are a code's evidence ("non-ST
        # elevation" is not "ST elevation").
        negated = [
            f
            for f in meta.get("negated_findings", [])
            if any(
                re.search(rf"(?<!non-)(?<!non )\b{re.escape(f.lower())}\b", text)
                for _code, text in evidence
            )
        ]
        rows.append(
            {
                "name": path.stem,
                "top1": bool(dx) and bool(want_dx) and dx[0] == want_dx[0],
                "found": len(found),
                "expected": len(want_dx) + len(want_pr),
                "missed": [c for c in want_dx + want_pr if c not in found],
                "extra": [c for c in dx[:5] + pr[:5] if c not in want_dx + want_pr],
                "negated": negated,
                "ms": ms,
            }
        )
    if not rows:
        return
    print(f"\n{title}")
    print(f"{'sample':38} {'top1':>4} {'recall@5':>8} {'ms':>6}  missed / extra / negated coded")
    for r in rows:
        print(
            f"{r['name']:38} {'yes' if r['top1'] else 'NO':>4} "
            f"{r['found']:>3}/{r['expected']:<4} {r['ms']:6.0f}  "
            f"{' '.join(r['missed']) or '-'} / {' '.join(r['extra']) or '-'} / "
            f"{' '.join(r['negated']) or '-'}"
        )
    top1 = sum(r["top1"] for r in rows)
    found = sum(r["found"] for r in rows)
    expected = sum(r["expected"] for r in rows)
    negated = sum(len(r["negated"]) for r in rows)
    print(
        f"top-1 principal {top1}/{len(rows)} ({top1 / len(rows):.2f}); "
        f"recall@5 {found}/{expected} ({found / max(expected, 1):.2f}); "
        f"negated findings coded: {negated}"
    )


if __name__ == "__main__":
    main()
