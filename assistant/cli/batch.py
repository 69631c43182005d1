"""`assistant` commands: batch, and `jobs list|requeue` for the batch's job queue."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from assistant.cli.app import main
from assistant.cli.common import sign_in, store_options, to_json

# The store's JOB_STATES, spelled out so that `assistant --help` does not import the store.
JOB_STATES = ("queued", "processing", "done", "quarantined")


@main.command("batch")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Record store (default: settings [store] db_path).",
)
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes (default: by cores).")
@click.option("--watch", is_flag=True, help="Keep watching FOLDER for new files until Ctrl-C.")
@click.option(
    "--move-done",
    type=click.Path(file_okay=False, path_type=Path),
    help="Move each filed audio (and sidecar) here, after the commit.",
)
@click.option(
    "--quarantine",
    type=click.Path(file_okay=False, path_type=Path),
    help="Move each quarantined file here.",
)
@click.option(
    "--pattern",
    "filename_pattern",
    help="Filename regex with named groups (mrn, report_type, author...).",
)
@click.option("--beam-size", type=click.IntRange(min=1), help="Beam size (default: settings).")
@click.option(
    "--vocab/--no-vocab",
    "use_vocabulary",
    default=None,
    help="Medical vocabulary biasing and correction (default: settings; off is faster).",
)
@click.option(
    "--settle",
    type=click.FloatRange(min=0),
    default=2.0,
    show_default=True,
    help="Watch mode: seconds a file's size must stay unchanged before it is taken.",
)
@click.option(
    "--sidecar-wait",
    type=click.FloatRange(min=0),
    help="Watch mode: seconds a file without an MRN waits for its JSON sidecar before it is"
    " filed unassigned (default: settings [batch] sidecar_wait_s, 5).",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary on stdout.")
@click.pass_obj
def batch_command(
    settings: Any,
    folder: Path,
    db_path: Path | None,
    workers: int | None,
    watch: bool,
    move_done: Path | None,
    quarantine: Path | None,
    filename_pattern: str | None,
    beam_size: int | None,
    use_vocabulary: bool | None,
    settle: float,
    sidecar_wait: float | None,
    as_json: bool,
) -> None:
    """Transcribe every audio file under FOLDER into preliminary reports in the record store.

    Each file is a job keyed by its SHA-256: files already processed (or renamed copies) are
    skipped, and a run stopped by a crash or Ctrl-C is finished by running it again. Metadata is
    read from a NAME.json sidecar or the --pattern; a file without a usable MRN is filed as an
    unassigned dictation for a records specialist. Bad files are quarantined with a reason.

    \b
    Examples:
      assistant batch inbox/ --db records.db
      assistant batch inbox/ --watch --move-done done/ --quarantine bad/
      assistant batch inbox/ --pattern '(?P<mrn>MRN\\d+)_(?P<report_type>\\w+)' --json
    """
    import json
    import signal
    import threading
    import time

    from assistant.batch import BatchOptions, default_workers, process_folder, summarize
    from assistant.config import with_overrides

    settings = with_overrides(
        settings, transcription={"beam_size": beam_size, "use_vocabulary": use_vocabulary}
    )
    options = BatchOptions(
        workers=workers or settings.batch.workers or default_workers(),
        watch=watch,
        move_done=move_done,
        quarantine=quarantine,
        filename_pattern=filename_pattern,
        settle_s=settle,
        sidecar_wait_s=sidecar_wait,
    )
    stop = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        if stop.is_set():  # a second Ctrl-C: stop now; unfinished jobs are re-queued next run
            raise KeyboardInterrupt
        stop.set()
        click.echo("Stopping: finishing the files in hand (Ctrl-C again to abort)...", err=True)

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    started = time.perf_counter()
    results = []
    try:
        files = process_folder(folder, db_path or settings.store.db_path, settings, options, stop)
        with _BatchProgress(folder, watch, (move_done, quarantine)) as progress:
            for result in files:
                results.append(result)
                progress.update(result)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    summary = summarize(results, time.perf_counter() - started, options.workers)
    if as_json:
        click.echo(json.dumps(summary, indent=2))
    else:
        click.echo(_batch_summary_line(summary), err=True)


def _batch_summary_line(summary: dict[str, Any]) -> str:
    from collections import Counter

    counts = summary["counts"]
    reasons = Counter(q["reason"] for q in summary["quarantined"])
    why = ", ".join(f"{k}: {v}" for k, v in sorted(reasons.items()))
    speed = summary["speed_x_realtime"]
    return (
        f"done {counts['done']} ({summary['unassigned']} unassigned), skipped"
        f" {counts['skipped']}, quarantined {counts['quarantined']}{f' ({why})' if why else ''};"
        f" {summary['audio_seconds'] / 60:.1f} audio min in {summary['wall_seconds']:.0f} s"
        f"{f' ({speed}x real time)' if speed else ''}"
    )


class _BatchProgress:
    """A rich progress bar on a terminal (files, audio minutes, speed, ETA); one plain line
    per file on stderr otherwise (logs, pipes, CI)."""

    def __init__(self, folder: Path, watch: bool, exclude: tuple[Path | None, ...]) -> None:
        import time

        from assistant.batch import scan_folder

        self.folder = folder
        self.tty = sys.stderr.isatty()
        skip = tuple(p for p in exclude if p is not None)
        self.total = None if watch else len(scan_folder(folder, skip))
        self.audio = 0.0
        self.count = 0
        self.started = time.perf_counter()
        self.bar: Any = None

    def __enter__(self) -> _BatchProgress:
        if self.tty:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self.bar = Progress(
                TextColumn("[bold]batch"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("files  {task.fields[audio]}"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
            )
            self.bar.__enter__()
            self.task = self.bar.add_task("batch", total=self.total, audio="")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)

    def update(self, result: Any) -> None:
        import time

        self.count += 1
        self.audio += result.duration
        wall = max(time.perf_counter() - self.started, 1e-6)
        audio = f"{self.audio / 60:.1f} audio min, {self.audio / wall:.1f}x"
        try:
            name = result.path.relative_to(self.folder)
        except ValueError:
            name = result.path
        detail = result.reason or ("unassigned" if result.patient_id is None else "filed")
        line = f"{result.state:<11} {name} ({detail})"
        if self.bar is not None:
            self.bar.update(self.task, advance=1, audio=audio)
            if result.state == "quarantined":
                self.bar.console.print(line)
        else:
            click.echo(f"[{self.count}/{self.total or '?'}] {line}; {audio}", err=True)


# --- jobs -------------------------------------------------------------------------------------


@main.group("jobs")
def jobs_group() -> None:
    """List batch jobs; requeue or remove quarantined ones (needs the HIM/records admin role)."""


@jobs_group.command("list")
@click.option("--state", type=click.Choice(JOB_STATES), help="Only jobs in this state.")
@click.option("--reason", help="Only jobs with this reason (e.g. unreadable, no_speech).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@store_options
@click.pass_obj
def jobs_list_command(
    settings: Any, state: str | None, reason: str | None, as_json: bool, **o: Any
) -> None:
    """List batch jobs: key, state, reason, attempts, last change, file.

    A key starting "path:" belongs to a file whose content could not be read.

    \b
    Examples:
      assistant jobs list --state quarantined --user tina
      assistant jobs list --reason no_speech --json --user tina
    """
    from assistant.store import list_jobs

    store, user, _ = sign_in(settings, o)
    jobs = list_jobs(store, user, state=state, reason=reason)
    if as_json:
        click.echo(to_json(jobs))
        return
    for j in jobs:
        click.echo(
            f"{_short(j.audio_sha256):<17} {j.state:<11} {j.reason or '-':<20} {j.attempts}"
            f"  {j.updated_at[:19]}  {j.path}"
        )
    if not jobs:
        click.echo("No jobs.", err=True)


@jobs_group.command("requeue")
@click.argument("keys", nargs=-1)
@click.option("--all", "all_jobs", is_flag=True, help="Every quarantined job.")
@click.option("--reason", help="With --all: only quarantined jobs with this reason.")
@click.option("--json", "as_json", is_flag=True, help="Print the requeued jobs as JSON.")
@store_options
@click.pass_obj
def jobs_requeue_command(
    settings: Any,
    keys: tuple[str, ...],
    all_jobs: bool,
    reason: str | None,
    as_json: bool,
    **o: Any,
) -> None:
    """Requeue quarantined jobs (KEYS as listed, or --all) to be processed again.

    Use it after fixing a file or adding its sidecar: the next `assistant batch` over the
    folder that holds the file processes it again, with fresh attempts. The requeue is
    audited under your name.

    \b
    Examples:
      assistant jobs requeue 3fa4c2d19b0e --user tina
      assistant jobs requeue --all --reason unreadable --user tina
    """
    from assistant.store import find_job, requeue_quarantined

    if bool(keys) == all_jobs:
        raise click.UsageError("Give job KEYS or --all (not both).")
    if reason is not None and not all_jobs:
        raise click.UsageError("--reason filters --all; with KEYS, leave it out.")
    store, user, _ = sign_in(settings, o)
    full = None if all_jobs else [find_job(store, user, k).audio_sha256 for k in keys]
    jobs = requeue_quarantined(store, user, full, reason=reason)
    _echo_changed(jobs, as_json, f"Requeued {len(jobs)} job(s); the next batch run processes them.")


@jobs_group.command("forget")
@click.argument("keys", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the removed jobs as JSON.")
@store_options
@click.pass_obj
def jobs_forget_command(settings: Any, keys: tuple[str, ...], as_json: bool, **o: Any) -> None:
    """Remove quarantined jobs (KEYS as listed) whose files are gone for good.

    Only quarantined jobs can go; the removal is audited under your name. If the same audio
    turns up again, the next batch treats it as a new file.

    \b
    Examples:
      assistant jobs forget path:3fa4c2d19b0e --user tina
    """
    from assistant.store import find_job, forget_quarantined

    store, user, _ = sign_in(settings, o)
    full = [find_job(store, user, k).audio_sha256 for k in keys]
    jobs = forget_quarantined(store, user, full)
    _echo_changed(jobs, as_json, f"Removed {len(jobs)} job(s).")


def _echo_changed(jobs: list[Any], as_json: bool, summary: str) -> None:
    """The jobs a command changed (key and file, or JSON), then a summary line on stderr."""
    if as_json:
        click.echo(to_json(jobs))
    else:
        for j in jobs:
            click.echo(f"{_short(j.audio_sha256):<17} {j.path}")
    click.echo(summary, err=True)


def _short(key: str) -> str:
    """A job key as listed: 12 hex digits (after "path:" for a path key); `requeue` takes it."""
    prefix = "path:" if key.startswith("path:") else ""
    return prefix + key[len(prefix) :][:12]
