"""Several processes filing at once: none lost, none failing on busy, the audit chain intact."""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

from test_store_support import fresh_store

from assistant.store import check, connect, file_document, find_user, verify

WORKERS = 4
PER_WORKER = 250


def _file_many(path: str, worker: int, n: int) -> list[int]:
    """Runs in its own process with its own connection."""
    store = connect(path)
    tina = find_user(store, "tina")
    ids = []
    for i in range(n):
        doc = file_document(
            store,
            tina,
            patient_id=1,
            report_type="note",
            author="drsmith",
            text=f"Worker {worker} note {i}: stable, ambulating, tolerating diet.",
        )
        ids.append(doc.id)
    store.close()
    return ids


def test_four_processes_file_250_each(tmp_path: Path) -> None:
    store = fresh_store(tmp_path)
    before = store.one("SELECT count(*) FROM documents")[0]
    audit_before = store.one("SELECT count(*) FROM audit_log")[0]
    ctx = mp.get_context("spawn")
    with ctx.Pool(WORKERS) as pool:
        results = pool.starmap(
            _file_many, [(store.path, w, PER_WORKER) for w in range(WORKERS)]
        )  # any worker's StoreError (e.g. busy) would be re-raised here
    ids = [i for r in results for i in r]
    assert len(ids) == len(set(ids)) == WORKERS * PER_WORKER
    assert store.one("SELECT count(*) FROM documents")[0] == before + WORKERS * PER_WORKER
    texts = {r[0] for r in store.all("SELECT text FROM document_versions")}
    for w in range(WORKERS):
        for i in (0, PER_WORKER // 2, PER_WORKER - 1):
            assert f"Worker {w} note {i}: stable, ambulating, tolerating diet." in texts
    assert store.one("SELECT count(*) FROM audit_log")[0] == audit_before + len(ids)
    assert verify(store).ok
    assert check(store) == []
    store.close()
