"""Pictures of the main screens (pytest-textual-snapshot). Ages on the worklist are frozen so
that the picture does not depend on when the store was built; the rest is the real app on the
real store. After a deliberate change of the look: --snapshot-update, then look at the SVGs."""

from __future__ import annotations

import pytest
from textual.widgets import TextArea
from tui_support import PASSWORDS, open_first

from assistant.playback import output_problem

SIZE = (120, 36)


@pytest.fixture(autouse=True)
def _frozen_ages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("assistant.tui.screens.worklist.duration", lambda hours: "2h")


async def _sign_in(pilot, username: str) -> None:
    for ch in PASSWORDS[username]:
        await pilot.press(ch)
    await pilot.press("enter")
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()


def test_signin_screen(snap_compare, make) -> None:
    assert snap_compare(make("tina"), terminal_size=SIZE)


def test_worklist_screen(snap_compare, make) -> None:
    async def run_before(pilot) -> None:
        await _sign_in(pilot, "tina")

    assert snap_compare(make("tina"), terminal_size=SIZE, run_before=run_before)


@pytest.mark.skipif(
    output_problem() is None, reason="the picture shows the audio bar of a machine without sound"
)
def test_editor_screen(snap_compare, make) -> None:
    async def run_before(pilot) -> None:
        await _sign_in(pilot, "tina")
        await open_first(pilot, pilot.app, "review")
        for area in pilot.app.screen.query(TextArea):
            area.cursor_blink = False  # a blinking cursor makes the picture depend on timing
        await pilot.pause()

    assert snap_compare(make("tina"), terminal_size=SIZE, run_before=run_before)


def test_coding_screen(snap_compare, make) -> None:
    async def run_before(pilot) -> None:
        await _sign_in(pilot, "cody")
        await open_first(pilot, pilot.app, "code")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(make("cody"), terminal_size=SIZE, run_before=run_before)
