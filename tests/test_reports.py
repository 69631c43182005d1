"""Report types, section finding, rendering and completeness review (assistant.reports)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from assistant.dictation import SECTION_BREAK as DICTATION_BREAK
from assistant.dictation import format_dictation
from assistant.errors import TemplateError
from assistant.models import Report, Section
from assistant.reports import (
    SECTION_BREAK,
    all_headings,
    build_report,
    choose_template,
    find_sections,
    get_template,
    load_templates,
    render_report,
    report_from_dict,
    report_to_dict,
    review_completeness,
)
from assistant.resources import templates_dir

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "audio"
SAMPLE_TEXTS = sorted(SAMPLES.glob("*.txt")) + sorted(SAMPLES.glob("heldout/*.txt"))
LOINC = {
    "soap": "11506-3",
    "history_physical": "34117-2",
    "consultation": "11488-4",
    "discharge_summary": "18842-5",
    "operative_note": "11504-8",
    "procedure_note": "28570-0",
    "radiology": "18748-4",
    "emergency": "34111-1",
}


@pytest.fixture(scope="module")
def templates():
    return load_templates()


def names(report: Report) -> list[str]:
    return [s.name for s in report.sections]


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def report_words(report: Report) -> list[str]:
    return [w for s in report.sections for w in words(f"{s.heading} {s.text}")]


# --- Templates ----------------------------------------------------------------------------------


def test_bundled_types_and_loinc_codes(templates):
    assert {t: templates[t].loinc for t in templates} == LOINC
    for template in templates.values():
        assert template.required_sections, template.id
        assert template.template_path.is_file()


def test_site_folder_overrides_and_adds_types(tmp_path):
    soap = (templates_dir() / "soap.toml").read_text()
    (tmp_path / "soap.toml").write_text(soap.replace('title = "Progress Note"', 'title = "Visit"'))
    shutil.copy(templates_dir() / "soap.j2", tmp_path / "soap.j2")
    (tmp_path / "wound_care.toml").write_text(
        '[report]\nid = "wound_care"\ntitle = "Wound Care Note"\nloinc = "34133-9"\n'
        'loinc_display = "Summary of episode note"\n'
        '[[sections]]\nname = "wound"\ntitle = "Wound"\nrequired = true\naliases = ["wound"]\n'
    )
    (tmp_path / "wound_care.j2").write_text('{% extends "_layout." ~ fmt ~ ".j2" %}\n')

    templates = load_templates([tmp_path])

    assert templates["soap"].title == "Visit"
    assert templates["radiology"].source.parent == templates_dir()
    wound = templates["wound_care"]
    report = find_sections("Wound: clean and dry, no erythema.", wound)
    assert report.sections[0].text == "clean and dry, no erythema."
    assert "WOUND:\nclean and dry" in render_report(report, wound, "txt")
    # A site layout restyles the bundled types too.
    (tmp_path / "_layout.txt.j2").write_text("SITE {{ title }}")
    radiology = templates["radiology"]
    assert render_report(Report("radiology", ()), radiology, "txt", None, [tmp_path]) == (
        "SITE Radiology Report\n"
    )


@pytest.mark.parametrize(
    "spec, problem",
    [
        ("[report\nid='x'", "Cannot read"),
        ('[report]\nid = "other"\ntitle="T"\nloinc="1"\nloinc_display="d"', "must match"),
        ('[report]\nid = "broken"\ntitle="T"\nloinc="1"\nloinc_display="d"', "[[sections]]"),
        ('[report]\nid = "broken"\nloinc="1"\nloinc_display="d"', "'title'"),
    ],
)
def test_malformed_spec_is_a_clear_error(tmp_path, spec, problem):
    (tmp_path / "broken.toml").write_text(spec)
    (tmp_path / "broken.j2").write_text("")
    with pytest.raises(TemplateError, match=re.escape(problem)) as e:
        load_templates([tmp_path])
    assert "broken.toml" in str(e.value)


def test_unknown_type_lists_the_known_ones(templates):
    with pytest.raises(TemplateError, match="Known types: consultation, discharge_summary"):
        get_template("progress", templates)


def test_all_headings_feed_the_formatter(templates):
    headings = all_headings(templates)
    assert {"History of Present Illness", "A and P", "Code status", "EBL"} <= set(headings)
    assert len(headings[0]) >= len(headings[-1])  # longest first, so "assessment and plan" wins
    assert SECTION_BREAK == DICTATION_BREAK


# --- Section finding by example -----------------------------------------------------------------


def test_colon_headings_and_aliases(templates):
    text = (
        "CC: cough.\n\nHPI: 3 days of cough. Exam: lungs clear.\n\n"
        "A and P: bronchitis, supportive care."
    )
    report = find_sections(text, templates["soap"])
    assert names(report) == ["chief_complaint", "hpi", "physical_exam", "assessment_and_plan"]
    assert report.section("physical_exam").text == "lungs clear."
    assert report.section("hpi").heading == "HPI"


def test_capital_headings_on_their_own_line(templates):
    text = "PREOPERATIVE DIAGNOSIS\nHernia.\n\nEBL: 5 mL.\nFollow-up:\nclinic in 2 weeks."
    report = find_sections(text, templates["operative_note"])
    assert names(report) == ["preoperative_diagnosis", "estimated_blood_loss", "follow_up"]
    assert report.section("preoperative_diagnosis").text == "Hernia."
    assert report.section("follow_up").known is False  # not an operative-note section: kept
    assert report.section("follow_up").text == "clinic in 2 weeks."


def test_plain_style_headings_without_colon(templates):
    text = (
        "History of present illness. The patient is a 67-year-old man with dyspnea. "
        "Physical examination, lungs with crackles. "
        "Assessment and plan, number one, heart failure, start furosemide."
    )
    report = find_sections(text, templates["history_physical"])
    assert names(report) == ["hpi", "physical_exam", "assessment_and_plan"]
    assert report.section("hpi").text == "The patient is a 67-year-old man with dyspnea."
    assert report.section("assessment_and_plan").text.startswith("number one, heart failure")


def test_whisper_run_on_style(templates):
    """tiny.en often turns the pauses around headings into commas, or drops them."""
    text = (
        "Operative note, pre-operative diagnosis, acute appendicitis, post-operative diagnosis, "
        "appendicitis without perforation, procedure, appendectomy. Pregnancy test was "
        "negative, no abscess or gangrene description of procedure After induction of "
        "anesthesia, a port was placed. She has a history of asthma, allergies, and eczema."
    )
    report = find_sections(text, templates["operative_note"])
    assert names(report) == [
        "preamble",
        "preoperative_diagnosis",
        "postoperative_diagnosis",
        "description_of_procedure",
    ]
    assert report.section("preoperative_diagnosis").text == "acute appendicitis"
    assert report.section("description_of_procedure").text.startswith("After induction")
    assert report_words(report) == words(text)


def test_heading_words_inside_sentences_are_not_headings(templates):
    text = (
        "Subjective: we reviewed the plan with her. The exam was limited by pain. "
        "Plan was discussed with family, history reviewed."
    )
    report = find_sections(text, templates["soap"])
    assert names(report) == ["subjective"]
    assert report.sections[0].text == text.removeprefix("Subjective: ")


def test_section_break_moves_to_the_next_expected_section(templates):
    text = f"Examination: CT head.\n\n{SECTION_BREAK}\n\nHeadache.\n\n{SECTION_BREAK}\n\nNone."
    report = find_sections(text, templates["radiology"])
    assert names(report) == ["study", "indications", "comparison"]
    assert report.section("indications").text == "Headache."
    assert report.section("comparison").heading == ""


def test_heading_after_a_break_needs_no_punctuation(templates):
    """tiny.en heard "Assessment colon" as "Assessment coal"; after a break it still counts."""
    text = f"Subjective: headache.\n\n{SECTION_BREAK}\n\nAssessment coal in migraine."
    report = find_sections(text, templates["soap"])
    assert names(report) == ["subjective", "assessment"]
    assert report.section("assessment").text == "Assessment coal in migraine."


def test_spoken_next_section_in_an_unformatted_transcript(templates):
    report = find_sections(
        "Findings: small effusion. Next section. No acute process.", templates["radiology"]
    )
    assert names(report) == ["findings", "impression"]
    assert report.section("impression").text == "No acute process."


def test_unknown_headings_and_preamble_are_kept(templates):
    text = (
        "This is Doctor Lee dictating on Mrs Park.\n\nChief complaint: fall.\n\n"
        "Code status: full code.\n\nBlood pressure: 120/80.\n\nDisposition: admit."
    )
    report = find_sections(text, templates["emergency"])
    assert names(report) == ["preamble", "chief_complaint", "code_status", "disposition"]
    code = report.section("code_status")
    # A vital sign with a colon is not a heading: it stays in the section it was dictated in.
    assert (code.known, code.title) == (False, "Code status")
    assert code.text == "full code.\n\nBlood pressure: 120/80."
    assert report.section("preamble").text == "This is Doctor Lee dictating on Mrs Park."


def test_exam_subheadings_stay_inside_the_exam(templates):
    text = "Physical exam:\nHEENT: normal.\nLungs: clear.\nHeart: regular.\n\nPlan: discharge."
    report = find_sections(text, templates["emergency"])
    assert names(report) == ["physical_exam", "plan"]
    assert report.section("physical_exam").text == "HEENT: normal.\nLungs: clear.\nHeart: regular."


def test_no_headings_keeps_everything(templates):
    report = find_sections("Patient doing well. No complaints.", templates["soap"])
    assert [(s.name, s.text) for s in report.sections] == [
        ("preamble", "Patient doing well. No complaints.")
    ]
    assert find_sections("", templates["soap"]).sections == ()


# --- Section finding by property ----------------------------------------------------------------

VOCAB = [
    "plan",
    "exam",
    "history",
    "assessment",
    "and",
    "present",
    "illness",
    "HPI",
    "the",
    "patient",
    "Code",
    "status",
    "findings",
    "impression",
    "A",
    "P",
    "fever",
    "12",
    "mg",
    "Lungs",
    "section",
    "History of present illness",
    "Assessment and plan",
    "Physical exam",
    "Code status",
    "Follow up",
    "A&P",
    "Preoperative diagnosis",
    "§",
]
PUNCT = [" ", " ", " ", ". ", ", ", ": ", "\n", "\n\n", f"\n\n{SECTION_BREAK}\n\n", " - "]
TOKEN = st.one_of(
    st.sampled_from(VOCAB),
    st.from_regex(r"[A-Za-z][a-z]{0,7}", fullmatch=True).filter(lambda w: w.lower() != "next"),
)


@settings(max_examples=150, deadline=None)
@given(
    pieces=st.lists(st.tuples(TOKEN, st.sampled_from(PUNCT)), max_size=40),
    report_type=st.sampled_from(sorted(LOINC)),
)
def test_no_dictated_word_is_ever_lost(templates, pieces, report_type):
    text = "".join(word + gap for word, gap in pieces)

    report = find_sections(text, templates[report_type])

    assert report_words(report) == words(text)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200))
def test_any_text_keeps_its_words(templates, text):
    assume("next" not in text.lower())  # the spoken command is consumed, by design
    report = find_sections(text, templates["soap"])
    assert report_words(report) == words(text)


# --- Choosing the type, building, rendering -------------------------------------------------------


def test_choose_template_from_headings(templates):
    op = (
        "Preoperative diagnosis: hernia. Postoperative diagnosis: same. Procedure: repair. "
        "Anesthesia: general. Estimated blood loss: minimal. Complications: none."
    )
    chosen, confidence = choose_template(op, templates)
    assert chosen.id == "operative_note" and confidence > 0.8
    rad = "Technique: axial images. Comparison: none. Findings: normal. Impression: normal."
    assert choose_template(rad, templates)[0].id == "radiology"
    vague, low = choose_template("Patient seen today.", templates)
    assert low < 0.5 < confidence


def test_build_report_with_and_without_type(templates):
    text = "Subjective: better. Objective: afebrile. Assessment: resolving. Plan: continue."
    auto = build_report(text, None, templates)
    assert auto.report_type == "soap" and 0 < auto.confidence <= 1
    fixed = build_report(text, "consultation", templates)
    assert (fixed.report_type, fixed.confidence) == ("consultation", 1.0)
    with pytest.raises(TemplateError):
        build_report(text, "nope", templates)


@pytest.mark.parametrize("sample", SAMPLE_TEXTS, ids=lambda p: p.stem)
def test_every_template_renders_every_sample(templates, sample):
    text = format_dictation(sample.read_text(), headings=all_headings(templates))
    meta = json.loads(sample.with_suffix(".json").read_text())
    context = {k: meta.get(k) for k in ("patient_name", "mrn", "birth_date", "author")}
    for template in templates.values():
        report = find_sections(text, template)
        assert report_words(report) == words(text.replace(SECTION_BREAK, ""))
        for fmt in ("txt", "md", "html"):
            page = render_report(report, template, fmt, context)
            assert template.title.lower() in page.lower() and meta["mrn"] in page
            for section in report.sections:
                first_line = section.text.split("\n")[0]
                shown = first_line.replace("&", "&amp;") if fmt == "html" else first_line
                assert shown.replace("'", "&#39;" if fmt == "html" else "'") in page


def test_rendering_header_footer_and_escaping(templates):
    template = templates["radiology"]
    report = find_sections("Findings: <script>alert(1)</script> & normal.", template)
    signed = {"signed_at": datetime(2026, 3, 1, 9, 30), "signed_by": "Dr. Ada", "mrn": None}

    html = render_report(report, template, "html", signed)
    txt = render_report(report, template, "txt", signed)
    md = render_report(report, template, "md")

    assert html.startswith("<!DOCTYPE html>") and "&lt;script&gt;" in html
    assert "<script>" not in html
    assert "<script>alert(1)</script>" in txt and "FINDINGS:" in txt
    assert "Electronically signed by Dr. Ada on 2026-03-01 09:30." in txt
    assert "MRN: —" in txt
    assert "IMPRESSION:\n(not dictated)" in txt  # a required section nobody dictated shows
    assert "## Findings" in md and "Electronically signed" not in md


def test_strict_undefined_fails_loudly(tmp_path, templates):
    (tmp_path / "soap.toml").write_text((templates_dir() / "soap.toml").read_text())
    (tmp_path / "soap.j2").write_text("{{ attending_physician }}")
    template = load_templates([tmp_path])["soap"]
    with pytest.raises(TemplateError, match="attending_physician"):
        render_report(find_sections("Plan: rest.", template), template, "txt")
    with pytest.raises(TemplateError, match="Unknown format"):
        render_report(find_sections("", template), templates["soap"], "pdf")


# --- Completeness -------------------------------------------------------------------------------


def test_review_completeness_lists_every_kind(templates):
    template = templates["soap"]
    report = find_sections("Subjective: cough.\n\nObjective:\n\nAssessment: bronchitis.", template)
    now = datetime(2026, 3, 5, 12, 0)

    found = review_completeness(
        report,
        template,
        signed_at=None,
        created_at=now - timedelta(hours=50),
        now=now,
        unreviewed_flags=["segment 3: repeated_ngram"],
    )

    assert [(d.kind, d.section) for d in found] == [
        ("missing_section", "plan"),
        ("empty_section", "objective"),
        ("unsigned_overdue", None),
        ("no_diagnosis_code", None),
        ("unreviewed_flag", None),
    ]
    assert "repeated_ngram" in found[-1].detail


def test_complete_report_has_no_deficiencies(templates):
    template = templates["soap"]
    report = find_sections("Subjective: ok. Objective: ok. A&P: ok.", template)
    now = datetime(2026, 3, 5)
    found = review_completeness(
        report,
        template,
        signed_at=now,
        created_at=now - timedelta(days=9),
        now=now,
        diagnosis_codes=["J20.9"],
    )
    assert found == []
    young = review_completeness(
        report, template, signed_at=None, created_at=now, now=now, diagnosis_codes=["J20.9"]
    )
    assert young == []
    # The store keeps naive UTC times and asks with an aware "now": the two must compare.
    aware_now = (now + timedelta(hours=49)).replace(tzinfo=UTC)
    late = review_completeness(
        report, template, signed_at=None, created_at=now, now=aware_now, diagnosis_codes=["J"]
    )
    assert [d.kind for d in late] == ["unsigned_overdue"]


def test_report_json_round_trip():
    report = Report(
        "soap", (Section("plan", "Plan", "rest", True, "Plan"), Section("x", "X", "", False)), 0.4
    )
    assert report_from_dict(json.loads(json.dumps(report_to_dict(report)))) == report
    with pytest.raises(TemplateError):
        report_from_dict({"sections": [{}]})


# --- CLI ----------------------------------------------------------------------------------------


def test_cli_templates_lists_types():
    from assistant.cli import main

    result = CliRunner().invoke(main, ["templates", "--json"])
    assert result.exit_code == 0, result.output
    assert {row["id"]: row["loinc"] for row in json.loads(result.output)} == LOINC


def test_cli_report_from_text_auto_picks_type(tmp_path):
    from assistant.cli import main

    source = tmp_path / "note.txt"
    source.write_text(
        "Operative report new paragraph Preoperative diagnosis colon hernia period new paragraph "
        "Procedure colon inguinal hernia repair period Complications colon none period"
    )
    out = tmp_path / "note.md"
    result = CliRunner().invoke(main, ["report", str(source), "--format", "md", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Report type: operative_note" in result.output
    page = out.read_text()
    assert "# Operative Note" in page and "## Preoperative Diagnosis\n\nHernia." in page

    bad = CliRunner().invoke(main, ["report", str(source), "--type", "nope"])
    assert bad.exit_code == 1 and "Known types" in bad.output


def test_cli_report_from_audio(tmp_path):
    """The whole path: espeak-ng speech -> real tiny.en -> formatting -> sections -> report."""
    from assistant.cli import main

    if shutil.which("espeak-ng") is None:
        pytest.fail("espeak-ng is missing: run scripts/system-deps.sh")
    wav = tmp_path / "dictation.wav"
    speech = "Subjective. Headache for two days. Plan. Ibuprofen and rest."
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(wav), speech], check=True)

    result = CliRunner().invoke(main, ["report", str(wav), "--type", "soap"])

    assert result.exit_code == 0, result.output
    assert result.output.startswith("PROGRESS NOTE")
    # tiny.en may hear "Plan." as ", plan,": assert what does not depend on that.
    assert re.search(r"SUBJECTIVE:\n\S.*for 2 days", result.output), result.output
    assert "ibuprofen" in result.output.lower()


def test_cli_report_bad_input_is_one_clear_line(tmp_path):
    from assistant.cli import main

    binary = tmp_path / "scan.txt"
    binary.write_bytes(b"\xff\xfe\x00 not text")
    note = tmp_path / "note.txt"
    note.write_text("Plan: rest.")
    (tmp_path / "note.json").write_text("{not json")

    for path in (binary, note):
        result = CliRunner().invoke(main, ["report", str(path)])
        assert result.exit_code == 1
        assert result.output.startswith("Error: Cannot read") and "Traceback" not in result.output
