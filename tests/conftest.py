"""Shared fixtures: every data folder and database points at tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "audio"


@pytest.fixture(autouse=True)
def _isolated_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's own settings file."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.delenv("ASSISTANT_CONFIG", raising=False)


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def transcriber():
    """The real bundled tiny.en model, loaded once per test session (about half a second)."""
    from assistant.transcribe import WhisperTranscriber

    return WhisperTranscriber()


SPOKEN_TEXT = (
    "The patient is a sixty two year old man with chest pain radiating to the left arm. "
    "He has a history of hypertension and diabetes."
)


@pytest.fixture(scope="session")
def spoken_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About seven seconds of espeak-ng speech (SPOKEN_TEXT) as a 22 kHz WAV."""
    import shutil
    import subprocess

    if shutil.which("espeak-ng") is None:
        pytest.fail("espeak-ng is missing: run scripts/system-deps.sh")
    path = tmp_path_factory.mktemp("spoken") / "spoken.wav"
    subprocess.run(["espeak-ng", "-w", str(path), SPOKEN_TEXT], check=True)
    return path
