"""Batch weak points: late sidecars, unreadable files, aborting workers, the `jobs` commands.

Real model, real store, real worker processes, real files (FIFOs and dangling links included).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner
from test_batch import CLI, FAST, SAMPLES, _clip, _config, _group_gone, _new_store, _rows, _sidecar

from assistant.batch import BatchOptions, process_folder, summarize
from assistant.batch_files import NotARegularFile, regular_file_sha256
from assistant.cli import main
from assistant.store import (
    connect,
    find_user,
    list_events,
    path_key,
    quarantine_job,
    system_user,
    verify,
)

ADMIN = ("admin", "admin-password-1")


# --- watch mode: a sidecar written after its audio ----------------------------------------------


def test_watch_waits_for_a_sidecar_written_after_the_audio(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    db = tmp_path / "records.db"
    _new_store(db)
    staged = _clip("emergency_chest_pain.flac", tmp_path / "staging" / "late.wav", 0, 3)
    stop = threading.Event()

    def recorder() -> None:  # audio first, its sidecar a second later
        time.sleep(0.3)
        os.replace(staged, inbox / "late.wav")
        time.sleep(1.0)
        _sidecar(inbox / "late.wav", mrn="MRN4242", patient_name="Late, Lee")

    threading.Thread(target=recorder, daemon=True).start()
    guard = threading.Timer(90, stop.set)  # never hang the suite
    guard.start()
    options = BatchOptions(workers=1, watch=True, poll_s=0.2, settle_s=0.5, sidecar_wait_s=5)
    results = []
    try:
        for result in process_folder(inbox, db, FAST, options, stop):
            results.append(result)
            stop.set()  # one file is all this test writes
    finally:
        guard.cancel()
    assert [(r.path.name, r.state) for r in results] == [("late.wav", "done")]
    assert results[0].patient_id is not None, results[0].note  # not filed as unassigned
    assert _rows(db, "SELECT mrn, family_name FROM patients") == [("MRN4242", "Late")]


# --- files that cannot be read --------------------------------------------------------------------


def test_a_folder_named_like_audio_or_a_fifo_is_not_read_as_audio(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.wav")  # reading it would block forever
    (tmp_path / "folder.wav").mkdir()
    for name in ("pipe.wav", "folder.wav"):
        with pytest.raises(NotARegularFile):
            regular_file_sha256(tmp_path / name)


def test_unreadable_files_are_quarantined_jobs_and_processed_once_readable(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    os.mkfifo(inbox / "pipe.wav")  # reading it would block the batch forever
    _sidecar(inbox / "pipe.wav", mrn="MRN1")  # a sidecar sorts it first: b vanishes after it
    (inbox / "b.wav").write_bytes(b"RIFF" + bytes(200_000))  # removed between scan and read
    target = tmp_path / "elsewhere" / "recording.wav"
    (inbox / "link.wav").symlink_to(target)  # dangling until the recording arrives
    expected = {"b.wav": "vanished", "pipe.wav": "not_a_file", "link.wav": "unreadable"}
    db = tmp_path / "records.db"
    _new_store(db)

    results = []
    for result in process_folder(inbox, db, FAST, BatchOptions(workers=1)):
        results.append(result)
        if result.path.name == "pipe.wav":
            (inbox / "b.wav").unlink()
    by_name = {r.path.name: r for r in results}
    assert {n: (r.state, r.reason) for n, r in by_name.items()} == {
        n: ("quarantined", reason) for n, reason in expected.items()
    }
    keys = {n: path_key(inbox / n) for n in expected}
    assert all(by_name[n].sha256 == keys[n] and by_name[n].error for n in expected)
    summary = summarize(results, 1.0, 1)  # the --json summary
    assert sorted((q["reason"], q["sha256"]) for q in summary["quarantined"]) == sorted(
        (expected[n], keys[n]) for n in expected
    )
    jobs = _rows(db, "SELECT audio_sha256, state, reason FROM jobs")
    assert sorted(jobs) == sorted((keys[n], "quarantined", expected[n]) for n in expected)

    # The recording arrives behind the link: the next run reads and files it, and its path job
    # gives way to its content job. The FIFO is quarantined again, not waited on.
    _clip("emergency_chest_pain.flac", target, 5, 3)
    again = {r.path.name: r for r in process_folder(inbox, db, FAST, BatchOptions(workers=1))}
    assert (again["link.wav"].state, again["link.wav"].sha256) == (
        "done",
        regular_file_sha256(target),
    )
    assert again["pipe.wav"].reason == "not_a_file"
    remaining = _rows(db, "SELECT audio_sha256, state FROM jobs WHERE state = 'quarantined'")
    assert sorted(remaining) == sorted(
        (keys[n], "quarantined") for n in expected if n != "link.wav"
    )
    assert _rows(db, "SELECT state, count(*) FROM jobs GROUP BY 1 ORDER BY 1") == [
        ("done", 1),
        ("quarantined", len(expected) - 1),
    ]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a mode-000 file anyway")
def test_a_file_without_read_permission_is_quarantined_until_readable(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    locked = _clip("cardiology_hf_discharge.flac", inbox / "locked.wav", 10, 3)
    locked.chmod(0)
    db = tmp_path / "records.db"
    _new_store(db)
    [first] = process_folder(inbox, db, FAST, BatchOptions(workers=1))
    assert (first.state, first.reason, first.sha256) == (
        "quarantined",
        "unreadable",
        path_key(locked),
    )
    locked.chmod(0o644)
    [second] = process_folder(inbox, db, FAST, BatchOptions(workers=1))
    assert (second.state, second.sha256) == ("done", regular_file_sha256(locked))
    assert _rows(db, "SELECT state FROM jobs") == [("done",)]


# --- aborting: a second Ctrl-C does not wait for the file in hand ---------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_second_ctrl_c_kills_the_workers_at_once(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    names = ("cardiology_hf_discharge.flac", "emergency_chest_pain.flac") * 2
    parts = [sf.read(SAMPLES / n, dtype="float32") for n in names]  # same rate, mono
    sf.write(inbox / "long.wav", np.concatenate([p[0] for p in parts]), parts[0][1])  # ~4.5 min
    db = tmp_path / "records.db"
    _new_store(db)
    command = [*CLI, "--config", str(_config(tmp_path)), "batch", str(inbox), "--db", str(db)]
    proc = subprocess.Popen(
        [*command, "--workers", "1"], start_new_session=True, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 30
        workers: list[int] = []
        while time.monotonic() < deadline and not workers:
            time.sleep(0.2)
            if _rows(db, "SELECT state FROM jobs") == [("processing",)]:
                workers = [p for p in _children(proc.pid) if "spawn_main" in _cmdline(p)]
        assert workers, "no worker started"
        time.sleep(2.0)  # the worker is loading the model or transcribing
        proc.send_signal(signal.SIGINT)  # finish the file in hand...
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)  # ...no: stop now
        aborted_at = time.monotonic()
        proc.wait(timeout=60)
        took = time.monotonic() - aborted_at
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode != 0
    assert "Aborted" in proc.stderr.read()
    assert not any(_alive(w) for w in workers)
    assert _group_gone(proc.pid, timeout=5)
    # The worker was killed, not waited for (the rest of 4.5 min of audio takes ~10 s here).
    assert took < 3, f"the abort waited {took:.1f} s for the file in hand"
    assert _rows(db, "SELECT state FROM jobs") == [("processing",)]
    assert _rows(db, "SELECT count(*) FROM dictations") == [(0,)]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


# --- `assistant jobs list|requeue` ----------------------------------------------------------------


class Jobs:
    """`assistant ...` through CliRunner against one store, as the HIM admin by default."""

    def __init__(self, db: Path) -> None:
        self.db = str(db)
        self.runner = CliRunner()

    def __call__(self, *args: str, code: int = 0, user: tuple[str, str] = ADMIN) -> str:
        argv = [*args, "--db", self.db, "--user", user[0]]
        result = self.runner.invoke(main, argv, env={"ASSISTANT_PASSWORD": user[1]})
        assert result.exit_code == code, result.output
        return result.stdout

    def batch(self, inbox: Path) -> dict:
        argv = ["batch", str(inbox), "--db", self.db, "--workers", "1", "--no-vocab"]
        result = self.runner.invoke(main, [*argv, "--beam-size", "1", "--json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


def _names(entries: list[dict]) -> dict[str, str | None]:
    return {Path(e["path"]).name: e.get("reason") for e in entries}


def test_jobs_list_and_requeue_end_to_end(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    good = _clip("surgery_appendectomy_operative.flac", inbox / "good.wav", 2, 3)
    _sidecar(good, mrn="MRN77", patient_name="Fixed, Faye")
    (inbox / "empty.wav").write_bytes(b"")
    db = tmp_path / "records.db"
    _new_store(db, physician="dr.who")
    # An earlier run failed on good.wav (a transient decoder failure, say).
    store = connect(db)
    good_key = regular_file_sha256(good)
    quarantine_job(store, system_user(store), good_key, "transcription_failed", path=str(good))
    store.close()
    jobs = Jobs(db)

    first = jobs.batch(inbox)
    assert _names(first["quarantined"]) == {
        "good.wav": "transcription_failed",
        "empty.wav": "empty",
    }
    assert first["counts"]["done"] == 0
    listed = json.loads(jobs("jobs", "list", "--state", "quarantined", "--json"))
    assert {Path(j["path"]).name: j["reason"] for j in listed} == _names(first["quarantined"])
    text = jobs("jobs", "list", "--reason", "transcription_failed")
    assert len(text.splitlines()) == 1 and text.startswith(good_key[:12])
    jobs("jobs", "list", user=("dr.who", "doctor-password-1"), code=1)  # not HIM: denied

    assert good_key[:12] in jobs("jobs", "requeue", good_key[:12])
    jobs("jobs", "requeue", good_key[:12], code=1)  # queued now, not quarantined: refused
    jobs("jobs", "requeue", code=2)  # neither KEYS nor --all
    requeued = json.loads(jobs("jobs", "requeue", "--all", "--reason", "empty", "--json"))
    assert [(Path(j["path"]).name, j["state"], j["attempts"]) for j in requeued] == [
        ("empty.wav", "queued", 0)
    ]

    second = jobs.batch(inbox)
    assert [Path(d["path"]).name for d in second["done"]] == ["good.wav"]
    assert second["done"][0]["patient_id"] is not None
    assert _names(second["quarantined"]) == {"empty.wav": "empty"}  # still empty: back it goes
    assert _rows(db, "SELECT state, attempts FROM jobs ORDER BY state") == [
        ("done", 1),
        ("quarantined", 1),
    ]
    # The empty file is deleted for good: its job is removed; a done job cannot be.
    (inbox / "empty.wav").unlink()
    jobs("jobs", "forget", good_key[:12], code=1)
    (listed,) = json.loads(jobs("jobs", "list", "--state", "quarantined", "--json"))
    empty_key = listed["audio_sha256"]
    assert empty_key[:12] in jobs("jobs", "forget", empty_key[:12])
    assert _rows(db, "SELECT state FROM jobs") == [("done",)]
    store = connect(db)
    events = list_events(store, find_user(store, "admin"), username="admin")[::-1]
    requeues = [(e.outcome, e.detail.get("requeued")) for e in events if "requeue" in e.action]
    assert requeues == [("ok", 1), ("refused", None), ("ok", 1)]  # audited as the admin
    forgets = [(e.outcome, e.detail.get("forgotten")) for e in events if "forget" in e.action]
    assert forgets == [("refused", None), ("ok", 1)]
    assert not any("wav" in json.dumps(e.detail) for e in events)  # no file names (PHI)
    assert verify(store).ok
    store.close()


@pytest.mark.parametrize(
    "command", [["batch"], ["jobs", "list"], ["jobs", "requeue"], ["jobs", "forget"]], ids=" ".join
)
def test_batch_commands_have_help_with_examples(command: list[str]) -> None:
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0 and "Examples:" in result.output


def test_cli_job_states_match_the_store() -> None:
    from assistant.cli.batch import JOB_STATES as CLI_STATES
    from assistant.store.jobs import JOB_STATES

    assert CLI_STATES == JOB_STATES
