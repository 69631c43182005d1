"""One ICD-10 index per test session, shared by the coding test modules (the build is the slow
part: it runs once, on first use, and is then reused exactly as a user's cache would be)."""

from __future__ import annotations

from pathlib import Path

from assistant.coding import CodeIndex, open_index

_OPENED: dict[Path, CodeIndex] = {}


def session_index(folder: Path) -> CodeIndex:
    """The index in ``folder``, opened (and built, the first time) once per session."""
    if folder not in _OPENED:
        _OPENED[folder] = open_index(folder)
    return _OPENED[folder]
