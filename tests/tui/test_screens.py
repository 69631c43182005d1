"""Sign-in, lock, search, chart and version history, playback without a device, key remapping."""

from __future__ import annotations

import pytest
from tui_support import PASSWORDS, SIZE, open_first, screen_text, sign_in, type_text

from assistant.tui.screens.chart import ChartScreen
from assistant.tui.screens.document import DocumentScreen
from assistant.tui.screens.lock import LockScreen
from assistant.tui.screens.search import SearchScreen
from assistant.tui.screens.signin import SignInScreen
from assistant.tui.screens.worklist import WorklistScreen


@pytest.mark.anyio
async def test_wrong_password_shows_nothing_and_idle_session_locks(make) -> None:
    app = make("tina", idle_lock_seconds=3)
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "not-the-password")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen)
        assert "Unknown user or wrong password" in screen_text(app)
        assert "Whitaker" not in screen_text(app)
        await sign_in(pilot, "tina")
        assert "Whitaker" in screen_text(app)
        await pilot.pause(4)
        assert isinstance(app.screen, LockScreen)
        assert "Whitaker" not in screen_text(app)
        await type_text(pilot, "wrong-one")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        await type_text(pilot, PASSWORDS["tina"])
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, WorklistScreen)


@pytest.mark.anyio
async def test_search_opens_history_and_chart(make) -> None:
    app = make("cody")
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "cody")
        await pilot.press("f")
        assert isinstance(app.screen, SearchScreen)
        await type_text(pilot, "furosemide type:discharge_summary")
        await pilot.press("enter")
        await pilot.pause()
        assert len(app.screen.hits) == 1
        assert "\x01furosemide\x02" in app.screen.hits[0].snippet.lower()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DocumentScreen)
        versions = app.screen.query_one("#versions")
        assert versions.option_count == 2  # preliminary v1, signed final v2
        assert "final" in screen_text(app)
        await pilot.press("up")
        await pilot.pause()
        assert app.screen.version == 1
        assert "(old version)" in screen_text(app)
        await pilot.press("escape")
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ChartScreen)
        shot = screen_text(app)
        assert "MRN100231" in shot and "discharge_summary 1" in shot


@pytest.mark.anyio
async def test_playback_without_a_device_says_why_and_keys_remap(make) -> None:
    app = make("tina", keys={"play_pause": "f12"})
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "tina")
        await open_first(pilot, app, "review")
        bar = app.screen.player
        assert bar.player is not None and bar.player.duration > 5
        await pilot.press("f12")
        await pilot.pause()
        assert "cannot play" in str(bar.render()).lower()
        # the rest still works: skipping moves the position and highlights the word
        await pilot.press("f8")
        await pilot.pause()
        assert bar.player.position == pytest.approx(app.settings.tui.skip_seconds)
        assert app.screen.editor.playing_word is not None
        # moving the cursor onto a word (as a click does) seeks the audio to it
        editor = app.screen.editor
        editor.move_cursor(editor.location(editor.text.index("diabetes") + 2))
        await pilot.pause()
        index = editor.word_at_cursor()
        assert "diabetes" in editor.transcript.words[index].text
        assert bar.player.position == pytest.approx(editor.transcript.words[index].start, abs=0.01)


@pytest.mark.anyio
async def test_new_dictation_appears_and_transcribes_in_a_worker(
    make, store_path, spoken_wav
) -> None:
    from dataclasses import replace

    from assistant.store import add_dictation, connect, find_user, get_transcript

    app = make("tina")
    app.settings = replace(
        app.settings, transcription=replace(app.settings.transcription, use_vocabulary=False)
    )
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "tina")
        assert "transcribe" not in [r.kind for r in app.screen.rows]
        # batch intake files a new dictation through its own connection
        intake = connect(store_path)
        tina = find_user(intake, "tina")
        new = add_dictation(intake, tina, audio_sha256="b" * 64, path=str(spoken_wav), patient_id=1)
        intake.close()
        for _ in range(30):
            await pilot.pause(0.2)
            if "transcribe" in [r.kind for r in app.screen.rows]:
                break
        assert "transcribe" in [r.kind for r in app.screen.rows]
        await open_first(pilot, app, "transcribe")
        assert "F2 to transcribe" in screen_text(app)
        await pilot.press("f2")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "chest pain" in app.screen.editor.text.lower()
        assert not app.screen.opened.needs_transcription
        bar = app.screen.query_one("#transcribe-progress")
        assert bar.progress > 50 and not bar.display  # progress was reported, then hidden
        stored = get_transcript(app.workspace.store, app.workspace.user, new.id)
        assert "chest pain" in stored.text.lower()


@pytest.mark.anyio
async def test_possibly_invented_span_is_reviewed_and_leaves_the_deficiencies(make, store) -> None:
    from assistant.models import Provenance, Segment, Transcript, Word
    from assistant.store import find_user, get_transcript, save_transcript
    from assistant.transcribe import transcript_to_dict

    said = [
        Word(" The", 0, 0.2, 0.9),
        Word(" patient", 0.2, 0.6, 0.9),
        Word(" coughs.", 0.6, 1, 0.9),
    ]
    invented = [Word(" Thank", 1.5, 1.7, 0.9), Word(" you.", 1.7, 2.0, 0.9)]
    transcript = Transcript(
        (
            Segment(0, 0, 1, " The patient coughs.", tuple(said)),
            Segment(1, 1.5, 2, " Thank you.", tuple(invented), flags=("stock_phrase",)),
        ),
        Provenance("c" * 64, 2.0, "tiny.en", ""),
    )
    tina = find_user(store, "tina")
    save_transcript(store, tina, 1, transcript_to_dict(transcript))
    app = make("tina")
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "tina")
        await open_first(pilot, app, "review")
        deficiencies = app.screen.query_one("#deficiencies")
        assert "unreviewed_flag" in [d.kind for d in deficiencies.found]
        await pilot.press("f3")
        assert app.screen.editor.selected_text == "Thank you"
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert "unreviewed_flag" not in [d.kind for d in deficiencies.found]
        assert not app.screen.editor.flags
    assert get_transcript(store, tina, 1).reviewed_spans == {"seg:1"}
