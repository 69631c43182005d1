"""Record store at scale: fill a store with N synthetic reports, then time search and filing.

    .venv/bin/python benchmarks/bench_store.py [--n 1000000] [--db PATH] [--reuse]

Reports are ~150 words: sentences from a bigram model of the sample dictations (so common
clinical phrases recur as they do in real notes) plus a long tail of terms from the bundled
lexicons (drugs, diagnoses, procedures). The bulk load uses executemany in large transactions
(not the per-document API); filing one report is then timed through the real API
(``file_document``: BEGIN IMMEDIATE, version row, search index, audit row, synchronous=FULL).
Search timings go through the real ``search()`` (ranking or date order, snippets, and its audit
row with a commit). Prints a table and writes benchmarks/results/bench_store.json; asserts
nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.models import Patient  # noqa: E402
from assistant.store import (  # noqa: E402
    audit,  # noqa: E402
    bootstrap_admin,
    connect,
    create_user,
    file_document,
    find_user,
    register_patient,
    search,
)

RESULTS = ROOT / "benchmarks" / "results"
SPOKEN = {"period", "comma", "colon", "new", "paragraph", "semicolon", "slash"}
REPORT_TYPES = ["progress_note", "discharge_summary", "h_and_p", "consult", "radiology", "op_note"]
BATCH = 20_000


def corpus_words() -> list[list[str]]:
    sentences = []
    for path in sorted((ROOT / "samples" / "audio").glob("*.txt")):
        text = path.read_text(encoding="utf-8").lower()
        text = text.replace(" period", ".").replace("new paragraph", ".")
        for s in re.split(r"[.\n]", text):
            words = [w for w in re.findall(r"[a-z][a-z'-]*|\d+", s) if w not in SPOKEN]
            if len(words) > 3:
                sentences.append(words)
    return sentences


def lexicon_terms() -> list[str]:
    terms = []
    for path in sorted((ROOT / "vocab").rglob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                term = line.split("|")[0].strip().lower()
                if 2 < len(term) < 40:
                    terms.append(term)
    return terms


class Generator:
    """Bigram sentences from the samples + lexicon terms; deterministic for a seed."""

    def __init__(self, seed: int = 7, pool: int = 30_000) -> None:
        self.rng = random.Random(seed)
        sentences = corpus_words()
        follow: dict[str, list[str]] = defaultdict(list)
        for s in sentences:
            for a, b in zip(["<s>", *s], [*s, "</s>"], strict=True):
                follow[a].append(b)
        self.terms = lexicon_terms()
        self.pool = [self._sentence(follow) for _ in range(pool)]

    def _sentence(self, follow: dict[str, list[str]]) -> str:
        words, w = [], "<s>"
        while len(words) < 30:
            w = self.rng.choice(follow[w])
            if w == "</s>":
                break
            words.append(w)
        if self.rng.random() < 0.5:  # a lexicon term in half the sentences: the long tail
            words.insert(self.rng.randrange(len(words) + 1), self.rng.choice(self.terms))
        return " ".join(words).capitalize() + "."

    def report(self) -> str:
        out, n = [], 0
        while n < 150:
            s = self.rng.choice(self.pool)
            out.append(s)
            n += s.count(" ") + 1
        return " ".join(out)


def fill(db_path: Path, n: int) -> None:
    if db_path.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(str(db_path) + suffix).unlink(missing_ok=True)
    store = connect(db_path)
    admin = bootstrap_admin(store, "admin", "bench-admin-pass")
    for name, role in [
        ("drsmith", "physician"),
        ("drjones", "physician"),
        ("tina", "transcriptionist"),
        ("cody", "coder"),
    ]:
        create_user(store, admin, name, role, f"{name}-bench-pass")
    authors = [find_user(store, "drsmith").id, find_user(store, "drjones").id]
    tina = find_user(store, "tina").id
    gen = Generator()
    conn = store.conn
    conn.execute("PRAGMA synchronous = OFF")  # bulk load only; measurements use FULL
    conn.execute("PRAGMA cache_size = -400000")
    n_patients = max(1, n // 10)
    t0 = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "INSERT INTO patients (id, mrn, family_name, given_name, birth_date, sex, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            (
                i,
                f"M{i:08d}",
                f"Family{i % 5000}",
                f"Given{i % 977}",
                f"{1930 + i % 80}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                "unknown",
                "2020-01-01T00:00:00+00:00",
            )
            for i in range(1, n_patients + 1)
        ),
    )
    conn.execute("COMMIT")
    day = 86400 * 5 * 365 / max(n, 1)  # spread filings over five years
    done = 0
    while done < n:
        rows = []
        for i in range(done + 1, min(n, done + BATCH) + 1):
            ts = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(1.5e9 + i * day))
            rows.append(
                (
                    i,
                    1 + (i * 7919) % n_patients,
                    REPORT_TYPES[i % len(REPORT_TYPES)],
                    authors[i % 2],
                    ts,
                    gen.report(),
                )
            )
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO documents (id, patient_id, report_type, author_id, status,"
            " current_version, created_by, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, 'final', 1, ?, ?, ?)",
            ((r[0], r[1], r[2], r[3], tina, r[4], r[4]) for r in rows),
        )
        conn.executemany(
            "INSERT INTO document_versions (id, document_id, version, status, text, created_by,"
            " created_at, signed_by, signed_at) VALUES (?, ?, 1, 'final', ?, ?, ?, ?, ?)",
            ((r[0], r[0], r[5], tina, r[4], r[3], r[4]) for r in rows),
        )
        conn.executemany(
            "INSERT INTO document_fts (rowid, text, section_titles) VALUES (?, ?, '')",
            ((r[0], r[5]) for r in rows),
        )
        conn.execute("COMMIT")
        done += len(rows)
        rate = done / (time.perf_counter() - t0)
        print(f"  filled {done:>9,} / {n:,}  ({rate:,.0f} reports/s)", file=sys.stderr)
    conn.execute("INSERT INTO document_fts (document_fts) VALUES ('optimize')")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    print(f"  load + index + optimize: {time.perf_counter() - t0:,.0f} s", file=sys.stderr)


def pick_queries(store, k: int, rng: random.Random) -> dict[str, list[dict]]:
    """Terms by document frequency, from a sample of stored reports (fts5vocab is slow on 1M)."""
    sample = store.all("SELECT text FROM document_versions ORDER BY random() LIMIT 2000")
    df: Counter[str] = Counter()
    bigrams: Counter[str] = Counter()
    for (text,) in sample:
        words = re.findall(r"[a-z]+", text.lower())
        df.update(set(words))
        bigrams.update({f"{a} {b}" for a, b in zip(words, words[1:], strict=False)})
    frac = {w: c / len(sample) for w, c in df.items() if len(w) > 3}
    selective = [w for w, f in frac.items() if 0.0005 <= f <= 0.002] or sorted(frac, key=frac.get)[
        :50
    ]
    medium = [w for w, f in frac.items() if 0.02 <= f <= 0.10]
    common = [w for w, f in frac.items() if f >= 0.5]
    phrases = [b for b, c in bigrams.items() if 0.005 <= c / len(sample) <= 0.05 and len(b) > 9]
    authors = [r[0] for r in store.all("SELECT id FROM users WHERE role = 'physician'")]
    n_pat = store.one("SELECT max(id) FROM patients")[0]

    def choose(xs: list) -> object:
        return rng.choice(xs)

    return {
        "selective term": [{"q": choose(selective)} for _ in range(k)],
        "two terms AND": [{"q": f"{choose(medium)} {choose(medium)}"} for _ in range(k)],
        "phrase": [{"q": f'"{choose(phrases)}"'} for _ in range(k)],
        "filtered (term+type+dates)": [
            {
                "q": choose(medium),
                "report_type": choose(REPORT_TYPES),
                "date_from": "2018-01-01",
                "date_to": "2019-06-30",
            }
            for _ in range(k)
        ],
        "filtered (term+patient)": [
            {"q": choose(medium), "patient_id": rng.randint(1, n_pat)} for _ in range(k)
        ],
        "filtered (term+author)": [
            {"q": choose(selective), "author_id": choose(authors)} for _ in range(k)
        ],
        "very common word (date order)": [{"q": choose(common)} for _ in range(max(5, k // 4))],
    }


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def measure(db_path: Path, k: int, filings: int) -> dict:
    store = connect(db_path)
    rng = random.Random(11)
    cody = find_user(store, "cody")
    results: dict[str, dict] = {}
    for name, queries in pick_queries(store, k, rng).items():
        times, hits, orders = [], [], Counter()
        for q in queries:
            kw = {key: v for key, v in q.items() if key != "q"}
            t = time.perf_counter()
            r = search(store, cody, q["q"], **kw)
            times.append((time.perf_counter() - t) * 1000)
            hits.append(len(r.hits))
            orders[r.ordered_by] += 1
        results[name] = {
            "p50_ms": statistics.median(times),
            "p95_ms": pct(times, 95),
            "n": len(times),
            "mean_hits": statistics.mean(hits),
            "ordered_by": dict(orders),
            "example": queries[0],
        }
    tina = find_user(store, "tina")
    patient = register_patient(store, tina, Patient(f"BENCH{time.time_ns()}", "Bench", "Mark"))
    gen = Generator(seed=99, pool=2000)
    times = []
    for _ in range(filings):
        text = gen.report()
        t = time.perf_counter()
        file_document(
            store,
            tina,
            patient_id=patient.id,
            report_type="progress_note",
            text=text,
            author="drsmith",
        )
        times.append((time.perf_counter() - t) * 1000)
    results["filing one report (API)"] = {
        "p50_ms": statistics.median(times),
        "p95_ms": pct(times, 95),
        "n": filings,
    }
    # Every search and filing commits an audit row (synchronous=FULL): its cost alone.
    times = []
    for _ in range(filings):
        t = time.perf_counter()
        with store.write():
            audit.append(store, user_id=cody.id, username=cody.username, action="bench")
        times.append((time.perf_counter() - t) * 1000)
    results["audit row commit alone"] = {
        "p50_ms": statistics.median(times),
        "p95_ms": pct(times, 95),
        "n": filings,
    }
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    docs = store.one("SELECT count(*) FROM documents")[0]
    store.close()
    return {"documents": docs, "db_bytes": os.path.getsize(db_path), "timings": results}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="synthetic reports to load")
    ap.add_argument("--db", type=Path, help="store file (default benchmarks/results/...)")
    ap.add_argument("--reuse", action="store_true", help="keep an existing filled store")
    ap.add_argument("--queries", type=int, default=100, help="queries per kind")
    ap.add_argument("--filings", type=int, default=200, help="reports filed through the API")
    args = ap.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    db_path = args.db or RESULTS / f"bench_store_{args.n}.db"
    if not (args.reuse and db_path.exists()):
        fill(db_path, args.n)
    out = measure(db_path, args.queries, args.filings)
    out["n"] = args.n
    print(
        f"\nRecord store with {out['documents']:,} reports; database "
        f"{out['db_bytes'] / 2**30:.2f} GiB ({out['db_bytes'] / out['documents']:,.0f} B/report)"
    )
    print(f"{'measurement':<32} {'p50 ms':>9} {'p95 ms':>9} {'n':>5}  {'hits':>5}  order")
    for name, r in out["timings"].items():
        order = ",".join(r.get("ordered_by", {})) if "ordered_by" in r else ""
        hits = f"{r['mean_hits']:5.1f}" if "mean_hits" in r else ""
        print(f"{name:<32} {r['p50_ms']:9.1f} {r['p95_ms']:9.1f} {r['n']:>5}  {hits:>5}  {order}")
    (RESULTS / f"bench_store_{args.n}.json").write_text(json.dumps(out, indent=2, default=str))


if __name__ == "__main__":
    main()
