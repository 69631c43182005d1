"""Codes, physician queries, batch jobs, dictations/transcripts and the worklists."""

from __future__ import annotations

import pytest
from test_store_support import PASSWORDS, store_fixture  # noqa: F401

from assistant.errors import AccessDenied, IntegrityViolation, StoreError
from assistant.models import Code, Patient
from assistant.store import (
    Store,
    add_code,
    add_dictation,
    answer_query,
    assign_author,
    assign_dictation,
    claim_job,
    complete_coding,
    file_document,
    find_or_register_patient,
    find_physician,
    find_user,
    finish_job,
    get_transcript,
    list_codes,
    list_queries,
    mark_reviewed,
    match_encounter,
    match_patient,
    quarantine_job,
    raise_query,
    remove_code,
    requeue_job,
    requeue_processing,
    save_transcript,
    set_sequence,
    sign,
    system_user,
    worklist,
)

SHA = "a1" * 32


def test_codes_are_sequenced_principal_first_with_poa(store: Store) -> None:
    cody = find_user(store, "cody")
    add_code(store, cody, 1, Code("ICD-10-CM", "I50.23", "Acute on chronic systolic HF"), poa="Y")
    add_code(store, cody, 1, Code("ICD-10-CM", "N17.9", "AKI"), poa="N")
    codes = add_code(store, cody, 1, Code("ICD-10-CM", "A41.9", "Sepsis"), poa="Y", principal=True)
    assert [(c.code, c.sequence) for c in codes] == [("A41.9", 1), ("I50.23", 2), ("N17.9", 3)]
    codes = set_sequence(store, cody, 1, "ICD-10-CM", ["I50.23", "A41.9", "N17.9"])
    assert [c.code for c in codes] == ["I50.23", "A41.9", "N17.9"]
    codes = remove_code(store, cody, 1, "ICD-10-CM", "A41.9")
    assert [(c.code, c.sequence, c.poa) for c in codes] == [("I50.23", 1, "Y"), ("N17.9", 2, "N")]
    with pytest.raises(IntegrityViolation):
        add_code(store, cody, 1, Code("ICD-10-CM", "N17.9"))
    with pytest.raises(StoreError, match="POA"):
        add_code(store, cody, 1, Code("ICD-10-CM", "E11.9"), poa="maybe")
    with pytest.raises(IntegrityViolation):
        set_sequence(store, cody, 1, "ICD-10-CM", ["I50.23"])
    assert codes == list_codes(store, cody, 1)


def test_query_round_trip_shows_on_worklists(store: Store) -> None:
    cody, smith, jones = (find_user(store, n) for n in ("cody", "drsmith", "drjones"))
    items = worklist(store, smith)
    assert [(i.kind, i.query_id) for i in items if i.kind == "query"] == [("query", 1)]
    assert any(i.kind == "sign" and i.document_id == 1 for i in items)
    with pytest.raises(AccessDenied):
        answer_query(store, jones, 1, "Acute.")
    q = answer_query(store, smith, 1, "Acute on chronic systolic heart failure.")
    assert (q.status, q.answered_by) == ("answered", smith.id)
    assert not any(i.kind == "query" for i in worklist(store, smith))
    assert [i.query_id for i in worklist(store, cody) if i.kind == "query"] == [1]
    assert list_queries(store, cody, encounter_id=1)[0].answer.startswith("Acute on chronic")
    with pytest.raises(IntegrityViolation):
        answer_query(store, smith, 1, "Changed my mind.")
    new = raise_query(store, cody, 1, to="drjones", question="Type of AKI?", evidence="Cr 2.1")
    assert [i.query_id for i in worklist(store, jones) if i.kind == "query"] == [new.id]


def test_coder_worklist_until_coding_complete(store: Store) -> None:
    cody = find_user(store, "cody")
    assert [(i.kind, i.encounter_id) for i in worklist(store, cody) if i.kind == "code"] == [
        ("code", 1)
    ]
    with pytest.raises(IntegrityViolation):
        complete_coding(store, cody, 1)
    add_code(store, cody, 1, Code("ICD-10-CM", "I50.23"), poa="Y")
    complete_coding(store, cody, 1)
    assert worklist(store, cody) == []


