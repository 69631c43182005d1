"""Store-wide operations done under a user's name: backup (a copy of every record, audited)."""

from __future__ import annotations

from pathlib import Path

from assistant.store import db
from assistant.store.audit import audited
from assistant.store.roles import User


def backup_store(store: db.Store, user: User, dest: str | Path) -> Path:
    """Online backup to ``dest`` (checked with integrity_check); needs ``backup`` (HIM)."""
    with audited(store, user, "backup") as scope:
        scope.detail = {"dest": Path(dest).name}
    # The audit row is committed first: the copy then contains the record of its own making.
    return db.backup(store, dest)
