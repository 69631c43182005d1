"""Document actions of the workspace: save, submit, sign, amend, addendum, deficiencies,
transcript review and transcription results (a mixin of ``Workspace``; UI thread only)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from assistant.errors import NotFound
from assistant.models import Transcript
from assistant.store import Document

if TYPE_CHECKING:
    from assistant.tui.workspace import Opened


class DocumentActions:
    # -- document actions --------------------------------------------------------------------

    def save(self, opened: Opened, text: str, *, submit: bool = False) -> Opened:
        """Save as a draft (or submit as preliminary): file it the first time, then revise."""
        from assistant.store import file_document, revise

        user = self.me()
        sections = self.report(text, opened.report_type).sections
        status = "preliminary" if submit else "draft"
        if opened.document is None:
            if opened.patient_id is None:
                raise NotFound("This dictation has no patient yet; HIM assigns it first.")
            doc = file_document(
                self.store,
                user,
                patient_id=opened.patient_id,
                encounter_id=opened.encounter_id,
                report_type=opened.report_type,
                text=text,
                sections=sections,
                dictation_id=opened.dictation_id,
                status=status,
                author=self._author_for(opened),
            )
        else:
            doc = revise(
                self.store,
                user,
                opened.document.id,
                text=text,
                sections=sections,
                status=status if submit else None,
            )
        return self._reload(opened, doc)

    def _author_for(self, opened: Opened) -> str | None:
        """The dictating physician, when the dictation names one the store knows."""
        from assistant.store import find_user, get_dictation

        if opened.dictation_id is None or self.me().role == "physician":
            return None
        author = get_dictation(self.store, self.me(), opened.dictation_id).author
        if not author:
            return None
        try:
            found = find_user(self.store, author)
        except NotFound:
            return None
        return found.username if found.role == "physician" and found.active else None

    def sign(self, opened: Opened, password: str) -> Opened:
        from assistant.store import sign

        return self._reload(
            opened, sign(self.store, self.me(), self._doc_id(opened), password=password)
        )

    def amend(self, opened: Opened, text: str, reason: str, password: str) -> Opened:
        from assistant.store import amend

        sections = self.report(text, opened.report_type).sections
        doc = amend(
            self.store,
            self.me(),
            self._doc_id(opened),
            text=text,
            reason=reason,
            password=password,
            sections=sections,
        )
        return self._reload(opened, doc)

    def addendum(self, opened: Opened, text: str, password: str) -> Document:
        from assistant.store import add_addendum

        return add_addendum(
            self.store, self.me(), self._doc_id(opened), text=text, password=password
        )

    def _doc_id(self, opened: Opened) -> int:
        if opened.document is None:
            raise NotFound("Save the report first.")
        return opened.document.id

    def _reload(self, opened: Opened, doc: Document) -> Opened:
        fresh = self.open_document(doc.id)
        return replace(fresh, query_id=opened.query_id)

    def deficiencies(self, opened: Opened, text: str) -> list[Any]:
        from assistant.reports import review_completeness

        report = self.report(text, opened.report_type)
        template = self.templates.get(report.report_type)
        if template is None:
            return []
        doc = opened.document
        created = datetime.fromisoformat(doc.created_at) if doc else None
        signed = doc.version.signed_at if doc else None
        codes = self.codes(opened.encounter_id) if opened.encounter_id else []
        flags = []
        if opened.transcript is not None:
            flags = [
                f"segment {s.id} ({', '.join(s.flags)})"
                for s in opened.transcript.flagged_segments
                if f"seg:{s.id}" not in opened.reviewed
            ]
        return review_completeness(
            report,
            template,
            signed_at=datetime.fromisoformat(signed) if signed else None,
            created_at=created,
            now=datetime.now(UTC),
            diagnosis_codes=[c for c in codes if c.system == "ICD-10-CM"],
            unreviewed_flags=flags,
            unsigned_max_age_hours=self.settings.reports.unsigned_max_age_hours,
        )

    def mark_reviewed(self, opened: Opened, spans: list[str]) -> Opened:
        from assistant.store import mark_reviewed

        if opened.transcript_id is None:
            raise NotFound("There is no transcript to review.")
        stored = mark_reviewed(self.store, self.me(), opened.transcript_id, spans)
        return replace(opened, reviewed=stored.reviewed_spans)

    # -- transcription -----------------------------------------------------------------------

    def save_transcription(self, opened: Opened, transcript: Transcript) -> Opened:
        from assistant.store import save_transcript
        from assistant.transcribe import transcript_to_dict

        if opened.dictation_id is None:
            raise NotFound("Nothing to transcribe.")
        save_transcript(self.store, self.me(), opened.dictation_id, transcript_to_dict(transcript))
        return self.open_dictation(opened.dictation_id)
