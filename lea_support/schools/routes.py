"""The school register: the school list, the school page, support decisions, link advisers,
allocations and their letters, support tiers and the GIAS upload. (Governors' pages are the
governor_reports area's.)"""
from __future__ import annotations

from datetime import date
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

from ..auth.models import Role, User
from ..auth.permissions import (
    can_adjust_allocation,
    can_administer,
    can_assign_link_advisers,
    can_change_support,
    can_import_schools,
    can_view_allocations,
    can_view_school,
    can_view_school_list,
    can_view_support_history,
)
from ..casework.charts import school_allocation
from ..core.csv_export import csv_response
from ..core.terms import academic_year_for, parse_academic_year
from ..core.web import (
    first_or_404,
    flash_and_redirect,
    id_arg,
    page_arg,
    permission_required,
    process_form,
    require,
)
from ..evidence.permissions import can_view_signals
from ..evidence.signals import school_signals
from ..extensions import db
from ..pdf import PdfDocument, pdf_response
from . import documents, gias, services
from .case_summary import case_summary
from .forms import (
    AllocationForm,
    GiasUploadForm,
    IssueAllocationsForm,
    LinkAdviserForm,
    ReassignSchoolsForm,
    SupportDecisionForm,
    SupportTierForm,
    TierAllocationForm,
)
from .models import School, SupportAllocation, SupportTier
from .permissions import can_download_allocation_letter
from .web import school_or_404

bp = Blueprint("schools", __name__, template_folder="templates")



def _advisers() -> list[Any]:
    """The active advisers' ids and names, for the menus (a national service has hundreds: plain
    rows, not whole accounts)."""
    return list(db.session.execute(
        select(User.id, User.name).where(User.role.in_([Role.LINK_ADVISER, Role.SIA]), User.is_disabled.is_(False))
        .order_by(User.name, User.id)))


def _filters_from_args(args: Any) -> tuple[services.SchoolFilters, list[str]]:
    problems: list[str] = []
    level = args.get("level", "")
    adviser = args.get("adviser", "")
    filters = services.SchoolFilters(
        q=args.get("q", "")[:200], tier=args.get("tier", ""), phase=args.get("phase", ""),
        type_name=args.get("type", ""), flags=args.getlist("flag"),
        include_closed=args.get("closed") == "1", sort=args.get("sort", "name"),
        descending=args.get("dir") == "desc",
    )
    if level:
        if level.isdigit() and 1 <= int(level) <= 5:
            filters.level = int(level)
        else:
            problems.append("Level must be a number from 1 to 5")
    if adviser:
        if (adviser_id := id_arg(args, "adviser")) is not None:
            filters.link_adviser_id = adviser_id
        else:
            problems.append("Choose a link adviser from the list")
    return filters, problems


