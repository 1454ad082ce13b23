"""The end of a review: the evaluation with the school's leaders, the report draft, publishing,
reopening for a correction, reading the published report and its PDFs, and a school's reviews
side by side."""
from __future__ import annotations

from typing import Any

from flask import abort, render_template, request, url_for
from flask_login import current_user, login_required

from ...auth.permissions import is_la_staff
from ...core.forms import EmptyForm
from ...core.web import (
    flash_and_redirect,
    flash_refusal_and_redirect,
    get_or_404,
    process_form,
    require,
)
from ...pdf import PdfDocument, pdf_response
from ...privacy.reads import record_read
from ...schools.web import school_or_404
from .. import permissions as can
from .. import reporting
from ..charts import judgements_chart
from ..documents import report_filename
from ..models import FINDING_KINDS, JointReview
from ..report_forms import (
    EvaluationForm,
    FindingsForm,
    PublishForm,
    ReopenForm,
    SchoolViewForm,
    posted_id,
)
from . import bp

BLANK_FINDING_ROWS = 2


def _review(review_id: int) -> JointReview:
    # Each route checks its own permission: a published report is read by more people than see the review.
    return get_or_404(JointReview, review_id)


def _grade_choices(review: JointReview) -> list[tuple[str, str]]:
    return [(str(g.grade), f"{g.grade} – {g.label}") for g in review.scale.grades]


# --- evaluation ---------------------------------------------------------------------------------


def _evaluation_form(review: JointReview, rows: list[dict[str, Any]]) -> tuple[EvaluationForm, list[tuple[dict, Any]]]:
    """The form, filled from the stored evaluation (or from what was posted), one part per aspect."""
    if request.method == "POST":
        form = EvaluationForm()
    else:
        form = EvaluationForm(data={"overall_grade": review.overall_grade,
                                    "overall_rationale": review.overall_rationale,
                                    "edit_version": review.evaluation_version})
        for row in rows:
            evaluation = row["evaluation"]
            form.aspects.append_entry({
                "aspect_id": str(row["aspect"].id),
                "proposed_grade": evaluation.proposed_grade if evaluation else None,
                "agreed_grade": evaluation.agreed_grade if evaluation else None,
                "rationale": evaluation.rationale if evaluation else "",
                "school_disagreed": evaluation.school_disagreed if evaluation else False,
                "school_view": evaluation.school_view if evaluation else "",
            })
    for row in rows:
        if row["aspect"].id not in {posted_id(entry.form.aspect_id.data) for entry in form.aspects}:
            form.aspects.append_entry({"aspect_id": str(row["aspect"].id)})
    form.set_grade_choices(_grade_choices(review))
    return form, _pairs(form, rows)


def _pairs(form: EvaluationForm, rows: list[dict[str, Any]]) -> list[tuple[dict, Any]]:
    """Each aspect's row with its part of the form."""
    entries = {posted_id(entry.form.aspect_id.data): entry for entry in form.aspects}
    return [(row, entries[row["aspect"].id]) for row in rows]


@bp.route("/reviews/<int:review_id>/evaluation", methods=["GET", "POST"])
@login_required
def evaluation(review_id: int) -> Any:
    review = _review(review_id)
    require(can.can_see_evaluation(current_user, review) and can.can_view_review(current_user, review))
    if request.method == "POST":
        require(can.can_edit_review(current_user, review))
    form, pairs = _evaluation_form(review, reporting.evaluation_rows(review))

    def page(status: int = 200) -> Any:
        editable = can.can_edit_review(current_user, review) and review.stage in reporting.REPORTING_STAGES
        return render_template("reviews/evaluation.html", review=review, form=form, pairs=pairs, editable=editable,
                               grades=list(reporting.GRADES), share_form=EmptyForm(formdata=None),
                               school_views={v.aspect_id: v for v in review.school_views}), status

    def again(status: int) -> Any:
        nonlocal pairs
        # What was typed stays in the form; the evidence profiles are read again as they are saved.
        pairs = _pairs(form, reporting.evaluation_rows(review))
        return page(status)

    if request.method == "GET":
        return page()
    return process_form(form, lambda: reporting.record_evaluation(current_user, review, **form.to_kwargs()),
                        done=lambda _review: flash_and_redirect("Evaluation saved",
                                                                url_for("reviews.evaluation", review_id=review.id)),
                        again=again)


