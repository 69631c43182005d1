"""Batch processing: real model, real store, real worker processes, real kills."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from assistant.batch import BatchOptions, process_folder
from assistant.batch_files import compile_pattern, read_metadata, scan_folder
from assistant.batch_store import split_name
from assistant.config import Settings, TranscriptionSettings
from assistant.errors import BatchError
from assistant.store import bootstrap_admin, connect, create_user, worklist

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "audio"
FAST = Settings(transcription=TranscriptionSettings(beam_size=1))
CLI = [sys.executable, "-c", "from assistant.cli import main; main()"]


def _clip(src: str, dest: Path, start: float, seconds: float) -> Path:
    """Cut a short WAV from a sample (short audio keeps the real model fast)."""
    data, rate = sf.read(SAMPLES / src, dtype="float32")
    dest.parent.mkdir(parents=True, exist_ok=True)
    sf.write(dest, data[int(start * rate) : int((start + seconds) * rate)], rate)
    return dest


def _sidecar(audio: Path, **fields: str) -> None:
    audio.with_suffix(".json").write_text(json.dumps(fields), encoding="utf-8")


def _new_store(path: Path, physician: str | None = None) -> None:
    store = connect(path)
    admin = bootstrap_admin(store, "admin", "admin-password-1")
    if physician:
        create_user(store, admin, physician, "physician", "doctor-password-1")
    store.close()


def _rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


# --- metadata and scanning (no model) -----------------------------------------------------------


def test_metadata_from_sidecar_then_pattern(tmp_path: Path) -> None:
    audio = tmp_path / "MRN555_soap_drjones.wav"
    audio.write_bytes(b"x")
    _sidecar(audio, mrn="MRN123", patient="Doe, Jane", dob="1950-01-02", extra="ignored")
    pattern = compile_pattern(r"(?P<mrn>MRN\d+)_(?P<report_type>\w+?)_(?P<author>\w+)")
    meta, note = read_metadata(audio, pattern)
    assert note is None
    assert (meta.mrn, meta.patient_name, meta.birth_date) == ("MRN123", "Doe, Jane", "1950-01-02")
    assert (meta.report_type, meta.author) == ("soap", "drjones")  # what the sidecar lacks


def test_bad_sidecar_is_noted_not_fatal(tmp_path: Path) -> None:
    audio = tmp_path / "a.wav"
    audio.write_bytes(b"x")
    audio.with_suffix(".json").write_text("{not json", encoding="utf-8")
    meta, note = read_metadata(audio)
    assert meta.mrn is None
    assert note is not None and "a.json" in note


def test_pattern_errors_are_typed() -> None:
    with pytest.raises(BatchError, match="not a valid regex"):
        compile_pattern("(?P<mrn>")
    with pytest.raises(BatchError, match="unknown fields"):
        compile_pattern(r"(?P<ward>\w+)")


def test_split_name() -> None:
    assert split_name("Osei, Kwame") == ("Osei", "Kwame")
    assert split_name("Kwame Osei") == ("Osei", "Kwame")
    assert split_name("  ") is None


def test_scan_is_recursive_and_skips_excluded_and_hidden(tmp_path: Path) -> None:
    for name in ("a.wav", "sub/b.MP3", "sub/c.dss", "notes.txt", ".hidden.wav", "done/d.wav"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    found = scan_folder(tmp_path, exclude=(tmp_path / "done",))
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a.wav",
        "sub/b.MP3",
        "sub/c.dss",
    ]


# --- a folder of good, bad and duplicate files --------------------------------------------------


def test_folder_gives_expected_filed_skipped_and_quarantined(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    a = _clip("emergency_chest_pain.flac", inbox / "a.wav", 0, 5)
    _sidecar(
        a,
        mrn="MRN101054",
        patient_name="Osei, Kwame",
        birth_date="1971-05-09",
        encounter="V2026-11-0702",
        encounter_type="emergency",
        author="dr.lindqvist",
        report_type="emergency",
    )
    _clip("surgery_appendectomy_operative.flac", inbox / "ward" / "b.wav", 2, 5)  # no metadata
    shutil.copy(a, inbox / "ward" / "renamed_copy.wav")  # same audio, another name
    (inbox / "empty.wav").write_bytes(b"")
    (inbox / "corrupt.mp3").write_bytes(os.urandom(4096))
    (inbox / "recorder.dss").write_bytes(b"\x02dss" + os.urandom(2000))
    sf.write(inbox / "silent.wav", np.zeros(16000 * 3, dtype="float32"), 16000)
    (inbox / "notes.txt").write_text("not audio, not scanned")
    cut = _clip("cardiology_hf_discharge.flac", tmp_path / "whole.wav", 0, 6).read_bytes()
    (inbox / "cut_off.wav").write_bytes(cut[: len(cut) // 3])  # header still says 6 s
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=c=black:s=32x32:d=1", "-an"]
        + [str(inbox / "camera.mp4")],
        check=True,
    )
    db = tmp_path / "records.db"
    _new_store(db, physician="dr.lindqvist")

    results = {r.path.name: r for r in process_folder(inbox, db, FAST, BatchOptions(workers=2))}

    assert {n for n, r in results.items() if r.state == "done"} == {"a.wav", "b.wav"}
    assert results["renamed_copy.wav"].state == "skipped"
    assert results["renamed_copy.wav"].reason == "duplicate"
    quarantined = {n: r.reason for n, r in results.items() if r.state == "quarantined"}
    assert quarantined == {
        "empty.wav": "empty",
        "corrupt.mp3": "not_audio",
        "recorder.dss": "not_audio",
        "silent.wav": "no_speech",
        "cut_off.wav": "partial_audio",
        "camera.mp4": "no_audio_stream",
    }
    assert all(r.error for r in results.values() if r.state == "quarantined")
    # a.wav: a preliminary report for the patient, waiting for its author's signature.
    assert results["a.wav"].document_id is not None and results["a.wav"].patient_id is not None
    assert results["b.wav"].patient_id is None and results["b.wav"].document_id is None
    store = connect(db)
    admin = store.one("SELECT id FROM users WHERE username = 'admin'")
    from assistant.store import find_user

    doctor = find_user(store, "dr.lindqvist")
    him = find_user(store, "admin")
    assert admin is not None
    signs = [i for i in worklist(store, doctor) if i.kind == "sign"]
    assert [(i.document_id, i.mrn, i.status) for i in signs] == [
        (results["a.wav"].document_id, "MRN101054", "preliminary")
    ]
    assigns = [i.dictation_id for i in worklist(store, him) if i.kind == "assign"]
    assert assigns == [results["b.wav"].dictation_id]
    store.close()
    jobs = dict(_rows(db, "SELECT state, count(*) FROM jobs GROUP BY state"))
    assert jobs == {"done": 2, "quarantined": 6}

    # Again, now moving files away: nothing is filed twice, and the files leave the inbox.
    done_dir, bad_dir = tmp_path / "done", tmp_path / "bad"
    options = BatchOptions(workers=2, move_done=done_dir, quarantine=bad_dir)
    again = {r.path.name: r for r in process_folder(inbox, db, FAST, options)}
    assert {n for n, r in again.items() if r.state == "done"} == set()
    assert {n for n, r in again.items() if r.state == "quarantined"} == set(quarantined)
    assert _rows(db, "SELECT count(*) FROM dictations") == [(2,)]
    assert (done_dir / "a.wav").is_file() and (done_dir / "a.json").is_file()
    assert (done_dir / "ward" / "b.wav").is_file()
    assert sorted(p.name for p in bad_dir.iterdir()) == sorted(quarantined)
    assert sorted(p.name for p in inbox.rglob("*") if p.is_file()) == ["notes.txt"]


# --- crash safety: kill -9 at random points, then finish -----------------------------------------


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text("[transcription]\nbeam_size = 1\nuse_vocabulary = false\n", encoding="utf-8")
    return path


def _group_gone(pgid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def test_killed_batch_reruns_to_exactly_once(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    sources = ["cardiology_hf_discharge.flac", "emergency_chest_pain.flac"]
    files = 0

    def add_file() -> None:
        nonlocal files
        i = files
        clip = _clip(sources[i % 2], inbox / f"d{i}.wav", 3 + 4 * i, 3)
        _sidecar(clip, mrn=f"MRN90{i}", patient_name=f"Test{i}, Pat", report_type="soap")
        files += 1

    for _ in range(4):
        add_file()
    db = tmp_path / "records.db"
    _new_store(db)
    command = [*CLI, "--config", str(_config(tmp_path)), "batch", str(inbox), "--db", str(db)]
    command += ["--workers", "1"]
    rng = random.Random()
    kills, delays, orphans, states = 0, [], 0, []
    upper = 6.0  # seconds; shrinks to the length of a run that finished before its kill
    for _ in range(40):
        if kills >= 10:
            break
        if states and states[-1] == [("done", files)] and files < 12:
            add_file()  # a run finished everything before its kill: give the next one work
        proc = subprocess.Popen(command, start_new_session=True, stderr=subprocess.DEVNULL)
        delay = rng.uniform(0.2, upper)
        delays.append(round(delay, 2))
        started = time.monotonic()
        try:
            proc.wait(timeout=delay)
            upper = max(0.5, time.monotonic() - started)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)  # the batch process only: workers must follow
            kills += 1
            proc.wait()
        states.append(_rows(db, "SELECT state, count(*) FROM jobs GROUP BY 1"))
        if not _group_gone(proc.pid, timeout=5):
            orphans += 1
            os.killpg(proc.pid, signal.SIGKILL)
    assert kills >= 10, f"only {kills} kills landed (delays {delays})"
    assert orphans == 0, "worker processes outlived the killed batch"
    # Some kills must have landed with a job in a worker's hands (the case that matters).
    assert any(dict(s).get("processing") for s in states), (states, delays)

    final = subprocess.run([*command, "--json"], capture_output=True, text=True, timeout=120)
    assert final.returncode == 0, final.stderr
    summary = json.loads(final.stdout)
    assert summary["counts"]["quarantined"] == 0

    per_sha = _rows(db, "SELECT audio_sha256, count(*) FROM dictations GROUP BY 1")
    assert len(per_sha) == files and all(n == 1 for _, n in per_sha), (per_sha, delays)
    assert _rows(db, "SELECT state, count(*) FROM jobs GROUP BY 1") == [("done", files)]
    documents = _rows(db, "SELECT count(*), count(DISTINCT dictation_id) FROM documents")
    assert documents == [(files, files)]
    assert _rows(db, "SELECT count(*) FROM transcripts") == [(files,)]
    assert _rows(db, "PRAGMA integrity_check") == [("ok",)]
    from assistant.store import check

    store = connect(db)
    assert check(store) == []
    store.close()


# --- watch mode ---------------------------------------------------------------------------------


def test_watch_picks_up_a_new_file_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    db = tmp_path / "records.db"
    _new_store(db)
    command = [*CLI, "--config", str(_config(tmp_path)), "batch", str(inbox), "--db", str(db)]
    command += ["--workers", "1", "--watch", "--settle", "0.5", "--sidecar-wait", "0.5", "--json"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.5)
        clip = _clip("emergency_chest_pain.flac", tmp_path / "staging.wav", 0, 4)
        data = clip.read_bytes()
        target = inbox / "late.wav"
        with open(target, "wb") as f:  # written in two parts, as a slow copy would
            f.write(data[: len(data) // 2])
            f.flush()
            time.sleep(0.3)
            f.write(data[len(data) // 2 :])
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if _rows(db, "SELECT state FROM jobs") == [("done",)]:
                break
            time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    summary = json.loads(out)
    assert [Path(d["path"]).name for d in summary["done"]] == ["late.wav"]
    assert summary["counts"] == {"done": 1, "skipped": 0, "quarantined": 0}


def test_model_that_cannot_load_stops_the_batch_and_loses_nothing(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    _clip("emergency_chest_pain.flac", inbox / "a.wav", 0, 3)
    db = tmp_path / "records.db"
    _new_store(db)
    broken = Settings(transcription=TranscriptionSettings(model=str(tmp_path / "no-model")))
    with pytest.raises(BatchError, match="Model folder not found"):
        list(process_folder(inbox, db, broken, BatchOptions(workers=1)))
    assert _rows(db, "SELECT state FROM jobs") == [("queued",)]  # taken again by the next run
    assert _rows(db, "SELECT count(*) FROM dictations") == [(0,)]
    assert (inbox / "a.wav").is_file()


def _work(sha: str, duration: float, raw_text: str, text: str) -> dict:
    """What a batch worker hands back for one file: an empty transcript and a SOAP report."""
    from assistant.models import Provenance, Transcript
    from assistant.transcribe import transcript_to_dict

    transcript = Transcript((), Provenance(sha, duration, "tiny.en", "x"))
    return {
        "transcript": transcript_to_dict(transcript),
        "raw_text": raw_text,
        "text": text,
        "report": {"report_type": "soap", "confidence": 1.0, "sections": []},
        "duration": duration,
    }


def test_filing_the_same_job_twice_rolls_back_whole(tmp_path: Path) -> None:
    """Two runs racing on one store: the second filing is refused and leaves nothing behind."""
    from assistant.batch_store import file_result
    from assistant.models import DictationMeta
    from assistant.store import claim_job, system_user

    db = tmp_path / "records.db"
    _new_store(db)
    store = connect(db)
    user = system_user(store)
    sha = "ab" * 32
    work = _work(sha, 3.0, "Subjective. Cough for two days.", "SUBJECTIVE: Cough for two days.")
    meta = DictationMeta(mrn="MRN7", patient_name="Roe, Rita", encounter="E1")
    assert claim_job(store, user, sha, path="a.wav") is not None
    first = file_result(store, user, sha, "a.wav", meta, work)
    assert first.document_id is not None and first.patient_id is not None
    from assistant.errors import IntegrityViolation

    with pytest.raises(IntegrityViolation):
        file_result(store, user, sha, "copy.wav", meta, work)
    store.close()
    assert _rows(db, "SELECT count(*) FROM dictations") == [(1,)]
    assert _rows(db, "SELECT count(*) FROM documents") == [(1,)]
    assert _rows(db, "SELECT count(*) FROM encounters") == [(1,)]
    assert _rows(db, "SELECT count(*) FROM transcripts") == [(1,)]


def test_mrn_with_another_name_is_filed_unassigned(tmp_path: Path) -> None:
    from assistant.batch_store import file_result
    from assistant.models import DictationMeta
    from assistant.store import claim_job, system_user

    db = tmp_path / "records.db"
    _new_store(db)
    store = connect(db)
    user = system_user(store)

    filed = []
    for sha, name in (("01" * 32, "Roe, Rita"), ("02" * 32, "Smith, John")):
        claim_job(store, user, sha, path=f"{sha[:2]}.wav")
        meta = DictationMeta(mrn="MRN7", patient_name=name)
        work = _work(sha, 2.0, "Plan.", "PLAN: rest.")
        filed.append(file_result(store, user, sha, f"{sha[:2]}.wav", meta, work))
    store.close()
    assert filed[0].patient_id is not None and filed[0].document_id is not None
    assert filed[1].patient_id is None and filed[1].document_id is None
    assert filed[1].note == "patient name does not match the MRN"
    assert _rows(db, "SELECT family_name FROM patients") == [("Roe",)]
