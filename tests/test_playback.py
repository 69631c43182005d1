"""Playback core: speed change, position tracking, word look-up, and "cannot play" without a
device. The output stream is replaced by one that calls the real callback, as PortAudio would."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.errors import AudioError
from assistant.models import Word
from assistant.playback import Player, align_words, output_problem, stretch_block, word_at

RATE = 16000


class DrivenStream:
    """Stands in for PortAudio: the test pulls blocks through the player's callback."""

    def __init__(self, rate: int, callback) -> None:
        self.callback = callback
        self.active = False

    def start(self) -> None:
        self.active = True

    def stop(self) -> None:
        self.active = False

    def close(self) -> None:
        self.active = False

    def pull(self, frames: int) -> np.ndarray:
        out = np.zeros((frames, 1), dtype=np.float32)
        self.callback(out, frames, None, None)
        return out[:, 0]


def make_player(seconds: float = 2.0) -> tuple[Player, list[DrivenStream]]:
    t = np.arange(int(seconds * RATE)) / RATE
    streams: list[DrivenStream] = []

    def factory(rate, callback):
        streams.append(DrivenStream(rate, callback))
        return streams[-1]

    return Player(np.sin(2 * np.pi * 440 * t).astype(np.float32), RATE, factory), streams


def test_position_advances_with_speed_and_pause_backsteps() -> None:
    player, streams = make_player()
    player.start()
    streams[0].pull(RATE // 2)  # half a second at 1x
    assert player.position == pytest.approx(0.5)
    player.set_speed(2.0)
    streams[0].pull(RATE // 4)  # a quarter second of output at 2x = half a second of audio
    assert player.position == pytest.approx(1.0)
    player.pause(backstep=0.3)
    assert not player.playing and player.position == pytest.approx(0.7)
    silent = streams[0].pull(100)
    assert not silent.any() and player.position == pytest.approx(0.7)


def test_speed_is_clamped_and_playing_stops_at_the_end() -> None:
    player, streams = make_player(seconds=0.5)
    assert player.set_speed(5) == 2.0 and player.set_speed(0.1) == 0.5
    player.set_speed(1.0)
    player.start()
    streams[0].pull(RATE)  # more than is left
    assert not player.playing and player.position == pytest.approx(0.5)
    player.start()  # at the end, play starts over
    assert player.position == 0.0


def test_stretch_block_halves_pitch_at_half_speed() -> None:
    t = np.arange(RATE) / RATE
    tone = np.sin(2 * np.pi * 400 * t).astype(np.float32)
    slow, pos = stretch_block(tone, 0.0, RATE // 2, 0.5)
    assert pos == RATE / 4
    spectrum = np.abs(np.fft.rfft(slow))
    peak_hz = np.argmax(spectrum) * RATE / len(slow)
    assert peak_hz == pytest.approx(200, abs=5)


def test_without_an_output_device_play_says_why() -> None:
    problem = output_problem()
    if problem is None:
        pytest.skip("this machine has an audio output device")
    player = Player(np.zeros(RATE, dtype=np.float32), RATE)
    with pytest.raises(AudioError, match="Cannot play: .*") as e:
        player.start()
    assert e.value.reason == "no_playback"
    assert player.seek(0.5) == 0.5  # seeking still works


WORDS = [
    Word(" The", 0.0, 0.2, 0.9),
    Word(" patient", 0.2, 0.6, 0.9),
    Word(" has", 0.6, 0.8, 0.9),
    Word(" high", 0.8, 1.0, 0.3),
    Word(" potention", 1.0, 1.4, 0.3),
    Word(" sixty", 1.5, 1.7, 0.9),
    Word(" two", 1.7, 1.9, 0.9),
    Word(" years.", 1.9, 2.3, 0.9),
]


def test_word_at_time() -> None:
    assert word_at(WORDS, -1) is None
    assert word_at(WORDS, 0.0) == 0
    assert word_at(WORDS, 0.65) == 2
    assert word_at(WORDS, 9.0) == len(WORDS) - 1


def test_align_words_survives_formatting_and_edits() -> None:
    text = "HISTORY:\nThe patient has hypertension 62 years."
    spans = {s.index: text[s.start : s.end] for s in align_words(WORDS, text)}
    assert spans[0] == "The" and spans[1] == "patient" and spans[2] == "has"
    assert spans[7] == "years"
    assert 5 not in spans  # "sixty" became "62": nothing to highlight for it alone
