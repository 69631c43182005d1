"""End-to-end workflows driven by keys against a real store file (Pilot)."""

from __future__ import annotations

import re

import pytest
from textual.widgets.text_area import Selection
from tui_support import (
    PASSWORDS,
    SIZE,
    answer_dialog,
    open_first,
    sign_in,
    type_text,
    worklist_kinds,
)

from assistant.store import (
    file_document,
    find_user,
    get_document,
    list_codes,
    list_documents,
    list_queries,
    worklist,
)
from assistant.tui.screens.worklist import WorklistScreen
from assistant.tui.widgets.coding_panel import CodingPanel
from assistant.tui.widgets.transcript_editor import TranscriptEditor


@pytest.mark.anyio
async def test_transcriptionist_corrects_saves_and_submits(make, store) -> None:
    app = make("tina")
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "tina")
        assert isinstance(app.screen, WorklistScreen)
        assert "review" in worklist_kinds(app)
        await open_first(pilot, app, "review")
        editor = app.screen.query_one(TranscriptEditor)
        assert "chest pain" in editor.text.lower()
        assert editor.spans, "transcript words are placed in the text"
        # correct the word heard before "and diabetes": select it and type over it
        heard = re.search(r"(\S+) and diabetes", editor.text)
        editor.selection = Selection(editor.location(heard.start(1)), editor.location(heard.end(1)))
        await type_text(pilot, "HTN")
        assert "HTN and diabetes" in editor.text
        await pilot.press("ctrl+s")
        await pilot.pause()
        doc = app.screen.opened.document
        assert doc is not None and doc.status == "draft"
        assert "HTN" in get_document(store, find_user(store, "tina"), doc.id).version.text
        # submit: the deficiencies are listed first; Enter goes ahead
        await pilot.press("f10")
        await pilot.pause()
        assert "Submit with these deficiencies?" in app.screen.title_text
        await pilot.press("enter")
        await pilot.pause()
        tina = find_user(store, "tina")
        saved = get_document(store, tina, doc.id)
        assert saved.status == "preliminary"
        assert saved.author_id == find_user(store, "drsmith").id  # the dictating physician
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, WorklistScreen)
        assert "review" not in worklist_kinds(app)


def file_preliminary(store) -> int:
    tina = find_user(store, "tina")
    doc = file_document(
        store,
        tina,
        patient_id=1,
        encounter_id=1,
        report_type="soap",
        text="SUBJECTIVE:\nCough.\n\nASSESSMENT:\nAcute bronchitis.\n\nPLAN:\nFluids.\n",
        author="drsmith",
    )
    return doc.id


@pytest.mark.anyio
async def test_physician_signs_with_password(make, store) -> None:
    doc_id = file_preliminary(store)
    app = make("drsmith")
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "drsmith")
        await open_first(pilot, app, "sign")
        assert app.screen.opened.document.id == doc_id
        await answer_dialog(pilot, "ctrl+g", "wrong-password")
        dr = find_user(store, "drsmith")
        assert get_document(store, dr, doc_id).status == "preliminary"
        await answer_dialog(pilot, "ctrl+g", PASSWORDS["drsmith"])
        signed = get_document(store, dr, doc_id)
        assert (signed.status, signed.version.signed_by) == ("final", dr.id)
        assert app.screen.editor.read_only is False  # the author may amend a signed report
        # amend: edit the signed text, give a reason, re-enter the password
        editor = app.screen.editor
        editor.move_cursor(editor.location(editor.text.index("Fluids.") + len("Fluids.")))
        await type_text(pilot, " Rest.")
        await answer_dialog(pilot, "ctrl+t", "added advice", PASSWORDS["drsmith"])
        amended = get_document(store, dr, doc_id)
        assert amended.status == "amended" and amended.version.reason == "added advice"
        assert "Fluids. Rest." in amended.version.text
        # addendum: a new signed document appended to this one
        await answer_dialog(pilot, "ctrl+b", "Chest x-ray clear.", PASSWORDS["drsmith"])
        (addendum,) = list_documents(store, dr, parent_id=doc_id)
        assert (addendum.relation, addendum.status) == ("appends", "final")
        assert addendum.version.text == "Chest x-ray clear."


@pytest.mark.anyio
async def test_coder_accepts_a_code_and_the_physician_answers_a_query(make, store) -> None:
    app = make("cody")
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "cody")
        await open_first(pilot, app, "code")
        panel = app.screen.query_one(CodingPanel)
        await app.workers.wait_for_complete()
        await pilot.pause()
        codes = [s.code.code for s in panel.suggestions]
        assert any(c.startswith("I50") for c in codes), codes
        suggestions = panel.query_one("#suggestions")
        suggestions.focus()
        suggestions.highlighted = next(
            i for i, s in enumerate(panel.suggestions) if s.code.code.startswith("I50")
        )
        await pilot.pause()
        evidence = app.screen.editor.evidence
        assert evidence is not None
        assert "heart failure" in app.screen.editor.text[evidence[0] : evidence[1]].lower()
        await pilot.press("p")  # accept as principal
        await app.workers.wait_for_complete()
        await pilot.pause()
        cody = find_user(store, "cody")
        stored = list_codes(store, cody, 1)
        assert stored[0].code.startswith("I50") and stored[0].sequence == 1
        drg = str(panel.query_one("#drg").render())
        assert drg.startswith("MS-DRG 2") or drg.startswith("MS-DRG 29"), drg
        # raise a query about the highlighted evidence
        await pilot.press("ctrl+o")
        await pilot.pause()
        await pilot.press("enter")  # physician prefilled: the document's author
        await type_text(pilot, "Acuity and type of heart failure?")
        await pilot.press("enter")
        await pilot.pause()
        (query,) = list_queries(store, cody, encounter_id=1)
        assert query.status == "open" and "heart failure" in query.evidence.lower()
        # look a code up (a code or words); its tabular notes show
        panel.query_one("#code-search").focus()
        await type_text(pilot, "I50.2")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert panel.results and all(r.code.startswith("I502") for r in panel.results)
        await pilot.press("down")
        await app.workers.wait_for_complete()
        await pilot.pause()
        notes = str(panel.query_one("#code-notes").render())
        assert "I50" in notes, notes
        # coding done: the encounter leaves the coder's worklist
        assigned = panel.query_one("#assigned")
        assigned.focus()
        assigned.highlighted = 0
        await pilot.press("c")
        await pilot.pause()
        assert "code" not in [i.kind for i in worklist(store, cody)]

    app = make("drsmith")
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "drsmith")
        await open_first(pilot, app, "query")
        await pilot.press("ctrl+o")
        await pilot.pause()
        await type_text(pilot, "Acute on chronic systolic")
        await pilot.press("enter")
        await pilot.pause()
        (query,) = list_queries(store, find_user(store, "drsmith"), encounter_id=1)
        assert (query.status, query.answer) == ("answered", "Acute on chronic systolic")
