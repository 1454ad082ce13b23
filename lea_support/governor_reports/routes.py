"""Governor reports for LA staff (the term's reports, a school's reports, drafting, checking,
publishing, re-issuing, downloading), bulk generation for administrators, the governors' own pages
(their schools, each school's timeline and published reports), and the plan's PDF (until it moves
to the rap area)."""
from __future__ import annotations

from math import ceil
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select

from ..auth.permissions import can_view_governor_pages, is_governor
from ..core.terms import Term
from ..core.web import (
    flash_and_redirect,
    get_or_404,
    page_arg,
    permission_required,
    process_form,
    require,
)
from ..extensions import db
from ..pdf import PdfDocument, pdf_response
from ..privacy.reads import record_read
from ..reviews.reporting import published_reviews_for_school
from ..schools.models import School
from ..schools.services import timeline as school_timeline
from ..schools.web import school_or_404
from . import bulk, services
from . import permissions as can
from .forms import (
    STATUS_FILTERS,
    BulkRunForm,
    CheckReportForm,
    DraftReportForm,
    PublishReportForm,
    RedraftReportForm,
    ReissueReportForm,
    term_choices,
)
from .models import BulkRun, GovernorReport, GovernorReportVersion

bp = Blueprint("governor_reports", __name__, template_folder="templates")
# Templates anywhere (the school page, the governors' pages) may ask these.



def _report(report_id: int) -> GovernorReport:
    report = services.load_report(report_id)
    if report is None:
        abort(404)
    return report


# --- the term's reports and a school's reports ----------------------------------------------------------


@bp.get("/governor-reports")
@permission_required(can.can_view_governor_reports)
def term_reports() -> Any:
    try:
        chosen = Term.parse(request.args["term"]) if request.args.get("term") else Term.current()
    except ValueError:
        abort(404)
    term = chosen.slug
    terms = term_choices()
    if term not in dict(terms):
        terms.append((term, chosen.label))
    status = request.args.get("status", "")
    if status not in dict(STATUS_FILTERS):
        status = ""
    page = page_arg(request.args)
    per_page = current_app.config["PER_PAGE"]
    rows, total = services.term_overview(term, page=page, per_page=per_page, status=status)
    return render_template("governor_reports/term.html", term=term, term_label=chosen.name, terms=terms,
                           status=status, statuses=STATUS_FILTERS, rows=rows, total=total, page=page,
                           pages=max(1, ceil(total / per_page)), runs=_recent_runs(term))


def _recent_runs(term: str) -> list[BulkRun]:
    return list(db.session.scalars(select(BulkRun).where(BulkRun.term == term).order_by(BulkRun.id.desc()).limit(3)))


def _render_school(school: School, form: DraftReportForm | None = None, status: int = 200) -> Any:
    return render_template("governor_reports/school.html", school=school, reports=services.reports_for_school(school),
                           form=form or DraftReportForm(formdata=None)), status


@bp.get("/schools/<int:urn>/governor-reports")
@login_required
def school_reports(urn: int) -> Any:
    school = school_or_404(urn)
    require(can.can_view_school_governor_reports(current_user, school))
    return _render_school(school)


@bp.post("/schools/<int:urn>/governor-reports")
@login_required
def draft_report(urn: int) -> Any:
    school = school_or_404(urn)
    require(can.can_draft_governor_report(current_user, school))
    form = DraftReportForm()
    return process_form(
        form, lambda: services.generate_draft(current_user, school, **form.to_kwargs()),
        done=lambda version: flash_and_redirect(
            f"Draft report for the {Term.parse(version.report.term).name.lower()} made from the school's records",
            url_for("governor_reports.show_report", report_id=version.report_id)),
        again=lambda status: _render_school(school_or_404(urn), form, status))


# --- one report: check, publish, re-issue, download ---------------------------------------------------


def _render_report(report: GovernorReport, status: int = 200, **forms: Any) -> Any:
    current = services.open_version(report)
    adviser = (current.content.get("adviser") or {}) if current else {}
    check_form = forms.get("check_form") or CheckReportForm(formdata=None, data={
        "version_id": current.version_id if current else None,
        "covering_note": current.covering_note if current else "",
        "celebrating": adviser.get("celebrating", ""), "no_visits_confirmed": adviser.get("no_visits_confirmed")})
    publish_form = forms.get("publish_form") or PublishReportForm(
        formdata=None, data={"version_id": current.version_id if current else None})
    reissue_form = forms.get("reissue_form") or ReissueReportForm(formdata=None)
    form = forms.get("form")
    return render_template("governor_reports/show.html", report=report, school=report.school, current=current,
                           versions=list(reversed(report.versions)), check_form=check_form, publish_form=publish_form,
                           reissue_form=reissue_form, redraft_form=RedraftReportForm(formdata=None), form=form,
                           to_confirm=services.sections_to_confirm(current.content) if current else {},
                           term_label=Term.parse(report.term).name), status


@bp.get("/governor-reports/<int:report_id>")
@login_required
def show_report(report_id: int) -> Any:
    report = _report(report_id)
    require(can.can_view_school_governor_reports(current_user, report.school))
    record_read("governor_report", report.id)
    return _render_report(report)


@bp.post("/governor-reports/<int:report_id>/redraft")
@login_required
def redraft_report(report_id: int) -> Any:
    report = _report(report_id)
    require(can.can_draft_governor_report(current_user, report.school))
    form = RedraftReportForm()
    return process_form(
        form, lambda: services.generate_draft(current_user, report.school, report.term),
        done=lambda _version: flash_and_redirect("Draft made again from the school's records. It needs checking again.",
                                                 url_for("governor_reports.show_report", report_id=report.id)),
        again=lambda status: _render_report(_report(report_id), status, form=form))


