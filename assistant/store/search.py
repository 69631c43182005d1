"""Full-text search (SQLite FTS5) over the current version of each document, and the chart.

The index is external-content over ``document_versions`` (no second copy of the text); only a
document's current version is in it. Ranking by bm25 must score every matching row, which for a
very common word in a million reports takes seconds, so a query whose match list is longer than
``COMMON_MATCHES`` (a quick count with LIMIT) is ordered newest first instead.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from assistant.errors import StoreError
from assistant.models import Encounter, Patient
from assistant.store.audit import audited
from assistant.store.db import Store
from assistant.store.documents import Document, _load
from assistant.store.records import _encounter, _patient
from assistant.store.roles import User

COMMON_MATCHES = 5000  # above this many matches, order by date rather than bm25
_TOKEN = re.compile(r'"([^"]*)"|(\S+)')


@dataclass(frozen=True)
class SearchHit:
    document_id: int
    version: int
    patient_id: int
    mrn: str
    patient_name: str  # "Family, Given"
    report_type: str
    status: str
    author_id: int | None
    created_at: str  # when the document was first filed
    updated_at: str  # when its current version was written
    snippet: str  # matching text with the terms between the highlight markers
    score: float | None  # bm25 (lower is better); None when ordered by date


@dataclass(frozen=True)
class SearchResult:
    hits: tuple[SearchHit, ...]
    ordered_by: str  # "relevance" | "date"
    match_expression: str


@dataclass(frozen=True)
class Chart:
    patient: Patient
    encounters: tuple[Encounter, ...]
    documents: tuple[Document, ...]  # oldest first; addenda follow in filing order

    def documents_for(self, encounter_id: int | None) -> tuple[Document, ...]:
        return tuple(d for d in self.documents if d.encounter_id == encounter_id)


def match_expression(query: str) -> str:
    """Turn what a user types into a safe FTS5 expression.

    Words are ANDed, "quoted words" are phrases, a trailing * is a prefix, OR between terms is
    kept. Every term is quoted, so punctuation in the query (heart-failure, 5/5) never turns into
    FTS5 syntax errors.
    """
    parts: list[str] = []
    for m in _TOKEN.finditer(query):
        phrase, word = m.group(1), m.group(2)
        if phrase is not None:
            if phrase.strip():
                parts.append('"' + phrase.replace('"', '""') + '"')
            continue
        if word == "OR" and parts and parts[-1] != "OR":
            parts.append("OR")
            continue
        prefix = word.endswith("*") and len(word) > 1
        word = word.rstrip("*").replace('"', '""')
        if word:
            parts.append(f'"{word}"' + ("*" if prefix else ""))
    while parts and parts[-1] == "OR":
        parts.pop()
    if not parts:
        raise StoreError("Give at least one word to search for.")
    return " ".join(parts)


def _filters(
    patient_id: int | None,
    author_id: int | None,
    report_type: str | None,
    status: str | None,
    date_from: date | datetime | str | None,
    date_to: date | datetime | str | None,
    include_entered_in_error: bool,
) -> tuple[str, list[Any]]:
    where, params = [], []
    for col, val in (
        ("d.patient_id", patient_id),
        ("d.author_id", author_id),
        ("d.report_type", report_type),
        ("d.status", status),
    ):
        if val is not None:
            where.append(f"{col} = ?")
            params.append(val)
    if date_from is not None:
        where.append("d.created_at >= ?")
        params.append(str(date_from if isinstance(date_from, str) else date_from.isoformat()))
    if date_to is not None:
        # A bare date means the whole day.
        end = date_to if isinstance(date_to, str) else date_to.isoformat()
        where.append("d.created_at < ?")
        params.append(end + "\uffff" if len(end) == 10 else end)
    if not include_entered_in_error and status is None:
        where.append("d.status != 'entered-in-error'")
    return "".join(f" AND {w}" for w in where), params


def search(
    store: Store,
    user: User,
    query: str,
    *,
    patient_id: int | None = None,
    author_id: int | None = None,
    report_type: str | None = None,
    status: str | None = None,
    date_from: date | datetime | str | None = None,
    date_to: date | datetime | str | None = None,
    include_entered_in_error: bool = False,
    limit: int = 20,
    offset: int = 0,
    markers: tuple[str, str] = ("[", "]"),
) -> SearchResult:
    """Ranked search with filters and highlighted snippets; audited with the query and hits."""
    expr = match_expression(query)
    where, params = _filters(
        patient_id, author_id, report_type, status, date_from, date_to, include_entered_in_error
    )
    with audited(store, user, "search", patient_id=patient_id) as scope:
        try:
            rank = "bm25(document_fts, 1.0, 0.5)"
            if patient_id is not None:
                # One patient has few documents: start from them (CROSS JOIN fixes the order)
                # and test each against the index, instead of walking every match.
                common = False
                sql = (
                    f"SELECT f.rowid AS vid, {rank} AS score FROM documents d"
                    " CROSS JOIN document_versions v CROSS JOIN document_fts f"
                    " WHERE v.document_id = d.id AND v.version = d.current_version"
                    f" AND f.rowid = v.id AND document_fts MATCH ?{where}"
                    " ORDER BY score LIMIT ? OFFSET ?"
                )
            else:
                common = _count(store, expr) > COMMON_MATCHES
                order = "f.rowid DESC" if common else rank
                sql = (
                    f"SELECT f.rowid AS vid, {'NULL' if common else rank} AS score"
                    " FROM document_fts f JOIN document_versions v ON v.id = f.rowid"
                    " JOIN documents d ON d.id = v.document_id"
                    f" WHERE document_fts MATCH ?{where} ORDER BY {order} LIMIT ? OFFSET ?"
                )
            rows = store.all(sql, [expr, *params, limit, offset])
            hits = tuple(_hit(store, expr, r["vid"], r["score"], markers) for r in rows)
        except sqlite3.OperationalError as e:
            raise StoreError(f"Cannot search for {query!r}: {e}") from e
        scope.detail = {"query": query, "hits": [h.document_id for h in hits]}
    return SearchResult(hits, "date" if common else "relevance", expr)


def _count(store: Store, expr: str) -> int:
    return store.one(
        "SELECT count(*) FROM (SELECT rowid FROM document_fts WHERE document_fts MATCH ? LIMIT ?)",
        [expr, COMMON_MATCHES + 1],
    )[0]


def _hit(
    store: Store, expr: str, version_id: int, score: float | None, markers: tuple[str, str]
) -> SearchHit:
    r = store.one(
        "SELECT snippet(document_fts, 0, ?, ?, '…', 24) AS snip,"
        " v.version, d.*, p.mrn, p.family_name, p.given_name FROM document_fts f"
        " JOIN document_versions v ON v.id = f.rowid JOIN documents d ON d.id = v.document_id"
        " JOIN patients p ON p.id = d.patient_id"
        " WHERE document_fts MATCH ? AND f.rowid = ?",
        [markers[0], markers[1], expr, version_id],
    )
    return SearchHit(
        document_id=r["id"],
        version=r["version"],
        patient_id=r["patient_id"],
        mrn=r["mrn"],
        patient_name=f"{r['family_name']}, {r['given_name']}",
        report_type=r["report_type"],
        status=r["status"],
        author_id=r["author_id"],
        created_at=r["created_at"],
        updated_at=r["updated_at"],
        snippet=r["snip"],
        score=score,
    )


def chart(store: Store, user: User, patient_id: int) -> Chart:
    """A patient's chart: encounters by admission, documents in filing order (audited)."""
    from assistant.errors import NotFound

    with audited(store, user, "read_chart", permission="read_record", patient_id=patient_id):
        p = store.one("SELECT * FROM patients WHERE id = ?", [patient_id])
        if p is None:
            raise NotFound(f"No patient with id {patient_id}.")
        encs = store.all(
            "SELECT * FROM encounters WHERE patient_id = ?"
            " ORDER BY admit_date IS NULL, admit_date, id",
            [patient_id],
        )
        ids = store.all(
            "SELECT id FROM documents WHERE patient_id = ? ORDER BY created_at, id", [patient_id]
        )
        docs = tuple(_load(store, r["id"]) for r in ids)
    return Chart(_patient(p), tuple(_encounter(e) for e in encs), docs)
