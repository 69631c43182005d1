"""Dictation formatting speed: raw text of 250 to 4,000 words through ``format_dictation``.

Live dictation formats the whole confirmed raw text again after every phrase, so the time for a
long dictation is the latency a physician sees; the target is well under 50 ms for 2,000 words.
The text is the sample reference dictations (spoken commands, numbers, headings) repeated.
Prints a table; asserts nothing.

    .venv/bin/python benchmarks/bench_dictation.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.dictation import format_dictation  # noqa: E402

HEADINGS = ["Chief Complaint", "History of Present Illness", "Assessment and Plan", "Plan"]
BRANDS = ["Lasix", "Eliquis", "Tylenol", "Lipitor"]


def corpus() -> list[str]:
    words: list[str] = []
    for path in sorted((ROOT / "samples" / "audio").glob("*.txt")):
        words += path.read_text(encoding="utf-8").split()
    return words or "Blood pressure one forty two over eighty eight period".split()


def timed(text: str, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        format_dictation(text, headings=HEADINGS, brand_names=BRANDS)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    words = corpus()
    print(f"{'words':>6} {'median ms':>10} {'max ms':>8} {'words/ms':>9}")
    for n in (250, 500, 1000, 2000, 4000):
        text = " ".join((words * (n // len(words) + 1))[:n])
        times = timed(text, repeats=15)
        median = statistics.median(times)
        print(f"{n:>6} {median:>10.1f} {max(times):>8.1f} {n / median:>9.0f}")


if __name__ == "__main__":
    main()
