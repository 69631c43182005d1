"""HIM's assign screen against a real store: a dictation filed without a patient is matched
to the patient, and a document without a physician is given to one (Pilot)."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import DataTable
from tui_support import SIZE, sign_in, type_text

from assistant.models import Patient
from assistant.store import (
    add_dictation,
    file_document,
    find_user,
    get_dictation,
    get_document,
    get_transcript,
    register_patient,
    save_transcript,
    worklist,
)
from assistant.tui.screens.assign import AssignScreen
from assistant.tui.screens.worklist import WorklistScreen
from assistant.tui.workspace_assign import PatientQuery, parse_patient_query


def test_patient_query_reads_mrn_name_and_birth_date() -> None:
    assert parse_patient_query("MRN100231") == PatientQuery(mrn="MRN100231")
    assert parse_patient_query("Whitaker, Harold") == PatientQuery("", "Whitaker", "Harold")
    assert parse_patient_query("whit 1949-03-14") == PatientQuery("", "whit", "", "1949-03-14")
    assert parse_patient_query("1949-03-14") == PatientQuery(birth_date="1949-03-14")


def _unassigned(store) -> tuple[int, int]:
    """A batch dictation with no patient (with the clip's transcript) and a draft with no
    physician, plus a second patient whose name starts the same."""
    tina = find_user(store, "tina")
    register_patient(store, tina, Patient("MRN555001", "Whitman", "Alice", date(1980, 5, 2)))
    d = add_dictation(store, tina, audio_sha256="0" * 64, path="inbox/unknown-01.wav", duration=7)
    save_transcript(store, tina, d.id, get_transcript(store, tina, 1).transcript)
    doc = file_document(store, tina, patient_id=1, report_type="soap", text="SUBJECTIVE:\nCough.\n")
    return d.id, doc.id


async def _open_assign(pilot, app, wanted: str) -> None:
    screen = app.screen
    row = next(r for r in screen.rows if r.kind == "assign" and wanted in r.title)
    table = screen.query_one("#worklist")
    table.move_cursor(row=table.get_row_index(row.key))
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, AssignScreen)


@pytest.mark.anyio
async def test_him_assigns_a_dictation_to_its_patient_and_a_draft_to_a_physician(
    make, store
) -> None:
    dictation_id, doc_id = _unassigned(store)
    app = make("admin")  # the bootstrap administrator is an HIM specialist
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "admin")
        assert isinstance(app.screen, WorklistScreen)
        await _open_assign(pilot, app, f"Dictation {dictation_id}")
        info = str(app.screen.query_one("#assign-info").render())
        assert "unknown-01.wav" in info and "chest pain" in info.lower()
        # a name prefix finds both patients; nothing is assigned until one is chosen
        await type_text(pilot, "whit")
        await pilot.press("enter")
        await pilot.pause()
        table = app.screen.query_one("#patients", DataTable)
        assert table.row_count == 2
        him = find_user(store, "admin")
        assert get_dictation(store, him, dictation_id).patient_id is None
        # an unknown MRN says so; the exact MRN finds one
        await pilot.press("slash")
        app.screen.query_one("#patient-query").value = ""
        await type_text(pilot, "MRN000000")
        await pilot.press("enter")
        await pilot.pause()
        assert table.row_count == 0
        assert "No patient matches" in str(app.screen.query_one("#assign-status").render())
        app.screen.query_one("#patient-query").value = ""
        await type_text(pilot, "Whitaker 1949-03-14")
        await pilot.press("enter")
        await pilot.pause()
        assert table.row_count == 1
        await pilot.press("enter")  # the focused row: assign
        await pilot.pause()
        assert isinstance(app.screen, WorklistScreen)
        assert get_dictation(store, him, dictation_id).patient_id == 1
        titles = [r.title for r in app.screen.rows]
        assert f"Dictation {dictation_id} has no patient" not in titles
        # the draft without a physician: a wrong name is refused, then drsmith signs it
        await _open_assign(pilot, app, f"soap {doc_id}")
        await type_text(pilot, "tina")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AssignScreen)
        assert "not an active physician" in str(app.screen.query_one("#assign-status").render())
        app.screen.query_one("#physician").value = ""
        await type_text(pilot, "drsmith")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, WorklistScreen)
        dr = find_user(store, "drsmith")
        assert get_document(store, him, doc_id).author_id == dr.id
        assert any(i.document_id == doc_id and i.kind == "sign" for i in worklist(store, dr))
