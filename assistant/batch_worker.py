"""The worker side of batch processing: decode, transcribe, format and build one report.

Each worker process loads the model once (on its first file) and returns plain dicts, so that
only picklable data crosses the process boundary and the parent alone writes to the store.
A worker ignores SIGINT (Ctrl-C in a terminal reaches the whole process group; the parent
decides when to stop, and the file in hand is finished) and exits by itself when its parent
dies (``kill -9`` of the batch must not leave orphans transcribing).
"""

from __future__ import annotations

import logging
import os
import resource
import signal
import threading
import time
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.errors import AudioError, TemplateError, TranscriptionError

log = logging.getLogger(__name__)

PARENT_POLL_S = 0.5

# Per-process state set by init_worker (a process pool has no other way to keep a model).
_state: dict[str, Any] = {}


def init_worker(
    settings: Settings, cpu_threads: int, parent_pid: int, pid_queue: Any = None
) -> None:
    """Pool initializer: report this worker's pid (so an abort can stop it), remember the
    settings; the model itself loads on the first file."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if pid_queue is not None:
        pid_queue.put(os.getpid())
    _state.clear()
    _state.update(settings=settings, cpu_threads=cpu_threads)
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()


def _watch_parent(parent_pid: int) -> None:
    while True:
        time.sleep(PARENT_POLL_S)
        if os.getppid() != parent_pid:
            os._exit(1)  # the batch was killed; its jobs are re-queued by the next run


def _engine() -> dict[str, Any]:
    """Model, templates and the clinical formatter, loaded once per process."""
    if "transcriber" not in _state:
        from assistant.formatting import clinical_formatter
        from assistant.reports import load_templates
        from assistant.transcribe import WhisperTranscriber

        settings: Settings = _state.get("settings") or Settings()
        threads = _state.get("cpu_threads", settings.transcription.cpu_threads)
        _state["settings"] = settings
        _state["transcriber"] = WhisperTranscriber(settings.transcription, cpu_threads=threads)
        _state["templates"] = load_templates(settings.reports.template_dirs)
        _state["format"] = clinical_formatter(settings, _state["templates"])
    return _state


def failed(reason: str, message: str) -> dict[str, Any]:
    return {"ok": False, "reason": reason, "message": message, **_usage()}


def _usage() -> dict[str, Any]:
    # ru_maxrss is in KiB on Linux: the peak resident memory of this worker so far.
    return {"pid": os.getpid(), "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}


def process_file(
    path: str, sha256: str, report_type: str | None = None, specialty: str | None = None
) -> dict[str, Any]:
    """One file -> {"ok": True, transcript, text, report, ...} or {"ok": False, reason, ...}.

    Bad audio is an answer (a reason to quarantine), not an exception; only a model that cannot
    load raises, since that is no file's fault.
    """
    from assistant.audio import load_audio

    started = time.perf_counter()
    try:
        clip = load_audio(path)
    except AudioError as e:
        return failed(e.reason, str(e))
    except OSError as e:
        return failed("unreadable", f"{Path(path).name}: cannot be read ({e.strerror}).")
    if clip.sha256 != sha256:
        return failed("file_changed", f"{Path(path).name} changed while it was being read.")
    if clip.partial:
        return failed(
            "partial_audio",
            f"{Path(path).name} decodes to {clip.duration:.1f}s of a declared "
            f"{clip.declared_duration:.1f}s; the file looks cut or damaged.",
        )
    engine = _engine()
    try:
        return _transcribe_and_build(engine, clip, report_type, specialty, started)
    except TranscriptionError as e:
        return failed("transcription_failed", str(e))
    except TemplateError as e:
        return failed("report_failed", str(e))


def _transcribe_and_build(
    engine: dict[str, Any],
    clip: Any,
    report_type: str | None,
    specialty: str | None,
    started: float,
) -> dict[str, Any]:
    from assistant.pipeline import transcribe_medical
    from assistant.reports import build_report, report_to_dict
    from assistant.transcribe import transcript_to_dict

    settings: Settings = engine["settings"]
    templates = engine["templates"]
    known_type = report_type if report_type in templates else None
    transcript = transcribe_medical(
        engine["transcriber"], clip, settings, report_type=known_type, specialty=specialty
    )
    if transcript.no_speech:
        return failed("no_speech", f"{clip.source.name}: no speech found (silence or noise).")
    raw = transcript.text
    if not raw.strip():
        return failed("empty_transcript", f"{clip.source.name}: the model heard no words.")
    text = engine["format"](raw)
    report = build_report(text, known_type, templates)
    return {
        "ok": True,
        "transcript": transcript_to_dict(transcript),
        "raw_text": raw,
        "text": text,
        "report": report_to_dict(report),
        "duration": clip.duration,
        "wall_s": round(time.perf_counter() - started, 3),
        **_usage(),
    }
