"""Coding: suggested codes with evidence, the encounter's codes in sequence, look-up with notes,
and the MS-DRG, regrouped after every change.

Keys: in suggestions, Enter accepts (P: as principal), X rejects; in assigned codes, P makes a
code principal, Delete removes it; in look-up results, Enter adds the code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from assistant.errors import AssistantError
from assistant.models import Code


class SuggestionList(OptionList):
    BINDINGS = [
        Binding("a", "accept(False)", "Accept"),
        Binding("p", "accept(True)", "Principal"),
        Binding("x", "reject", "Reject"),
    ]

    def action_accept(self, principal: bool) -> None:
        self.parent_panel.accept_highlighted(principal)

    def action_reject(self) -> None:
        self.parent_panel.reject_highlighted()

    @property
    def parent_panel(self) -> CodingPanel:
        return self.query_ancestor(CodingPanel)


class AssignedList(OptionList):
    BINDINGS = [
        Binding("p", "principal", "Principal"),
        Binding("delete,d", "remove", "Remove"),
        Binding("c", "complete", "Coding done"),
    ]

    def action_complete(self) -> None:
        self.query_ancestor(CodingPanel).complete()

    def action_principal(self) -> None:
        self.query_ancestor(CodingPanel).assigned_action("principal")

    def action_remove(self) -> None:
        self.query_ancestor(CodingPanel).assigned_action("remove")


class CodingPanel(Vertical):
    @dataclass
    class ShowEvidence(Message):
        """A suggestion was highlighted: show its evidence in the text."""

        text: str
        section: str

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.encounter_id: int | None = None
        self.suggestions: list[Any] = []
        self.assigned: list[Any] = []
        self.results: list[Any] = []

    def compose(self) -> ComposeResult:
        yield Static("Suggested codes", classes="panel-title")
        yield SuggestionList(id="suggestions")
        yield Static("Assigned (principal first)", classes="panel-title")
        yield AssignedList(id="assigned")
        yield Static("", id="drg")
        yield Static("", id="edits")
        yield Input(placeholder="look up codes: words or a code", id="code-search")
        yield OptionList(id="code-results")
        yield Static("", id="code-notes")

    # -- loading -----------------------------------------------------------------------------

    def load(self, encounter_id: int | None, text: str) -> None:
        self.encounter_id = encounter_id
        self.show_assigned(self.app.workspace.codes(encounter_id))
        self.query_one("#suggestions", OptionList).clear_options()
        self.query_one("#suggestions", OptionList).add_option(
            Option("suggesting...", disabled=True)
        )
        self.suggest(text)

    @work(thread=True, exclusive=True, group="suggest", exit_on_error=False)
    def suggest(self, text: str) -> None:
        result = self.app.coding.suggest(text)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show_suggestions, list(result.suggestions))

    def show_suggestions(self, suggestions: list[Any]) -> None:
        taken = {(c.system, c.code) for c in self.assigned}
        self.suggestions = [
            s for s in suggestions if (s.code.system, s.code.code.replace(".", "")) not in taken
        ]
        options = self.query_one("#suggestions", OptionList)
        options.clear_options()
        for s in self.suggestions:
            flag = " ?query" if s.query_candidate else ""
            label = f"{s.code.code:<8}{s.score:.2f} {s.code.display[:60]}{flag}"
            options.add_option(Option(Text(label)))
        if not self.suggestions:
            options.add_option(Option("no suggestions", disabled=True))

    def show_assigned(self, codes: list[Any]) -> None:
        self.assigned = codes
        options = self.query_one("#assigned", OptionList)
        options.clear_options()
        for c in codes:
            poa = f" POA {c.poa}" if c.poa else ""
            options.add_option(Option(Text(f"{c.sequence}. {c.code:<8} {c.display[:40]}{poa}")))
        if self.encounter_id is not None:
            self.regroup(self.encounter_id)

    @work(thread=True, exclusive=True, group="drg", exit_on_error=False)
    def regroup(self, encounter_id: int) -> None:
        claim = self.app.call_from_thread(self.app.workspace.claim, encounter_id)
        edits: list[str] = []
        if claim is None:
            line = "MS-DRG: no diagnosis yet"
        else:
            codes = [claim.principal.code, *(d.code for d in claim.secondary), *claim.procedures]
            try:
                r = self.app.coding.group(claim)
                weight = f"{r.relative_weight:.4f}" if r.relative_weight is not None else "-"
                line = f"MS-DRG {r.drg or '-'} {r.description} (weight {weight}, {r.severity})"
                found = self.app.coding.edits(codes, claim.age, claim.sex)
                edits = [f"{e.severity}: {e.message}" for e in found]
            except AssistantError as e:
                line = f"MS-DRG: {e}"
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.query_one("#drg", Static).update, Text(line))
            self.app.call_from_thread(
                self.query_one("#edits", Static).update, Text("\n".join(edits))
            )

    # -- actions -----------------------------------------------------------------------------

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.id == "suggestions" and event.option_index < len(self.suggestions):
            s = self.suggestions[event.option_index]
            if s.evidence:
                self.post_message(self.ShowEvidence(s.evidence[0].text, s.evidence[0].section))
        elif event.option_list.id == "code-results" and event.option_index < len(self.results):
            self.show_notes(self.results[event.option_index].code)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "suggestions":
            self.accept_highlighted(False)
        elif event.option_list.id == "code-results" and event.option_index < len(self.results):
            info = self.results[event.option_index]
            self._add(Code(info.system, info.code, info.description), False)

    def accept_highlighted(self, principal: bool) -> None:
        index = self.query_one("#suggestions", OptionList).highlighted
        if index is None or index >= len(self.suggestions):
            return
        s = self.suggestions[index]
        code = Code(s.code.system, s.code.code.replace(".", ""), s.code.display)
        if self._add(code, principal):
            self.show_suggestions([x for x in self.suggestions if x is not s])

    def reject_highlighted(self) -> None:
        index = self.query_one("#suggestions", OptionList).highlighted
        if index is not None and index < len(self.suggestions):
            self.show_suggestions([x for i, x in enumerate(self.suggestions) if i != index])

    def _add(self, code: Code, principal: bool) -> bool:
        if self.encounter_id is None:
            self.app.notify("This document has no encounter to code.", severity="warning")
            return False
        try:
            codes = self.app.workspace.add_code(self.encounter_id, code, principal=principal)
        except AssistantError as e:
            self.app.notify(str(e), severity="error")
            return False
        self.show_assigned(codes)
        return True

    def assigned_action(self, what: str) -> None:
        index = self.query_one("#assigned", OptionList).highlighted
        if index is None or index >= len(self.assigned) or self.encounter_id is None:
            return
        c = self.assigned[index]
        ws = self.app.workspace
        try:
            if what == "remove":
                codes = ws.remove_code(self.encounter_id, c.system, c.code)
            else:
                codes = ws.make_principal(self.encounter_id, c.system, c.code)
        except AssistantError as e:
            self.app.notify(str(e), severity="error")
            return
        self.show_assigned(codes)

    def complete(self) -> None:
        if self.encounter_id is None:
            return
        try:
            self.app.workspace.complete_coding(self.encounter_id)
        except AssistantError as e:
            self.app.notify(str(e), severity="error")
            return
        self.app.notify(f"Encounter {self.encounter_id} coded; it leaves your worklist.")

    # -- look-up -----------------------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "code-search" and event.value.strip():
            event.stop()
            self.lookup(event.value)

    @work(thread=True, exclusive=True, group="lookup", exit_on_error=False)
    def lookup(self, text: str) -> None:
        try:
            found = self.app.coding.search(text)
        except AssistantError as e:
            self.app.call_from_thread(self.app.notify, str(e), severity="error")
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show_results, found)

    def show_results(self, found: list[Any]) -> None:
        self.results = found
        options = self.query_one("#code-results", OptionList)
        options.clear_options()
        for info in found:
            mark = "" if info.billable else " (header)"
            options.add_option(Option(Text(f"{info.display_code:<8} {info.description}{mark}")))
        if found:
            options.focus()

    @work(thread=True, exclusive=True, group="notes", exit_on_error=False)
    def show_notes(self, code: str) -> None:
        notes = self.app.coding.notes(code)
        text = "\n".join(notes[:12]) if notes else "no notes"
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.query_one("#code-notes", Static).update, Text(text))
