"""What is waiting for the acting user, by role.

transcriptionist: dictations to transcribe, transcripts and drafts to review, unassigned
dictations. physician: own drafts/preliminary reports to sign, open queries addressed to them.
coder: encounters with signed documents not yet coded, answered queries they raised.
him: unassigned dictations and unassigned documents. auditor and system: nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.store.audit import audited
from assistant.store.db import Store
from assistant.store.roles import User


@dataclass(frozen=True)
class WorklistItem:
    kind: str  # transcribe | review | assign | sign | query | code
    title: str
    since: str  # when it started waiting (ISO-8601 UTC)
    patient_id: int | None = None
    mrn: str | None = None
    patient_name: str | None = None
    encounter_id: int | None = None
    document_id: int | None = None
    dictation_id: int | None = None
    query_id: int | None = None
    status: str | None = None


_P = "p.mrn, p.family_name || ', ' || p.given_name AS patient_name"

_SQL: dict[str, str] = {
    "transcribe": f"""SELECT 'transcribe' AS kind, 'Dictation ' || x.id || ' to transcribe'
        AS title, x.created_at AS since, x.patient_id, {_P}, x.encounter_id, NULL AS document_id,
        x.id AS dictation_id, NULL AS query_id, x.status FROM dictations x
        LEFT JOIN patients p ON p.id = x.patient_id WHERE x.status = 'recorded'""",
    "review_dictation": f"""SELECT 'review', 'Transcript of dictation ' || x.id || ' to review',
        x.created_at, x.patient_id, {_P}, x.encounter_id, NULL, x.id, NULL, x.status
        FROM dictations x LEFT JOIN patients p ON p.id = x.patient_id
        WHERE x.status = 'transcribed'""",
    "review_draft": f"""SELECT 'review', x.report_type || ' draft ' || x.id, x.updated_at,
        x.patient_id, {_P}, x.encounter_id, x.id, x.dictation_id, NULL, x.status
        FROM documents x JOIN patients p ON p.id = x.patient_id
        WHERE x.status = 'draft' AND (:physician = 0 OR x.author_id = :uid)""",
    "assign_dictation": """SELECT 'assign', 'Dictation ' || x.id || ' has no patient',
        x.created_at, NULL, NULL, NULL, NULL, NULL, x.id, NULL, x.status FROM dictations x
        WHERE x.patient_id IS NULL""",
    "assign_document": f"""SELECT 'assign', x.report_type || ' ' || x.id || ' has no physician',
        x.updated_at, x.patient_id, {_P}, x.encounter_id, x.id, x.dictation_id, NULL, x.status
        FROM documents x JOIN patients p ON p.id = x.patient_id
        WHERE x.author_id IS NULL AND x.status IN ('draft', 'preliminary')""",
    "sign": f"""SELECT 'sign', x.report_type || ' ' || x.id || ' to sign', x.updated_at,
        x.patient_id, {_P}, x.encounter_id, x.id, x.dictation_id, NULL, x.status
        FROM documents x JOIN patients p ON p.id = x.patient_id
        WHERE x.author_id = :uid AND x.status IN ('draft', 'preliminary')""",
    "query_open": f"""SELECT 'query', 'Query: ' || q.question, q.created_at, e.patient_id, {_P},
        q.encounter_id, q.document_id, NULL, q.id, q.status FROM physician_queries q
        JOIN encounters e ON e.id = q.encounter_id JOIN patients p ON p.id = e.patient_id
        WHERE q.addressed_to = :uid AND q.status = 'open'""",
    "query_answered": f"""SELECT 'query', 'Answered: ' || q.question, q.answered_at,
        e.patient_id, {_P}, q.encounter_id, q.document_id, NULL, q.id, q.status
        FROM physician_queries q JOIN encounters e ON e.id = q.encounter_id
        JOIN patients p ON p.id = e.patient_id
        WHERE q.raised_by = :uid AND q.status = 'answered' AND e.coding_completed_at IS NULL""",
    "code": f"""SELECT 'code', 'Encounter ' || e.id || ' (' || e.encounter_type || ') to code',
        max(x.updated_at), e.patient_id, {_P}, e.id, NULL, NULL, NULL, NULL
        FROM encounters e JOIN documents x ON x.encounter_id = e.id
        JOIN patients p ON p.id = e.patient_id
        WHERE e.coding_completed_at IS NULL AND x.status IN ('final', 'amended')
        GROUP BY e.id""",
}

BY_ROLE: dict[str, tuple[str, ...]] = {
    "transcriptionist": ("transcribe", "review_dictation", "review_draft", "assign_dictation"),
    "physician": ("sign", "query_open"),
    "coder": ("code", "query_answered"),
    "him": ("assign_dictation", "assign_document"),
    "auditor": (),
    "system": (),
}


def worklist(store: Store, user: User) -> list[WorklistItem]:
    """The user's waiting items, oldest first (audited as one read)."""
    parts = BY_ROLE.get(user.role, ())
    if not parts:
        return []
    with audited(store, user, "read_worklist", permission="read_record") as scope:
        items: list[WorklistItem] = []
        params: dict[str, Any] = {"uid": user.id, "physician": int(user.role == "physician")}
        for name in parts:
            for r in store.all(_SQL[name], params):
                items.append(WorklistItem(*tuple(r)))
        items.sort(key=lambda i: (i.since or "", i.kind))
        scope.detail = {"items": len(items)}
    return items
