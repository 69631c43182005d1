"""HIM's assign screen: a dictation filed without a patient is matched to its patient (search
by MRN, or name and/or birth date), and an unsigned document without a physician is given to
the physician who signs it. Every change goes through the store's audited calls."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, Static

from assistant.errors import AssistantError
from assistant.store import WorklistItem


class AssignScreen(Screen):
    BINDINGS = [
        ("escape", "close", "Back"),
        ("slash", "focus_query", "Search"),
        ("ctrl+l", "app.lock", "Lock"),
    ]

    def __init__(self, item: WorklistItem) -> None:
        super().__init__()
        self.item = item
        self.patients: list[Any] = []
        # A dictation without a patient needs one; a document (it has one) needs a physician.
        self.needs_patient = item.document_id is None and item.dictation_id is not None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="assign-info")
        if self.needs_patient:
            yield Label("Patient: MRN, or family name [given name] and/or birth date YYYY-MM-DD")
            yield Input(placeholder="MRN100231 | Whitaker Harold | 1949-03-14", id="patient-query")
            yield DataTable(id="patients", cursor_type="row")
        else:
            yield Label("Physician who signs (username); Enter assigns")
            yield Input(placeholder="drsmith", id="physician")
        yield Static("", id="assign-status")
        yield Footer()

    def on_mount(self) -> None:
        self.show_info()
        if self.needs_patient:
            table = self.query_one(DataTable)
            for key, label in (("mrn", "MRN"), ("name", "Name"), ("dob", "Born"), ("sex", "Sex")):
                table.add_column(label, key=key)
        self.query(Input).first().focus()

    def show_info(self) -> None:
        item = self.item
        if not self.needs_patient:
            line = f"{item.title}  |  patient {item.patient_name or '-'} ({item.mrn or '-'})"
            self.query_one("#assign-info", Static).update(Text(line))
            return
        try:
            d, text = self.app.workspace.dictation_to_assign(item.dictation_id)
        except AssistantError as e:
            self.status(str(e))
            return
        name = d.path.replace("\\", "/").rsplit("/", 1)[-1] if d.path else "-"
        lines = [
            f"Dictation {d.id}: {name}, {d.duration or 0:.0f} s, by {d.author or 'unknown'}, "
            f"{d.report_type or 'type unknown'}, filed {d.created_at}",
            f"Heard: {text[:300] or '(not transcribed yet)'}",
        ]
        self.query_one("#assign-info", Static).update(Text("\n".join(lines)))

    def status(self, text: str) -> None:
        self.query_one("#assign-status", Static).update(Text(text))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "physician":
            self.assign_physician(event.value)
            return
        try:
            self.patients = self.app.workspace.find_candidates(event.value)
        except AssistantError as e:
            self.status(str(e))
            return
        table = self.query_one(DataTable)
        table.clear()
        for p in self.patients:
            table.add_row(
                p.mrn,
                f"{p.family_name}, {p.given_name}",
                str(p.birth_date),
                p.sex or "-",
                key=str(p.id),
            )
        found = len(self.patients)
        self.status(
            f"{found} patients; Enter on one assigns the dictation"
            if found
            else "No patient matches; try the MRN or fewer letters of the name."
        )
        if found:
            table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        patient = self.patients[event.cursor_row]
        try:
            self.app.workspace.assign_patient(self.item.dictation_id, patient.id)
        except AssistantError as e:
            self.status(str(e))
            return
        self.notify(
            f"Dictation {self.item.dictation_id} assigned to "
            f"{patient.family_name}, {patient.given_name} ({patient.mrn})."
        )
        self.dismiss()

    def assign_physician(self, username: str) -> None:
        if not username.strip():
            self.status("Type the physician's username.")
            return
        try:
            self.app.workspace.assign_physician(self.item.document_id, username)
        except AssistantError as e:
            self.status(str(e))
            return
        self.notify(f"Document {self.item.document_id} assigned to {username.strip()}.")
        self.dismiss()

    def action_focus_query(self) -> None:
        self.query(Input).first().focus()

    def action_close(self) -> None:
        self.dismiss()
