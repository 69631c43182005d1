"""Patients (the master patient index), encounters, dictations and their transcripts.

Every function takes the acting user, checks the role, and audits the read or write.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from assistant.errors import IntegrityViolation, NotFound, StoreError
from assistant.models import Encounter, Patient
from assistant.store.audit import audited
from assistant.store.db import Store, utcnow
from assistant.store.roles import User

DICTATION_STATUSES = ("recorded", "transcribed", "reviewed", "filed")


@dataclass(frozen=True)
class Dictation:
    id: int
    audio_sha256: str
    path: str | None
    duration: float | None
    author: str | None
    patient_id: int | None
    encounter_id: int | None
    report_type: str | None
    status: str
    dictated_at: str | None
    created_at: str


@dataclass(frozen=True)
class StoredTranscript:
    id: int
    dictation_id: int
    transcript: dict[str, Any]  # assistant.transcribe.transcript_to_dict output
    text: str
    reviewed_spans: frozenset[str]
    created_at: str


# -- conversions -------------------------------------------------------------------------------


def _iso(value: date | datetime | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()


def _patient(r: Any) -> Patient:
    return Patient(
        mrn=r["mrn"],
        family_name=r["family_name"],
        given_name=r["given_name"],
        birth_date=date.fromisoformat(r["birth_date"]) if r["birth_date"] else None,
        sex=r["sex"],
        id=r["id"],
    )


def _encounter(r: Any) -> Encounter:
    def dt(v: str | None) -> datetime | None:
        return datetime.fromisoformat(v) if v else None

    return Encounter(
        patient_id=r["patient_id"],
        encounter_type=r["encounter_type"],
        admit_date=dt(r["admit_date"]),
        discharge_date=dt(r["discharge_date"]),
        attending=r["attending"],
        discharge_disposition=r["discharge_disposition"],
        external_id=r["external_id"],
        id=r["id"],
    )


def _dictation(r: Any) -> Dictation:
    return Dictation(**{k: r[k] for k in Dictation.__dataclass_fields__})


# -- patients ----------------------------------------------------------------------------------


def register_patient(store: Store, user: User, patient: Patient) -> Patient:
    """Add a patient to the index; an MRN already there is refused (never overwritten)."""
    if not patient.mrn.strip():
        raise StoreError("A patient needs an MRN.")
    with audited(store, user, "register_patient") as scope:
        if store.one("SELECT 1 FROM patients WHERE mrn = ?", [patient.mrn]):
            raise IntegrityViolation(f"MRN {patient.mrn} is already registered.")
        cur = store.execute(
            "INSERT INTO patients (mrn, family_name, given_name, birth_date, sex, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                patient.mrn,
                patient.family_name,
                patient.given_name,
                _iso(patient.birth_date),
                patient.sex,
                utcnow(),
            ],
        )
        scope.patient_id = cur.lastrowid
    return _patient(store.one("SELECT * FROM patients WHERE id = ?", [scope.patient_id]))


def find_or_register_patient(store: Store, user: User, patient: Patient) -> Patient:
    """The patient with this MRN, registering it first if new (batch intake)."""
    r = store.one("SELECT * FROM patients WHERE mrn = ?", [patient.mrn])
    if r is None:
        try:
            return register_patient(store, user, patient)
        except IntegrityViolation:  # another process registered it meanwhile
            r = store.one("SELECT * FROM patients WHERE mrn = ?", [patient.mrn])
    with audited(store, user, "find_patient", permission="register_patient", patient_id=r["id"]):
        pass
    return _patient(r)


def match_patient(store: Store, user: User, mrn: str) -> Patient | None:
    """Intake's look-up (register_patient suffices): the patient with this MRN, or None."""
    with audited(store, user, "match_patient", permission="register_patient") as scope:
        r = store.one("SELECT * FROM patients WHERE mrn = ?", [mrn])
        scope.patient_id = r["id"] if r is not None else None
        scope.detail = {"found": r is not None}
    return _patient(r) if r is not None else None


def match_encounter(store: Store, user: User, external_id: str) -> Encounter | None:
    """Intake's look-up of an encounter by the hospital's visit number, or None."""
    with audited(store, user, "match_encounter", permission="register_patient") as scope:
        r = store.one("SELECT * FROM encounters WHERE external_id = ?", [external_id])
        if r is not None:
            scope.patient_id = r["patient_id"]
            scope.detail = {"encounter": r["id"]}
    return _encounter(r) if r is not None else None