@bp.post("/reviews/<int:review_id>/share-evaluation")
@login_required
def share_evaluation(review_id: int) -> Any:
    review = _review(review_id)
    require(can.can_share_evaluation(current_user, review))
    form = EmptyForm()
    return process_form(form, lambda: reporting.share_evaluation(current_user, review),
                        done=lambda _review: flash_and_redirect("The evaluation is shared with the school's "
                                                                "participants",
                                                                url_for("reviews.evaluation", review_id=review.id)),
                        again=lambda _status: flash_refusal_and_redirect(
                            form, url_for("reviews.evaluation", review_id=review.id)))


@bp.route("/reviews/<int:review_id>/school-view", methods=["GET", "POST"])
@login_required
def school_view(review_id: int) -> Any:
    """The school's own view of each aspect, recorded by its participants on the review."""
    review = _review(review_id)
    require(can.can_view_review(current_user, review))
    editable = can.can_record_school_view(current_user, review)
    if request.method == "POST":
        require(editable)
    views = {v.aspect_id: v for v in review.school_views}
    if request.method == "POST":
        form = SchoolViewForm()
    else:
        form = SchoolViewForm(formdata=None)
        for aspect in review.framework.aspects:
            view = views.get(aspect.id)
            form.aspects.append_entry({"aspect_id": str(aspect.id), "grade": view.grade if view else None,
                                       "comment": view.comment if view else ""})
    posted = {posted_id(entry.form.aspect_id.data) for entry in form.aspects}
    for aspect in review.framework.aspects:
        if aspect.id not in posted:
            form.aspects.append_entry({"aspect_id": str(aspect.id)})
    form.set_grade_choices(_grade_choices(review))
    entries = {posted_id(entry.form.aspect_id.data): entry for entry in form.aspects}

    def page(status: int = 200) -> Any:
        pairs = [(aspect, entries.get(aspect.id), views.get(aspect.id)) for aspect in review.framework.aspects]
        return render_template("reviews/school_view.html", review=review, form=form, pairs=pairs,
                               editable=editable), status

    if request.method == "GET":
        return page()
    return process_form(form, lambda: reporting.record_school_views(current_user, review, **form.to_kwargs()),
                        done=lambda _views: flash_and_redirect("The school's view is saved",
                                                               url_for("reviews.school_view", review_id=review.id)),
                        again=page)


# --- the report draft and publishing ------------------------------------------------------------


def _findings_form(review: JointReview) -> FindingsForm:
    if request.method == "POST" and request.endpoint == "reviews.report_draft":
        form = FindingsForm()
    else:
        form = FindingsForm(formdata=None, data={"edit_version": review.findings_version})
        for finding in sorted(review.findings, key=lambda f: (f.kind, f.position, f.id)):
            getattr(form, finding.kind).append_entry({"finding_id": str(finding.id), "text": finding.text,
                                                      "aspect_id": finding.aspect_id})
        for kind in FINDING_KINDS:
            for _ in range(BLANK_FINDING_ROWS):
                getattr(form, kind).append_entry()
    form.set_aspect_choices([(str(a.id), a.name) for a in review.framework.aspects])
    return form


def problem_href(review: JointReview, where: str) -> str:
    """Where a problem that stops publishing is fixed."""
    page = url_for("reviews.show_review", review_id=review.id)
    if where == "pre_review":
        return url_for("reviews.pre_review", review_id=review.id)
    if where == "evaluation":
        return url_for("reviews.evaluation", review_id=review.id)
    if where == "findings":
        return url_for("reviews.report_draft", review_id=review.id) + "#findings-form"
    if where == "key_questions":
        return page + "#key-questions"
    if where.startswith("evidence"):
        return page + "#" + where
    return page


