"""The transport bar: play/pause, skip, speed, position; says why when it cannot play."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rich.text import Text
from textual.message import Message
from textual.widget import Widget

from assistant.errors import AudioError
from assistant.playback import Player


def clock(seconds: float) -> str:
    m, s = divmod(max(0.0, seconds), 60)
    return f"{int(m)}:{s:04.1f}"


class AudioPlayerBar(Widget):
    """Owns the Player; posts ``Position`` while playing so the editor can follow.

    It renders one line and refreshes without a layout pass (a Static's update would relayout
    the screen ten times a second while playing, and on every cursor move that seeks).
    """

    @dataclass
    class Position(Message):
        seconds: float

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._line = Text("audio: no audio")
        self.player: Player | None = None
        self.problem: str | None = None
        self.note = ""
        self._timer = None

    def load(self, samples: np.ndarray, sample_rate: int) -> None:
        self.player = Player(samples, sample_rate)
        self.note = "F9 play"
        self.show()

    def unavailable(self, why: str) -> None:
        self.player = None
        self.note = why
        self.show()

    def show(self) -> None:
        p = self.player
        if p is None:
            self._set(Text(f"audio: {self.note}"))
            return
        state = "playing" if p.playing else "paused"
        line = f"{state} {clock(p.position)} / {clock(p.duration)}  speed {p.speed:.2f}x"
        self._set(Text(f"{line}  {self.note}"))

    def _set(self, line: Text) -> None:
        if line != self._line:
            self._line = line
            self.refresh()

    def render(self) -> Text:
        return self._line

    def toggle(self, backstep: float) -> None:
        p = self.player
        if p is None:
            self.app.notify(f"Cannot play: {self.note}", severity="warning")
            return
        if p.playing:
            p.pause(backstep)
            self._stop_timer()
            self.post_message(self.Position(p.position))
        else:
            try:
                p.start()
            except AudioError as e:
                self.note = str(e)
                self.app.notify(str(e), severity="warning")
            else:
                self.note = ""
                self._timer = self.set_interval(0.1, self._tick)
        self.show()

    def _tick(self) -> None:
        p = self.player
        if p is None:
            return
        if not p.playing:
            self._stop_timer()
        self.post_message(self.Position(p.position))
        self.show()

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def skip(self, seconds: float) -> None:
        if self.player is not None:
            self.post_message(self.Position(self.player.skip(seconds)))
            self.show()

    def seek(self, seconds: float) -> None:
        if self.player is not None and not self.player.playing:
            self.player.seek(seconds)
            self.show()

    def change_speed(self, delta: float) -> None:
        if self.player is not None:
            self.player.set_speed(self.player.speed + delta)
            self.show()

    def on_unmount(self) -> None:
        if self.player is not None:
            self.player.close()
