"""Forms for statutory intervention: giving a warning notice, recording compliance or a power used,
referring an academy to the DfE. Choices are checked by the services, which say what is wrong."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import RadioField, SelectMultipleField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired

from ..core.db import MAX_ID
from ..core.forms import DateInputField, EditVersionField, MaxLength
from ..core.limits import LONG_TEXT
from .models import GROUND_NAMES, POWERS


class WarningNoticeForm(FlaskForm):
    issued_on = DateInputField("Date of the notice", description="Leave empty for today")
    grounds = SelectMultipleField("Grounds", widget=GovCheckboxesInput(), choices=list(GROUND_NAMES.items()),
                                  validate_choice=False, description="Select all that apply",
                                  validators=[InputRequired("Choose at least one of the three grounds the notice is "
                                                            "given on")])
    # Checked here as well as by the service, so that everything missing is said at once.
    reasons = TextAreaField("The matters the authority's conclusion rests on", widget=GovTextArea(),
                            validators=[DataRequired("Enter the matters the authority's conclusion rests on"),
                                        MaxLength(LONG_TEXT, "The matters")],
                            description="The evidence behind each ground, as the letter will set it out")
    required_action = TextAreaField("What the governing body must do", widget=GovTextArea(),
                                    validators=[DataRequired("Enter what the governing body must do to remedy the "
                                                             "matters"),
                                                MaxLength(LONG_TEXT, "What the governing body must do")])
    comply_by = DateInputField("End of the compliance period", required=True,
                               required_message="Enter the date the compliance period ends",
                               description="After the governing body's 15 working days for representations to Ofsted")
    submit = SubmitField("Give the warning notice", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"grounds": list(self.grounds.data or []), "reasons": self.reasons.data or "",
                "required_action": self.required_action.data or "", "comply_by": self.comply_by.data,
                "issued_on": self.issued_on.data}


class ComplianceForm(FlaskForm):
    version_id = EditVersionField()
    on = DateInputField("Date the governing body complied", required=True)
    reason = TextAreaField("How it complied, and the evidence", widget=GovTextArea(),
                           validators=[MaxLength(LONG_TEXT, "How it complied")])
    submit = SubmitField("Record compliance", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        expected = self.version_id.expected
        return {"on": self.on.data, "reason": self.reason.data or "",
                "expected_version": 0 if expected is None or expected > MAX_ID else expected}


class PowerForm(FlaskForm):
    power = RadioField("Power used", widget=GovRadioInput(), choices=list(POWERS.items()), validate_choice=False)
    decided_on = DateInputField("Date of the decision", required=True)
    takes_effect_on = DateInputField("Takes effect on", required=True)
    ends_on = DateInputField("Ends on", description="If known: leave empty while it is in force with no end date")
    documents = TextAreaField("Documents", widget=GovTextArea(), validators=[MaxLength(LONG_TEXT, "The documents")],
                              description="The decision record and letters sent, or where they are kept")
    submit = SubmitField("Record the power used", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"power": self.power.data or "", "decided_on": self.decided_on.data,
                "takes_effect_on": self.takes_effect_on.data, "ends_on": self.ends_on.data,
                "documents": self.documents.data or ""}


class ReferralForm(FlaskForm):
    referred_on = DateInputField("Date of the referral", description="Leave empty for today")
    grounds = TextAreaField("The concern", widget=GovTextArea(), validators=[MaxLength(LONG_TEXT, "The concern")],
                            description="What worries the authority about the school's standards, leadership or "
                                        "pupils' safety")
    evidence = TextAreaField("Evidence", widget=GovTextArea(), validators=[MaxLength(LONG_TEXT, "The evidence")],
                             description="Visits, data, reviews and anything else the concern rests on")
    submit = SubmitField("Make the referral", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"grounds": self.grounds.data or "", "evidence": self.evidence.data or "",
                "referred_on": self.referred_on.data}