def get_patient(store: Store, user: User, patient_id: int) -> Patient:
    with audited(store, user, "read_patient", permission="read_record", patient_id=patient_id):
        r = store.one("SELECT * FROM patients WHERE id = ?", [patient_id])
        if r is None:
            raise NotFound(f"No patient with id {patient_id}.")
    return _patient(r)


def find_patient_by_mrn(store: Store, user: User, mrn: str) -> Patient:
    with audited(store, user, "find_patient", permission="read_record") as scope:
        r = store.one("SELECT * FROM patients WHERE mrn = ?", [mrn])
        if r is None:
            raise NotFound(f"No patient with MRN {mrn}.")
        scope.patient_id = r["id"]
    return _patient(r)


def find_patients(
    store: Store,
    user: User,
    *,
    family_name: str | None = None,
    given_name: str | None = None,
    birth_date: date | str | None = None,
    limit: int = 50,
) -> list[Patient]:
    """Look-up by name (prefix, case-insensitive) and/or date of birth."""
    where, params = [], []
    if family_name:
        where.append("family_name LIKE ? ESCAPE '\\'")
        params.append(_like(family_name))
    if given_name:
        where.append("given_name LIKE ? ESCAPE '\\'")
        params.append(_like(given_name))
    if birth_date:
        where.append("birth_date = ?")
        params.append(_iso(birth_date))
    if not where:
        raise StoreError("Give a name or a date of birth to look a patient up.")
    with audited(store, user, "find_patient", permission="read_record") as scope:
        rows = store.all(
            f"SELECT * FROM patients WHERE {' AND '.join(where)}"
            " ORDER BY family_name, given_name, birth_date LIMIT ?",
            [*params, limit],
        )
        scope.detail = {"matches": [r["id"] for r in rows]}
    return [_patient(r) for r in rows]


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


# -- encounters --------------------------------------------------------------------------------


def add_encounter(store: Store, user: User, encounter: Encounter) -> Encounter:
    with audited(
        store,
        user,
        "add_encounter",
        permission="register_patient",
        patient_id=encounter.patient_id,
    ) as scope:
        if not store.one("SELECT 1 FROM patients WHERE id = ?", [encounter.patient_id]):
            raise NotFound(f"No patient with id {encounter.patient_id}.")
        if encounter.external_id and store.one(
            "SELECT 1 FROM encounters WHERE external_id = ?", [encounter.external_id]
        ):
            raise IntegrityViolation(f"Encounter {encounter.external_id} already exists.")
        cur = store.execute(
            "INSERT INTO encounters (patient_id, external_id, encounter_type, admit_date,"
            " discharge_date, attending, discharge_disposition, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                encounter.patient_id,
                encounter.external_id,
                encounter.encounter_type,
                _iso(encounter.admit_date),
                _iso(encounter.discharge_date),
                encounter.attending,
                encounter.discharge_disposition,
                utcnow(),
            ],
        )
        scope.detail = {"encounter": cur.lastrowid}
    return _encounter(store.one("SELECT * FROM encounters WHERE id = ?", [cur.lastrowid]))


def get_encounter(store: Store, user: User, encounter_id: int) -> Encounter:
    with audited(store, user, "read_encounter", permission="read_record") as scope:
        r = store.one("SELECT * FROM encounters WHERE id = ?", [encounter_id])
        if r is None:
            raise NotFound(f"No encounter with id {encounter_id}.")
        scope.patient_id = r["patient_id"]
        scope.detail = {"encounter": encounter_id}
    return _encounter(r)


def find_encounter(store: Store, user: User, external_id: str) -> Encounter:
    with audited(store, user, "read_encounter", permission="read_record") as scope:
        r = store.one("SELECT * FROM encounters WHERE external_id = ?", [external_id])
        if r is None:
            raise NotFound(f"No encounter {external_id}.")
        scope.patient_id = r["patient_id"]
        scope.detail = {"encounter": r["id"]}
    return _encounter(r)


def list_encounters(store: Store, user: User, patient_id: int) -> list[Encounter]:
    with audited(store, user, "read_encounters", permission="read_record", patient_id=patient_id):
        rows = store.all(
            "SELECT * FROM encounters WHERE patient_id = ? ORDER BY admit_date, id", [patient_id]
        )
    return [_encounter(r) for r in rows]


# -- dictations and transcripts ----------------------------------------------------------------


