"""Batch processing of audio folders: every file becomes a filed preliminary report, exactly once.

``process_folder`` yields one ``FileResult`` per file (errors are results, not exceptions):

* Each file is a job keyed by its content SHA-256 (a renamed copy is the same job). The parent
  hashes the file and claims the job in one short transaction ('processing'), a worker process
  decodes, transcribes and builds the report, and the parent, the one writer, files everything
  and finishes the job in ONE transaction (``batch_store.file_result``).
* After a crash or ``kill -9``, jobs left 'processing' are re-queued at the next run's start:
  nothing is lost, and nothing is filed twice because filing and 'done' commit together.
* Bad files (empty, corrupt, silent, unsupported, cut) are quarantined with a typed reason.
  A file whose bytes cannot be read at all (permission denied, a dangling link, a FIFO, gone
  since the scan) has no content hash, so its job is keyed by its path instead
  (``store.jobs.path_key``); once the file can be read, its content job replaces that one.
* Watch mode holds a file without an MRN up to ``sidecar_wait_s`` for a late sidecar.
* Files are moved (``move_done`` / ``quarantine``) only after the commit; a move interrupted by a
  crash is completed by the next run, which finds the job already done.
* Setting ``stop`` (Ctrl-C) stops feeding new files; the files in hand are finished and filed.

Workers (``batch_pool``) use the ``spawn`` start method and split the CPU cores between them,
so N workers never oversubscribe the machine.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections import deque
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from assistant.batch_files import (
    NotARegularFile,
    StableFiles,
    compile_pattern,
    lacks_mrn,
    move_away,
    read_metadata,
    regular_file_sha256,
    scan_folder,
    sidecar_path,
)
from assistant.batch_pool import WorkerPool, cpu_count, default_workers, threads_per_worker
from assistant.config import Settings
from assistant.errors import AssistantError, BatchError
from assistant.models import DictationMeta

log = logging.getLogger(__name__)

__all__ = [
    "BatchOptions",
    "FileResult",
    "cpu_count",
    "default_workers",
    "process_folder",
    "scan_folder",
    "summarize",
    "threads_per_worker",
]


@dataclass(frozen=True)
class BatchOptions:
    workers: int = 0  # 0 = default_workers()
    watch: bool = False
    move_done: Path | None = None
    quarantine: Path | None = None
    filename_pattern: str | None = None  # None = settings.batch.filename_pattern
    poll_s: float = 1.0  # watch mode: how often the folder is scanned
    settle_s: float = 2.0  # watch mode: a file must keep its size this long to be taken
    sidecar_wait_s: float | None = None  # watch mode; None = settings.batch.sidecar_wait_s
    max_attempts: int = 3  # a file that crashed its worker this often is quarantined


@dataclass(frozen=True)
class FileResult:
    path: Path
    state: str  # done | skipped | quarantined
    sha256: str | None = None
    reason: str | None = None  # quarantine or skip reason (AudioError.reason and friends)
    error: str | None = None  # a message a person can act on, for quarantined files
    duration: float = 0.0  # seconds of audio transcribed (0 unless done now)
    wall_s: float = 0.0
    dictation_id: int | None = None
    document_id: int | None = None
    patient_id: int | None = None  # None for a dictation waiting to be matched
    note: str | None = None
    moved_to: Path | None = None
    worker_pid: int | None = None
    worker_max_rss_kb: int | None = None


@dataclass
class _Task:
    path: Path
    sha256: str
    meta: DictationMeta
    note: str | None
    attempts: int


def process_folder(
    folder: str | Path,
    db_path: str | Path,
    settings: Settings | None = None,
    options: BatchOptions | None = None,
    stop: threading.Event | None = None,
) -> Iterator[FileResult]:
    """Process every audio file under ``folder`` into the store at ``db_path`` (see module doc)."""
    runner = _Runner(Path(folder), Path(db_path), settings or Settings(), options or BatchOptions())
    return runner.run(stop or threading.Event())


class _Runner:
    def __init__(self, folder: Path, db_path: Path, settings: Settings, options: BatchOptions):
        if not folder.is_dir():
            raise BatchError(f"{folder} is not a folder.")
        self.folder = folder
        self.db_path = db_path
        self.settings = settings
        self.options = options
        self.workers = options.workers or settings.batch.workers or default_workers()
        if self.workers < 1:
            raise BatchError("--workers must be at least 1.")
        pattern = options.filename_pattern
        self.pattern = compile_pattern(
            settings.batch.filename_pattern if pattern is None else pattern
        )
        self.exclude = tuple(p for p in (options.move_done, options.quarantine) if p is not None)
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}"
        self._pool = WorkerPool(self.workers, settings)

    # -- the loop ---------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> Iterator[FileResult]:
        from assistant.store import connect, requeue_processing, system_user

        self.store = connect(self.db_path, busy_timeout_ms=self.settings.store.busy_timeout_ms)
        try:
            self.user = system_user(self.store)
            requeued = requeue_processing(self.store, self.user)
            if requeued:
                log.info("re-queued %d jobs left processing by an earlier run", requeued)
            yield from self._loop(stop)
        except BaseException:
            # Aborted (a second Ctrl-C, or the caller stopped iterating): do not wait for the
            # files in hand; their jobs stay 'processing' and the next run re-queues them.
            self._pool.close(abort=True)
            raise
        finally:
            self._pool.close(abort=False)
            self.store.close()

    def _watcher(self) -> StableFiles | None:
        if not self.options.watch:
            return None
        wait_s = self.options.sidecar_wait_s
        return StableFiles(
            self.folder,
            self.exclude,
            self.options.settle_s,
            self.settings.batch.sidecar_wait_s if wait_s is None else wait_s,
            lambda path: lacks_mrn(path, self.pattern),
        )

    def _loop(self, stop: threading.Event) -> Iterator[FileResult]:
        watcher = self._watcher()
        # Files with a sidecar first: of two copies of one recording, the one that says whose
        # it is gets filed, and the bare copy is the one skipped as a duplicate. Larger files
        # first, so that no worker is left with a long file while the others sit idle.
        found = [] if watcher else scan_folder(self.folder, self.exclude)
        pending = deque(sorted(found, key=lambda p: (sidecar_path(p) is None, -_size(p))))
        in_flight: dict[Future[dict[str, Any]], _Task] = {}
        while True:
            if watcher is not None and not stop.is_set():
                pending.extend(watcher.ready())
            while pending and len(in_flight) < self.workers and not stop.is_set():
                prepared = self._prepare(pending.popleft())
                if isinstance(prepared, FileResult):
                    yield prepared
                else:
                    in_flight[self._submit(prepared)] = prepared
            if not in_flight:
                if pending and not stop.is_set():
                    continue
                if watcher is None or stop.is_set():
                    return
                stop.wait(self.options.poll_s)
                continue
            timeout = self.options.poll_s if watcher is not None else None
            done, _ = wait(in_flight, timeout=timeout, return_when=FIRST_COMPLETED)
            for future in done:
                task = in_flight.pop(future)
                yield from self._collect(future, task, pending)

    # -- before: hash, skip or claim -----------------------------------------------------------

    def _prepare(self, path: Path) -> FileResult | _Task:
        from assistant.store import claim_job, get_job

        try:
            sha = regular_file_sha256(path)
        except OSError as e:
            return self._unreadable(path, e)
        job = claim_job(self.store, self.user, sha, path=str(path), worker=self.worker_id)
        if job is None:
            return self._not_claimed(path, sha, get_job(self.store, self.user, sha))
        meta, note = read_metadata(path, self.pattern)
        return _Task(path, sha, meta, note, job.attempts)

    def _unreadable(self, path: Path, e: OSError) -> FileResult:
        """Quarantine a file whose bytes cannot be read, under a job keyed by its path."""
        from assistant.store import path_key, quarantine_job

        if isinstance(e, NotARegularFile):
            reason = "not_a_file"
        elif isinstance(e, FileNotFoundError) and not os.path.lexists(path):
            reason = "vanished"  # gone since the scan (a dangling link is 'unreadable')
        else:
            reason = "unreadable"
        key = path_key(path)
        quarantine_job(self.store, self.user, key, reason, path=str(path))
        log.info("job %s quarantined: %s", key[:12], reason)
        error = f"{path.name}: cannot be read ({e.strerror or e})."
        return self._quarantined_file(path, key, reason, error)

    def _not_claimed(self, path: Path, sha: str, job: Any) -> FileResult:
        if job.state == "quarantined":
            error = f"quarantined earlier ({job.reason}); `assistant jobs requeue {sha[:12]}`."
            return self._quarantined_file(path, sha, job.reason, error)
        if job.state == "done":
            same = Path(job.path).name == path.name
            reason = "already_done" if same else "duplicate"
            moved = self._move(path, self.options.move_done)
            return FileResult(
                path,
                "skipped",
                sha,
                reason,
                note=f"same audio as {job.path}",
                dictation_id=job.dictation_id,
                document_id=job.document_id,
                moved_to=moved,
            )
        return FileResult(path, "skipped", sha, "duplicate", note="same audio is in progress")

    def _submit(self, task: _Task) -> Future[dict[str, Any]]:
        from assistant.batch_worker import process_file

        return self._pool.submit(
            process_file, str(task.path), task.sha256, task.meta.report_type, task.meta.specialty
        )

    # -- after: file or quarantine ---------------------------------------------------------------

    def _collect(
        self, future: Future[dict[str, Any]], task: _Task, pending: deque[Path]
    ) -> Iterator[FileResult]:
        try:
            work = future.result()
        except BrokenProcessPool:
            yield from self._worker_died(task, pending)
            return
        except AssistantError as e:  # the model cannot load: no file's fault, so stop here
            self._requeue(task)
            raise BatchError(f"Batch stopped: {e}") from e
        except Exception as e:  # a bug on one file must not stop the batch; it is recorded
            log.exception("job %s failed in its worker", task.sha256[:12])
            work = {"ok": False, "reason": "internal_error", "message": f"{type(e).__name__}: {e}"}
        if work["ok"]:
            yield self._file(task, work)
        else:
            yield self._quarantine(task, work["reason"], work["message"], work)

    def _file(self, task: _Task, work: dict[str, Any]) -> FileResult:
        from assistant.batch_store import file_result
        from assistant.errors import IntegrityViolation
        from assistant.store import get_job

        try:
            filed = file_result(self.store, self.user, task.sha256, str(task.path), task.meta, work)
        except IntegrityViolation:
            # Another run on the same store filed this audio first (it re-queued our claim):
            # the whole transaction was rolled back, so it is still filed exactly once.
            job = get_job(self.store, self.user, task.sha256)
            if job is None or job.state != "done":
                raise
            return FileResult(
                task.path,
                "skipped",
                task.sha256,
                "duplicate",
                note="filed by another run",
                dictation_id=job.dictation_id,
                document_id=job.document_id,
            )
        log.info("job %s done: dictation %s", task.sha256[:12], filed.dictation_id)
        moved = self._move(task.path, self.options.move_done)
        return FileResult(
            task.path,
            "done",
            task.sha256,
            duration=work["duration"],
            wall_s=work["wall_s"],
            dictation_id=filed.dictation_id,
            document_id=filed.document_id,
            patient_id=filed.patient_id,
            note=filed.note or task.note,
            moved_to=moved,
            worker_pid=work.get("pid"),
            worker_max_rss_kb=work.get("max_rss_kb"),
        )

    def _quarantine(
        self, task: _Task, reason: str, message: str, work: dict[str, Any] | None = None
    ) -> FileResult:
        from assistant.store import quarantine_job

        quarantine_job(self.store, self.user, task.sha256, reason, path=str(task.path))
        log.info("job %s quarantined: %s", task.sha256[:12], reason)
        result = self._quarantined_file(task.path, task.sha256, reason, message)
        work = work or {}
        return replace(result, worker_pid=work.get("pid"), worker_max_rss_kb=work.get("max_rss_kb"))

    def _quarantined_file(self, path: Path, sha: str, reason: str, error: str) -> FileResult:
        moved = self._move(path, self.options.quarantine)
        return FileResult(path, "quarantined", sha, reason, error, moved_to=moved)

    def _worker_died(self, task: _Task, pending: deque[Path]) -> Iterator[FileResult]:
        """A worker process died (killed, out of memory, a crash in a decoder): every task in
        flight failed with it. Each is tried again in a fresh pool, up to max_attempts."""
        self._pool.close(abort=True)
        if task.attempts >= self.options.max_attempts:
            msg = f"{task.path.name}: its worker process died; tried {task.attempts} times."
            yield self._quarantine(task, "worker_crashed", msg)
            return
        self._requeue(task)
        pending.appendleft(task.path)

    def _requeue(self, task: _Task) -> None:
        from assistant.store import requeue_job

        requeue_job(self.store, self.user, task.sha256)

    def _move(self, path: Path, dest_root: Path | None) -> Path | None:
        if dest_root is None or not path.exists():
            return None
        try:
            return move_away(path, self.folder, dest_root)
        except OSError as e:  # the job is committed; a failed move is retried by the next run
            log.warning("could not move a file to %s: %s", dest_root, e.strerror)
            return None


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def summarize(results: list[FileResult], wall_s: float, workers: int) -> dict[str, Any]:
    """The end-of-run summary (the CLI's --json output)."""
    by_state: dict[str, list[FileResult]] = {"done": [], "skipped": [], "quarantined": []}
    for r in results:
        by_state[r.state].append(r)
    audio = sum(r.duration for r in by_state["done"])
    peaks: dict[int, int] = {}
    for r in results:
        if r.worker_pid is not None and r.worker_max_rss_kb is not None:
            peaks[r.worker_pid] = max(peaks.get(r.worker_pid, 0), r.worker_max_rss_kb)
    return {
        "counts": {state: len(items) for state, items in by_state.items()},
        "done": [
            _entry(r, "dictation_id", "document_id", "patient_id", "note") for r in by_state["done"]
        ],
        "skipped": [_entry(r, "reason", "note") for r in by_state["skipped"]],
        "quarantined": [_entry(r, "reason", "error") for r in by_state["quarantined"]],
        "unassigned": sum(1 for r in by_state["done"] if r.patient_id is None),
        "audio_seconds": round(audio, 1),
        "wall_seconds": round(wall_s, 1),
        "speed_x_realtime": round(audio / wall_s, 2) if wall_s > 0 else None,
        "workers": workers,
        "peak_rss_mb_per_worker": sorted(round(kb / 1024, 1) for kb in peaks.values()),
    }


def _entry(r: FileResult, *keys: str) -> dict[str, Any]:
    out: dict[str, Any] = {"path": str(r.path), "sha256": r.sha256}
    out.update({k: getattr(r, k) for k in keys})
    if r.moved_to is not None:
        out["moved_to"] = str(r.moved_to)
    return out
