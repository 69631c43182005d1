"""HIM's assignment work of the workspace: match a dictation filed without a patient to its
patient, and give an unsigned document to the physician who signs it (a mixin of
``Workspace``; UI thread only)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from assistant.errors import NotFound, StoreError

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class PatientQuery:
    """What the HIM specialist typed: an MRN, or a name (family [given]) and/or a birth date."""

    mrn: str = ""
    family_name: str = ""
    given_name: str = ""
    birth_date: str = ""


def parse_patient_query(text: str) -> PatientQuery:
    """ "MRN100231", "Whitaker", "Whitaker, Harold", "whit 1949-03-14", "1949-03-14"."""
    words = text.replace(",", " ").split()
    dates = [w for w in words if _DATE.match(w)]
    names = [w for w in words if not _DATE.match(w)]
    if len(names) > 2:
        raise StoreError("Type an MRN, or a family name, a given name and/or a birth date.")
    birth = dates[0] if dates else ""
    if len(names) == 1 and not birth and any(ch.isdigit() for ch in names[0]):
        return PatientQuery(mrn=names[0])  # names have no digits; MRNs do
    family, given = (names + ["", ""])[:2]
    return PatientQuery(family_name=family, given_name=given, birth_date=birth)


class Assignments:
    store: Any

    def me(self) -> Any: ...  # provided by Workspace

    def find_candidates(self, text: str) -> list[Any]:
        """Patients matching what was typed (an exact MRN, else name prefixes and/or DOB)."""
        from assistant.store import find_patient_by_mrn, find_patients

        q = parse_patient_query(text)
        if q.mrn:
            try:
                return [find_patient_by_mrn(self.store, self.me(), q.mrn)]
            except NotFound:
                return []
        return find_patients(
            self.store,
            self.me(),
            family_name=q.family_name or None,
            given_name=q.given_name or None,
            birth_date=q.birth_date or None,
        )

    def dictation_to_assign(self, dictation_id: int) -> tuple[Any, str]:
        """The dictation and the start of its transcript (what HIM reads to recognise it)."""
        from assistant.store import get_dictation, get_transcript

        d = get_dictation(self.store, self.me(), dictation_id)
        try:
            text = get_transcript(self.store, self.me(), dictation_id).text
        except NotFound:
            text = ""
        return d, text

    def assign_patient(self, dictation_id: int, patient_id: int) -> Any:
        from assistant.store import assign_dictation

        return assign_dictation(self.store, self.me(), dictation_id, patient_id)

    def assign_physician(self, document_id: int, username: str) -> Any:
        from assistant.store import assign_author

        return assign_author(self.store, self.me(), document_id, username.strip())
