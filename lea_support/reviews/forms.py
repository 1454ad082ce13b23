"""Forms for planning a review, its team and stages, the pre-review and fieldwork evidence.

Choice fields here do not check their choices: the services decide who may be on a team and
which grades are on the scale, and refuse with a message that names what is wrong."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)

from ..auth.models import User
from ..core.forms import DateInputField, EditVersionField, MaxLength, build_data
from ..core.limits import LONG_TEXT, MEDIUM_TEXT, SHORT_TEXT
from ..extensions import db
from .models import (
    DISCUSSION_WITH,
    PRE_REVIEW_KINDS,
    PRE_REVIEW_STATUSES,
    STAGES,
    TEAM_ROLES,
    JointReview,
)
from .services import EvidenceData, parse_participants


def optional_int(value: Any) -> int | None:
    return None if value in (None, "") else int(value)


def grade_value(value: Any) -> Any:
    """A grade as typed: None for "not judged", an int, or what was sent if it is not a number
    (the service refuses it with a message naming the aspect)."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return str(value)


def chosen_user(user_id: int | None) -> User | None:
    """The account chosen in a list of people (None if none was, or it is not there any more: the
    service then says who is missing)."""
    return db.session.get(User, user_id) if user_id else None


class PlanReviewForm(FlaskForm):
    lead_id = SelectField("Lead School Improvement Adviser", widget=GovSelect(), coerce=optional_int,
                          validate_choice=False)
    starts_on = DateInputField("Start date", required=True)
    ends_on = DateInputField("End date", description="Optional. The same as or after the start date")
    link_adviser_id = SelectField("Link adviser", widget=GovSelect(), coerce=optional_int, validate_choice=False,
                                  description="The school's link adviser supports the review")
    la_team = SelectMultipleField("LA team members", widget=GovCheckboxesInput(), coerce=int,
                                  validate_choice=False,
                                  description="Consultants, Access & Inclusion officers and other LA colleagues")
    school_users = SelectMultipleField("School leaders with an account", widget=GovCheckboxesInput(), coerce=int,
                                       validate_choice=False)
    school_participants = TextAreaField(
        "Other school participants", widget=GovTextArea(), validators=[MaxLength(LONG_TEXT)],
        description='One a line, name then job title, for example "Jo Smith, Headteacher"')
    submit = SubmitField("Plan review", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"lead": chosen_user(self.lead_id.data), "starts_on": self.starts_on.data, "ends_on": self.ends_on.data,
                "link_adviser": chosen_user(self.link_adviser_id.data),
                "la_team": [u for u in map(chosen_user, self.la_team.data or []) if u],
                "school_users": [u for u in map(chosen_user, self.school_users.data or []) if u],
                "school_participants": parse_participants(self.school_participants.data or "")}


class TeamMemberForm(FlaskForm):
    team_role = SelectField("Role on the review", widget=GovSelect(), validate_choice=False,
                            choices=[(r, TEAM_ROLES[r]) for r in ("la_team", "link_adviser", "school")])
    user_id = SelectField("Person", widget=GovSelect(), coerce=optional_int, validate_choice=False)
    name = StringField("Or, for a school participant without an account: name", widget=GovTextInput(),
                       validators=[MaxLength(SHORT_TEXT, "The name")])
    job_title = StringField("Job title", widget=GovTextInput(), validators=[MaxLength(SHORT_TEXT)])
    submit = SubmitField("Add to the team", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"team_role": self.team_role.data or "", "user": chosen_user(self.user_id.data),
                "name": self.name.data or "", "job_title": self.job_title.data or ""}


class StageForm(FlaskForm):
    # The page's next-step button sends the stage after the current one; going back, the person
    # chooses an earlier stage among radios and gives the reason.
    stage = RadioField("Move the review back to", widget=GovRadioInput(), validate_choice=False,
                       choices=[(code, name) for code, name in STAGES.items() if code != "published"])
    reason = TextAreaField("Reason", widget=GovTextArea(), validators=[MaxLength(MEDIUM_TEXT)],
                           description="Needed when moving the review back")
    submit = SubmitField("Move the review back", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"to_stage": self.stage.data or "", "reason": self.reason.data or ""}


class KeyQuestionForm(FlaskForm):
    text = TextAreaField("Key question", widget=GovTextArea(), validators=[MaxLength(MEDIUM_TEXT)])
    submit = SubmitField("Add key question", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"text": self.text.data or ""}


class PreReviewForm(FlaskForm):
    commentary = TextAreaField("Pre-review commentary on the initial evidence", widget=GovTextArea(),
                               validators=[MaxLength(LONG_TEXT, "The commentary")])
    submit = SubmitField("Save pre-review", widget=GovSubmitInput())
    items: list[tuple[str, str, Any, Any]]  # set by pre_review_form

    def to_kwargs(self) -> dict[str, Any]:
        return {"commentary": self.commentary.data or "",
                "items": {kind: (status.data or "", notes.data or "") for kind, _name, status, notes in self.items}}


