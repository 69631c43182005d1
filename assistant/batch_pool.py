"""The batch's worker processes: how many, how many threads each, and stopping them on abort.

``WorkerPool`` wraps a ``ProcessPoolExecutor`` (spawn start method: no inherited locks or SQLite
handles). Before Python 3.14 the executor has no public way to stop busy workers, so each
worker reports its pid through a queue as it starts (``batch_worker.init_worker``), and an
abort terminates the live ``multiprocessing`` children whose pid is on that list. A worker
still starting has not reported yet, so the children that appeared during a ``submit`` (the
executor starts its workers there) are terminated too. Going through
``multiprocessing.active_children()`` (our own unreaped children) rather than ``os.kill(pid)``
means a pid the system has since given to another process is never hit.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from assistant.config import Settings

log = logging.getLogger(__name__)


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_workers(cores: int | None = None) -> int:
    """One single-threaded worker per core up to 4 cores, then two threads per worker.

    Much of a file's work (decoding the container, VAD, features, the Python around the
    model) runs on one thread whatever ``cpu_threads`` says, so one process per core keeps
    every core busy. benchmarks/bench_batch.py on 2 shared cores: 2 workers x 1 thread took
    55 s and 32 CPU s where 1 worker x 2 threads took 67 s and 38 CPU s. Past 4 cores, two
    threads per worker halves the model copies in memory.
    """
    cores = cores or cpu_count()
    return cores if cores <= 4 else cores // 2


def threads_per_worker(workers: int, cores: int | None = None) -> int:
    return max(1, (cores or cpu_count()) // max(1, workers))


class WorkerPool:
    """N worker processes, started on the first ``submit``; ``close(abort=True)`` kills them."""

    def __init__(self, workers: int, settings: Settings) -> None:
        self.workers = workers
        self.settings = settings
        self._executor: ProcessPoolExecutor | None = None
        self._pid_queue: Any = None
        self._pids: set[int] = set()
        self._started: set[Any] = set()  # children that appeared while we submitted

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        before = set(multiprocessing.active_children())
        future = self._start().submit(fn, *args)
        self._started.update(set(multiprocessing.active_children()) - before)
        return future

    def _start(self) -> ProcessPoolExecutor:
        if self._executor is None:
            from assistant.batch_worker import init_worker

            ctx = multiprocessing.get_context("spawn")
            threads = self.settings.transcription.cpu_threads or threads_per_worker(self.workers)
            self._pid_queue = ctx.SimpleQueue()
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=ctx,
                initializer=init_worker,
                initargs=(self.settings, threads, os.getpid(), self._pid_queue),
            )
        return self._executor

    def close(self, abort: bool) -> None:
        """Wait for the files in hand, or (``abort``) terminate the workers first."""
        if self._executor is None:
            return
        if abort:
            self.terminate_workers()
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._executor = None
        self._pid_queue.close()
        self._pid_queue = None
        self._pids.clear()
        self._started.clear()

    def terminate_workers(self) -> int:
        """SIGTERM every live worker of this pool; how many were signalled."""
        while self._pid_queue is not None and not self._pid_queue.empty():
            self._pids.add(self._pid_queue.get())
        killed = 0
        for child in multiprocessing.active_children():
            if child.pid in self._pids or child in self._started:
                child.terminate()
                killed += 1
        log.info("terminated %d batch workers", killed)
        return killed
