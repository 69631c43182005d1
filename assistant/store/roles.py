"""Who may do what: the one table of roles × actions, and the acting-user dataclass.

Roles: transcriptionist, physician, coder, him (health information management / records
admin), auditor, and system (batch and dictation intake, never a person). Checks beyond the
table (a physician signs only documents assigned to them) live next to the action.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.errors import AccessDenied

ACTIONS = (
    "read_record",  # any read of patient data: chart, document, transcript, worklist
    "search",
    "register_patient",  # create patients and encounters
    "assign_work",  # match a dictation to its patient, a document to its physician
    "file_dictation",  # dictations, transcripts, transcript review state
    "edit_draft",  # create or revise a draft
    "submit_preliminary",  # file or revise a preliminary document
    "sign",
    "amend",
    "addendum",
    "enter_in_error",
    "code_encounter",
    "raise_query",
    "answer_query",
    "process_jobs",
    "manage_users",
    "read_audit",
    "backup",
)

PERMISSIONS: dict[str, frozenset[str]] = {
    "transcriptionist": frozenset(
        {
            "read_record",
            "search",
            "register_patient",
            "assign_work",
            "file_dictation",
            "edit_draft",
            "submit_preliminary",
        }
    ),
    "physician": frozenset(
        {
            "read_record",
            "search",
            "register_patient",
            "file_dictation",
            "edit_draft",
            "submit_preliminary",
            "sign",
            "amend",
            "addendum",
            "answer_query",
        }
    ),
    "coder": frozenset({"read_record", "search", "code_encounter", "raise_query"}),
    "him": frozenset(
        {
            "read_record",
            "search",
            "register_patient",
            "assign_work",
            "enter_in_error",
            "manage_users",
            "read_audit",
            "backup",
            "process_jobs",
        }
    ),
    "auditor": frozenset({"read_record", "search", "read_audit"}),
    # Intake files what it hears, as drafts or preliminary reports waiting for people; it never
    # reads charts, signs, codes or searches.
    "system": frozenset(
        {"register_patient", "file_dictation", "edit_draft", "submit_preliminary", "process_jobs"}
    ),
}

ROLES = tuple(PERMISSIONS)


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str
    display_name: str = ""
    active: bool = True
    created_at: str = ""

    def can(self, action: str) -> bool:
        return can(self.role, action)


def can(role: str, action: str) -> bool:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    return action in PERMISSIONS.get(role, frozenset())


def require(user: User, action: str) -> None:
    """Raise AccessDenied unless ``user`` is active and their role allows ``action``."""
    if not user.active:
        raise AccessDenied(f"User {user.username} is deactivated.")
    if not can(user.role, action):
        raise AccessDenied(f"A {user.role} may not {action.replace('_', ' ')} ({user.username}).")
