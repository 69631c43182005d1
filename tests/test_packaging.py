"""The built wheel works on its own: a missing data file fails here, not on a user's machine.

The wheel is built from the working tree (``python -m build --wheel --no-isolation``, so no
network) and installed with pip into a fresh venv. Dependencies are not reinstalled: a ``.pth``
file puts this interpreter's site-packages *after* the new venv's own, so faster-whisper and the
bundled model are reused offline while ``assistant`` itself, its templates and its vocabulary can
only come from the wheel. (``.pth`` files inside that reused folder, such as our editable
install's, are not processed for a folder added this way.)
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = [pytest.mark.xdist_group("packaging"), pytest.mark.slow]


def _run(args: list[str | Path], cwd: Path, **kw) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, **kw
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the freshly built wheel installed; returns its bin folder."""
    work = tmp_path_factory.mktemp("packaging")
    dist = work / "dist"
    _run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", dist], ROOT)
    (wheel,) = dist.glob("*.whl")

    env_dir = work / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    bindir = env_dir / "bin"
    site = _run(
        [bindir / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        work,
    ).stdout.strip()
    deps = sysconfig.get_paths()["purelib"]
    (Path(site) / "_reuse_test_deps.pth").write_text(deps + "\n")

    pip = [sys.executable, "-m", "pip", "--python", bindir / "python", "install", "--quiet"]
    _run([*pip, "--no-deps", "--no-index", "--ignore-installed", wheel], work)
    return bindir


def test_package_and_data_come_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    code = (
        "import assistant, assistant.resources as r\n"
        "print(assistant.__file__); print(r.templates_dir()); print(r.vocab_dir())"
    )
    lines = _run([installed / "python", "-c", code], tmp_path).stdout.split()
    env_dir = installed.parent.resolve()
    package, templates, vocab = (Path(line).resolve() for line in lines)
    for path in (package, templates, vocab):
        assert path.is_relative_to(env_dir), f"{path} is not from the installed wheel"
    for name, installed_dir in (("templates/reports", templates), ("vocab", vocab)):
        source = {p.relative_to(ROOT / name) for p in (ROOT / name).rglob("*") if p.is_file()}
        shipped = {p.relative_to(installed_dir) for p in installed_dir.rglob("*") if p.is_file()}
        assert source and source <= shipped, f"missing from the wheel: {source - shipped}"


def test_installed_command_transcribes_a_sample(
    installed: Path, spoken_wav: Path, tmp_path: Path
) -> None:
    assistant = installed / "assistant"
    assert assistant.is_file()
    result = _run([assistant, "transcribe", "--beam-size", "1", spoken_wav], tmp_path, timeout=120)
    assert "chest pain" in result.stdout.lower()
    version = _run([assistant, "--version"], tmp_path).stdout
    assert "assistant" in version
