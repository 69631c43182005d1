"""What the open report still lacks (missing sections, flags not reviewed, no code...)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static


class DeficiencyList(Static):
    found: list[Any] = []

    def show_deficiencies(self, found: list[Any]) -> None:
        self.found = found
        if not found:
            self.update("No deficiencies.")
            return
        lines = [f"Deficiencies ({len(found)}):"] + [f"- {d.detail}" for d in found]
        self.update(Text("\n".join(lines)))
