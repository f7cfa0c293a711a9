"""Domain errors: each carries a stable code that the API maps to an HTTP status."""

from __future__ import annotations

from datetime import datetime


class DomainError(Exception):
    """A business rule refused an operation; `code` is stable and machine-readable."""

    code = "domain_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class ValidationFailed(DomainError):
    """Input breaks a rule; `field` names the offending input (camelCase path, e.g. `address.city`)."""

    code = "validation_failed"

    def __init__(self, field: str, message: str, *, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.field = field


class NotFound(DomainError):
    """The thing does not exist, or the caller may not know that it exists."""

    code = "not_found"


class Conflict(DomainError):
    """The operation clashes with the current state (illegal transition, taken, duplicate...)."""

    code = "conflict"


class IllegalTransition(Conflict):
    """The lifecycle has no such action from the booking's current state."""

    code = "illegal_transition"


class TooEarly(Conflict):
    """The step is real but its moment has not come; `earliest_at` is the first moment it is allowed."""

    code = "too_early"

    def __init__(self, message: str, *, code: str, earliest_at: datetime) -> None:
        super().__init__(message, code=code)
        self.earliest_at = earliest_at


class Forbidden(DomainError):
    """The caller is known but this actor may not perform this action."""

    code = "forbidden"


class RateLimited(DomainError):
    """Too many operations in a window; retry after `retry_after_seconds`."""

    code = "rate_limited"

    def __init__(self, message: str, *, retry_after_seconds: int, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after_seconds = retry_after_seconds
