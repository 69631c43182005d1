"""The report text, editable, with marks: the word playing, low-confidence words, vocabulary
corrections, possibly invented spans, and a code's evidence.

Marks are character spans of the text; ``get_line`` (TextArea's documented hook) styles them.
They follow the text: after an edit the transcript words are re-aligned to it (``align``).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual.widgets import TextArea
from textual.widgets.text_area import Selection

from assistant.models import Transcript
from assistant.playback import WordSpan, align_words

LOW_CONFIDENCE = 0.5

STYLES = {
    "playing": Style(bgcolor="dark_green", bold=True),
    "low": Style(underline=True, color="yellow"),
    "corrected": Style(color="cyan", underline=True),
    "invented": Style(bgcolor="dark_red"),
    "evidence": Style(bgcolor="blue", bold=True),
}


@dataclass(frozen=True)
class Flag:
    """Something to review: a low-confidence word, a correction or an invented span."""

    kind: str  # low | corrected | invented
    start: int  # character offsets in the text
    end: int
    note: str
    correction: int | None = None  # index into transcript.corrections
    segment: int | None = None  # the flagged segment's id, for "invented"


class TranscriptEditor(TextArea):
    """A TextArea that knows where each transcript word is in the text."""

    def __init__(self, text: str = "", **kwargs) -> None:
        super().__init__(text, soft_wrap=True, show_line_numbers=False, **kwargs)
        self.transcript: Transcript | None = None
        self.spans: list[WordSpan] = []
        self.flags: list[Flag] = []
        self._marks: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
        self._line_starts: list[int] = [0]
        self.playing_word: int | None = None
        self.evidence: tuple[int, int] | None = None
        self.reviewed: frozenset[str] = frozenset()  # "seg:<id>" of spans already reviewed

    # -- marks -------------------------------------------------------------------------------

    def set_transcript(self, transcript: Transcript | None) -> None:
        self.transcript = transcript
        self.align()

    def align(self) -> None:
        """Recompute word spans and flags for the current text."""
        text = self.text
        self._line_starts = [0]
        for i, ch in enumerate(text):
            if ch == "\n":
                self._line_starts.append(i + 1)
        self.spans, self.flags = [], []
        if self.transcript is not None:
            words = self.transcript.words
            self.spans = align_words(words, text)
            self.flags = _flags(self.transcript, self.spans, self.reviewed)
        self._rebuild()

    def _rebuild(self) -> None:
        marks: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
        items = [(f.start, f.end, f.kind) for f in self.flags]
        span = self.span_of_word(self.playing_word)
        if span is not None:
            items.append((span.start, span.end, "playing"))
        if self.evidence is not None:
            items.append((*self.evidence, "evidence"))
        for start, end, kind in items:
            (r0, c0), (r1, c1) = self.location(start), self.location(end)
            for row in range(r0, r1 + 1):
                a = c0 if row == r0 else 0
                b = c1 if row == r1 else len(self.document.get_line(row))
                marks[row].append((a, b, kind))
        self._marks = marks
        self._line_cache.clear()
        self.refresh()

    def get_line(self, line_index: int) -> Text:
        line = super().get_line(line_index)
        for start, end, kind in self._marks.get(line_index, ()):
            line.stylize(STYLES[kind], start, end)
        return line

    # -- offsets -----------------------------------------------------------------------------

    def location(self, offset: int) -> tuple[int, int]:
        row = bisect.bisect_right(self._line_starts, offset) - 1
        return row, offset - self._line_starts[row]

    def offset(self, location: tuple[int, int]) -> int:
        row, col = location
        row = min(row, len(self._line_starts) - 1)
        return self._line_starts[row] + col

    def span_of_word(self, index: int | None) -> WordSpan | None:
        if index is None:
            return None
        i = bisect.bisect_left([s.index for s in self.spans], index)
        if i < len(self.spans) and self.spans[i].index == index:
            return self.spans[i]
        return self.spans[i - 1] if i > 0 else None

    def word_at_cursor(self) -> int | None:
        """The transcript word under (or just before) the cursor."""
        if not self.spans:
            return None
        pos = self.offset(self.cursor_location)
        i = bisect.bisect_right([s.start for s in self.spans], pos) - 1
        return self.spans[max(i, 0)].index

    def show_playing(self, index: int | None, follow: bool = False) -> None:
        if index == self.playing_word:
            return
        self.playing_word = index
        self._rebuild()
        span = self.span_of_word(index)
        if follow and span is not None:
            self.move_cursor(self.location(span.start))

    def show_evidence(self, start: int, end: int) -> None:
        self.evidence = (start, end)
        self._rebuild()
        self.move_cursor(self.location(start))
        self.scroll_cursor_visible(center=True)

    def next_flag(self, backwards: bool = False) -> Flag | None:
        """Select the next (or previous) flagged span after the cursor, wrapping around."""
        if not self.flags:
            return None
        pos = self.offset(self.cursor_location)
        ordered = sorted(self.flags, key=lambda f: f.start)
        if backwards:
            before = [f for f in ordered if f.start < pos]
            flag = before[-1] if before else ordered[-1]
        else:
            after = [f for f in ordered if f.start > pos]
            flag = after[0] if after else ordered[0]
        self.selection = Selection(self.location(flag.start), self.location(flag.end))
        self.scroll_cursor_visible(center=True)
        return flag

    def flag_at_cursor(self, kind: str | None = None) -> Flag | None:
        pos = self.offset(self.cursor_location)
        for f in self.flags:
            if f.start <= pos <= f.end and (kind is None or f.kind == kind):
                return f
        return None

    def undo_correction(self) -> str | None:
        """Put back what was heard for the correction under the cursor; returns it."""
        flag = self.flag_at_cursor("corrected")
        if flag is None or self.transcript is None or flag.correction is None:
            return None
        original = self.transcript.corrections[flag.correction].original
        self.replace(original, self.location(flag.start), self.location(flag.end))
        return original


def _flags(transcript: Transcript, spans: list[WordSpan], reviewed: frozenset[str]) -> list[Flag]:
    by_index = {s.index: s for s in spans}
    words = transcript.words
    flags: list[Flag] = []
    corrected: set[int] = set()
    for n, c in enumerate(transcript.corrections):
        if c.word_index < 0:
            continue
        first = by_index.get(c.word_index)
        last = by_index.get(c.word_index + max(c.word_count, 1) - 1) or first
        if first is None or last is None:
            continue
        corrected.update(range(c.word_index, c.word_index + max(c.word_count, 1)))
        note = f"corrected from '{c.original}' ({c.kind}, {c.score:.0f})"
        flags.append(Flag("corrected", first.start, last.end, note, n))
    for s in spans:
        if s.index not in corrected and words[s.index].probability < LOW_CONFIDENCE:
            note = f"low confidence ({words[s.index].probability:.2f})"
            flags.append(Flag("low", s.start, s.end, note))
    offset = 0
    for seg in transcript.segments:
        count = len(seg.words)
        if seg.flags and f"seg:{seg.id}" not in reviewed:
            inside = [by_index[i] for i in range(offset, offset + count) if i in by_index]
            if inside:
                note = f"possibly invented ({', '.join(seg.flags)})"
                start, end = inside[0].start, inside[-1].end
                flags.append(Flag("invented", start, end, note, segment=seg.id))
        offset += count
    return flags
