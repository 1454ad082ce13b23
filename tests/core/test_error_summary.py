"""The error summary links each error to the box to fix, so that following the link (by keyboard
too) puts the focus there; a date's error goes to one of its three boxes, not to their wrapper."""
from __future__ import annotations

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import FieldList, Form, FormField, StringField
from wtforms.validators import DataRequired

from lea_support.core.forms import DateInputField
from lea_support.core.templating import error_summary


class Row(Form):
    due_on = DateInputField("By when", required=True)


class Example(FlaskForm):
    class Meta:
        csrf = False

    name = StringField("Name", validators=[DataRequired("Enter a name")])
    visit_date = DateInputField("Date of the visit", required=True)
    next_visit = DateInputField("Next visit")
    rows = FieldList(FormField(Row), min_entries=1)


def hrefs(app, data):
    with app.test_request_context(method="POST"):
        form = Example(formdata=MultiDict(data))
        assert not form.validate()
        return {item["text"]: item["href"] for item in error_summary(form)["errorList"]}


def test_a_date_error_links_to_its_first_empty_box_or_else_its_day(app):
    found = hrefs(app, [("visit_date", ""), ("visit_date", ""), ("visit_date", ""),
                        ("next_visit", "3"), ("next_visit", ""), ("next_visit", "2027"),
                        ("rows-0-due_on", "31"), ("rows-0-due_on", "2"), ("rows-0-due_on", "2027")])
    assert found == {
        "Enter a name": "#name",
        "Enter the date of the visit": "#visit_date-day",
        "Next visit must include a month": "#next_visit-month",
        "By when must be a real date, like 27 3 2026": "#rows-0-due_on-day",
    }
