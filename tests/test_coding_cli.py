"""The coding commands through click's CliRunner: look-up, suggestion, DRG, encounter codes and
physician queries against a real SQLite record store under tmp_path."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from coding_support import session_index

from assistant.cli import main

pytestmark = pytest.mark.xdist_group("coding")
PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return session_index(tmp_path_factory.getbasetemp() / "coding-index").path.parent


@pytest.fixture
def run(cache_dir: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ASSISTANT_CACHE_DIR", str(cache_dir))
    monkeypatch.setenv("ASSISTANT_PASSWORD", PASSWORD)

    def invoke(*args: str, ok: bool = True):
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output
        return result

    return invoke


def test_codes_search_show_and_check(run) -> None:
    out = run("codes", "search", "acute", "on", "chronic", "systolic", "heart", "failure").output
    assert out.splitlines()[0].startswith("I50.23")
    shown = run("codes", "show", "I50.23").output
    assert "code first (from I50): heart failure due to hypertension (I11.0)" in shown
    assert "excludes1 (from I50.2)" in shown
    bad = run("codes", "show", "I99.999", ok=False)
    assert bad.exit_code == 1 and "Unknown code" in bad.output
    check = run("codes", "check", "G63", "--age", "60", "--sex", "female").output
    assert "MANIFESTATION_AS_PDX" in check


def test_code_a_report_file(run, tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text(
        "Chief complaint: chest pain.\n"
        "History of present illness: 60 year old man with hypertension. He denies dyspnea.\n"
        "Assessment: Chest pain, acute coronary syndrome ruled out. Continue metformin.\n"
    )
    out = run("code", str(note)).output
    lines = out.splitlines()
    assert lines[0].startswith("R07.9")
    assert "I10" in out and "Z79.84" in out
    assert "negated" in out and "acute coronary syndrome" in out
    assert "I24.9 " not in out.split("Not coded:")[0]


def test_drg_from_codes(run) -> None:
    out = run("drg", "--dx", "J18.9", "--dx", "J96.01", "--age", "70", "--sex", "male").output
    assert "MS-DRG 193" in out and "MCC  J9601" in out
    out = run("drg", "--dx", "J18.9", "--dx", "A41.9", "--what-if", "A41.9").output
    assert "MS-DRG 193" in out and "MS-DRG 871" in out and "weight change: 0.6281" in out


def test_encounter_codes_drg_and_queries_end_to_end(run, tmp_path: Path) -> None:
    from assistant.models import Encounter, Patient
    from assistant.store import (
        add_encounter,
        bootstrap_admin,
        connect,
        create_user,
        register_patient,
        worklist,
    )

    db = tmp_path / "records.db"
    store = connect(db)
    admin = bootstrap_admin(store, "admin", PASSWORD)
    create_user(store, admin, "coder1", "coder", PASSWORD)
    doctor = create_user(store, admin, "dr.okafor", "physician", PASSWORD)
    patient = register_patient(
        store, admin, Patient("MRN1", "Whitaker", "Harold", date(1949, 3, 14), "male")
    )
    add_encounter(
        store,
        admin,
        Encounter(patient.id, "inpatient", datetime(2026, 11, 17), datetime(2026, 11, 20),
                  discharge_disposition="home", external_id="V1"),
    )  # fmt: skip
    from assistant.models import Section
    from assistant.store import file_document

    sections = [
        Section("hpi", "History of present illness", "77 year old man with hypertension."),
        Section("assessment", "Assessment", "CHF exacerbation. He denies chest pain."),
    ]
    doc = file_document(
        store, doctor, patient_id=patient.id, report_type="discharge_summary",
        text="\n".join(f"{s.title}: {s.text}" for s in sections), sections=sections,
    )  # fmt: skip
    store.close()
    coder = ("--db", str(db), "--user", "coder1")
    suggested = run("code", str(doc.id), *coder).output
    assert suggested.splitlines()[0].startswith("I11.0")
    assert "I50.9    ?" in suggested and '[assessment 0-3] "CHF"' in suggested
    physician = ("--db", str(db), "--user", "dr.okafor")

    out = run("encounter", "codes", "add", "V1", "I50.9", "I10", "--poa", "Y", *coder).output
    assert " 1. ICD-10-CM  I50.9" in out and " 2. ICD-10-CM  I10" in out
    assert run("drg", "V1", *coder).output.count("MS-DRG 293") == 1
    denied = run("encounter", "codes", "add", "V1", "I50", *coder, ok=False)
    assert denied.exit_code == 1 and "not billable" in denied.output

    question = ("--question", "Heart failure: acuity and type?", "--evidence", "CHF exacerbation")
    asked = run("query", "raise", "V1", "--to", "dr.okafor", *question, *coder)
    assert "#1 [open]" in asked.output
    store = connect(db)
    assert [w.kind for w in worklist(store, doctor)].count("query") == 1
    store.close()
    assert "Heart failure: acuity and type?" in run("query", "list", "--mine", *physician).output
    refused = run("query", "answer", "1", "I know", *coder, ok=False)
    assert refused.exit_code == 1
    run("query", "answer", "1", "Acute on chronic systolic heart failure", *physician)
    listed = run("query", "list", "--encounter", "V1", *coder).output
    assert "[answered]" in listed and "answer: Acute on chronic systolic heart failure" in listed

    run("encounter", "codes", "remove", "V1", "I50.9", *coder)
    run("encounter", "codes", "add", "V1", "I50.23", "I11.0", *coder)
    out = run("encounter", "codes", "sequence", "V1", "I11.0", "I50.23", "I10", *coder).output
    assert out.splitlines()[0].endswith("I11.0     Hypertensive heart disease with heart failure")
    assert "No edits." in run("encounter", "codes", "list", "V1", "--check", *coder).output
    run("encounter", "codes", "add", "V1", "I50.43", *coder)
    checked = run("encounter", "codes", "list", "V1", "--check", *coder).output
    assert "ERROR   excludes1" in checked and "I50.4-" in checked
    whatif = run("drg", "V1", "--what-if", "I50.23", *coder).output
    assert "with I5023 principal" in whatif

    from assistant.store import list_documents, sign

    with connect(db) as store:
        sign(store, doctor, doc.id, password=PASSWORD)
    sepsis = ("--question", "Sepsis?", "--evidence", "CHF exacerbation", "--document", str(doc.id))
    run("query", "raise", "V1", "--to", "dr.okafor", *sepsis, *coder)
    still_open = json.loads(run("query", "list", "--status", "open", "--json", *coder).output)
    assert [(q["id"], q["document_id"]) for q in still_open] == [(2, doc.id)]
    run("query", "answer", "2", "No sepsis.", "--addendum", *physician)
    with connect(db) as store:
        addenda = list_documents(store, doctor, parent_id=doc.id)
    assert [a.status for a in addenda] == ["final"]
    assert "Query #2: Sepsis?\nAnswer: No sepsis." in addenda[0].version.text


@pytest.mark.parametrize(
    "command",
    [["codes"], ["codes", "search"], ["codes", "show"], ["codes", "check"], ["code"], ["drg"],
     ["encounter", "codes", "add"], ["encounter", "codes", "remove"],
     ["encounter", "codes", "sequence"], ["encounter", "codes", "list"],
     ["query", "raise"], ["query", "answer"], ["query", "list"]],
)  # fmt: skip
def test_every_coding_command_has_help(command: list[str]) -> None:
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output and len(result.output) > 200
