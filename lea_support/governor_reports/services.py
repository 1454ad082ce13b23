"""Termly governor reports: drafts made from the school's records, checked by the link adviser
(who may add a covering note), published for good and announced to the school's governors, and
re-issued as new versions with a reason. Reading them back, for staff and for governors."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import defer, joinedload, selectinload

from ..auth.models import Role, User, user_schools
from ..core.audit import record_audit
from ..core.errors import DomainError
from ..core.limits import REPORT_NOTE_TEXT, too_long
from ..core.locking import AlreadyChanged, claim_edit, lock_for_update
from ..core.models import utcnow
from ..core.terms import Term, format_date
from ..extensions import db
from ..notifications.services import notify
from ..pdf import PdfBusy, PdfRenderError, RenderedPdf, render_document
from ..schools.models import School
from ..schools.services import record_school_event
from . import charts
from .content import governor_report_content
from .models import GovernorReport, GovernorReportVersion
from .terms import ReportTerm, report_term

GOVERNOR_REPORT_TEMPLATE = "governor_reports/governor_report_pdf.html"
OPEN_STATUSES = ("draft", "checked")
NOTE_MAX = REPORT_NOTE_TEXT


# What the checker is told when the report changed since the page was opened (`EditConflict`).
CHECK_CONFLICT = ("Someone else changed this report since you opened it. Your covering note is still in the "
                  "form: check the report as it is now, then save again.")
PUBLISH_CONFLICT = ("The report changed since you opened it (it was made again or checked with another note): "
                    "read it again before publishing")


def _clean(text: str | None) -> str:
    return (text or "").strip()


# --- making the PDF -------------------------------------------------------------------------------------


def report_charts(content: dict[str, Any]) -> dict[str, Markup | None]:
    """The report's charts, drawn from its data (never stored: the data is)."""
    plan, judgements, history = content.get("plan"), content.get("judgements"), content.get("tier_history") or {}
    tier = None
    if history.get("points") and history.get("start"):
        tier = charts.tier_history(history["points"], start=date.fromisoformat(history["start"]),
                                   end=date.fromisoformat(history["end"]))
    return {"rag": charts.rag_summary(plan["rag_counts"]) if plan else None,
            "judgements": charts.judgement_profile(judgements["aspects"]) if judgements else None,
            "tier": tier}


def render_governor_report(content: dict[str, Any], *, version: int, status: str, reason: str = "",
                           covering_note: str = "", covering_by: str = "",
                           published_on: date | None = None) -> RenderedPdf:
    """The PDF of one version of a report, from its data. A one-page summary that would run over
    a page is refused."""
    from .models import REPORT_STATUSES

    doc = {"version": version, "status": status, "status_text": REPORT_STATUSES[status], "reason": reason,
           "covering_note": covering_note, "covering_by": covering_by,
           "published_on_text": format_date(published_on) if published_on else ""}
    try:
        return render_document(GOVERNOR_REPORT_TEMPLATE, title=content["title"], author=content["author"],
                               context={"report": content, "doc": doc, "charts": report_charts(content)},
                               max_pages=1 if content["layout"] == "summary" else None)
    except PdfBusy:
        raise  # the "busy, try again" page (503), as for every PDF
    except PdfRenderError as err:
        raise DomainError(f"The report's PDF could not be made: {err}") from err


def report_filename(report: GovernorReport, version: GovernorReportVersion) -> str:
    return f"governor-report-{report.school.urn}-{report.term}-v{version.version}.pdf"


def _store_pdf(version: GovernorReportVersion, rendered: RenderedPdf) -> None:
    version.pdf = rendered.data
    version.pdf_sha256 = hashlib.sha256(rendered.data).hexdigest()
    version.pdf_pages = rendered.pages


# --- drafts ----------------------------------------------------------------------------------------------


def report_for(school: School, term: str) -> GovernorReport | None:
    return db.session.scalars(select(GovernorReport).where(
        GovernorReport.school_id == school.id, GovernorReport.term == term)).first()


