"""Build the generated lexicon lists in vocab/generated/ from permissively licensed packages.

Reproducible: the same package versions give byte-identical files (sorted, de-duplicated, no
timestamps). The curated lists in vocab/core/ and vocab/specialties/ are edited by hand and
are not touched here.

Usage:
    python scripts/build_vocab.py [OUT_DIR]      # default: vocab/generated

Sources (see vocab/README.md for licences):
    simple-icd-10-cm   ICD-10-CM April 2026 descriptions and inclusion terms (CMS, public domain)
    drg                ICD-10-PCS descriptions (CMS, public domain; via The Tuva Project CSV)
    drug-named-entity-recognition  drug names and brand variants (MIT; DrugBank open data CC0,
                       MedlinePlus ids)
"""

from __future__ import annotations

import bz2
import csv
import pickle
import re
import sys
from collections.abc import Iterable
from importlib import metadata, resources
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "vocab" / "generated"

# ICD codes deeper than this many characters (without the dot) are mostly laterality, encounter
# and 7th-character variants of a shorter description: they add length, not vocabulary.
_MAX_ICD_CODE_LEN = 5
_WORDLIKE = re.compile(r"[a-z][a-z\-]+( [a-z][a-z\-]+)?")


def _clean(text: str) -> str:
    """One line, single spaces, and no characters that the list format gives a meaning to."""
    text = re.sub(r"\s+", " ", text.replace("|", "/").replace("#", "no.")).strip()
    return text


def icd10cm_terms() -> list[str]:
    import simple_icd_10_cm as cm

    terms: set[str] = set()
    for code in cm.get_all_codes(with_dots=False):
        if cm.is_chapter_or_block(code) or len(code) > _MAX_ICD_CODE_LEN:
            continue
        terms.add(_clean(cm.get_description(code)))
        terms.update(_clean(t) for t in cm.get_inclusion_term(code))
    return sorted(t for t in terms if t)


def icd10pcs_terms() -> list[str]:
    # The full PCS descriptions multiply devices and approaches; the part before the first
    # comma and before " with " names the operation on the body part, which is what is dictated.
    path = resources.files("drg") / "data" / "tuva" / "icd_10_pcs.csv"
    terms: set[str] = set()
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.reader(f):
            if len(row) < 2:
                continue
            head = row[1].split(",")[0].split(" with ")[0]
            terms.add(_clean(head))
    return sorted(t for t in terms if t)


def _drug_dictionary() -> dict:
    path = resources.files("drug_named_entity_recognition") / "drug_ner_dictionary.pkl.bz2"
    with path.open("rb") as raw, bz2.open(raw, "rb") as f:
        return pickle.load(f)  # noqa: S301 - the package's own bundled data file


def drug_lists() -> tuple[list[str], list[str]]:
    """Generic names of the drugs MedlinePlus describes, and their brand-like variants."""
    from rapidfuzz import fuzz

    data = _drug_dictionary()
    canonical = data["drug_canonical_to_data"]
    common = {name for name, info in canonical.items() if "medline_plus_id" in info}
    generics = sorted(_clean(name) for name in common)
    brands: set[str] = set()
    for variant, targets in data["drug_variant_to_canonical"].items():
        if len(targets) != 1 or targets[0] not in common or not _WORDLIKE.fullmatch(variant):
            continue
        generic = targets[0]
        # Foreign and salt spellings ("atenololum", "codeine phosphate") look like the generic;
        # a brand does not.
        if generic in variant or fuzz.ratio(variant, generic) >= 70:
            continue
        brands.add(f"{variant.title()}  # {_clean(generic)}")
    return generics, sorted(brands)


def _write(path: Path, header: Iterable[str], lines: Iterable[str]) -> None:
    body = [f"# {h}" for h in header] + list(lines)
    path.write_text("\n".join(body) + "\n", encoding="utf-8")


def _version(dist: str) -> str:
    return metadata.version(dist)


def build(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    generics, brands = drug_lists()
    outputs = {
        "diagnoses_icd10cm.txt": (
            [
                "ICD-10-CM April 2026 descriptions and inclusion terms (codes up to 5 characters).",
                f"Source: simple-icd-10-cm {_version('simple_icd_10_cm')}; CMS, public domain.",
            ],
            icd10cm_terms(),
        ),
        "procedures_icd10pcs.txt": (
            [
                "ICD-10-PCS operation + body part (description up to the first comma / 'with').",
                f"Source: drg {_version('drg')} (Tuva Project CSV); CMS, public domain.",
            ],
            icd10pcs_terms(),
        ),
        "drugs_generic.txt": (
            [
                "Generic drug names that MedlinePlus describes.",
                "Source: drug-named-entity-recognition "
                f"{_version('drug-named-entity-recognition')} (MIT).",
            ],
            generics,
        ),
        "drugs_brand.txt": (
            [
                "Brand and other names of those drugs; the generic follows '#'.",
                "Source: drug-named-entity-recognition "
                f"{_version('drug-named-entity-recognition')} (MIT).",
            ],
            brands,
        ),
    }
    written = []
    for name, (header, lines) in outputs.items():
        path = out_dir / name
        _write(path, ["Generated by scripts/build_vocab.py; do not edit.", *header], lines)
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    out_dir = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    for path in build(out_dir):
        count = sum(1 for line in path.open(encoding="utf-8") if not line.startswith("#"))
        print(f"{path}: {count} terms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
