"""Fieldwork evidence: lesson observations, discussions and work scrutinies, each with answers
to the key questions and judgements on the review's aspects."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ...core.errors import DomainError
from ...core.forms import EmptyForm, apply_domain_error, refuse
from ...core.web import get_or_404, require
from .. import permissions as can
from .. import services
from ..forms import EvidenceForm, evidence_form
from ..models import EVIDENCE_KINDS, FieldworkEvidence, JointReview
from . import bp
from .review import _render_review, _review


def _evidence(review: JointReview, evidence_id: int) -> FieldworkEvidence:
    evidence = get_or_404(FieldworkEvidence, evidence_id)
    if evidence.review_id != review.id:
        abort(404)
    return evidence


def _evidence_data(form: EvidenceForm, kind: str) -> services.EvidenceData:
    return services.EvidenceData(
        kind=kind, occurred_on=form.occurred_on.data, summary=form.summary.data or "",
        year_group=form.year_group.data or "", subject=form.subject.data or "",
        joint_with_school_leader=form.joint_with_school_leader.data == "yes",
        discussion_with=form.discussion_with.data or None,
        answers={q.id: field.data or "" for q, field in form.answer_fields},  # type: ignore[attr-defined]
        judgements={a.id: (grade.data, rationale.data or "")
                    for a, grade, rationale in form.judgement_fields})  # type: ignore[attr-defined]


def _render_form(form: EvidenceForm, review: JointReview, kind: str, evidence: FieldworkEvidence | None,
                 status: int = 422) -> Any:
    return render_template("reviews/evidence_form.html", form=form, review=review, kind=kind,
                           kind_name=EVIDENCE_KINDS[kind], evidence=evidence,
                           open_for_evidence=review.stage in services.EVIDENCE_STAGES), status if form.errors else 200


@bp.route("/reviews/<int:review_id>/evidence/new", methods=["GET", "POST"])
@login_required
def record_evidence(review_id: int) -> Any:
    review = _review(review_id)
    require(can.can_edit_review(current_user, review))
    kind = request.args.get("kind", "")
    if kind not in EVIDENCE_KINDS:
        abort(404)
    form = evidence_form(review, formdata=request.method == "POST")
    if form.validate_on_submit():
        try:
            services.record_evidence(current_user, review, _evidence_data(form, kind))
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            flash(f"{EVIDENCE_KINDS[kind]} recorded", "success")
            return redirect(url_for("reviews.show_review", review_id=review.id, _anchor="evidence"))
        review = _review(review_id)
    return _render_form(form, review, kind, None)


@bp.route("/reviews/<int:review_id>/evidence/<int:evidence_id>/edit", methods=["GET", "POST"])
@login_required
def edit_evidence(review_id: int, evidence_id: int) -> Any:
    review = _review(review_id)
    require(can.can_edit_review(current_user, review))
    evidence = _evidence(review, evidence_id)
    form = evidence_form(review, evidence, formdata=request.method == "POST")
    status = 422
    if form.validate_on_submit():
        try:
            services.update_evidence(current_user, evidence, _evidence_data(form, evidence.kind),
                                     expected_version=form.edit_version.expected)
        except DomainError as err:
            status = refuse(form, err)
        else:
            flash(f"{evidence.kind_name} saved", "success")
            return redirect(url_for("reviews.show_review", review_id=review.id, _anchor="evidence"))
        review = _review(review_id)
        evidence = _evidence(review, evidence_id)
    return _render_form(form, review, evidence.kind, evidence, status)


@bp.post("/reviews/<int:review_id>/evidence/<int:evidence_id>/delete")
@login_required
def delete_evidence(review_id: int, evidence_id: int) -> Any:
    review = _review(review_id)
    require(can.can_edit_review(current_user, review))
    evidence = _evidence(review, evidence_id)
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            services.delete_evidence(current_user, evidence)
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            flash("Evidence deleted", "success")
            return redirect(url_for("reviews.show_review", review_id=review.id, _anchor="evidence"))
    return _render_review(_review(review_id), 422, button_form=form)
