"""The real command in a real terminal: `assistant tui` in a detached tmux session (its own
server socket), driven by keys, read back with capture-pane."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tui_support import PASSWORDS

ASSISTANT = Path(sys.executable).with_name("assistant")


class Tmux:
    def __init__(self, socket: Path) -> None:
        self.base = ["tmux", "-S", str(socket)]

    def __call__(self, *args: str) -> str:
        done = subprocess.run([*self.base, *args], capture_output=True, text=True, timeout=20)
        return done.stdout

    def screen(self) -> str:
        return self("capture-pane", "-p", "-t", "tui")

    def wait_for(self, text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.screen()
            if text in shown:
                return shown
            time.sleep(0.3)
        raise AssertionError(f"{text!r} never appeared; the screen shows:\n{self.screen()}")


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is missing (scripts/system-deps.sh)")
def test_tui_in_tmux(store_path: Path, tmp_path: Path) -> None:
    tmux = Tmux(tmp_path / "tmux.sock")
    # COLUMNS/LINES from the calling shell would override the terminal's real size.
    command = f"env -u COLUMNS -u LINES {ASSISTANT} tui --db {store_path} --user tina"
    tmux("new-session", "-d", "-s", "tui", "-x", "120", "-y", "40", command)
    try:
        shown = tmux.wait_for("Password")
        assert "Whitaker" not in shown  # nothing with PHI before sign-in
        tmux("send-keys", "-t", "tui", "-l", PASSWORDS["tina"])
        tmux("send-keys", "-t", "tui", "Enter")
        shown = tmux.wait_for("Transcript of dictation 1 to review")
        assert "Whitaker, Harold (MRN100231)" in shown
        tmux("send-keys", "-t", "tui", "Enter")
        shown = tmux.wait_for("Dictation 1 | transcript | editing")
        assert "chest pain" in shown
        tmux.wait_for("cannot play: no audio output device")  # the audio bar says why
        tmux("send-keys", "-t", "tui", "Escape")
        tmux.wait_for("1 of 1 items for tina")
        tmux("send-keys", "-t", "tui", "C-q")
        deadline = time.monotonic() + 20
        while "tui" in tmux("list-sessions") and time.monotonic() < deadline:
            time.sleep(0.3)
        assert "tui" not in tmux("list-sessions")  # the app quit cleanly
    finally:
        tmux("kill-server")
