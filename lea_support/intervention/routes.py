"""Statutory intervention's pages: a school's notices and referrals, giving a warning notice (and
its letter), recording compliance or a power used, and referring an academy to the DfE."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user, login_required

from ..core.web import flash_and_redirect, permission_required, process_form, require
from ..pdf import PdfDocument, pdf_response, render_pdf
from ..schools.web import school_or_404
from . import permissions as can
from . import services
from .documents import referral_document, warning_notice_document
from .forms import ComplianceForm, PowerForm, ReferralForm, WarningNoticeForm
from .models import GROUND_NAMES, DfeReferral, WarningNotice

bp = Blueprint("intervention", __name__, template_folder="templates")


def _pdf(document: dict[str, Any]) -> Any:
    pdf = render_pdf(document["template"], title=document["title"], author=document["author"],
                     context={"doc": document["content"]})
    return pdf_response(PdfDocument(pdf, document["filename"]))


@bp.get("/schools/<int:urn>/intervention")
@login_required
def school_intervention(urn: int) -> Any:
    school = school_or_404(urn)
    require(can.can_view_intervention(current_user, school))
    return render_template("intervention/school.html", school=school, **services.school_intervention(school))


# --- warning notices ---------------------------------------------------------------------------------

@bp.route("/schools/<int:urn>/warning-notices/new", methods=["GET", "POST"])
@permission_required(can.can_give_warning_notice)
def give_warning_notice(urn: int) -> Any:
    school = school_or_404(urn)
    form = WarningNoticeForm()

    def page(status: int = 200) -> Any:
        refusal = None if school.is_maintained else services.academy_refusal(school, "a warning notice")
        return render_template("intervention/warning_notice_new.html", form=form, school=school, refusal=refusal,
                               representation_days=services.REPRESENTATION_WORKING_DAYS,
                               representations_by=services.representations_by(date.today())), status

    if request.method == "GET":
        return page()
    return process_form(
        form, lambda: services.give_warning_notice(current_user, school, **form.to_kwargs()),
        done=lambda notice: flash_and_redirect(
            "Warning notice given", url_for("intervention.show_warning_notice", notice_id=notice.id)),
        again=page)


def _notice(notice_id: int, *, letter: bool = False) -> WarningNotice:
    notice = services.load_warning_notice(notice_id)
    if notice is None:
        abort(404)
    require(can.can_read_warning_notice_letter(current_user, notice) if letter
            else can.can_view_warning_notice(current_user, notice))
    return notice


def _render_notice(notice: WarningNotice, status: int = 200, *, compliance_form: ComplianceForm | None = None,
                   power_form: PowerForm | None = None) -> Any:
    if compliance_form is None:
        compliance_form = ComplianceForm(formdata=None, data={"version_id": str(notice.version_id)})
    if power_form is None:
        power_form = PowerForm(formdata=None)
    failed = next((f for f in (compliance_form, power_form) if f.errors), None)
    return render_template("intervention/warning_notice.html", notice=notice, clock=services.notice_clock(notice),
                           ground_names=GROUND_NAMES,
                           compliance_form=compliance_form, power_form=power_form, form=failed), status


@bp.get("/warning-notices/<int:notice_id>")
@login_required
def show_warning_notice(notice_id: int) -> Any:
    return _render_notice(_notice(notice_id))


@bp.get("/warning-notices/<int:notice_id>.pdf")
@login_required
def warning_notice_pdf(notice_id: int) -> Any:
    return _pdf(warning_notice_document(_notice(notice_id, letter=True)))


@bp.post("/warning-notices/<int:notice_id>/compliance")
@login_required
def record_compliance(notice_id: int) -> Any:
    notice = _notice(notice_id)
    require(can.can_record_compliance(current_user, notice))
    form = ComplianceForm()
    return process_form(
        form, lambda: services.record_compliance(current_user, notice, **form.to_kwargs()),
        done=lambda _notice: flash_and_redirect("Compliance recorded",
                                                url_for("intervention.show_warning_notice", notice_id=notice_id)),
        again=lambda status: _render_notice(notice, status, compliance_form=form))


@bp.post("/warning-notices/<int:notice_id>/powers")
@login_required
def record_power(notice_id: int) -> Any:
    notice = _notice(notice_id)
    require(can.can_record_power(current_user, notice))
    form = PowerForm()
    return process_form(
        form, lambda: services.record_power(current_user, notice, **form.to_kwargs()),
        done=lambda power: flash_and_redirect(f"Recorded: {power.power_name}",
                                              url_for("intervention.show_warning_notice", notice_id=notice_id)),
        again=lambda status: _render_notice(notice, status, power_form=form))


# --- academies: referrals to the DfE -----------------------------------------------------------------------

@bp.route("/schools/<int:urn>/referrals/new", methods=["GET", "POST"])
@permission_required(can.can_refer_to_dfe)
def refer_to_dfe(urn: int) -> Any:
    school = school_or_404(urn)
    form = ReferralForm()

    def page(status: int = 200) -> Any:
        return render_template("intervention/referral_new.html", form=form, school=school), status

    if request.method == "GET":
        return page()
    return process_form(
        form, lambda: services.refer_to_dfe(current_user, school, **form.to_kwargs()),
        done=lambda referral: flash_and_redirect(
            "Concern referred to the DfE regional director",
            url_for("intervention.show_referral", referral_id=referral.id)),
        again=page)


def _referral(referral_id: int) -> DfeReferral:
    referral = services.load_referral(referral_id)
    if referral is None:
        abort(404)
    require(can.can_view_referral(current_user, referral))
    return referral


@bp.get("/referrals/<int:referral_id>")
@login_required
def show_referral(referral_id: int) -> Any:
    return render_template("intervention/referral.html", referral=_referral(referral_id))


@bp.get("/referrals/<int:referral_id>.pdf")
@login_required
def referral_pdf(referral_id: int) -> Any:
    return _pdf(referral_document(_referral(referral_id)))
