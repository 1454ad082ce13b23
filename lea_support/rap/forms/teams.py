"""Forms for the project team: its members and coordinator, its meetings, and action updates."""
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
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)

from ...core.forms import DateInputField, MaxLength
from ...core.limits import LONG_TEXT, MEDIUM_TEXT, SHORT_TEXT
from ..models import ACTION_STATUSES, TEAM_ROLES, PlanAction, PlanObjective
from ..services import ActionData, MeetingData, NewAction, ProgressChange
from .plans import EditForm, optional_int

NEW_ACTION_ROWS = 3
STATUS_CHOICES = list(ACTION_STATUSES.items())


class TeamMemberForm(FlaskForm):
    user_id = SelectField("Person", widget=GovSelect(), coerce=optional_int, validate_choice=False)
    name = StringField("Or the name of someone without an account", widget=GovTextInput(),
                       validators=[MaxLength(SHORT_TEXT, "The name")], description="For example, a governor or an officer of "
                       "another service")
    team_role = SelectField("Role on the team", widget=GovSelect(), choices=[("", "Choose a role"),
                                                                             *TEAM_ROLES.items()],
                            validate_choice=False)
    submit = SubmitField("Add to the team", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"user_id": self.user_id.data, "name": self.name.data or "", "team_role": self.team_role.data or ""}


class CoordinatorForm(EditForm):
    version_required = False
    user_id = SelectField("New coordinator", widget=GovSelect(), coerce=optional_int, validate_choice=False,
                          description="Normally the school's link adviser, who takes the lead over from the SIA")
    submit = SubmitField("Change the coordinator", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"user_id": self.user_id.data, "expected_version": self.expected_version}


class MeetingForm(FlaskForm):
    plan_id = HiddenField()
    held_on = DateInputField("Date held", required=True)
    attendee_ids = SelectMultipleField("Who attended", widget=GovCheckboxesInput(), coerce=int,
                                       validate_choice=False)
    minutes = TextAreaField("Minutes", widget=GovTextArea(), validators=[MaxLength(LONG_TEXT)])
    decisions = TextAreaField("Decisions", widget=GovTextArea(), validators=[MaxLength(LONG_TEXT)])
    next_meeting_on = DateInputField("Date of the next meeting")
    submit = SubmitField("Save the meeting", widget=GovSubmitInput())

    # Set by `meeting_form`: (action, status field, note field) and each new-action row's fields.
    updates: list[tuple[PlanAction, Any, Any]]
    new_rows: list[dict[str, Any]]

    def to_data(self) -> MeetingData:
        return MeetingData(
            held_on=self.held_on.data, attendee_ids=list(self.attendee_ids.data or []),
            minutes=self.minutes.data or "", decisions=self.decisions.data or "",
            next_meeting_on=self.next_meeting_on.data, expected_plan_id=optional_int(self.plan_id.data),
            changes=[ProgressChange(action_id=a.id, status=status.data or "", note=note.data or "")
                     for a, status, note in self.updates],
            new_actions=[NewAction(row=n, objective_id=row["objective_id"].data, action=ActionData(
                what=row["what"].data or "", owner_id=row["owner_id"].data, owner_role=row["owner_role"].data or "",
                starts_on=row["starts_on"].data, due_on=row["due_on"].data))
                for n, row in enumerate(self.new_rows, start=1)])


def meeting_form(actions: list[PlanAction], members: list[tuple[int, str]], objectives: list[PlanObjective],
                 owners: list[tuple[str, str]], *, formdata: bool) -> MeetingForm:
    """The meeting form with a status and note for each action of the plan in force (`status_<id>`,
    `note_<id>`) and three rows for new actions (`new_<n>_what` and so on). `form.updates` lists
    (action, status field, note field); `form.new_rows` lists each row's fields by name."""

    class Form(MeetingForm):
        pass

    for number, a in enumerate(actions, start=1):
        setattr(Form, f"status_{a.id}", SelectField("Status", widget=GovSelect(), choices=STATUS_CHOICES,
                                                    default=a.status, validate_choice=False))
        setattr(Form, f"note_{a.id}", StringField("Note", widget=GovTextInput(),
                                                  validators=[MaxLength(MEDIUM_TEXT, f"The note on action {number}")]))
    for n in range(1, NEW_ACTION_ROWS + 1):
        setattr(Form, f"new_{n}_objective_id", SelectField(
            f"New action {n}: objective", widget=GovSelect(), coerce=optional_int, validate_choice=False,
            choices=[("", "Choose the objective")] + [(str(o.id), f"{i}. {o.text[:90]}")
                                                      for i, o in enumerate(objectives, start=1)]))
        setattr(Form, f"new_{n}_what", TextAreaField(f"New action {n}: what is to be done", widget=GovTextArea(),
                                                     validators=[MaxLength(MEDIUM_TEXT)]))
        setattr(Form, f"new_{n}_owner_id", SelectField(
            f"New action {n}: owner (a person)", widget=GovSelect(), coerce=optional_int, validate_choice=False,
            choices=[("", "No person: a named role at the school"), *owners]))
        setattr(Form, f"new_{n}_owner_role", StringField(
            f"New action {n}: or a named role at the school", widget=GovTextInput(),
            validators=[MaxLength(SHORT_TEXT, f"New action {n}: the owner's role")]))
        setattr(Form, f"new_{n}_starts_on", DateInputField(f"New action {n}: start date"))
        setattr(Form, f"new_{n}_due_on", DateInputField(f"New action {n}: due date"))
    form = Form() if formdata else Form(formdata=None)
    form.attendee_ids.choices = members
    form.updates = [(a, form[f"status_{a.id}"], form[f"note_{a.id}"]) for a in actions]
    form.new_rows = [
        {part: form[f"new_{n}_{part}"] for part in ("objective_id", "what", "owner_id", "owner_role", "starts_on",
                                                    "due_on")}
        for n in range(1, NEW_ACTION_ROWS + 1)]
    return form


class ProgressForm(EditForm):
    version_required = False
    next = HiddenField()
    status = SelectField("Status", widget=GovSelect(), choices=STATUS_CHOICES, validate_choice=False)
    note = TextAreaField("Note (optional)", widget=GovTextArea(), validators=[MaxLength(MEDIUM_TEXT, "The note")],
                         description="What was done, or what is holding it up")
    submit = SubmitField("Save the update", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"status": self.status.data or "", "note": self.note.data or "",
                "expected_version": self.expected_version}


def progress_form(action: PlanAction | None = None, *, formdata: Any = True, next_url: str = "") -> ProgressForm:
    """A quick update of one action: on a page load, its current status and version."""
    if formdata:
        return ProgressForm()
    form = ProgressForm(formdata=None)
    if action is not None:
        form.status.data, form.version_id.data = action.status, str(action.version_id)
    form.next.data = next_url
    return form
