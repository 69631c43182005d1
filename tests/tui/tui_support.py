"""Helpers shared by the workstation tests: passwords of the test store, typing, signing in,
opening a worklist item, and reading the screen as text."""

from __future__ import annotations

from assistant.tui.screens.editor import EditorScreen

PASSWORDS = {
    "admin": "admin-pass-1",
    "drsmith": "smith-pass-1",
    "tina": "tina-pass-1",
    "cody": "cody-pass-1",
}

SIZE = (140, 45)


async def type_text(pilot, text: str) -> None:
    for ch in text:
        await pilot.press("space" if ch == " " else ch)


async def answer_dialog(pilot, key: str, *answers: str) -> None:
    """Open a dialog by its key, type each field's answer followed by Enter, let it settle."""
    await pilot.press(key)
    for answer in answers:
        await type_text(pilot, answer)
        await pilot.press("enter")
    await pilot.pause()


async def sign_in(pilot, username: str) -> None:
    """The app was built with the username: the password field has the focus."""
    await type_text(pilot, PASSWORDS[username])
    await pilot.press("enter")
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


def screen_text(app) -> str:
    """What the terminal shows, as plain text (the same render as a screenshot)."""
    import io

    from rich.console import Console

    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True)
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text()


def worklist_kinds(app) -> list[str]:
    return [r.kind for r in app.screen.rows]


async def open_first(pilot, app, kind: str) -> None:
    screen = app.screen
    table = screen.query_one("#worklist")
    keys = [r.key for r in screen.rows]
    wanted = next(r for r in screen.rows if r.kind == kind)
    table.move_cursor(row=table.get_row_index(wanted.key))
    assert wanted.key in keys
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, EditorScreen)
    await app.workers.wait_for_complete()
    await pilot.pause()