def pre_review_form(review: JointReview, *, formdata: bool) -> PreReviewForm:
    """The pre-review form with a status and notes for each checklist item (`status_<kind>`,
    `notes_<kind>`); `form.items` lists (kind, name, status field, notes field) in checklist order."""

    class Form(PreReviewForm):
        pass

    saved = {item.kind: item for item in review.pre_review_items}
    for kind, name in PRE_REVIEW_KINDS.items():
        item = saved.get(kind)
        setattr(Form, f"status_{kind}", RadioField(
            name, widget=GovRadioInput(), validate_choice=False, default=item.status if item else "pending",
            choices=[(s, PRE_REVIEW_STATUSES[s]) for s in ("seen", "not_available", "pending")]))
        setattr(Form, f"notes_{kind}", TextAreaField("Notes", widget=GovTextArea(),
                                                     validators=[MaxLength(MEDIUM_TEXT, f"Notes on {name.lower()}")],
                                                     default=item.notes if item else ""))
    form = Form(data=None if formdata else {"commentary": review.pre_review_commentary})
    form.items = [(kind, name, form[f"status_{kind}"], form[f"notes_{kind}"])
                  for kind, name in PRE_REVIEW_KINDS.items()]
    return form


class EvidenceForm(FlaskForm):
    edit_version = EditVersionField()
    occurred_on = DateInputField("Date", required=True)
    year_group = StringField("Year group", widget=GovTextInput(), validators=[MaxLength(SHORT_TEXT)])
    subject = StringField("Subject", widget=GovTextInput(), validators=[MaxLength(SHORT_TEXT)])
    joint_with_school_leader = RadioField("Observed jointly with a school leader?", widget=GovRadioInput(),
                                          choices=[("yes", "Yes"), ("no", "No")], default="no",
                                          validate_choice=False)
    discussion_with = RadioField("Discussion with", widget=GovRadioInput(), validate_choice=False,
                                 choices=list(DISCUSSION_WITH.items()))
    summary = TextAreaField("Summary", widget=GovTextArea(), validators=[MaxLength(LONG_TEXT)])
    submit = SubmitField("Save evidence", widget=GovSubmitInput())
    # Set by evidence_form: (key question, answer field), (aspect, grade field, rationale field).
    answer_fields: list[tuple[Any, Any]]
    judgement_fields: list[tuple[Any, Any, Any]]

    def to_data(self, kind: str) -> EvidenceData:
        return build_data(
            EvidenceData, self, kind=kind, joint_with_school_leader=self.joint_with_school_leader.data == "yes",
            discussion_with=self.discussion_with.data or None,
            answers={q.id: field.data or "" for q, field in self.answer_fields},
            judgements={a.id: (grade.data, rationale.data or "") for a, grade, rationale in self.judgement_fields})


def evidence_form(review: JointReview, evidence: Any = None, *, formdata: bool) -> EvidenceForm:
    """The evidence form with an answer for each key question (`answer_<id>`) and a grade and
    rationale for each aspect of the review's framework (`grade_<id>`, `rationale_<id>`)."""

    class Form(EvidenceForm):
        pass

    grade_choices = [("", "Not judged")] + [(str(g.grade), f"{g.grade} {g.label}") for g in review.scale.grades]
    for number, question in enumerate(review.key_questions, start=1):
        setattr(Form, f"answer_{question.id}", TextAreaField(
            question.text, widget=GovTextArea(),
            validators=[MaxLength(LONG_TEXT, f"The answer to key question {number}")]))
    for aspect in review.framework.aspects:
        setattr(Form, f"grade_{aspect.id}", SelectField(f"{aspect.name}: grade", widget=GovSelect(),
                                                       choices=grade_choices, coerce=grade_value,
                                                       validate_choice=False))
        setattr(Form, f"rationale_{aspect.id}", TextAreaField(f"{aspect.name}: rationale", widget=GovTextArea(),
                                                             validators=[MaxLength(LONG_TEXT)]))
    data = None
    if not formdata and evidence is not None:
        data = {"occurred_on": evidence.occurred_on, "year_group": evidence.year_group, "subject": evidence.subject,
                "joint_with_school_leader": "yes" if evidence.joint_with_school_leader else "no",
                "discussion_with": evidence.discussion_with, "summary": evidence.summary,
                "edit_version": evidence.edit_version}
        data.update({f"answer_{a.key_question_id}": a.answer for a in evidence.answers})
        for j in evidence.judgements:
            data.update({f"grade_{j.aspect_id}": j.grade, f"rationale_{j.aspect_id}": j.rationale})
    form = Form(data=data)
    form.answer_fields = [(q, form[f"answer_{q.id}"]) for q in review.key_questions]
    form.judgement_fields = [(a, form[f"grade_{a.id}"], form[f"rationale_{a.id}"])
                             for a in review.framework.aspects]
    return form
