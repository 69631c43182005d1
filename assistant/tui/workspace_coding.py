"""Coding, physician queries, search and chart for the workspace (a mixin of ``Workspace``;
UI thread only)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from assistant.errors import NotFound
from assistant.models import Code

if TYPE_CHECKING:
    from assistant.tui.workspace import Opened


class CodingAndSearch:
    # -- coding and queries ------------------------------------------------------------------

    def codes(self, encounter_id: int | None) -> list[Any]:
        from assistant.store import list_codes

        if encounter_id is None:
            return []
        return list_codes(self.store, self.me(), encounter_id)

    def add_code(self, encounter_id: int, code: Code, principal: bool = False) -> list[Any]:
        from assistant.store import add_code

        return add_code(self.store, self.me(), encounter_id, code, principal=principal)

    def remove_code(self, encounter_id: int, system: str, code: str) -> list[Any]:
        from assistant.store import remove_code

        return remove_code(self.store, self.me(), encounter_id, system, code)

    def make_principal(self, encounter_id: int, system: str, code: str) -> list[Any]:
        from assistant.store import set_sequence

        order = [c.code for c in self.codes(encounter_id) if c.system == system]
        order = [code, *[c for c in order if c != code]]
        return set_sequence(self.store, self.me(), encounter_id, system, order)

    def complete_coding(self, encounter_id: int) -> None:
        from assistant.store import complete_coding

        complete_coding(self.store, self.me(), encounter_id)

    def claim(self, encounter_id: int) -> Any:
        """The grouper's input for an encounter's codes, or None without a diagnosis."""
        from assistant.coding.drg import Claim, Diagnosis
        from assistant.store import get_encounter, get_patient

        codes = self.codes(encounter_id)
        dx = [c for c in codes if c.system == "ICD-10-CM"]
        if not dx:
            return None
        enc = get_encounter(self.store, self.me(), encounter_id)
        patient = get_patient(self.store, self.me(), enc.patient_id)
        age = 0
        if patient.birth_date is not None:
            ref = (enc.admit_date or datetime.now(UTC)).date()
            born = patient.birth_date
            age = ref.year - born.year - ((ref.month, ref.day) < (born.month, born.day))
        return Claim(
            principal=Diagnosis(dx[0].code, dx[0].poa),
            secondary=tuple(Diagnosis(c.code, c.poa) for c in dx[1:]),
            procedures=tuple(c.code for c in codes if c.system == "ICD-10-PCS"),
            age=age,
            sex=patient.sex,
        )

    def raise_query(self, opened: Opened, to: str, question: str, evidence: str) -> Any:
        from assistant.store import raise_query

        if opened.encounter_id is None:
            raise NotFound("This document has no encounter to query about.")
        document_id = opened.document.id if opened.document else None
        return raise_query(
            self.store,
            self.me(),
            opened.encounter_id,
            to=to,
            question=question,
            evidence=evidence,
            document_id=document_id,
        )

    def query(self, query_id: int) -> Any:
        from assistant.store import list_queries

        for q in list_queries(self.store, self.me()):
            if q.id == query_id:
                return q
        raise NotFound(f"No query with id {query_id}.")

    def answer_query(self, query_id: int, answer: str) -> Any:
        from assistant.store import answer_query

        return answer_query(self.store, self.me(), query_id, answer)

    # -- search and chart --------------------------------------------------------------------

    def search(self, text: str) -> Any:
        """Search; ``type:``, ``status:``, ``mrn:``, ``from:`` and ``to:`` words are filters."""
        from assistant.store import find_patient_by_mrn, search

        filters: dict[str, Any] = {}
        words = []
        keys = {"type": "report_type", "status": "status", "from": "date_from", "to": "date_to"}
        for word in text.split():
            key, _, value = word.partition(":")
            if value and key in keys:
                filters[keys[key]] = value
            elif value and key == "mrn":
                filters["patient_id"] = find_patient_by_mrn(self.store, self.me(), value).id
            else:
                words.append(word)
        return search(self.store, self.me(), " ".join(words), markers=("\x01", "\x02"), **filters)

    def chart(self, patient_id: int) -> Any:
        from assistant.store import chart

        return chart(self.store, self.me(), patient_id)

    def versions(self, document_id: int) -> list[Any]:
        from assistant.store import list_versions

        return list_versions(self.store, self.me(), document_id)
