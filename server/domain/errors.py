"""Domain errors. Every entry point maps them to its own error shape (HTTP status and
``{"error": {...}}`` body, Socket.IO acknowledgement), so they are raised once here."""

from __future__ import annotations


class DomainError(Exception):
    code = "error"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "field": self.field}


class Invalid(DomainError):
    code = "invalid"


class Unauthenticated(DomainError):
    code = "unauthenticated"


class Unconfirmed(DomainError):
    code = "unconfirmed"


class Forbidden(DomainError):
    code = "forbidden"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class Unavailable(DomainError):
    """The storage refused for a reason outside the request (locked, read-only, full);
    nothing was written and the same request succeeds once it clears."""

    code = "unavailable"
