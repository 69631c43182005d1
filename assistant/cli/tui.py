"""`assistant` commands: tui."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from assistant.cli.app import main
from assistant.cli.common import open_store, store_options


@main.command("tui")
@store_options
@click.pass_obj
def tui_command(settings: Any, db_path: Path | None, username: str | None) -> None:
    """Open the workstation: worklist, editor with audio, coding, search and charts.

    Sign in with a user of the record store; the password is typed on the sign-in screen.
    The session locks after [tui] idle_lock_seconds; keys are remapped in [tui.keys].

    \b
    Examples:
      assistant tui --db demo/assistant.db --user tina
      assistant --config site.toml tui
    """
    from assistant.tui.app import make_app

    store = open_store(settings, db_path)

    def transcriber() -> Any:
        from assistant.transcribe import WhisperTranscriber

        return WhisperTranscriber(settings.transcription)

    try:
        make_app(settings, transcriber, store, username=username or settings.user).run()
    finally:
        store.close()
