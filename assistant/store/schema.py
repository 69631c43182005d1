"""The store's schema as an ordered list of migrations (sqlite-utils ``Migrations``).

Never edit an applied migration: add a new one at the end. Integrity rules that must hold even
against hand-written SQL live here as triggers: document versions and audit rows can be neither
updated nor deleted.

Document status vocabulary (see documents.py): draft, preliminary, final, amended,
entered-in-error; an addendum is a separate document with relation 'appends' to its parent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

    from assistant.store.db import Store

ROLES = ("transcriptionist", "physician", "coder", "him", "auditor", "system")
DOC_STATUSES = ("draft", "preliminary", "final", "amended", "entered-in-error")

_INITIAL = [
    f"""CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE COLLATE NOCASE,
        display_name TEXT NOT NULL DEFAULT '',
        role TEXT NOT NULL CHECK (role IN {ROLES!r}),
        password_hash TEXT,
        active INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE patients (
        id INTEGER PRIMARY KEY,
        mrn TEXT NOT NULL UNIQUE,
        family_name TEXT NOT NULL,
        given_name TEXT NOT NULL,
        birth_date TEXT,
        sex TEXT NOT NULL DEFAULT 'unknown'
            CHECK (sex IN ('male', 'female', 'other', 'unknown')),
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX patients_name ON patients (family_name COLLATE NOCASE, birth_date)",
    """CREATE TABLE encounters (
        id INTEGER PRIMARY KEY,
        patient_id INTEGER NOT NULL REFERENCES patients (id),
        external_id TEXT UNIQUE,
        encounter_type TEXT NOT NULL,
        admit_date TEXT,
        discharge_date TEXT,
        attending TEXT,
        discharge_disposition TEXT,
        coding_completed_at TEXT,
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX encounters_patient ON encounters (patient_id)",
    """CREATE TABLE dictations (
        id INTEGER PRIMARY KEY,
        audio_sha256 TEXT NOT NULL,
        path TEXT,
        duration REAL,
        author TEXT,
        patient_id INTEGER REFERENCES patients (id),
        encounter_id INTEGER REFERENCES encounters (id),
        report_type TEXT,
        status TEXT NOT NULL DEFAULT 'recorded'
            CHECK (status IN ('recorded', 'transcribed', 'reviewed', 'filed')),
        dictated_at TEXT,
        created_by INTEGER NOT NULL REFERENCES users (id),
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX dictations_sha ON dictations (audio_sha256)",
    "CREATE INDEX dictations_status ON dictations (status)",
    """CREATE TABLE transcripts (
        id INTEGER PRIMARY KEY,
        dictation_id INTEGER NOT NULL REFERENCES dictations (id),
        transcript_json TEXT NOT NULL,
        text TEXT NOT NULL,
        created_by INTEGER NOT NULL REFERENCES users (id),
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX transcripts_dictation ON transcripts (dictation_id)",
    """CREATE TABLE transcript_reviews (
        transcript_id INTEGER NOT NULL REFERENCES transcripts (id),
        span TEXT NOT NULL,
        reviewed_by INTEGER NOT NULL REFERENCES users (id),
        reviewed_at TEXT NOT NULL,
        PRIMARY KEY (transcript_id, span)
    )""",
    f"""CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        patient_id INTEGER NOT NULL REFERENCES patients (id),
        encounter_id INTEGER REFERENCES encounters (id),
        report_type TEXT NOT NULL,
        author_id INTEGER REFERENCES users (id),  -- the physician who signs; NULL = unassigned
        dictation_id INTEGER REFERENCES dictations (id),
        parent_id INTEGER REFERENCES documents (id),
        relation TEXT CHECK (relation IS NULL OR relation = 'appends'),
        status TEXT NOT NULL CHECK (status IN {DOC_STATUSES!r}),
        current_version INTEGER NOT NULL,
        created_by INTEGER NOT NULL REFERENCES users (id),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    "CREATE INDEX documents_patient ON documents (patient_id, created_at)",
    "CREATE INDEX documents_author ON documents (author_id, status)",
    "CREATE INDEX documents_status ON documents (status, created_at)",
    "CREATE INDEX documents_encounter ON documents (encounter_id)",
    f"""CREATE TABLE document_versions (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents (id),
        version INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN {DOC_STATUSES!r}),
        text TEXT NOT NULL,
        section_titles TEXT NOT NULL DEFAULT '',
        sections_json TEXT NOT NULL DEFAULT '[]',
        reason TEXT,
        created_by INTEGER NOT NULL REFERENCES users (id),
        created_at TEXT NOT NULL,
        signed_by INTEGER REFERENCES users (id),
        signed_at TEXT,
        UNIQUE (document_id, version)
    )""",
    # A version, once written, is the record: corrections are new versions.
    """CREATE TRIGGER document_versions_no_update BEFORE UPDATE ON document_versions
       BEGIN SELECT RAISE(ABORT, 'document versions are immutable'); END""",
    """CREATE TRIGGER document_versions_no_delete BEFORE DELETE ON document_versions
       BEGIN SELECT RAISE(ABORT, 'document versions are immutable'); END""",
    # External content over the immutable versions: only each document's current version is
    # indexed (documents.py swaps the entry when a new version becomes current).
    """CREATE VIRTUAL TABLE document_fts USING fts5 (
        text, section_titles,
        content='document_versions', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )""",
    """CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        user_id INTEGER,
        username TEXT NOT NULL,
        action TEXT NOT NULL,
        patient_id INTEGER,
        document_id INTEGER,
        outcome TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '{}',
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    )""",
    "CREATE INDEX audit_patient ON audit_log (patient_id)",
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    """CREATE TABLE encounter_codes (
        id INTEGER PRIMARY KEY,
        encounter_id INTEGER NOT NULL REFERENCES encounters (id),
        system TEXT NOT NULL,
        code TEXT NOT NULL,
        display TEXT NOT NULL DEFAULT '',
        sequence INTEGER NOT NULL,
        poa TEXT CHECK (poa IS NULL OR poa IN ('Y', 'N', 'U', 'W', '1')),
        added_by INTEGER NOT NULL REFERENCES users (id),
        added_at TEXT NOT NULL,
        UNIQUE (encounter_id, system, code)
    )""",
    """CREATE TABLE physician_queries (
        id INTEGER PRIMARY KEY,
        encounter_id INTEGER NOT NULL REFERENCES encounters (id),
        document_id INTEGER REFERENCES documents (id),
        raised_by INTEGER NOT NULL REFERENCES users (id),
        addressed_to INTEGER NOT NULL REFERENCES users (id),
        question TEXT NOT NULL,
        evidence TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'open'
            CHECK (status IN ('open', 'answered', 'withdrawn')),
        answer TEXT,
        answered_by INTEGER REFERENCES users (id),
        answered_at TEXT,
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX queries_to ON physician_queries (addressed_to, status)",
    """CREATE TABLE jobs (
        audio_sha256 TEXT PRIMARY KEY,
        path TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'queued'
            CHECK (state IN ('queued', 'processing', 'done', 'quarantined')),
        reason TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        worker TEXT,
        claimed_at TEXT,
        dictation_id INTEGER REFERENCES dictations (id),
        document_id INTEGER REFERENCES documents (id),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    "CREATE INDEX jobs_state ON jobs (state)",
]


# Search by document, not by version: the index's rowid becomes the document id, whose order is
# filing order (documents.py keeps created_at non-decreasing in id), so a date range is a rowid
# range and "newest first" is "rowid descending". The content is a view of current versions.
_SEARCH_BY_DOCUMENT = [
    "DROP TABLE document_fts",
    """CREATE VIEW current_document_text AS
       SELECT d.id AS document_id, v.text AS text, v.section_titles AS section_titles
       FROM documents d JOIN document_versions v
         ON v.document_id = d.id AND v.version = d.current_version""",
    """CREATE VIRTUAL TABLE document_fts USING fts5 (
        text, section_titles,
        content='current_document_text', content_rowid='document_id',
        tokenize='porter unicode61 remove_diacritics 2'
    )""",
    "INSERT INTO document_fts (document_fts) VALUES ('rebuild')",
    # ORDER BY rank then means bm25 with the section titles weighted half.
    "INSERT INTO document_fts (document_fts, rank) VALUES ('rank', 'bm25(1.0, 0.5)')",
    "CREATE INDEX documents_created ON documents (created_at)",
]


# A recording dictated into an existing document (the editor's dictate key) belongs to that
# document; the document's own dictation stays ``documents.dictation_id``. Rows attached before
# the column existed are found through their audit rows.
_DICTATION_DOCUMENT = [
    "ALTER TABLE dictations ADD COLUMN document_id INTEGER REFERENCES documents (id)",
    "CREATE INDEX dictations_document ON dictations (document_id)",
    """UPDATE dictations SET document_id = (
         SELECT a.document_id FROM audit_log a
         WHERE a.action = 'attach_dictation' AND a.outcome = 'ok'
           AND json_extract(a.detail, '$.dictation') = dictations.id)
       WHERE document_id IS NULL""",
]


def _migrations() -> Migrations:
    from sqlite_utils.migrations import Migrations

    migrations = Migrations("assistant.store")

    @migrations(name="0001_initial")
    def initial(db: Database) -> None:
        for sql in _INITIAL:
            db.conn.execute(sql)

    @migrations(name="0002_search_by_document")
    def search_by_document(db: Database) -> None:
        for sql in _SEARCH_BY_DOCUMENT:
            db.conn.execute(sql)

    @migrations(name="0003_dictation_document")
    def dictation_document(db: Database) -> None:
        for sql in _DICTATION_DOCUMENT:
            db.conn.execute(sql)

    return migrations


def migrate(store: Store) -> list[str]:
    """Apply pending migrations in one BEGIN IMMEDIATE transaction; return the names applied."""
    migrations = _migrations()
    if not migrations.pending(store.db):
        return []
    with store.write():
        # Re-read under the write lock: another process may have migrated meanwhile.
        names = [m.name for m in migrations.pending(store.db)]
        migrations.apply(store.db)
    return names


def applied(store: Store) -> list[str]:
    return [m.name for m in _migrations().applied(store.db)]
