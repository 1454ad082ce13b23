"""The account page's form for a new API token."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput, GovTextInput
from wtforms import SelectMultipleField, StringField, SubmitField

from ..core.forms import DateInputField, MaxLength, build_data
from ..core.limits import SHORT_TEXT
from .services import TokenData


class TokenForm(FlaskForm):
    name = StringField("Name", widget=GovTextInput(), validators=[MaxLength(SHORT_TEXT)],
                       description="What uses it, so you can tell your tokens apart: for example, Power BI tier report")
    scopes = SelectMultipleField("What the token may read", widget=GovCheckboxesInput(), choices=[],
                                 validate_choice=False)  # the service refuses what the person may not choose
    expires_on = DateInputField("Date it stops working",
                                description="A year from today at most. For example, 27 3 2027")
    submit = SubmitField("Make token", widget=GovSubmitInput())

    def __init__(self, scopes: dict[str, str], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scopes.choices = list(scopes.items())

    def to_data(self) -> TokenData:
        return build_data(TokenData, self)
