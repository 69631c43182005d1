"""Documents and their immutable versions: the status state machine.

Every change is a new version row (the table refuses UPDATE and DELETE), so a signed version is
never changed; ``documents`` only points at the current one. Statuses, and how they map:

=================  =====================  ========================  ==============================
ours               HL7 v2 TXA-17          FHIR Composition.status   meaning
=================  =====================  ========================  ==============================
draft              IP (in progress)       preliminary (R5 partial)  local, before it is filed
preliminary        DO (documented)        preliminary               filed, waiting for signature
final              LA (legally auth.)     final                     signed by the author
amended            LA (+TXA-13 parent)    amended                   corrected after signing,
                                                                    re-signed
entered-in-error   (TXA-19 availability   entered-in-error          withdrawn by HIM; terminal
                   "CA" canceled)
=================  =====================  ========================  ==============================

An addendum is a separate document whose ``relation`` is 'appends' to its ``parent_id`` (FHIR
Composition.relatesTo code "appends"), signed when it is written.

Transitions (anything else raises IntegrityViolation):
  draft -> draft | preliminary (revise/submit) | final (sign)
  preliminary -> preliminary (revise) | final (sign)
  final | amended -> amended (amend, signed) ; + addendum document
  any but entered-in-error -> entered-in-error (HIM, with a reason)
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, is_dataclass
from typing import Any

from assistant.errors import AccessDenied, IntegrityViolation, NotFound, StoreError
from assistant.store.audit import audited
from assistant.store.db import Store, equal_filters, utcnow
from assistant.store.roles import User

TXA17 = {"draft": "IP", "preliminary": "DO", "final": "LA", "amended": "LA"}
FHIR_STATUS = {
    "draft": "preliminary",
    "preliminary": "preliminary",
    "final": "final",
    "amended": "amended",
    "entered-in-error": "entered-in-error",
}
EDITABLE = ("draft", "preliminary")
SIGNED = ("final", "amended")


@dataclass(frozen=True)
class DocumentVersion:
    id: int
    document_id: int
    version: int
    status: str
    text: str
    sections: tuple[dict[str, Any], ...]
    reason: str | None
    created_by: int
    created_at: str
    signed_by: int | None
    signed_at: str | None


@dataclass(frozen=True)
class Document:
    id: int
    patient_id: int
    encounter_id: int | None
    report_type: str
    author_id: int | None  # the physician assigned to sign; None = unassigned
    dictation_id: int | None
    parent_id: int | None  # for an addendum, the document it appends to
    relation: str | None  # 'appends' for an addendum
    status: str
    current_version: int
    created_by: int
    created_at: str
    updated_at: str
    version: DocumentVersion  # the current version, or the one asked for


# -- helpers -----------------------------------------------------------------------------------

SectionsIn = Sequence[Any] | str | None


def _sections_json(sections: SectionsIn) -> tuple[str, str]:
    """JSON for sections given as Section dataclasses, dicts or a JSON string; + their titles."""
    if sections is None:
        items: list[dict[str, Any]] = []
    elif isinstance(sections, str):
        try:
            items = json.loads(sections)
        except json.JSONDecodeError as e:
            raise StoreError(f"sections_json is not valid JSON: {e}") from e
    else:
        items = [asdict(s) if is_dataclass(s) else dict(s) for s in sections]
    titles = " | ".join(str(s.get("title") or s.get("name") or "") for s in items)
    return json.dumps(items), titles


def _version(r: Any) -> DocumentVersion:
    return DocumentVersion(
        id=r["id"],
        document_id=r["document_id"],
        version=r["version"],
        status=r["status"],
        text=r["text"],
        sections=tuple(json.loads(r["sections_json"])),
        reason=r["reason"],
        created_by=r["created_by"],
        created_at=r["created_at"],
        signed_by=r["signed_by"],
        signed_at=r["signed_at"],
    )


def _doc_row(store: Store, document_id: int) -> Any:
    r = store.one("SELECT * FROM documents WHERE id = ?", [document_id])
    if r is None:
        raise NotFound(f"No document with id {document_id}.")
    return r


def _load(store: Store, document_id: int, version: int | None = None) -> Document:
    d = _doc_row(store, document_id)
    v = store.one(
        "SELECT * FROM document_versions WHERE document_id = ? AND version = ?",
        [document_id, version or d["current_version"]],
    )
    if v is None:
        raise NotFound(f"Document {document_id} has no version {version}.")
    fields = {k: d[k] for k in Document.__dataclass_fields__ if k != "version"}
    return Document(**fields, version=_version(v))


def _author_id(store: Store, user: User, author: str | int | None) -> int | None:
    if author is None:
        return user.id if user.role == "physician" else None
    col = "id" if isinstance(author, int) else "username"
    r = store.one(f"SELECT id, role, active FROM users WHERE {col} = ?", [author])
    if r is None or r["role"] != "physician" or not r["active"]:
        raise StoreError(f"{author} is not an active physician; a report is assigned to one.")
    return r["id"]


def _add_version(
    store: Store,
    user: User,
    d: Any,
    *,
    status: str,
    text: str,
    sections_json: str,
    titles: str,
    reason: str | None = None,
    signed: bool = False,
) -> None:
    """Write version n+1, make it current, and move the search index entry to it."""
    now = utcnow()
    old = store.one(
        "SELECT text, section_titles FROM document_versions WHERE document_id = ? AND version = ?",
        [d["id"], d["current_version"]],
    )
    version = d["current_version"] + 1
    store.execute(
        "INSERT INTO document_versions (document_id, version, status, text, section_titles,"
        " sections_json, reason, created_by, created_at, signed_by, signed_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            d["id"],
            version,
            status,
            text,
            titles,
            sections_json,
            reason,
            user.id,
            now,
            user.id if signed else None,
            now if signed else None,
        ],
    )
    store.execute(
        "UPDATE documents SET status = ?, current_version = ?, updated_at = ? WHERE id = ?",
        [status, version, now, d["id"]],
    )
    # The index is keyed by document: take out the old version's words, put in the new ones.
    if old is not None:
        store.execute(
            "INSERT INTO document_fts (document_fts, rowid, text, section_titles)"
            " VALUES ('delete', ?, ?, ?)",
            [d["id"], old["text"], old["section_titles"]],
        )
    store.execute(
        "INSERT INTO document_fts (rowid, text, section_titles) VALUES (?, ?, ?)",
        [d["id"], text, titles],
    )


def _restamp(
    store: Store,
    user: User,
    d: Any,
    *,
    status: str,
    reason: str | None = None,
    signed: bool = False,
) -> None:
    """A new version with the current text and sections unchanged, only the status moves."""
    v = _load(store, d["id"]).version
    sections_json, titles = _sections_json(list(v.sections))
    _add_version(
        store,
        user,
        d,
        status=status,
        text=v.text,
        sections_json=sections_json,
        titles=titles,
        reason=reason,
        signed=signed,
    )


def _new_document(
    store: Store,
    user: User,
    *,
    patient_id: int,
    encounter_id: int | None,
    report_type: str,
    author_id: int | None,
    dictation_id: int | None,
    parent_id: int | None = None,
    relation: str | None = None,
) -> Any:
    if not store.one("SELECT 1 FROM patients WHERE id = ?", [patient_id]):
        raise NotFound(f"No patient with id {patient_id}.")
    if encounter_id is not None:
        e = store.one("SELECT patient_id FROM encounters WHERE id = ?", [encounter_id])
        if e is None or e["patient_id"] != patient_id:
            raise IntegrityViolation(f"Encounter {encounter_id} is not this patient's.")
    # Filing times never go backwards in id order (even if the clock does), so search can turn
    # a date range into an id range.
    last = store.one("SELECT max(created_at) FROM documents")[0]
    now = max(utcnow(), last or "")
    cur = store.execute(
        "INSERT INTO documents (patient_id, encounter_id, report_type, author_id, dictation_id,"
        " parent_id, relation, status, current_version, created_by, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, 'draft', 0, ?, ?, ?)",
        [
            patient_id,
            encounter_id,
            report_type,
            author_id,
            dictation_id,
            parent_id,
            relation,
            user.id,
            now,
            now,
        ],
    )
    return _doc_row(store, cur.lastrowid)


def _check_signer(store: Store, user: User, d: Any, password: str) -> None:
    from assistant.store.users import verify_password

    if d["author_id"] != user.id:
        raise AccessDenied(f"Document {d['id']} is not assigned to {user.username}.")
    if not verify_password(store, user, password):
        raise AccessDenied("Wrong password: the document was not signed.")


# -- actions -----------------------------------------------------------------------------------


def file_document(
    store: Store,
    user: User,
    *,
    patient_id: int,
    report_type: str,
    text: str,
    sections: SectionsIn = None,
    encounter_id: int | None = None,
    author: str | int | None = None,
    dictation_id: int | None = None,
    status: str = "preliminary",
) -> Document:
    """File a new document as ``draft`` or ``preliminary`` (version 1)."""
    if status not in EDITABLE:
        raise IntegrityViolation(f"A new document is filed as draft or preliminary, not {status}.")
    if not text.strip():
        raise StoreError("Refusing to file an empty document.")
    sections_json, titles = _sections_json(sections)
    permission = "edit_draft" if status == "draft" else "submit_preliminary"
    with audited(
        store, user, "file_document", permission=permission, patient_id=patient_id
    ) as scope:
        d = _new_document(
            store,
            user,
            patient_id=patient_id,
            encounter_id=encounter_id,
            report_type=report_type,
            author_id=_author_id(store, user, author),
            dictation_id=dictation_id,
        )
        _add_version(
            store, user, d, status=status, text=text, sections_json=sections_json, titles=titles
        )
        if dictation_id is not None:
            store.execute("UPDATE dictations SET status = 'filed' WHERE id = ?", [dictation_id])
        scope.document_id = d["id"]
    return _load(store, d["id"])


def revise(
    store: Store,
    user: User,
    document_id: int,
    *,
    text: str | None = None,
    sections: SectionsIn = None,
    status: str | None = None,
) -> Document:
    """A new draft/preliminary version (edit, or submit a draft as preliminary)."""
    with audited(store, user, "revise", permission="edit_draft", document_id=document_id) as sc:
        d = _doc_row(store, document_id)
        sc.patient_id = d["patient_id"]
        if d["status"] not in EDITABLE:
            raise IntegrityViolation(
                f"Document {document_id} is {d['status']}; correct it with an amendment or"
                " an addendum."
            )
        new_status = status or d["status"]
        if new_status not in EDITABLE or (d["status"], new_status) == ("preliminary", "draft"):
            raise IntegrityViolation(f"Cannot move a {d['status']} document to {new_status}.")
        if new_status == "preliminary" and not user.can("submit_preliminary"):
            raise AccessDenied(f"A {user.role} may not submit a preliminary report.")
        old = _load(store, document_id).version
        body = old.text if text is None else text
        if not body.strip():
            raise StoreError("Refusing to save an empty document.")
        sj, titles = _sections_json(list(old.sections) if sections is None else sections)
        _add_version(store, user, d, status=new_status, text=body, sections_json=sj, titles=titles)
    return _load(store, document_id)


def submit(store: Store, user: User, document_id: int) -> Document:
    return revise(store, user, document_id, status="preliminary")


def sign(store: Store, user: User, document_id: int, *, password: str) -> Document:
    """The assigned physician signs: a new 'final' version, re-authenticated by password."""
    with audited(store, user, "sign", document_id=document_id) as scope:
        d = _doc_row(store, document_id)
        scope.patient_id = d["patient_id"]
        if d["status"] not in EDITABLE:
            raise IntegrityViolation(f"Document {document_id} is {d['status']}, not signable.")
        _check_signer(store, user, d, password)
        _restamp(store, user, d, status="final", signed=True)
    return _load(store, document_id)


def amend(
    store: Store,
    user: User,
    document_id: int,
    *,
    text: str,
    reason: str,
    password: str,
    sections: SectionsIn = None,
) -> Document:
    """Correct a signed document: a new 'amended' version, signed by its author."""
    if not reason.strip():
        raise StoreError("An amendment needs a reason.")
    if not text.strip():
        raise StoreError("Refusing to save an empty amendment.")
    with audited(store, user, "amend", document_id=document_id) as scope:
        d = _doc_row(store, document_id)
        scope.patient_id = d["patient_id"]
        if d["status"] not in SIGNED:
            raise IntegrityViolation(f"Only a signed document is amended; this is {d['status']}.")
        _check_signer(store, user, d, password)
        old = _load(store, document_id).version
        sj, titles = _sections_json(list(old.sections) if sections is None else sections)
        _add_version(
            store,
            user,
            d,
            status="amended",
            text=text,
            sections_json=sj,
            titles=titles,
            reason=reason,
            signed=True,
        )
    return _load(store, document_id)


def add_addendum(
    store: Store,
    user: User,
    parent_id: int,
    *,
    text: str,
    password: str,
    sections: SectionsIn = None,
) -> Document:
    """A signed addendum document appended to a signed parent (FHIR relatesTo 'appends')."""
    if not text.strip():
        raise StoreError("Refusing to file an empty addendum.")
    sj, titles = _sections_json(sections)
    with audited(store, user, "addendum", document_id=parent_id) as scope:
        p = _doc_row(store, parent_id)
        scope.patient_id = p["patient_id"]
        if p["status"] not in SIGNED:
            raise IntegrityViolation(
                f"An addendum appends to a signed document; not {p['status']}."
            )
        from assistant.store.users import verify_password

        if not verify_password(store, user, password):
            raise AccessDenied("Wrong password: the addendum was not signed.")
        d = _new_document(
            store,
            user,
            patient_id=p["patient_id"],
            encounter_id=p["encounter_id"],
            report_type=p["report_type"],
            author_id=user.id,
            dictation_id=None,
            parent_id=parent_id,
            relation="appends",
        )
        _add_version(
            store, user, d, status="final", text=text, sections_json=sj, titles=titles, signed=True
        )
        scope.detail = {"addendum": d["id"]}
    return _load(store, d["id"])


def assign_author(store: Store, user: User, document_id: int, physician: str | int) -> Document:
    """Give an unsigned document to the physician who will sign it (HIM, transcriptionist)."""
    with audited(
        store, user, "assign_author", permission="assign_work", document_id=document_id
    ) as scope:
        d = _doc_row(store, document_id)
        scope.patient_id = d["patient_id"]
        if d["status"] not in EDITABLE:
            raise IntegrityViolation(f"Document {document_id} is {d['status']}; not reassigned.")
        author_id = _author_id(store, user, physician)
        store.execute(
            "UPDATE documents SET author_id = ?, updated_at = ? WHERE id = ?",
            [author_id, utcnow(), document_id],
        )
        scope.detail = {"author": author_id}
    return _load(store, document_id)


def enter_in_error(store: Store, user: User, document_id: int, *, reason: str) -> Document:
    """Withdraw a document filed on the wrong patient or in error (HIM); its text is kept."""
    if not reason.strip():
        raise StoreError("Entering a document in error needs a reason.")
    with audited(store, user, "enter_in_error", document_id=document_id) as scope:
        d = _doc_row(store, document_id)
        scope.patient_id = d["patient_id"]
        if d["status"] == "entered-in-error":
            raise IntegrityViolation(f"Document {document_id} is already entered in error.")
        _restamp(store, user, d, status="entered-in-error", reason=reason)
    return _load(store, document_id)


# -- reads -------------------------------------------------------------------------------------


def get_document(
    store: Store, user: User, document_id: int, version: int | None = None
) -> Document:
    with audited(
        store, user, "read_document", permission="read_record", document_id=document_id
    ) as scope:
        doc = _load(store, document_id, version)
        scope.patient_id = doc.patient_id
        scope.detail = {"version": doc.version.version}
    return doc


def list_versions(store: Store, user: User, document_id: int) -> list[DocumentVersion]:
    with audited(
        store, user, "read_versions", permission="read_record", document_id=document_id
    ) as scope:
        scope.patient_id = _doc_row(store, document_id)["patient_id"]
        rows = store.all(
            "SELECT * FROM document_versions WHERE document_id = ? ORDER BY version",
            [document_id],
        )
    return [_version(r) for r in rows]


def list_documents(
    store: Store,
    user: User,
    *,
    patient_id: int | None = None,
    encounter_id: int | None = None,
    status: str | None = None,
    author_id: int | None = None,
    parent_id: int | None = None,
    limit: int = 500,
) -> list[Document]:
    """Documents (current versions) matching every filter given, oldest first."""
    where, params = equal_filters(
        [
            ("patient_id", patient_id),
            ("encounter_id", encounter_id),
            ("status", status),
            ("author_id", author_id),
            ("parent_id", parent_id),
        ]
    )
    cond = " AND ".join(["1=1", *where])
    with audited(
        store, user, "list_documents", permission="read_record", patient_id=patient_id
    ) as scope:
        ids = [
            r["id"]
            for r in store.all(
                f"SELECT id FROM documents WHERE {cond} ORDER BY created_at, id LIMIT ?",
                [*params, limit],
            )
        ]
        docs = [_load(store, i) for i in ids]
        scope.detail = {"documents": ids[:50]}
    return docs
