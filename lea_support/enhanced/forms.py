"""Forms for a school's enhanced support plan and its consultant deployments."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import SelectField, StringField, SubmitField, TextAreaField

from ..core.db import MAX_ID
from ..core.forms import EditVersionField, MaxLength
from ..core.limits import LONG_TEXT, MEDIUM_TEXT


def _id(value: Any) -> int | None:
    """An account's id as chosen; None for nothing chosen, or a number no id can be."""
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 10 and int(text) <= MAX_ID else None


class NewPlanForm(FlaskForm):
    academic_year = StringField("Academic year", widget=GovTextInput(), validators=[MaxLength(7, "The academic year")],
                                description="For example, 2026/27")
    purposes = TextAreaField("Specific purposes of the support", widget=GovTextArea(),
                             validators=[MaxLength(LONG_TEXT)],
                             description="What the school and the authority agreed the support is for")
    outcome_hoped = TextAreaField("Outcome hoped for", widget=GovTextArea(), validators=[MaxLength(LONG_TEXT)])
    submit = SubmitField("Start the plan", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"academic_year": (self.academic_year.data or "").strip(), "purposes": self.purposes.data or "",
                "outcome_hoped": self.outcome_hoped.data or ""}


class PlanForm(FlaskForm):
    version = EditVersionField()
    purposes = TextAreaField("Specific purposes of the support", widget=GovTextArea(), validators=[MaxLength(LONG_TEXT)])
    outcome_hoped = TextAreaField("Outcome hoped for", widget=GovTextArea(), validators=[MaxLength(LONG_TEXT)])
    outcome_reached = TextAreaField("Outcome reached", widget=GovTextArea(), validators=[MaxLength(LONG_TEXT)],
                                    description="As the support ends: what changed, on what evidence")
    submit = SubmitField("Save plan", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"purposes": self.purposes.data or "", "outcome_hoped": self.outcome_hoped.data or "",
                "outcome_reached": self.outcome_reached.data or "", "expected_version": self.expected_version}

    @property
    def expected_version(self) -> int:
        # A version no record can have is a stale copy (0), not a number too large for the database.
        expected = self.version.expected
        return 0 if expected is None or expected > MAX_ID else expected


class DeploymentForm(FlaskForm):
    consultant_id = SelectField("LA consultant", widget=GovSelect(), coerce=_id, choices=[], validate_choice=False)
    purpose = StringField("Purpose", widget=GovTextInput(), validators=[MaxLength(MEDIUM_TEXT)])
    days_allocated = StringField("Days allocated", widget=GovTextInput(), validators=[MaxLength(10, "Days allocated")],
                                 description="Like 4 or 2.5")
    submit = SubmitField("Deploy consultant", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"consultant_id": self.consultant_id.data, "purpose": self.purpose.data or "",
                "days_allocated": self.days_allocated.data or ""}
