"""Filing one batch result: everything for one job is written in ONE transaction.

The dictation, its transcript, the preliminary document and the job's move to 'done' commit
together, so a crash at any point leaves either all of them or none (and the job, still
'processing', is re-queued by the next run). A dictation whose patient cannot be identified
safely is filed without a patient: it waits on the records specialists' worklist to be matched.

Intake's look-ups (a patient by MRN, an encounter by visit number, a physician by user name)
are the store's ``match_patient``, ``match_encounter`` and ``find_physician``, audited like
every read of patient data.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from assistant.intake import Dictated, file_dictation
from assistant.models import DictationMeta, Encounter, Patient
from assistant.store import (
    Store,
    User,
    add_encounter,
    find_or_register_patient,
    find_physician,
    finish_job,
    match_encounter,
    match_patient,
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
        dictated = Dictated(
            audio_sha256=sha256,
            path=path,
            duration=work["duration"],
            transcript=work["transcript"],
            raw_text=work["raw_text"],
            text=work["text"],
            report_type=report["report_type"],
            sections=report["sections"],
        )
        filed = file_dictation(
            store,
            user,
            dictated,
            patient_id=patient_id,
            encounter_id=encounter_id,
            author=meta.author,
            signer=_physician(store, meta.author),
            dictated_at=meta.dictated_at,
        )
        finish_job(
            store, user, sha256, dictation_id=filed.dictation_id, document_id=filed.document_id
        )
    return Filed(filed.dictation_id, filed.document_id, patient_id, note)


def _patient_for(store: Store, user: User, meta: DictationMeta) -> tuple[int | None, str | None]:
    """(patient id, None) when the MRN identifies the patient safely, else (None, why not)."""
    mrn = (meta.mrn or "").strip()
    if not mrn:
        return None, "no MRN"
    names = split_name(meta.patient_name)
    known = match_patient(store, user, mrn)
    if known is not None:
        # A sidecar naming someone else for this MRN is a mix-up a person must resolve.
        if names and names[0].casefold() != known.family_name.casefold():
            return None, "patient name does not match the MRN"
        return known.id, None
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
    known = match_encounter(store, user, meta.encounter)
    if known is not None:
        if known.patient_id != patient_id:
            return None, "encounter belongs to another patient; not linked"
        return known.id, None
    encounter = Encounter(
        patient_id=patient_id,
        encounter_type=meta.encounter_type or "unknown",
        attending=meta.author,
        external_id=meta.encounter,
    )
    return add_encounter(store, user, encounter).id, None


def _physician(store: Store, username: str | None) -> str | None:
    """The author if an active physician has that user name; otherwise HIM assigns one."""
    physician = find_physician(store, username) if username else None
    return physician.username if physician is not None else None
