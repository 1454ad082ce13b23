"""Forms for nominating and agreeing good practice, the directory's search, and partnerships."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField

from ..casework.models import SUPPORT_ASPECTS
from ..core.forms import DateInputField, MaxLength
from ..core.limits import LONG_TEXT, MEDIUM_TEXT, SHORT_TEXT
from .models import THEMES


class NominateForm(FlaskForm):
    title = StringField("Title", widget=GovTextInput(), validators=[MaxLength(SHORT_TEXT)],
                        description="What other schools would search for, like \"Daily phonics in Reception\"")
    summary = TextAreaField("What the practice is and why it works", widget=GovTextArea(),
                            validators=[MaxLength(LONG_TEXT)])
    theme = SelectField("Theme", widget=GovSelect(), choices=[("", "Choose a theme")] + list(THEMES.items()),
                        validate_choice=False)
    aspect = RadioField("Aspect of LA support", widget=GovRadioInput(), choices=list(SUPPORT_ASPECTS.items()),
                        default="sharing4success", validate_choice=False)
    submit = SubmitField("Nominate for the directory", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"title": self.title.data or "", "summary": self.summary.data or "", "theme": self.theme.data or "",
                "aspect": self.aspect.data or ""}


class AgreeForm(FlaskForm):
    contact_name = StringField("Who other schools should contact", widget=GovTextInput(),
                               validators=[MaxLength(SHORT_TEXT, "The contact's name")])
    contact_email = StringField("Their email address", widget=GovTextInput(),
                                validators=[MaxLength(SHORT_TEXT, "The email address")])
    submit = SubmitField("Agree to share", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"contact_name": self.contact_name.data or "", "contact_email": self.contact_email.data or ""}


class DeclineForm(FlaskForm):
    reason = TextAreaField("Why not (optional)", widget=GovTextArea(), validators=[MaxLength(MEDIUM_TEXT, "The reason")])
    submit = SubmitField("Do not share", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"reason": self.reason.data or ""}


class PartnershipForm(FlaskForm):
    lead_urn = StringField("Lead school (URN)", widget=GovTextInput(), validators=[MaxLength(10, "The URN")],
                           description="The school that gives the support")
    partner_urn = StringField("Partner school (URN)", widget=GovTextInput(), validators=[MaxLength(10, "The URN")],
                              description="The school that is supported")
    purpose = TextAreaField("Purpose", widget=GovTextArea(), validators=[MaxLength(MEDIUM_TEXT)])
    aspect = RadioField("Aspect of LA support", widget=GovRadioInput(), choices=list(SUPPORT_ASPECTS.items()),
                        default="sharing4success", validate_choice=False)
    starts_on = DateInputField("Starts")
    ends_on = DateInputField("Ends (if known)")
    submit = SubmitField("Record partnership", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"lead_urn": self.lead_urn.data, "partner_urn": self.partner_urn.data, "purpose": self.purpose.data or "",
                "aspect": self.aspect.data or "", "starts_on": self.starts_on.data, "ends_on": self.ends_on.data}


class PartnershipOutcomeForm(FlaskForm):
    ends_on = DateInputField("Ended")
    outcomes = TextAreaField("Outcomes", widget=GovTextArea(), validators=[MaxLength(LONG_TEXT)])
    submit = SubmitField("Save outcomes", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"ends_on": self.ends_on.data, "outcomes": self.outcomes.data or ""}
