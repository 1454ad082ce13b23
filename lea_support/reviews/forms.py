"""Forms for planning a review, its team and stages, the pre-review and fieldwork evidence.

Choice fields here do not check their choices: the services decide who may be on a team and
which grades are on the scale, and refuse with a message that names what is wrong."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

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

from ..core.forms import DateInputField, EditVersionField, MaxLength
from ..core.limits import LONG_TEXT, MEDIUM_TEXT, SHORT_TEXT
from .models import (
    DISCUSSION_WITH,
    PRE_REVIEW_KINDS,
    PRE_REVIEW_STATUSES,
    STAGES,
    TEAM_ROLES,
)

if TYPE_CHECKING:
    from .models import JointReview


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


class TeamMemberForm(FlaskForm):
    team_role = SelectField("Role on the review", widget=GovSelect(), validate_choice=False,
                            choices=[(r, TEAM_ROLES[r]) for r in ("la_team", "link_adviser", "school")])
    user_id = SelectField("Person", widget=GovSelect(), coerce=optional_int, validate_choice=False)
    name = StringField("Or, for a school participant without an account: name", widget=GovTextInput(),
                       validators=[MaxLength(SHORT_TEXT, "The name")])
    job_title = StringField("Job title", widget=GovTextInput(), validators=[MaxLength(SHORT_TEXT)])
    submit = SubmitField("Add to the team", widget=GovSubmitInput())


class StageForm(FlaskForm):
    stage = SelectField("Move the review to", widget=GovSelect(), validate_choice=False,
                        choices=[(code, name) for code, name in STAGES.items() if code != "published"])
    reason = TextAreaField("Reason", widget=GovTextArea(), validators=[MaxLength(MEDIUM_TEXT)],
                           description="Needed when moving the review back")
    submit = SubmitField("Change stage", widget=GovSubmitInput())


class KeyQuestionForm(FlaskForm):
    text = TextAreaField("Key question", widget=GovTextArea(), validators=[MaxLength(MEDIUM_TEXT)])
    submit = SubmitField("Add key question", widget=GovSubmitInput())


class PreReviewForm(FlaskForm):
    commentary = TextAreaField("Pre-review commentary on the initial evidence", widget=GovTextArea(),
                               validators=[MaxLength(LONG_TEXT, "The commentary")])
    submit = SubmitField("Save pre-review", widget=GovSubmitInput())


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
    form.items = [(kind, name, form[f"status_{kind}"], form[f"notes_{kind}"])  # type: ignore[attr-defined]
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
    form.answer_fields = [(q, form[f"answer_{q.id}"]) for q in review.key_questions]  # type: ignore[attr-defined]
    form.judgement_fields = [(a, form[f"grade_{a.id}"], form[f"rationale_{a.id}"])  # type: ignore[attr-defined]
                             for a in review.framework.aspects]
    return form
