"""Sharing4Success pages: the good practice directory, nominating and agreeing entries, a
school's sharing, partnerships, and the four aspects across the authority."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user, login_required

from ..casework.models import SUPPORT_ASPECTS, NoteOfVisit
from ..casework.permissions import can_view_note
from ..core.web import flash_and_redirect, get_or_404, page_arg, permission_required, process_form, require
from ..reviews.models import ReviewFinding
from ..schools.models import School
from ..schools.web import school_or_404
from . import permissions as can
from . import services
from .forms import AgreeForm, DeclineForm, NominateForm, PartnershipForm, PartnershipOutcomeForm
from .models import THEMES, GoodPractice, Partnership

bp = Blueprint("sharing", __name__, template_folder="templates")


@bp.get("/good-practice")
@permission_required(can.can_view_good_practice_directory)
def directory() -> Any:
    args = request.args
    filters = services.DirectoryFilters(
        theme=args.get("theme", "") if args.get("theme") in THEMES else "",
        aspect=args.get("aspect", "") if args.get("aspect") in SUPPORT_ASPECTS else "",
        phase=args.get("phase", "")[:40], page=page_arg(args))
    entries, total = services.directory(filters)
    return render_template("sharing/directory.html", entries=entries, total=total, filters=filters, themes=THEMES,
                           aspects=SUPPORT_ASPECTS, phases=services.phases(), page_size=services.DIRECTORY_PAGE)


def _entry(entry_id: int) -> GoodPractice:
    entry = get_or_404(GoodPractice, entry_id)
    require(can.can_view_good_practice(current_user, entry))
    return entry


def _render_entry(entry: GoodPractice, status: int = 200, **forms: Any) -> Any:
    forms.setdefault("agree_form", AgreeForm(formdata=None))
    forms.setdefault("decline_form", DeclineForm(formdata=None))
    failed = next((f for f in forms.values() if f.errors), None)
    return render_template("sharing/entry.html", entry=entry, form=failed, **forms), status


@bp.get("/good-practice/<int:entry_id>")
@login_required
def show_entry(entry_id: int) -> Any:
    return _render_entry(_entry(entry_id))


@bp.post("/good-practice/<int:entry_id>/agree")
@login_required
def agree_entry(entry_id: int) -> Any:
    entry = _entry(entry_id)
    require(can.can_decide_good_practice(current_user, entry))
    form = AgreeForm()
    return process_form(
        form, lambda: services.agree_entry(current_user, entry, **form.to_kwargs()),
        done=lambda _e: flash_and_redirect("Thank you: other schools can now find this practice in the directory",
                                           url_for("sharing.show_entry", entry_id=entry.id)),
        again=lambda status: _render_entry(entry, status, agree_form=form))


@bp.post("/good-practice/<int:entry_id>/decline")
@login_required
def decline_entry(entry_id: int) -> Any:
    entry = _entry(entry_id)
    require(can.can_decide_good_practice(current_user, entry))
    form = DeclineForm()
    return process_form(
        form, lambda: services.decline_entry(current_user, entry, **form.to_kwargs()),
        done=lambda _e: flash_and_redirect("This practice will not be shared",
                                           url_for("sharing.show_entry", entry_id=entry.id)),
        again=lambda status: _render_entry(entry, status, decline_form=form))


def _nominate_page(form: NominateForm, source: str, school: Any, back: str, status: int = 200) -> Any:
    return render_template("sharing/nominate.html", form=form, source=source, school=school, back=back), status


@bp.route("/visits/<int:note_id>/good-practice", methods=["GET", "POST"])
@permission_required(can.can_nominate_good_practice)
def nominate_from_note(note_id: int) -> Any:
    note = get_or_404(NoteOfVisit, note_id)
    require(can_view_note(current_user, note))
    form = NominateForm()
    back = url_for("casework.show_note", note_id=note.id)
    if request.method == "GET":
        form.summary.data = note.strengths
        return _nominate_page(form, note.strengths, note.school, back)
    return process_form(
        form, lambda: services.nominate_from_note(current_user, note, **form.to_kwargs()),
        done=lambda e: flash_and_redirect(f"Nominated: {note.school.name} is asked to agree before other schools see it",
                                          url_for("sharing.show_entry", entry_id=e.id)),
        again=lambda status: _nominate_page(form, note.strengths, note.school, back, status))


@bp.route("/review-findings/<int:finding_id>/good-practice", methods=["GET", "POST"])
@permission_required(can.can_nominate_good_practice)
def nominate_from_finding(finding_id: int) -> Any:
    finding = get_or_404(ReviewFinding, finding_id)
    school = get_or_404(School, services.review_school_id(finding.review_id))
    form = NominateForm()
    back = url_for("reviews.show_review", review_id=finding.review_id)
    if request.method == "GET":
        form.summary.data = finding.text
        return _nominate_page(form, finding.text, school, back)
    return process_form(
        form, lambda: services.nominate_from_finding(current_user, finding, **form.to_kwargs()),
        done=lambda e: flash_and_redirect(f"Nominated: {school.name} is asked to agree before other schools see it",
                                          url_for("sharing.show_entry", entry_id=e.id)),
        again=lambda status: _nominate_page(form, finding.text, school, back, status))


@bp.get("/schools/<int:urn>/sharing")
@login_required
def school_sharing(urn: int) -> Any:
    school = school_or_404(urn)
    require(can.can_view_school_sharing(current_user, school))
    return render_template("sharing/school.html", school=school, entries=services.school_entries(school),
                           partnerships=services.school_partnerships(school))


@bp.route("/partnerships/new", methods=["GET", "POST"])
@permission_required(can.can_manage_partnerships)
def new_partnership() -> Any:
    form = PartnershipForm()
    if request.method == "GET":
        form.lead_urn.data = request.args.get("lead", "")[:10]
        form.partner_urn.data = request.args.get("partner", "")[:10]
        return render_template("sharing/partnership_new.html", form=form)
    return process_form(
        form, lambda: services.create_partnership(current_user, **form.to_kwargs()),
        done=lambda p: flash_and_redirect("Partnership recorded", url_for("sharing.show_partnership", partnership_id=p.id)),
        again=lambda status: (render_template("sharing/partnership_new.html", form=form), status))


def _render_partnership(partnership: Partnership, status: int = 200, form: PartnershipOutcomeForm | None = None) -> Any:
    if form is None:
        form = PartnershipOutcomeForm(formdata=None, obj=partnership)
    return render_template("sharing/partnership.html", partnership=partnership, outcome_form=form,
                           form=form if form.errors else None), status


@bp.route("/partnerships/<int:partnership_id>", methods=["GET", "POST"])
@login_required
def show_partnership(partnership_id: int) -> Any:
    partnership = get_or_404(Partnership, partnership_id)
    require(can.can_view_partnership(current_user, partnership))
    if request.method == "GET":
        return _render_partnership(partnership)
    require(can.can_manage_partnerships(current_user))
    form = PartnershipOutcomeForm()
    return process_form(
        form, lambda: services.update_partnership(current_user, partnership, **form.to_kwargs()),
        done=lambda p: flash_and_redirect("Partnership saved", url_for("sharing.show_partnership", partnership_id=p.id)),
        again=lambda status: _render_partnership(partnership, status, form))


@bp.get("/support-aspects")
@permission_required(can.can_view_support_aspects)
def support_aspects() -> Any:
    year = request.args.get("year") or None
    try:
        year, figures = services.aspects_report(year)
    except ValueError:
        year, figures = services.aspects_report(None)
    return render_template("sharing/aspects.html", year=year, figures=figures)
