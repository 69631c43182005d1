"""A document read-only, with its version history: pick a version to read it."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from assistant.tui.messages import OpenDocument


class DocumentScreen(Screen):
    BINDINGS = [
        ("escape", "close", "Back"),
        ("e", "edit", "Open in editor"),
        ("ctrl+l", "app.lock", "Lock"),
    ]

    def __init__(self, document_id: int, version: int | None = None) -> None:
        super().__init__()
        self.document_id = document_id
        self.version = version

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="doc-info")
        with Horizontal():
            yield OptionList(id="versions")
            yield TextArea("", read_only=True, id="document-text")
        yield Footer()

    def on_mount(self) -> None:
        ws = self.app.workspace
        self.versions = ws.versions(self.document_id)
        options = self.query_one(OptionList)
        for v in self.versions:
            who = ws.username(v.signed_by or v.created_by)
            signed = " signed" if v.signed_at else ""
            reason = f" - {v.reason}" if v.reason else ""
            label = f"v{v.version} {v.status}{signed} {who} {v.created_at[:16]}{reason}"
            options.add_option(Option(Text(label)))
        self.show_version(self.version or self.versions[-1].version)
        options.highlighted = (self.version or len(self.versions)) - 1
        options.focus()

    def show_version(self, version: int) -> None:
        opened = self.app.workspace.open_document(self.document_id, version, read_only=True)
        current = version == self.versions[-1].version
        self.query_one("#doc-info", Static).update(
            Text(
                f"{opened.patient_name} | {opened.title} | {opened.document.version.status}"
                f"{'' if current else ' (old version)'} | read-only"
            )
        )
        self.query_one("#document-text", TextArea).load_text(opened.text)
        self.version = version

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.show_version(self.versions[event.option_index].version)

    def action_edit(self) -> None:
        self.post_message(OpenDocument(self.document_id, None, read_only=False))

    def action_close(self) -> None:
        self.dismiss()
