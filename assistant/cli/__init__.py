"""The `assistant` command line: a thin click shell over the core modules.

Each area's commands live in their own module and register on the one click group;
they import the core lazily so that ``assistant --help`` stays instant.
"""

from assistant.cli import (  # noqa: F401  (importing a module registers its commands)
    admin,
    batch,
    coding,
    dictate,
    drg,
    encounter,
    queries,
    records,
    reports,
    transcription,
    tui,
    vocab,
)
from assistant.cli.app import main

__all__ = ["main"]
