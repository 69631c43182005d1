"""Batch intake jobs, keyed by the audio's SHA-256 (a renamed copy is the same job).

A file whose bytes cannot be read has no content hash; its job is keyed ``path:`` + the SHA-256
of its absolute path (``path_key``), which says what it is and keeps file names, which may
name a patient, out of the audit detail. When the file can be read later, claiming its content
job removes the path job in the same transaction: the file is then tracked by its content.

States: queued -> processing -> done | quarantined (with a reason). Each transition is one short
transaction. To make filing a report and finishing its job atomic (so a crash can neither lose
the report nor file it twice), wrap both calls in one ``with store.write():`` block: store
functions join an open transaction.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from assistant.errors import IntegrityViolation, NotFound, StoreError
from assistant.store.audit import audited
from assistant.store.db import Store, utcnow
from assistant.store.roles import User

JOB_STATES = ("queued", "processing", "done", "quarantined")
PATH_KEY_PREFIX = "path:"


@dataclass(frozen=True)
class Job:
    audio_sha256: str
    path: str
    state: str
    reason: str | None
    attempts: int
    worker: str | None
    claimed_at: str | None
    dictation_id: int | None
    document_id: int | None
    created_at: str
    updated_at: str


def path_key(path: str | Path) -> str:
    """The job key of a file whose content cannot be read: by its absolute path."""
    absolute = os.path.abspath(path).encode("utf-8", "surrogateescape")
    return PATH_KEY_PREFIX + hashlib.sha256(absolute).hexdigest()


def _job(r: Any) -> Job:
    return Job(**{k: r[k] for k in Job.__dataclass_fields__})


def _row(store: Store, sha: str) -> Any:
    return store.one("SELECT * FROM jobs WHERE audio_sha256 = ?", [sha])


def _add_row(store: Store, sha: str, path: str, now: str) -> None:
    """A queued job for this audio, unless it already has one (whatever its state)."""
    store.execute(
        "INSERT OR IGNORE INTO jobs (audio_sha256, path, created_at, updated_at)"
        " VALUES (?, ?, ?, ?)",
        [sha, path, now, now],
    )


def enqueue_job(store: Store, user: User, audio_sha256: str, *, path: str) -> Job:
    """Add a queued job, or return the existing one for this audio unchanged."""
    with audited(store, user, "enqueue_job", permission="process_jobs") as scope:
        _add_row(store, audio_sha256, path, utcnow())
        scope.detail = {"job": audio_sha256}
        result = _job(_row(store, audio_sha256))
    return result


def claim_job(
    store: Store,
    user: User,
    audio_sha256: str,
    *,
    path: str,
    worker: str = "",
    stale_after_s: float | None = None,
) -> Job | None:
    """Take the job for processing; None if it is done, quarantined, or being processed.

    A job left 'processing' by a crashed run is taken again when it was claimed more than
    ``stale_after_s`` seconds ago (or call ``requeue_processing`` at the start of a run).
    """
    with audited(store, user, "claim_job", permission="process_jobs") as scope:
        scope.detail = {"job": audio_sha256}
        now = utcnow()
        replaced = path_key(path)
        if replaced != audio_sha256:  # the file was unreadable before; its content rules now
            cur = store.execute("DELETE FROM jobs WHERE audio_sha256 = ?", [replaced])
            if cur.rowcount:
                scope.detail["replaced"] = replaced
        _add_row(store, audio_sha256, path, now)
        r = _row(store, audio_sha256)
        takeable = r["state"] == "queued"
        if r["state"] == "processing" and stale_after_s is not None and r["claimed_at"]:
            cutoff = datetime.now(UTC) - timedelta(seconds=stale_after_s)
            takeable = datetime.fromisoformat(r["claimed_at"]) < cutoff
        scope.detail["claimed"] = takeable
        if takeable:
            store.execute(
                "UPDATE jobs SET state = 'processing', attempts = attempts + 1, worker = ?,"
                " claimed_at = ?, updated_at = ? WHERE audio_sha256 = ?",
                [worker, now, now, audio_sha256],
            )
            r = _row(store, audio_sha256)
    return _job(r) if takeable else None


def finish_job(
    store: Store,
    user: User,
    audio_sha256: str,
    *,
    dictation_id: int | None = None,
    document_id: int | None = None,
) -> Job:
    with audited(
        store, user, "finish_job", permission="process_jobs", document_id=document_id
    ) as scope:
        scope.detail = {"job": audio_sha256}
        r = _row(store, audio_sha256)
        if r is None:
            raise NotFound(f"No job for audio {audio_sha256[:12]}.")
        if r["state"] != "processing":
            raise IntegrityViolation(f"Job {audio_sha256[:12]} is {r['state']}, not processing.")
        store.execute(
            "UPDATE jobs SET state = 'done', reason = NULL, dictation_id = ?, document_id = ?,"
            " updated_at = ? WHERE audio_sha256 = ?",
            [dictation_id, document_id, utcnow(), audio_sha256],
        )
        result = _job(_row(store, audio_sha256))
    return result


def quarantine_job(
    store: Store, user: User, audio_sha256: str, reason: str, *, path: str | None = None
) -> Job:
    """Set a job aside with a reason (a file that failed before it was claimed is added)."""
    with audited(store, user, "quarantine_job", permission="process_jobs") as scope:
        scope.detail = {"job": audio_sha256, "reason": reason}
        now = utcnow()
        if _row(store, audio_sha256) is None:
            if path is None:
                raise NotFound(f"No job for audio {audio_sha256[:12]}; give its path.")
            store.execute(
                "INSERT INTO jobs (audio_sha256, path, created_at, updated_at) VALUES (?,?,?,?)",
                [audio_sha256, path, now, now],
            )
        if _row(store, audio_sha256)["state"] == "done":
            raise IntegrityViolation(f"Job {audio_sha256[:12]} is already done.")
        store.execute(
            "UPDATE jobs SET state = 'quarantined', reason = ?, updated_at = ?"
            " WHERE audio_sha256 = ?",
            [reason, now, audio_sha256],
        )
        result = _job(_row(store, audio_sha256))
    return result


def requeue_job(store: Store, user: User, audio_sha256: str) -> Job:
    """Put a quarantined job back in the queue (after the file was fixed or replaced)."""
    with audited(store, user, "requeue_job", permission="process_jobs") as scope:
        scope.detail = {"job": audio_sha256}
        r = _row(store, audio_sha256)
        if r is None:
            raise NotFound(f"No job for audio {audio_sha256[:12]}.")
        if r["state"] == "done":
            raise IntegrityViolation(f"Job {audio_sha256[:12]} is already done.")
        store.execute(
            "UPDATE jobs SET state = 'queued', updated_at = ? WHERE audio_sha256 = ?",
            [utcnow(), audio_sha256],
        )
        result = _job(_row(store, audio_sha256))
    return result


def requeue_processing(store: Store, user: User) -> int:
    """Return every 'processing' job to the queue (a new run after a crash); how many."""
    with audited(store, user, "requeue_processing", permission="process_jobs") as scope:
        cur = store.execute(
            "UPDATE jobs SET state = 'queued', updated_at = ? WHERE state = 'processing'",
            [utcnow()],
        )
        scope.detail = {"jobs": cur.rowcount}
    return cur.rowcount


def get_job(store: Store, user: User, audio_sha256: str) -> Job | None:
    with audited(store, user, "read_job", permission="process_jobs") as scope:
        scope.detail = {"job": audio_sha256}
        r = _row(store, audio_sha256)
    return _job(r) if r is not None else None


def list_jobs(
    store: Store, user: User, *, state: str | None = None, reason: str | None = None
) -> list[Job]:
    with audited(store, user, "list_jobs", permission="process_jobs"):
        rows = store.all(
            "SELECT * FROM jobs WHERE (:state IS NULL OR state = :state)"
            " AND (:reason IS NULL OR reason = :reason) ORDER BY created_at, audio_sha256",
            {"state": state, "reason": reason},
        )
    return [_job(r) for r in rows]


def find_job(store: Store, user: User, key_prefix: str) -> Job:
    """The job whose key starts with ``key_prefix`` (at least 6 characters, as listed)."""
    key_prefix = key_prefix.strip().lower()
    if len(key_prefix.removeprefix(PATH_KEY_PREFIX)) < 6:
        raise StoreError(f"Give at least 6 characters of the job key, not {key_prefix!r}.")
    with audited(store, user, "read_job", permission="process_jobs") as scope:
        scope.detail = {"job_prefix": key_prefix}
        rows = store.all(
            "SELECT * FROM jobs WHERE substr(audio_sha256, 1, ?) = ? LIMIT 2",
            [len(key_prefix), key_prefix],
        )
        if not rows:
            raise NotFound(f"No job with a key starting {key_prefix}.")
    if len(rows) > 1:
        raise StoreError(f"Several jobs have keys starting {key_prefix}; give more of it.")
    return _job(rows[0])


def requeue_quarantined(
    store: Store, user: User, keys: list[str] | None = None, *, reason: str | None = None
) -> list[Job]:
    """A person's retry: put quarantined jobs (these ``keys``, or all, or all with ``reason``)
    back in the queue with fresh attempts, so that the next batch run processes their files.
    Jobs in any other state are refused (a job being processed belongs to its run)."""
    with audited(store, user, "requeue_quarantined", permission="process_jobs") as scope:
        scope.detail = {"reason": reason, **({"jobs": keys} if keys is not None else {})}
        rows = store.all(
            "SELECT * FROM jobs WHERE state = 'quarantined'"
            " AND (:reason IS NULL OR reason = :reason) ORDER BY created_at, audio_sha256",
            {"reason": reason},
        )
        if keys is not None:
            _check_quarantined(store, keys)
            rows = [r for r in rows if r["audio_sha256"] in set(keys)]
        store.conn.executemany(
            "UPDATE jobs SET state = 'queued', reason = NULL, attempts = 0, updated_at = ?"
            " WHERE audio_sha256 = ?",
            [(utcnow(), r["audio_sha256"]) for r in rows],
        )
        scope.detail["requeued"] = len(rows)
        result = [_job(_row(store, r["audio_sha256"])) for r in rows]
    return result


def forget_quarantined(store: Store, user: User, keys: list[str]) -> list[Job]:
    """A person's clean-up: remove quarantined jobs whose files are gone for good (a file
    deleted after it failed). Only quarantined jobs go; the audit log keeps that they existed.
    A file with the same content that turns up later is simply a new job."""
    with audited(store, user, "forget_quarantined", permission="process_jobs") as scope:
        scope.detail = {"jobs": keys}
        _check_quarantined(store, keys)
        gone = [_job(_row(store, key)) for key in keys]
        store.conn.executemany("DELETE FROM jobs WHERE audio_sha256 = ?", [(k,) for k in keys])
        scope.detail["forgotten"] = len(gone)
    return gone


def _check_quarantined(store: Store, keys: list[str]) -> None:
    for key in keys:
        r = _row(store, key)
        if r is None:
            raise NotFound(f"No job {key[:12]}.")
        if r["state"] != "quarantined":
            raise IntegrityViolation(f"Job {key[:12]} is {r['state']}, not quarantined.")
