"""The worklist: what waits for this user, sortable and filterable; Enter opens an item."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from assistant.tui.messages import OpenItem
from assistant.tui.workspace import Row

COLUMNS = (
    ("patient", "Patient"),
    ("kind", "Kind"),
    ("title", "Item"),
    ("author", "Author"),
    ("age", "Age"),
    ("tat", "TAT"),
)


def duration(hours: float) -> str:
    if hours < 1:
        return f"{hours * 60:.0f}m"
    if hours < 48:
        return f"{hours:.0f}h"
    return f"{hours / 24:.0f}d"


class WorklistScreen(Screen):
    BINDINGS = [
        ("enter", "open", "Open"),
        ("slash", "filter", "Filter"),
        ("s", "sort", "Sort"),
        ("S", "reverse", "Reverse"),
        ("r", "refresh", "Refresh"),
        ("f", "search", "Search"),
        ("c", "chart", "Chart"),
        ("ctrl+l", "app.lock", "Lock"),
        ("ctrl+q", "app.quit", "Quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Row] = []
        self.sort_index = 4  # by age
        self.sort_reverse = True

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="filter: words in patient, kind, item or author", id="filter")
        yield DataTable(id="worklist", cursor_type="row", zebra_stripes=True)
        yield Static("", id="worklist-status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        self.refresh_items()
        table.focus()

    def on_screen_resume(self) -> None:
        if self.is_mounted and self.app.workspace.user is not None:
            self.refresh_items()

    def refresh_items(self) -> None:
        self.rows = self.app.workspace.worklist()
        self.show_rows()

    def show_rows(self) -> None:
        table = self.query_one(DataTable)
        if not table.columns:  # a refresh that arrives before on_mount has built the table
            return
        words = self.query_one("#filter", Input).value.lower().split()
        rows = [r for r in self.rows if all(w in self._haystack(r) for w in words)]
        sort_key = COLUMNS[self.sort_index][0]
        rows.sort(key=lambda r: self._sort_value(r, sort_key), reverse=self.sort_reverse)
        table.clear()
        for r in rows:
            age, tat = duration(r.age_hours), duration(r.tat_hours)
            table.add_row(r.patient, r.kind, r.title, r.author, age, tat, key=r.key)
        user = self.app.workspace.user
        label = COLUMNS[self.sort_index][1]
        self.query_one("#worklist-status", Static).update(
            f"{len(rows)} of {len(self.rows)} items for {user.username} ({user.role})"
            f" - sorted by {label}{' (desc)' if self.sort_reverse else ''}"
        )

    @staticmethod
    def _haystack(r: Row) -> str:
        return f"{r.patient} {r.kind} {r.title} {r.author}".lower()

    @staticmethod
    def _sort_value(r: Row, key: str) -> object:
        if key in ("age", "tat"):
            return r.age_hours if key == "age" else r.tat_hours
        return str(getattr(r, key)).lower()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.show_rows()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one(DataTable).focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self._open(event.row_key.value)

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            self._open(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def _open(self, key: str | None) -> None:
        row = next((r for r in self.rows if r.key == key), None)
        if row is not None:
            self.post_message(OpenItem(row.item))

    def action_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_sort(self) -> None:
        """Sort by the next column (oldest first for age and TAT, A-Z for the others)."""
        self.sort_index = (self.sort_index + 1) % len(COLUMNS)
        self.sort_reverse = COLUMNS[self.sort_index][0] in ("age", "tat")
        self.show_rows()

    def action_reverse(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self.show_rows()

    def action_refresh(self) -> None:
        self.refresh_items()

    def action_search(self) -> None:
        from assistant.tui.screens.search import SearchScreen

        self.app.push_screen(SearchScreen())

    def action_chart(self) -> None:
        from assistant.tui.messages import OpenChart

        table = self.query_one(DataTable)
        if not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        row = next((r for r in self.rows if r.key == key), None)
        if row is not None and row.item.patient_id is not None:
            self.post_message(OpenChart(row.item.patient_id))