def _render_draft(review: JointReview, status: int = 200, *, findings_form: FindingsForm | None = None,
                  publish_form: PublishForm | None = None, form: Any = None) -> Any:
    findings_form = findings_form or _findings_form(review)
    publish_form = publish_form or PublishForm(formdata=None)
    editable = can.can_edit_review(current_user, review) and review.stage in reporting.REPORTING_STAGES
    can_publish = can.can_lead_review(current_user, review) and review.stage == "report_drafted"
    problems = [(p, problem_href(review, p.where)) for p in reporting.publication_problems(review)] \
        if can_publish else []
    refused = [p for p in publish_form.form_errors if isinstance(p, reporting.Problem)]
    if refused:
        # Every problem in the error summary at once, each linked to where it is fixed.
        publish_form.error_links = [(p, problem_href(review, p.where)) for p in refused]
    return render_template("reviews/report_draft.html", review=review, form=form or findings_form,
                           findings_form=findings_form, publish_form=publish_form, editable=editable,
                           can_publish=can_publish, kinds=FINDING_KINDS, problems=problems,
                           has_published=bool(review.reports)), status


@bp.route("/reviews/<int:review_id>/report-draft", methods=["GET", "POST"])
@login_required
def report_draft(review_id: int) -> Any:
    review = _review(review_id)
    require(can.can_edit_review(current_user, review))
    form = _findings_form(review)
    if request.method == "GET":
        return _render_draft(review, findings_form=form)
    return process_form(form, lambda: reporting.save_findings(current_user, review, **form.to_kwargs()),
                        done=lambda _saved: flash_and_redirect("Report draft saved",
                                                               url_for("reviews.report_draft", review_id=review.id)),
                        again=lambda status: _render_draft(review, status, findings_form=form))


@bp.post("/reviews/<int:review_id>/publish")
@login_required
def publish_report(review_id: int) -> Any:
    review = _review(review_id)
    require(can.can_lead_review(current_user, review))
    form = PublishForm()
    return process_form(
        form, lambda: reporting.publish_report(current_user, review, **form.to_kwargs()),
        done=lambda report: flash_and_redirect(f"Report published (version {report.version}). The school's "
                                               "governors can now read it.",
                                               url_for("reviews.show_report", review_id=review.id)),
        again=lambda status: _render_draft(review, status, publish_form=form, form=form))


@bp.post("/reviews/<int:review_id>/reopen")
@login_required
def reopen_review(review_id: int) -> Any:
    review = _review(review_id)
    require(can.can_lead_review(current_user, review))
    form = ReopenForm()
    return process_form(
        form, lambda: reporting.reopen_review(current_user, review, **form.to_kwargs()),
        done=lambda _review: flash_and_redirect("Reopened for a correction. The published report stays as it is "
                                                "until you publish again.",
                                                url_for("reviews.report_draft", review_id=review.id)),
        again=lambda status: _render_report(review, status, reopen_form=form))


# --- reading --------------------------------------------------------------------------------------


def _render_report(review: JointReview, status: int = 200, *, reopen_form: ReopenForm | None = None) -> Any:
    versions = reporting.published_versions(review)
    reopen_form = reopen_form or ReopenForm(formdata=None)
    return render_template("reviews/report.html", review=review, versions=versions,
                           report=versions[-1].content if versions else None, form=reopen_form,
                           can_reopen=can.can_lead_review(current_user, review) and review.stage == "published"), status


@bp.get("/reviews/<int:review_id>/report")
@login_required
def show_report(review_id: int) -> Any:
    review = _review(review_id)
    require(can.can_read_published_report(current_user, review))
    record_read("review_report", review.id)
    return _render_report(review)


@bp.get("/reviews/<int:review_id>/report/<int:version>.pdf")
@login_required
def report_pdf(review_id: int, version: int) -> Any:
    review = _review(review_id)
    require(can.can_read_published_report(current_user, review))
    report = reporting.published_report(review, version)
    if report is None:
        abort(404)
    record_read("review_report", review.id, "download")
    return pdf_response(PdfDocument(report.pdf, report_filename(report.content)))


@bp.get("/schools/<int:urn>/reviews/history")
@login_required
def school_history(urn: int) -> Any:
    school = school_or_404(urn)
    require(can.can_view_school_reviews(current_user, school))
    published_only = not is_la_staff(current_user)
    history = reporting.school_review_history(school, published_only=published_only)
    return render_template("reviews/school_history.html", school=school, published_only=published_only,
                           history=history, judgements_chart=judgements_chart(history, published_only=published_only))
