"""Fieldwork evidence: lesson observations, discussions and work scrutinies, each with answers
to the key questions and judgements on the review's aspects."""
from __future__ import annotations

from typing import Any

from flask import abort, render_template, request, url_for
from flask_login import current_user, login_required

from ...core.forms import EmptyForm
from ...core.web import flash_and_redirect, get_or_404, process_form, require
from .. import permissions as can
from .. import services
from ..forms import EvidenceForm, evidence_form
from ..models import EVIDENCE_KINDS, FieldworkEvidence, JointReview
from . import bp
from .review import render_review, review_to_view


def _evidence(review: JointReview, evidence_id: int) -> FieldworkEvidence:
    evidence = get_or_404(FieldworkEvidence, evidence_id)
    if evidence.review_id != review.id:
        abort(404)
    return evidence


def _render_form(form: EvidenceForm, review: JointReview, kind: str, evidence: FieldworkEvidence | None,
                 status: int = 200) -> Any:
    return render_template("reviews/evidence_form.html", form=form, review=review, kind=kind,
                           kind_name=EVIDENCE_KINDS[kind], evidence=evidence,
                           open_for_evidence=review.stage in services.EVIDENCE_STAGES), status


def _to_evidence_list(review: JointReview, message: str) -> Any:
    return flash_and_redirect(message, url_for("reviews.show_review", review_id=review.id, _anchor="evidence"))


@bp.route("/reviews/<int:review_id>/evidence/new", methods=["GET", "POST"])
@login_required
def record_evidence(review_id: int) -> Any:
    review = review_to_view(review_id)
    require(can.can_edit_review(current_user, review))
    kind = request.args.get("kind", "")
    if kind not in EVIDENCE_KINDS:
        abort(404)
    form = evidence_form(review, formdata=request.method == "POST")
    if request.method == "GET":
        return _render_form(form, review, kind, None)
    return process_form(form, lambda: services.record_evidence(current_user, review, form.to_data(kind)),
                        done=lambda _evidence: _to_evidence_list(review, f"{EVIDENCE_KINDS[kind]} recorded"),
                        again=lambda status: _render_form(form, review, kind, None, status))


@bp.route("/reviews/<int:review_id>/evidence/<int:evidence_id>/edit", methods=["GET", "POST"])
@login_required
def edit_evidence(review_id: int, evidence_id: int) -> Any:
    review = review_to_view(review_id)
    require(can.can_edit_review(current_user, review))
    evidence = _evidence(review, evidence_id)
    form = evidence_form(review, evidence, formdata=request.method == "POST")
    if request.method == "GET":
        return _render_form(form, review, evidence.kind, evidence)
    return process_form(
        form, lambda: services.update_evidence(current_user, evidence, form.to_data(evidence.kind),
                                               expected_version=form.edit_version.expected),
        done=lambda _evidence: _to_evidence_list(review, f"{evidence.kind_name} saved"),
        again=lambda status: _render_form(form, review, evidence.kind, evidence, status))


@bp.post("/reviews/<int:review_id>/evidence/<int:evidence_id>/delete")
@login_required
def delete_evidence(review_id: int, evidence_id: int) -> Any:
    review = review_to_view(review_id)
    require(can.can_edit_review(current_user, review))
    evidence = _evidence(review, evidence_id)
    form = EmptyForm()
    return process_form(form, lambda: services.delete_evidence(current_user, evidence),
                        done=lambda _none: _to_evidence_list(review, "Evidence deleted"),
                        again=lambda status: render_review(review, status, button_form=form))
