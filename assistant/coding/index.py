"""ICD-10-CM and ICD-10-PCS look-up from a SQLite FTS5 cache built once from offline data.

Sources (no network): the ICD-10-CM April 2026 tabular XML and code list shipped in
``simple-icd-10-cm``'s data folder (CMS, public domain), and the ICD-10-PCS code titles shipped
in the ``drg`` package (``drg/data/tuva/icd_10_pcs.csv``, Tuva Project copy of the CMS order file).
The cache file name carries a hash of those files and our schema version, so a new data release or
a schema change builds a new file and an unchanged one is opened in milliseconds.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import logging
import os
import re
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from assistant.errors import CodingError

log = logging.getLogger(__name__)

SCHEMA_VERSION = 4
CM = "ICD-10-CM"
PCS = "ICD-10-PCS"
# The tabular's note kinds, as simple-icd-10-cm names them, in the order a coder reads them.
NOTE_KINDS = (
    "inclusion_terms",
    "includes",
    "excludes1",
    "excludes2",
    "code_first",
    "use_additional",
    "code_also",
    "notes",
    "seven_chr_note",
)


@dataclass(frozen=True)
class CodeInfo:
    """One classification entry with every note the tabular gives it (its own, not inherited)."""

    system: str
    code: str  # without the dot, as claims carry it (E1122)
    display_code: str  # as printed in the book (E11.22)
    description: str
    billable: bool
    parent: str | None = None
    notes: dict[str, list[str]] = field(default_factory=dict)
    seven_chr: dict[str, str] = field(default_factory=dict)  # inherited 7th characters


def cache_dir() -> Path:
    """``$ASSISTANT_CACHE_DIR``, else ``$XDG_CACHE_HOME/assistant`` (``~/.cache/assistant``)."""
    if env := os.environ.get("ASSISTANT_CACHE_DIR"):
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "assistant"


def _data_files() -> tuple[Path, Path, Path]:
    cm_dir = resources.files("simple_icd_10_cm") / "data"
    xml = next(Path(str(p)) for p in cm_dir.iterdir() if p.name.endswith(".xml"))
    codes = next(Path(str(p)) for p in cm_dir.iterdir() if p.name.startswith("code-list"))
    pcs = Path(str(resources.files("drg") / "data" / "tuva" / "icd_10_pcs.csv"))
    return xml, codes, pcs


def _key_files() -> tuple[Path, ...]:
    # The word stems of titles are cached too, so the rules that make them are part of the key.
    here = Path(__file__).resolve().parent
    return (*_data_files(), here / "terms.py", here / "lexicon.py")


def data_hash() -> str:
    """A short hash of the source data files and our schema version (the cache key)."""
    digest = hashlib.sha256(f"schema={SCHEMA_VERSION}".encode())
    for path in _key_files():
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _remembered_hash(folder: Path) -> str:
    """data_hash(), remembered in the cache folder against the files' sizes and times, so a
    routine open reads four stat() results instead of hashing 10 MB (~40 ms)."""
    stamp = hashlib.sha256(
        "|".join(
            f"{p}:{st.st_size}:{st.st_mtime_ns}" for p in _key_files() for st in [p.stat()]
        ).encode()
    ).hexdigest()
    memo = folder / "icd10-hashes.json"
    try:
        known = json.loads(memo.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    key = f"{SCHEMA_VERSION}:{stamp}"
    if key not in known:
        known = {key: data_hash()}
        with contextlib.suppress(OSError):  # a read-only cache folder only costs the hashing
            memo.write_text(json.dumps(known), encoding="utf-8")
    return known[key]


def dotted(code: str) -> str:
    """E1122 -> E11.22 for ICD-10-CM; PCS codes have no dot."""
    code = code.replace(".", "").upper()
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


def normalize(code: str) -> str:
    return code.replace(".", "").strip().upper()


_CODE_RE = re.compile(r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{0,4})?$|^[0-9A-HJ-NP-Z]{7}$", re.I)


class CodeIndex:
    """Look-up over the cached database. One instance belongs to one thread."""

    def __init__(self, path: Path, built: bool = False, build_seconds: float = 0.0) -> None:
        self.path = path
        self.built = built  # True when this open had to build the cache
        self.build_seconds = build_seconds
        self._conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        self._conn.row_factory = sqlite3.Row

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> CodeIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- look-up -------------------------------------------------------------------------------

    def get(self, code: str, system: str | None = None) -> CodeInfo | None:
        """The entry for a code (with or without the dot), or None when it does not exist."""
        sql = "SELECT * FROM codes WHERE code = ?" + (" AND system = ?" if system else "")
        args = (normalize(code), system) if system else (normalize(code),)
        row = self._conn.execute(sql + " ORDER BY system", args).fetchone()
        return _info(row) if row else None

    def require(self, code: str, system: str | None = None) -> CodeInfo:
        info = self.get(code, system)
        if info is None:
            raise CodingError(
                f"Unknown code '{code}': not in {system or 'ICD-10-CM or ICD-10-PCS'}"
            )
        return info

    def ancestors(self, code: str) -> list[CodeInfo]:
        """Parents from the nearest up to the category (their notes apply to the code too)."""
        found: list[CodeInfo] = []
        info = self.get(code)
        while info is not None and info.parent:
            info = self.get(info.parent, info.system)
            if info is not None:
                found.append(info)
        return found

    def children(self, code: str) -> list[CodeInfo]:
        rows = self._conn.execute(
            "SELECT * FROM codes WHERE parent = ? ORDER BY code", (normalize(code),)
        )
        return [_info(r) for r in rows]

    def prefix(self, prefix: str, limit: int = 50, billable_only: bool = False) -> list[CodeInfo]:
        """Codes starting with ``prefix`` (dot optional), shortest first."""
        sql = "SELECT * FROM codes WHERE code >= ? AND code < ?"
        if billable_only:
            sql += " AND billable = 1"
        p = normalize(prefix)
        rows = self._conn.execute(
            sql + " ORDER BY length(code), code LIMIT ?", (p, p + "\uffff", limit)
        )
        return [_info(r) for r in rows]

    def search(
        self,
        text: str,
        limit: int = 20,
        system: str | None = None,
        billable_only: bool = False,
    ) -> list[CodeInfo]:
        """Codes by words (stemmed; all words must match) or, for a code-like query, by prefix."""
        text = text.strip()
        if not text:
            return []
        if _CODE_RE.match(text) and any(ch.isdigit() for ch in text[:3]):
            found = self.prefix(text, limit, billable_only)
            if found:
                return [c for c in found if system in (None, c.system)]
        return [info for info, _ in self.search_scored(text, limit, system, billable_only)]

    def search_scored(
        self,
        text: str,
        limit: int = 20,
        system: str | None = None,
        billable_only: bool = False,
        any_word: bool = False,
    ) -> list[tuple[CodeInfo, float]]:
        """Full-text matches with their bm25 rank (lower is better)."""
        words = re.findall(r"[a-z0-9]+", text.lower())
        if not words:
            return []
        joiner = " OR " if any_word else " "
        query = joiner.join(f'"{w}"*' if len(w) > 3 else f'"{w}"' for w in words)
        sql = (
            "SELECT c.*, bm25(code_fts, 5.0, 2.0) AS rank FROM code_fts "
            "JOIN codes c ON c.rowid = code_fts.rowid WHERE code_fts MATCH ?"
        )
        args: list[object] = [query]
        if system:
            sql += " AND c.system = ?"
            args.append(system)
        if billable_only:
            sql += " AND c.billable = 1"
        sql += " ORDER BY rank + 0.02 * length(c.description) LIMIT ?"
        args.append(limit)
        try:
            rows = self._conn.execute(sql, args).fetchall()
        except sqlite3.OperationalError as e:
            raise CodingError(f"Cannot search codes for '{text}': {e}") from e
        return [(_info(r), float(r["rank"])) for r in rows]

    def count(self, system: str | None = None) -> int:
        sql = "SELECT count(*) FROM codes" + (" WHERE system = ?" if system else "")
        return self._conn.execute(sql, (system,) if system else ()).fetchone()[0]


def _info(row: sqlite3.Row) -> CodeInfo:
    return CodeInfo(
        system=row["system"],
        code=row["code"],
        display_code=row["display_code"],
        description=row["description"],
        billable=bool(row["billable"]),
        parent=row["parent"],
        notes=json.loads(row["notes"]),
        seven_chr=json.loads(row["seven_chr"]),
    )


def open_index(directory: str | Path | None = None) -> CodeIndex:
    """Open the cached index, building it first when this data and schema have no cache yet."""
    folder = Path(directory) if directory is not None else cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise CodingError(f"Cannot create the code index folder {folder}: {e}") from e
    path = folder / f"icd10-{_remembered_hash(folder)}.db"
    if path.exists():
        return CodeIndex(path)
    started = time.perf_counter()
    _build(path)
    seconds = time.perf_counter() - started
    log.info("built code index %s in %.1f s", path.name, seconds)
    return CodeIndex(path, built=True, build_seconds=seconds)


def _build(path: Path) -> None:
    # Build into a temporary name and rename, so a crash or a parallel build never leaves a
    # half-written file under the final name.
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    conn = sqlite3.connect(tmp)
    try:
        conn.executescript(
            """
            CREATE TABLE codes (
                rowid INTEGER PRIMARY KEY, system TEXT NOT NULL, code TEXT NOT NULL,
                display_code TEXT NOT NULL, description TEXT NOT NULL, billable INTEGER NOT NULL,
                parent TEXT, notes TEXT NOT NULL, seven_chr TEXT NOT NULL, terms TEXT NOT NULL);
            CREATE INDEX codes_code ON codes (code);
            CREATE INDEX codes_parent ON codes (parent);
            CREATE VIRTUAL TABLE code_fts USING fts5(
                description, terms, content='codes', content_rowid='rowid',
                tokenize='porter unicode61 remove_diacritics 2');
            """
        )
        with conn:
            conn.executemany(
                "INSERT INTO codes (system, code, display_code, description, billable, parent,"
                " notes, seven_chr, terms) VALUES (?,?,?,?,?,?,?,?,?)",
                _rows(),
            )
            conn.execute("INSERT INTO code_fts (code_fts) VALUES ('rebuild')")
            _build_terms(conn)
        conn.execute("VACUUM")
    except (sqlite3.Error, OSError) as e:
        conn.close()
        tmp.unlink(missing_ok=True)
        raise CodingError(f"Cannot build the code index at {path}: {e}") from e
    conn.close()
    os.replace(tmp, path)


def _build_terms(conn: sqlite3.Connection) -> None:
    from assistant.coding.terms import title_rows

    conn.execute(
        "CREATE TABLE terms (code TEXT NOT NULL, need TEXT NOT NULL, extra TEXT NOT NULL,"
        " billable INTEGER NOT NULL, is_default INTEGER NOT NULL, description TEXT NOT NULL)"
    )
    rows = conn.execute(
        "SELECT code, description, billable, notes FROM codes WHERE system = ?"
        " AND (length(code) < 7 OR billable = 0 OR seven_chr = '{}')",
        (CM,),
    ).fetchall()
    conn.executemany("INSERT INTO terms VALUES (?,?,?,?,?,?)", title_rows(rows))


def _rows() -> Iterator[tuple[object, ...]]:
    yield from _cm_rows()
    yield from _pcs_rows()


def _cm_rows() -> Iterator[tuple[object, ...]]:
    import simple_icd_10_cm as cm

    getters = {
        "inclusion_terms": cm.get_inclusion_term,
        "includes": cm.get_includes,
        "excludes1": cm.get_excludes1,
        "excludes2": cm.get_excludes2,
    }
    text_getters = {
        "code_first": cm.get_code_first,
        "use_additional": cm.get_use_additional_code,
        "code_also": cm.get_code_also,
        "notes": cm.get_notes,
        "seven_chr_note": cm.get_seven_chr_note,
    }
    for code in cm.get_all_codes(with_dots=True):
        if cm.is_chapter_or_block(code):
            continue
        notes: dict[str, list[str]] = {}
        for kind, get in getters.items():
            if values := get(code):
                notes[kind] = list(values)
        for kind, get in text_getters.items():
            if value := get(code):
                notes[kind] = [line for line in value.splitlines() if line.strip()]
        parent = cm.get_parent(code)
        parent = None if not parent or cm.is_chapter_or_block(parent) else normalize(parent)
        # 7th characters are kept on the codes that take one, not repeated on every extension.
        extension = len(code) == 8 and bool(cm.get_seven_chr_def(code, search_in_ancestors=True))
        seven = {} if extension or len(code) <= 3 else cm.get_seven_chr_def(code, True)
        terms = " ".join(notes.get("inclusion_terms", []))
        yield (
            CM,
            normalize(code),
            code,
            cm.get_description(code),
            int(cm.is_leaf(code)),
            parent,
            json.dumps(notes),
            json.dumps(seven),
            terms,
        )


def _pcs_rows() -> Iterator[tuple[object, ...]]:
    pcs_file = _data_files()[2]
    with pcs_file.open(newline="", encoding="utf-8") as f:
        for row in csv.reader(f):
            if len(row) >= 2 and len(row[0]) == 7:
                yield (PCS, row[0], row[0], row[1], 1, None, "{}", "{}", "")
