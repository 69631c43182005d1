"""Messages the screens post up to the app, which routes them (attributes down, messages up)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from assistant.store import User, WorklistItem


@dataclass
class SignedIn(Message):
    user: User


@dataclass
class OpenItem(Message):
    """Open a worklist item in the editor."""

    item: WorklistItem


@dataclass
class OpenDocument(Message):
    """Open a document (a given version: read-only) from search, chart or history."""

    document_id: int
    version: int | None = None
    read_only: bool = True


@dataclass
class OpenChart(Message):
    patient_id: int


@dataclass
class StoreChanged(Message):
    """Something was saved: screens showing lists refresh."""
