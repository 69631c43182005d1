"""A patient's chart: encounters, and the documents of each, oldest first."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from assistant.tui.messages import OpenDocument


class ChartScreen(Screen):
    BINDINGS = [("escape", "close", "Back"), ("ctrl+l", "app.lock", "Lock")]

    def __init__(self, patient_id: int) -> None:
        super().__init__()
        self.patient_id = patient_id

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="chart-patient")
        yield DataTable(id="chart", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        chart = self.app.workspace.chart(self.patient_id)
        p = chart.patient
        born = p.birth_date.isoformat() if p.birth_date else "?"
        self.query_one("#chart-patient", Static).update(
            f"{p.family_name}, {p.given_name}  MRN {p.mrn}  born {born}  {p.sex}"
        )
        table = self.query_one(DataTable)
        for label in ("Encounter", "Document", "Status", "Version", "Filed"):
            table.add_column(label)
        groups = [(e.id, f"{e.id} {e.encounter_type}") for e in chart.encounters]
        groups.append((None, "no encounter"))
        for enc_id, label in groups:
            for d in chart.documents_for(enc_id):
                kind = f"addendum to {d.parent_id}" if d.relation == "appends" else d.report_type
                table.add_row(
                    label,
                    f"{kind} {d.id}",
                    d.status,
                    str(d.current_version),
                    d.created_at[:16].replace("T", " "),
                    key=str(d.id),
                )
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.post_message(OpenDocument(int(event.row_key.value)))

    def action_close(self) -> None:
        self.dismiss()
