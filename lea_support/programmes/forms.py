"""Forms for programmes. The forms with a row per criterion, participant or question (baseline and
review levels, attendance, returns) read their rows from the posted data by name (`level-<id>`,
`attendance-<id>`, `answer-<id>`), and show a refusal about one row on that row."""
from __future__ import annotations

from typing import Any

from flask import request
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectField, StringField, SubmitField, TextAreaField

from ..core.db import MAX_ID
from ..core.errors import DomainError
from ..core.forms import DateInputField, MaxLength
from ..core.limits import LONG_TEXT, MEDIUM_TEXT, SHORT_TEXT
from .models import QUESTION_KINDS


def _id(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 10 and int(text) <= MAX_ID else None


def posted_rows(prefix: str, limit: int = 2000) -> dict[int, str]:
    """The posted values of the rows named `<prefix>-<id>`: id -> value (at most `limit` rows)."""
    rows: dict[int, str] = {}
    for name, value in request.form.items():
        if name.startswith(prefix + "-") and (row_id := _id(name[len(prefix) + 1:])) is not None:
            rows[row_id] = value
            if len(rows) >= limit:
                break
    return rows


class RowErrors:
    """A refusal about one row (`level-3`) is shown on that row and linked from the summary."""

    row_prefixes: tuple[str, ...] = ()
    form_errors: list[str]

    def row_error(self, name: str) -> str:
        return getattr(self, "row_errors", {}).get(name, "")

    def show_refusal(self, err: DomainError) -> bool:
        if not (err.field and err.field.startswith(self.row_prefixes)):
            return False
        self.row_errors = {err.field: err.message}
        self.form_errors.append(err.message)
        self.error_links = [(err.message, f"#{err.field}")]
        return True


class ProgrammeForm(FlaskForm):
    name = StringField("Name", widget=GovTextInput(), validators=[MaxLength(SHORT_TEXT, "The name")],
                       description="For example, Maximising the Impact of Teaching Assistants")
    aims = TextAreaField("Aims", widget=GovTextArea(), validators=[MaxLength(LONG_TEXT, "The aims")])
    funder = StringField("Funded by (optional)", widget=GovTextInput(), validators=[MaxLength(SHORT_TEXT, "The funder")],
                         description="Who the programme report is for, like the DfE")
    participant_title = StringField("Who takes part at each school", widget=GovTextInput(),
                                    validators=[MaxLength(SHORT_TEXT, "Who takes part")],
                                    description="For example, Teaching assistants")
    starts_on = DateInputField("Starts")
    ends_on = DateInputField("Ends")
    submit = SubmitField("Set up the programme", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"name": self.name.data or "", "aims": self.aims.data or "", "funder": self.funder.data or "",
                "participant_title": self.participant_title.data or "", "starts_on": self.starts_on.data,
                "ends_on": self.ends_on.data}


class CriterionForm(FlaskForm):
    text = TextAreaField("Criterion", widget=GovTextArea(), validators=[MaxLength(MEDIUM_TEXT, "The criterion")],
                         description="What a school's review will judge, like \"TAs are prepared for each lesson\"")
    submit = SubmitField("Add criterion", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"text": self.text.data or ""}


class QuestionForm(FlaskForm):
    text = TextAreaField("Question", widget=GovTextArea(), validators=[MaxLength(MEDIUM_TEXT, "The question")])
    hint = StringField("Hint (optional)", widget=GovTextInput(), validators=[MaxLength(MEDIUM_TEXT, "The hint")])
    kind = RadioField("How schools answer", widget=GovRadioInput(), choices=list(QUESTION_KINDS.items()),
                      default="text", validate_choice=False)
    submit = SubmitField("Add question", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"text": self.text.data or "", "hint": self.hint.data or "", "kind": self.kind.data or ""}


class EnrolForm(FlaskForm):
    urn = StringField("School's URN", widget=GovTextInput(), validators=[MaxLength(10, "The URN")])
    submit = SubmitField("Enrol school", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"urn": self.urn.data}


class ParticipantsForm(FlaskForm):
    names = TextAreaField("Names", widget=GovTextArea(), validators=[MaxLength(LONG_TEXT, "The names")],
                          description="One name a line")
    job_title = StringField("Job title (optional)", widget=GovTextInput(),
                            validators=[MaxLength(SHORT_TEXT, "The job title")])
    submit = SubmitField("Add participants", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"names": self.names.data or "", "job_title": self.job_title.data or ""}


class BaselineForm(RowErrors, FlaskForm):
    row_prefixes = ("level-",)
    baseline_on = DateInputField("Date of the baseline")
    baseline_summary = TextAreaField("Summary of the baseline (optional)", widget=GovTextArea(),
                                     validators=[MaxLength(LONG_TEXT, "The summary")])
    submit = SubmitField("Save baseline", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"levels": posted_rows("level"), "summary": self.baseline_summary.data or "",
                "baseline_on": self.baseline_on.data}


class ReviewLevelsForm(RowErrors, FlaskForm):
    row_prefixes = ("level-",)
    submit = SubmitField("Save levels", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"levels": posted_rows("level")}


class SessionForm(FlaskForm):
    title = StringField("Title", widget=GovTextInput(), validators=[MaxLength(SHORT_TEXT, "The title")])
    held_on = DateInputField("Date")
    venue = StringField("Venue (optional)", widget=GovTextInput(), validators=[MaxLength(SHORT_TEXT, "The venue")])
    mandatory = BooleanField("Attendance is mandatory", widget=GovCheckboxInput(),
                             description="Absences are listed to follow up")
    submit = SubmitField("Add session", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"title": self.title.data or "", "held_on": self.held_on.data, "venue": self.venue.data or "",
                "mandatory": bool(self.mandatory.data)}


class AttendanceForm(RowErrors, FlaskForm):
    row_prefixes = ("attendance-",)
    submit = SubmitField("Save attendance", widget=GovSubmitInput())

    def to_marks(self) -> dict[int, str]:
        return posted_rows("attendance")


class FollowUpForm(FlaskForm):
    note = StringField("How it was followed up", widget=GovTextInput(), validators=[MaxLength(MEDIUM_TEXT, "The note")])
    submit = SubmitField("Followed up", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"note": self.note.data or ""}


class ReviewerForm(FlaskForm):
    user_id = SelectField("Who joins the pool", widget=GovSelect(), coerce=_id, choices=[], validate_choice=False)
    capacity_days = StringField("Days available", widget=GovTextInput(), validators=[MaxLength(10, "Days available")],
                                description="Like 20 or 12.5, including time to write reports")
    submit = SubmitField("Add to the pool", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"user_id": self.user_id.data, "capacity_days": self.capacity_days.data or ""}


class AssignmentForm(FlaskForm):
    enrolment_id = SelectField("School", widget=GovSelect(), coerce=_id, choices=[], validate_choice=False)
    reviewer_id = SelectField("Reviewer", widget=GovSelect(), coerce=_id, choices=[], validate_choice=False)
    visit_on = DateInputField("Date of the visit")
    days = StringField("Days", widget=GovTextInput(), validators=[MaxLength(10, "Days")],
                       description="Like 1 or 1.5, with writing the report")
    submit = SubmitField("Assign review visit", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"enrolment_id": self.enrolment_id.data, "reviewer_id": self.reviewer_id.data,
                "visit_on": self.visit_on.data, "days": self.days.data or ""}


class ReturnForm(RowErrors, FlaskForm):
    row_prefixes = ("answer-",)
    save = SubmitField("Save and come back later", widget=GovSubmitInput())
    submit = SubmitField("Submit the return", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"answers": posted_rows("answer"), "submit": bool(self.submit.data)}
