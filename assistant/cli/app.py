"""The `assistant` click group; each area's commands live in a module of this package."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import click

from assistant import __version__
from assistant.errors import AssistantError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class AssistantGroup(click.Group):
    """Turns every AssistantError into one clear line on stderr and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AssistantError as e:
            raise click.ClickException(str(e)) from e


@click.group(cls=AssistantGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", prog_name="assistant")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Settings file (TOML). Default: $ASSISTANT_CONFIG or ~/.config/assistant/config.toml.",
)
@click.option("-v", "--verbose", is_flag=True, help="Log progress to stderr.")
@click.pass_context
def main(ctx: click.Context, config_path: Path | None, verbose: bool) -> None:
    """Local medical dictation and records assistant.

    \b
    Examples:
      assistant transcribe samples/audio/*.flac
      assistant eval samples/audio
      assistant --help
    """
    from assistant.config import load_settings

    logging.basicConfig(
        stream=sys.stderr,
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    ctx.obj = load_settings(config_path)