def latest_version(report: GovernorReport | None) -> GovernorReportVersion | None:
    if report is None:
        return None
    return db.session.scalars(select(GovernorReportVersion).options(defer(GovernorReportVersion.pdf))
                              .where(GovernorReportVersion.report_id == report.id)
                              .order_by(GovernorReportVersion.version.desc())).first()


@dataclass
class PreparedDraft:
    """A draft worked out and rendered, not yet saved: bulk generation renders outside any
    transaction (SQLite lets one writer in at a time) and saves in a short one."""

    school_id: int
    term: ReportTerm
    version: int
    reason: str
    replaces_id: int | None  # the open draft this one takes the place of
    content: dict[str, Any]
    rendered: RenderedPdf | None = None

    def render(self) -> RenderedPdf:
        if self.rendered is None:
            self.rendered = render_governor_report(self.content, version=self.version, status="draft",
                                                   reason=self.reason)
        return self.rendered


def prepare_draft(school: School, term: ReportTerm | str, *, reason: str | None = None,
                  today: date | None = None, render: bool = True) -> PreparedDraft:
    """Work out a draft of the school's report for the term and (unless `render` is False) make its
    PDF; reads only. A published report is only drafted again as a re-issue, with a reason."""
    term = report_term(term) if isinstance(term, str) else term
    latest = latest_version(report_for(school, term.code))
    replaces = None
    if latest is None:
        version, reason = 1, ""
    elif latest.status in OPEN_STATUSES:
        version, reason, replaces = latest.version, latest.reason, latest.id
    elif reason is None:
        raise DomainError(f"The {term.name.lower()} report is published (version {latest.version}): re-issue it, "
                          "with the reason, to make a new version", field="term")
    else:
        version = latest.version + 1
    prepared = PreparedDraft(school.id, term, version, reason, replaces, governor_report_content(school, term, today=today))
    if render:
        prepared.render()
    return prepared


def store_draft(actor: User | None, school: School, prepared: PreparedDraft) -> GovernorReportVersion:
    """Save a prepared draft: as a new version, or in place of the draft being worked on (which then
    needs checking again; its covering note is kept)."""
    generated_by_id = actor.id if actor else None
    rendered = prepared.render()
    lock_for_update(school)
    term = prepared.term
    report = report_for(school, term.code)
    if report is None:
        report = GovernorReport(school_id=school.id, term=term.code, academic_year=term.academic_year)
        db.session.add(report)
        db.session.flush()
    latest = latest_version(report)
    expected = (latest.version, latest.id if latest.status in OPEN_STATUSES else None) if latest else (None, None)
    if prepared.replaces_id is not None:
        if expected != (prepared.version, prepared.replaces_id):
            raise DomainError("The report changed while its draft was being made: make the draft again")
        draft = db.session.get(GovernorReportVersion, prepared.replaces_id)
        assert draft is not None
        before = {"version": draft.version, "status": draft.status, "pdf_sha256": draft.pdf_sha256}
        claim_edit(draft, None, "report", column="version_id")  # a page opened before this can no longer check it
        draft.status, draft.checked_at, draft.checked_by_id = "draft", None, None
    else:
        if (latest.version if latest else 0) != prepared.version - 1 or expected[1] is not None:
            raise DomainError("The report changed while its draft was being made: make the draft again")
        draft = GovernorReportVersion(report_id=report.id, version=prepared.version, reason=prepared.reason,
                                      status="draft")
        before = None
    draft.layout = prepared.content["layout"]
    draft.content = prepared.content
    draft.generated_at, draft.generated_by_id = utcnow(), generated_by_id
    _store_pdf(draft, rendered)
    db.session.add(draft)
    db.session.flush()
    record_audit(actor, "governor_report.draft", "governor_report", report.id, school_id=school.id, before=before,
                 after={"term": term.code, "version": draft.version, "pdf_sha256": draft.pdf_sha256,
                        "reason": draft.reason})
    return draft


