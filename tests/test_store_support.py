"""Opening the store, its error conditions, migrations and backup; plus the shared fixtures.

The other tests/test_store_*.py files import ``fresh_store`` and ``PASSWORDS`` from here. A
template store (users with real argon2 hashes, one patient, a preliminary and a signed
document, an open query) is built once per process and copied per test, because hashing
passwords is deliberately slow.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import shutil
import sqlite3
import stat
import tempfile
from datetime import date, datetime
from functools import cache
from pathlib import Path

import pytest

from assistant.errors import AccessDenied, StoreError
from assistant.models import Encounter, Patient
from assistant.store import (
    Store,
    authenticate,
    backup,
    bootstrap_admin,
    check,
    connect,
    create_user,
    file_document,
    find_user,
    get_document,
    raise_query,
    register_patient,
    search,
    sign,
    verify,
)
from assistant.store.schema import applied

MIGRATIONS = ["0001_initial", "0002_search_by_document", "0003_dictation_document"]
PASSWORDS = {
    "admin": "admin-pass-1",
    "drsmith": "smith-pass-1",
    "drjones": "jones-pass-1",
    "tina": "tina-pass-1",
    "cody": "cody-pass-1",
    "audrey": "audrey-pass-1",
}
ROLE_USER = {
    "him": "admin",
    "physician": "drsmith",
    "transcriptionist": "tina",
    "coder": "cody",
    "auditor": "audrey",
    "system": "system",
}
DISCHARGE = (
    "DISCHARGE SUMMARY. Admitted with acute on chronic systolic congestive heart failure. "
    "Treated with intravenous furosemide. Discharged home in stable condition."
)


@cache
def template_path() -> Path:
    """Build the template store once per process (cached), return its path."""
    folder = Path(tempfile.mkdtemp(prefix="store-template-"))
    path = folder / "template.db"
    store = connect(path)
    admin = bootstrap_admin(store, "admin", PASSWORDS["admin"])
    for name, role in [
        ("drsmith", "physician"),
        ("drjones", "physician"),
        ("tina", "transcriptionist"),
        ("cody", "coder"),
        ("audrey", "auditor"),
    ]:
        create_user(store, admin, name, role, PASSWORDS[name])
    tina, cody = find_user(store, "tina"), find_user(store, "cody")
    dr = find_user(store, "drsmith")
    p = register_patient(store, tina, Patient("MRN0001", "Doe", "Jane", date(1950, 3, 4), "female"))
    from assistant.store import add_encounter

    e = add_encounter(
        store, tina, Encounter(p.id, "inpatient", datetime(2026, 1, 2), None, "drsmith")
    )
    file_document(
        store,
        tina,
        patient_id=p.id,
        encounter_id=e.id,
        report_type="discharge_summary",
        text=DISCHARGE,
        author="drsmith",
    )
    d2 = file_document(
        store,
        tina,
        patient_id=p.id,
        encounter_id=e.id,
        report_type="h_and_p",
        text="HISTORY AND PHYSICAL. Chest pain, troponin negative.",
        author="drsmith",
    )
    sign(store, dr, d2.id, password=PASSWORDS["drsmith"])
    raise_query(
        store,
        cody,
        e.id,
        to="drsmith",
        question="Heart failure: acuity and type?",
        evidence="acute on chronic systolic congestive heart failure",
    )
    store.close()
    return path


def fresh_store(folder: Path) -> Store:
    """A private copy of the template store in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / "assistant.db"
    shutil.copy(template_path(), dest)
    return connect(dest)


@pytest.fixture(name="store")
def store_fixture(tmp_path: Path):
    """A fresh copy of the template store (other test files import this fixture)."""
    s = fresh_store(tmp_path)
    yield s
    s.close()


# -- opening and error conditions --------------------------------------------------------------


def test_connect_sets_pragmas_and_migrates_once(store: Store) -> None:
    assert store.one("PRAGMA journal_mode")[0] == "wal"
    assert store.one("PRAGMA foreign_keys")[0] == 1
    assert store.one("PRAGMA synchronous")[0] == 2  # FULL
    assert applied(store) == MIGRATIONS
    again = connect(store.path)
    assert applied(again) == MIGRATIONS
    again.close()


def test_upgrade_from_the_first_schema_reindexes_by_document(tmp_path: Path) -> None:
    from assistant.store.schema import _migrations

    old = connect(tmp_path / "old.db", migrate=False)
    with old.write():
        _migrations().apply(old.db, stop_before="0002_search_by_document")
    # Rows as the first release wrote them: index keyed by version id.
    for sql in [
        "INSERT INTO users VALUES (1, 'u', '', 'physician', NULL, 1, 't')",
        "INSERT INTO patients VALUES (1, 'M1', 'Doe', 'Jane', NULL, 'female', 't')",
        "INSERT INTO documents VALUES (1, 1, NULL, 'note', 1, NULL, NULL, NULL, 'final', 2, 1,"
        " '2026-01-01', '2026-01-02')",
        "INSERT INTO document_versions VALUES (1, 1, 1, 'preliminary', 'old words', '', '[]',"
        " NULL, 1, '2026-01-01', NULL, NULL)",
        "INSERT INTO document_versions VALUES (2, 1, 2, 'final', 'pericardial effusion', '',"
        " '[]', NULL, 1, '2026-01-02', 1, '2026-01-02')",
        "INSERT INTO document_fts (rowid, text, section_titles) VALUES (2, 'pericardial effusion',"
        " '')",
    ]:
        old.conn.execute(sql)
    old.close()
    store = connect(tmp_path / "old.db")
    assert applied(store) == MIGRATIONS
    reader = find_user(store, "u")
    hits = search(store, reader, "effusion").hits
    assert [(h.document_id, h.version) for h in hits] == [(1, 2)]
    assert search(store, reader, "old").hits == ()
    assert check(store) == []
    store.close()


