"""Slow core work the screens run from worker threads: code suggestion, code search, grouping,
transcription with progress.

The ICD-10 index is a SQLite connection, which belongs to one thread, so every coding call goes
through one long-lived executor thread; a Textual worker submits and waits (its own thread is
free to be cancelled meanwhile). The matcher is built once (about 1.5 s) and reused.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from assistant.config import Settings
from assistant.models import Segment, Transcript

log = logging.getLogger(__name__)


class CodingEngine:
    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="coding")
        self._index: Any = None

    def _run(self, fn: Callable[..., Any], *args: Any) -> Any:
        return self._pool.submit(fn, *args).result()

    def _idx(self) -> Any:
        if self._index is None:
            from assistant.coding.index import open_index

            self._index = open_index()
        return self._index

    def suggest(self, text: str) -> Any:
        """A CodingResult (suggestions with evidence, and excluded findings)."""

        def run() -> Any:
            from assistant.coding.suggest import analyze

            return analyze(text, self._idx())

        return self._run(run)

    def search(self, text: str, limit: int = 30) -> list[Any]:
        return self._run(lambda: self._idx().search(text, limit=limit))

    def notes(self, code: str) -> list[str]:
        """The tabular notes of a code and its ancestors, as "kind: note" lines."""

        def run() -> list[str]:
            idx = self._idx()
            info = idx.get(code)
            if info is None:
                return []
            lines = []
            for entry in (info, *idx.ancestors(code)):
                for kind, notes in entry.notes.items():
                    lines += [f"{entry.display_code} {kind}: {n}" for n in notes]
            return lines

        return self._run(run)

    def describe(self, code: str) -> Any:
        return self._run(lambda: self._idx().get(code))

    def edits(self, codes: list[Any], age: int | None, sex: str | None) -> list[Any]:
        """Code edits (excludes1, code first, use additional, not billable, MCE)."""

        def run() -> list[Any]:
            from assistant.coding.edits import validate_codes

            return validate_codes(codes, age, sex, index=self._idx())

        return self._run(run)

    def group(self, claim: Any) -> Any:
        from assistant.coding.drg import group_drg

        return group_drg(claim)

    def close(self) -> None:
        def shut() -> None:
            if self._index is not None:
                self._index.close()

        self._pool.submit(shut).result()
        self._pool.shutdown(wait=True)


class _Progress:
    """A transcriber wrapper that reports how far decoding has got (seconds of audio)."""

    def __init__(self, inner: Any, on_progress: Callable[[float], None]) -> None:
        self._inner = inner
        self._on_progress = on_progress

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def transcribe(self, clip: Any, options: Any = None) -> Iterator[Segment]:
        for seg in self._inner.transcribe(clip, options):
            self._on_progress(seg.end)
            yield seg


def transcribe_with_progress(
    transcriber: Any,
    path: str,
    settings: Settings,
    report_type: str | None,
    on_progress: Callable[[float, float], None],
) -> Transcript:
    """The medical pipeline on one file, calling ``on_progress(done_s, total_s)`` as it goes."""
    from assistant.audio import load_audio
    from assistant.pipeline import transcribe_medical

    clip = load_audio(path)
    total = clip.duration
    wrapped = _Progress(transcriber, lambda done: on_progress(min(done, total), total))
    return transcribe_medical(wrapped, clip, settings, report_type=report_type)
