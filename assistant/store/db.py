"""Opening the record store: pragmas, migrations, and write transactions that never lose data.

Every write runs in ``BEGIN IMMEDIATE`` so that the write lock is taken up front: two writers
never both read the audit chain head and then race to append after it. A busy database is
retried a bounded number of times (on top of SQLite's own busy timeout) and then reported as a
``StoreError``; nothing half-written is ever committed.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.errors import IntegrityViolation, StoreError

log = logging.getLogger(__name__)

BEGIN_RETRIES = 4  # BEGIN IMMEDIATE attempts, each waiting up to the busy timeout


def utcnow() -> str:
    """The current time as ISO-8601 UTC text, the one date format the store keeps."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def equal_filters(filters: Iterable[tuple[str, Any]]) -> tuple[list[str], list[Any]]:
    """``col = ?`` clauses and their parameters for the filters given (a None value: any).

    The column names are the caller's constants, never user input; only values are bound.
    """
    given = [(col, val) for col, val in filters if val is not None]
    return [f"{col} = ?" for col, _ in given], [val for _, val in given]


def translate(e: sqlite3.Error, path: str | Path) -> StoreError:
    """Turn a sqlite3 error into a StoreError a user can act on."""
    msg = str(e).lower()
    if "locked" in msg or "busy" in msg:
        return StoreError(
            f"The record store {path} is busy (another program is writing); nothing was changed."
            " Try again in a moment."
        )
    if "readonly" in msg or "read-only" in msg:
        return StoreError(f"The record store {path} is read-only; nothing was changed.")
    if "not a database" in msg or "malformed" in msg or "corrupt" in msg:
        return StoreError(f"The record store {path} is damaged ({e}); run `assistant db check`.")
    if "unable to open" in msg:
        return StoreError(f"Cannot open the record store {path}: {e}")
    return StoreError(f"Record store error in {path}: {e}")


class Store:
    """One connection to the record store. A Store belongs to one thread."""

    def __init__(self, conn: sqlite3.Connection, path: str | Path, *, read_only: bool) -> None:
        import sqlite_utils

        self.conn = conn
        self.path = str(path)
        self.read_only = read_only
        # sqlite-utils over the same connection, for migrations and table introspection.
        self.db = sqlite_utils.Database(conn, execute_plugins=False)

    # -- transactions -----------------------------------------------------------------------

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (BEGIN IMMEDIATE, bounded retry on busy); nested calls join it."""
        if self.conn.in_transaction:
            yield self.conn
            return
        if self.read_only:
            raise StoreError(f"The record store {self.path} is read-only; nothing was changed.")
        self._begin_immediate()
        try:
            yield self.conn
        except BaseException:
            self._rollback()
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as e:
            self._rollback()
            raise translate(e, self.path) from e

    def _begin_immediate(self) -> None:
        delay = 0.01
        for attempt in range(BEGIN_RETRIES):
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) and "busy" not in str(e):
                    raise translate(e, self.path) from e
                if attempt == BEGIN_RETRIES - 1:
                    raise translate(e, self.path) from e
                log.info("store busy, retry %d", attempt + 1)
                time.sleep(delay)
                delay = min(delay * 2, 0.5)

    def _rollback(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    # -- queries ----------------------------------------------------------------------------

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        try:
            return self.conn.execute(sql, params)
        except sqlite3.OperationalError as e:
            if "no such" in str(e) or "syntax" in str(e) or "fts5" in str(e):
                raise  # a programming or query error, not a store condition
            raise translate(e, self.path) from e
        except sqlite3.IntegrityError as e:
            # A constraint or trigger refused the change (e.g. an immutable version).
            raise IntegrityViolation(f"The record store refused the change: {e}") from e
        except sqlite3.DatabaseError as e:
            raise translate(e, self.path) from e

    def one(self, sql: str, params: Any = ()) -> sqlite3.Row | None:
        return self.execute(sql, params).fetchone()

    def all(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        return self.execute(sql, params).fetchall()

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def connect(
    path: str | Path,
    *,
    busy_timeout_ms: int = 5000,
    create: bool = True,
    migrate: bool = True,
    read_only: bool = False,
) -> Store:
    """Open (and by default create and migrate) the record store at ``path``.

    A read-only file (or ``read_only=True``) opens read-only: reads work, writes raise
    StoreError. A missing file raises
    StoreError unless ``create``. A file that is not a SQLite database raises StoreError.
    """
    p = Path(path)
    exists = p.exists()
    if not exists and not create:
        raise StoreError(f"No record store at {p}; create one with `assistant init`.")
    read_only = read_only or (exists and not os.access(p, os.W_OK))
    if not exists and not p.parent.exists():
        raise StoreError(f"Cannot create the record store {p}: folder {p.parent} does not exist.")
    try:
        uri = f"{p.resolve().as_uri()}?mode={'ro' if read_only else 'rwc'}"
        conn = sqlite3.connect(uri, uri=True, timeout=busy_timeout_ms / 1000, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        conn.execute("PRAGMA foreign_keys = ON")
        if not read_only:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode != "wal":
                log.warning("journal_mode is %s, not wal", mode)
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as e:
        raise translate(e, p) from e
    store = Store(conn, p, read_only=read_only)
    if migrate and not read_only:
        from assistant.store.schema import migrate as run_migrations

        run_migrations(store)
    return store


def backup(store: Store, dest: str | Path) -> Path:
    """Copy the live store to ``dest`` with SQLite's online backup API; check the copy.

    Writers may keep writing during the copy: the backup API restarts on change and the copy is
    a consistent snapshot. Raises StoreError if the copy fails its integrity check.
    """
    d = Path(dest)
    if d.exists():
        raise StoreError(f"Backup destination {d} already exists; choose a new file.")
    try:
        target = sqlite3.connect(str(d))
        try:
            store.conn.backup(target, pages=1024)
            result = target.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            target.close()
    except sqlite3.Error as e:
        raise translate(e, d) from e
    if result != "ok":
        raise StoreError(f"Backup {d} failed its integrity check: {result}")
    return d


def check(store: Store) -> list[str]:
    """Problems found by SQLite's integrity and foreign-key checks and the FTS index; [] is ok."""
    problems: list[str] = []
    try:
        for (line,) in store.conn.execute("PRAGMA integrity_check").fetchall():
            if line != "ok":
                problems.append(f"integrity: {line}")
        for row in store.conn.execute("PRAGMA foreign_key_check").fetchall():
            problems.append(f"foreign key: table {row[0]} rowid {row[1]} -> {row[2]}")
        # One index entry per document, and (when writable) FTS5's own check that the index
        # matches the current text of every document.
        stray = store.conn.execute(
            "SELECT count(*) FROM document_fts_docsize WHERE id NOT IN (SELECT id FROM documents)"
        ).fetchone()[0]
        indexed = store.conn.execute("SELECT count(*) FROM document_fts_docsize").fetchone()[0]
        docs = store.conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        if stray or indexed != docs:
            problems.append(f"search index: {indexed} entries for {docs} documents")
        elif not store.read_only:
            try:
                store.conn.execute(
                    "INSERT INTO document_fts (document_fts) VALUES ('integrity-check')"
                )
            except sqlite3.DatabaseError as e:
                problems.append(f"search index: {e}")
    except sqlite3.DatabaseError as e:
        problems.append(f"database: {e}")
    return problems
