"""The lexicon, biasing within the token budget, and correction on text (no model decoding)."""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.config import VocabSettings
from assistant.errors import VocabError
from assistant.models import Provenance, Segment, Transcript, Word
from assistant.pipeline import cached_lexicon
from assistant.resources import default_model_path, vocab_dir
from assistant.vocab import Term, load_lexicon, parse_line, specialty_key
from assistant.vocab_bias import fit_terms, join_terms, leaked
from assistant.vocab_match import correct_transcript, real_word

ROOT = Path(__file__).resolve().parent.parent


@lru_cache(maxsize=1)
def _tokenizer():
    from tokenizers import Tokenizer

    return Tokenizer.from_file(str(default_model_path() / "tokenizer.json"))


def count_tokens(text: str) -> int:
    """The model's own token count, as WhisperTranscriber.tokenizer_count does it."""
    if not text.strip():
        return 0
    return len(_tokenizer().encode(" " + text.strip(), add_special_tokens=False).ids)


def transcript_of(*phrases: tuple[str, float]) -> Transcript:
    """One segment whose words are the given (text, probability) pairs, 0.4 s apart."""
    words = tuple(
        Word(f" {text}", round(i * 0.4, 2), round(i * 0.4 + 0.35, 2), prob)
        for i, (text, prob) in enumerate(phrases)
    )
    seg = Segment(0, 0.0, len(words) * 0.4, "".join(w.text for w in words), words)
    return Transcript((seg,), Provenance("0" * 64, len(words) * 0.4, "tiny.en", ""))


@pytest.fixture(scope="module")
def lexicon():
    return cached_lexicon()


# --- Lexicon -----------------------------------------------------------------------------------


def test_line_format_carries_spoken_forms_and_notes() -> None:
    term = parse_line("atrial fibrillation | a fib | afib", kind="diagnosis")
    assert term == Term("atrial fibrillation", "diagnosis", "core", ("a fib", "afib"))
    brand = parse_line("Lasix  # furosemide", kind="drug")
    assert (brand.text, brand.note) == ("Lasix", "furosemide")
    assert parse_line("# a comment") is None
    assert parse_line("   ") is None


def test_bundled_lexicon_has_every_kind_and_spoken_forms(lexicon) -> None:
    kinds = {t.kind for t in lexicon.terms}
    assert {"diagnosis", "drug", "procedure", "anatomy", "finding", "lab", "abbreviation"} <= kinds
    assert lexicon.lookup("a fib").text == "atrial fibrillation"
    assert lexicon.lookup("lasix").text == "Lasix"  # a brand stays a brand
    assert lexicon.lookup("hyperlipidemia") is not None
    assert len(lexicon) > 50_000  # ICD-10-CM/PCS and drug lists are in


def test_specialty_lists_follow_specialty_or_report_type(lexicon) -> None:
    assert specialty_key("General Surgery") == "general_surgery"
    lexicon = cached_lexicon()
    assert lexicon.specialty_terms("ENT") == lexicon.specialty_terms("otolaryngology")
    assert lexicon.specialty_terms("OB/GYN") == lexicon.specialty_terms("Obstetrics")
    assert lexicon.specialty_terms("ENT") != lexicon.specialty_terms(None)


def test_a_specialty_is_guessed_from_the_terms_a_dictation_uses(lexicon) -> None:
    copd = "Chronic obstructive pulmonary disease with wheezing, on albuterol and tiotropium."
    assert lexicon.guess_specialty(copd) == "pulmonology"
    # Terms every list shares ("hypertension") are no evidence; plain speech is none either.
    assert lexicon.guess_specialty("History of hypertension and hyperlipidemia.") is None
    assert lexicon.guess_specialty("We walked along the river after lunch.") is None
    assert "appendectomy" in lexicon.specialty_terms("general surgery")
    assert lexicon.specialty_terms(None, "radiology")[:1] == ["impression"]
    general = lexicon.specialty_terms(None)
    assert general and lexicon.specialty_terms("podiatry-not-listed") == general


def test_site_folder_adds_terms_and_specialties(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "specialties").mkdir(parents=True)
    (site / "drugs_local.txt").write_text("Zorbelimab | zorbel\n", encoding="utf-8")
    (site / "specialties" / "cardiology.txt").write_text("Zorbelimab\n", encoding="utf-8")
    lex = load_lexicon(VocabSettings(extra_dirs=(str(site),)))
    term = lex.lookup("zorbel")
    assert (term.text, term.kind, term.tier) == ("Zorbelimab", "drug", "site")
    assert lex.specialty_terms("cardiology")[0] == "Zorbelimab"  # the site's list comes first
    assert "apixaban" in lex.specialty_terms("cardiology")


def test_bad_site_folders_give_typed_errors(tmp_path: Path) -> None:
    with pytest.raises(VocabError, match="not found"):
        load_lexicon(VocabSettings(extra_dirs=(str(tmp_path / "missing"),)))
    (tmp_path / "findings.txt").write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(VocabError, match="findings.txt"):
        load_lexicon(VocabSettings(extra_dirs=(str(tmp_path),)))


