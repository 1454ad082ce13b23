"""Forms for monitoring improvement: rescheduling and recording a mid-point review, issuing an
Improvement Notice and changing its status. Choices are not checked here: the services refuse
what is wrong with a message that names it (so what was typed is shown again)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField

from ...core.forms import DateInputField, MaxLength
from ...core.limits import LONG_TEXT
from ..models import MIDPOINT_OUTCOMES, OBJECTIVE_PROGRESS
from ..services import CriterionJudgement, MidpointRecord, ObjectiveJudgement
from .plans import EditForm, optional_int

if TYPE_CHECKING:
    from ...auth.models import User
    from ...reviews.models import JudgementScale
    from ..models import MidpointReview, PlanObjective

__all__ = ["MidpointRecordForm", "NoticeForm", "NoticeStatusForm", "RescheduleReviewForm", "midpoint_record_form",
           "yes_no"]


def yes_no(value: Any) -> bool | None:
    return {"yes": True, "no": False, True: True, False: False}.get(value)


class RescheduleReviewForm(EditForm):
    scheduled_on = DateInputField("New date", required=True)
    submit = SubmitField("Reschedule the review", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"scheduled_on": self.scheduled_on.data, "expected_version": self.expected_version}


class MidpointRecordForm(EditForm):
    held_on = DateInputField("Date the review was held", required=True)
    led_by_id = SelectField("Led by", widget=GovSelect(), coerce=optional_int, validate_choice=False,
                            description="The School Improvement Adviser who led the review")
    off_window_reason = TextAreaField("Why the review was held outside the window", widget=GovTextArea(),
                                      validators=[MaxLength(LONG_TEXT, "The reason")])
    capacity_grade = RadioField("The school's capacity to improve: the SIA's judgement", widget=GovRadioInput(),
                                coerce=optional_int, validate_choice=False)
    adviser_capacity_grade = RadioField("The school's capacity to improve: the link adviser's judgement",
                                        widget=GovRadioInput(), coerce=optional_int, validate_choice=False)
    adequate_improvement = RadioField("Is adequate improvement evidenced?", widget=GovRadioInput(),
                                      choices=[("yes", "Yes"), ("no", "No")], validate_choice=False)
    summary = TextAreaField("Summary of the review", widget=GovTextArea(), validators=[MaxLength(LONG_TEXT, "The summary")],
                            description="What the project team found, celebrating progress and achievement")
    outcome = RadioField("What happens next", widget=GovRadioInput(), choices=list(MIDPOINT_OUTCOMES.items()),
                         validate_choice=False)
    further_review_on = DateInputField("Date of the further review",
                                       description="If the outcome is to continue: after the date this review was held")
    notice_review_on = DateInputField("Date of the further review after the notice",
                                      description="After the date this review was held: the project team reviews "
                                                  "progress again")
    improvements = TextAreaField("What the school must improve", widget=GovTextArea(),
                                 validators=[MaxLength(LONG_TEXT)], description="If the outcome is an Improvement Notice")
    comply_by = DateInputField("Comply by", description="If the outcome is an Improvement Notice")
    capacity_reason = TextAreaField("Why a notice, though capacity to improve is judged good or better",
                                    widget=GovTextArea(), validators=[MaxLength(LONG_TEXT, "The reason")],
                                    description="Needed if either judgement of capacity is 3 (good) or better")
    submit = SubmitField("Record the review", widget=GovSubmitInput())

    # Set by `midpoint_record_form`: (objective, progress field, evidence field) for each objective;
    # (criterion, actual field, met field) for each success criterion without a measure, by objective.
    objective_fields: list[tuple[Any, Any, Any]]
    criterion_fields: dict[int, list[tuple[Any, Any, Any]]]

    def to_data(self) -> MidpointRecord:
        return MidpointRecord(
            held_on=self.held_on.data, led_by_id=self.led_by_id.data,
            progress={o.id: ObjectiveJudgement(progress=p.data or None, evidence=e.data or "")
                      for o, p, e in self.objective_fields},
            outcomes={c.id: CriterionJudgement(actual=a.data or "", met=yes_no(m.data))
                      for fields in self.criterion_fields.values() for c, a, m in fields},
            capacity_grade=self.capacity_grade.data, adequate_improvement=yes_no(self.adequate_improvement.data),
            summary=self.summary.data or "", outcome=self.outcome.data or None,
            further_review_on=(self.notice_review_on.data if self.outcome.data == "improvement_notice"
                               else self.further_review_on.data), improvements=self.improvements.data or "",
            comply_by=self.comply_by.data, adviser_capacity_grade=self.adviser_capacity_grade.data,
            off_window_reason=self.off_window_reason.data or "", capacity_reason=self.capacity_reason.data or "")


def midpoint_record_form(review: "MidpointReview", objectives: list["PlanObjective"], scale: "JudgementScale",
                         leaders: list["User"], *, formdata: bool, default_leader: int | None = None
                         ) -> MidpointRecordForm:
    """The record form with progress and evidence for each objective of the plan in force
    (`progress_<id>`, `evidence_<id>`); `form.objective_fields` lists (objective, progress, evidence)."""

    class Form(MidpointRecordForm):
        pass

    for number, objective in enumerate(objectives, start=1):
        setattr(Form, f"progress_{objective.id}", RadioField(
            f"Progress on objective {number}", widget=GovRadioInput(),
            choices=list(OBJECTIVE_PROGRESS.items()), validate_choice=False))
        setattr(Form, f"evidence_{objective.id}", TextAreaField(
            "Evidence", widget=GovTextArea(), validators=[MaxLength(LONG_TEXT, f"The evidence on objective {number}")]))
    recorded: dict[str, Any] = {}
    for o_number, objective in enumerate(objectives, start=1):
        for c_number, criterion in enumerate(objective.criteria, start=1):
            if criterion.measure_id is not None:
                continue  # measured from the data, not by the SIA
            name = f"criterion {c_number} of objective {o_number}"
            setattr(Form, f"actual_{criterion.id}", StringField(
                "Actual value", widget=GovTextInput(), validators=[MaxLength(200, f"The actual value of {name}")],
                description=f"Target: {criterion.target}"))
            setattr(Form, f"met_{criterion.id}", RadioField(
                "Met?", widget=GovRadioInput(), choices=[("yes", "Met"), ("no", "Not met")], validate_choice=False))
            recorded[f"actual_{criterion.id}"] = criterion.actual
            recorded[f"met_{criterion.id}"] = None if criterion.met is None else "yes" if criterion.met else "no"
    form = Form(data=None if formdata else {"version_id": str(review.version_id), "led_by_id": default_leader,
                                            **recorded})
    form.capacity_grade.choices = [(g.grade, f"{g.grade} {g.label}") for g in scale.grades]
    form.adviser_capacity_grade.choices = list(form.capacity_grade.choices)
    form.led_by_id.choices = [("", "Choose the adviser")] + [(u.id, u.name_and_role) for u in leaders]
    if review.school.is_academy:  # an academy answers to its trust and the DfE: no notice from the LA
        form.outcome.choices = [(value, label) for value, label in MIDPOINT_OUTCOMES.items()
                                if value != "improvement_notice"]
    form.objective_fields = [(o, form[f"progress_{o.id}"], form[f"evidence_{o.id}"]) for o in objectives]
    form.criterion_fields = {o.id: [(c, form[f"actual_{c.id}"], form[f"met_{c.id}"]) for c in o.criteria
                                    if c.measure_id is None] for o in objectives}
    return form


class NoticeForm(FlaskForm):
    issued_on = DateInputField("Issued on", description="Leave empty for today")
    improvements = TextAreaField("What the school must improve", widget=GovTextArea(), validators=[MaxLength(LONG_TEXT)])
    comply_by = DateInputField("Comply by", required=True,
                               required_message="Enter the date the school must comply by")
    capacity_reason = TextAreaField("Why a notice, though capacity to improve is judged good or better",
                                    widget=GovTextArea(), validators=[MaxLength(LONG_TEXT, "The reason")],
                                    description="Needed if the latest review judged capacity 3 (good) or better")
    # Shown (and required by the service) only where the plan in force has no review still to come.
    further_review_on = DateInputField("Date of the further review",
                                       description="After the notice is issued: the project team reviews the "
                                                   "school's progress again")
    submit = SubmitField("Issue the Improvement Notice", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"improvements": self.improvements.data or "", "comply_by": self.comply_by.data,
                "issued_on": self.issued_on.data, "capacity_reason": self.capacity_reason.data or "",
                "further_review_on": self.further_review_on.data}


class NoticeStatusForm(EditForm):
    status = RadioField("What happened", widget=GovRadioInput(), validate_choice=False,
                        choices=[("complied", "The school complied"), ("escalated", "The notice was escalated")])
    on = DateInputField("Date", required=True)
    reason = TextAreaField("Reason and evidence", widget=GovTextArea(), validators=[MaxLength(LONG_TEXT)])
    submit = SubmitField("Record the change", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"status": self.status.data or "", "on": self.on.data, "reason": self.reason.data or "",
                "expected_version": self.expected_version}
