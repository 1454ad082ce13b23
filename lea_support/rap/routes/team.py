"""The project team of a plan (its members, coordinator and meetings), "my actions", and quick
updates of an action's progress."""
from __future__ import annotations

from datetime import date
from typing import Any, Callable
from urllib.parse import urlsplit

from flask import abort, render_template, request, url_for
from flask_login import current_user, login_required

from ...auth.models import name_and_role
from ...core.forms import EmptyForm
from ...core.terms import format_date
from ...core.web import flash_and_redirect, get_or_404, permission_required, process_form, require
from ...extensions import db
from .. import permissions as can
from .. import services
from ..forms import (
    CoordinatorForm,
    ProgressForm,
    TeamMemberForm,
    meeting_form,
    progress_form,
)
from ..models import (
    ACTION_STATUSES,
    ProjectTeam,
    ProjectTeamMember,
    RaisingAchievementPlan,
)
from . import bp


@bp.app_template_global()
def project_team_for(plan: RaisingAchievementPlan) -> ProjectTeam | None:
    """The plan's project team, for the plan page (None before the plan is first agreed)."""
    return services.team_for_plan(plan)


def _safe_next(value: str | None) -> str | None:
    """A path on this site to go back to, or None (never another site)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    parts = urlsplit(value)
    return value if not parts.scheme and not parts.netloc else None


def _team(plan_id: int) -> tuple[RaisingAchievementPlan, ProjectTeam]:
    plan = get_or_404(RaisingAchievementPlan, plan_id)
    team = services.load_team(plan)
    if team is None:
        abort(404)
    require(can.can_view_team(current_user, team))
    return plan, team


def _render_team(plan: RaisingAchievementPlan, team: ProjectTeam, status: int = 200, **forms: Any) -> Any:
    people = services.team_people(team)
    on_team = {m.user_id for m in services.current_members(team)}
    forms.setdefault("member_form", TeamMemberForm(formdata=None))
    forms["member_form"].user_id.choices = [("", "Choose a person")] + [
        (str(u.id), u.name_and_role) for u in people if u.id not in on_team]
    if "coordinator_form" not in forms:
        forms["coordinator_form"] = CoordinatorForm(formdata=None)
        forms["coordinator_form"].version_id.data = str(team.version_id)
    forms["coordinator_form"].user_id.choices = [("", "Choose a person")] + [
        (str(u.id), u.name_and_role) for u in people if u.is_la_staff and u.id != team.coordinator_id]
    forms.setdefault("button_form", EmptyForm())
    form = next((f for f in forms.values() if f.errors), None)
    return render_template("rap/team.html", plan=plan, team=team, form=form,
                           in_force=services.team_plan_in_force(team), **forms), status


@bp.get("/plans/<int:plan_id>/team")
@login_required
def show_team(plan_id: int) -> Any:
    return _render_team(*_team(plan_id))


def _team_step(plan_id: int, form_name: str, form: Any, action: Callable[[ProjectTeam], Any],
               done: Callable[[Any], str]) -> Any:
    """A change posted from the team page: permission, the form, then the service; a refusal shows
    the team page again with the message and what was typed (409 if someone else got there first)."""
    plan, team = _team(plan_id)
    require(can.can_manage_team(current_user, team))

    def again(status: int) -> Any:
        if status == 409:
            # Read afresh (another request changed the team): choosing again from here is a
            # deliberate choice to make the change anyway.
            db.session.expire_all()
            form.version_id.data = str(team.version_id)
        return _render_team(plan, team, status, **{form_name: form})

    return process_form(
        form, lambda: action(team),
        done=lambda result: flash_and_redirect(done(result), url_for("rap.show_team", plan_id=plan_id)),
        again=again)


@bp.post("/plans/<int:plan_id>/team/members")
@login_required
def add_team_member(plan_id: int) -> Any:
    form = TeamMemberForm()
    return _team_step(plan_id, "member_form", form,
                      lambda team: services.add_team_member(current_user, team, **form.to_kwargs()),
                      lambda member: f"{member.display_name} added to the project team")


@bp.post("/plans/<int:plan_id>/team/members/<int:member_id>/leave")
@login_required
def remove_team_member(plan_id: int, member_id: int) -> Any:
    def leave(team: ProjectTeam) -> str:
        member = get_or_404(ProjectTeamMember, member_id)
        if member.team_id != team.id:
            abort(404)
        name = member.display_name
        removed = services.remove_team_member(current_user, member)
        return f"{name} removed from the project team" if removed else (
            f"{name} has left the project team (they stay in the minutes of the meetings they attended)")

    return _team_step(plan_id, "button_form", EmptyForm(), leave, lambda message: message)


@bp.post("/plans/<int:plan_id>/team/coordinator")
@login_required
def change_coordinator(plan_id: int) -> Any:
    form = CoordinatorForm()
    return _team_step(plan_id, "coordinator_form", form,
                      lambda team: services.change_coordinator(current_user, team, **form.to_kwargs()),
                      lambda team: f"{team.coordinator.name} now coordinates the project team")


# --- meetings ----------------------------------------------------------------------------------------

def _meeting_form(team: ProjectTeam, in_force: RaisingAchievementPlan, *, formdata: bool) -> Any:
    actions = [a for o in in_force.objectives for a in o.actions]
    members = [(m.id, name_and_role(m.display_name, m.role_name)) for m in services.current_members(team)]
    owners = [(str(u.id), u.name_and_role) for u in services.team_people(team)]
    form = meeting_form(actions, members, in_force.objectives, owners, formdata=formdata)
    if not formdata:
        form.plan_id.data = str(in_force.id)
    return form


@bp.route("/plans/<int:plan_id>/team/meetings/new", methods=["GET", "POST"])
@login_required
def record_meeting(plan_id: int) -> Any:
    plan, team = _team(plan_id)
    require(can.can_record_meeting(current_user, team))
    in_force = services.team_plan_in_force(team)
    form = _meeting_form(team, in_force, formdata=request.method == "POST")

    def page(status: int) -> Any:
        return render_template("rap/meeting_form.html", plan=plan, team=team, in_force=in_force, form=form,
                               statuses=ACTION_STATUSES, today=date.today()), status

    if request.method == "GET":
        return page(200)

    def again(status: int) -> Any:
        nonlocal in_force, form
        if status == 409:
            # The plan was amended under the form: it now lists the actions of the version in
            # force; what was typed elsewhere stays.
            db.session.expire_all()
            in_force = services.team_plan_in_force(team)
            form = _rebuild_meeting_form(team, in_force, form)
        return page(status)

    def recorded(meeting: Any) -> Any:
        message = f"Meeting of {format_date(meeting.held_on)} recorded"
        if meeting.amendment_plan_id:
            message += ": its new actions are in the plan as an amendment agreed at the meeting"
        return flash_and_redirect(message, url_for("rap.show_meeting", plan_id=plan_id, meeting_id=meeting.id))

    return process_form(form, lambda: services.record_meeting(current_user, team, form.to_data()),
                        done=recorded, again=again)


def _rebuild_meeting_form(team: ProjectTeam, in_force: RaisingAchievementPlan, posted: Any) -> Any:
    """After the plan was amended under the form: the same meeting details, with status rows for
    the actions of the version now in force (each at its current status)."""
    fresh = _meeting_form(team, in_force, formdata=False)
    for name in ("held_on", "attendee_ids", "minutes", "decisions", "next_meeting_on"):
        fresh[name].data, fresh[name].raw_data = posted[name].data, posted[name].raw_data
    for n, row in enumerate(posted.new_rows):
        for part, field in row.items():
            fresh.new_rows[n][part].data, fresh.new_rows[n][part].raw_data = field.data, field.raw_data
    fresh.form_errors = list(posted.form_errors)
    return fresh


@bp.get("/plans/<int:plan_id>/team/meetings/<int:meeting_id>")
@login_required
def show_meeting(plan_id: int, meeting_id: int) -> Any:
    plan, team = _team(plan_id)
    meeting = services.load_meeting(meeting_id)
    if meeting is None or meeting.team_id != team.id:
        abort(404)
    amendment = get_or_404(RaisingAchievementPlan, meeting.amendment_plan_id) if meeting.amendment_plan_id else None
    return render_template("rap/meeting.html", plan=plan, team=team, meeting=meeting, amendment=amendment,
                           statuses=ACTION_STATUSES)


# --- my actions and quick updates ---------------------------------------------------------------------

@bp.get("/my-actions")
@permission_required(can.can_view_my_actions)
def my_actions() -> Any:
    return render_template("rap/my_actions.html", mine=services.my_actions(current_user),
                           today=date.today(), statuses=ACTION_STATUSES, form=None)


def _render_progress(action: Any, form: ProgressForm, status: int = 200) -> Any:
    plan = action.objective.plan
    team = services.team_for_plan(plan)
    return render_template("rap/team_action.html", action=action, plan=plan, team=team,
                           may_update=can.can_update_action(current_user, action, team), form=form,
                           in_force=services.action_in_force(action) if plan.status == "superseded" else None,
                           history=services.action_history(action), today=date.today(), statuses=ACTION_STATUSES,
                           back=_safe_next(form.next.data) or url_for("rap.show_plan", plan_id=plan.id)), status


@bp.route("/plans/<int:plan_id>/actions/<int:action_id>/progress", methods=["GET", "POST"])
@login_required
def action_progress(plan_id: int, action_id: int) -> Any:
    action = services.load_action(action_id)
    if action is None or action.objective.plan_id != plan_id:
        abort(404)
    require(can.can_view_plan(current_user, action.objective.plan))
    if request.method == "GET":
        return _render_progress(action, progress_form(action, formdata=False,
                                                      next_url=_safe_next(request.args.get("next")) or ""))
    # A form opened before an amendment was agreed is answered as a conflict (below), if its
    # sender may update the action as it is now.
    current = services.action_in_force(action) or action
    require(can.can_update_action(current_user, current, services.team_for_plan(current.objective.plan)))
    form = ProgressForm()

    def again(status: int) -> Any:
        shown = action
        if status == 409:
            # Shown on the action as it is now (in the version in force); saving again from here is
            # a deliberate choice to keep this update.
            db.session.expire_all()
            shown = services.action_in_force(action) or action
            form.version_id.data = str(shown.version_id)
        return _render_progress(shown, form, status)

    return process_form(
        form, lambda: services.update_action_progress(current_user, action, **form.to_kwargs()),
        done=lambda _action: flash_and_redirect(
            f"Action updated: {ACTION_STATUSES[form.status.data or 'not_started'].lower()}",
            _safe_next(form.next.data) or url_for("rap.my_actions")),
        again=again)
