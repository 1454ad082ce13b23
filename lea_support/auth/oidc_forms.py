"""The administrators' form mapping a group of the council's sign-in service to a role."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import RadioField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired

from ..core.forms import MaxLength
from .oidc_models import GROUP_LENGTH


class SignInGroupForm(FlaskForm):
    group_name = StringField(
        "Group", widget=GovTextInput(),
        validators=[DataRequired("Enter the group's name or id, as the council's sign-in service sends it"),
                    MaxLength(GROUP_LENGTH)],
        description="As the council's sign-in service sends it in the groups claim: for Microsoft Entra ID, "
                    "the group's object id, like 4f1d2c3b-0a9e-4e8f-9b7a-1c2d3e4f5a6b",
    )
    # Any other value is refused by the service, in words that say what to choose.
    role = RadioField("Role its members sign in with", widget=GovRadioInput(), validate_choice=False,
                      validators=[InputRequired("Choose the role its members sign in with")])
    submit = SubmitField("Add group", widget=GovSubmitInput())

    def __init__(self, *args: Any, roles: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = roles

    def to_kwargs(self) -> dict[str, Any]:
        """`add_sign_in_group`'s input."""
        return {"group_name": self.group_name.data or "", "role": self.role.data or ""}
