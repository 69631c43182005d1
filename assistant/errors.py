"""One exception per area, all under AssistantError, each with a message a user can act on."""

from __future__ import annotations


class AssistantError(Exception):
    """Base of every error the assistant reports to a user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(AssistantError):
    """A settings file or value is invalid."""


class AudioError(AssistantError):
    """Audio cannot be read: missing, empty, not audio, no audio stream, unsupported codec."""

    def __init__(self, message: str, reason: str = "unreadable") -> None:
        super().__init__(message)
        # A short machine-readable reason (e.g. "missing", "empty", "not_audio", "no_audio_stream",
        # "unsupported_codec", "no_speech") so batch jobs can record why a file was quarantined.
        self.reason = reason


class TranscriptionError(AssistantError):
    """The model cannot be loaded or decoding failed."""


class VocabError(AssistantError):
    """A lexicon file is missing or malformed."""


class TemplateError(AssistantError):
    """A report template is unknown, malformed or cannot render."""


class CodingError(AssistantError):
    """A classification code is invalid or the grouper failed."""


class StoreError(AssistantError):
    """The record store cannot be opened or written (locked, read-only, corrupt...)."""


class NotFound(StoreError):
    """A requested record does not exist."""


class IntegrityViolation(StoreError):
    """An action would break a record rule (e.g. change a signed version)."""


class AccessDenied(AssistantError):
    """The acting user's role does not allow this action, or authentication failed."""


class DictationError(AssistantError):
    """Live dictation cannot record (no microphone, no PortAudio, busy device)."""


class BatchError(AssistantError):
    """A batch run cannot start or go on (bad folder, options, or the model will not load)."""
