"""Domain errors. The API turns each into one JSON shape (truongso/api.py); HTML views show
them as page or form messages. `code` is for programs, `message` for people (translated)."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    status = 400
    code = "error"
    message = _("The request could not be carried out.")

    def __init__(self, message=None, *, field: str | None = None, headers: dict | None = None):
        super().__init__(message or self.message)
        self.message = message or self.message
        self.field = field
        self.headers = headers or {}


class NotFound(DomainError):
    """Missing and not-yours alike (an id reveals nothing)."""

    status = 404
    code = "not_found"
    message = _("Not found.")


class TermClosed(DomainError):
    status = 409
    code = "term_closed"
    message = _("This term is closed; only a school administrator can reopen it.")


class PayloadTooLarge(DomainError):
    status = 413
    code = "payload_too_large"
    message = _("The request body is too large.")


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"
    message = _("Too many requests from this device; try again later.")