@bp.get("/schools")
@permission_required(can_view_school_list)
def list_schools() -> Any:
    filters, problems = _filters_from_args(request.args)
    per_page = current_app.config["PER_PAGE"]
    page_number = page_arg(request.args)
    query = services.filtered_schools(filters)
    total = services.count_rows(query)
    schools = services.page_of_schools(query, page=page_number, per_page=per_page)
    return render_template(
        "schools/list.html", schools=schools, filters=filters, problems=problems, total=total,
        page=page_number, pages=max((total + per_page - 1) // per_page, 1),
        tiers=services.support_tiers(), advisers=_advisers(), choices=services.filter_choices(),
    )


@bp.get("/schools/<int:urn>")
@login_required
def show_school(urn: int) -> Any:
    school = school_or_404(urn)
    require(can_view_school(current_user, school))
    year = academic_year_for(date.today())
    allocation = services.allocation_for(school, year)
    allocation_chart = school_allocation(school, allocation or services.default_allocation(school, year), year)
    return render_template(
        "schools/show.html", school=school, year=year, allocation_chart=allocation_chart,
        allocation=allocation or services.default_allocation(school, year), allocation_issued=allocation is not None,
        tier_proposal=services.tier_allocation_proposal(school) if can_adjust_allocation(current_user) else None,
        history=services.support_history(school) if can_view_support_history(current_user, school) else [],
        timeline=services.timeline(school, current_user, limit=5),
        summary=case_summary(school, current_user),
        signals=school_signals(school) if can_view_signals(current_user) else None,
    )


@bp.get("/schools/<int:urn>/timeline")
@login_required
def school_timeline(urn: int) -> Any:
    school = school_or_404(urn)
    require(can_view_school(current_user, school))
    kind = request.args.get("kind") if request.args.get("kind") in services.TIMELINE_FILTERS else None
    return render_template("schools/timeline.html", school=school, kind=kind, filters=services.TIMELINE_FILTERS,
                           timeline=services.timeline(school, current_user, limit=200, kind=kind))


@bp.route("/schools/<int:urn>/support", methods=["GET", "POST"])
@permission_required(can_change_support)
def change_support(urn: int) -> Any:
    school = school_or_404(urn)
    tiers = services.support_tiers()
    form = SupportDecisionForm(data=None if request.method == "POST" else {
        "support_tier": school.support_tier, "mcs_level": school.mcs_level,
        "cause_for_concern": school.cause_for_concern or "",
        "flags": [f for f, on in (("vulnerable", school.is_vulnerable),
                                  ("underachievement", school.has_significant_underachievement)) if on],
        "edit_version": school.support_version,
        "evidence": _cited_prompt(school, request.args.get("prompt", type=int)),
    })
    form.set_tiers(tiers)

    def page(status: int = 200) -> Any:
        return render_template("schools/support_form.html", form=form, school=school, tiers=tiers,
                               allocation=services.allocation_for(school, academic_year_for(date.today())),
                               proposals=services.tier_allocation_proposals(school, tiers)), status

    if request.method == "GET":
        return page()

    def done(_decision: Any) -> Any:
        # A new tier part-way through the year: propose the allocation that follows it.
        if services.tier_allocation_proposal(school) is not None:
            return flash_and_redirect("Support decision recorded. The school's allocation for this year was issued "
                                      "for its previous tier: check the allocation proposed for the new tier",
                                      url_for("schools.follow_tier_allocation", urn=urn))
        return flash_and_redirect("Support decision recorded", url_for("schools.show_school", urn=urn))

    return process_form(form, lambda: services.change_support(current_user, school, **form.to_kwargs()),
                        done=done, again=page)


@bp.route("/schools/<int:urn>/allocation/follow-tier", methods=["GET", "POST"])
@permission_required(can_adjust_allocation)
def follow_tier_allocation(urn: int) -> Any:
    school = school_or_404(urn)
    proposal = services.tier_allocation_proposal(school)
    if proposal is None:
        flash("This year's allocation already follows the school's tier (or none has been issued yet)", "info")
        return redirect(url_for("schools.show_school", urn=urn))
    form = TierAllocationForm(data=None if request.method == "POST" else {
        "link_visits": proposal.link_visits, "consultant_days": proposal.days_text})

    def page(status: int = 200) -> Any:
        return render_template("schools/follow_tier_allocation.html", form=form, school=school,
                               proposal=proposal), status

    if request.method == "GET":
        return page()
    return process_form(
        form, lambda: services.follow_tier_allocation(current_user, school, **form.to_kwargs()), again=page,
        done=lambda allocation: flash_and_redirect(
            f"Allocation for {allocation.academic_year} re-issued for {proposal.tier_name}. The allocation letter "
            "now shows it: download it below and send it to the school", url_for("schools.show_school", urn=urn)))


def _cited_prompt(school: School, prompt_id: int | None) -> str:
    """The evidence of a tier-review prompt on this school, cited in the decision form it opened."""
    if prompt_id is None:
        return ""
    from ..evidence.models import TierReviewPrompt

    prompt = db.session.get(TierReviewPrompt, prompt_id)
    if prompt is None or prompt.school_id != school.id:
        return ""
    return f"Risk signal (tier-review prompt {prompt.id}, raised {prompt.raised_at:%d %B %Y}): {prompt.evidence}"


@bp.route("/schools/<int:urn>/link-adviser", methods=["GET", "POST"])
@permission_required(can_assign_link_advisers)
def set_link_adviser(urn: int) -> Any:
    school = school_or_404(urn)
    form = LinkAdviserForm(link_adviser=school.link_adviser_id or 0)
    form.link_adviser.choices = [(0, "No link adviser")] + [(u.id, u.name) for u in _advisers()]

    def page(status: int = 200) -> Any:
        return render_template("schools/link_adviser_form.html", form=form, school=school,
                               history=services.link_adviser_history(school)), status

    if request.method == "GET":
        return page()

    def assign() -> School:
        adviser = db.session.get(User, form.link_adviser.data) if form.link_adviser.data else None
        return services.assign_link_adviser(current_user, school, adviser, reason=form.reason.data or "")

    return process_form(
        form, assign, again=page,
        done=lambda _school: flash_and_redirect("Link adviser saved", url_for("schools.show_school", urn=urn)))


@bp.route("/admin/link-advisers/reassign", methods=["GET", "POST"])
@permission_required(can_assign_link_advisers)
def reassign_schools() -> Any:
    form = ReassignSchoolsForm()
    advisers = _advisers()
    form.adviser.choices = [("", "Choose the adviser who is leaving")] + [(u.id, u.name) for u in advisers]
    form.successor.choices = [("", "Choose who takes over")] + [(u.id, u.name) for u in advisers]

    def page(status: int = 200) -> Any:
        return render_template("schools/reassign.html", form=form), status

    if request.method == "GET":
        return page()
    if not form.is_confirmed:
        # First the list of schools that would move, to confirm; nothing changes yet.
        return process_form(
            form, lambda: services.schools_to_reassign(**form.to_kwargs()), again=page,
            done=lambda schools: render_template("schools/reassign_confirm.html", form=form, schools=schools,
                                                 **form.to_kwargs()))

    def reassign() -> tuple[int, User, User]:
        kwargs = form.to_kwargs()
        return services.reassign_link_adviser_schools(current_user, **kwargs), kwargs["leaving"], kwargs["successor"]

    return process_form(
        form, reassign, again=page,
        done=lambda result: flash_and_redirect(f"{result[0]} schools moved from {result[1].name} to {result[2].name}",
                                               url_for("schools.list_schools", adviser=result[2].id)))


def _year_from_slug(slug: str) -> str:
    year = slug.replace("-", "/")
    try:
        parse_academic_year(year)
    except ValueError:
        abort(404)
    return year


@bp.get("/allocations")
@permission_required(can_view_allocations)
def allocations() -> Any:
    year = request.args.get("year") or academic_year_for(date.today())
    try:
        parse_academic_year(year)
    except ValueError:
        year = academic_year_for(date.today())
    if request.args.get("format") == "csv":
        return csv_response(f"support-allocations-{year.replace('/', '-')}.csv", services.ALLOCATION_CSV_HEADER,
                            lambda: services.allocation_csv_rows(year))
    per_page = current_app.config["PER_PAGE"]
    total = services.count_allocation_rows()
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(page_arg(request.args), pages)
    rows = services.page_of_allocations(year, page=page, per_page=per_page)
    return render_template("schools/allocations.html", rows=rows, year=year, form=IssueAllocationsForm(),
                           total=total, page=page, pages=pages)


@bp.post("/allocations/<year_slug>/issue")
@permission_required(can_adjust_allocation)
def issue_allocations(year_slug: str) -> Any:
    year = _year_from_slug(year_slug)
    form = IssueAllocationsForm()
    if not form.validate_on_submit():
        abort(400)
    created = services.issue_annual_allocations(current_user, year)
    flash(f"{created} allocations issued for {year}" if created else f"Every school already has an allocation for {year}", "success")
    return redirect(url_for("schools.allocations", year=year))


@bp.route("/allocations/<year_slug>/<int:urn>", methods=["GET", "POST"])
@permission_required(can_adjust_allocation)
def adjust_allocation(year_slug: str, urn: int) -> Any:
    year = _year_from_slug(year_slug)
    school = school_or_404(urn)
    current = services.allocation_for(school, year) or services.default_allocation(school, year)
    form = AllocationForm(data=None if request.method == "POST" else {
        "link_visits": current.link_visits, "consultant_days": current.consultant_days})

    def page(status: int = 200) -> Any:
        return render_template("schools/allocation_form.html", form=form, school=school, year=year), status

    if request.method == "GET":
        return page()
    return process_form(
        form, lambda: services.adjust_allocation(current_user, school, year, **form.to_kwargs()), again=page,
        done=lambda _allocation: flash_and_redirect(f"Allocation for {year} saved",
                                                    url_for("schools.show_school", urn=urn)))


@bp.get("/allocations/<year>/<int:urn>/letter.pdf")
@login_required
def allocation_letter(year: str, urn: int) -> Any:
    school = school_or_404(urn)
    allocation = first_or_404(select(SupportAllocation).where(
        SupportAllocation.school_id == school.id, SupportAllocation.academic_year == year.replace("-", "/")))
    require(can_download_allocation_letter(current_user, allocation))
    document = documents.allocation_letter(allocation)
    return pdf_response(PdfDocument(documents.render(document), document["filename"]))


@bp.get("/admin/tiers")
@permission_required(can_administer)
def list_tiers() -> Any:
    return render_template("schools/tiers.html", tiers=services.support_tiers())


@bp.route("/admin/tiers/<code>", methods=["GET", "POST"])
@permission_required(can_administer)
def edit_tier(code: str) -> Any:
    tier = first_or_404(select(SupportTier).where(SupportTier.code == code))
    form = SupportTierForm(obj=tier)

    def page(status: int = 200) -> Any:
        return render_template("schools/tier_form.html", form=form, tier=tier), status

    if request.method == "GET":
        return page()
    return process_form(
        form, lambda: services.update_support_tier(current_user, tier, **form.to_kwargs()), again=page,
        done=lambda _tier: flash_and_redirect(f"{tier.name} saved. Allocations already issued are unchanged.",
                                              url_for("schools.list_tiers")))


@bp.route("/admin/import", methods=["GET", "POST"])
@permission_required(can_import_schools)
def import_schools() -> Any:
    form = GiasUploadForm()
    refused: list[gias.GiasFileError] = []  # the file's problems, line by line, for the page

    def page(status: int = 200) -> Any:
        return render_template("schools/import.html", form=form, report=refused[0] if refused else None,
                               history=gias.recent_imports()), status

    if request.method == "GET":
        return page()

    def import_file() -> gias.ImportSummary:
        try:
            return gias.import_gias(current_user, **form.to_kwargs())
        except gias.GiasFileError as err:
            refused.append(err)
            raise

    return process_form(
        form, import_file, again=page,
        done=lambda summary: flash_and_redirect(summary.message, url_for("schools.import_schools")))


@bp.get("/my-schools")
@login_required
def my_schools() -> Any:
    require(current_user.role == Role.SCHOOL_LEADER or can_view_school_list(current_user))
    return render_template("schools/my_schools.html", schools=current_user.schools)