def generate_draft(actor: User | None, school: School, term: str, *, today: date | None = None) -> GovernorReportVersion:
    """Make the term's draft report for the school from its records (or make the open draft again)."""
    return store_draft(actor, school, prepare_draft(school, term, today=today))


def reissue_report(actor: User, report: GovernorReport, *, reason: str, today: date | None = None) -> GovernorReportVersion:
    """Start a re-issue of a published report: a new draft version, made from the records as they are
    now, with the reason. The published version stays as it is."""
    reason = _clean(reason)
    latest = latest_version(report)
    if latest is None or latest.status != "published":
        raise DomainError("Only a published report can be re-issued: check and publish the draft instead")
    if not reason:
        raise DomainError("Give the reason for re-issuing the report", field="reason")
    if len(reason) > NOTE_MAX:
        raise DomainError(too_long("The reason", NOTE_MAX), field="reason")
    draft = store_draft(actor, report.school, prepare_draft(report.school, report.term, reason=reason, today=today))
    record_school_event(report.school, "governor_report_reissue",
                        f"Report to governors for the {Term.parse(report.term).name.lower()} being re-issued: {reason}", actor,
                        audience="la")  # a draft is the LA's work until it is published
    return draft


# --- checking and publishing ------------------------------------------------------------------------------


def _refuse_published(version: GovernorReportVersion) -> None:
    if version.status == "published":
        raise DomainError(f"Version {version.version} is published and never changes: re-issue the report to "
                          "correct it")


# What the adviser is told when a section of the report is empty and must be written or confirmed first.
CELEBRATING_NEEDED = ("Write what governors can celebrate this term: the school's records show no completed actions "
                      "or other milestones, and the report must not go out with an empty \u201cCelebrating "
                      "progress\u201d")
NO_VISITS_NEEDED = ("Confirm that no link adviser visit was made this term (or record the visit and make the draft "
                    "again): the report says \u201cVisits this term: 0\u201d")


def sections_to_confirm(content: dict[str, Any]) -> dict[str, bool]:
    """The sections the link adviser must write or confirm before the report can be published: an
    empty "Celebrating progress" (a light-touch school's says it continues in the lightest support)
    and no visits this term."""
    support = content.get("support") or {}
    return {"celebrating": (content.get("celebrating") or {}).get("count", 0) == 0
            and support.get("tier_code") != "light_touch",
            "visits": support.get("visits_count", 0) == 0}


def publication_blockers(content: dict[str, Any]) -> list[str]:
    """Why a report made from `content` cannot be published yet (nothing when it can)."""
    needs, adviser = sections_to_confirm(content), content.get("adviser") or {}
    blockers = []
    if needs["celebrating"] and not _clean(adviser.get("celebrating")):
        blockers.append(CELEBRATING_NEEDED)
    if needs["visits"] and not adviser.get("no_visits_confirmed"):
        blockers.append(NO_VISITS_NEEDED)
    return blockers


def check_report(actor: User, version: GovernorReportVersion, *, covering_note: str,
                 expected_version: int | None, celebrating: str = "",
                 no_visits_confirmed: bool = False) -> GovernorReportVersion:
    """The link adviser checks the draft, with an optional covering note (shown in the PDF, which is
    made again with it), writing "Celebrating progress" where the records left it empty and confirming
    a term with no visits. Checking again changes the note."""
    _refuse_published(version)
    claim_edit(version, expected_version, "report", column="version_id", message=CHECK_CONFLICT)
    note = _clean(covering_note)
    if len(note) > NOTE_MAX:
        raise DomainError(too_long("The covering note", NOTE_MAX), field="covering_note")
    needs = sections_to_confirm(version.content)
    adviser = {"celebrating": _clean(celebrating) if needs["celebrating"] else "",
               "no_visits_confirmed": bool(no_visits_confirmed) if needs["visits"] else False}
    if len(adviser["celebrating"]) > NOTE_MAX:
        raise DomainError(too_long("What governors can celebrate", NOTE_MAX), field="celebrating")
    content = {**version.content, "adviser": adviser}
    blockers = publication_blockers(content)
    if blockers:
        raise DomainError(blockers[0], field="celebrating" if blockers[0] == CELEBRATING_NEEDED
                          else "no_visits_confirmed")
    before = {"status": version.status, "covering_note": version.covering_note}
    rendered = render_governor_report(content, version=version.version, status="checked",
                                      reason=version.reason, covering_note=note, covering_by=actor.name)
    version.content = content
    version.status, version.covering_note = "checked", note
    version.checked_at, version.checked_by_id = utcnow(), actor.id
    _store_pdf(version, rendered)
    db.session.flush()
    report = version.report
    record_audit(actor, "governor_report.check", "governor_report", report.id, school_id=report.school_id,
                 before=before, after={"version": version.version, "status": "checked", "covering_note": note,
                                       **{k: v for k, v in adviser.items() if v}, "pdf_sha256": version.pdf_sha256})
    return version


