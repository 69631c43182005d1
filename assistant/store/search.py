"""Full-text search (SQLite FTS5) over the current version of each document, and the chart.

The index is external-content (no second copy of the text) over the view of each document's
current version, keyed by document id; ids follow filing time, so a date range is an id range.
Ranking by bm25 must score every matching row, which for a very common word in a million
reports takes seconds, so a query whose match list is longer than ``COMMON_MATCHES`` (a quick
count with LIMIT) is ordered newest first instead.
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
from assistant.store.db import Store, equal_filters
from assistant.store.documents import Document, _load
from assistant.store.records import _encounter, _patient
from assistant.store.roles import User

COMMON_MATCHES = 2000  # above this many matches, order by date rather than bm25
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


def _iso(value: date | datetime | str) -> str:
    return value if isinstance(value, str) else value.isoformat()


def _filters(
    patient_id: int | None,
    author_id: int | None,
    report_type: str | None,
    status: str | None,
    include_entered_in_error: bool,
) -> tuple[list[str], list[Any]]:
    where, params = equal_filters(
        [
            ("d.patient_id", patient_id),
            ("d.author_id", author_id),
            ("d.report_type", report_type),
            ("d.status", status),
        ]
    )
    if not include_entered_in_error and status is None:
        where.append("d.status != 'entered-in-error'")
    return where, params


def _id_range(
    store: Store, date_from: date | datetime | str | None, date_to: date | datetime | str | None
) -> tuple[int, int] | None:
    """Document ids filed within the dates (ids follow filing time); None if none can match."""
    lo, hi = 1, 2**62
    if date_from is not None:
        r = store.one(
            "SELECT id FROM documents WHERE created_at >= ? ORDER BY created_at, id LIMIT 1",
            [_iso(date_from)],
        )
        if r is None:
            return None
        lo = r[0]
    if date_to is not None:
        end = _iso(date_to)
        end = end + "\uffff" if len(end) == 10 else end  # a bare date means the whole day
        r = store.one(
            "SELECT id FROM documents WHERE created_at < ? ORDER BY created_at DESC, id DESC"
            " LIMIT 1",
            [end],
        )
        if r is None:
            return None
        hi = r[0]
    return (lo, hi) if lo <= hi else None


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
    """Ranked search with filters and highlighted snippets; audited with the query and hits.

    Dates filter on when a document was first filed. Results are ordered by relevance (bm25),
    or newest first when the words match more than ``COMMON_MATCHES`` documents or when the
    search is within one patient's record.
    """
    expr = match_expression(query)
    where, params = _filters(patient_id, author_id, report_type, status, include_entered_in_error)
    with audited(store, user, "search", patient_id=patient_id) as scope:
        try:
            span = _id_range(store, date_from, date_to)
            common = patient_id is not None  # a patient's matches come newest first
            if span is None:
                rows: list[Any] = []
            elif patient_id is not None:
                rows = _for_patient(store, expr, where, params, span, limit, offset)
            else:
                common = _count(store, expr, span) > COMMON_MATCHES
                rows = _ranked(store, expr, where, params, span, limit, offset, common)
            hits = tuple(_hit(store, expr, did, score, markers) for did, score in rows)
        except sqlite3.OperationalError as e:
            raise StoreError(f"Cannot search for {query!r}: {e}") from e
        scope.detail = {"query": query, "hits": [h.document_id for h in hits]}
    return SearchResult(hits, "date" if common else "relevance", expr)


def _count(store: Store, expr: str, span: tuple[int, int]) -> int:
    return store.one(
        "SELECT count(*) FROM (SELECT rowid FROM document_fts WHERE document_fts MATCH ?"
        " AND rowid BETWEEN ? AND ? LIMIT ?)",
        [expr, *span, COMMON_MATCHES + 1],
    )[0]


def _ranked(
    store: Store,
    expr: str,
    where: list[str],
    params: list[Any],
    span: tuple[int, int],
    limit: int,
    offset: int,
    common: bool,
) -> list[tuple[int, float | None]]:
    want = limit + offset
    if where == ["d.status != 'entered-in-error'"]:
        # No real filter: rank inside FTS5 alone (no join per match), then drop the rare
        # withdrawn document; fall through to the join only if too many were dropped.
        order = "rowid DESC" if common else "rank"
        rows = store.all(
            f"SELECT rowid, {'NULL' if common else 'rank'} FROM document_fts"
            f" WHERE document_fts MATCH ? AND rowid BETWEEN ? AND ? ORDER BY {order} LIMIT ?",
            [expr, *span, want + 10],
        )
        ids = [r[0] for r in rows]
        marks = ",".join("?" * len(ids))
        withdrawn = {
            r[0]
            for r in store.all(
                f"SELECT id FROM documents WHERE id IN ({marks}) AND status = 'entered-in-error'",
                ids,
            )
        }
        kept = [(r[0], r[1]) for r in rows if r[0] not in withdrawn]
        if len(kept) >= want or len(rows) < want + 10:
            return kept[offset:want]
    order = "f.rowid DESC" if common else "f.rank"
    rows = store.all(
        f"SELECT f.rowid, {'NULL' if common else 'f.rank'} FROM document_fts f"
        " JOIN documents d ON d.id = f.rowid WHERE document_fts MATCH ?"
        f" AND f.rowid BETWEEN ? AND ?{''.join(' AND ' + w for w in where)}"
        f" ORDER BY {order} LIMIT ? OFFSET ?",
        [expr, *span, *params, limit, offset],
    )
    return [(r[0], r[1]) for r in rows]


def _for_patient(
    store: Store,
    expr: str,
    where: list[str],
    params: list[Any],
    span: tuple[int, int],
    limit: int,
    offset: int,
) -> list[tuple[int, float | None]]:
    # One patient has few documents: start from them (CROSS JOIN fixes the join order) and test
    # each against the index, instead of walking every match of the words. Newest first: bm25
    # here would re-read the words' whole match lists once per matching document.
    rows = store.all(
        "SELECT f.rowid, NULL FROM documents d CROSS JOIN document_fts f"
        " WHERE f.rowid = d.id AND document_fts MATCH ? AND d.id BETWEEN ? AND ?"
        f"{''.join(' AND ' + w for w in where)} ORDER BY d.id DESC LIMIT ? OFFSET ?",
        [expr, *span, *params, limit, offset],
    )
    return [(r[0], r[1]) for r in rows]


def _hit(
    store: Store, expr: str, document_id: int, score: float | None, markers: tuple[str, str]
) -> SearchHit:
    r = store.one(
        "SELECT snippet(document_fts, 0, ?, ?, '…', 24) AS snip, d.*,"
        " p.mrn, p.family_name, p.given_name FROM document_fts f"
        " JOIN documents d ON d.id = f.rowid JOIN patients p ON p.id = d.patient_id"
        " WHERE document_fts MATCH ? AND f.rowid = ?",
        [markers[0], markers[1], expr, document_id],
    )
    return SearchHit(
        document_id=r["id"],
        version=r["current_version"],
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
