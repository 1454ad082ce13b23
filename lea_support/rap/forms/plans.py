"""Forms for a Raising Achievement Plan. Amounts and days are taken as typed: the services check
them and refuse with a message that names what to fix (so what was typed is shown again)."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)

from ...core.db import MAX_ID
from ...core.forms import DateInputField, EditVersionField, MaxLength, TermField, build_data
from ...core.limits import LONG_TEXT, MEDIUM_TEXT, SHORT_TEXT
from ...core.terms import terms_around
from ..models import ACTION_STATUSES
from ..services import UNCHANGED, ActionData


def optional_int(value: Any) -> int | None:
    try:
        return None if value in (None, "") else int(value)
    except (TypeError, ValueError):
        return None


class DraftPlanForm(FlaskForm):
    sip_reference = TextAreaField(
        "School Improvement Plan or post-Ofsted action plan", widget=GovTextArea(),
        validators=[MaxLength(MEDIUM_TEXT, "The School Improvement Plan reference")],
        description="Which plan this fits, for example \u201cSIP 2026-27, priorities 1 and 3\u201d")
    finding_ids = SelectMultipleField("Draft objectives from the review", widget=GovCheckboxesInput(), coerce=int,
                                      validate_choice=False,
                                      description="The review's \u201ccan be made more effective\u201d points")
    submit = SubmitField("Start the draft plan", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"sip_reference": self.sip_reference.data or "", "finding_ids": list(self.finding_ids.data or [])}


class EditForm(FlaskForm):
    """A form that edits a record in place: it carries the version it was opened at."""

    version_id = EditVersionField()
    # Whether a save that does not say which copy it was made from is refused as a conflict (the
    # plan's parts and the reviews), or made on the record as it is (the team's quick changes).
    version_required = True

    @property
    def expected_version(self) -> int | None:
        """The version the form was opened at; if it is missing or garbled, 0 (never a real version,
        so a conflict) where a version is required, else None (no check). A number no counter can
        reach is 0 too (the database would refuse to compare with it)."""
        expected = self.version_id.expected
        if expected is None:
            return 0 if self.version_required else None
        return expected if expected <= MAX_ID else 0


class PlanDetailsForm(EditForm):
    sip_reference = TextAreaField("School Improvement Plan or post-Ofsted action plan", widget=GovTextArea(),
                                  validators=[MaxLength(MEDIUM_TEXT, "The School Improvement Plan reference")])
    standards_fund = StringField("Standards Fund amount, in pounds", widget=GovTextInput(),
                                 validators=[MaxLength(30, "The Standards Fund amount")],
                                 description="For example, 2500 or 2500.50")
    professional_development = TextAreaField("Professional development", widget=GovTextArea(),
                                             validators=[MaxLength(LONG_TEXT)])
    midpoint_review_on = DateInputField(
        "Mid-point review date",
        description="Normally 8 to 16 weeks after the plan is agreed: the date is checked against that window "
                    "when the plan is signed off")
    submit = SubmitField("Save plan details", widget=GovSubmitInput())

    def to_kwargs(self, *, sets_midpoint: bool) -> dict[str, Any]:
        """`sets_midpoint`: only the first version's agreement sets the mid-point review."""
        return {"sip_reference": self.sip_reference.data or "", "standards_fund": self.standards_fund.data,
                "professional_development": self.professional_development.data or "",
                "midpoint_review_on": self.midpoint_review_on.data if sets_midpoint else UNCHANGED,
                "expected_version": self.expected_version}


class SignOffForm(FlaskForm):
    # Shown to the signer whose signature agrees version 1; the description (the window, if the
    # plan is agreed today) is set by the view.
    midpoint_review_on = DateInputField("Mid-point review date")
    submit = SubmitField("Sign off the plan", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"midpoint_review_on": self.midpoint_review_on.data}


class ObjectiveForm(FlaskForm):
    text = TextAreaField("Objective", widget=GovTextArea(), validators=[MaxLength(LONG_TEXT)])
    submit = SubmitField("Add objective", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"text": self.text.data or ""}