def add_dictation(
    store: Store,
    user: User,
    *,
    audio_sha256: str,
    path: str | None = None,
    duration: float | None = None,
    author: str | None = None,
    patient_id: int | None = None,
    encounter_id: int | None = None,
    report_type: str | None = None,
    dictated_at: str | None = None,
) -> Dictation:
    """Record a dictation; without a patient it waits on the HIM worklist to be assigned."""
    with audited(
        store, user, "add_dictation", permission="file_dictation", patient_id=patient_id
    ) as scope:
        cur = store.execute(
            "INSERT INTO dictations (audio_sha256, path, duration, author, patient_id,"
            " encounter_id, report_type, dictated_at, created_by, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                audio_sha256,
                path,
                duration,
                author,
                patient_id,
                encounter_id,
                report_type,
                dictated_at,
                user.id,
                utcnow(),
            ],
        )
        scope.detail = {"dictation": cur.lastrowid}
    return _dictation(store.one("SELECT * FROM dictations WHERE id = ?", [cur.lastrowid]))


def assign_dictation(
    store: Store, user: User, dictation_id: int, patient_id: int, encounter_id: int | None = None
) -> Dictation:
    """Attach an unassigned dictation to its patient (a dictation's patient is set once)."""
    with audited(store, user, "assign_dictation", permission="assign_work") as scope:
        d = _get_dictation_row(store, dictation_id)
        if d["patient_id"] is not None and d["patient_id"] != patient_id:
            raise IntegrityViolation(f"Dictation {dictation_id} already belongs to a patient.")
        store.execute(
            "UPDATE dictations SET patient_id = ?, encounter_id = ? WHERE id = ?",
            [patient_id, encounter_id, dictation_id],
        )
        scope.patient_id = patient_id
        scope.detail = {"dictation": dictation_id}
    return _dictation(_get_dictation_row(store, dictation_id))


def set_dictation_status(store: Store, user: User, dictation_id: int, status: str) -> Dictation:
    if status not in DICTATION_STATUSES:
        raise StoreError(f"Unknown dictation status {status!r}.")
    with audited(store, user, "dictation_status", permission="file_dictation") as scope:
        d = _get_dictation_row(store, dictation_id)
        store.execute("UPDATE dictations SET status = ? WHERE id = ?", [status, dictation_id])
        scope.patient_id = d["patient_id"]
        scope.detail = {"dictation": dictation_id, "status": status}
    return _dictation(_get_dictation_row(store, dictation_id))


def get_dictation(store: Store, user: User, dictation_id: int) -> Dictation:
    with audited(store, user, "read_dictation", permission="read_record") as scope:
        d = _get_dictation_row(store, dictation_id)
        scope.patient_id = d["patient_id"]
        scope.detail = {"dictation": dictation_id}
    return _dictation(d)


def find_dictations_by_sha(store: Store, user: User, audio_sha256: str) -> list[Dictation]:
    """Dictations of this audio (a renamed copy of a file already taken in is recognised)."""
    with audited(store, user, "find_dictation", permission="file_dictation"):
        rows = store.all("SELECT * FROM dictations WHERE audio_sha256 = ?", [audio_sha256])
    return [_dictation(r) for r in rows]


def _get_dictation_row(store: Store, dictation_id: int) -> Any:
    r = store.one("SELECT * FROM dictations WHERE id = ?", [dictation_id])
    if r is None:
        raise NotFound(f"No dictation with id {dictation_id}.")
    return r


def save_transcript(
    store: Store, user: User, dictation_id: int, transcript: dict[str, Any], text: str = ""
) -> StoredTranscript:
    """Store a transcript (a new row each time: an earlier transcript is never overwritten)."""
    with audited(store, user, "save_transcript", permission="file_dictation") as scope:
        d = _get_dictation_row(store, dictation_id)
        if not text:
            text = " ".join(s.get("text", "").strip() for s in transcript.get("segments", []))
        cur = store.execute(
            "INSERT INTO transcripts (dictation_id, transcript_json, text, created_by, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [dictation_id, json.dumps(transcript), text, user.id, utcnow()],
        )
        if d["status"] == "recorded":
            store.execute("UPDATE dictations SET status = 'transcribed' WHERE id = ?", [d["id"]])
        scope.patient_id = d["patient_id"]
        scope.detail = {"dictation": dictation_id, "transcript": cur.lastrowid}
    return _transcript(store, store.one("SELECT * FROM transcripts WHERE id = ?", [cur.lastrowid]))


def get_transcript(store: Store, user: User, dictation_id: int) -> StoredTranscript:
    """The newest transcript of a dictation, with which flagged spans were reviewed."""
    with audited(store, user, "read_transcript", permission="read_record") as scope:
        d = _get_dictation_row(store, dictation_id)
        scope.patient_id = d["patient_id"]
        r = store.one(
            "SELECT * FROM transcripts WHERE dictation_id = ? ORDER BY id DESC LIMIT 1",
            [dictation_id],
        )
        if r is None:
            raise NotFound(f"Dictation {dictation_id} has no transcript yet.")
        scope.detail = {"dictation": dictation_id, "transcript": r["id"]}
        result = _transcript(store, r)
    return result


