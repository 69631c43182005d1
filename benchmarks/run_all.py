"""Run every benchmark one after another (what `make bench` calls) and keep their output.

Each benchmark prints its own table; this runner adds a heading and the wall time, and writes
the whole log to benchmarks/results/run_all.txt. `--quick` runs the small versions (fewer
samples, 50,000 store reports instead of 1,000,000) for a check in a few minutes.

    .venv/bin/python benchmarks/run_all.py [--quick] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# name -> (full arguments, quick arguments)
BENCHMARKS: dict[str, tuple[list[str], list[str]]] = {
    "transcription": ([], ["--limit", "3"]),
    "vocab": ([], []),
    "dictation": ([], []),
    "reports": (["--audio"], []),
    "coding": (["--audio"], ["--no-build"]),
    "store": ([], ["--n", "50000", "--queries", "30", "--filings", "50"]),
    "batch": (["--files", "8"], ["--files", "2", "--no-vocab-row"]),
    "live": ([], ["--limit", "2"]),
    "tui": ([], ["--words", "2000", "--moves", "50"]),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small versions, a few minutes")
    parser.add_argument("--only", nargs="*", choices=sorted(BENCHMARKS), help="just these")
    args = parser.parse_args()
    names = args.only or list(BENCHMARKS)
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    failed = []
    with open(results / "run_all.txt", "w", encoding="utf-8") as log:
        for name in names:
            full, quick = BENCHMARKS[name]
            script = HERE / f"bench_{name}.py"
            command = [sys.executable, str(script), *(quick if args.quick else full)]
            heading = f"\n=== {name}: {' '.join(command[1:])}\n"
            print(heading, flush=True)
            log.write(heading)
            started = time.perf_counter()
            run = subprocess.run(command, capture_output=True, text=True)
            output = run.stdout + (run.stderr if run.returncode else "")
            print(output, flush=True)
            log.write(output)
            footer = f"--- {name}: {time.perf_counter() - started:.0f} s, exit {run.returncode}\n"
            print(footer, flush=True)
            log.write(footer)
            if run.returncode:
                failed.append(name)
    if failed:
        print(f"benchmarks that failed to run: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
