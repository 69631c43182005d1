"""Full-text search with filters (type:, status:, mrn:, from:, to:) and highlighted snippets."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from assistant.errors import AssistantError
from assistant.tui.messages import OpenChart, OpenDocument


def snippet_text(snippet: str) -> Text:
    """The store marks hits with \\x01...\\x02; show them bold."""
    out = Text()
    for n, part in enumerate(snippet.replace("\x02", "\x01").split("\x01")):
        out.append(part.replace("\n", " "), style="bold reverse" if n % 2 else "")
    return out


class SearchScreen(Screen):
    BINDINGS = [
        ("escape", "close", "Back"),
        ("slash", "focus_query", "Query"),
        ("c", "chart", "Chart"),
        ("ctrl+l", "app.lock", "Lock"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.hits: list[Any] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder='words, "a phrase", type:soap status:final mrn:X', id="query")
        yield DataTable(id="hits", cursor_type="row")
        yield Static("", id="search-status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, label in (("patient", "Patient"), ("doc", "Document"), ("status", "Status")):
            table.add_column(label, key=key)
        table.add_column("Snippet", key="snippet")
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            result = self.app.workspace.search(event.value)
        except AssistantError as e:
            self.query_one("#search-status", Static).update(Text(str(e)))
            return
        self.hits = list(result.hits)
        table = self.query_one(DataTable)
        table.clear()
        for h in self.hits:
            table.add_row(
                f"{h.patient_name} ({h.mrn})",
                f"{h.report_type} {h.document_id}",
                h.status,
                snippet_text(h.snippet),
                key=str(h.document_id),
            )
        self.query_one("#search-status", Static).update(
            Text(f"{len(self.hits)} hits, ordered by {result.ordered_by}")
        )
        if self.hits:
            table.focus()

    def _hit(self) -> Any:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return self.hits[table.cursor_row]

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        hit = self._hit()
        if hit is not None:
            self.post_message(OpenDocument(hit.document_id))

    def action_chart(self) -> None:
        hit = self._hit()
        if hit is not None:
            self.post_message(OpenChart(hit.patient_id))

    def action_focus_query(self) -> None:
        self.query_one(Input).focus()

    def action_close(self) -> None:
        self.dismiss()
