"""Sign-in: nothing with PHI is shown before it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, Static

from assistant.errors import AssistantError
from assistant.tui.messages import SignedIn


class SignInScreen(Screen):
    BINDINGS = [("ctrl+q", "app.quit", "Quit")]

    def __init__(self, username: str | None = None) -> None:
        super().__init__()
        self.username = username or ""

    def compose(self) -> ComposeResult:
        with Vertical(id="signin-box"):
            yield Static("Medical dictation assistant", id="signin-title")
            yield Label("User")
            yield Input(self.username, placeholder="username", id="username")
            yield Label("Password")
            yield Input(password=True, placeholder="password", id="password")
            yield Static("", id="signin-error")
        yield Footer()

    def on_mount(self) -> None:
        target = "#password" if self.username else "#username"
        self.query_one(target, Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "username":
            self.query_one("#password", Input).focus()
            return
        username = self.query_one("#username", Input).value
        password = self.query_one("#password", Input)
        try:
            user = self.app.workspace.sign_in(username, password.value)
        except AssistantError as e:
            self.query_one("#signin-error", Static).update(str(e))
            password.value = ""
            return
        password.value = ""
        self.post_message(SignedIn(user))
