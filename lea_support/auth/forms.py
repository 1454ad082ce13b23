"""Sign-in and user administration forms."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovPasswordInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Optional, ValidationError

from ..core.forms import EditVersionField, MaxLength
from ..core.limits import MEDIUM_TEXT, SHORT_TEXT
from .models import EMAIL_LENGTH, ROLES, SPECIALISMS


class SignInForm(FlaskForm):
    email = StringField("Email address", widget=GovTextInput(),
                        validators=[DataRequired("Enter your email address"), MaxLength(EMAIL_LENGTH)])
    password = PasswordField("Password", widget=GovPasswordInput(),
                             validators=[DataRequired("Enter your password"), MaxLength(SHORT_TEXT)])
    submit = SubmitField("Sign in", widget=GovSubmitInput())


def _urns(text: str) -> list[int]:
    parts = [p for p in text.replace(",", " ").split() if p]
    bad = [p for p in parts if not p.isdigit()]
    if bad:
        raise ValidationError(f"URNs are numbers; check {', '.join(bad[:3])}")
    return [int(p) for p in parts]


class UserForm(FlaskForm):
    edit_version = EditVersionField()
    email = StringField("Email address", widget=GovTextInput(),
                        validators=[DataRequired("Enter an email address"),
                                    Email("Enter an email address in the correct format, like name@example.org"),
                                    MaxLength(EMAIL_LENGTH)])
    name = StringField("Full name", widget=GovTextInput(),
                       validators=[DataRequired("Enter the person's full name"), MaxLength(SHORT_TEXT)])
    role = SelectField("Role", choices=list(ROLES.items()), widget=GovSelect())
    specialism = SelectField("Specialism", choices=[("", "Not a consultant")] + list(SPECIALISMS.items()),
                             widget=GovSelect(), validate_choice=False,  # the service checks it
                             description="For LA consultants only: what they are deployed for")
    schools = TextAreaField(
        "Schools (URNs)", widget=GovTextArea(), validators=[Optional(), MaxLength(MEDIUM_TEXT, "The list of URNs")],
        description="For school leaders and governors only: the URN of each of their schools, separated by spaces",
    )
    password = PasswordField("Password", widget=GovPasswordInput(), validators=[MaxLength(SHORT_TEXT)],
                             description="12 characters or more; not a common password")
    is_disabled = BooleanField("Disable this account (ends their sessions now)", widget=GovCheckboxInput())
    submit = SubmitField("Save user", widget=GovSubmitInput())

    def validate_schools(self, field: TextAreaField) -> None:
        field.urns = _urns(field.data or "")

    @property
    def school_urns(self) -> list[int]:
        return _urns(self.schools.data or "")

    def to_new_account(self) -> dict[str, Any]:
        """`create_user`'s input."""
        return {"email": self.email.data or "", "name": self.name.data or "", "role": self.role.data,
                "password": self.password.data or "", "school_urns": self.school_urns,
                "specialism": self.specialism.data or None}

    def to_changes(self) -> dict[str, Any]:
        """`update_user`'s input (a new password, if one was typed, is set on its own)."""
        return {"name": self.name.data or "", "role": self.role.data, "school_urns": self.school_urns,
                "is_disabled": bool(self.is_disabled.data), "expected_version": self.edit_version.expected,
                "specialism": self.specialism.data or None}