def test_jobs_move_through_states_once(store: Store) -> None:
    system = system_user(store)
    job = claim_job(store, system, SHA, path="in/a.wav", worker="w1")
    assert (job.state, job.attempts) == ("processing", 1)
    assert claim_job(store, system, SHA, path="in/renamed.wav") is None  # same audio, taken
    job = finish_job(store, system, SHA, document_id=1)
    assert (job.state, job.document_id) == ("done", 1)
    assert claim_job(store, system, SHA, path="in/copy.wav") is None  # done: never twice
    with pytest.raises(IntegrityViolation):
        quarantine_job(store, system, SHA, "late")

    bad = "b2" * 32
    job = quarantine_job(store, system, bad, "not_audio", path="in/b.wav")
    assert (job.state, job.reason) == ("quarantined", "not_audio")
    assert claim_job(store, system, bad, path="in/b.wav") is None
    assert requeue_job(store, system, bad).state == "queued"
    assert claim_job(store, system, bad, path="in/b.wav").attempts == 1

    # A crashed run leaves 'processing' behind; the next run takes it again.
    assert claim_job(store, system, bad, path="in/b.wav") is None
    assert claim_job(store, system, bad, path="in/b.wav", stale_after_s=0).attempts == 2
    assert requeue_processing(store, system) == 1
    assert claim_job(store, system, bad, path="in/b.wav").attempts == 3


def test_filing_and_finishing_a_job_is_one_transaction(store: Store) -> None:
    system = system_user(store)
    claim_job(store, system, SHA, path="a.wav")
    before = store.one("SELECT count(*) FROM documents")[0]
    with pytest.raises(RuntimeError), store.write():
        file_document(store, system, patient_id=1, report_type="note", text="t", author="drsmith")
        raise RuntimeError("crash before the job is finished")
    assert store.one("SELECT count(*) FROM documents")[0] == before
    with store.write():
        doc = file_document(
            store, system, patient_id=1, report_type="note", text="t", author="drsmith"
        )
        finish_job(store, system, SHA, document_id=doc.id)
    assert store.one("SELECT state FROM jobs")[0] == "done"


def test_dictation_transcript_review_and_assignment(store: Store) -> None:
    system, tina, admin = system_user(store), find_user(store, "tina"), find_user(store, "admin")
    d = add_dictation(
        store, system, audio_sha256=SHA, path="a.wav", duration=12.5, author="drsmith"
    )
    assert [i.dictation_id for i in worklist(store, admin) if i.kind == "assign"] == [d.id]
    transcript = {
        "segments": [
            {"id": 0, "text": " Patient stable.", "flags": []},
            {"id": 1, "text": " Lasix 40 mg.", "flags": ["low_logprob"]},
        ]
    }
    t = save_transcript(store, system, d.id, transcript)
    assert t.text == "Patient stable. Lasix 40 mg."
    assert any(i.kind == "review" and i.dictation_id == d.id for i in worklist(store, tina))
    t = mark_reviewed(store, tina, t.id, ["seg:1"])
    assert get_transcript(store, tina, d.id).reviewed_spans == {"seg:1"}
    assert get_transcript(store, tina, d.id).transcript == transcript
    p = find_or_register_patient(store, system, Patient("MRN0003", "Poe", "Ann"))
    assert find_or_register_patient(store, system, Patient("MRN0003", "X", "Y")).id == p.id
    assign_dictation(store, admin, d.id, p.id)
    assert not any(i.kind == "assign" for i in worklist(store, admin))
    with pytest.raises(IntegrityViolation):
        assign_dictation(store, admin, d.id, 1)


def test_physician_worklist_empties_when_signed(store: Store) -> None:
    smith = find_user(store, "drsmith")
    assert [i.document_id for i in worklist(store, smith) if i.kind == "sign"] == [1]
    sign(store, smith, 1, password=PASSWORDS["drsmith"])
    assert [i for i in worklist(store, smith) if i.kind == "sign"] == []


def test_intake_lookups_and_assigning_a_physician(store: Store) -> None:
    system, admin = system_user(store), find_user(store, "admin")
    assert match_patient(store, system, "MRN0001").family_name == "Doe"
    assert match_patient(store, system, "NOPE") is None
    assert match_encounter(store, system, "V-unknown") is None
    assert find_physician(store, "drjones").role == "physician"
    assert find_physician(store, "cody") is None
    doc = file_document(store, system, patient_id=1, report_type="note", text="Intake text.")
    assert doc.author_id is None  # no physician named: HIM assigns one
    assert any(i.kind == "assign" and i.document_id == doc.id for i in worklist(store, admin))
    doc = assign_author(store, admin, doc.id, "drjones")
    assert doc.author_id == find_user(store, "drjones").id
    assert [i.document_id for i in worklist(store, find_user(store, "drjones"))] == [doc.id]
    with pytest.raises(IntegrityViolation):
        assign_author(store, admin, 2, "drjones")  # signed: no longer reassigned
