"""Forms for support decisions, link advisers, allocations and the GIAS upload."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
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
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, ValidationError

from ..auth.models import User
from ..core.db import MAX_ID
from ..core.forms import EditVersionField, MaxLength
from ..core.limits import LONG_TEXT, MEDIUM_TEXT, SHORT_TEXT
from ..extensions import db

CONCERN_CHOICES = [("", "Not a cause for concern"), ("la", "Cause for concern, designated by the LA"),
                   ("ofsted", "Cause for concern, designated by Ofsted")]


class SupportDecisionForm(FlaskForm):
    """A decision on a school's tier, level and concerns. A tier of one level (light touch, enhanced)
    brings its level with it; a tier of several (significant: 3 to 5) asks which, under its own
    choice (a conditional reveal). The tiers are the authority's: `set_tiers` gives them."""

    edit_version = EditVersionField()
    support_tier = RadioField("Support tier", widget=GovRadioInput(),
                              validators=[InputRequired("Choose a support tier")])
    mcs_level = RadioField("Level on the 5-level scale", coerce=int, widget=GovRadioInput(),
                           choices=[(i, f"Level {i}") for i in range(1, 6)], validate_choice=False)
    cause_for_concern = RadioField("Cause for concern", choices=CONCERN_CHOICES, default="",
                                   widget=GovRadioInput(), validate_choice=True)
    flags = SelectMultipleField("Other concerns", widget=GovCheckboxesInput(), choices=[
        ("vulnerable", "Vulnerable: could get into difficulty"),
        ("underachievement", "Significant underachievement"),
    ])
    reason = TextAreaField("Reason for the decision", widget=GovTextArea(),
                           validators=[DataRequired("Enter the reason for this decision"),
                                       MaxLength(LONG_TEXT, "The reason")])
    evidence = TextAreaField("Evidence", widget=GovTextArea(), validators=[MaxLength(LONG_TEXT)],
                             description="For example: data, the latest Ofsted report, notes of visit")
    submit = SubmitField("Record decision", widget=GovSubmitInput())

    def set_tiers(self, tiers: list[Any]) -> None:
        """The authority's tiers (`SupportTier`s with their levels) to choose from."""
        self.support_tier.choices = [(t.code, t.name) for t in tiers]
        self.tier_levels = {t.code: (t.name, [lvl.level for lvl in t.levels]) for t in tiers}

    def _tier(self) -> tuple[str, list[int]]:
        return self.tier_levels.get(self.support_tier.data or "", ("", []))

    def validate_mcs_level(self, field: RadioField) -> None:
        name, levels = self._tier()
        if len(levels) > 1 and field.data is None:
            raise ValidationError(f"Choose the level of {name[0].lower() + name[1:]}")

    def to_kwargs(self) -> dict[str, Any]:
        """`services.change_support`'s input. A tier of one level gives that level, whatever level a
        tier chosen before it left ticked (hidden under that tier's choice)."""
        flags = self.flags.data or []
        _name, levels = self._tier()
        return {"support_tier": self.support_tier.data, "mcs_level": levels[0] if len(levels) == 1 else self.mcs_level.data,
                "cause_for_concern": self.cause_for_concern.data or None, "is_vulnerable": "vulnerable" in flags,
                "has_significant_underachievement": "underachievement" in flags, "reason": self.reason.data,
                "evidence": self.evidence.data, "expected_version": self.edit_version.expected}


class LinkAdviserForm(FlaskForm):
    link_adviser = SelectField("Link adviser", coerce=int, widget=GovSelect())
    reason = TextAreaField("Reason for the change (optional)", widget=GovTextArea(),
                           validators=[MaxLength(MEDIUM_TEXT, "The reason")])
    submit = SubmitField("Save link adviser", widget=GovSubmitInput())


