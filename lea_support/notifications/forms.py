"""The account page's choices: for each kind of notification, immediately, in the digest, or off."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import RadioField, SubmitField
from wtforms.validators import InputRequired

from .models import MODES, NotificationKind
from .services import PreferencesData


class PreferencesForm(FlaskForm):
    submit = SubmitField("Save choices", widget=GovSubmitInput())

    kind_codes: list[str]

    def to_data(self) -> PreferencesData:
        return PreferencesData({code: self[code].data for code in self.kind_codes})


def preferences_form(kinds: list[NotificationKind], current: dict[str, str], **kwargs: Any) -> PreferencesForm:
    """A form with one set of radios per kind the person can receive, set to their choice."""

    class Form(PreferencesForm):
        pass

    for kind in kinds:
        setattr(Form, kind.code, RadioField(
            kind.label, widget=GovRadioInput(), choices=list(MODES.items()), default=current.get(kind.code),
            validators=[InputRequired(f"Choose how you hear of: {kind.label.lower()}")]))
    form = Form(**kwargs)
    form.kind_codes = [kind.code for kind in kinds]
    return form