@bp.post("/governor-reports/<int:report_id>/check")
@login_required
def check_report(report_id: int) -> Any:
    report = _report(report_id)
    require(can.can_check_governor_report(current_user, report))
    form = CheckReportForm()
    # A conflict (409) keeps the note as typed; saving again (now knowingly) goes against the version as it is now.
    return process_form(
        form, lambda: services.check_open_version(current_user, report, **form.to_kwargs()),
        done=lambda _version: flash_and_redirect("Report checked. It can now be published to governors.",
                                                 url_for("governor_reports.show_report", report_id=report.id)),
        again=lambda status: _render_report(_report(report_id), status, check_form=form, form=form))


@bp.post("/governor-reports/<int:report_id>/publish")
@login_required
def publish_report(report_id: int) -> Any:
    report = _report(report_id)
    require(can.can_publish_governor_report(current_user, report))
    form = PublishReportForm()

    def published(version: GovernorReportVersion) -> Any:
        # The e-mails to the governors go once this is saved; the mail module then says how many
        # went (or which could not).
        return flash_and_redirect(
            f"Version {version.version} published." if services.school_governors(report.school) else
            f"Version {version.version} published. The school has no governors with an account to e-mail.",
            url_for("governor_reports.show_report", report_id=report.id))

    return process_form(
        form, lambda: services.publish_open_version(current_user, report, **form.to_kwargs()), done=published,
        again=lambda status: _render_report(_report(report_id), status, publish_form=form, form=form))


@bp.post("/governor-reports/<int:report_id>/reissue")
@login_required
def reissue_report(report_id: int) -> Any:
    report = _report(report_id)
    require(can.can_reissue_governor_report(current_user, report))
    form = ReissueReportForm()
    return process_form(
        form, lambda: services.reissue_report(current_user, report, **form.to_kwargs()),
        done=lambda version: flash_and_redirect(
            f"Version {version.version} drafted. The published version stays as it is until this one is "
            "checked and published.", url_for("governor_reports.show_report", report_id=report.id)),
        again=lambda status: _render_report(_report(report_id), status, reissue_form=form, form=form))


@bp.get("/governor-reports/<int:report_id>/versions/<int:number>.pdf")
@login_required
def download_report(report_id: int, number: int) -> Any:
    report = get_or_404(GovernorReport, report_id)
    version = services.version_with_pdf(report, number)
    if version is None:
        # Whether a version exists is itself the school's business: only those who may read its reports learn it.
        require(can.can_view_school_governor_reports(current_user, report.school))
        abort(404)
    require(can.can_download_governor_report(current_user, report, version))
    record_read("governor_report", report.id, "download")
    return pdf_response(PdfDocument(version.pdf, services.report_filename(report, version)))


# --- the governors' own pages ----------------------------------------------------------------------------


@bp.get("/governor")
@login_required
def governor_home() -> Any:
    require(is_governor(current_user))
    schools = sorted(current_user.schools, key=lambda s: s.name)
    return render_template("governor_reports/governor_home.html", schools=schools,
                           reports=services.published_reports_for_schools({s.id for s in schools}))


@bp.get("/governor/schools/<int:urn>")
@login_required
def governor_school(urn: int) -> Any:
    school = school_or_404(urn)
    require(can_view_governor_pages(current_user, school))
    return render_template("governor_reports/governor_school.html", school=school,
                           timeline=school_timeline(school, current_user),
                           review_reports=published_reviews_for_school(school),
                           reports=services.published_reports_for_schools({school.id}).get(school.id, []),
                           documents=services.governor_documents(school))


@bp.get("/governor/schools/<int:urn>/plan")
@login_required
def governor_plan(urn: int) -> Any:
    """The school's agreed Raising Achievement Plan, summarised for its governors, read-only."""
    school = school_or_404(urn)
    require(can.is_school_governor(current_user, school.id))
    return render_template("governor_reports/governor_plan.html", school=school,
                           plan=services.agreed_plan_summary(school))


# --- bulk generation --------------------------------------------------------------------------------------


@bp.route("/admin/governor-reports/bulk", methods=["GET", "POST"])
@permission_required(can.can_run_bulk_generation)
def bulk_runs() -> Any:
    form = BulkRunForm()

    def page(status: int = 200) -> Any:
        runs = list(db.session.scalars(select(BulkRun).order_by(BulkRun.id.desc()).limit(20)))
        return render_template("governor_reports/bulk.html", form=form, runs=runs), status

    if request.method == "GET":
        return page()

    def started(run: BulkRun) -> Any:
        bulk.finish_from_page(run)  # with no report queue, the run is done here, in this request
        return flash_and_redirect(f"Generating {run.total} draft reports for the {Term.parse(run.term).name.lower()}",
                                  url_for("governor_reports.show_bulk_run", run_id=run.id))

    return process_form(form, lambda: bulk.start_from_page(current_user, form.to_data()), done=started, again=page)


@bp.get("/admin/governor-reports/bulk/<int:run_id>")
@permission_required(can.can_run_bulk_generation)
def show_bulk_run(run_id: int) -> Any:
    run = get_or_404(BulkRun, run_id)
    return render_template("governor_reports/bulk_run.html", run=run, term_label=Term.parse(run.term).name)