def test_missing_folder_gives_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        connect(tmp_path / "nope" / "a.db")


def test_not_a_database_gives_store_error_and_keeps_the_file(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="damaged"):
        connect(junk)
    assert junk.read_bytes() == b"this is not sqlite" * 100


def test_read_only_store_reads_but_refuses_writes(store: Store, tmp_path: Path) -> None:
    path = Path(store.path)
    store.close()
    os.chmod(path, stat.S_IRUSR)
    try:
        # As root a file is always writable, so ask for read-only explicitly as well.
        ro = connect(path, read_only=True)
        assert ro.read_only
        doc = ro.one("SELECT count(*) FROM documents")[0]
        tina = find_user(ro, "tina")
        with pytest.raises(StoreError, match="read-only"):
            file_document(ro, tina, patient_id=1, report_type="x", text="y", author="drsmith")
        assert ro.one("SELECT count(*) FROM documents")[0] == doc
        assert ro.one("SELECT text FROM document_versions WHERE id = 1")[0] == DISCHARGE
        ro.close()
    finally:
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)


def _hold_lock(path: str, ready, release) -> None:  # runs in a child process
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(
        "INSERT INTO patients (mrn, family_name, given_name, created_at)"
        " VALUES ('LOCK', 'L', 'L', 'now')"
    )
    ready.set()
    release.wait(30)
    conn.execute("ROLLBACK")
    conn.close()


def test_locked_store_gives_clear_error_and_loses_nothing(tmp_path: Path) -> None:
    s = fresh_store(tmp_path)
    s.close()
    ctx = mp.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(str(tmp_path / "assistant.db"), ready, release))
    holder.start()
    try:
        assert ready.wait(30)
        busy = connect(tmp_path / "assistant.db", busy_timeout_ms=50)
        tina = find_user(busy, "tina")
        before = busy.one("SELECT count(*) FROM documents")[0]
        with pytest.raises(StoreError, match="busy"):
            file_document(busy, tina, patient_id=1, report_type="x", text="y", author="drsmith")
        release.set()
        holder.join(30)
        doc = file_document(busy, tina, patient_id=1, report_type="x", text="y", author="drsmith")
        assert busy.one("SELECT count(*) FROM documents")[0] == before + 1
        assert doc.status == "preliminary"
        assert verify(busy).ok
        busy.close()
    finally:
        release.set()
        holder.join(30)


def test_sign_in_attempts_are_audited(store: Store) -> None:
    with pytest.raises(AccessDenied, match="wrong password"):
        authenticate(store, "drsmith", "not-the-password")
    with pytest.raises(AccessDenied, match="wrong password"):
        authenticate(store, "nobody", "whatever-1")
    user = authenticate(store, "drsmith", PASSWORDS["drsmith"])
    rows = store.all(
        "SELECT username, outcome FROM audit_log WHERE action = 'sign_in' ORDER BY id DESC LIMIT 3"
    )
    assert [tuple(r) for r in rows] == [
        ("drsmith", "ok"),
        ("nobody", "failed"),
        ("drsmith", "failed"),
    ]
    assert user.role == "physician"


def _writer(path: str, n: int, stop) -> None:  # child process: file reports until told to stop
    s = connect(path)
    tina = find_user(s, "tina")
    for i in range(n):
        if stop.is_set():
            break
        file_document(s, tina, patient_id=1, report_type="note", text=f"note {i}", author="drsmith")
    s.close()


def test_backup_during_writes_is_intact_and_restores(tmp_path: Path) -> None:
    s = fresh_store(tmp_path / "live")
    ctx = mp.get_context("spawn")
    stop = ctx.Event()
    w = ctx.Process(target=_writer, args=(s.path, 200, stop))
    w.start()
    try:
        while s.one("SELECT count(*) FROM documents")[0] < 5:
            pass
        dest = backup(s, tmp_path / "copy.db")
    finally:
        stop.set()
        w.join(60)
    copy = connect(dest)
    assert check(copy) == []
    assert verify(copy).ok
    n = copy.one("SELECT count(*) FROM documents")[0]
    assert n >= 5
    # The copy is a consistent snapshot: exactly the live store's first n documents.
    live = [tuple(r) for r in s.all("SELECT * FROM document_versions ORDER BY id")]
    snap = [tuple(r) for r in copy.all("SELECT * FROM document_versions ORDER BY id")]
    assert snap == live[: len(snap)]
    cody = find_user(copy, "cody")
    assert get_document(copy, cody, 1).version.text == DISCHARGE
    copy.close()
    # Once writes stop, a backup is identical to the live store, row for row.
    quiet = backup(s, tmp_path / "quiet.db")
    restored = connect(quiet)
    assert list(restored.conn.iterdump()) == list(s.conn.iterdump())
    restored.close()
    s.close()


def test_passwords_change_only_by_owner_or_user_manager(store: Store) -> None:
    from assistant.store import set_password

    cody, admin = find_user(store, "cody"), find_user(store, "admin")
    set_password(store, cody, "cody", "cody-pass-2")
    assert authenticate(store, "cody", "cody-pass-2").username == "cody"
    with pytest.raises(AccessDenied):
        set_password(store, cody, "drsmith", "hijacked-1")
    set_password(store, admin, "drsmith", "reset-pass-1")
    assert authenticate(store, "drsmith", "reset-pass-1").role == "physician"
    with pytest.raises(StoreError, match="at least"):
        set_password(store, cody, "cody", "short")
    with pytest.raises(AccessDenied):
        authenticate(store, "system", "")  # the intake identity never signs in
