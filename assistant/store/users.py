"""Users, argon2id password hashes, and audited sign-in.

The first user (an HIM/records admin) is created by ``bootstrap_admin`` (``assistant init``);
after that only a user with ``manage_users`` adds users. The ``system`` user has no password:
it is the identity of in-process intake (batch, live dictation), never of a person at a prompt.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import TYPE_CHECKING, Any

from assistant.errors import AccessDenied, NotFound, StoreError
from assistant.store import audit
from assistant.store.db import Store, utcnow
from assistant.store.roles import ROLES, User

if TYPE_CHECKING:
    from argon2 import PasswordHasher

log = logging.getLogger(__name__)

SYSTEM_USERNAME = "system"
MIN_PASSWORD = 8


@cache
def _hasher() -> PasswordHasher:
    from argon2 import PasswordHasher

    return PasswordHasher()  # argon2id, RFC 9106 low-memory profile


def _user(r: Any) -> User:
    return User(
        id=r["id"],
        username=r["username"],
        role=r["role"],
        display_name=r["display_name"],
        active=bool(r["active"]),
        created_at=r["created_at"],
    )


def _insert(store: Store, username: str, role: str, password: str | None, display: str) -> User:
    if role not in ROLES:
        raise StoreError(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}.")
    if not username.strip() or any(c.isspace() for c in username):
        raise StoreError("A username must be one word.")
    if password is not None and len(password) < MIN_PASSWORD:
        raise StoreError(f"A password needs at least {MIN_PASSWORD} characters.")
    if store.one("SELECT 1 FROM users WHERE username = ?", [username]):
        raise StoreError(f"User {username} already exists.")
    hashed = _hasher().hash(password) if password is not None else None
    cur = store.execute(
        "INSERT INTO users (username, display_name, role, password_hash, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        [username, display, role, hashed, utcnow()],
    )
    return get_user(store, cur.lastrowid)


def bootstrap_admin(store: Store, username: str, password: str, display_name: str = "") -> User:
    """Create the first user (role him) and the system user; refused once any user exists."""
    with store.write():
        if store.one("SELECT 1 FROM users WHERE role != 'system' LIMIT 1"):
            raise AccessDenied("The store already has users; ask an admin to add you.")
        admin = _insert(store, username, "him", password, display_name)
        if not store.one("SELECT 1 FROM users WHERE username = ?", [SYSTEM_USERNAME]):
            _insert(store, SYSTEM_USERNAME, "system", None, "Intake (batch and dictation)")
        audit.append(store, user_id=admin.id, username=admin.username, action="init")
    return admin


def create_user(
    store: Store,
    actor: User,
    username: str,
    role: str,
    password: str | None,
    display_name: str = "",
) -> User:
    """Add a user (needs ``manage_users``). Only a system user may have no password."""
    if password is None and role != "system":
        raise StoreError("Every person needs a password.")
    with audit.audited(store, actor, "manage_users") as scope:
        user = _insert(store, username, role, password, display_name)
        scope.detail = {"created": user.id, "role": role}
    return user


def set_active(store: Store, actor: User, username: str, active: bool) -> User:
    with audit.audited(store, actor, "manage_users") as scope:
        target = find_user(store, username)
        store.execute("UPDATE users SET active = ? WHERE id = ?", [int(active), target.id])
        scope.detail = {"user": target.id, "active": active}
    return get_user(store, target.id)


def set_password(store: Store, actor: User, username: str, password: str) -> None:
    """A user changes their own password; a user manager may reset anyone's."""
    if len(password) < MIN_PASSWORD:
        raise StoreError(f"A password needs at least {MIN_PASSWORD} characters.")
    # Any person may change their own password (every human role can read records).
    own = actor.username.lower() == username.lower()
    permission = "read_record" if own else "manage_users"
    with audit.audited(store, actor, "set_password", permission=permission) as s:
        target = find_user(store, username)
        store.execute(
            "UPDATE users SET password_hash = ? WHERE id = ?", [_hasher().hash(password), target.id]
        )
        s.detail = {"user": target.id}


def list_users(store: Store, actor: User) -> list[User]:
    with audit.audited(store, actor, "list_users", permission="manage_users"):
        rows = store.all("SELECT * FROM users ORDER BY username")
    return [_user(r) for r in rows]


def get_user(store: Store, user_id: int) -> User:
    r = store.one("SELECT * FROM users WHERE id = ?", [user_id])
    if r is None:
        raise NotFound(f"No user with id {user_id}.")
    return _user(r)


def find_user(store: Store, username: str) -> User:
    """Look a user up by name (no PHI; not audited)."""
    r = store.one("SELECT * FROM users WHERE username = ?", [username])
    if r is None:
        raise NotFound(f"No user named {username}.")
    return _user(r)


def find_physician(store: Store, username: str) -> User | None:
    """The active physician with this user name, or None (no PHI; not audited)."""
    r = store.one(
        "SELECT * FROM users WHERE username = ? AND role = 'physician' AND active = 1", [username]
    )
    return _user(r) if r is not None else None


def system_user(store: Store) -> User:
    """The intake identity for batch and dictation (created by ``bootstrap_admin``)."""
    try:
        return find_user(store, SYSTEM_USERNAME)
    except NotFound:
        raise StoreError("The store has no system user; run `assistant init` first.") from None


def authenticate(store: Store, username: str, password: str) -> User:
    """Check a password; every attempt, failed ones included, is audited."""
    from argon2.exceptions import InvalidHashError, VerificationError

    r = store.one("SELECT * FROM users WHERE username = ?", [username])
    ok = False
    if r is not None and r["password_hash"] and r["active"]:
        try:
            ok = _hasher().verify(r["password_hash"], password)
        except (VerificationError, InvalidHashError):
            ok = False
    with store.write():
        audit.append(
            store,
            user_id=r["id"] if r is not None else None,
            username=r["username"] if r is not None else username,
            action="sign_in",
            outcome="ok" if ok else "failed",
        )
    if not ok:
        log.info("sign-in failed for user id %s", r["id"] if r is not None else "unknown")
        raise AccessDenied("Unknown user or wrong password.")
    if _hasher().check_needs_rehash(r["password_hash"]):
        with store.write():
            store.execute(
                "UPDATE users SET password_hash = ? WHERE id = ?",
                [_hasher().hash(password), r["id"]],
            )
    return _user(r)


def verify_password(store: Store, user: User, password: str) -> bool:
    """Re-check the acting user's password (electronic signature); not audited by itself."""
    from argon2.exceptions import InvalidHashError, VerificationError

    r = store.one("SELECT password_hash FROM users WHERE id = ?", [user.id])
    if r is None or not r["password_hash"]:
        return False
    try:
        return _hasher().verify(r["password_hash"], password)
    except (VerificationError, InvalidHashError):
        return False