def check_open_version(actor: User, report: GovernorReport, *, covering_note: str,
                       expected_version: int | None, celebrating: str = "",
                       no_visits_confirmed: bool = False) -> GovernorReportVersion:
    """Check the report's open draft (the check form's way in)."""
    current = open_version(report)
    if current is None:
        raise DomainError("There is no draft to check: re-issue the report to start a new version")
    return check_report(actor, current, covering_note=covering_note, expected_version=expected_version,
                        celebrating=celebrating, no_visits_confirmed=no_visits_confirmed)


def _already_published(version: GovernorReportVersion) -> AlreadyChanged:
    return AlreadyChanged(f"Version {version.version} has already been published and never changes: reload the "
                          "page to see it")


def publish_open_version(actor: User, report: GovernorReport, *, expected_version: int | None) -> GovernorReportVersion:
    """Publish the report's checked draft (the publish form's way in); a second click, once the
    first has published, is told so."""
    current = open_version(report)
    if current is None:
        latest = latest_version(report)
        if latest is not None and latest.status == "published":
            raise _already_published(latest)
        raise DomainError("There is no checked draft to publish")
    return publish_report(actor, current, expected_version=expected_version)


def publish_report(actor: User, version: GovernorReportVersion, *, expected_version: int | None = None,
                   today: date | None = None) -> GovernorReportVersion:
    """Publish a checked report: its PDF made for the last time and stored with its SHA-256, who
    published it and when. From then on it never changes. The school's governors are told by e-mail."""
    report = version.report
    lock_for_update(report.school)  # a second click waits here (as do drafts of the school's reports)
    db.session.refresh(version, ["status", "version_id"])
    if version.status == "published":
        raise _already_published(version)
    claim_edit(version, expected_version, "report", column="version_id", message=PUBLISH_CONFLICT)
    if version.status != "checked":
        raise DomainError("The link adviser checks the draft before it is published")
    blockers = publication_blockers(version.content)
    if blockers:  # a report checked before the rule, or content changed under it
        raise DomainError(blockers[0] + ": the link adviser checks the report again first")
    checker = version.checked_by.name if version.checked_by else ""
    rendered = render_governor_report(version.content, version=version.version, status="published",
                                      reason=version.reason, covering_note=version.covering_note,
                                      covering_by=checker, published_on=today or date.today())
    version.status, version.published_at, version.published_by_id = "published", utcnow(), actor.id
    _store_pdf(version, rendered)
    db.session.flush()
    record_audit(actor, "governor_report.publish", "governor_report", report.id, school_id=report.school_id,
                 after={"term": report.term, "version": version.version, "pdf_sha256": version.pdf_sha256,
                        "reason": version.reason})
    what = f"Report to governors for the {Term.parse(report.term).name.lower()} published"
    if version.version > 1:
        what += f" (version {version.version}, re-issued: {version.reason})"
    # The re-issue reason is printed on the published report itself.
    record_school_event(report.school, "governor_report_published", what, actor, audience="governors")
    notify_governors(report, version)
    return version


