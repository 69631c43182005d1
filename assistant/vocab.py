"""The medical lexicon: plain-text term lists, loaded once and indexed by sound and spelling.

A lexicon folder holds ``*.txt`` lists, one term a line::

    # comment
    atrial fibrillation | a fib | afib      written form, then spoken forms
    Lasix  # furosemide                      text after "  #" is a note (a brand's generic...)

The file name says the kind of term (``drugs_brand.txt`` -> drug, ``findings.txt`` -> finding).
Bundled lists live in ``vocab/core/`` (curated, commonly dictated: they outrank the rest),
``vocab/generated/`` (built by scripts/build_vocab.py from ICD-10-CM/PCS and drug data) and
``vocab/specialties/`` (terms to bias decoding toward, per specialty). A site or user adds
terms by dropping ``*.txt`` files into a folder named in ``[vocab] extra_dirs``; those count as
curated ("site") terms.

Correction and biasing live in :mod:`assistant.vocab_match` and :mod:`assistant.vocab_bias`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from assistant.config import VocabSettings
from assistant.errors import VocabError
from assistant.resources import search_path, vocab_dir

log = logging.getLogger(__name__)

# File-name prefix -> kind of term.
KINDS = {
    "diagnoses": "diagnosis",
    "drugs": "drug",
    "procedures": "procedure",
    "anatomy": "anatomy",
    "findings": "finding",
    "labs": "lab",
    "abbreviations": "abbreviation",
}
TIERS = ("site", "core", "generated")

# Which specialty list a report type implies when no specialty is given.
REPORT_TYPE_SPECIALTY = {
    "radiology": "radiology",
    "emergency": "emergency_medicine",
    "operative_note": "general_surgery",
}
GENERAL_LIST = "general"  # the bias list used when no other applies

_NOTE = re.compile(r"\s+#\s?")


@dataclass(frozen=True)
class Term:
    """One lexicon entry: how it is written, what it is, and how it may be spoken."""

    text: str
    kind: str = "other"
    tier: str = "core"  # site | core | generated
    spoken: tuple[str, ...] = ()
    note: str = ""
    source: str = ""

    @property
    def anchor_only(self) -> bool:
        """Terms of ``*_phrases.txt`` lists anchor phrase correction only (``vocab_phrase``):
        their thousands of ordinary words ("rapid", "bases") would otherwise become targets
        that single-word correction rewrites other words toward."""
        return self.source.endswith("_phrases.txt")


def parse_line(line: str, kind: str = "other", tier: str = "core", source: str = "") -> Term | None:
    """One list line -> Term, or None for blank lines and comments."""
    if not line.strip() or line.lstrip().startswith("#"):
        return None
    parts = _NOTE.split(line.strip(), maxsplit=1)
    body = parts[0]
    note = parts[1].strip() if len(parts) > 1 else ""
    fields = [f.strip() for f in body.split("|")]
    if not fields[0]:
        return None
    spoken = tuple(f for f in fields[1:] if f)
    return Term(text=fields[0], kind=kind, tier=tier, spoken=spoken, note=note, source=source)


def kind_of(path: Path) -> str:
    return KINDS.get(path.stem.split("_")[0].lower(), "other")


def read_terms(path: Path, tier: str) -> list[Term]:
    """Read one list file; a file that is not UTF-8 text is a VocabError naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise VocabError(f"Lexicon file {path} is not UTF-8 text ({e.reason})") from e
    except OSError as e:
        raise VocabError(f"Cannot read lexicon file {path}: {e.strerror or e}") from e
    kind = kind_of(path)
    terms = (parse_line(line, kind, tier, path.name) for line in text.splitlines())
    return [t for t in terms if t is not None]


def _list_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.txt") if p.is_file())


@dataclass(frozen=True)
class _Folder:
    path: Path
    bundled: bool


