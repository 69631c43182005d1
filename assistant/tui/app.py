"""The workstation app: composes the screens and routes their messages; nothing more.

app = make_app(settings, transcriber, store, username="tina")
app.run()
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from textual import events
from textual.app import App
from textual.binding import Binding

from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.store import Store
from assistant.tui.engines import CodingEngine
from assistant.tui.messages import OpenChart, OpenDocument, OpenItem, SignedIn
from assistant.tui.screens.signin import SignInScreen
from assistant.tui.workspace import Workspace

MAX_DICTATION_SECONDS = 30 * 60  # a forgotten dictate key does not record all night


class WorkstationApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "Assistant"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("ctrl+l", "lock", "Lock", show=False),
        Binding("f1", "show_help_panel", "All keys"),
    ]

    def __init__(
        self,
        settings: Settings,
        transcriber: Any,
        store: Store,
        username: str | None = None,
        microphone: Callable[[], Any] | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self._transcriber = transcriber
        # Opens the dictate key's audio source; tests replay a file instead of a microphone.
        self.microphone: Callable[[], Any] = microphone or self._open_microphone
        self.workspace = Workspace(settings, store)
        self.coding = CodingEngine()
        self.username = username
        self.locked = False
        self.last_activity = time.monotonic()

    @property
    def transcriber(self) -> Any:
        """The model, loaded on first use when the shell passed a factory (keeps start-up fast)."""
        if callable(self._transcriber) and not hasattr(self._transcriber, "transcribe"):
            self._transcriber = self._transcriber()
        return self._transcriber

    def _open_microphone(self) -> Any:
        """The default input device; raises DictationError when there is none."""
        from assistant.live_audio import MicrophoneSource

        def tell(text: str) -> None:  # called from the recording worker thread
            self.call_from_thread(self.notify, text, severity="warning")

        return MicrophoneSource(max_seconds=MAX_DICTATION_SECONDS, on_message=tell)

    def on_mount(self) -> None:
        if self.settings.tui.keys:
            self.set_keymap(dict(self.settings.tui.keys))
        self.push_screen(SignInScreen(self.username))
        idle = max(1, self.settings.tui.idle_lock_seconds)
        self.set_interval(max(0.25, min(5.0, idle / 4)), self._check_idle)
        self.set_interval(2.0, self._check_store)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown)):
            self.last_activity = time.monotonic()
        await super().on_event(event)

    # -- routing -----------------------------------------------------------------------------

    def on_signed_in(self, message: SignedIn) -> None:
        from assistant.tui.screens.worklist import WorklistScreen

        self.sub_title = f"{message.user.username} ({message.user.role})"
        self.last_activity = time.monotonic()
        self.switch_screen(WorklistScreen())

    def on_open_item(self, message: OpenItem) -> None:
        if message.item.kind == "assign" and self.workspace.can("assign_work"):
            from assistant.tui.screens.assign import AssignScreen

            self.push_screen(AssignScreen(message.item))
            return
        self._open_editor(lambda: self.workspace.open_item(message.item))

    def on_open_document(self, message: OpenDocument) -> None:
        from assistant.tui.screens.document import DocumentScreen

        if message.read_only:
            self.push_screen(DocumentScreen(message.document_id, message.version))
            return
        self._open_editor(lambda: self.workspace.open_document(message.document_id))

    def _open_editor(self, open_work: Callable[[], Any]) -> None:
        """Open the work in the editor; a record that cannot be opened is a notice, not a crash."""
        from assistant.tui.screens.editor import EditorScreen

        try:
            opened = open_work()
        except AssistantError as e:
            self.notify(str(e), severity="error")
            return
        self.push_screen(EditorScreen(opened))

    def on_open_chart(self, message: OpenChart) -> None:
        from assistant.tui.screens.chart import ChartScreen

        self.push_screen(ChartScreen(message.patient_id))

    # -- locking and refresh -----------------------------------------------------------------

    def action_lock(self) -> None:
        from assistant.tui.screens.lock import LockScreen

        if self.workspace.user is None or self.locked:
            return
        self.locked = True
        self.push_screen(LockScreen(self.workspace.user.username), self._unlocked)

    def _unlocked(self, _result: Any) -> None:
        self.locked = False
        self.last_activity = time.monotonic()

    def _check_idle(self) -> None:
        idle = time.monotonic() - self.last_activity
        if idle >= self.settings.tui.idle_lock_seconds:
            self.action_lock()

    def _check_store(self) -> None:
        """New batch results (another connection's commits) refresh the worklist."""
        from assistant.tui.screens.worklist import WorklistScreen

        if self.workspace.user is None or self.locked:
            return
        if self.workspace.changed() and isinstance(self.screen, WorklistScreen):
            self.screen.refresh_items()

    def on_unmount(self) -> None:
        self.coding.close()


def make_app(
    settings: Settings,
    transcriber: Any,
    store: Store,
    username: str | None = None,
    microphone: Callable[[], Any] | None = None,
) -> WorkstationApp:
    """Build the app; ``transcriber`` may be a model or a zero-argument factory for one, and
    ``microphone`` a zero-argument factory of the dictate key's AudioSource."""
    return WorkstationApp(settings, transcriber, store, username=username, microphone=microphone)
