"""Helpers for forms shared by every area."""
from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any, Callable, TypeVar

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovSelect
from wtforms import (
    Field,
    FieldList,
    Form,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.utils import unset_value
from wtforms.validators import StopValidation, ValidationError

from ..extensions import db
from .errors import DomainError
from .limits import too_long
from .locking import AlreadyChanged, EditConflict
from .terms import MAX_YEAR, MIN_YEAR, Term, term_choices, term_label, terms_around

D = TypeVar("D")


def build_data(data_class: type[D], form: Form, **extra: Any) -> D:
    """A service's input dataclass from the form's fields of the same names: text left empty is
    "" (not None), a multiple choice left empty is []. `extra` gives the fields the form does not
    have, or that need building (a list of rows)."""
    values: dict[str, Any] = {}
    for spec in dataclasses.fields(data_class):  # type: ignore[arg-type]  # a dataclass type, not an instance
        field = form._fields.get(spec.name)
        if spec.name in extra or field is None:
            continue
        value = field.data
        if value is None and isinstance(field, SelectMultipleField):
            value = []
        elif value is None and isinstance(field, StringField):
            value = ""
        values[spec.name] = value
    return data_class(**values, **extra)


class EmptyForm(FlaskForm):
    """A button that changes state: just the CSRF token."""

    def to_kwargs(self) -> dict[str, Any]:
        return {}


class EditVersionField(HiddenField):
    """The `edit_version` of the record the form was opened at (see `core.locking`)."""

    @property
    def expected(self) -> int | None:
        text = str(self.data or "")
        return int(text) if text.isdigit() else None


class TermField(SelectField):
    """A term chosen from a list written as people write terms ("Autumn 2026"); the value is its
    slug (autumn-2026), which the service checks (`core.terms.require_term`; none chosen is refused
    there too, after the check for a stale form). `span` gives the first and last terms listed,
    asked on each request; a value outside them (a term stored long ago, or what was sent) stays in
    the list, chosen, so that editing never loses it. With a `prompt`, the list starts with it and
    nothing is chosen until the person chooses."""

    def __init__(self, label: str, *, span: Callable[[], tuple[Term, Term]] = lambda: terms_around(1, 5),
                 newest_first: bool = False, prompt: str | None = None, **kwargs: Any) -> None:
        self.span, self.newest_first, self.prompt = span, newest_first, prompt
        super().__init__(label, widget=GovSelect(), validate_choice=False, **kwargs)

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        choices = term_choices(*self.span(), newest_first=self.newest_first)
        super().process(formdata, data, extra_filters)
        if self.data and self.data not in dict(choices):
            choices.append((self.data, term_label(self.data)))
        self.choices = ([("", self.prompt)] if self.prompt else []) + choices


class MaxLength:
    """At most `limit` characters, refused with "<what> must be 2,000 characters or fewer" (`what`
    defaults to the field's label). No `maxlength` attribute: a browser would cut what is pasted
    without saying so, where the Design System shows the message instead."""

    field_flags: dict[str, Any] = {}

    def __init__(self, limit: int, what: str | None = None):
        self.limit, self.what = limit, what

    def __call__(self, form: Any, field: Field) -> None:
        if isinstance(field.data, str) and len(field.data) > self.limit:
            raise ValidationError(too_long(self.what or field.label.text, self.limit))


class BoundedFieldList(FieldList):
    """A list of rows ("Save to get more empty ones") with at most `max_items` filled in; rows whose
    form says `is_blank` do not count. Reads no more than that and `blank_rows` more from the
    request, and refuses (rather than silently dropping) what was sent beyond."""

    def __init__(self, unbound_field: Any, label: str | None = None, validators: Any = None, *, max_items: int,
                 message: str, blank_rows: int = 10, **kwargs: Any):
        super().__init__(unbound_field, label, validators, max_entries=max_items + blank_rows, **kwargs)
        self.max_items, self.too_many = max_items, message
        self.rows_sent = 0

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        self.rows_sent = len(set(self._extract_indices(self.name, formdata))) if formdata else 0
        super().process(formdata, data, extra_filters)

    def validate(self, form: Any, extra_validators: Any = ()) -> bool:
        valid = super().validate(form, extra_validators)
        filled = [entry for entry in self.entries if not getattr(entry.form, "is_blank", False)]
        if self.rows_sent > (self.max_entries or 0) or len(filled) > self.max_items:
            self.errors = [self.too_many]
            return False
        return valid


def refuse(form: FlaskForm, err: DomainError, *, rolled_back: bool = False) -> int:
    """Show a service's refusal on the form and give the status to answer with: 409 when someone
    else saved the record first (the form then carries the version now saved, so that saving again
    is a deliberate choice to keep these changes), else 422. What was typed stays in the form.
    `rolled_back`: the operation's savepoint is already undone (`core.web.process_form`)."""
    if rolled_back:
        show_on_form(form, err)
    else:
        apply_domain_error(form, err)
    if isinstance(err, EditConflict):
        version_field = next((f for f in form if isinstance(f, EditVersionField)), None)
        if version_field is not None:
            version_field.data = str(err.saved_version)
        return 409
    return 409 if isinstance(err, AlreadyChanged) else 422


def apply_domain_error(form: FlaskForm, err: DomainError) -> None:
    """Show a service's refusal on the form, inline on its field where it has one, and undo
    anything the service had begun (one operation, one transaction)."""
    db.session.rollback()
    show_on_form(form, err)


def show_on_form(form: FlaskForm, err: DomainError) -> None:
    """Put a service's refusal on the form: inline on its field where it has one. A form whose
    refusals belong somewhere its own fields cannot say (a row of a list, several problems at once)
    places them itself with `show_refusal(err)`, returning True when it has."""
    show_refusal = getattr(form, "show_refusal", None)
    if show_refusal is not None and show_refusal(err):
        return
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
