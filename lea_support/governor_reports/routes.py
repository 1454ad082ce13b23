"""Governor reports for LA staff (the term's reports, a school's reports, drafting, checking,
publishing, re-issuing, downloading), bulk generation for administrators, and the service's other
documents as PDFs. Governors reach their published reports from their own pages (schools.governor_*)
and download them here."""
from __future__ import annotations

from math import ceil
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select

from ..core.errors import DomainError
from ..core.forms import apply_domain_error, refuse
from ..core.terms import Term
from ..core.web import first_or_404, get_or_404, page_arg, permission_required, require
from ..extensions import db
from ..pdf import PdfDocument, pdf_response
from ..schools.models import School, SupportAllocation
from . import bulk, documents, services
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
from .models import BulkRun, GovernorReport

bp = Blueprint("governor_reports", __name__, template_folder="templates")
# Templates anywhere (the school page, the governors' pages) may ask these.
bp.add_app_template_global(can, "report_perms")


def _school(urn: int) -> School:
    return first_or_404(select(School).where(School.urn == urn))


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
        terms.append((term, chosen.name))
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
    school = _school(urn)
    require(can.can_view_school_governor_reports(current_user, school))
    return _render_school(school)


@bp.post("/schools/<int:urn>/governor-reports")
@login_required
def draft_report(urn: int) -> Any:
    school = _school(urn)
    require(can.can_draft_governor_report(current_user, school))
    form = DraftReportForm()
    if form.validate_on_submit():
        try:
            version = services.generate_draft(current_user, school, form.term.data or "")
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            flash(f"Draft report for the {Term.parse(version.report.term).name.lower()} made from the school's records",
                  "success")
            return redirect(url_for("governor_reports.show_report", report_id=version.report_id))
    return _render_school(_school(urn), form, 422)


# --- one report: check, publish, re-issue, download ---------------------------------------------------


def _render_report(report: GovernorReport, status: int = 200, **forms: Any) -> Any:
    current = services.open_version(report)
    check_form = forms.get("check_form") or CheckReportForm(formdata=None, data={
        "version_id": current.version_id if current else None,
        "covering_note": current.covering_note if current else ""})
    publish_form = forms.get("publish_form") or PublishReportForm(
        formdata=None, data={"version_id": current.version_id if current else None})
    reissue_form = forms.get("reissue_form") or ReissueReportForm(formdata=None)
    form = forms.get("form")
    return render_template("governor_reports/show.html", report=report, school=report.school, current=current,
                           versions=list(reversed(report.versions)), check_form=check_form, publish_form=publish_form,
                           reissue_form=reissue_form, redraft_form=RedraftReportForm(formdata=None), form=form,
                           term_label=Term.parse(report.term).name), status


@bp.get("/governor-reports/<int:report_id>")
@login_required
def show_report(report_id: int) -> Any:
    report = _report(report_id)
    require(can.can_view_school_governor_reports(current_user, report.school))
    return _render_report(report)


@bp.post("/governor-reports/<int:report_id>/redraft")
@login_required
def redraft_report(report_id: int) -> Any:
    report = _report(report_id)
    require(can.can_draft_governor_report(current_user, report.school))
    form = RedraftReportForm()
    if form.validate_on_submit():
        try:
            services.generate_draft(current_user, report.school, report.term)
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            flash("Draft made again from the school's records. It needs checking again.", "success")
            return redirect(url_for("governor_reports.show_report", report_id=report.id))
    return _render_report(_report(report_id), 422, form=form)


@bp.post("/governor-reports/<int:report_id>/check")
@login_required
def check_report(report_id: int) -> Any:
    report = _report(report_id)
    require(can.can_check_governor_report(current_user, report))
    form = CheckReportForm()
    current = services.open_version(report)
    if form.validate_on_submit():
        if current is None:
            form.form_errors.append("There is no draft to check: re-issue the report to start a new version")
        else:
            try:
                services.check_report(current_user, current, covering_note=form.covering_note.data or "",
                                      expected_version=form.version_id.data)
            except services.ReportConflict as err:
                apply_domain_error(form, err)
                # The note stays as typed; saving again (now knowingly) goes against the version as it is now.
                fresh = _report(report_id)
                now = services.open_version(fresh)
                form.version_id.data = now.version_id if now else None
                return _render_report(fresh, 409, check_form=form, form=form)
            except DomainError as err:
                apply_domain_error(form, err)
            else:
                flash("Report checked. It can now be published to governors.", "success")
                return redirect(url_for("governor_reports.show_report", report_id=report.id))
    return _render_report(_report(report_id), 422, check_form=form, form=form)