class Lexicon:
    """All terms of the configured folders, plus the per-specialty bias lists."""

    def __init__(
        self, terms: Iterable[Term], specialties: dict[str, tuple[str, ...]] | None = None
    ):
        self.terms: tuple[Term, ...] = tuple(terms)
        self.specialties: dict[str, tuple[str, ...]] = dict(specialties or {})

    def __len__(self) -> int:
        return len(self.terms)

    def __repr__(self) -> str:
        return f"Lexicon({len(self.terms)} terms, {len(self.specialties)} specialties)"

    @cached_property
    def _by_form(self) -> dict[str, Term]:
        forms: dict[str, Term] = {}
        # Later tiers never override earlier ones: a site's spelling wins over a generated one.
        for term in sorted(self.terms, key=lambda t: TIERS.index(t.tier)):
            for form in (term.text, *term.spoken):
                forms.setdefault(form.lower(), term)
        return forms

    def lookup(self, text: str) -> Term | None:
        """The term written or spoken exactly as ``text`` (case-insensitive), if any."""
        return self._by_form.get(" ".join(text.lower().split()))

    def specialty_terms(self, specialty: str | None, report_type: str | None = None) -> list[str]:
        """The bias list for a specialty (or the one a report type implies), most useful first.

        Falls back to the general-medicine list when neither names a list.
        """
        return list(self.specialties.get(self.specialty_list(specialty, report_type), ()))

    def specialty_list(self, specialty: str | None, report_type: str | None = None) -> str:
        """The name of the bias list :meth:`specialty_terms` uses (``GENERAL_LIST`` if none)."""
        key = specialty_key(specialty) if specialty else None
        if key not in self.specialties and key in SPECIALTY_ALIASES:
            key = SPECIALTY_ALIASES[key]  # "ENT" -> otolaryngology, unless a site lists "ent"
        if key not in self.specialties and report_type:
            key = REPORT_TYPE_SPECIALTY.get(report_type)
        return key if key in self.specialties else GENERAL_LIST

    def guess_specialty(self, text: str, min_score: float = 1.0) -> str | None:
        """The specialty whose bias list ``text`` draws on most, or None.

        A term found in the text counts 1 divided by how many lists hold it ("hypertension" is
        in many, "sumatriptan" in one). The best list needs ``min_score`` and a clear lead.
        For dictations that come without a specialty.
        """
        words = f" {_spaced(text)} "
        holders: dict[str, list[str]] = {}
        for name, terms in self.specialties.items():
            if name == GENERAL_LIST:
                continue
            for term in terms:
                if f" {_spaced(term)} " in words:
                    holders.setdefault(_spaced(term), []).append(name)
        scores: dict[str, float] = {}
        for names in holders.values():
            for name in set(names):
                scores[name] = scores.get(name, 0.0) + 1 / len(set(names))
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        if not ranked or ranked[0][1] < min_score:
            return None
        if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < 0.5:
            return None  # about as much of one list as of another: no evidence for either
        return ranked[0][0]

    @cached_property
    def brand_names(self) -> tuple[str, ...]:
        """Drug brand names of the curated and site lists, written as their makers write them.

        The generated list is left out: some of its thousands of brand names are ordinary
        words ("Today", "Bright") that formatting must not capitalise.
        """
        brands = {
            t.text
            for t in self.terms
            if t.kind == "drug" and t.tier != "generated" and t.text[:1].isupper()
        }
        return tuple(sorted(brands))

    @cached_property
    def index(self):  # -> vocab_match.TermIndex (imported lazily: it pulls in rapidfuzz)
        from assistant.vocab_match import TermIndex

        return TermIndex.build(self.terms)

    @cached_property
    def phrases(self):  # -> vocab_phrase.PhraseIndex
        from assistant.vocab_phrase import PhraseIndex

        return PhraseIndex.build(self.terms)


# Other names a specialty goes by -> the key of its list.
SPECIALTY_ALIASES = {
    "ent": "otolaryngology",
    "ear_nose_and_throat": "otolaryngology",
    "ob_gyn": "obstetrics",
    "obgyn": "obstetrics",
    "obstetrics_and_gynecology": "obstetrics",
    "critical_care_medicine": "critical_care",
    "intensive_care": "critical_care",
    "physical_medicine_and_rehabilitation": "physical_medicine_rehabilitation",
    "pm_r": "physical_medicine_rehabilitation",
    "surgery": "general_surgery",
    "interventional_radiology": "radiology",
    "emergency": "emergency_medicine",
    "hospitalist": "hospital_medicine",
    "primary_care": "family_medicine",
}


def _spaced(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def specialty_key(name: str) -> str:
    """'General Surgery' -> 'general_surgery', the name of its list file."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def _folders(settings: VocabSettings, bundled: Path | None) -> list[_Folder]:
    root = bundled if bundled is not None else vocab_dir()
    configured = [Path(p).expanduser() for p in settings.extra_dirs]
    for folder in configured:
        if not folder.is_dir():
            raise VocabError(f"Lexicon folder not found: {folder} (set in [vocab] extra_dirs)")
    found = search_path(root, configured)
    return [_Folder(p, bundled=(p == root)) for p in found]


def load_lexicon(settings: VocabSettings | None = None, bundled: Path | None = None) -> Lexicon:
    """Load the bundled lists and every configured site folder."""
    settings = settings or VocabSettings()
    terms: list[Term] = []
    specialties: dict[str, tuple[str, ...]] = {}
    for folder in _folders(settings, bundled):
        if folder.bundled:
            tiered = [(folder.path / "core", "core"), (folder.path / "generated", "generated")]
            tiered.append((folder.path, "core"))
        else:
            tiered = [(folder.path, "site"), (folder.path / "core", "site")]
        for sub, tier in tiered:
            if sub.is_dir():
                for path in _list_files(sub):
                    terms.extend(read_terms(path, tier))
        spec_dir = folder.path / "specialties"
        if spec_dir.is_dir():
            for path in _list_files(spec_dir):
                listed_terms = read_terms(path, "site" if not folder.bundled else "core")
                terms.extend(listed_terms)  # a bias term is also a term to correct toward
                listed = tuple(t.text for t in listed_terms)
                # A site list for a specialty goes before the bundled one.
                specialties[path.stem] = tuple(
                    dict.fromkeys(specialties.get(path.stem, ()) + listed)
                )
    if not terms:
        raise VocabError("No lexicon terms found; is the vocab folder installed?")
    log.info("lexicon loaded: %d terms, %d specialty lists", len(terms), len(specialties))
    return Lexicon(terms, specialties)
