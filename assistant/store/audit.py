"""The audit log: append-only (triggers refuse UPDATE/DELETE) and hash-chained.

Each row's hash is sha256(previous row's hash + the row's canonical JSON), the first row chaining
from 64 zeros. ``verify`` walks the chain and reports the first broken link, so any edited,
deleted, inserted or swapped row shows. Deleting the newest rows leaves a valid but shorter
chain; ``export_head`` gives the newest id and hash to keep elsewhere, and ``verify(head=...)``
then detects the truncation.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from assistant.errors import AccessDenied, IntegrityViolation, NotFound
from assistant.store.db import Store, equal_filters, utcnow
from assistant.store.roles import User, require

GENESIS = "0" * 64
_FIELDS = (
    "id",
    "at",
    "user_id",
    "username",
    "action",
    "patient_id",
    "document_id",
    "outcome",
    "detail",
)


@dataclass(frozen=True)
class AuditEvent:
    id: int
    at: str
    user_id: int | None
    username: str
    action: str
    patient_id: int | None
    document_id: int | None
    outcome: str  # ok | denied | refused | failed
    detail: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    rows: int
    first_bad_id: int | None = None
    problem: str = ""
    head_id: int | None = None
    head_hash: str = GENESIS


@dataclass
class AuditScope:
    """Filled in by the body of ``audited`` once it knows which patient/document it touched."""

    patient_id: int | None = None
    document_id: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)


def row_hash(prev_hash: str, row: dict[str, Any]) -> str:
    canonical = json.dumps({k: row[k] for k in _FIELDS}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def append(
    store: Store,
    *,
    user_id: int | None,
    username: str,
    action: str,
    outcome: str = "ok",
    patient_id: int | None = None,
    document_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> int:
    """Append one row; must run inside ``store.write()`` so the chain head cannot race."""
    if not store.conn.in_transaction:
        raise RuntimeError("audit.append must run inside store.write()")
    last = store.one("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
    row = {
        "id": (last["id"] + 1) if last else 1,
        "at": utcnow(),
        "user_id": user_id,
        "username": username,
        "action": action,
        "patient_id": patient_id,
        "document_id": document_id,
        "outcome": outcome,
        "detail": json.dumps(detail or {}, sort_keys=True, separators=(",", ":")),
    }
    prev = last["hash"] if last else GENESIS
    store.execute(
        "INSERT INTO audit_log (id, at, user_id, username, action, patient_id, document_id,"
        " outcome, detail, prev_hash, hash) VALUES (:id, :at, :user_id, :username, :action,"
        " :patient_id, :document_id, :outcome, :detail, :prev_hash, :hash)",
        {**row, "prev_hash": prev, "hash": row_hash(prev, row)},
    )
    return row["id"]


@contextmanager
def audited(
    store: Store,
    user: User,
    action: str,
    *,
    permission: str | None = None,
    patient_id: int | None = None,
    document_id: int | None = None,
) -> Iterator[AuditScope]:
    """Check the role, run the body in one write transaction, and audit the outcome.

    Success writes an 'ok' row in the same transaction as the body. A refusal (AccessDenied,
    IntegrityViolation, NotFound) rolls the body back and writes a 'denied'/'refused' row in its
    own transaction, so failed attempts are on the record too.
    """
    scope = AuditScope(patient_id=patient_id, document_id=document_id)
    try:
        with store.write():
            require(user, permission or action)
            yield scope
            append(
                store,
                user_id=user.id,
                username=user.username,
                action=action,
                patient_id=scope.patient_id,
                document_id=scope.document_id,
                detail=scope.detail,
            )
    except (AccessDenied, IntegrityViolation, NotFound) as e:
        outcome = "denied" if isinstance(e, AccessDenied) else "refused"
        with store.write():
            append(
                store,
                user_id=user.id,
                username=user.username,
                action=action,
                outcome=outcome,
                patient_id=scope.patient_id,
                document_id=scope.document_id,
                detail={**scope.detail, "error": type(e).__name__},
            )
        raise


def _event(r: Any) -> AuditEvent:
    return AuditEvent(
        id=r["id"],
        at=r["at"],
        user_id=r["user_id"],
        username=r["username"],
        action=r["action"],
        patient_id=r["patient_id"],
        document_id=r["document_id"],
        outcome=r["outcome"],
        detail=json.loads(r["detail"]),
        prev_hash=r["prev_hash"],
        hash=r["hash"],
    )


def list_events(
    store: Store,
    user: User,
    *,
    patient_id: int | None = None,
    document_id: int | None = None,
    username: str | None = None,
    limit: int = 200,
) -> list[AuditEvent]:
    """Newest first. Reading the audit log is itself audited."""
    where, params = equal_filters([("patient_id", patient_id), ("document_id", document_id)])
    if username is not None:
        where.append("username = ? COLLATE NOCASE")
        params.append(username)
    cond = " AND ".join(["1=1", *where])
    with audited(store, user, "read_audit", patient_id=patient_id, document_id=document_id):
        rows = store.all(
            f"SELECT * FROM audit_log WHERE {cond} ORDER BY id DESC LIMIT ?",
            [*params, limit],
        )
    return [_event(r) for r in rows]


def export_head(store: Store) -> dict[str, Any]:
    """The newest row's id and hash: keep it outside the database to detect truncation."""
    last = store.one("SELECT id, at, hash FROM audit_log ORDER BY id DESC LIMIT 1")
    if last is None:
        return {"id": 0, "at": None, "hash": GENESIS}
    return {"id": last["id"], "at": last["at"], "hash": last["hash"]}


def verify(store: Store, head: dict[str, Any] | None = None) -> ChainReport:
    """Walk the chain in id order; report the first broken link (or a missing exported head)."""
    prev_hash, prev_id, count = GENESIS, 0, 0
    seen: dict[int, str] = {}
    want = int(head["id"]) if head else None
    cur = store.execute("SELECT * FROM audit_log ORDER BY id")
    for r in cur:
        row = dict(r)
        count += 1
        bad = None
        if row["id"] != prev_id + 1:
            bad = f"row ids jump from {prev_id} to {row['id']} (rows deleted or inserted)"
        elif row["prev_hash"] != prev_hash:
            bad = "its prev_hash does not match the previous row (row removed, added or moved)"
        elif row_hash(prev_hash, row) != row["hash"]:
            bad = "its content does not match its hash (row edited)"
        if bad:
            return ChainReport(False, count, row["id"], f"audit row {row['id']}: {bad}")
        if want is not None and row["id"] == want:
            seen[want] = row["hash"]
        prev_hash, prev_id = row["hash"], row["id"]
    if head is not None and want:
        if want not in seen:
            return ChainReport(
                False,
                count,
                want,
                f"exported head row {want} is missing: the log was truncated after row {prev_id}",
                prev_id or None,
                prev_hash,
            )
        if seen[want] != head["hash"]:
            return ChainReport(
                False, count, want, f"audit row {want} differs from the exported head hash"
            )
    return ChainReport(True, count, None, "", prev_id or None, prev_hash)
