"""The editor's dictate key: live dictation into the open report at the cursor (Pilot, real
tiny.en, the session's espeak-ng clip replayed as the microphone)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile
from test_workflows import file_preliminary
from tui_support import SIZE, open_first, sign_in

from assistant.errors import DictationError
from assistant.store import find_user, get_document
from assistant.tui.app import make_app


class HeldMicrophone:
    """Replays the clip as fast as it is read, then hands over silence until stopped, as a
    microphone does while the physician thinks; records whether it was stopped."""

    def __init__(self, samples: np.ndarray) -> None:
        from assistant.live_audio import FileSource

        self.file = FileSource(samples, realtime=False)
        self.stopped = threading.Event()

    def blocks(self):
        yield from self.file.blocks()
        while not self.stopped.is_set():
            time.sleep(0.05)
            yield np.zeros(1600, np.float32)

    def stop(self) -> None:
        self.stopped.set()
        self.file.stop()


async def _wait_for(pilot, condition, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.1)


@pytest.mark.anyio
async def test_dictate_key_records_at_the_cursor_and_saves(
    settings, store, transcriber, spoken_wav: Path
) -> None:
    from assistant.audio import load_audio

    doc_id = file_preliminary(store)
    mic = HeldMicrophone(load_audio(spoken_wav).samples)
    app = make_app(settings, transcriber, store, username="drsmith", microphone=lambda: mic)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "drsmith")
        await open_first(pilot, app, "sign")
        screen = app.screen
        editor = screen.editor
        at = editor.text.index("Fluids.") + len("Fluids.")
        editor.move_cursor(editor.location(at))
        await pilot.press("f11")
        assert screen.dictating
        strip = screen.query_one("#live-strip")
        assert strip.display and "● REC" in str(strip.render())
        # the live strip shows the words while the clip plays; the editor is untouched so far
        await _wait_for(pilot, lambda: "diabetes" in str(strip.render()).lower())
        assert "chest" not in editor.text.lower()
        await pilot.press("f11")  # stop
        await _wait_for(pilot, lambda: not screen.dictating)
        assert mic.stopped.is_set() and not strip.display
        text = editor.text
        tail = text[at:].lower()
        # tiny.en live may miss the first syllables; the words land right after the cursor
        assert tail.startswith(" ") and "chest pain" in tail and "diabetes" in tail
        assert text[:at].endswith("PLAN:\nFluids.")  # what was before the cursor is kept
        await pilot.press("ctrl+s")
        await pilot.pause()
        saved = get_document(store, find_user(store, "drsmith"), doc_id).version.text
        assert saved.startswith(text[:at] + " ") and "diabetes" in saved.lower()
        # the recording is kept losslessly beside the store
        (flac,) = (Path(store.path).parent / "recordings").glob("editor-doc*.flac")
        recorded, rate = soundfile.read(flac, dtype="float32")
        heard = mic.file.samples[: len(recorded)]  # the clip up to where it was stopped
        assert rate == 16000 and len(recorded) > 0.9 * len(mic.file.samples)
        assert np.abs(recorded - heard).max() < 1e-3


@pytest.mark.anyio
async def test_dictate_key_without_a_microphone_says_why_and_changes_nothing(
    settings, store, transcriber
) -> None:
    def no_microphone():
        raise DictationError("PortAudio is not installed, so no microphone can be opened.")

    file_preliminary(store)
    app = make_app(settings, transcriber, store, username="drsmith", microphone=no_microphone)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "drsmith")
        await open_first(pilot, app, "sign")
        before = app.screen.editor.text
        await pilot.press("f11")
        await pilot.pause()
        assert not app.screen.dictating
        assert app.screen.editor.text == before and not app.screen.dirty
        messages = [n.message for n in app._notifications]
        assert any("no microphone" in m for m in messages)