def school_governors(school: School) -> list[User]:
    return list(db.session.scalars(
        select(User).join(user_schools, user_schools.c.user_id == User.id)
        .where(user_schools.c.school_id == school.id, User.role == Role.GOVERNOR, User.is_disabled.is_(False))
        .order_by(User.id)))


def notify_governors(report: GovernorReport, version: GovernorReportVersion) -> int:
    """Tell each of the school's governors (a notification each, e-mailed as each chose) once the
    publication is saved."""
    school, term = report.school, Term.parse(report.term).name
    reissue = (f"\nThis is version {version.version}, re-issued because: {version.reason}\n"
               if version.version > 1 else "")
    governors = school_governors(school)
    notify(governors, "governor_report", f"Report to governors published: {school.name}, {term}",
           f"The termly report to governors on {school.name} (URN {school.urn}) for the {term.lower()} has been "
           f"published by the {version.content['author']}.\n{reissue}",
           f"/governor/schools/{school.urn}", about=("governor_report_version", version.id),
           key=f"governor_report:{version.id}", action="read and download it")
    return len(governors)


# --- reading ---------------------------------------------------------------------------------------------


def _versions_options() -> Any:
    return (selectinload(GovernorReport.versions).options(
        defer(GovernorReportVersion.pdf), joinedload(GovernorReportVersion.generated_by),
        joinedload(GovernorReportVersion.checked_by), joinedload(GovernorReportVersion.published_by)))


def load_report(report_id: int) -> GovernorReport | None:
    """A report with its versions (not their PDFs) and who made, checked and published them."""
    return db.session.scalars(select(GovernorReport).where(GovernorReport.id == report_id)
                              .options(_versions_options())).first()


def reports_for_school(school: School) -> list[GovernorReport]:
    """The school's reports, newest term first, with their versions (not their PDFs)."""
    reports = list(db.session.scalars(select(GovernorReport).where(GovernorReport.school_id == school.id)
                                      .options(_versions_options())))
    return sorted(reports, key=lambda r: Term.parse(r.term), reverse=True)


def version_with_pdf(report: GovernorReport, number: int) -> GovernorReportVersion | None:
    return db.session.scalars(select(GovernorReportVersion).where(
        GovernorReportVersion.report_id == report.id, GovernorReportVersion.version == number)).first()


def open_version(report: GovernorReport) -> GovernorReportVersion | None:
    return next((v for v in report.versions if v.status in OPEN_STATUSES), None)


def published_reports_for_schools(school_ids: list[int] | set[int]) -> dict[int, list[dict[str, Any]]]:
    """Each school's published reports, newest term first, every published version of each, as plain
    data for the governors' pages (one query, no PDFs read)."""
    rows = db.session.execute(
        select(GovernorReport.id, GovernorReport.school_id, GovernorReport.term, GovernorReportVersion.version,
               GovernorReportVersion.published_at, GovernorReportVersion.reason, GovernorReportVersion.pdf_pages)
        .join(GovernorReportVersion, GovernorReportVersion.report_id == GovernorReport.id)
        .where(GovernorReport.school_id.in_(list(school_ids)), GovernorReportVersion.status == "published")
        .order_by(GovernorReportVersion.version)).all() if school_ids else []
    found: dict[int, dict[int, dict[str, Any]]] = {}
    for report_id, school_id, term, version, published_at, reason, pages in rows:
        entry = found.setdefault(school_id, {}).setdefault(report_id, {
            "report_id": report_id, "term": term, "term_name": Term.parse(term).name, "versions": []})
        entry["versions"].append({"version": version, "published_at_text": format_date(published_at, "datetime"),
                                  "reason": reason, "pages": pages})
    return {school_id: sorted(reports.values(), key=lambda r: Term.parse(r["term"]), reverse=True)
            for school_id, reports in found.items()}


@dataclass
class TermRow:
    school: School
    report_id: int | None
    version: int | None
    status: str | None
    published_versions: int


