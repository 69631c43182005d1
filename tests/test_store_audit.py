"""The audit log: append-only, hash-chained, every tampering detected at the right row."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from test_store_support import fresh_store, store_fixture  # noqa: F401

from assistant.store import Store, connect, export_head, find_user, get_document, verify
from assistant.store.audit import GENESIS, row_hash


def _tamper(path: str) -> sqlite3.Connection:
    """What someone with write access to the file could do: drop the guard triggers."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("DROP TRIGGER audit_log_no_delete")
    return conn


def _rows(store: Store) -> int:
    return store.one("SELECT count(*) FROM audit_log")[0]


def test_fresh_chain_verifies_and_reads_are_audited(store: Store) -> None:
    cody = find_user(store, "cody")
    n = _rows(store)
    get_document(store, cody, 1)
    last = store.one("SELECT * FROM audit_log ORDER BY id DESC LIMIT 1")
    assert (last["username"], last["action"], last["document_id"], last["patient_id"]) == (
        "cody",
        "read_document",
        1,
        1,
    )
    assert _rows(store) == n + 1
    report = verify(store)
    assert report.ok and report.rows == n + 1 and report.head_hash == last["hash"]


def test_triggers_refuse_update_and_delete(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.conn.execute("UPDATE audit_log SET outcome = 'ok' WHERE id = 1")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.conn.execute("DELETE FROM audit_log WHERE id = 1")


def _copy(tmp_path: Path, name: str) -> str:
    s = fresh_store(tmp_path / name)
    path = s.path
    s.close()
    return path


def _verify(path: str, head=None):
    s = connect(path)
    try:
        return verify(s, head)
    finally:
        s.close()


def test_every_single_row_edit_delete_insert_or_swap_is_detected(tmp_path: Path) -> None:
    n = _rows(fresh_store(tmp_path / "probe"))
    assert n >= 10
    for k in range(1, n + 1):
        # Edited: the row's own hash no longer matches.
        p = _copy(tmp_path, f"edit{k}")
        with _tamper(p) as c:
            c.execute("UPDATE audit_log SET outcome = 'forged' WHERE id = ?", [k])
        assert _verify(p).first_bad_id == k

        # Edited with its hash recomputed: the next row's link breaks.
        if k < n:
            p = _copy(tmp_path, f"rehash{k}")
            with _tamper(p) as c:
                row = dict(c.execute("SELECT * FROM audit_log WHERE id = ?", [k]).fetchone())
                row["username"] = "someone-else"
                c.execute(
                    "UPDATE audit_log SET username = ?, hash = ? WHERE id = ?",
                    [row["username"], row_hash(row["prev_hash"], row), k],
                )
            assert _verify(p).first_bad_id == k + 1

        # Deleted: the ids jump (or, for the last row, the exported head is missing).
        p = _copy(tmp_path, f"del{k}")
        head = _head(p)
        with _tamper(p) as c:
            c.execute("DELETE FROM audit_log WHERE id = ?", [k])
        found = _verify(p, head)
        assert not found.ok and found.first_bad_id == (k + 1 if k < n else n)

        # Swapped with the next row.
        if k < n:
            p = _copy(tmp_path, f"swap{k}")
            with _tamper(p) as c:
                c.execute("UPDATE audit_log SET id = -1 WHERE id = ?", [k])
                c.execute("UPDATE audit_log SET id = ? WHERE id = ?", [k, k + 1])
                c.execute("UPDATE audit_log SET id = ? WHERE id = -1", [k + 1])
            assert _verify(p).first_bad_id == k

        # Inserted after row k, correctly chained to it, later rows renumbered.
        p = _copy(tmp_path, f"ins{k}")
        with _tamper(p) as c:
            for i in range(n, k, -1):
                c.execute("UPDATE audit_log SET id = ? WHERE id = ?", [i + 1, i])
            prev = c.execute("SELECT hash FROM audit_log WHERE id = ?", [k]).fetchone()[0]
            forged = {
                "id": k + 1,
                "at": "2026-01-01T00:00:00+00:00",
                "user_id": 1,
                "username": "admin",
                "action": "read_document",
                "patient_id": 1,
                "document_id": 1,
                "outcome": "ok",
                "detail": json.dumps({}),
            }
            c.execute(
                "INSERT INTO audit_log VALUES (:id, :at, :user_id, :username, :action,"
                " :patient_id, :document_id, :outcome, :detail, :prev_hash, :hash)",
                {**forged, "prev_hash": prev, "hash": row_hash(prev, forged)},
            )
        found = _verify(p)
        if k < n:
            assert found.first_bad_id == k + 2
        else:
            assert found.ok  # appending a well-formed row at the end is what append does


def _head(path: str) -> dict:
    s = connect(path)
    try:
        return export_head(s)
    finally:
        s.close()


def test_truncation_is_detected_only_with_an_exported_head(tmp_path: Path) -> None:
    p = _copy(tmp_path, "trunc")
    head = _head(p)
    with _tamper(p) as c:
        c.execute("DELETE FROM audit_log WHERE id > ?", [head["id"] - 3])
    assert _verify(p).ok  # a shorter chain is still a valid chain...
    found = _verify(p, head)  # ...but not the one whose head was exported
    assert not found.ok and "truncated" in found.problem and found.first_bad_id == head["id"]


def test_empty_log_has_genesis_head(tmp_path: Path) -> None:
    s = connect(tmp_path / "empty.db")
    assert export_head(s)["hash"] == GENESIS and verify(s).ok
    s.close()
