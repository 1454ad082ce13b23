"""Errors that services raise and views turn into messages."""
from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the operation. Nothing has been changed.

    `field` names the form field the message belongs to, when there is one, so the view
    can show it inline as well as in the error summary.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    pass
