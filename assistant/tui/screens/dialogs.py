"""Small modal forms: password re-entry, amendment reason, query question/answer, confirm."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    value: str = ""
    password: bool = False


class FormDialog(ModalScreen[dict[str, str] | None]):
    """Enter moves to the next field and submits on the last; Escape cancels."""

    BINDINGS = [("escape", "cancel", "Cancel")]

    def __init__(self, title: str, fields: list[Field], note: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.fields = fields
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.title_text), classes="dialog-title")
            if self.note:
                yield Static(Text(self.note), classes="dialog-note")
            for f in self.fields:
                yield Label(f.label)
                yield Input(f.value, password=f.password, id=f"field-{f.name}")
            yield Static("", classes="dialog-error")

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = list(self.query(Input))
        index = inputs.index(event.input)
        if index + 1 < len(inputs):
            inputs[index + 1].focus()
            return
        values = {f.name: self.query_one(f"#field-{f.name}", Input).value for f in self.fields}
        empty = [f.label for f in self.fields if not values[f.name].strip()]
        if empty:
            self.query_one(".dialog-error", Static).update(Text(f"Fill in: {', '.join(empty)}"))
            return
        self.dismiss(values)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmDialog(ModalScreen[bool]):
    """Enter confirms, Escape cancels."""

    BINDINGS = [("enter", "confirm", "Confirm"), ("escape", "cancel", "Cancel")]

    def __init__(self, title: str, lines: list[str]) -> None:
        super().__init__()
        self.title_text = title
        self.lines = lines

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.title_text), classes="dialog-title")
            yield Static(Text("\n".join(self.lines)), classes="dialog-note")
            yield Static("Enter: go ahead   Escape: back to the report", classes="dialog-keys")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
