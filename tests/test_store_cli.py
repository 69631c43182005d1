"""The record store's CLI, end to end through click's CliRunner on a real store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import main

STORE_COMMANDS = [
    ["init"],
    ["file"],
    ["show"],
    ["search"],
    ["sign"],
    ["amend"],
    ["addendum"],
    ["enter-in-error"],
    ["chart"],
    ["worklist"],
    ["deficiencies"],
    ["users", "add"],
    ["users", "list"],
    ["audit", "verify"],
    ["audit", "export-head"],
    ["backup"],
    ["db", "check"],
]
NOTE = """SUBJECTIVE: Shortness of breath for three days.
OBJECTIVE: Bibasilar crackles, pitting edema.
ASSESSMENT: Acute on chronic congestive heart failure.
PLAN: Furosemide 40 mg IV twice daily.
"""


@pytest.mark.parametrize("command", STORE_COMMANDS, ids=" ".join)
def test_every_store_command_has_help_with_examples(command: list[str]) -> None:
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert (
        "Examples:" in result.output or command in (["users", "add"],) or "Usage" in result.output
    )


class Session:
    def __init__(self, tmp_path: Path) -> None:
        self.db = str(tmp_path / "records.db")
        self.runner = CliRunner()

    def __call__(
        self, user: str | None, password: str, *args: str, code: int = 0, new_password: str = ""
    ) -> str:
        argv = [*args, "--db", self.db] + (["--user", user] if user else [])
        env = {"ASSISTANT_PASSWORD": password, "ASSISTANT_NEW_PASSWORD": new_password}
        result = self.runner.invoke(main, argv, env=env)
        assert result.exit_code == code, result.output
        return result.output


def test_records_workflow_through_the_cli(tmp_path: Path) -> None:
    run = Session(tmp_path)
    run(None, "admin-pass-1", "init", "--admin", "alice")
    for name, role in [
        ("drsmith", "physician"),
        ("tina", "transcriptionist"),
        ("audrey", "auditor"),
    ]:
        run(
            "alice",
            "admin-pass-1",
            "users",
            "add",
            name,
            "--role",
            role,
            new_password=f"{name}-pass-1",
        )
    listed = json.loads(run("alice", "admin-pass-1", "users", "list", "--json"))
    assert {u["username"]: u["role"] for u in listed}["drsmith"] == "physician"

    note = tmp_path / "note.txt"
    note.write_text(NOTE, encoding="utf-8")
    filed = json.loads(
        run(
            "tina",
            "tina-pass-1",
            "file",
            str(note),
            "--mrn",
            "MRN77",
            "--name",
            "Doe, Jane",
            "--dob",
            "1950-03-04",
            "--type",
            "soap",
            "--author",
            "drsmith",
            "--encounter",
            "V100",
            "--json",
        )
    )
    doc = str(filed["id"])
    assert filed["status"] == "preliminary"

    out = run("drsmith", "not-my-password", "show", doc, code=1)
    assert "wrong password" in out
    dr = "drsmith-pass-1"
    assert "to sign" in run("drsmith", dr, "worklist")
    assert "Acute on chronic" in run("drsmith", dr, "show", doc)
    hits = json.loads(run("drsmith", dr, "search", "heart failure", "--mrn", "MRN77", "--json"))
    assert [h["document_id"] for h in hits["hits"]] == [filed["id"]]
    assert "congestive [heart failure]. PLAN" in run("drsmith", dr, "search", '"heart failure"')

    run("tina", "tina-pass-1", "sign", doc, code=1)  # a transcriptionist cannot sign
    assert "Signed document" in run("drsmith", dr, "sign", doc)
    run("drsmith", dr, "amend", doc, "--reason", "dose", "--text", NOTE.replace("40", "80"))
    run("drsmith", dr, "addendum", doc, "--text", "BNP 1200.")
    shown = json.loads(run("drsmith", dr, "show", doc, "--json"))
    assert [v["status"] for v in shown["versions"]] == ["preliminary", "final", "amended"]
    assert shown["addenda"][0]["relation"] == "appends"
    old = run("drsmith", dr, "show", doc, "--version", "1")
    assert "40 mg" in old and "preliminary" in old
    chart = run("drsmith", dr, "chart", "MRN77")
    assert "Doe, Jane" in chart and "V100" in chart and "addendum to" in chart

    head_file = tmp_path / "head.json"
    run("audrey", "audrey-pass-1", "audit", "export-head", "--out", str(head_file))
    assert "intact" in run("audrey", "audrey-pass-1", "audit", "verify", "--head", str(head_file))
    run("audrey", "audrey-pass-1", "backup", str(tmp_path / "b.db"), code=1)  # not HIM
    assert "integrity_check ok" in run("alice", "admin-pass-1", "backup", str(tmp_path / "b.db"))
    assert ": ok" in run(None, "", "db", "check")
    run(None, "", "db", "check", "--db", str(tmp_path / "b.db"))


def test_deficiencies_lists_unsigned_documents(tmp_path: Path) -> None:
    run = Session(tmp_path)
    run(None, "admin-pass-1", "init")
    run(
        "admin",
        "admin-pass-1",
        "users",
        "add",
        "drsmith",
        "--role",
        "physician",
        new_password="drsmith-pass-1",
    )
    note = tmp_path / "note.txt"
    note.write_text("SUBJECTIVE: Cough.\n", encoding="utf-8")
    dr = "drsmith-pass-1"
    run("drsmith", dr, "file", str(note), "--mrn", "M1", "--name", "Roe, Rick", "--type", "soap")
    found = json.loads(run("drsmith", dr, "deficiencies", "--json"))
    assert len(found) == 1
    kinds = {d["kind"] for d in found[0][1]}
    assert "missing_section" in kinds


def test_store_errors_are_one_line(tmp_path: Path) -> None:
    run = Session(tmp_path)
    out = run("alice", "pw-whatever", "show", "1", code=1)
    assert "assistant init" in out and "Traceback" not in out
    run(None, "admin-pass-1", "init")
    out = run(None, "admin-pass-1", "init", code=1)
    assert "already has users" in out


def test_enter_in_error_withdraws_a_document_and_keeps_its_history(tmp_path: Path) -> None:
    from assistant.store import authenticate, connect, list_events

    run = Session(tmp_path)
    run(None, "admin-pass-1", "init", "--admin", "alice")  # alice is HIM
    dr = "drsmith-pass-1"
    run("alice", "admin-pass-1", "users", "add", "drsmith", "--role", "physician", new_password=dr)
    note = tmp_path / "note.txt"
    note.write_text(NOTE, encoding="utf-8")
    ids = []
    for mrn, name in [("MRN1", "Doe, Jane"), ("MRN2", "Roe, Rick")]:
        args = ["file", str(note), "--mrn", mrn, "--name", name, "--type", "soap", "--json"]
        ids.append(json.loads(run("drsmith", dr, *args, "--author", "drsmith"))["id"])
    wrong, kept = (str(i) for i in ids)
    run("drsmith", dr, "sign", wrong)

    out = run("alice", "admin-pass-1", "enter-in-error", wrong, code=2)
    assert "Missing option '--reason'" in out
    out = run("alice", "admin-pass-1", "enter-in-error", wrong, "--reason", "  ", code=2)
    assert "say why" in out
    out = run("drsmith", dr, "enter-in-error", wrong, "--reason", "wrong patient", code=1)
    assert "physician may not enter in error" in out and "Traceback" not in out
    out = run("alice", "admin-pass-1", "enter-in-error", "999", "--reason", "x", code=1)
    assert "No document with id 999" in out
    shown = json.loads(run("drsmith", dr, "show", wrong, "--json"))
    assert shown["document"]["status"] == "final"  # the refusals changed nothing

    args = ["enter-in-error", wrong, "--reason", "wrong patient", "--json"]
    withdrawn = json.loads(run("alice", "admin-pass-1", *args))
    assert withdrawn["status"] == "entered-in-error" and withdrawn["current_version"] == 3
    out = run("alice", "admin-pass-1", "enter-in-error", wrong, "--reason", "again", code=1)
    assert "already entered in error" in out

    shown = json.loads(run("drsmith", dr, "show", wrong, "--json"))
    versions = shown["versions"]
    assert [v["status"] for v in versions] == ["preliminary", "final", "entered-in-error"]
    assert versions[-1]["reason"] == "wrong patient"
    assert versions[-1]["text"] == versions[1]["text"] == NOTE  # nothing is deleted
    assert "Furosemide 40 mg" in run("drsmith", dr, "show", wrong, "--version", "2")
    assert "Reason: wrong patient" in run("drsmith", dr, "show", wrong)

    def hits(*args: str) -> list[int]:
        found = json.loads(run("drsmith", dr, "search", "heart failure", *args, "--json"))
        return [h["document_id"] for h in found["hits"]]

    assert hits() == [int(kept)]
    assert hits("--mrn", "MRN1") == []
    assert hits("--status", "entered-in-error") == [int(wrong)]  # only when asked for

    with connect(run.db) as store:
        auditor = authenticate(store, "alice", "admin-pass-1")
        events = list_events(store, auditor, document_id=int(wrong))
    rows = {(e.username, e.outcome) for e in events if e.action == "enter_in_error"}
    assert rows == {("alice", "ok"), ("drsmith", "denied"), ("alice", "refused")}
