"""Forms for drafting, checking, publishing and re-issuing governor reports, and bulk runs."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Regexp

from ..core.forms import EditVersionField, MaxLength, TermField, build_data
from ..core.limits import LONG_TEXT, REPORT_NOTE_TEXT
from ..core.terms import Term
from ..core.terms import term_choices as core_term_choices
from ..schools.services import support_tiers
from .bulk import BulkRunData
from .models import REPORT_STATUSES


def report_terms(today: date | None = None) -> tuple[Term, Term]:
    """The terms reports are made for: those of the current academic year and the one before."""
    start_year = Term.current(today).start_year
    return Term("autumn", start_year - 1), Term("summer", start_year + 1)


def term_choices(today: date | None = None) -> list[tuple[str, str]]:
    """`report_terms` as choices ("Autumn 2026"), newest first."""
    return core_term_choices(*report_terms(today), newest_first=True)


class DraftReportForm(FlaskForm):
    term = TermField("Term", span=report_terms, newest_first=True)
    submit = SubmitField("Make the draft report", widget=GovSubmitInput())

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_submitted():
            self.term.data = Term.current().slug

    def to_kwargs(self) -> dict[str, Any]:
        return {"term": self.term.data or ""}


# The version of the record the page showed: a form without it is refused (reload the page).
_SEEN = [InputRequired("Reload the page: the report's version is missing from the form"),
         Regexp(r"^\d{1,9}$", message="Reload the page: the report's version is missing from the form")]


class CheckReportForm(FlaskForm):
    version_id = EditVersionField(validators=_SEEN)
    celebrating = TextAreaField("What can governors celebrate this term?", widget=GovTextArea(),
                                validators=[MaxLength(REPORT_NOTE_TEXT, "What governors can celebrate")],
                                description="The school's records show no completed actions or other milestones "
                                            "this term. What you write here is the report's \u201cCelebrating "
                                            "progress\u201d.")
    no_visits_confirmed = BooleanField("I confirm that no link adviser visit was made to the school this term",
                                       widget=GovCheckboxInput())
    covering_note = TextAreaField("Covering note for governors (optional)", widget=GovTextArea(),
                                  validators=[MaxLength(REPORT_NOTE_TEXT, "The covering note")],
                                  description="Shown in the report after \u201cCelebrating progress\u201d")
    submit = SubmitField("Mark as checked", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"covering_note": self.covering_note.data or "", "expected_version": self.version_id.expected,
                "celebrating": self.celebrating.data or "", "no_visits_confirmed": bool(self.no_visits_confirmed.data)}


class PublishReportForm(FlaskForm):
    version_id = EditVersionField(validators=_SEEN)
    submit = SubmitField("Publish to governors", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"expected_version": self.version_id.expected}


class RedraftReportForm(FlaskForm):
    submit = SubmitField("Make the draft again from the records", widget=GovSubmitInput())


class ReissueReportForm(FlaskForm):
    reason = TextAreaField("Why does the published report need re-issuing?", widget=GovTextArea(),
                           validators=[MaxLength(REPORT_NOTE_TEXT, "The reason")])
    submit = SubmitField("Start a re-issue", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"reason": self.reason.data or ""}


class BulkRunForm(FlaskForm):
    term = TermField("Term", span=report_terms, newest_first=True)
    tier = SelectField("Schools in", widget=GovSelect(), validate_choice=False)
    urns = StringField("Only these schools (optional)", widget=GovTextInput(),
                       validators=[MaxLength(LONG_TEXT, "The list of URNs")],
                       description="URNs separated by spaces or commas; leave empty for every open school")
    submit = SubmitField("Start generating drafts", widget=GovSubmitInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The authority's tiers, as its support_tiers table names them.
        self.tier.choices = [("", "Every tier"), *((t.code, t.name) for t in support_tiers())]
        if not self.is_submitted():
            self.term.data = Term.current().slug

    def to_data(self) -> BulkRunData:
        return build_data(BulkRunData, self, term=self.term.data or "", tier=self.tier.data or "")


STATUS_FILTERS = [("", "Any"), ("none", "Not started"), *REPORT_STATUSES.items()]