class ObjectiveEditForm(EditForm, ObjectiveForm):
    submit = SubmitField("Save objective", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {**super().to_kwargs(), "expected_version": self.expected_version}


class CriterionForm(FlaskForm):
    measure = StringField("Measure", widget=GovTextInput(), validators=[MaxLength(MEDIUM_TEXT)])
    baseline = StringField("Baseline", widget=GovTextInput(), validators=[MaxLength(MEDIUM_TEXT)])
    target = StringField("Target", widget=GovTextInput(), validators=[MaxLength(MEDIUM_TEXT)])
    by_when = DateInputField("By when")
    submit = SubmitField("Add success criterion", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"measure": self.measure.data or "", "baseline": self.baseline.data or "",
                "target": self.target.data or "", "by_when": self.by_when.data}


class CriterionEditForm(EditForm, CriterionForm):
    # Carries the objective's version: a criterion is locked with its objective.
    submit = SubmitField("Save success criterion", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {**super().to_kwargs(), "expected_version": self.expected_version}


class CriterionMeasureForm(EditForm):
    """Bind a criterion to a measure of the national data. Carries the objective's version."""
    measure_code = SelectField("Measure", widget=GovSelect(), validate_choice=False,
                               description="Measures with data for the school. The baseline is the school's latest "
                                           "value, shown beside each measure")
    target = StringField("Target", widget=GovTextInput(), validators=[MaxLength(30, "The target")],
                         description="A number in the measure's unit, for example 65 for 65%")
    submit = SubmitField("Bind to the measure", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"measure_code": self.measure_code.data or "", "target": self.target.data,
                "expected_version": self.expected_version}


class ActionForm(FlaskForm):
    what = TextAreaField("What is to be done", widget=GovTextArea(), validators=[MaxLength(MEDIUM_TEXT)])
    owner_id = SelectField("Owner (a person)", widget=GovSelect(), coerce=optional_int, validate_choice=False)
    owner_role = StringField("Or a named role at the school", widget=GovTextInput(),
                             validators=[MaxLength(SHORT_TEXT, "The owner's role")],
                             description="For example, Headteacher or English lead")
    starts_on = DateInputField("Start date")
    due_on = DateInputField("Due date")
    status = SelectField("Status", widget=GovSelect(), choices=list(ACTION_STATUSES.items()), default="not_started",
                         validate_choice=False)
    notes = TextAreaField("Notes", widget=GovTextArea(), validators=[MaxLength(LONG_TEXT)])
    evidence = TextAreaField("Evidence", widget=GovTextArea(), validators=[MaxLength(MEDIUM_TEXT)],
                             description="What will show it was done: a document, a link or a description")
    submit = SubmitField("Add action", widget=GovSubmitInput())

    def to_data(self) -> ActionData:
        return build_data(ActionData, self, status=self.status.data or "not_started")


class ActionEditForm(EditForm, ActionForm):
    submit = SubmitField("Save action", widget=GovSubmitInput())


class AllocationForm(FlaskForm):
    user_id = SelectField("Adviser or consultant", widget=GovSelect(), coerce=optional_int, validate_choice=False)
    term = TermField("Term", span=lambda: terms_around(1, 5), prompt="Choose a term")
    days = StringField("Days allocated", widget=GovTextInput(), validators=[MaxLength(20)])
    submit = SubmitField("Allocate time", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"user_id": self.user_id.data, "term": self.term.data or "", "days": self.days.data}


class AllocationEditForm(EditForm, AllocationForm):
    # Carries the plan's version: an allocation is locked with the plan.
    submit = SubmitField("Save time allocated", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {**super().to_kwargs(), "expected_version": self.expected_version}


class TimeUsedForm(FlaskForm):
    used_on = DateInputField("Date")
    days = StringField("Days used", widget=GovTextInput(), validators=[MaxLength(20)])
    note = StringField("Note", widget=GovTextInput(), validators=[MaxLength(MEDIUM_TEXT)])
    submit = SubmitField("Log days used", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"used_on": self.used_on.data, "days": self.days.data, "note": self.note.data or ""}


class AmendForm(FlaskForm):
    reason = TextAreaField("Reason for the amendment", widget=GovTextArea(), validators=[MaxLength(MEDIUM_TEXT, "The reason")])
    submit = SubmitField("Start an amendment", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"reason": self.reason.data or ""}
