"""Helpers for forms shared by every area."""
from __future__ import annotations

from flask_wtf import FlaskForm

from ..extensions import db
from .errors import DomainError


def apply_domain_error(form: FlaskForm, err: DomainError) -> None:
    """Show a service's refusal on the form, inline on its field where it has one, and undo
    anything the service had begun (one operation, one transaction)."""
    db.session.rollback()
    field = getattr(form, err.field, None) if err.field else None
    if field is not None:
        field.errors = [*field.errors, err.message] if isinstance(field.errors, list) else [err.message]
    else:
        form.form_errors.append(err.message)
