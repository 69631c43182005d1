"""The editor's dictate key (F11): live dictation into the open report at the cursor.

The live text shows in a strip under the editor while the physician speaks; on stop (F11
again, Escape, or saying "end dictation") the formatted text is inserted where the cursor was.
The recording (FLAC) is kept in a ``recordings`` folder beside the record store and, when the
report is a filed document, filed in the store as a dictation of that document (its hash and
transcript, audited as the user's write) so a reviewer can play it later. Filing runs in the
dictation's worker on its own connection (a Store belongs to one thread); if it fails, the
UI says so and nothing is lost: the text still goes into the editor, the file stays on disk.

A mixin of ``EditorScreen``; the key binding stays with the screen.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.widgets import Static

from assistant.errors import AssistantError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Filing:
    """Where the recording went in the store: a dictation id, or why it was not filed."""

    dictation_id: int | None = None
    problem: str = ""  # filing failed (shown as an error)
    skipped: str = ""  # nothing to file it to (shown as a note)


class DictationMixin:
    """Needs ``self.opened``, ``self.editor`` and ``self._live_source``/``self._live_at``."""

    opened: Any
    _live_source: Any
    _live_at: tuple[int, int]

    @property
    def dictating(self) -> bool:
        return self._live_source is not None

    def action_dictate(self) -> None:
        if self._live_source is not None:
            self._live_source.stop()  # the worker finishes the utterance and inserts the text
            return
        if self.editor.read_only:
            self.notify("This report is read-only; nothing to dictate into.", severity="warning")
            return
        try:
            source = self.app.microphone()
        except AssistantError as e:  # no PortAudio, no microphone: say so, change nothing
            self.notify(str(e), severity="error", timeout=8)
            return
        self._live_source = source
        self._live_at = self.editor.cursor_location
        self._show_live("", "")
        self.query_one("#live-strip").display = True
        document = self.opened.document
        self.dictate(
            source,
            self._recording_path(),
            self.opened.report_type or None,
            document.id if document is not None else None,
        )

    def _recording_path(self) -> Path:
        """Beside the record store, so recordings travel with the records they belong to."""
        from datetime import UTC, datetime

        folder = Path(self.app.workspace.store.path).resolve().parent / "recordings"
        o = self.opened
        owner = f"doc{o.document.id}" if o.document else f"dictation{o.dictation_id or 'new'}"
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        return folder / f"editor-{owner}-{stamp}.wav"

    @work(thread=True, exclusive=True, group="dictate", exit_on_error=False)
    def dictate(
        self, source: Any, recording: Path, report_type: str | None, document_id: int | None
    ) -> None:
        from assistant.live_session import run_dictation

        def on_event(event: Any) -> None:
            self.app.call_from_thread(self._show_live, event.text, event.tentative)

        try:
            recording.parent.mkdir(parents=True, exist_ok=True)
            result = run_dictation(
                source,
                self.app.transcriber,
                self.app.settings,
                recording=recording,
                report_type=report_type,
                on_event=on_event,
            )
        except (AssistantError, OSError) as e:
            self.app.call_from_thread(self._dictated, None, str(e))
            return
        filing = self._file_recording(result, document_id)
        self.app.call_from_thread(self._dictated, result, "", filing)

    def _file_recording(self, result: Any, document_id: int | None) -> Filing:
        """File the recording as a dictation of the document (worker thread, own connection)."""
        if result.audio_path is None or not result.text.strip():
            return Filing()  # nothing was said: the recording stays on disk only
        if document_id is None:
            return Filing(skipped="not linked: the report is not filed yet")
        from assistant.store import attach_dictation, connect
        from assistant.transcribe import transcript_to_dict

        try:
            store = connect(self.app.workspace.store.path, create=False, migrate=False)
            try:
                dictation = attach_dictation(
                    store,
                    self.app.workspace.me(),
                    document_id,
                    result.audio_path,
                    transcript_to_dict(result.transcript),
                    text=result.raw_text,
                    duration=result.duration,
                    dictated_at=result.transcript.provenance.created_at,
                )
            finally:
                store.close()
        except AssistantError as e:
            return Filing(problem=str(e))
        except Exception as e:  # the dictated text must reach the editor whatever happens here
            log.exception("filing the recording of document %s failed", document_id)
            return Filing(problem=f"{type(e).__name__}: {e}")
        return Filing(dictation_id=dictation.id)

    def _show_live(self, text: str, tentative: str) -> None:
        line = Text("● REC ", style="bold red")
        line.append(text)
        if tentative:
            line.append(" " + tentative, style="dim")
        self.query_one("#live-strip", Static).update(line)

    def _dictated(self, result: Any, error: str, filing: Filing | None = None) -> None:
        self._live_source = None
        self.query_one("#live-strip").display = False
        if result is None:
            self.notify(f"Dictation failed: {error}", severity="error", timeout=8)
            return
        filing = filing or Filing()
        kept = f" Recording kept: {result.audio_path.name}." if result.audio_path else ""
        text = result.text.strip()
        if not text:
            self.notify(f"No speech was heard.{kept}", severity="warning")
            return
        editor = self.editor
        # Text edited while recording may have moved the end of the report before the spot.
        doc = editor.document
        row = min(self._live_at[0], doc.line_count - 1)
        at = (row, min(self._live_at[1], len(doc.get_line(row))))
        before = editor.get_text_range((0, 0), at)
        if before and not before[-1].isspace():
            text = " " + text
        editor.insert(text, location=at)
        editor.focus()
        words = len(result.raw_text.split())
        if filing.problem:
            self.notify(
                f"Dictated {words} words, but the recording was not filed:"
                f" {filing.problem.rstrip('.')}.{kept}",
                severity="error",
                timeout=12,
            )
        elif filing.dictation_id is not None:
            self.notify(
                f"Dictated {words} words; recording filed as dictation {filing.dictation_id}."
            )
        else:
            note = f" ({filing.skipped})" if filing.skipped else ""
            self.notify(f"Dictated {words} words.{kept}{note}")

    def on_unmount(self) -> None:
        if self._live_source is not None:
            self._live_source.stop()
