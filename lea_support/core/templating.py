"""Template filters and globals shared by every area."""
from __future__ import annotations

import re
from functools import partial
from importlib import import_module
from types import SimpleNamespace
from typing import Any

from flask import Flask, g, request, url_for
from flask_login import current_user
from govuk_frontend_wtf.main import wtforms_errors
from markupsafe import Markup, escape
from wtforms import FieldList, FormField

from .forms import DateInputField
from .tasklist import TASK_STATUSES
from .terms import format_date, format_days, format_minutes, term_label


def _date_inputs(fields: Any) -> dict[str, DateInputField]:
    """The form's date fields by id, in lists of subforms too."""
    found: dict[str, DateInputField] = {}
    for field in fields:
        if isinstance(field, DateInputField):
            found[field.id] = field
        elif isinstance(field, (FieldList, FormField)):
            found.update(_date_inputs(field))
    return found


def error_summary(form: Any) -> dict[str, Any]:
    """govuk-frontend-wtf's error summary, with form-wide errors linked to the page top and a date's
    error linked to the box to fix (the first left empty, else the day): a link to the date's
    wrapper could not take the focus there."""
    params = wtforms_errors(form)
    dates = _date_inputs(form)
    for item in params["errorList"]:
        if item["href"] in {"#None", "#"}:
            item["href"] = "#main-content"
        elif (field := dates.get(item["href"][1:])) is not None:
            typed = dict(zip(("day", "month", "year"), field.raw_data or [], strict=False))
            empty = [part for part in ("day", "month", "year") if not typed.get(part)]
            item["href"] = f"#{field.id}-{empty[0] if empty and len(empty) < 3 else 'day'}"
    # A refusal that lists several things to fix, each fixed somewhere else (publishing a review):
    # the form carries them as (message, link), and each is its own line of the summary.
    links = getattr(form, "error_links", None)
    if links:
        params["errorList"] = [i for i in params["errorList"] if i["href"] != "#main-content"] + [
            {"text": text, "href": href} for text, href in links]
    return params


_BLANK_LINES = re.compile(r"\n[ \t]*\n+")


def paragraphs(text: str | None, css_class: str = "govuk-body") -> Markup:
    """People's text as they wrote it: a paragraph per blank-line-separated block, a line break
    for each single new line, everything escaped (the `paragraphs` filter)."""
    if not text or not text.strip():
        return Markup("")
    blocks = _BLANK_LINES.split(text.replace("\r\n", "\n").replace("\r", "\n").strip())
    return Markup("\n").join(
        Markup('<p class="{}">{}</p>').format(css_class, Markup("<br>\n").join(escape(line.strip())
                                                                              for line in block.split("\n")))
        for block in blocks if block.strip())


def reveal_items(field: Any, reveals: dict[str, str]) -> list[dict[str, Any]]:
    """The `items` of a GOV.UK radios (or checkboxes) field that reveal more fields under some
    choices: `reveals` maps a choice's value to the HTML shown under it (conditional content).
    Without JavaScript GOV.UK Frontend shows it all; with it, only the chosen choice's. The HTML is
    the template's own (a `{% set %}` block, already Markup): plain text given here would be escaped."""
    return [{"conditional": {"html": reveals[str(value)]}} if str(value) in reveals else {}
            for value, *_label in field.choices]


PERMISSION_MODULES = ("api", "auth", "casework", "enhanced", "evidence", "governor_reports", "intervention",
                      "notifications", "privacy", "programmes", "rap", "reviews", "schools", "sharing", "tasks")


def permission_predicates() -> SimpleNamespace:
    """Every area's named permission predicates under one name, `can`, the one way templates ask
    them (`can.can_edit_plan(current_user, plan)`); the names are unique across areas."""
    predicates: dict[str, Any] = {}
    for area in PERMISSION_MODULES:
        module = import_module(f"lea_support.{area}.permissions")
        for name, value in vars(module).items():
            if callable(value) and (name.startswith("can_") or name.startswith("is_")) \
                    and getattr(value, "__module__", "") == module.__name__:
                if name in predicates and predicates[name] is not value:
                    raise RuntimeError(f"Two areas define the permission predicate {name}")
                predicates[name] = value
    return SimpleNamespace(**predicates)


def url_with(**changes: Any) -> str:
    """The current page's URL with some query arguments changed (None removes one)."""
    args = request.args.to_dict()
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def install_template_helpers(app: Flask) -> None:
    # One filter per way of writing a date or a term, all from core.terms.
    app.add_template_filter(format_date, "date")
    app.add_template_filter(partial(format_date, style="datetime"), "datetime")
    app.add_template_filter(partial(format_date, style="month"), "month")
    app.add_template_filter(term_label, "term")
    app.add_template_filter(format_minutes, "minutes")
    app.add_template_filter(format_days, "days")
    app.add_template_filter(paragraphs, "paragraphs")
    app.add_template_global(error_summary)
    app.add_template_global(url_with)
    app.add_template_global(reveal_items)
    app.add_template_global(permission_predicates(), "can")
    from .navigation import navigation

    app.add_template_global(navigation)
    from ..notifications.services import unread_count

    def unread_notifications() -> int:
        """The header's count: one indexed query, asked only by the page header, once a request."""
        if "unread_notifications" not in g:
            g.unread_notifications = unread_count(current_user) if current_user.is_authenticated else 0
        return int(g.unread_notifications)

    app.add_template_global(unread_notifications)
    from ..rap.models import RAG_LABELS

    app.add_template_global(RAG_LABELS, "rag_labels")
    app.add_template_global(TASK_STATUSES, "task_statuses")
