"""The file side of batch processing: finding audio, reading its metadata, moving it away.

Metadata comes from a JSON sidecar next to the audio (``NAME.json`` or ``NAME.wav.json``) and,
for what the sidecar does not say, from a configurable filename pattern: a regular expression
with named groups (``mrn``, ``report_type``, ``author``...) searched in the file's stem.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path

from assistant.audio import AUDIO_EXTENSIONS
from assistant.errors import BatchError
from assistant.models import DictationMeta

log = logging.getLogger(__name__)

# Dictation-recorder and phone formats are scanned too: FFmpeg reads some (AMR, 3GP, DSS) and
# the rest end in quarantine with a reason instead of being silently left behind.
SCAN_EXTENSIONS: frozenset[str] = AUDIO_EXTENSIONS | frozenset(
    {".dss", ".ds2", ".amr", ".3gp", ".aif", ".aiff", ".caf", ".au"}
)

META_FIELDS = tuple(f.name for f in fields(DictationMeta))
# Names other systems use for the same sidecar fields.
ALIASES = {
    "patient": "patient_name",
    "name": "patient_name",
    "dob": "birth_date",
    "date_of_birth": "birth_date",
    "encounter_id": "encounter",
    "visit": "encounter",
    "type": "report_type",
    "dictator": "author",
}


# --- Scanning ---------------------------------------------------------------------------------


def scan_folder(folder: Path, exclude: tuple[Path, ...] = ()) -> list[Path]:
    """Every audio file under ``folder`` (recursively, sorted), skipping hidden entries and the
    ``exclude`` folders (the done and quarantine folders may live inside the watched one)."""
    skip = {p.resolve() for p in exclude}
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        base = Path(root)
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and (base / d).resolve() not in skip
        )
        for name in sorted(files):
            if not name.startswith(".") and Path(name).suffix.lower() in SCAN_EXTENSIONS:
                found.append(base / name)
    return found


class StableFiles:
    """Watch mode: a file is handed out once its size and mtime stop changing for ``settle_s``
    (a recorder or a copy may still be writing it), and again only if its content changes.

    Dictation systems often write the audio first and its sidecar a moment later, so a file
    for which ``waits_for_sidecar(path)`` is true (no sidecar yet, or one not yet readable) is
    held up to ``sidecar_wait_s`` more before it goes ahead without one. A sidecar appearing or
    changing restarts the settle time, so a half-written sidecar is not read either.
    """

    def __init__(
        self,
        folder: Path,
        exclude: tuple[Path, ...] = (),
        settle_s: float = 2.0,
        sidecar_wait_s: float = 0.0,
        waits_for_sidecar: Callable[[Path], bool] | None = None,
    ):
        self.folder = folder
        self.exclude = exclude
        self.settle_s = settle_s
        self.sidecar_wait_s = sidecar_wait_s
        self.waits_for_sidecar = waits_for_sidecar or (lambda p: sidecar_path(p) is None)
        self._seen: dict[Path, tuple[tuple[int, ...], float]] = {}
        self._handed: dict[Path, tuple[int, int]] = {}

    def ready(self) -> list[Path]:
        now = time.monotonic()
        present = scan_folder(self.folder, self.exclude)
        for gone in set(self._seen) - set(present):  # moved away or deleted: forget it
            self._seen.pop(gone, None)
            self._handed.pop(gone, None)
        return [path for path in present if self._is_ready(path, now)]

    def _is_ready(self, path: Path, now: float) -> bool:
        sig = _signature(path)
        if sig is None:
            return False  # removed between the scan and the stat
        previous = self._seen.get(path)
        if previous is None or previous[0] != sig:
            self._seen[path] = (sig, now)
            return False
        audio_sig = (sig[0], sig[1])
        quiet = now - previous[1]
        if quiet < self.settle_s or self._handed.get(path) == audio_sig:
            return False
        if quiet < self.settle_s + self.sidecar_wait_s and self.waits_for_sidecar(path):
            return False
        self._handed[path] = audio_sig  # a sidecar added later does not hand the audio again
        return True


def _signature(audio: Path) -> tuple[int, ...] | None:
    """Size and mtime of the audio, then of its sidecar if it has one."""
    try:
        st = audio.stat()
    except OSError:
        return None
    sig: tuple[int, ...] = (st.st_size, st.st_mtime_ns)
    sidecar = sidecar_path(audio)
    if sidecar is not None:
        try:
            side = sidecar.stat()
            sig += (side.st_size, side.st_mtime_ns)
        except OSError:
            pass  # removed since sidecar_path saw it: the audio alone decides
    return sig


class NotARegularFile(OSError):
    """A FIFO, socket, device or directory where an audio file was expected."""


def regular_file_sha256(path: Path) -> str:
    """SHA-256 of a regular file's bytes; OSError (NotARegularFile included) if unreadable.

    The file is opened non-blocking and checked with fstat before any read: a FIFO named
    ``x.wav`` would otherwise block the batch forever, and checking on the open descriptor
    leaves no window for the path to be swapped between the check and the read.
    """
    import stat

    from assistant.audio import stream_sha256

    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
        raise NotARegularFile(errno.EINVAL, f"{kind}, not an audio file")
    with os.fdopen(fd, "rb") as f:
        return stream_sha256(f)


# --- Metadata ---------------------------------------------------------------------------------


def compile_pattern(pattern: str | None) -> re.Pattern[str] | None:
    if not pattern:
        return None
    try:
        compiled = re.compile(pattern)
    except re.error as e:
        raise BatchError(f"The filename pattern {pattern!r} is not a valid regex: {e}") from e
    unknown = set(compiled.groupindex) - set(META_FIELDS) - set(ALIASES)
    if unknown:
        raise BatchError(
            f"The filename pattern names unknown fields {sorted(unknown)};"
            f" use {', '.join(META_FIELDS)}."
        )
    return compiled


def sidecar_path(audio: Path) -> Path | None:
    for candidate in (audio.with_name(audio.name + ".json"), audio.with_suffix(".json")):
        if candidate.is_file():
            return candidate
    return None


def read_metadata(
    audio: Path, pattern: re.Pattern[str] | None = None
) -> tuple[DictationMeta, str | None]:
    """The dictation's metadata, and a note when a sidecar could not be used.

    A sidecar that is not valid JSON is not fatal: the file is still processed (with what the
    filename says, perhaps nothing), and filed as unassigned if that is not enough.
    """
    values: dict[str, str] = {}
    note = None
    sidecar = sidecar_path(audio)
    if sidecar is not None:
        try:
            values = _sidecar_values(sidecar)
        except (OSError, ValueError) as e:  # JSONDecodeError and UnicodeDecodeError included
            note = f"sidecar {sidecar.name} ignored: {e}"
            log.warning("sidecar for %s ignored: %s", audio.suffix, type(e).__name__)
    if pattern is not None and (m := pattern.search(audio.stem)):
        for key, value in _known(m.groupdict()).items():
            values.setdefault(key, value)
    return DictationMeta(**values), note


def lacks_mrn(audio: Path, pattern: re.Pattern[str] | None = None) -> bool:
    """True when neither a readable sidecar nor the filename gives an MRN (watch mode then
    waits a little for a sidecar that may still be on its way). Logs nothing."""
    m = pattern.search(audio.stem) if pattern is not None else None
    if m is not None and _known(m.groupdict()).get("mrn"):
        return False
    sidecar = sidecar_path(audio)
    try:
        return sidecar is None or not _sidecar_values(sidecar).get("mrn")
    except (OSError, ValueError):
        return True


def _sidecar_values(sidecar: Path) -> dict[str, str]:
    data = json.loads(sidecar.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return _known(data)


def _known(data: dict[str, object]) -> dict[str, str]:
    out: dict[str, str] = {}
    # Exact field names first: an alias ("name") never overrides the field it stands for
    # ("patient_name") when a sidecar has both.
    for key, value in sorted(data.items(), key=lambda kv: kv[0] not in META_FIELDS):
        name = ALIASES.get(key, key)
        if name in META_FIELDS and value is not None and str(value).strip():
            out.setdefault(name, str(value).strip())
    return out


# --- Moving -----------------------------------------------------------------------------------


def move_away(audio: Path, folder: Path, dest_root: Path) -> Path:
    """Move ``audio`` (and its sidecar) under ``dest_root``, keeping its sub-folder; a name
    already taken there gets a numbered suffix. Returns the audio's new path."""
    try:
        relative = audio.resolve().relative_to(folder.resolve())
    except ValueError:
        relative = Path(audio.name)
    dest = _free_name(dest_root / relative)
    dest.parent.mkdir(parents=True, exist_ok=True)
    sidecar = sidecar_path(audio)
    _move(audio, dest)
    if sidecar is not None:
        long_form = sidecar.name == audio.name + ".json"
        side_dest = dest.with_name(dest.name + ".json") if long_form else dest.with_suffix(".json")
        _move(sidecar, _free_name(side_dest))
    return dest


def _free_name(path: Path) -> Path:
    n = 1
    candidate = path
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}.{n}{path.suffix}")
        n += 1
    return candidate


def _move(src: Path, dest: Path) -> None:
    """Rename when possible; across file systems copy to a temporary name, rename, then delete
    the source, so an interrupted move never leaves a half file under the final name."""
    try:
        os.rename(src, dest)
    except OSError:
        tmp = dest.with_name(dest.name + ".part")
        shutil.copy2(src, tmp)
        os.replace(tmp, dest)
        src.unlink()
