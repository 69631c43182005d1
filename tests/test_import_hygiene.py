"""The core never imports the UI, and `assistant --help` never loads the model stack."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _core_modules() -> list[str]:
    """Every module of the package but the two shells (cli, tui), found on disk."""
    import pkgutil

    import assistant

    names = [m.name for m in pkgutil.walk_packages(assistant.__path__, "assistant.")]
    shells = ("assistant.cli", "assistant.tui")
    return sorted(n for n in names if not n.startswith(shells))


CORE_MODULES = _core_modules()


def test_every_core_module_is_in_the_import_contract() -> None:
    """pyproject's import-linter contract names every core module (lint-imports checks it)."""
    import tomllib
    from pathlib import Path

    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    contract = tomllib.loads(pyproject.read_text())["tool"]["importlinter"]["contracts"][0]
    listed = set(contract["source_modules"])
    missing = [m for m in CORE_MODULES if not any(m == s or m.startswith(s + ".") for s in listed)]
    assert not missing, f"add to [tool.importlinter] source_modules: {missing}"


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys\n{statement}\nprint('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_does_not_import_ui(module: str) -> None:
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
