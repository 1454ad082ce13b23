"""The upload form for national data files."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired

from ..core.forms import EditVersionField, MaxLength
from .catalogue import KINDS
from .imports import DataFile
from .signals import KIND_LABELS, RuleData


class DataImportForm(FlaskForm):
    file = FileField("Data file (CSV)", widget=GovFileInput(), validators=[FileRequired("Choose the file to import")],
                     description="Ofsted management information, KS2 or KS4 performance tables, school census or "
                                 "absence by school, as downloaded")
    kind = SelectField("Kind of file", widget=GovSelect(), default="",
                       choices=[("", "Recognise it from its columns"), *((k.code, k.label) for k in KINDS.values())])
    academic_year = StringField("Academic year", widget=GovTextInput(), validators=[MaxLength(7, "The academic year")],
                                description="For example 2018/19. Needed only when neither the file nor its name says")
    dry_run = BooleanField("Check the file and show what would change, without saving", widget=GovCheckboxInput())
    submit = SubmitField("Import file", widget=GovSubmitInput())

    def to_data(self) -> DataFile:
        upload = self.file.data
        return DataFile(raw=upload.stream.read(), filename=upload.filename or "upload.csv",
                        kind=self.kind.data or None, academic_year=(self.academic_year.data or "").strip() or None,
                        dry_run=bool(self.dry_run.data))


class SignalRuleForm(FlaskForm):
    """A risk signal rule: what it is called, its test and the test's parameters."""

    edit_version = EditVersionField()
    code = StringField("Code", widget=GovTextInput(), validators=[MaxLength(40, "The code")],
                       description="Letters, digits and underscores, for example LOW_ATTENDANCE. Cannot be changed later")
    label = StringField("Name", widget=GovTextInput(), validators=[MaxLength(200, "The name")],
                        description="What the school's page shows beside the values behind it")
    kind = SelectField("Test", widget=GovSelect(), choices=[(k, v) for k, v in KIND_LABELS.items()])
    measures = StringField("Measures", widget=GovTextInput(), validators=[MaxLength(1000, "The measures")],
                           description="Codes from the catalogue, separated by commas, for example PTRWM_EXP. "
                                       "Used by the tests on a measure and on Ofsted grades")
    values = TextAreaField("Values", widget=GovTextArea(), validators=[MaxLength(2000, "The values")],
                           description="Separated by commas: Ofsted judgements or grades (blank: any value, "
                                       "e.g. any category of concern), GIAS statuses, or GIAS fields (head_name, "
                                       "status, trust_name, type_name)")
    direction = SelectField("Flag when the value is", widget=GovSelect(),
                            choices=[("below", "below the threshold"), ("above", "above the threshold")])
    value = StringField("Threshold", widget=GovTextInput(), validators=[MaxLength(20, "The threshold")],
                        description="For a percentage, 25 means 25%")
    points = StringField("Points below England", widget=GovTextInput(), validators=[MaxLength(20, "The points")])
    years = StringField("Years", widget=GovTextInput(), validators=[MaxLength(3, "The years")],
                        description="Years running below England, or years without an inspection")
    days = StringField("Days", widget=GovTextInput(), validators=[MaxLength(5, "The days")],
                       description="How recent a GIAS change must be")
    group = StringField("England's figure for", widget=GovTextInput(), validators=[MaxLength(40, "The group")],
                        description="state-funded, all schools, primary, secondary or special")
    min_tier = SelectField("Prompt a tier review when the school's tier is below", widget=GovSelect(),
                           choices=[("", "Never: show the signal only")])
    active = BooleanField("Active: run this rule after each import", widget=GovCheckboxInput())
    preview = SubmitField("Preview the schools it flags", widget=GovSubmitInput())
    submit = SubmitField("Save rule", widget=GovSubmitInput())

    def fill(self, rule: Any) -> None:
        """The form for an existing rule."""
        params = rule.params or {}
        self.code.data, self.label.data, self.kind.data = rule.code, rule.label, rule.kind
        self.measures.data = ", ".join(params.get("measures", []))
        self.values.data = ", ".join(str(v) for v in params.get("values", []))
        self.direction.data = params.get("direction", "below")
        for name in ("value", "points", "years", "days"):
            getattr(self, name).data = "" if params.get(name) is None else f"{params[name]:g}"
        self.group.data = params.get("group", "")
        self.min_tier.data, self.active.data = rule.min_tier, rule.active
        self.edit_version.data = rule.edit_version

    def to_data(self, kind: str | None = None) -> RuleData:
        return RuleData(label=self.label.data or "", kind=kind or self.kind.data or "", min_tier=self.min_tier.data or "",
                        active=bool(self.active.data), measures=self.measures.data or "",
                        values=self.values.data or "", points=self.points.data or "", value=self.value.data or "",
                        years=self.years.data or "", days=self.days.data or "", direction=self.direction.data or "",
                        group=self.group.data or "", code=self.code.data or "",
                        expected_version=self.edit_version.expected)


class DismissPromptForm(FlaskForm):
    reason = TextAreaField("Why the tier stays as it is", widget=GovTextArea(),
                           validators=[DataRequired("Enter the reason for dismissing the prompt"),
                                       MaxLength(2000, "The reason")])
    submit = SubmitField("Dismiss the prompt", widget=GovSubmitInput())


class AcceptPromptForm(FlaskForm):
    submit = SubmitField("Review the tier", widget=GovSubmitInput())
