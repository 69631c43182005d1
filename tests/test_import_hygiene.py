"""The core never imports the UI, and `assistant --help` never loads the model stack."""

from __future__ import annotations

import subprocess
import sys

import pytest

CORE_MODULES = [
    "assistant.models",
    "assistant.errors",
    "assistant.config",
    "assistant.resources",
    "assistant.audio",
    "assistant.transcribe",
    "assistant.vocab",
    "assistant.vocab_match",
    "assistant.vocab_bias",
    "assistant.pipeline",
    "assistant.dictation",
    "assistant.reports",
    "assistant.coding",
    "assistant.store",
    "assistant.batch",
]


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys\n{statement}\nprint('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_does_not_import_ui(module: str) -> None:
    pytest.importorskip(module)
    loaded = _loaded_after(f"import {module}")
    assert not {"textual", "click", "assistant.tui", "assistant.cli"} & loaded


def test_help_does_not_import_faster_whisper() -> None:
    loaded = _loaded_after(
        "from click.testing import CliRunner\n"
        "from assistant.cli import main\n"
        "r = CliRunner().invoke(main, ['--help'])\n"
        "assert r.exit_code == 0, r.output"
    )
    assert "faster_whisper" not in loaded
    assert "ctranslate2" not in loaded