def term_overview(term: str, *, page: int, per_page: int, status: str = "") -> tuple[list[TermRow], int]:
    """Every open school with the state of its report for the term (latest version), a page at a
    time, in a fixed number of queries; and how many schools match."""
    latest = (select(GovernorReportVersion.report_id, func.max(GovernorReportVersion.version).label("v"),
                     func.sum(func.cast(GovernorReportVersion.status == "published", db.Integer)).label("published"))
              .group_by(GovernorReportVersion.report_id).subquery())
    query = (select(School, GovernorReport.id, latest.c.v, GovernorReportVersion.status, latest.c.published)
             .outerjoin(GovernorReport, (GovernorReport.school_id == School.id) & (GovernorReport.term == term))
             .outerjoin(latest, latest.c.report_id == GovernorReport.id)
             .outerjoin(GovernorReportVersion, (GovernorReportVersion.report_id == GovernorReport.id)
                        & (GovernorReportVersion.version == latest.c.v))
             .where(School.status != "Closed"))
    if status == "none":
        query = query.where(GovernorReport.id.is_(None))
    elif status:
        query = query.where(GovernorReportVersion.status == status)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.execute(query.order_by(School.name, School.id).limit(per_page).offset((page - 1) * per_page))
    return [TermRow(school, rid, v, st, int(pub or 0)) for school, rid, v, st, pub in rows], total


# --- what governors read of their school's support ----------------------------------------------------


@dataclass
class GovernorDocuments:
    """The school's documents a governor reads, read-only: its agreed plan (for the summary), the
    notices issued to it and its allocation letters."""

    plan: Any
    improvement_notices: list[Any]
    warning_notices: list[Any]
    allocations: list[Any]


def governor_documents(school: School) -> GovernorDocuments:
    """What the school's governors may read of its support, a fixed number of queries."""
    from ..intervention.models import WarningNotice
    from ..rap.models import ImprovementNotice
    from ..schools.models import SupportAllocation

    return GovernorDocuments(
        plan=agreed_plan_summary(school),
        improvement_notices=list(db.session.scalars(
            select(ImprovementNotice).where(ImprovementNotice.school_id == school.id)
            .order_by(ImprovementNotice.issued_on.desc(), ImprovementNotice.id.desc()))),
        warning_notices=list(db.session.scalars(
            select(WarningNotice).where(WarningNotice.school_id == school.id)
            .order_by(WarningNotice.issued_on.desc(), WarningNotice.id.desc()))),
        allocations=list(db.session.scalars(
            select(SupportAllocation).where(SupportAllocation.school_id == school.id)
            .order_by(SupportAllocation.academic_year.desc()))))


def agreed_plan_summary(school: School, today: date | None = None) -> dict[str, Any] | None:
    """The school's agreed Raising Achievement Plan in force, as a summary for its governors: each
    objective with its success criteria and the RAG status of its actions (never a draft)."""
    from ..rap.models import PlanObjective, RaisingAchievementPlan, rag_status

    today = today or date.today()
    plan = db.session.scalars(
        select(RaisingAchievementPlan)
        .where(RaisingAchievementPlan.school_id == school.id, RaisingAchievementPlan.status == "agreed")
        .options(selectinload(RaisingAchievementPlan.objectives).selectinload(PlanObjective.criteria),
                 selectinload(RaisingAchievementPlan.objectives).selectinload(PlanObjective.actions))
        .order_by(RaisingAchievementPlan.id.desc()).limit(1)).first()
    if plan is None:
        return None
    objectives = []
    for objective in plan.objectives:
        rag: dict[str, int] = {}
        for action in objective.actions:
            status = rag_status(action.status, action.starts_on, action.due_on, today)
            rag[status] = rag.get(status, 0) + 1
        objectives.append({"text": objective.text, "rag": rag, "criteria": [
            {"measure": c.measure, "baseline": c.baseline, "target": c.target, "by_when": c.by_when,
             "actual": c.actual, "met": c.met} for c in objective.criteria]})
    return {"version": plan.version, "agreed_on": plan.agreed_on, "objectives": objectives}