class TierAllocationForm(FlaskForm):
    """This year's allocation re-issued for the school's new tier: the proposal, or other figures with a reason."""

    link_visits = StringField("Link adviser visits for the year", widget=GovTextInput(),
                              validators=[DataRequired("Enter the number of link adviser visits"),
                                          MaxLength(20, "The number of link adviser visits")])
    consultant_days = StringField("Consultant days for the year", widget=GovTextInput(),
                                  validators=[DataRequired("Enter the number of consultant days"),
                                              MaxLength(20, "The number of consultant days")])
    reason = TextAreaField("Reason, if you change the proposed figures", widget=GovTextArea(),
                           validators=[MaxLength(MEDIUM_TEXT, "The reason")])
    submit = SubmitField("Re-issue the allocation", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        """`services.follow_tier_allocation`'s input."""
        return {"link_visits": self.link_visits.data, "consultant_days": self.consultant_days.data,
                "reason": self.reason.data or ""}


class AllocationForm(FlaskForm):
    link_visits = StringField("Link adviser visits", widget=GovTextInput(),
                              validators=[DataRequired("Enter the number of link adviser visits"),
                                          MaxLength(20, "The number of link adviser visits")])
    consultant_days = StringField("Consultant days", widget=GovTextInput(),
                                  validators=[DataRequired("Enter the number of consultant days"),
                                              MaxLength(20, "The number of consultant days")])
    reason = TextAreaField("Reason for the adjustment", widget=GovTextArea(),
                           validators=[DataRequired("Enter the reason for adjusting the allocation"),
                                       MaxLength(LONG_TEXT, "The reason")])
    submit = SubmitField("Save allocation", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        """`services.adjust_allocation`'s input."""
        return {"link_visits": self.link_visits.data, "consultant_days": self.consultant_days.data,
                "reason": self.reason.data}


class IssueAllocationsForm(FlaskForm):
    submit = SubmitField("Issue allocations to schools without one", widget=GovSubmitInput())


class GiasUploadForm(FlaskForm):
    file = FileField("GIAS establishment file (CSV)", widget=GovFileInput(),
                     validators=[FileRequired("Choose the GIAS file to import")],
                     description="The edubasealldata CSV exactly as downloaded from Get Information about Schools")
    la_codes = StringField("LA codes to keep", widget=GovTextInput(), validators=[MaxLength(MEDIUM_TEXT, "The LA codes")],
                           description="Separate codes with spaces, like 342 343. Leave empty to keep every LA.")
    submit = SubmitField("Import schools", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        """`gias.import_gias`'s input: the uploaded file, its name and the LA codes to keep."""
        upload = self.file.data
        la_codes = [c for c in (self.la_codes.data or "").replace(",", " ").split() if c]
        return {"stream": upload.stream, "filename": upload.filename or "upload.csv", "la_codes": la_codes or None}


class SupportTierForm(FlaskForm):
    edit_version = EditVersionField()
    name = StringField("Name", widget=GovTextInput(),
                       validators=[DataRequired("Enter the tier's name"), MaxLength(SHORT_TEXT)])
    description = TextAreaField("What support it gives", widget=GovTextArea(),
                                validators=[MaxLength(MEDIUM_TEXT, "The description")])
    default_link_visits = StringField("Link adviser visits a year", widget=GovTextInput(),
                                      validators=[DataRequired("Enter the number of link adviser visits"),
                                                  MaxLength(20, "The number of link adviser visits")])
    default_consultant_days = StringField("Consultant days a year", widget=GovTextInput(),
                                          validators=[DataRequired("Enter the number of consultant days"),
                                                      MaxLength(20, "The number of consultant days")])
    submit = SubmitField("Save tier", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        """`services.update_support_tier`'s input."""
        return {"name": self.name.data, "description": self.description.data,
                "default_link_visits": self.default_link_visits.data,
                "default_consultant_days": self.default_consultant_days.data,
                "expected_version": self.edit_version.expected}


def _chosen_id(value: Any) -> int | None:
    """A chosen record's id, or None for no choice or anything that cannot be an id."""
    text = "" if value is None else str(value)
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 10 and int(text) <= MAX_ID else None


class ReassignSchoolsForm(FlaskForm):
    # Neither menu starts on an adviser: a form that opened with the same person in both would
    # invite moving schools to the wrong colleague. The service names a missing choice.
    adviser = SelectField("Adviser who is leaving", coerce=_chosen_id, widget=GovSelect(), validate_choice=False)
    successor = SelectField("Adviser taking over their schools", coerce=_chosen_id, widget=GovSelect(),
                            validate_choice=False)
    reason = TextAreaField("Reason", widget=GovTextArea(),
                           validators=[DataRequired("Enter the reason for the reassignment"),
                                       MaxLength(MEDIUM_TEXT, "The reason")])
    # Sent by the preview's button: without it the form shows which schools would move.
    confirmed = HiddenField()
    submit = SubmitField("Continue", widget=GovSubmitInput())

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed.data == "yes"

    def to_kwargs(self) -> dict[str, Any]:
        return {"leaving": db.session.get(User, self.adviser.data) if self.adviser.data else None,
                "successor": db.session.get(User, self.successor.data) if self.successor.data else None,
                "reason": self.reason.data or ""}
