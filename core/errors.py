"""The one error tree of o2c-capture.

Two families decide what happens to a document:

* `TransientError` - the world was not ready (database or broker down, timeout, portal 5xx).
  Retrying later may succeed; the document stays in its working state and is retried.
* `PermanentError` - the input itself is bad (empty file, corrupt or encrypted PDF,
  unsupported type).  Retrying cannot help; the document goes to ``failed`` with the
  error's ``kind`` and message, visible in the UI and ``o2c status``.

Every error carries a short machine-readable ``kind`` and a one-line human message that
says what is wrong and, where possible, what to do.
"""
from __future__ import annotations


class O2CError(Exception):
    """Base of every error this project raises on purpose."""

    kind: str = "error"

    def __init__(self, message: str, *, kind: str | None = None) -> None:
        super().__init__(message)
        if kind is not None:
            self.kind = kind

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.kind


class TransientError(O2CError):
    """Retry later: an outside dependency failed, not the input."""

    kind = "transient"


class PermanentError(O2CError):
    """The input is bad; retrying cannot help."""

    kind = "permanent"


# --- configuration and infrastructure -------------------------------------------------
class ConfigError(PermanentError):
    kind = "config"


class DatabaseUnavailable(TransientError):
    kind = "database_unavailable"


class BrokerUnavailable(TransientError):
    kind = "broker_unavailable"


class StageTimeout(TransientError):
    kind = "timeout"


# --- state machine --------------------------------------------------------------------
class InvalidTransition(PermanentError):
    kind = "invalid_transition"


class DocumentNotFound(PermanentError):
    kind = "not_found"


# --- input ----------------------------------------------------------------------------
class InputError(PermanentError):
    """Something is wrong with a file a user or a mailbox gave us."""

    kind = "bad_input"


class EmptyFile(InputError):
    kind = "empty_file"


class UnreadablePath(InputError):
    kind = "unreadable_path"


class UnsupportedType(InputError):
    kind = "unsupported_type"


class CorruptDocument(InputError):
    kind = "corrupt_document"


class EncryptedDocument(InputError):
    kind = "encrypted_document"


class TooLarge(InputError):
    kind = "too_large"


class NoContent(InputError):
    """The document was readable but yielded no text at all (blank page, unreadable scan)."""

    kind = "no_content"
