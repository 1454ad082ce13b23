"""The national data upload page and the school profile."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from ..core.web import (
    first_or_404,
    flash_and_redirect,
    flash_refusal_and_redirect,
    page_arg,
    permission_required,
    process_form,
    require,
)
from ..extensions import db
from ..schools.models import School, SupportTier
from ..schools.web import school_or_404
from . import imports, services, signals
from .catalogue import KINDS, MEASURES
from .forms import AcceptPromptForm, DataImportForm, DismissPromptForm, SignalRuleForm
from .models import SignalRule, TierReviewPrompt
from .permissions import (
    can_edit_signal_rules,
    can_import_data,
    can_review_tiers,
    can_view_school_profile,
    can_view_signals,
)

bp = Blueprint("evidence", __name__, template_folder="templates")


@bp.route("/admin/data-imports", methods=["GET", "POST"])
@permission_required(can_import_data)
def import_data() -> Any:
    form = DataImportForm()
    refused: dict[str, Any] = {}

    def action() -> imports.ImportResult:
        try:
            return imports.import_file(current_user, form.to_data())
        except imports.DataFileError as err:
            refused["problems"] = err.problems  # listed under the form; the headline goes on the file field
            raise

    def again(status: int) -> Any:
        return render_template("evidence/import.html", form=form, problems=refused.get("problems", []),
                               history=imports.recent_imports(), kinds=KINDS, measures=MEASURES), status

    if form.is_submitted():
        return process_form(form, action, again=again,
                            done=lambda result: flash_and_redirect(result.message, url_for("evidence.import_data")))
    return again(200)


@bp.get("/schools/<int:urn>/profile")
@login_required
def school_profile(urn: int) -> Any:
    school = school_or_404(urn)
    require(can_view_school_profile(current_user, school))
    shown = signals.school_signals(school) if can_view_signals(current_user) else None
    return render_template("evidence/profile.html", profile=services.school_profile(school), school=school,
                           signals=shown)


# --- risk signal rules (admin) -------------------------------------------------------------------------

@bp.get("/admin/signal-rules")
@permission_required(can_edit_signal_rules)
def signal_rules() -> Any:
    return render_template("evidence/rules.html", rules=signals.list_rules(), kinds=signals.KIND_LABELS)


def _rule_form_page(form: SignalRuleForm, rule: SignalRule | None) -> Any:
    form.min_tier.choices = [("", "Never: show the signal only")] + [
        (t.code, t.name) for t in db.session.scalars(select(SupportTier).order_by(SupportTier.sort_order))]
    preview: dict[str, Any] = {}

    def page(status: int = 200) -> Any:
        return render_template("evidence/rule_form.html", form=form, rule=rule, preview=preview.get("found"),
                               params=signals.KIND_PARAMS, measures=MEASURES), status

    if request.method == "GET":
        return page()
    kind = rule.kind if rule is not None else None
    if form.preview.data:
        # Which schools the rule as typed would flag: nothing is saved.
        def look() -> signals.Preview:
            preview["found"] = signals.preview_rule(form.to_data(kind))
            return preview["found"]
        return process_form(form, look, done=lambda _found: page(), again=page)
    return process_form(
        form, lambda: signals.save_rule(current_user, rule, form.to_data(kind)),
        done=lambda saved: flash_and_redirect(f"Rule saved: {saved.label}. Signals recomputed",
                                              url_for("evidence.signal_rules")),
        again=page)


@bp.route("/admin/signal-rules/new", methods=["GET", "POST"])
@permission_required(can_edit_signal_rules)
def new_signal_rule() -> Any:
    form = SignalRuleForm()
    if request.method == "GET":
        form.active.data = True
    return _rule_form_page(form, None)


@bp.route("/admin/signal-rules/<int:rule_id>", methods=["GET", "POST"])
@permission_required(can_edit_signal_rules)
def edit_signal_rule(rule_id: int) -> Any:
    rule = first_or_404(select(SignalRule).where(SignalRule.id == rule_id))
    form = SignalRuleForm()
    if request.method == "GET":
        form.fill(rule)
    return _rule_form_page(form, rule)


# --- tier-review prompts (SIAs) ------------------------------------------------------------------------

@bp.get("/tier-reviews")
@permission_required(can_review_tiers)
def tier_reviews() -> Any:
    per_page = current_app.config["PER_PAGE"]
    page = page_arg(request.args)
    query = signals.open_prompts_query().subquery()
    total = db.session.scalar(select(func.count()).select_from(query)) or 0
    rows = db.session.execute(select(query).order_by(query.c.raised_at.desc(), query.c.id.desc())
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return render_template("evidence/tier_reviews.html", rows=rows, total=total, page=page, per_page=per_page,
                           accept_form=AcceptPromptForm())


def _prompt_or_404(prompt_id: int) -> TierReviewPrompt:
    return first_or_404(select(TierReviewPrompt).where(TierReviewPrompt.id == prompt_id))


@bp.route("/tier-reviews/<int:prompt_id>", methods=["GET", "POST"])
@permission_required(can_review_tiers)
def show_prompt(prompt_id: int) -> Any:
    """The prompt, the school's signals now, and the dismiss form (POST dismisses)."""
    prompt = _prompt_or_404(prompt_id)
    school = db.session.get(School, prompt.school_id)
    form = DismissPromptForm()

    def page(status: int = 200) -> Any:
        return render_template("evidence/prompt.html", prompt=prompt, school=school, form=form,
                               accept_form=AcceptPromptForm(), signals=signals.school_signals(school)), status

    if request.method == "GET":
        return page()
    return process_form(form, lambda: signals.dismiss_prompt(current_user, prompt, form.reason.data or ""),
                        done=lambda _p: flash_and_redirect("Prompt dismissed: it will not come back for the same "
                                                           "evidence", url_for("evidence.tier_reviews")),
                        again=page)


@bp.post("/tier-reviews/<int:prompt_id>/accept")
@permission_required(can_review_tiers)
def accept_prompt(prompt_id: int) -> Any:
    """Take the prompt up: the support decision form opens with the signal cited as evidence.
    The tier changes only if that decision is recorded."""
    prompt = _prompt_or_404(prompt_id)
    school = db.session.get(School, prompt.school_id)
    form = AcceptPromptForm()
    return process_form(form, lambda: signals.accept_prompt(current_user, prompt),
                        done=lambda _p: redirect(url_for("schools.change_support", urn=school.urn, prompt=prompt.id)),
                        again=lambda _status: flash_refusal_and_redirect(
                            form, url_for("evidence.show_prompt", prompt_id=prompt.id)))
