"""Search (FTS5, ranked, filtered, highlighted), look-ups and the chart."""

from __future__ import annotations

import importlib
from datetime import date

import pytest
from test_store_support import PASSWORDS, store_fixture  # noqa: F401

from assistant.errors import NotFound, StoreError
from assistant.models import Patient
from assistant.store import (
    Store,
    amend,
    chart,
    enter_in_error,
    file_document,
    find_patient_by_mrn,
    find_patients,
    find_user,
    register_patient,
    search,
)
from assistant.store.search import match_expression


def _fill(store: Store) -> dict[str, int]:
    tina = find_user(store, "tina")
    roe = register_patient(store, tina, Patient("MRN0002", "Roe", "Rick", date(1960, 1, 1), "male"))
    ids = {}
    for key, pid, rtype, text in [
        ("pneu", roe.id, "progress_note", "Right lower lobe pneumonia, improving on ceftriaxone."),
        ("hf", roe.id, "consult", "Chronic diastolic heart failure. Continue furosemide."),
        ("mix", 1, "progress_note", "Failure to thrive; heart sounds regular."),
    ]:
        doc = file_document(
            store, tina, patient_id=pid, report_type=rtype, text=text, author="drjones"
        )
        ids[key] = doc.id
    ids["roe"] = roe.id
    return ids


def test_ranked_search_with_snippets(store: Store) -> None:
    ids = _fill(store)
    cody = find_user(store, "cody")
    result = search(store, cody, "heart failure")
    assert result.ordered_by == "relevance"
    found = [h.document_id for h in result.hits]
    assert set(found) == {1, ids["hf"], ids["mix"]}
    top = result.hits[0]
    assert "[heart]" in top.snippet.lower() and "[failure]" in top.snippet.lower()
    phrase = search(store, cody, '"heart failure"')
    assert {h.document_id for h in phrase.hits} == {1, ids["hf"]}  # not "Failure ... heart"


def test_filters(store: Store) -> None:
    ids = _fill(store)
    cody = find_user(store, "cody")
    jones = find_user(store, "drjones")
    by_patient = search(store, cody, "heart", patient_id=ids["roe"])
    assert [h.document_id for h in by_patient.hits] == [ids["hf"]]
    by_author = search(store, cody, "heart", author_id=jones.id)
    assert {h.document_id for h in by_author.hits} == {ids["hf"], ids["mix"]}
    by_type = search(store, cody, "heart", report_type="progress_note")
    assert [h.document_id for h in by_type.hits] == [ids["mix"]]
    assert [h.document_id for h in search(store, cody, "chest", status="final").hits] == [2]
    assert search(store, cody, "heart", date_to="2000-01-01").hits == ()
    today = date.today().isoformat()
    assert len(search(store, cody, "heart", date_from="2000-01-01", date_to=today).hits) >= 3


def test_only_current_versions_and_not_entered_in_error(store: Store) -> None:
    cody, dr, admin = (find_user(store, n) for n in ("cody", "drsmith", "admin"))
    amend(
        store,
        dr,
        2,
        text="HISTORY AND PHYSICAL. Pleuritic pain.",
        reason="typo",
        password=PASSWORDS["drsmith"],
    )
    assert search(store, cody, "troponin").hits == ()
    assert [h.version for h in search(store, cody, "pleuritic").hits] == [3]
    enter_in_error(store, admin, 2, reason="wrong patient")
    assert search(store, cody, "pleuritic").hits == ()
    assert len(search(store, cody, "pleuritic", include_entered_in_error=True).hits) == 1


def test_common_terms_are_ordered_by_date(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    _fill(store)
    cody = find_user(store, "cody")
    # The package re-exports the function search(), so reach the module by its full name.
    module = importlib.import_module("assistant.store.search")
    monkeypatch.setattr(module, "COMMON_MATCHES", 1)
    result = search(store, cody, "heart")
    assert result.ordered_by == "date"
    assert [h.document_id for h in result.hits] == sorted(
        (h.document_id for h in result.hits), reverse=True
    )
    assert all(h.score is None for h in result.hits)


def test_query_syntax_is_never_an_fts_error(store: Store) -> None:
    cody = find_user(store, "cody")
    for q in ["heart-failure", "AND", '"unclosed', "NEAR(a b)", "5/5 o'clock", "furo*", "a OR"]:
        search(store, cody, q)
    assert match_expression("furo* OR lasix") == '"furo"* OR "lasix"'
    with pytest.raises(StoreError):
        search(store, cody, '  ""  ')


def test_searches_are_audited_with_query_and_hits(store: Store) -> None:
    cody = find_user(store, "cody")
    search(store, cody, "furosemide")
    r = store.one("SELECT * FROM audit_log ORDER BY id DESC LIMIT 1")
    assert (r["username"], r["action"]) == ("cody", "search")
    assert '"hits":[1]' in r["detail"]


def test_lookups_and_chart(store: Store) -> None:
    ids = _fill(store)
    cody = find_user(store, "cody")
    assert find_patient_by_mrn(store, cody, "MRN0002").id == ids["roe"]
    with pytest.raises(NotFound):
        find_patient_by_mrn(store, cody, "MRN9999")
    assert [p.mrn for p in find_patients(store, cody, family_name="do")] == ["MRN0001"]
    assert [p.mrn for p in find_patients(store, cody, birth_date=date(1960, 1, 1))] == ["MRN0002"]
    c = chart(store, cody, 1)
    assert c.patient.mrn == "MRN0001" and len(c.encounters) == 1
    assert [d.id for d in c.documents] == [1, 2, ids["mix"]]
    assert [d.id for d in c.documents_for(c.encounters[0].id)] == [1, 2]