def mark_reviewed(
    store: Store, user: User, transcript_id: int, spans: list[str] | tuple[str, ...]
) -> StoredTranscript:
    """Record that flagged spans (keys chosen by the caller, e.g. "seg:12") were reviewed."""
    with audited(store, user, "review_transcript", permission="file_dictation") as scope:
        r = store.one("SELECT * FROM transcripts WHERE id = ?", [transcript_id])
        if r is None:
            raise NotFound(f"No transcript with id {transcript_id}.")
        now = utcnow()
        store.conn.executemany(
            "INSERT OR IGNORE INTO transcript_reviews VALUES (?, ?, ?, ?)",
            [(transcript_id, span, user.id, now) for span in spans],
        )
        d = _get_dictation_row(store, r["dictation_id"])
        scope.patient_id = d["patient_id"]
        scope.detail = {"transcript": transcript_id, "spans": len(spans)}
        result = _transcript(store, r)
    return result


def _transcript(store: Store, r: Any) -> StoredTranscript:
    spans = store.all("SELECT span FROM transcript_reviews WHERE transcript_id = ?", [r["id"]])
    return StoredTranscript(
        id=r["id"],
        dictation_id=r["dictation_id"],
        transcript=json.loads(r["transcript_json"]),
        text=r["text"],
        reviewed_spans=frozenset(s["span"] for s in spans),
        created_at=r["created_at"],
    )


def attach_dictation(
    store: Store,
    user: User,
    document_id: int,
    audio_path: str | Path,
    transcript: dict[str, Any],
    *,
    text: str = "",
    duration: float | None = None,
    author: str | None = None,
    dictated_at: str | None = None,
) -> Dictation:
    """File a recording dictated into an open document as a dictation of that document.

    The dictation takes the document's patient, encounter and report type, keeps the recording's
    path and SHA-256 (read from the file now, so the row matches what is on disk) and its
    transcript, and is marked filed. A document without a recording of its own points at this
    one (its audio then plays in the editor); one that has a recording keeps it. Either way the
    dictation row names the document (``dictations.document_id``). One transaction.
    """
    from assistant.audio import file_sha256

    path = Path(audio_path)
    try:
        digest = file_sha256(path)
    except OSError as e:
        raise StoreError(f"Cannot read the recording {path.name}: {e.strerror or e}") from e
    with audited(
        store, user, "attach_dictation", permission="file_dictation", document_id=document_id
    ) as scope:
        doc = store.one("SELECT * FROM documents WHERE id = ?", [document_id])
        if doc is None:
            raise NotFound(f"No document with id {document_id}.")
        scope.patient_id = doc["patient_id"]
        if doc["status"] == "entered-in-error":
            raise IntegrityViolation(f"Document {document_id} was entered in error.")
        dictation = add_dictation(
            store,
            user,
            audio_sha256=digest,
            path=str(path),
            duration=round(float(duration), 3) if duration is not None else None,
            author=author or user.username,
            patient_id=doc["patient_id"],
            encounter_id=doc["encounter_id"],
            report_type=doc["report_type"],
            dictated_at=dictated_at,
        )
        stored = save_transcript(store, user, dictation.id, transcript, text=text)
        store.execute(
            "UPDATE dictations SET status = 'filed', document_id = ? WHERE id = ?",
            [document_id, dictation.id],
        )
        primary = doc["dictation_id"] is None
        if primary:
            store.execute(
                "UPDATE documents SET dictation_id = ? WHERE id = ? AND dictation_id IS NULL",
                [dictation.id, document_id],
            )
        scope.detail = {
            "dictation": dictation.id,
            "transcript": stored.id,
            "primary": primary,
        }
    return _dictation(_get_dictation_row(store, dictation.id))


def document_dictations(store: Store, user: User, document_id: int) -> list[Dictation]:
    """A document's recordings, oldest first: its own dictation and those dictated into it."""
    with audited(store, user, "read_dictations", permission="read_record") as scope:
        doc = store.one("SELECT * FROM documents WHERE id = ?", [document_id])
        if doc is None:
            raise NotFound(f"No document with id {document_id}.")
        scope.patient_id, scope.document_id = doc["patient_id"], document_id
        rows = store.all(
            "SELECT * FROM dictations WHERE id = ? OR document_id = ? ORDER BY id",
            [doc["dictation_id"], document_id],
        )
        scope.detail = {"dictations": [r["id"] for r in rows]}
    return [_dictation(r) for r in rows]
