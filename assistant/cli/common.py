"""Options and helpers shared by the command modules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click


def transcription_options(f: Any) -> Any:
    """Options shared by transcribe, eval and demo; they override the settings file."""
    options = [
        click.option(
            "--model", help="CTranslate2 Whisper model folder (default: bundled tiny.en)."
        ),
        click.option("--beam-size", type=click.IntRange(1, 20), help="Beam size (default 5)."),
        click.option("--threads", type=click.IntRange(0, 256), help="CPU threads (0 = all)."),
        click.option("--compute-type", help="CTranslate2 compute type (default int8)."),
        click.option("--vad/--no-vad", default=None, help="Skip non-speech (default on)."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def make_transcriber(settings: Any, **overrides: Any) -> Any:
    from assistant.config import with_overrides
    from assistant.transcribe import WhisperTranscriber

    changes = {
        "model": overrides.get("model"),
        "beam_size": overrides.get("beam_size"),
        "cpu_threads": overrides.get("threads"),
        "compute_type": overrides.get("compute_type"),
        "vad": overrides.get("vad"),
    }
    settings = with_overrides(settings, transcription=changes)
    return WhisperTranscriber(settings.transcription)


def store_options(f: Any) -> Any:
    """--db and --user for every store command (defaults: settings file, $ASSISTANT_USER)."""
    f = click.option(
        "--user",
        "username",
        envvar="ASSISTANT_USER",
        help="Acting user (default: settings 'user'). Password: $ASSISTANT_PASSWORD or prompt.",
    )(f)
    return click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Record store (default: settings [store] db_path).",
    )(f)


def open_store(settings: Any, db_path: Path | None, *, create: bool = False) -> Any:
    from assistant.store import connect

    path = db_path or Path(settings.store.db_path)
    return connect(path, busy_timeout_ms=settings.store.busy_timeout_ms, create=create)


def prompt_password(prompt: str = "Password") -> str:
    import os

    return os.environ.get("ASSISTANT_PASSWORD") or click.prompt(prompt, hide_input=True)


def sign_in(settings: Any, o: dict[str, Any]) -> tuple[Any, Any, str]:
    """Open the store (o["db_path"]) and authenticate o["username"]: (store, user, password)."""
    from assistant.store import authenticate

    name = o.get("username") or settings.user
    if not name:
        raise click.UsageError("Say who is acting: --user NAME (or 'user' in the settings file).")
    store = open_store(settings, o.get("db_path"))
    password = prompt_password(f"Password for {name}")
    return store, authenticate(store, name, password), password


def to_json(value: Any) -> str:
    import dataclasses
    import json

    def plain(v: Any) -> Any:
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            return {k: plain(x) for k, x in dataclasses.asdict(v).items()}
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        if isinstance(v, (list, tuple, frozenset, set)):
            return [plain(x) for x in v]
        return v

    return json.dumps(plain(value), indent=2, default=str)


def text_arg(text: str | None, text_file: Path | None) -> str:
    if text_file is not None:
        return text_file.read_text(encoding="utf-8")
    if text is None:
        raise click.UsageError("Give the text with --text or --text-file.")
    return text


def code_index() -> Any:
    from assistant.coding import open_index

    return open_index()


def echo_edits(edits: list[Any]) -> None:
    """One line per coding edit (severity, kind, message), or "No edits." when it is clean."""
    for e in edits:
        click.echo(f"{e.severity.upper():<8}{e.kind:<15}{e.message}")
    if not edits:
        click.echo("No edits.")
