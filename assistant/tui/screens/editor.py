"""The editor: report text by sections, audio with the playing word highlighted, flags to
review, deficiencies, and (for coders) the coding panel. Every action has a key.

Transport keys follow transcription players (F9 play/pause, F7/F8 back/forward, F5/F6 speed)
and can be remapped in settings ``[tui.keys]`` (binding id -> key), e.g. for a foot pedal that
sends keys::

    [tui.keys]
    play_pause = "f12"
    rewind = "f11"

Binding ids: save, submit, sign, amend, addendum, query, play_pause, rewind, forward, slower,
faster, next_flag, previous_flag, undo_correction, reviewed, follow, transcribe, dictate, close.

The dictate key (F11) records from the microphone into the open report (editor_dictation.py);
the audio, transport and transcription live in editor_audio.py.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, ProgressBar, Static, TextArea
from textual.widgets.option_list import Option

from assistant.errors import AssistantError
from assistant.tui.screens.dialogs import ConfirmDialog, Field, FormDialog
from assistant.tui.screens.editor_audio import AudioMixin
from assistant.tui.screens.editor_dictation import DictationMixin
from assistant.tui.widgets.audio_player import AudioPlayerBar
from assistant.tui.widgets.coding_panel import CodingPanel
from assistant.tui.widgets.deficiency_list import DeficiencyList
from assistant.tui.widgets.transcript_editor import TranscriptEditor
from assistant.tui.workspace import Opened


class EditorScreen(AudioMixin, DictationMixin, Screen):
    BINDINGS = [
        Binding("ctrl+s", "save", "Save draft", id="save"),
        Binding("f10", "submit", "Submit", id="submit"),
        Binding("ctrl+g", "sign", "Sign", id="sign"),
        Binding("ctrl+t", "amend", "Amend", id="amend"),
        Binding("ctrl+b", "addendum", "Addendum", id="addendum"),
        Binding("ctrl+o", "query", "Query", id="query"),
        Binding("f9", "play_pause", "Play/pause", id="play_pause"),
        Binding("f7", "skip(-1)", "Back", id="rewind"),
        Binding("f8", "skip(1)", "Fwd", id="forward"),
        Binding("f5", "speed(-0.25)", "Slower", id="slower"),
        Binding("f6", "speed(0.25)", "Faster", id="faster"),
        Binding("f3", "next_flag", "Next flag", id="next_flag"),
        Binding("shift+f3", "previous_flag", "Prev flag", id="previous_flag", show=False),
        Binding("f4", "undo_correction", "Undo fix", id="undo_correction"),
        Binding("ctrl+r", "reviewed", "Reviewed", id="reviewed"),
        Binding("ctrl+f", "follow", "Follow", id="follow"),
        Binding("f2", "transcribe", "Transcribe", id="transcribe"),
        Binding("f11", "dictate", "Dictate", id="dictate"),
        Binding("escape", "close", "Close", id="close"),
        Binding("ctrl+l", "app.lock", "Lock", show=False),
    ]

    def __init__(self, opened: Opened) -> None:
        super().__init__()
        self.opened = opened
        self.follow = True
        self.dirty = False
        self._align_timer: Any = None
        self._clean_text = opened.text
        self._query_evidence = ""
        self._flag_note = ""
        self._live_source: Any = None  # the audio source while dictating, else None
        self._live_at: tuple[int, int] = (0, 0)  # where the dictated text goes

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            with Vertical(id="editor-main"):
                yield Static("", id="doc-info")
                yield TranscriptEditor(self.opened.text, id="editor")
                yield Static("", id="live-strip")
                yield ProgressBar(id="transcribe-progress", show_eta=False)
                yield AudioPlayerBar(id="player")
                yield Static("", id="flag-note")
            with Vertical(id="editor-side"):
                yield Static("Sections", classes="panel-title")
                yield OptionList(id="sections")
                yield DeficiencyList(id="deficiencies")
                if self.app.workspace.can("code_encounter"):
                    yield CodingPanel(id="coding")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#transcribe-progress").display = False
        self.query_one("#live-strip").display = False
        self.load(self.opened)
        if self.app.workspace.can("code_encounter"):
            self.query_one(CodingPanel).load(self.opened.encounter_id, self.opened.text)
        self.load_audio()
        self.editor.focus()

    @property
    def editor(self) -> TranscriptEditor:
        return self.query_one(TranscriptEditor)

    @property
    def player(self) -> AudioPlayerBar:
        return self.query_one(AudioPlayerBar)

    def load(self, opened: Opened, text: str | None = None) -> None:
        self.opened = opened
        editor = self.editor
        if text is None and editor.text != opened.text:
            editor.load_text(opened.text)
        user = self.app.workspace.user
        signed = opened.document is not None and opened.document.status in ("final", "amended")
        amendable = signed and user.can("amend") and opened.document.author_id == user.id
        editor.read_only = opened.read_only and not amendable
        editor.reviewed = opened.reviewed
        editor.set_transcript(opened.transcript)
        self._clean_text = editor.text
        self.dirty = False
        self.show_info()
        self.show_sections()
        self.show_deficiencies()

    def show_info(self) -> None:
        o = self.opened
        mode = "read-only" if self.editor.read_only else "editing"
        note = "  F2 to transcribe" if o.needs_transcription else ""
        changed = " *" if self.dirty else ""
        line = f"{o.patient_name or 'no patient'} | {o.title} | {o.status} | {mode}{changed}{note}"
        self.query_one("#doc-info", Static).update(Text(line))

    def show_sections(self) -> None:
        report = self.app.workspace.report(self.editor.text, self.opened.report_type)
        options = self.query_one("#sections", OptionList)
        options.clear_options()
        self._section_offsets: list[int] = []
        text = self.editor.text
        for s in report.sections:
            probe = s.heading or s.text[:40]
            at = text.upper().find(probe.upper()) if probe else -1
            self._section_offsets.append(max(at, 0))
            options.add_option(Option(Text(s.title or s.name)))

    def show_deficiencies(self) -> None:
        found = self.app.workspace.deficiencies(self.opened, self.editor.text)
        self.query_one(DeficiencyList).show_deficiencies(found)

    # -- text events -------------------------------------------------------------------------

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        dirty = self.editor.text != self._clean_text
        if dirty != self.dirty:
            self.dirty = dirty
            self.show_info()
        if self._align_timer is not None:
            self._align_timer.stop()
        self._align_timer = self.set_timer(0.4, self._realign)

    def _realign(self) -> None:
        self.editor.align()
        self.show_sections()

    def on_text_area_selection_changed(self, event: TextArea.SelectionChanged) -> None:
        """Moving the cursor to a word (keys or a click) seeks the audio to it."""
        editor = self.editor
        flag = editor.flag_at_cursor()
        note = flag.note if flag else ""
        if note != self._flag_note:
            self._flag_note = note
            self.query_one("#flag-note", Static).update(Text(note))
        if editor.transcript is None:
            return
        index = editor.word_at_cursor()
        if index is not None and index != editor.playing_word:  # not playback following
            self.player.seek(editor.transcript.words[index].start)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "sections":
            offset = self._section_offsets[event.option_index]
            self.editor.move_cursor(self.editor.location(offset))
            self.editor.scroll_cursor_visible(center=True)
            self.editor.focus()

    def on_coding_panel_show_evidence(self, event: CodingPanel.ShowEvidence) -> None:
        at = self.editor.text.find(event.text)
        if at >= 0:
            self.editor.show_evidence(at, at + len(event.text))

    # -- flags -------------------------------------------------------------------------------

    def action_next_flag(self) -> None:
        if self.editor.next_flag() is None:
            self.notify("Nothing flagged.")

    def action_previous_flag(self) -> None:
        self.editor.next_flag(backwards=True)

    def action_undo_correction(self) -> None:
        original = self.editor.undo_correction()
        if original is None:
            self.notify("The cursor is not on a vocabulary correction.", severity="warning")

    def action_reviewed(self) -> None:
        """Mark the possibly invented span under the cursor as reviewed (kept in the store)."""
        flag = self.editor.flag_at_cursor("invented")
        if flag is None or flag.segment is None:
            self.notify("The cursor is not on a possibly invented span.", severity="warning")
            return
        opened = self._try(self.app.workspace.mark_reviewed, self.opened, [f"seg:{flag.segment}"])
        if opened is not None:
            self.opened = opened
            self.editor.reviewed = opened.reviewed
            self.editor.align()
            self.show_deficiencies()

    # -- document actions --------------------------------------------------------------------

    def _try(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except AssistantError as e:
            self.notify(str(e), severity="error", timeout=8)
            return None

    def action_save(self) -> None:
        saved = self._try(self.app.workspace.save, self.opened, self.editor.text)
        if saved is not None:
            self.load(saved, text=self.editor.text)
            self.notify(f"Saved {saved.title} ({saved.status}).")

    def action_submit(self) -> None:
        found = self.app.workspace.deficiencies(self.opened, self.editor.text)
        if not found:
            self._submit(True)
            return
        lines = [f"- {d.detail}" for d in found]
        self.app.push_screen(ConfirmDialog("Submit with these deficiencies?", lines), self._submit)

    def _submit(self, go: bool | None) -> None:
        if not go:
            return
        saved = self._try(self.app.workspace.save, self.opened, self.editor.text, submit=True)
        if saved is not None:
            self.load(saved, text=self.editor.text)
            self.notify(f"Submitted {saved.title} as preliminary.")

    def action_sign(self) -> None:
        if not self.app.workspace.can("sign"):
            self.notify("Only physicians sign.", severity="warning")
            return
        fields = [Field("password", "Password", password=True)]
        self.app.push_screen(FormDialog("Sign: re-enter your password", fields), self._sign)

    def _sign(self, values: dict[str, str] | None) -> None:
        if values is None:
            return
        ws = self.app.workspace
        opened = self.opened
        if self.dirty or opened.document is None:
            opened = self._try(ws.save, opened, self.editor.text)
            if opened is None:
                return
        signed = self._try(ws.sign, opened, values["password"])
        if signed is not None:
            self.load(signed)
            self.notify(f"Signed {signed.title}.")

    def action_amend(self) -> None:
        fields = [
            Field("reason", "Reason for the amendment"),
            Field("password", "Password", password=True),
        ]
        self.app.push_screen(FormDialog("Amend the signed report", fields), self._amend)

    def _amend(self, values: dict[str, str] | None) -> None:
        if values is None:
            return
        done = self._try(
            self.app.workspace.amend,
            self.opened,
            self.editor.text,
            values["reason"],
            values["password"],
        )
        if done is not None:
            self.load(done)
            self.notify(f"Amended {done.title}.")

    def action_addendum(self) -> None:
        fields = [Field("text", "Addendum text"), Field("password", "Password", password=True)]
        self.app.push_screen(FormDialog("Add a signed addendum", fields), self._addendum)

    def _addendum(self, values: dict[str, str] | None) -> None:
        if values is None:
            return
        doc = self._try(
            self.app.workspace.addendum, self.opened, values["text"], values["password"]
        )
        if doc is not None:
            self.notify(f"Addendum {doc.id} signed.")

    def action_query(self) -> None:
        ws = self.app.workspace
        if self.opened.query_id is not None and not ws.can("answer_query"):
            q = self._try(ws.query, self.opened.query_id)
            if q is not None and q.status == "answered":
                lines = [q.question, f"Answer: {q.answer}", "", "Enter: raise another query"]
                dialog = ConfirmDialog(f"Query {q.id} answered", lines)
                self.app.push_screen(dialog, self._then_raise)
                return
        if self.opened.query_id is not None and ws.can("answer_query"):
            q = self._try(ws.query, self.opened.query_id)
            if q is None:
                return
            note = f"{q.question}\nEvidence: {q.evidence or '-'}"
            fields = [Field("answer", "Answer")]
            self.app.push_screen(FormDialog("Answer the coder's query", fields, note), self._answer)
        elif ws.can("raise_query"):
            author = self.opened.document.author_id if self.opened.document else None
            fields = [
                Field("to", "Physician (username)", ws.username(author) if author else ""),
                Field("question", "Question"),
            ]
            evidence = self.editor.selected_text or self._evidence_text()
            note = f"Evidence: {evidence or '-'}"
            self._query_evidence = evidence
            self.app.push_screen(FormDialog("Query the physician", fields, note), self._raise)
        else:
            self.notify("Your role neither raises nor answers queries here.", severity="warning")

    def _then_raise(self, go: bool | None) -> None:
        if go:
            self.opened = replace(self.opened, query_id=None)
            self.action_query()

    def _evidence_text(self) -> str:
        ev = self.editor.evidence
        return self.editor.text[ev[0] : ev[1]] if ev else ""

    def _raise(self, values: dict[str, str] | None) -> None:
        if values is None:
            return
        q = self._try(
            self.app.workspace.raise_query,
            self.opened,
            values["to"].strip(),
            values["question"],
            self._query_evidence,
        )
        if q is not None:
            self.notify(f"Query {q.id} sent to {values['to'].strip()}.")

    def _answer(self, values: dict[str, str] | None) -> None:
        if values is None:
            return
        q = self._try(self.app.workspace.answer_query, self.opened.query_id, values["answer"])
        if q is not None:
            self.notify(f"Query {q.id} answered.")

    # -- leaving -----------------------------------------------------------------------------

    def action_close(self) -> None:
        if self._live_source is not None:  # Escape first stops a dictation
            self._live_source.stop()
            return
        if not self.dirty:
            self.dismiss()
            return
        lines = ["The changes are not saved. Close and lose them?"]
        self.app.push_screen(ConfirmDialog("Unsaved changes", lines), self._close)

    def _close(self, go: bool | None) -> None:
        if go:
            self.dismiss()
