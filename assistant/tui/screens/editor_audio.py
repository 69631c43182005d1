"""The editor's audio: loading the document's recording, the transport keys (play/pause, skip,
speed, follow), the playing word highlighted, and transcribing an untranscribed dictation (F2).

A mixin of ``EditorScreen``; the key bindings stay with the screen (one table to remap).
"""

from __future__ import annotations

from typing import Any

from textual import work
from textual.widgets import ProgressBar
from textual.worker import get_current_worker

from assistant.errors import AssistantError
from assistant.tui.widgets.audio_player import AudioPlayerBar


class AudioMixin:
    """Needs ``self.opened``, ``self.editor``, ``self.player``, ``self.load`` and ``self._try``."""

    follow: bool
    opened: Any

    def on_audio_player_bar_position(self, event: AudioPlayerBar.Position) -> None:
        from assistant.playback import word_at

        transcript = self.editor.transcript
        if transcript is not None:
            self.editor.show_playing(word_at(transcript.words, event.seconds), self.follow)

    @work(thread=True, exclusive=True, group="audio", exit_on_error=False)
    def load_audio(self) -> None:
        from assistant.audio import SAMPLE_RATE, load_audio
        from assistant.playback import output_problem

        path = self.opened.audio_path
        if not path:
            self.app.call_from_thread(self.player.unavailable, "this document has no audio")
            return
        try:
            clip = load_audio(path)
        except AssistantError as e:
            self.app.call_from_thread(self.player.unavailable, str(e))
            return
        problem = output_problem()
        if get_current_worker().is_cancelled:
            return
        self.app.call_from_thread(self.player.load, clip.samples, SAMPLE_RATE)
        if problem:
            self.app.call_from_thread(setattr, self.player, "note", f"cannot play: {problem}")
            self.app.call_from_thread(self.player.show)

    def action_play_pause(self) -> None:
        self.player.toggle(self.app.settings.tui.backstep_seconds)

    def action_skip(self, direction: int) -> None:
        self.player.skip(direction * self.app.settings.tui.skip_seconds)

    def action_speed(self, delta: float) -> None:
        self.player.change_speed(delta)

    def action_follow(self) -> None:
        self.follow = not self.follow
        self.notify(f"Cursor {'follows' if self.follow else 'does not follow'} the audio.")

    # -- transcription -----------------------------------------------------------------------

    def action_transcribe(self) -> None:
        o = self.opened
        if not o.needs_transcription or not o.audio_path:
            self.notify("Nothing to transcribe here.")
            return
        if not self.app.workspace.can("file_dictation"):
            self.notify("Your role does not transcribe.", severity="warning")
            return
        bar = self.query_one("#transcribe-progress", ProgressBar)
        bar.display = True
        bar.update(total=100, progress=0)
        self.transcribe(o.audio_path, o.report_type)

    @work(thread=True, exclusive=True, group="transcribe", exit_on_error=False)
    def transcribe(self, path: str, report_type: str | None) -> None:
        from assistant.tui.engines import transcribe_with_progress

        worker = get_current_worker()
        bar = self.query_one("#transcribe-progress", ProgressBar)

        def progress(done: float, total: float) -> None:
            if not worker.is_cancelled:
                pct = 100 * done / total if total else 0
                self.app.call_from_thread(bar.update, progress=pct)

        try:
            transcript = transcribe_with_progress(
                self.app.transcriber, path, self.app.settings, report_type, progress
            )
        except AssistantError as e:
            self.app.call_from_thread(self.notify, str(e), severity="error")
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._transcribed, transcript)

    def _transcribed(self, transcript: Any) -> None:
        self.query_one("#transcribe-progress").display = False
        opened = self._try(self.app.workspace.save_transcription, self.opened, transcript)
        if opened is not None:
            self.load(opened)
            self.notify("Transcribed; review the flagged words (F3).")
