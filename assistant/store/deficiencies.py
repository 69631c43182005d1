"""Record deficiencies: unsigned documents checked with ``assistant.reports.review_completeness``.

The store supplies what the check needs (stored sections, age, the encounter's diagnosis codes,
flagged transcript spans not yet reviewed); the rules themselves live in ``assistant.reports``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.store.audit import audited
from assistant.store.db import Store
from assistant.store.documents import Document, _load
from assistant.store.roles import User


def find_deficiencies(
    store: Store,
    user: User,
    *,
    patient_id: int | None = None,
    template_dirs: Sequence[str | Path] = (),
    unsigned_max_age_hours: float = 48.0,
    now: datetime | None = None,
) -> list[tuple[Document, list[Any]]]:
    """Each unsigned document (a physician sees their own) with its deficiencies, if any."""
    from assistant.errors import TemplateError
    from assistant.reports import Deficiency, load_templates, review_completeness

    templates = load_templates(template_dirs)
    now = now or datetime.now(UTC)
    where, params = ["status IN ('draft', 'preliminary')"], []
    if patient_id is not None:
        where.append("patient_id = ?")
        params.append(patient_id)
    if user.role == "physician":
        where.append("author_id = ?")
        params.append(user.id)
    found: list[tuple[Document, list[Any]]] = []
    with audited(store, user, "deficiencies", permission="read_record", patient_id=patient_id):
        ids = store.all(f"SELECT id FROM documents WHERE {' AND '.join(where)} ORDER BY id", params)
        for r in ids:
            doc = _load(store, r["id"])
            template = templates.get(doc.report_type)
            if template is None:
                items = [Deficiency("unknown_report_type", f"No template '{doc.report_type}'")]
            else:
                try:
                    items = review_completeness(
                        _report(doc, templates),
                        template,
                        signed_at=None,
                        created_at=datetime.fromisoformat(doc.created_at),
                        now=now,
                        diagnosis_codes=_diagnoses(store, doc.encounter_id),
                        unreviewed_flags=_unreviewed(store, doc.dictation_id),
                        unsigned_max_age_hours=unsigned_max_age_hours,
                    )
                except TemplateError as e:
                    items = [Deficiency("unreadable_sections", str(e))]
            if items:
                found.append((doc, items))
    return found


def _report(doc: Document, templates: Any) -> Any:
    from assistant.reports import build_report, report_from_dict

    if doc.version.sections:
        data = {"report_type": doc.report_type, "sections": list(doc.version.sections)}
        return report_from_dict(data)
    return build_report(doc.version.text, doc.report_type, templates)


def _diagnoses(store: Store, encounter_id: int | None) -> list[str]:
    if encounter_id is None:
        return []
    rows = store.all(
        "SELECT code FROM encounter_codes WHERE encounter_id = ? AND system = 'ICD-10-CM'",
        [encounter_id],
    )
    return [r["code"] for r in rows]


def _unreviewed(store: Store, dictation_id: int | None) -> list[str]:
    """Flagged segments of the newest transcript that nobody has marked reviewed ("seg:<id>")."""
    if dictation_id is None:
        return []
    t = store.one(
        "SELECT id, transcript_json FROM transcripts WHERE dictation_id = ? ORDER BY id DESC"
        " LIMIT 1",
        [dictation_id],
    )
    if t is None:
        return []
    reviewed = {
        r["span"]
        for r in store.all("SELECT span FROM transcript_reviews WHERE transcript_id = ?", [t["id"]])
    }
    segments = json.loads(t["transcript_json"]).get("segments", [])
    return [
        f"seg:{s.get('id')}: {', '.join(s['flags'])}"
        for s in segments
        if s.get("flags") and f"seg:{s.get('id')}" not in reviewed
    ]
