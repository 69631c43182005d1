"""Roles × actions: every cell of the permission table is tried through the real API."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from test_store_support import PASSWORDS, ROLE_USER, store_fixture  # noqa: F401

from assistant.errors import AccessDenied
from assistant.models import Code, Patient
from assistant.store import (
    ACTIONS,
    PERMISSIONS,
    Store,
    User,
    add_addendum,
    add_code,
    add_dictation,
    amend,
    answer_query,
    assign_author,
    backup_store,
    claim_job,
    create_user,
    enter_in_error,
    file_document,
    find_user,
    get_document,
    list_events,
    raise_query,
    register_patient,
    search,
    sign,
)

# Fixture data (see test_store_support.template_path): document 1 is preliminary and document 2
# final, both assigned to drsmith; query 1 is open and addressed to drsmith.


def _pw(user: User) -> str:
    return PASSWORDS.get(user.username, "no-password")


def _assigned_doc(store: Store, user: User, signed: bool) -> int:
    """A document assigned to ``user`` when a physician (else to drsmith)."""
    author = user.username if user.role == "physician" else "drsmith"
    if author == "drsmith":
        return 2 if signed else 1
    tina = find_user(store, "tina")
    d = file_document(store, tina, patient_id=1, report_type="note", text="t", author=author)
    if signed:
        sign(store, user, d.id, password=_pw(user))
    return d.id


ATTEMPTS: dict[str, Callable[[Store, User, Path], object]] = {
    "read_record": lambda s, u, t: get_document(s, u, 1),
    "search": lambda s, u, t: search(s, u, "heart failure"),
    "register_patient": lambda s, u, t: register_patient(s, u, Patient("NEW1", "Roe", "Rick")),
    "assign_work": lambda s, u, t: assign_author(s, u, 1, "drjones"),
    "file_dictation": lambda s, u, t: add_dictation(s, u, audio_sha256="ab" * 32),
    "edit_draft": lambda s, u, t: file_document(
        s, u, patient_id=1, report_type="note", text="d", author="drsmith", status="draft"
    ),
    "submit_preliminary": lambda s, u, t: file_document(
        s, u, patient_id=1, report_type="note", text="p", author="drsmith"
    ),
    "sign": lambda s, u, t: sign(s, u, _assigned_doc(s, u, False), password=_pw(u)),
    "amend": lambda s, u, t: amend(
        s, u, _assigned_doc(s, u, True), text="fixed", reason="typo", password=_pw(u)
    ),
    "addendum": lambda s, u, t: add_addendum(s, u, 2, text="more", password=_pw(u)),
    "enter_in_error": lambda s, u, t: enter_in_error(s, u, 1, reason="wrong patient"),
    "code_encounter": lambda s, u, t: add_code(s, u, 1, Code("ICD-10-CM", "I50.23"), poa="Y"),
    "raise_query": lambda s, u, t: raise_query(s, u, 1, to="drsmith", question="Acuity?"),
    "answer_query": lambda s, u, t: answer_query(
        s, u, 1 if u.username == "drsmith" else _query_to(s, u), "Acute on chronic systolic."
    ),
    "process_jobs": lambda s, u, t: claim_job(s, u, "cd" * 32, path="a.wav"),
    "manage_users": lambda s, u, t: create_user(s, u, "newbie", "coder", "newbie-pass-1"),
    "read_audit": lambda s, u, t: list_events(s, u, limit=5),
    "backup": lambda s, u, t: backup_store(s, u, t / "backup.db"),
}


def _query_to(store: Store, user: User) -> int:
    if user.role != "physician":
        return 1
    cody = find_user(store, "cody")
    return raise_query(store, cody, 1, to=user.username, question="Type?").id


def test_every_action_has_an_attempt() -> None:
    assert set(ATTEMPTS) == set(ACTIONS)


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", list(PERMISSIONS))
def test_role_action_cell(store: Store, tmp_path: Path, role: str, action: str) -> None:
    user = find_user(store, ROLE_USER[role])
    allowed = action in PERMISSIONS[role]
    before = store.one("SELECT max(id) FROM audit_log")[0]
    if allowed:
        ATTEMPTS[action](store, user, tmp_path)
    else:
        with pytest.raises(AccessDenied):
            ATTEMPTS[action](store, user, tmp_path)
    outcomes = {
        r["outcome"]
        for r in store.all(
            "SELECT outcome FROM audit_log WHERE id > ? AND user_id = ?", [before, user.id]
        )
    }
    # Allowed or not, the attempt is on the record under the acting user.
    assert ("ok" if allowed else "denied") in outcomes


def test_a_deactivated_user_can_do_nothing(store: Store) -> None:
    from assistant.store import set_active

    admin = find_user(store, "admin")
    set_active(store, admin, "cody", False)
    cody = find_user(store, "cody")
    with pytest.raises(AccessDenied, match="deactivated"):
        get_document(store, cody, 1)
