"""What the screens ask of the core, for one signed-in user: a thin adapter, no widgets.

Every call runs on the UI thread because a store connection belongs to one thread (the calls
are small indexed queries). Slow work (transcription, code suggestion, grouping) goes through
``tui.engines`` from worker threads instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from assistant.config import Settings
from assistant.errors import AccessDenied, NotFound, TemplateError
from assistant.models import Report, Section, Transcript
from assistant.store import (
    Document,
    Store,
    User,
    WorklistItem,
)
from assistant.tui.workspace_assign import Assignments
from assistant.tui.workspace_coding import CodingAndSearch
from assistant.tui.workspace_documents import DocumentActions

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Row:
    """One worklist line as the table shows it."""

    key: str
    item: WorklistItem
    patient: str
    kind: str
    title: str
    author: str
    age_hours: float
    tat_hours: float


@dataclass(frozen=True)
class Opened:
    """What the editor holds: the text and everything needed to act on it."""

    title: str
    text: str
    report_type: str
    patient_id: int | None = None
    patient_name: str = ""
    encounter_id: int | None = None
    document: Document | None = None
    dictation_id: int | None = None
    audio_path: str | None = None
    transcript: Transcript | None = None
    transcript_id: int | None = None
    query_id: int | None = None
    reviewed: frozenset[str] = frozenset()  # flagged spans marked reviewed ("seg:<id>")
    read_only: bool = False
    needs_transcription: bool = False

    @property
    def status(self) -> str:
        if self.document is not None:
            return self.document.status
        return "not transcribed" if self.needs_transcription else "transcript"


def hours_since(iso: str | None, now: datetime | None = None) -> float:
    if not iso:
        return 0.0
    then = datetime.fromisoformat(iso)
    if then.tzinfo is None:
        then = then.replace(tzinfo=UTC)
    return max(0.0, ((now or datetime.now(UTC)) - then).total_seconds() / 3600)


def sections_text(sections: tuple[Section, ...]) -> str:
    """Editable text with one "TITLE:" heading line per section (re-parsed on save)."""
    parts = []
    for s in sections:
        if s.name == "preamble" or not s.title:
            parts.append(s.text.strip())
        else:
            parts.append(f"{s.title.upper()}:\n{s.text.strip()}")
    return "\n\n".join(p for p in parts if p) + "\n"


class Workspace(DocumentActions, CodingAndSearch, Assignments):
    """The signed-in user's view of the store; every call checks the role and is audited."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.user: User | None = None
        self._data_version: int | None = None
        self._names: dict[int, str] = {}

    # -- session -----------------------------------------------------------------------------

    def sign_in(self, username: str, password: str) -> User:
        from assistant.store import authenticate

        user = authenticate(self.store, username.strip(), password)
        if user.role == "system":
            raise AccessDenied("The system user cannot sign in at a terminal.")
        self.user = user
        return user

    def check_password(self, password: str) -> bool:
        """Unlock and signature re-entry: an audited sign-in of the same user."""
        if self.user is None:
            return False
        try:
            self.sign_in(self.user.username, password)
        except AccessDenied:
            return False
        return True

    def me(self) -> User:
        if self.user is None:
            raise AccessDenied("Sign in first.")
        return self.user

    def can(self, action: str) -> bool:
        return self.user is not None and self.user.can(action)

    def changed(self) -> bool:
        """True when another connection (batch, another user) committed since the last call."""
        version = self.store.one("PRAGMA data_version")[0]
        changed = version != self._data_version
        self._data_version = version
        return changed

    def username(self, user_id: int | None) -> str:
        if user_id is None:
            return "-"
        if user_id not in self._names:
            from assistant.store.users import get_user

            try:
                self._names[user_id] = get_user(self.store, user_id).username
            except NotFound:
                self._names[user_id] = f"#{user_id}"
        return self._names[user_id]

    @cached_property
    def templates(self) -> dict[str, Any]:
        from assistant.reports import load_templates

        return load_templates(self.settings.reports.template_dirs)

    # -- worklist ----------------------------------------------------------------------------

    def worklist(self) -> list[Row]:
        from assistant.store import get_dictation, get_document, worklist

        user = self.me()
        self.changed()  # what is shown now is the baseline for the next change
        now = datetime.now(UTC)
        rows: list[Row] = []
        for n, item in enumerate(worklist(self.store, user)):
            author, created = "-", item.since
            if item.document_id is not None and item.kind != "query":
                doc = get_document(self.store, user, item.document_id)
                author, created = self.username(doc.author_id), doc.created_at
            elif item.dictation_id is not None:
                dictation = get_dictation(self.store, user, item.dictation_id)
                author, created = dictation.author or "-", dictation.created_at
            rows.append(
                Row(
                    key=f"{item.kind}:{n}:{item.document_id}:{item.dictation_id}:{item.query_id}",
                    item=item,
                    patient=f"{item.patient_name or '-'} ({item.mrn or 'no MRN'})",
                    kind=item.kind,
                    title=item.title,
                    author=author,
                    age_hours=hours_since(item.since, now),
                    tat_hours=hours_since(created, now),
                )
            )
        return rows

    # -- opening -----------------------------------------------------------------------------

    def open_item(self, item: WorklistItem) -> Opened:
        if item.kind == "code" and item.encounter_id is not None:
            return self.open_encounter(item.encounter_id)
        if item.kind == "query" and item.document_id is None and item.encounter_id is not None:
            return replace(self.open_encounter(item.encounter_id), query_id=item.query_id)
        if item.document_id is not None:
            opened = self.open_document(item.document_id)
            return replace(opened, query_id=item.query_id)
        if item.dictation_id is not None:
            return self.open_dictation(item.dictation_id)
        raise NotFound(f"Nothing to open for {item.title}.")

    def open_document(
        self, document_id: int, version: int | None = None, read_only: bool = False
    ) -> Opened:
        from assistant.store import get_document, get_patient

        user = self.me()
        doc = get_document(self.store, user, document_id, version)
        patient = get_patient(self.store, user, doc.patient_id)
        transcript, transcript_id, audio, reviewed = self._transcript_of(doc.dictation_id)
        editable = doc.status in ("draft", "preliminary") and self.can("edit_draft")
        return Opened(
            title=f"{doc.report_type} {doc.id} v{doc.version.version}",
            text=doc.version.text,
            report_type=doc.report_type,
            patient_id=doc.patient_id,
            patient_name=f"{patient.family_name}, {patient.given_name} ({patient.mrn})",
            encounter_id=doc.encounter_id,
            document=doc,
            dictation_id=doc.dictation_id,
            audio_path=audio,
            transcript=transcript,
            transcript_id=transcript_id,
            reviewed=reviewed,
            read_only=read_only or version is not None or not editable,
        )

    def open_dictation(self, dictation_id: int) -> Opened:
        from assistant.store import get_dictation, get_patient

        user = self.me()
        d = get_dictation(self.store, user, dictation_id)
        name = ""
        if d.patient_id is not None:
            p = get_patient(self.store, user, d.patient_id)
            name = f"{p.family_name}, {p.given_name} ({p.mrn})"
        transcript, transcript_id, _, reviewed = self._transcript_of(dictation_id)
        text = self.format_transcript(transcript, d.report_type) if transcript else ""
        return Opened(
            title=f"Dictation {d.id}",
            text=text,
            report_type=d.report_type or self._guess_type(text),
            patient_id=d.patient_id,
            patient_name=name,
            encounter_id=d.encounter_id,
            dictation_id=d.id,
            audio_path=d.path,
            transcript=transcript,
            transcript_id=transcript_id,
            reviewed=reviewed,
            read_only=not self.can("edit_draft"),
            needs_transcription=transcript is None,
        )

    def open_encounter(self, encounter_id: int) -> Opened:
        """The coder's view: the encounter's signed documents, read-only, one after another."""
        from assistant.store import get_encounter, get_patient, list_documents

        user = self.me()
        enc = get_encounter(self.store, user, encounter_id)
        patient = get_patient(self.store, user, enc.patient_id)
        docs = [
            d
            for d in list_documents(self.store, user, encounter_id=encounter_id)
            if d.status in ("final", "amended")
        ]
        text = "\n\n".join(d.version.text.strip() for d in docs) + "\n"
        return Opened(
            title=f"Encounter {encounter_id} ({enc.encounter_type})",
            text=text,
            report_type=docs[0].report_type if docs else "",
            patient_id=enc.patient_id,
            patient_name=f"{patient.family_name}, {patient.given_name} ({patient.mrn})",
            encounter_id=encounter_id,
            document=docs[-1] if docs else None,
            read_only=True,
        )

    def _transcript_of(self, dictation_id: int | None) -> tuple[Any, ...]:
        """(transcript, its id, audio path, reviewed spans) of a dictation."""
        if dictation_id is None:
            return None, None, None, frozenset()
        from assistant.store import get_dictation, get_transcript
        from assistant.transcribe import transcript_from_dict

        d = get_dictation(self.store, self.me(), dictation_id)
        try:
            stored = get_transcript(self.store, self.me(), dictation_id)
        except NotFound:
            return None, None, d.path, frozenset()
        return transcript_from_dict(stored.transcript), stored.id, d.path, stored.reviewed_spans

    @cached_property
    def formatter(self):
        """The site's clinical formatter (template headings, curated brand names), built once."""
        from assistant.formatting import clinical_formatter

        return clinical_formatter(self.settings, self.templates)

    def format_transcript(self, transcript: Transcript, report_type: str | None) -> str:
        text = self.formatter(transcript.text)
        return sections_text(self.report(text, report_type).sections)

    def _guess_type(self, text: str) -> str:
        return self.report(text, None).report_type if text.strip() else "soap"

    def report(self, text: str, report_type: str | None) -> Report:
        from assistant.reports import build_report

        try:
            return build_report(text, report_type, self.templates)
        except TemplateError:  # a type no template knows (an imported document): best fit
            return build_report(text, None, self.templates)
