"""Forms for the evaluation with the school's leaders, the report's findings, publishing and
reopening a published report."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
)
from wtforms import (
    BooleanField,
    Form,
    FormField,
    HiddenField,
    SelectField,
    SubmitField,
    TextAreaField,
)

from ..core.forms import BoundedFieldList, EditVersionField, MaxLength
from ..core.limits import LONG_TEXT, MAX_FINDINGS, MAX_FRAMEWORK_ASPECTS, MEDIUM_TEXT


def grade_or_none(value: Any) -> int | None:
    """A submitted grade as a number; out-of-range numbers are left for the service to refuse."""
    if value in (None, ""):
        return None
    return int(value)


def id_or_none(value: Any) -> int | None:
    if value in (None, ""):
        return None
    return int(value)


def _grade_field(label: str) -> SelectField:
    # validate_choice=False: a grade off the scale reaches the service, which says why it is refused.
    return SelectField(label, widget=GovSelect(), coerce=grade_or_none, validate_choice=False)


class AspectEvaluationForm(Form):
    aspect_id = HiddenField()
    proposed_grade = _grade_field("Proposed judgement")
    agreed_grade = _grade_field("Agreed judgement")
    rationale = TextAreaField("Rationale", widget=GovTextArea(), validators=[MaxLength(LONG_TEXT)],
                              description="Needed for a judgement of 5 to 7")
    school_disagreed = BooleanField("The school disagreed with the agreed judgement", widget=GovCheckboxInput())
    school_view = TextAreaField("The school's view", widget=GovTextArea(), validators=[MaxLength(LONG_TEXT)])


class EvaluationForm(FlaskForm):
    edit_version = EditVersionField()
    aspects = BoundedFieldList(FormField(AspectEvaluationForm), min_entries=0, max_items=MAX_FRAMEWORK_ASPECTS,
                               blank_rows=0, message="Reload the page: the form has more aspects than the framework")
    overall_grade = _grade_field("Overall judgement")
    overall_rationale = TextAreaField("Rationale for the overall judgement", widget=GovTextArea(),
                                      validators=[MaxLength(LONG_TEXT)])
    submit = SubmitField("Save evaluation", widget=GovSubmitInput())

    def set_grade_choices(self, choices: list[tuple[str, str]]) -> None:
        blank = [("", "Not yet judged")]
        for entry in self.aspects:
            entry.form.proposed_grade.choices = blank + choices
            entry.form.agreed_grade.choices = blank + choices
        self.overall_grade.choices = blank + choices


class FindingForm(Form):
    """One point of the report; emptied, it is removed."""

    finding_id = HiddenField()
    text = TextAreaField("Point", widget=GovTextArea(), validators=[MaxLength(LONG_TEXT, "Each point")])
    aspect_id = SelectField("Aspect (optional)", widget=GovSelect(), coerce=id_or_none, validate_choice=False)

    @property
    def is_blank(self) -> bool:
        return not (self.text.data or "").strip()


class FindingsForm(FlaskForm):
    edit_version = EditVersionField()
    works_well = BoundedFieldList(FormField(FindingForm), min_entries=0, max_items=MAX_FINDINGS,
                                  message=f"The report can have up to {MAX_FINDINGS} points on what works well: "
                                          "leave the rest empty, or combine some")
    more_effective = BoundedFieldList(FormField(FindingForm), min_entries=0, max_items=MAX_FINDINGS,
                                      message=f"The report can have up to {MAX_FINDINGS} points on what can be made "
                                              "more effective: leave the rest empty, or combine some")
    submit = SubmitField("Save report draft", widget=GovSubmitInput())

    def set_aspect_choices(self, choices: list[tuple[str, str]]) -> None:
        for entry in [*self.works_well, *self.more_effective]:
            entry.form.aspect_id.choices = [("", "No particular aspect")] + choices


class PublishForm(FlaskForm):
    reason = TextAreaField("Reason for the correction", widget=GovTextArea(), validators=[MaxLength(MEDIUM_TEXT)],
                           description="Needed when a version of this report has already been published")
    submit = SubmitField("Publish report", widget=GovSubmitInput())


class ReopenForm(FlaskForm):
    reason = TextAreaField("Why does the published report need correcting?", widget=GovTextArea(),
                           validators=[MaxLength(MEDIUM_TEXT, "The reason")])
    submit = SubmitField("Reopen for a correction", widget=GovSubmitInput())
