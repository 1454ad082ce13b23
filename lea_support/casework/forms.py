"""Forms for planning and recording visits and for each step of the factual-accuracy loop."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, NumberRange, Optional

from ..core.forms import (
    BoundedFieldList,
    DateInputField,
    EditVersionField,
    MaxLength,
    build_data,
)
from ..core.limits import LONG_TEXT, MAX_AGREED_ACTIONS, MEDIUM_TEXT, SHORT_TEXT
from .models import ACTION_STATUSES, SUPPORT_ASPECTS
from .services import ActionData, AmendmentData, NoteData


def _account_id(value: Any) -> int | None:
    return int(value) if value not in (None, "", "None") else None


NO_ACCOUNT = ("", "No account: type a name")


def set_owner_choices(form: "NoteForm", accounts: list[Any]) -> None:
    """Offer these accounts as owners in every agreed-action row of the note form."""
    choices = [NO_ACCOUNT] + [(str(u.id), f"{u.name} ({u.role_name})") for u in accounts]
    for entry in form.actions.entries:
        entry.form.owner_id.choices = choices


def set_deployment_choices(form: "NoteForm", deployments: list[Any]) -> None:
    """Offer the author's deployments at the school (an LA consultant's; none for an adviser)."""
    form.deployment_id.choices = [("", "Choose the deployment")] + [(str(d.id), d.label) for d in deployments]


class ActionForm(Form):
    """One agreed action (a row of the note form); all empty means "no action"."""

    description = StringField("What", widget=GovTextInput(), validators=[MaxLength(MEDIUM_TEXT, "What is to be done")])
    owner = StringField("Who", widget=GovTextInput(), validators=[MaxLength(SHORT_TEXT, "Who will do it")])
    # The owner's account (the route gives the choices: the school's leaders and LA staff); then "Who"
    # may be left empty and their name is shown.
    owner_id = SelectField("Owner's account", widget=GovSelect(), coerce=_account_id, choices=[], validate_choice=True)
    due_on = DateInputField("By when")
    status = SelectField("Status", choices=list(ACTION_STATUSES.items()), default="open", widget=GovSelect())

    @property
    def is_blank(self) -> bool:
        return (not (self.description.data or "").strip() and not (self.owner.data or "").strip()
                and not self.due_on.data and not self.owner_id.data)

    def to_data(self) -> ActionData:
        return build_data(ActionData, self, status=self.status.data or "open")


class PlanVisitForm(FlaskForm):
    visit_date = DateInputField("Date of the visit", required=True)
    visit_type_code = SelectField("Type of visit", widget=GovSelect(), validators=[DataRequired("Choose the type of visit")])
    purpose = TextAreaField("Purpose and focus", widget=GovTextArea(), validators=[MaxLength(MEDIUM_TEXT)])
    submit = SubmitField("Plan visit", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"visit_date": self.visit_date.data, "visit_type_code": self.visit_type_code.data,
                "purpose": self.purpose.data or ""}


class NoteForm(FlaskForm):
    version = EditVersionField()
    visit_date = DateInputField("Date of the visit", required=True)
    visit_type_code = SelectField("Type of visit", widget=GovSelect(), validators=[DataRequired("Choose the type of visit")])
    purpose = TextAreaField("Purpose and focus", widget=GovTextArea(), validators=[MaxLength(MEDIUM_TEXT)])
    support_aspects = SelectMultipleField("LA support aspects this visit served", widget=GovCheckboxesInput(),
                                          choices=list(SUPPORT_ASPECTS.items()))
    people_met = TextAreaField("People met", widget=GovTextArea(), validators=[MaxLength(MEDIUM_TEXT)])
    discussion = TextAreaField("Discussion", widget=GovTextArea(), validators=[MaxLength(LONG_TEXT)])
    strengths = TextAreaField("Strengths", widget=GovTextArea(), validators=[MaxLength(LONG_TEXT)])
    areas_for_development = TextAreaField("Areas for development", widget=GovTextArea(), validators=[MaxLength(LONG_TEXT)])
    actions = BoundedFieldList(FormField(ActionForm), min_entries=0, max_items=MAX_AGREED_ACTIONS,
                               message=f"A note can have up to {MAX_AGREED_ACTIONS} agreed actions: leave the rest "
                                       "empty, or combine some")
    next_visit_date = DateInputField("Next visit")
    deployment_id = SelectField("Support plan deployment", widget=GovSelect(), coerce=_account_id, choices=[("", "")],
                                validate_choice=True, description="What the school's support plan deploys you for")
    days_spent = StringField("Days used", widget=GovTextInput(), validators=[MaxLength(10, "Days used")],
                             description="Counts against the school's consultant days, like 0.5 or 1")
    minutes_spent = IntegerField("Time spent (minutes)", widget=GovTextInput(),
                                 validators=[Optional(), NumberRange(0, 1440, "Time spent must be between 0 and 1,440 minutes")],
                                 description="Counts against the school's Annual Support Allocation")
    attachment = FileField("Attach a file (optional)", widget=GovFileInput(),
                           description="PDF, Word (DOCX), Excel (XLSX), PNG or JPEG, up to 10 MB")
    submit = SubmitField("Save note", widget=GovSubmitInput())

    def to_data(self) -> NoteData:
        rows = (entry.form for entry in self.actions.entries)
        return build_data(NoteData, self, actions=[row.to_data() for row in rows if not row.is_blank])

    @property
    def expected_version(self) -> int | None:
        return self.version.expected


class AmendNoteForm(FlaskForm):
    """The note's body, amended in answer to the school's comments."""

    version = EditVersionField()
    purpose = TextAreaField("Purpose and focus", widget=GovTextArea(), validators=[MaxLength(MEDIUM_TEXT)])
    people_met = TextAreaField("People met", widget=GovTextArea(), validators=[MaxLength(MEDIUM_TEXT)])
    discussion = TextAreaField("Discussion", widget=GovTextArea(), validators=[MaxLength(LONG_TEXT)])
    strengths = TextAreaField("Strengths", widget=GovTextArea(), validators=[MaxLength(LONG_TEXT)])
    areas_for_development = TextAreaField("Areas for development", widget=GovTextArea(), validators=[MaxLength(LONG_TEXT)])
    submit = SubmitField("Save amendments", widget=GovSubmitInput())

    def to_data(self) -> AmendmentData:
        return build_data(AmendmentData, self)

    @property
    def expected_version(self) -> int | None:
        return self.version.expected


class ResponseForm(FlaskForm):
    accurate = RadioField("Is this note of visit factually accurate?", widget=GovRadioInput(),
                          choices=[("yes", "Yes, it is accurate"), ("no", "No, something is inaccurate")],
                          validators=[DataRequired("Say whether the note is accurate")])
    comment = TextAreaField("Comments", widget=GovTextArea(), validators=[MaxLength(LONG_TEXT)],
                            description="If something is inaccurate, say what and how it should read")
    submit = SubmitField("Send response", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"accurate": self.accurate.data == "yes", "comment": self.comment.data or ""}


class CommentForm(FlaskForm):
    comment = TextAreaField("Comment", widget=GovTextArea(), validators=[MaxLength(LONG_TEXT)])
    submit = SubmitField("Send", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"comment": self.comment.data or ""}


class AddendumForm(FlaskForm):
    text = TextAreaField("Correction or addition", widget=GovTextArea(),
                         validators=[DataRequired("Enter the correction or addition"), MaxLength(LONG_TEXT)])
    reason = TextAreaField("Why the note needs it", widget=GovTextArea(),
                           validators=[DataRequired("Enter why the note needs an addendum"),
                                       MaxLength(MEDIUM_TEXT, "The reason")])
    submit = SubmitField("Add addendum", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"text": self.text.data or "", "reason": self.reason.data or ""}


class AttachmentForm(FlaskForm):
    # No FileRequired/FileAllowed: store_attachment checks the file by its content and says why.
    attachment = FileField("Upload a file", widget=GovFileInput())
    submit = SubmitField("Attach file", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"file_storage": self.attachment.data}


class ActionStatusForm(FlaskForm):
    status = SelectField("Status", choices=list(ACTION_STATUSES.items()), widget=GovSelect())
    submit = SubmitField("Update", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"status": self.status.data}