def test_lexicon_build_is_reproducible(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("build_vocab", ROOT / "scripts/build_vocab.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = module.build(tmp_path)
    assert written
    for path in written:
        shipped = vocab_dir() / "generated" / path.name
        assert path.read_bytes() == shipped.read_bytes(), f"{path.name} differs from the build"


# --- Biasing -----------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    terms=st.lists(st.text(min_size=1, max_size=30), max_size=40),
    budget=st.integers(min_value=0, max_value=224),
)
def test_fit_terms_never_exceeds_the_budget(terms: list[str], budget: int) -> None:
    chosen = fit_terms(terms, budget, count_tokens)
    assert count_tokens(join_terms(chosen)) <= budget


def test_fit_terms_keeps_priority_order_and_fills_the_budget(lexicon) -> None:
    terms = lexicon.specialty_terms("cardiology")
    chosen = fit_terms(terms, 40, count_tokens)
    assert chosen == [t for t in terms if t in chosen]  # order kept
    assert chosen[0] == terms[0]
    assert 30 <= count_tokens(join_terms(chosen)) <= 40


def test_leak_check_tells_prompt_copies_from_speech() -> None:
    hot = ["apixaban", "furosemide", "metoprolol", "atrial fibrillation"]
    copied = Segment(0, 0, 3, " apixaban, furosemide, metoprolol, atrial fibrillation")
    speech = Segment(1, 3, 9, " She takes apixaban five milligrams twice daily for her rhythm.")
    assert leaked(copied, hot)
    assert not leaked(speech, hot)
    # One term over and over at the end of a dictation (seen with tiny.en) is a copy too.
    repeated = Segment(2, 9, 10, " apixaban, apixaban.")
    assert leaked(repeated, hot)
    twice_in_speech = Segment(3, 10, 16, " Apixaban was held, then apixaban restarted today.")
    assert not leaked(twice_in_speech, hot)


# --- Correction --------------------------------------------------------------------------------

# Mishearings produced by tiny.en on the project's samples (plain decoding).
KNOWN_MISHEARINGS = [
    ([("He", 0.9), ("received", 0.9), ("furosmide", 0.62)], "furosemide"),
    ([("and", 0.8), ("Neumapritonium", 0.34), ("was", 0.9)], "pneumoperitoneum"),
    ([("The", 0.8), ("mesopendics", 0.54), ("was", 0.9)], "mesoappendix"),
    ([("general", 0.4), ("end", 0.47), ("of", 0.42), ("tracheal", 0.5)], "endotracheal"),
    ([("with", 0.9), ("an", 0.8), ("appendicle.", 0.5)], "appendicolith"),
]


@pytest.mark.parametrize(("words", "term"), KNOWN_MISHEARINGS)
def test_known_mishearings_are_corrected_and_recorded(lexicon, words, term) -> None:
    before = transcript_of(*words)
    after = correct_transcript(before, lexicon.index)
    assert term in after.text.lower()
    (fix,) = after.corrections
    assert fix.replacement.lower() == term
    assert fix.original in before.text
    assert 0 < fix.score <= 1
    new_word = after.words[fix.word_index]
    assert term in new_word.text.lower()
    assert (new_word.start, new_word.end) == (fix.start, fix.end)
    assert len(before.words) - len(after.words) == fix.word_count - 1


def test_ordinary_english_is_left_alone_even_when_unsure(lexicon) -> None:
    sentence = (
        "We walked along the river after lunch and my sister said the weather was lovely "
        "so we stayed until the evening and then drove home through the quiet village"
    )
    words = [(w, 0.3 + 0.1 * (i % 5)) for i, w in enumerate(sentence.split())]
    before = transcript_of(*words)
    after = correct_transcript(before, lexicon.index)
    assert after.corrections == ()
    assert after.text == before.text


def test_confident_medical_words_and_negations_are_kept(lexicon) -> None:
    before = transcript_of(
        ("no", 0.3), ("st", 0.2), ("elevation", 0.4), ("appendicitis", 0.97), ("abscess", 0.42)
    )
    assert correct_transcript(before, lexicon.index).corrections == ()


def test_split_words_of_a_term_are_joined_when_unsure(lexicon) -> None:
    before = transcript_of(("She", 0.9), ("is", 0.9), ("a", 0.6), ("febrile.", 0.8))
    after = correct_transcript(before, lexicon.index)
    assert after.text.strip() == "She is afebrile."
    (fix,) = after.corrections
    assert (fix.original, fix.word_count) == ("a febrile.", 2)
    # Heard with confidence, the two words stay as the model wrote them.
    sure = transcript_of(("She", 0.9), ("is", 0.97), ("a", 0.98), ("febrile", 0.97))
    assert correct_transcript(sure, lexicon.index).corrections == ()


def test_a_following_dose_favours_a_drug_name(lexicon) -> None:
    heard = [("He", 0.9), ("had", 0.9), ("neurosmide", 0.7)]
    with_dose = transcript_of(*heard, ("40", 0.9), ("milligrams", 0.9))
    assert "furosemide" in correct_transcript(with_dose, lexicon.index).text
    # The same weak match with no dose after it is not strong enough on its own.
    without = transcript_of(*heard, ("yesterday", 0.9))
    assert correct_transcript(without, lexicon.index).corrections == ()


def test_an_ordinary_word_is_not_swapped_for_another(lexicon) -> None:
    before = transcript_of(("seen", 0.9), ("in", 0.9), ("consultation,", 0.5), ("today", 0.9))
    assert correct_transcript(before, lexicon.index).corrections == ()
    # An inflected English word is ordinary English too ("tripped" is not "trapped").
    fell = transcript_of(("She", 0.9), ("tripped", 0.5), ("and", 0.9), ("fell", 0.9))
    assert correct_transcript(fell, lexicon.index, phrases=lexicon.phrases).corrections == ()


# Words tiny.en misheard inside phrases on the project's samples (vocabulary-biased decoding):
# alone each is too far from its term to fix safely; the rest of the phrase makes it safe.
PHRASE_MISHEARINGS = [
    ([("pericysmal", 0.41), ("atrial", 0.9), ("fibrillation,", 0.95)], "paroxysmal"),
    ([("B-type", 0.8), ("naveraretic", 0.3), ("peptide", 0.9)], "natriuretic"),
    ([("and", 0.9), ("renal", 0.62), ("glands", 0.8), ("unremarkable", 0.9)], "adrenal"),
    ([("localized", 0.8), ("parytoidis", 0.3), ("without", 0.9)], "peritonitis"),
]


@pytest.mark.parametrize(("words", "term"), PHRASE_MISHEARINGS)
def test_a_known_phrase_around_a_misheard_word_fixes_it(lexicon, words, term) -> None:
    before = transcript_of(*words)
    assert correct_transcript(before, lexicon.index).corrections == ()  # the word alone: no
    after = correct_transcript(before, lexicon.index, phrases=lexicon.phrases)
    (fix,) = after.corrections
    assert fix.replacement == term
    assert fix.word_count == 1
    # Only that word changed; the anchor words are as heard.
    kept = [w.text for i, w in enumerate(after.words) if i != fix.word_index]
    assert kept == [w.text for w in before.words if w.text.strip() != fix.original]


def test_phrase_anchors_leave_right_and_ordinary_words_alone(lexicon) -> None:
    cases = [
        # already a known phrase, said unsurely
        [("paroxysmal", 0.5), ("atrial", 0.6), ("fibrillation", 0.6)],
        # a dropped word is not a mishearing ("heart rate" -> "heart")
        [("calm", 0.4), ("heart", 0.5), ("rate", 0.9)],
        # a negation is never rewritten
        [("denies", 0.3), ("chest", 0.5), ("pain", 0.9)],
        # function words are no anchor ("after induction" is not "after infection")
        [("procedure", 0.9), ("after", 0.9), ("induction", 0.5), ("of", 0.9)],
    ]
    for words in cases:
        before = transcript_of(*words)
        after = correct_transcript(before, lexicon.index, phrases=lexicon.phrases)
        assert after.corrections == (), words
    sentence = (
        "The kids played in the garden while their father painted the fence and the dog "
        "barked at the birds sitting on the old wall near the gate"
    )
    words = [(w, 0.3 + 0.1 * (i % 5)) for i, w in enumerate(sentence.split())]
    plain = transcript_of(*words)
    assert correct_transcript(plain, lexicon.index, phrases=lexicon.phrases).corrections == ()


# --- CLI ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["patient,", "Hypertension.", "apixaban", "62-year-old", "120/80", "3.5", "(COPD)", "x-ray"],
)
def test_words_numbers_and_terms_are_real_words(lexicon, text: str) -> None:
    assert real_word(text, lexicon.index)


@pytest.mark.parametrize("text", ["lipation,", "dimacitis", "mopation-old", "deuterol,"])
def test_garbles_of_a_biased_decode_are_not_real_words(lexicon, text: str) -> None:
    assert not real_word(text, lexicon.index)


def test_vocab_commands_show_lexicon_and_matches() -> None:
    from click.testing import CliRunner

    from assistant.cli import main

    runner = CliRunner()
    info = runner.invoke(main, ["vocab", "info", "--json"])
    assert info.exit_code == 0, info.output
    assert '"drug"' in info.output and "cardiology" in info.output
    match = runner.invoke(main, ["vocab", "match", "furosmide"])
    assert match.exit_code == 0, match.output
    assert match.output.startswith("furosmide: furosemide")


def test_vocab_command_reports_a_bad_site_folder(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from assistant.cli import main

    config = tmp_path / "config.toml"
    config.write_text(f'[vocab]\nextra_dirs = ["{tmp_path / "nope"}"]\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(config), "vocab", "info"])
    assert result.exit_code == 1
    assert "Lexicon folder not found" in result.output
