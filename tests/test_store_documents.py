"""Documents: the status state machine, immutable versions, amendments and addenda."""

from __future__ import annotations

import contextlib
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from test_store_support import PASSWORDS, fresh_store, store_fixture  # noqa: F401

from assistant.errors import AccessDenied, AssistantError, IntegrityViolation
from assistant.store import (
    TXA17,
    Store,
    add_addendum,
    amend,
    enter_in_error,
    file_document,
    find_user,
    get_document,
    list_documents,
    list_versions,
    revise,
    sign,
    submit,
    verify,
)


def _u(store: Store, name: str):
    return find_user(store, name)


def test_file_sign_amend_addendum_keeps_every_version(store: Store) -> None:
    tina, dr = _u(store, "tina"), _u(store, "drsmith")
    doc = file_document(
        store,
        tina,
        patient_id=1,
        report_type="consult",
        text="Draft one.",
        author="drsmith",
        status="draft",
    )
    assert (doc.status, doc.version.version) == ("draft", 1)
    doc = revise(store, tina, doc.id, text="Draft two.")
    doc = submit(store, tina, doc.id)
    assert (doc.status, doc.version.text) == ("preliminary", "Draft two.")
    signed = sign(store, dr, doc.id, password=PASSWORDS["drsmith"])
    assert signed.status == "final" and signed.version.signed_by == dr.id
    assert TXA17[signed.status] == "LA"
    amended = amend(
        store,
        dr,
        doc.id,
        text="Corrected text.",
        reason="wrong side",
        password=PASSWORDS["drsmith"],
    )
    assert amended.status == "amended" and amended.version.reason == "wrong side"
    add = add_addendum(
        store, dr, doc.id, text="Pathology came back benign.", password=PASSWORDS["drsmith"]
    )
    assert (add.parent_id, add.relation, add.status) == (doc.id, "appends", "final")
    versions = list_versions(store, dr, doc.id)
    assert [(v.version, v.status) for v in versions] == [
        (1, "draft"),
        (2, "draft"),
        (3, "preliminary"),
        (4, "final"),
        (5, "amended"),
    ]
    assert get_document(store, dr, doc.id, version=4).version.text == "Draft two."
    assert [d.id for d in list_documents(store, dr, parent_id=doc.id)] == [add.id]
    assert verify(store).ok


def test_signed_document_cannot_be_revised(store: Store) -> None:
    tina = _u(store, "tina")
    with pytest.raises(IntegrityViolation, match="amendment"):
        revise(store, tina, 2, text="sneaky edit")
    assert get_document(store, tina, 2).version.text.startswith("HISTORY AND PHYSICAL")


def test_only_the_assigned_physician_signs_and_with_the_right_password(store: Store) -> None:
    jones, smith = _u(store, "drjones"), _u(store, "drsmith")
    with pytest.raises(AccessDenied, match="not assigned"):
        sign(store, jones, 1, password=PASSWORDS["drjones"])
    with pytest.raises(AccessDenied, match="Wrong password"):
        sign(store, smith, 1, password="wrong-password")
    assert get_document(store, smith, 1).status == "preliminary"
    refused = store.all("SELECT username, outcome FROM audit_log WHERE action = 'sign'")
    assert [tuple(r) for r in refused] == [
        ("drsmith", "ok"),
        ("drjones", "denied"),
        ("drsmith", "denied"),
    ]


def test_sql_cannot_change_or_delete_a_version(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="immutable"):
        store.conn.execute("UPDATE document_versions SET text = 'x' WHERE id = 1")
    with pytest.raises(sqlite3.IntegrityError, match="immutable"):
        store.conn.execute("DELETE FROM document_versions WHERE id = 1")


def test_entered_in_error_is_terminal_and_kept(store: Store) -> None:
    admin, dr = _u(store, "admin"), _u(store, "drsmith")
    doc = enter_in_error(store, admin, 2, reason="wrong patient")
    assert doc.status == "entered-in-error" and doc.version.reason == "wrong patient"
    with pytest.raises(IntegrityViolation):
        amend(store, dr, 2, text="x", reason="y", password=PASSWORDS["drsmith"])
    with pytest.raises(IntegrityViolation):
        enter_in_error(store, admin, 2, reason="again")
    assert list_versions(store, dr, 2)[-2].status == "final"


