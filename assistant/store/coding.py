"""Persistence of encounter codes (sequenced, principal first, present-on-admission) and of
physician queries (a coder asks, quoting the evidence; the physician answers; both are kept).

The coding logic itself (suggestion, edits, DRG) lives in ``assistant.coding``; this module only
stores its results under the acting user's role, audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.errors import AccessDenied, IntegrityViolation, NotFound, StoreError
from assistant.models import Code
from assistant.store.audit import AuditScope, audited
from assistant.store.db import Store, equal_filters, utcnow
from assistant.store.roles import User

POA_VALUES = ("Y", "N", "U", "W", "1")  # CMS present-on-admission indicators


@dataclass(frozen=True)
class EncounterCode:
    id: int
    encounter_id: int
    system: str
    code: str
    display: str
    sequence: int  # 1 = principal (per system)
    poa: str | None
    added_by: int
    added_at: str

    @property
    def as_code(self) -> Code:
        return Code(self.system, self.code, self.display)


@dataclass(frozen=True)
class PhysicianQuery:
    id: int
    encounter_id: int
    document_id: int | None
    raised_by: int
    addressed_to: int
    question: str
    evidence: str
    status: str  # open | answered | withdrawn
    answer: str | None
    answered_by: int | None
    answered_at: str | None
    created_at: str


def _enc_patient(store: Store, encounter_id: int, scope: AuditScope) -> None:
    r = store.one("SELECT patient_id FROM encounters WHERE id = ?", [encounter_id])
    if r is None:
        raise NotFound(f"No encounter with id {encounter_id}.")
    scope.patient_id = r["patient_id"]
    scope.detail = {**scope.detail, "encounter": encounter_id}


def _codes(store: Store, encounter_id: int) -> list[EncounterCode]:
    rows = store.all(
        "SELECT * FROM encounter_codes WHERE encounter_id = ? ORDER BY system, sequence",
        [encounter_id],
    )
    return [EncounterCode(**{k: r[k] for k in EncounterCode.__dataclass_fields__}) for r in rows]


def _renumber(store: Store, encounter_id: int, system: str, order: list[str]) -> None:
    for seq, code in enumerate(order, start=1):
        store.execute(
            "UPDATE encounter_codes SET sequence = ? WHERE encounter_id = ? AND system = ?"
            " AND code = ?",
            [seq, encounter_id, system, code],
        )


def _order(store: Store, encounter_id: int, system: str) -> list[str]:
    rows = store.all(
        "SELECT code FROM encounter_codes WHERE encounter_id = ? AND system = ?"
        " ORDER BY sequence, id",
        [encounter_id, system],
    )
    return [r["code"] for r in rows]


def add_code(
    store: Store,
    user: User,
    encounter_id: int,
    code: Code,
    *,
    poa: str | None = None,
    principal: bool = False,
) -> list[EncounterCode]:
    """Attach a code (last in its system's sequence, or first if ``principal``)."""
    if poa is not None and poa not in POA_VALUES:
        raise StoreError(f"POA must be one of {', '.join(POA_VALUES)}, not {poa!r}.")
    with audited(store, user, "add_code", permission="code_encounter") as scope:
        _enc_patient(store, encounter_id, scope)
        order = _order(store, encounter_id, code.system)
        if code.code in order:
            raise IntegrityViolation(f"{code.system} {code.code} is already on this encounter.")
        store.execute(
            "INSERT INTO encounter_codes (encounter_id, system, code, display, sequence, poa,"
            " added_by, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                encounter_id,
                code.system,
                code.code,
                code.display,
                len(order) + 1,
                poa,
                user.id,
                utcnow(),
            ],
        )
        _renumber(
            store,
            encounter_id,
            code.system,
            [code.code, *order] if principal else [*order, code.code],
        )
        scope.detail["code"] = f"{code.system}:{code.code}"
        result = _codes(store, encounter_id)
    return result


def remove_code(
    store: Store, user: User, encounter_id: int, system: str, code: str
) -> list[EncounterCode]:
    with audited(store, user, "remove_code", permission="code_encounter") as scope:
        _enc_patient(store, encounter_id, scope)
        order = _order(store, encounter_id, system)
        if code not in order:
            raise NotFound(f"{system} {code} is not on encounter {encounter_id}.")
        store.execute(
            "DELETE FROM encounter_codes WHERE encounter_id = ? AND system = ? AND code = ?",
            [encounter_id, system, code],
        )
        _renumber(store, encounter_id, system, [c for c in order if c != code])
        scope.detail["code"] = f"{system}:{code}"
        result = _codes(store, encounter_id)
    return result


def set_sequence(
    store: Store, user: User, encounter_id: int, system: str, codes: list[str]
) -> list[EncounterCode]:
    """Reorder a system's codes; ``codes`` must list exactly the codes already attached."""
    with audited(store, user, "sequence_codes", permission="code_encounter") as scope:
        _enc_patient(store, encounter_id, scope)
        if sorted(codes) != sorted(_order(store, encounter_id, system)):
            raise IntegrityViolation("The new order must list exactly the codes attached.")
        _renumber(store, encounter_id, system, codes)
        result = _codes(store, encounter_id)
    return result