@bp.post("/governor-reports/<int:report_id>/publish")
@login_required
def publish_report(report_id: int) -> Any:
    report = _report(report_id)
    require(can.can_publish_governor_report(current_user, report))
    form = PublishReportForm()
    current = services.open_version(report)
    if form.validate_on_submit():
        if current is None:
            latest = max(report.versions, key=lambda v: v.version, default=None)
            if latest is not None and latest.status == "published":  # a second click, once the first has published
                form.form_errors.append(f"Version {latest.version} has already been published and never changes: "
                                        "reload the page to see it")
                return _render_report(_report(report_id), 409, publish_form=form, form=form)
            form.form_errors.append("There is no checked draft to publish")
        elif form.version_id.data != current.version_id:
            form.form_errors.append("The report changed since you opened it (it was made again or checked with "
                                    "another note): read it again before publishing")
            return _render_report(_report(report_id), 409, publish_form=form, form=form)
        else:
            try:
                version = services.publish_report(current_user, current)
            except DomainError as err:
                if refuse(form, err) == 409:
                    return _render_report(_report(report_id), 409, publish_form=form, form=form)
            else:
                # The e-mails to the governors go once this is saved; the mail module then says
                # how many went (or which could not).
                flash(f"Version {version.version} published." if services.school_governors(report.school) else
                      f"Version {version.version} published. The school has no governors with an account to e-mail.",
                      "success")
                return redirect(url_for("governor_reports.show_report", report_id=report.id))
    return _render_report(_report(report_id), 422, publish_form=form, form=form)


@bp.post("/governor-reports/<int:report_id>/reissue")
@login_required
def reissue_report(report_id: int) -> Any:
    report = _report(report_id)
    require(can.can_reissue_governor_report(current_user, report))
    form = ReissueReportForm()
    if form.validate_on_submit():
        try:
            version = services.reissue_report(current_user, report, reason=form.reason.data or "")
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            flash(f"Version {version.version} drafted. The published version stays as it is until this one is "
                  "checked and published.", "success")
            return redirect(url_for("governor_reports.show_report", report_id=report.id))
    return _render_report(_report(report_id), 422, reissue_form=form, form=form)


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
    return pdf_response(PdfDocument(version.pdf, services.report_filename(report, version)))


# --- bulk generation --------------------------------------------------------------------------------------


@bp.route("/admin/governor-reports/bulk", methods=["GET", "POST"])
@permission_required(can.can_run_bulk_generation)
def bulk_runs() -> Any:
    form = BulkRunForm()
    if form.validate_on_submit():
        try:
            run = bulk.queue_bulk_run(current_user, term=form.term.data or "", tier=form.tier.data or None,
                                      urns=form.urns.data or "")
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            flash(f"Generating {run.total} draft reports for the {Term.parse(run.term).name.lower()}", "success")
            return redirect(url_for("governor_reports.show_bulk_run", run_id=run.id))
    runs = list(db.session.scalars(select(BulkRun).order_by(BulkRun.id.desc()).limit(20)))
    return render_template("governor_reports/bulk.html", form=form, runs=runs), 422 if form.errors else 200


@bp.get("/admin/governor-reports/bulk/<int:run_id>")
@permission_required(can.can_run_bulk_generation)
def show_bulk_run(run_id: int) -> Any:
    run = get_or_404(BulkRun, run_id)
    return render_template("governor_reports/bulk_run.html", run=run, term_label=Term.parse(run.term).name)


# --- other documents ------------------------------------------------------------------------------------------


@bp.get("/allocations/<year>/<int:urn>/letter.pdf")
@login_required
def allocation_letter(year: str, urn: int) -> Any:
    school = _school(urn)
    allocation = first_or_404(select(SupportAllocation).where(
        SupportAllocation.school_id == school.id, SupportAllocation.academic_year == year.replace("-", "/")))
    require(can.can_download_allocation_letter(current_user, allocation))
    document = documents.allocation_letter(allocation)
    return pdf_response(PdfDocument(documents.render(document), document["filename"]))
