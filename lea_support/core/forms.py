"""Helpers for forms shared by every area."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import Field, HiddenField
from wtforms.validators import StopValidation

from ..extensions import db
from .errors import DomainError
from .locking import EditConflict
from .terms import MAX_YEAR, MIN_YEAR


class EmptyForm(FlaskForm):
    """A button that changes state: just the CSRF token."""


class EditVersionField(HiddenField):
    """The `edit_version` of the record the form was opened at (see `core.locking`)."""

    @property
    def expected(self) -> int | None:
        text = str(self.data or "")
        return int(text) if text.isdigit() else None


def refuse(form: FlaskForm, err: DomainError) -> int:
    """Show a service's refusal on the form and give the status to answer with: 409 when someone
    else saved the record first (the form then carries the version now saved, so that saving again
    is a deliberate choice to keep these changes), else 422. What was typed stays in the form."""
    apply_domain_error(form, err)
    if isinstance(err, EditConflict):
        form.edit_version.data = str(err.saved_version)
        return 409
    return 422


def apply_domain_error(form: FlaskForm, err: DomainError) -> None:
    """Show a service's refusal on the form, inline on its field where it has one, and undo
    anything the service had begun (one operation, one transaction)."""
    db.session.rollback()
    field = getattr(form, err.field, None) if err.field else None
    if field is not None:
        field.errors = [*field.errors, err.message] if isinstance(field.errors, list) else [err.message]
    else:
        form.form_errors.append(err.message)


class DateInputField(Field):
    """A GOV.UK date input (day, month, year boxes) that yields a `date` or None.

    WTForms' DateField cannot tell "left empty" from "typed wrongly" and govuk-frontend-wtf's
    widget expects exactly three values; this field always keeps three (so what was typed is
    redisplayed) and gives messages in the Design System's words.
    """

    widget = GovDateInput()

    def __init__(self, label: str | None = None, validators: Any = None, *, required: bool = False,
                 required_message: str | None = None, **kwargs: Any):
        super().__init__(label, validators, **kwargs)
        self.required = required
        self.required_message = required_message  # when "Enter the <label>" does not read as English

    def _value(self) -> str:
        return self.data.strftime("%d %m %Y") if self.data else ""

    def process_formdata(self, valuelist: list[str]) -> None:
        parts = [v.strip() for v in [*valuelist, "", "", ""][:3]]
        self.raw_data = parts
        self.data = None
        if not any(parts):
            return
        missing = [name for name, value in zip(("day", "month", "year"), parts, strict=True) if not value]
        if missing:
            raise ValueError(f"{self.label.text} must include a {missing[0]}")
        try:
            day, month, year = (int(p) for p in parts)
            if year < 1000:  # a two-digit year, most likely
                raise ValueError
            self.data = date(year, month, day)
        except (ValueError, OverflowError):  # a year of 30 digits overflows rather than being wrong
            raise ValueError(f"{self.label.text} must be a real date, like 27 3 2026") from None
        if not MIN_YEAR <= year <= MAX_YEAR:
            self.data = None
            raise ValueError(f"{self.label.text} must be a date between {MIN_YEAR} and {MAX_YEAR}")

    def pre_validate(self, form: Any) -> None:
        if self.required and self.data is None and not self.errors:
            raise StopValidation(self.required_message or f"Enter the {self.label.text.lower()}")
