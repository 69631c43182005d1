"""Filing one batch result: everything for one job is written in ONE transaction.

The dictation, its transcript, the preliminary document and the job's move to 'done' commit
together, so a crash at any point leaves either all of them or none (and the job, still
'processing', is re-queued by the next run). A dictation whose patient cannot be identified
safely is filed without a patient: it waits on the records specialists' worklist to be matched.

The few look-ups the store's public API does not offer to the ``system`` role (an existing
patient or encounter by its number, a physician by user name) are here; they belong in
``assistant.store`` and can move there unchanged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from assistant.models import DictationMeta, Encounter, Patient
from assistant.store import (
    Store,
    User,
    add_dictation,
    add_encounter,
    file_document,
    find_or_register_patient,
    finish_job,
    save_transcript,
)

log = logging.getLogger(__name__)

SEXES = ("male", "female", "other", "unknown")


@dataclass(frozen=True)
class Filed:
    dictation_id: int
    document_id: int | None  # None when the dictation waits to be matched to a patient
    patient_id: int | None
    note: str | None = None  # why it is unassigned, or what was not linked


def file_result(
    store: Store, user: User, sha256: str, path: str, meta: DictationMeta, work: dict[str, Any]
) -> Filed:
    """File a worker's successful result and finish its job, all in one transaction."""
    with store.write():
        patient_id, note = _patient_for(store, user, meta)
        encounter_id = None
        if patient_id is not None and meta.encounter:
            encounter_id, enc_note = _encounter_for(store, user, patient_id, meta)
            note = note or enc_note
        report = work["report"]
        dictation = add_dictation(
            store,
            user,
            audio_sha256=sha256,
            path=path,
            duration=round(float(work["duration"]), 3),
            author=meta.author,
            patient_id=patient_id,
            encounter_id=encounter_id,
            report_type=report["report_type"],
            dictated_at=meta.dictated_at,
        )
        save_transcript(store, user, dictation.id, work["transcript"], text=work["raw_text"])
        document_id = None
        if patient_id is not None:
            document_id = file_document(
                store,
                user,
                patient_id=patient_id,
                report_type=report["report_type"],
                text=work["text"],
                sections=report["sections"],
                encounter_id=encounter_id,
                author=_physician(store, meta.author),
                dictation_id=dictation.id,
                status="preliminary",
            ).id
        finish_job(store, user, sha256, dictation_id=dictation.id, document_id=document_id)
    return Filed(dictation.id, document_id, patient_id, note)


def _patient_for(store: Store, user: User, meta: DictationMeta) -> tuple[int | None, str | None]:
    """(patient id, None) when the MRN identifies the patient safely, else (None, why not)."""
    mrn = (meta.mrn or "").strip()
    if not mrn:
        return None, "no MRN"
    names = split_name(meta.patient_name)
    known = store.one("SELECT id, family_name FROM patients WHERE mrn = ?", [mrn])
    if known is not None:
        # A sidecar naming someone else for this MRN is a mix-up a person must resolve.
        if names and names[0].casefold() != known["family_name"].casefold():
            return None, "patient name does not match the MRN"
        return known["id"], None
    if not names:
        return None, "new MRN without a patient name"
    patient = Patient(
        mrn=mrn,
        family_name=names[0],
        given_name=names[1],
        birth_date=_date(meta.birth_date),
        sex=meta.sex if meta.sex in SEXES else "unknown",
    )
    return find_or_register_patient(store, user, patient).id, None


def split_name(name: str | None) -> tuple[str, str] | None:
    """("Family", "Given") from "Family, Given" or "Given Family"; None if there is no name."""
    if not name or not name.strip():
        return None
    if "," in name:
        family, given = (part.strip() for part in name.split(",", 1))
    else:
        *given_parts, family = name.split()
        given = " ".join(given_parts)
    return (family, given) if family else None


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _encounter_for(
    store: Store, user: User, patient_id: int, meta: DictationMeta
) -> tuple[int | None, str | None]:
    r = store.one("SELECT id, patient_id FROM encounters WHERE external_id = ?", [meta.encounter])
    if r is not None:
        if r["patient_id"] != patient_id:
            return None, "encounter belongs to another patient; not linked"
        return r["id"], None
    encounter = Encounter(
        patient_id=patient_id,
        encounter_type=meta.encounter_type or "unknown",
        attending=meta.author,
        external_id=meta.encounter,
    )
    return add_encounter(store, user, encounter).id, None


def _physician(store: Store, username: str | None) -> str | None:
    """The author if an active physician has that user name; otherwise HIM assigns one."""
    if not username:
        return None
    r = store.one(
        "SELECT username FROM users WHERE username = ? AND role = 'physician' AND active = 1",
        [username],
    )
    return r["username"] if r is not None else None