def set_poa(store: Store, user: User, encounter_id: int, system: str, code: str, poa: str | None):
    if poa is not None and poa not in POA_VALUES:
        raise StoreError(f"POA must be one of {', '.join(POA_VALUES)}, not {poa!r}.")
    with audited(store, user, "set_poa", permission="code_encounter") as scope:
        _enc_patient(store, encounter_id, scope)
        cur = store.execute(
            "UPDATE encounter_codes SET poa = ? WHERE encounter_id = ? AND system = ? AND code = ?",
            [poa, encounter_id, system, code],
        )
        if cur.rowcount == 0:
            raise NotFound(f"{system} {code} is not on encounter {encounter_id}.")
        result = _codes(store, encounter_id)
    return result


def list_codes(store: Store, user: User, encounter_id: int) -> list[EncounterCode]:
    with audited(store, user, "read_codes", permission="read_record") as scope:
        _enc_patient(store, encounter_id, scope)
        result = _codes(store, encounter_id)
    return result


def complete_coding(store: Store, user: User, encounter_id: int) -> None:
    """Mark an encounter coded (it leaves the coder's worklist)."""
    with audited(store, user, "complete_coding", permission="code_encounter") as scope:
        _enc_patient(store, encounter_id, scope)
        if not _codes(store, encounter_id):
            raise IntegrityViolation(f"Encounter {encounter_id} has no codes yet.")
        store.execute(
            "UPDATE encounters SET coding_completed_at = ? WHERE id = ?", [utcnow(), encounter_id]
        )


# -- physician queries -------------------------------------------------------------------------


def _query(r: Any) -> PhysicianQuery:
    return PhysicianQuery(**{k: r[k] for k in PhysicianQuery.__dataclass_fields__})


def _query_row(store: Store, query_id: int) -> Any:
    r = store.one("SELECT * FROM physician_queries WHERE id = ?", [query_id])
    if r is None:
        raise NotFound(f"No query with id {query_id}.")
    return r


def raise_query(
    store: Store,
    user: User,
    encounter_id: int,
    *,
    to: str | int,
    question: str,
    evidence: str = "",
    document_id: int | None = None,
) -> PhysicianQuery:
    """A coder asks a physician to clarify (e.g. 'heart failure: acuity and type?')."""
    if not question.strip():
        raise StoreError("A query needs a question.")
    with audited(store, user, "raise_query", document_id=document_id) as scope:
        _enc_patient(store, encounter_id, scope)
        col = "id" if isinstance(to, int) else "username"
        p = store.one(f"SELECT id, role FROM users WHERE {col} = ? AND active = 1", [to])
        if p is None or p["role"] != "physician":
            raise StoreError(f"{to} is not an active physician.")
        cur = store.execute(
            "INSERT INTO physician_queries (encounter_id, document_id, raised_by, addressed_to,"
            " question, evidence, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [encounter_id, document_id, user.id, p["id"], question, evidence, utcnow()],
        )
        scope.detail["query"] = cur.lastrowid
    return _query(_query_row(store, cur.lastrowid))


def answer_query(store: Store, user: User, query_id: int, answer: str) -> PhysicianQuery:
    """The physician the query is addressed to answers it; the answer is kept with the record."""
    if not answer.strip():
        raise StoreError("An answer cannot be empty.")
    with audited(store, user, "answer_query") as scope:
        q = _query_row(store, query_id)
        _enc_patient(store, q["encounter_id"], scope)
        scope.document_id = q["document_id"]
        scope.detail["query"] = query_id
        if q["addressed_to"] != user.id:
            raise AccessDenied(f"Query {query_id} is addressed to another physician.")
        if q["status"] != "open":
            raise IntegrityViolation(f"Query {query_id} is {q['status']}.")
        store.execute(
            "UPDATE physician_queries SET status = 'answered', answer = ?, answered_by = ?,"
            " answered_at = ? WHERE id = ?",
            [answer, user.id, utcnow(), query_id],
        )
    return _query(_query_row(store, query_id))


def withdraw_query(store: Store, user: User, query_id: int) -> PhysicianQuery:
    with audited(store, user, "withdraw_query", permission="raise_query") as scope:
        q = _query_row(store, query_id)
        _enc_patient(store, q["encounter_id"], scope)
        if q["raised_by"] != user.id:
            raise AccessDenied(f"Query {query_id} was raised by another user.")
        if q["status"] != "open":
            raise IntegrityViolation(f"Query {query_id} is {q['status']}.")
        store.execute("UPDATE physician_queries SET status = 'withdrawn' WHERE id = ?", [query_id])
    return _query(_query_row(store, query_id))


def list_queries(
    store: Store,
    user: User,
    *,
    encounter_id: int | None = None,
    status: str | None = None,
    addressed_to: int | None = None,
) -> list[PhysicianQuery]:
    where, params = equal_filters(
        [("encounter_id", encounter_id), ("status", status), ("addressed_to", addressed_to)]
    )
    cond = " AND ".join(["1=1", *where])
    with audited(store, user, "read_queries", permission="read_record") as scope:
        if encounter_id is not None:
            _enc_patient(store, encounter_id, scope)
        rows = store.all(
            f"SELECT * FROM physician_queries WHERE {cond} ORDER BY id",
            params,
        )
    return [_query(r) for r in rows]
