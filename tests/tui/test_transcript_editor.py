"""The transcript editor's marks: flags to review, next-flag navigation, one-key undo of a
vocabulary correction, and the playing word, in a minimal app."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult

from assistant.models import Correction, Provenance, Segment, Transcript, Word
from assistant.tui.widgets.transcript_editor import TranscriptEditor

WORDS = (
    Word(" Start", 0.0, 0.4, 0.95),
    Word(" furosemide", 0.4, 1.0, 0.9),
    Word(" forty", 1.0, 1.3, 0.3),
    Word(" milligrams.", 1.3, 1.9, 0.95),
)
INVENTED = (Word(" Thank", 2.5, 2.8, 0.9), Word(" you.", 2.8, 3.0, 0.9))
TRANSCRIPT = Transcript(
    segments=(
        Segment(0, 0.0, 1.9, " Start furosemide forty milligrams.", WORDS),
        Segment(1, 2.5, 3.0, " Thank you.", INVENTED, flags=("stock_phrase",)),
    ),
    provenance=Provenance("0" * 64, 3.0, "tiny.en", ""),
    corrections=(Correction("fur oh semide", "furosemide", 0.4, 1.0, 91.0, word_index=1),),
)
TEXT = "PLAN:\nStart furosemide 40 milligrams.\nThank you.\n"


class EditorApp(App):
    def compose(self) -> ComposeResult:
        yield TranscriptEditor(TEXT)


@pytest.mark.anyio
async def test_flags_navigation_undo_and_playing_word() -> None:
    app = EditorApp()
    async with app.run_test(size=(60, 10)) as pilot:
        editor = app.query_one(TranscriptEditor)
        editor.set_transcript(TRANSCRIPT)
        kinds = sorted(f.kind for f in editor.flags)
        assert kinds == ["corrected", "invented", "low"]  # "40" was heard as a doubtful "forty"
        editor.move_cursor((0, 0))
        flag = editor.next_flag()
        assert flag.kind == "corrected" and editor.selected_text == "furosemide"
        assert editor.next_flag().kind == "low" and editor.selected_text == "40"
        assert editor.next_flag().kind == "invented" and editor.selected_text == "Thank you"
        assert editor.next_flag().kind == "corrected"  # wraps around
        editor.move_cursor(editor.location(TEXT.index("furosemide") + 2))
        assert editor.undo_correction() == "fur oh semide"
        assert "Start fur oh semide 40" in editor.text
        editor.show_playing(3, follow=True)
        await pilot.pause()
        assert editor.offset(editor.cursor_location) == TEXT.index("milligrams")
        assert any(kind == "playing" for _, _, kind in editor._marks[1])
