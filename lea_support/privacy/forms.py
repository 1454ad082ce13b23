"""The read audit's search and a retention rule's form."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovRadioInput, GovSelect, GovSubmitInput, GovTextInput
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, NumberRange

from ..core.forms import DateInputField, MaxLength
from ..core.limits import SHORT_TEXT
from .models import PERIOD_UNITS, READ_KINDS, RETENTION_ACTIONS, RetentionRule
from .retention import KINDS


class ReadFilterForm(FlaskForm):
    """The read audit's search, sent in the query string (nothing changes, so no CSRF token)."""

    class Meta:
        csrf = False

    person = StringField("Person's email address or name", widget=GovTextInput(), validators=[MaxLength(SHORT_TEXT)],
                         description="All or part of it")
    kind = SelectField("Kind of record", widget=GovSelect(), choices=[("", "Any")] + list(READ_KINDS.items()),
                       default="", validate_choice=True)
    record = StringField("Record number", widget=GovTextInput(), validators=[MaxLength(10)],
                         description="The number in the record's address, like 42 in /visits/42")
    from_date = DateInputField("From", description="For example, 23 11 2026")
    to_date = DateInputField("To", description="For example, 30 11 2026")


class RetentionRuleForm(FlaskForm):
    date_field = RadioField("Count the period from", widget=GovRadioInput(), choices=[],
                            validators=[DataRequired("Choose the date the period counts from")])
    period = IntegerField("Keep for", widget=GovTextInput(),
                          validators=[InputRequired("Enter how long to keep these records, like 6"),
                                      NumberRange(1, 1200, "Enter a period between 1 and 1200")])
    period_unit = SelectField("Unit", widget=GovSelect(), choices=list(PERIOD_UNITS.items()))
    action = RadioField("Then", widget=GovRadioInput(), choices=[],
                        validators=[DataRequired("Choose whether to delete or anonymise")])
    is_active = BooleanField("Apply this rule", widget=GovCheckboxInput(),
                             description="Untick to keep these records until the rule is applied again")
    submit = SubmitField("Save rule", widget=GovSubmitInput())

    def for_rule(self, rule: RetentionRule) -> "RetentionRuleForm":
        kind = KINDS[rule.kind]
        self.date_field.choices = list(kind.date_fields.items())
        self.action.choices = [(a, RETENTION_ACTIONS[a]) for a in kind.actions]
        return self

    def to_kwargs(self) -> dict[str, Any]:
        return {"date_field": self.date_field.data, "period": self.period.data, "period_unit": self.period_unit.data,
                "action": self.action.data, "is_active": bool(self.is_active.data)}
