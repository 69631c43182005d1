"""The lock screen: covers everything (no PHI) until the same user re-enters the password."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, Static


class LockScreen(Screen[None]):
    """A full screen, not a modal one: nothing of the screen below shows through."""

    BINDINGS = [("ctrl+q", "app.quit", "Quit")]

    def __init__(self, username: str) -> None:
        super().__init__()
        self.username = username

    def compose(self) -> ComposeResult:
        with Vertical(id="lock-box"):
            yield Static(f"Locked. Password for {self.username} to unlock:", id="lock-title")
            yield Input(password=True, id="unlock-password")
            yield Static("", id="lock-error")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        ok = self.app.workspace.check_password(event.value)
        event.input.value = ""
        if not ok:
            self.query_one("#lock-error", Static).update("Wrong password.")
            return
        self.dismiss(None)