def test_bad_input_is_refused_with_nothing_written(store: Store) -> None:
    tina = _u(store, "tina")
    before = store.one("SELECT count(*) FROM documents")[0]
    with pytest.raises(AssistantError):
        file_document(store, tina, patient_id=1, report_type="x", text="   ", author="drsmith")
    with pytest.raises(AssistantError):
        file_document(store, tina, patient_id=999, report_type="x", text="t", author="drsmith")
    with pytest.raises(AssistantError, match="physician"):
        file_document(store, tina, patient_id=1, report_type="x", text="t", author="cody")
    with pytest.raises(IntegrityViolation):
        file_document(store, tina, patient_id=1, report_type="x", text="t", status="final")
    with pytest.raises(IntegrityViolation, match="FOREIGN KEY"):
        file_document(
            store, tina, patient_id=1, report_type="x", text="t", author="drsmith", dictation_id=999
        )
    assert store.one("SELECT count(*) FROM documents")[0] == before


# -- stateful: no sequence of actions changes a signed version -------------------------------

ACTORS = ["tina", "drsmith", "drjones", "admin", "cody"]


class DocumentMachine(RuleBasedStateMachine):
    @initialize()
    def setup(self) -> None:
        self.dir = tempfile.TemporaryDirectory()
        self.store = fresh_store(Path(self.dir.name))
        self.users = {n: find_user(self.store, n) for n in ACTORS}
        self.signed: dict[int, tuple] = {}  # version row id -> row as first seen
        self.docs = [1, 2]

    def teardown(self) -> None:
        if hasattr(self, "store"):
            self.store.close()
            self.dir.cleanup()

    def _try(self, fn, *args, **kw) -> None:
        with contextlib.suppress(AssistantError):  # refusals are part of the exploration
            fn(*args, **kw)

    @rule(actor=st.sampled_from(ACTORS), status=st.sampled_from(["draft", "preliminary"]))
    def file(self, actor: str, status: str) -> None:
        try:
            d = file_document(
                self.store,
                self.users[actor],
                patient_id=1,
                report_type="note",
                text=f"note by {actor}",
                author="drsmith",
                status=status,
            )
            self.docs.append(d.id)
        except AssistantError:
            pass

    @rule(actor=st.sampled_from(ACTORS), i=st.integers(0, 50), text=st.text(min_size=1))
    def revise(self, actor: str, i: int, text: str) -> None:
        self._try(revise, self.store, self.users[actor], self.docs[i % len(self.docs)], text=text)

    @rule(actor=st.sampled_from(ACTORS), i=st.integers(0, 50), good=st.booleans())
    def sign(self, actor: str, i: int, good: bool) -> None:
        pw = PASSWORDS[actor] if good else "wrong-password"
        self._try(sign, self.store, self.users[actor], self.docs[i % len(self.docs)], password=pw)

    @rule(actor=st.sampled_from(ACTORS), i=st.integers(0, 50), text=st.text(min_size=1))
    def amend(self, actor: str, i: int, text: str) -> None:
        self._try(
            amend,
            self.store,
            self.users[actor],
            self.docs[i % len(self.docs)],
            text=text,
            reason="correction",
            password=PASSWORDS[actor],
        )

    @rule(actor=st.sampled_from(ACTORS), i=st.integers(0, 50))
    def addendum(self, actor: str, i: int) -> None:
        self._try(
            add_addendum,
            self.store,
            self.users[actor],
            self.docs[i % len(self.docs)],
            text="addendum",
            password=PASSWORDS[actor],
        )

    @rule(actor=st.sampled_from(ACTORS), i=st.integers(0, 50))
    def withdraw(self, actor: str, i: int) -> None:
        self._try(
            enter_in_error,
            self.store,
            self.users[actor],
            self.docs[i % len(self.docs)],
            reason="error",
        )

    @invariant()
    def signed_versions_never_change(self) -> None:
        if not hasattr(self, "store"):
            return
        rows = self.store.all("SELECT * FROM document_versions WHERE signed_at IS NOT NULL")
        for r in rows:
            assert self.signed.setdefault(r["id"], tuple(r)) == tuple(r)
        now = {r["id"] for r in rows}
        assert set(self.signed) <= now, "a signed version disappeared"
        # Each document's current status is its newest version's status.
        bad = self.store.one(
            "SELECT count(*) FROM documents d JOIN document_versions v ON v.document_id = d.id"
            " AND v.version = d.current_version WHERE v.status != d.status"
        )[0]
        assert bad == 0


TestDocumentMachine = DocumentMachine.TestCase
TestDocumentMachine.settings = settings(
    max_examples=20,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
