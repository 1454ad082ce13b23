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

from ..core.errors import DomainError
from ..core.forms import BoundedFieldList, EditVersionField, MaxLength, build_data
from ..core.limits import LONG_TEXT, MAX_FINDINGS, MAX_FRAMEWORK_ASPECTS, MEDIUM_TEXT
from .models import FINDING_KINDS
from .reporting import AspectError, AspectJudgement, FindingData, PublishRefused, SchoolView


def grade_or_none(value: Any) -> int | None:
    """A submitted grade as a number; out-of-range numbers are left for the service to refuse."""
    if value in (None, ""):
        return None
    return int(value)


def id_or_none(value: Any) -> int | None:
    if value in (None, ""):
        return None
    return int(value)


def posted_id(value: Any) -> int | None:
    """The id a hidden field carries: None if empty, -1 (the id of nothing, which the service
    refuses) if it is not a number."""
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return -1


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

    def to_data(self) -> AspectJudgement:
        return build_data(AspectJudgement, self, aspect_id=posted_id(self.aspect_id.data) or -1,
                          school_disagreed=bool(self.school_disagreed.data))


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

    def to_kwargs(self) -> dict[str, Any]:
        return {"judgements": [entry.form.to_data() for entry in self.aspects],
                "overall_grade": self.overall_grade.data, "overall_rationale": self.overall_rationale.data or "",
                "expected_version": self.edit_version.expected}

    def show_refusal(self, err: DomainError) -> bool:
        """A refusal about one aspect is shown on that aspect's row (and in the summary)."""
        if not isinstance(err, AspectError):
            return False
        for entry in self.aspects:
            if posted_id(entry.form.aspect_id.data) == err.aspect_id:
                field = entry.form[err.field]
                field.errors = [*field.errors, err.message]
        self.aspects.errors = [entry.errors for entry in self.aspects]
        return True


class SchoolAspectViewForm(Form):
    aspect_id = HiddenField()
    grade = _grade_field("The school's grade")
    comment = TextAreaField("The school's comment", widget=GovTextArea(), validators=[MaxLength(LONG_TEXT)])

    def to_data(self) -> SchoolView:
        return SchoolView(aspect_id=posted_id(self.aspect_id.data) or -1, grade=self.grade.data,
                          comment=self.comment.data or "")


class SchoolViewForm(FlaskForm):
    aspects = BoundedFieldList(FormField(SchoolAspectViewForm), min_entries=0, max_items=MAX_FRAMEWORK_ASPECTS,
                               blank_rows=0, message="Reload the page: the form has more aspects than the framework")
    submit = SubmitField("Save the school's view", widget=GovSubmitInput())

    def set_grade_choices(self, choices: list[tuple[str, str]]) -> None:
        for entry in self.aspects:
            entry.form.grade.choices = [("", "No grade given")] + choices

    def to_kwargs(self) -> dict[str, Any]:
        return {"views": [entry.form.to_data() for entry in self.aspects]}

    def show_refusal(self, err: DomainError) -> bool:
        """A refusal about one aspect is shown on that aspect's row (and in the summary)."""
        if not isinstance(err, AspectError):
            return False
        for entry in self.aspects:
            if posted_id(entry.form.aspect_id.data) == err.aspect_id:
                field = entry.form[err.field]
                field.errors = [*field.errors, err.message]
        self.aspects.errors = [entry.errors for entry in self.aspects]
        return True


class FindingForm(Form):
    """One point of the report; emptied, it is removed."""

    finding_id = HiddenField()
    text = TextAreaField("Point", widget=GovTextArea(), validators=[MaxLength(LONG_TEXT, "Each point")])
    aspect_id = SelectField("Aspect (optional)", widget=GovSelect(), coerce=id_or_none, validate_choice=False)

    @property
    def is_blank(self) -> bool:
        return not (self.text.data or "").strip()

    def to_data(self, kind: str) -> FindingData:
        return build_data(FindingData, self, kind=kind, id=posted_id(self.finding_id.data))


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

    def to_kwargs(self) -> dict[str, Any]:
        return {"findings": [entry.form.to_data(kind) for kind in FINDING_KINDS for entry in getattr(self, kind)],
                "expected_version": self.edit_version.expected}


class PublishForm(FlaskForm):
    reason = TextAreaField("Reason for the correction", widget=GovTextArea(), validators=[MaxLength(MEDIUM_TEXT)],
                           description="Needed when a version of this report has already been published")
    submit = SubmitField("Publish report", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"reason": self.reason.data or ""}

    def show_refusal(self, err: DomainError) -> bool:
        """Everything that stops publication is listed, each on its own."""
        if not isinstance(err, PublishRefused):
            return False
        self.form_errors.extend(err.problems)
        return True


class ReopenForm(FlaskForm):
    reason = TextAreaField("Why does the published report need correcting?", widget=GovTextArea(),
                           validators=[MaxLength(MEDIUM_TEXT, "The reason")])
    submit = SubmitField("Reopen for a correction", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"reason": self.reason.data or ""}
