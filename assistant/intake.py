"""Filing a transcribed dictation: the recording, its transcript and its report, together.

Batch intake and live dictation both end here, so a dictation is filed the same way whichever
way it came in: one transaction writes the dictation row, its transcript and (when the patient
is known) the report document, or none of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assistant.store import Store, User, add_dictation, file_document, save_transcript


@dataclass(frozen=True)
class Dictated:
    """What transcription produced for one recording, ready to be filed."""

    audio_sha256: str
    path: str | None
    duration: float
    transcript: dict[str, Any]  # transcribe.transcript_to_dict
    raw_text: str  # as decoded, spoken commands included
    text: str  # formatted as a clinician writes it
    report_type: str
    sections: Sequence[Any]  # reports.Section or their dicts


@dataclass(frozen=True)
class FiledDictation:
    dictation_id: int
    document_id: int | None  # None when the dictation waits to be matched to a patient


def file_dictation(
    store: Store,
    user: User,
    dictated: Dictated,
    *,
    patient_id: int | None,
    encounter_id: int | None = None,
    author: str | None = None,
    signer: str | None = None,
    dictated_at: str | None = None,
    status: str = "preliminary",
) -> FiledDictation:
    """File the dictation and its transcript, and the report for a known patient.

    ``author`` is who dictated (kept on the dictation); ``signer`` the physician the report is
    assigned to (None: records staff assign one). Joins an open ``store.write()`` block.
    """
    with store.write():
        dictation = add_dictation(
            store,
            user,
            audio_sha256=dictated.audio_sha256,
            path=dictated.path,
            duration=round(float(dictated.duration), 3),
            author=author,
            patient_id=patient_id,
            encounter_id=encounter_id,
            report_type=dictated.report_type,
            dictated_at=dictated_at,
        )
        save_transcript(store, user, dictation.id, dictated.transcript, text=dictated.raw_text)
        document_id = None
        if patient_id is not None:
            document_id = file_document(
                store,
                user,
                patient_id=patient_id,
                report_type=dictated.report_type,
                text=dictated.text,
                sections=dictated.sections,
                encounter_id=encounter_id,
                author=signer,
                dictation_id=dictation.id,
                status=status,
            ).id
    return FiledDictation(dictation.id, document_id)
