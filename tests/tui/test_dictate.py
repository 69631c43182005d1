"""The editor's dictate key: live dictation into the open report at the cursor (Pilot, real
tiny.en, the session's espeak-ng clip replayed as the microphone)."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile
from test_workflows import file_preliminary
from tui_support import SIZE, open_first, sign_in

from assistant.audio import file_sha256
from assistant.errors import DictationError
from assistant.store import (
    document_dictations,
    enter_in_error,
    find_user,
    get_document,
    get_transcript,
    list_events,
)
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
        messages = [n.message for n in app._notifications]
        assert any("recording filed as dictation" in m for m in messages), messages
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
        # ... and filed in the store as a dictation of the document, by the physician
        dr, admin = find_user(store, "drsmith"), find_user(store, "admin")
        (dictation,) = document_dictations(store, dr, doc_id)
        assert Path(dictation.path) == flac.resolve() and dictation.status == "filed"
        assert dictation.audio_sha256 == file_sha256(flac)
        assert (dictation.patient_id, dictation.encounter_id) == (1, 1)
        assert get_document(store, dr, doc_id).dictation_id == dictation.id  # it now plays
        stored = get_transcript(store, dr, dictation.id)
        assert "diabetes" in stored.text.lower() and stored.transcript["segments"]
        (event,) = [
            e
            for e in list_events(store, admin, document_id=doc_id)
            if e.action == "attach_dictation"
        ]
        assert (event.username, event.outcome, event.patient_id) == ("drsmith", "ok", 1)
        assert event.detail["dictation"] == dictation.id  # ids only, no text in the audit row
        assert "diabetes" not in json.dumps(event.detail).lower()


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


@pytest.mark.anyio
async def test_dictate_key_reports_a_recording_it_could_not_file_and_loses_nothing(
    settings, store, transcriber, spoken_wav: Path
) -> None:
    """HIM enters the report in error while the physician dictates: the recording cannot be
    filed to it; the text still lands in the editor and the recording stays on disk."""
    from assistant.audio import load_audio

    doc_id = file_preliminary(store)
    clip = load_audio(spoken_wav).samples
    mic = HeldMicrophone(clip[: 3 * 16000])  # a short utterance keeps the test quick
    app = make_app(settings, transcriber, store, username="drsmith", microphone=lambda: mic)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "drsmith")
        await open_first(pilot, app, "sign")
        screen = app.screen
        before = screen.editor.text
        await pilot.press("f11")
        enter_in_error(store, find_user(store, "admin"), doc_id, reason="wrong patient")
        strip = screen.query_one("#live-strip")
        await _wait_for(pilot, lambda: len(str(strip.render())) > len("● REC  "))
        await pilot.press("f11")
        await _wait_for(pilot, lambda: not screen.dictating)
        messages = [n.message for n in app._notifications]
        (failed,) = [m for m in messages if "not filed" in m]
        assert "entered in error" in failed and "Recording kept: editor-doc" in failed
        assert len(screen.editor.text) > len(before) and screen.dirty  # the words are kept
    (flac,) = (Path(store.path).parent / "recordings").glob("editor-doc*.flac")
    assert flac.stat().st_size > 0
    dr, admin = find_user(store, "drsmith"), find_user(store, "admin")
    assert document_dictations(store, dr, doc_id) == []
    assert store.one("SELECT count(*) FROM dictations WHERE path = ?", [str(flac)])[0] == 0
    refused = [
        e for e in list_events(store, admin, document_id=doc_id) if e.action == "attach_dictation"
    ]
    assert [(e.username, e.outcome) for e in refused] == [("drsmith", "refused")]


def test_attach_dictation_keeps_a_documents_own_recording_and_refuses_a_missing_file(
    store, spoken_wav: Path, tmp_path: Path
) -> None:
    """The store side alone: a report that has a recording keeps it and lists both."""
    from assistant.errors import StoreError
    from assistant.store import attach_dictation, file_document

    dr = find_user(store, "drsmith")
    doc = file_document(
        store,
        dr,
        patient_id=1,
        encounter_id=1,
        report_type="soap",
        text="PLAN:\nRest.\n",
        dictation_id=1,
    )
    transcript = {"segments": [{"text": " Rest and fluids."}]}
    added = attach_dictation(store, dr, doc.id, spoken_wav, transcript, duration=6.91234)
    assert get_document(store, dr, doc.id).dictation_id == 1
    assert [d.id for d in document_dictations(store, dr, doc.id)] == [1, added.id]
    assert added.audio_sha256 == file_sha256(spoken_wav) and added.duration == 6.912
    assert get_transcript(store, dr, added.id).text == "Rest and fluids."
    # The link is the dictation's own column; a store upgraded from before it had the column
    # finds the link again in the audit rows (the migration's backfill, run on that state).
    from assistant.store.schema import _DICTATION_DOCUMENT

    with store.write():
        store.execute("UPDATE dictations SET document_id = NULL")
        assert [d.id for d in document_dictations(store, dr, doc.id)] == [1]
        store.execute(_DICTATION_DOCUMENT[-1])
    assert [d.id for d in document_dictations(store, dr, doc.id)] == [1, added.id]
    rows = store.one("SELECT count(*) FROM dictations")[0]
    with pytest.raises(StoreError, match="Cannot read the recording gone.flac"):
        attach_dictation(store, dr, doc.id, tmp_path / "gone.flac", transcript)
    assert store.one("SELECT count(*) FROM dictations")[0] == rows
