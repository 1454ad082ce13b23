"""Stage 3, providing support: the project team, its members and meetings, and updates to the
plan's actions (at a meeting, or one at a time from "my actions")."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from ...auth.models import LA_ROLES, Role, User
from ...casework.models import AgreedAction
from ...casework.services import agreed_actions_owned_by
from ...core.audit import record_audit
from ...core.errors import DomainError
from ...core.limits import LONG_TEXT, MAX_PROJECT_TEAM, SHORT_TEXT, too_long
from ...core.locking import EditConflict, claim_edit, lock_for_update
from ...core.models import utcnow
from ...core.terms import format_date
from ...extensions import db
from ...notifications.services import notify, team_accounts
from ...schools.models import School
from ...schools.services import record_school_event
from ..models import (
    ACTION_STATUSES,
    TEAM_ROLES,
    ActionUpdate,
    PlanAction,
    PlanObjective,
    ProjectTeam,
    ProjectTeamMember,
    RaisingAchievementPlan,
    TeamMeeting,
    meeting_attendance,
)
from ..permissions import viewable_plans
from .agreement import agree_plan
from .plans import ActionData, add_action, amend_plan, plan_versions

# What a stale save is told (core.locking.EditConflict), in this stage's words.
ACTION_CHANGED = ("Someone else updated this action since you opened it. Your update is still in the form: check "
                  "the action's current status, then save again to keep yours.")
ACTION_MOVED = ("The plan was amended since you opened this page, so this action has moved to the version now in "
                "force. Your update is still in the form: open the action on the plan in force and save it there.")
TEAM_CHANGED = ("Someone else changed this project team since you opened the page. Check who coordinates it now, "
                "then choose again to keep your change.")
PLAN_AMENDED = ("The plan was amended since you opened this form, so its actions have changed. Everything you typed "
                "is still here: check the status updates against the plan now in force, then save the meeting again.")


def _plan_amended(plan: RaisingAchievementPlan) -> EditConflict:
    """The plan was amended after the meeting form was opened, so its actions are not the ones shown."""
    return EditConflict(plan, "plan", column="version_id", message=PLAN_AMENDED)


def _clean(text: str | None) -> str:
    return (text or "").strip()


# --- the team and its members ---------------------------------------------------------------------

def team_for_plan(plan: RaisingAchievementPlan) -> ProjectTeam | None:
    return db.session.scalars(select(ProjectTeam).where(ProjectTeam.plan_id == plan.series_id)).one_or_none()


def load_team(plan: RaisingAchievementPlan) -> ProjectTeam | None:
    """The project team of a plan's series (any version), with its members, coordinator and
    meetings, in a fixed number of queries."""
    return db.session.scalars(select(ProjectTeam).where(ProjectTeam.plan_id == plan.series_id).options(
        joinedload(ProjectTeam.plan), joinedload(ProjectTeam.coordinator), joinedload(ProjectTeam.handed_over_from),
        selectinload(ProjectTeam.members),
        selectinload(ProjectTeam.meetings).joinedload(TeamMeeting.recorded_by),
        selectinload(ProjectTeam.meetings).selectinload(TeamMeeting.attendees),
    )).unique().one_or_none()


def team_plan_in_force(team: ProjectTeam) -> RaisingAchievementPlan:
    """The agreed version of the team's plan (older agreed versions are superseded), with its
    objectives and actions."""
    series = team.plan_id
    return db.session.scalars(select(RaisingAchievementPlan).where(
        or_(RaisingAchievementPlan.id == series, RaisingAchievementPlan.root_id == series),
        RaisingAchievementPlan.status == "agreed").options(
        selectinload(RaisingAchievementPlan.objectives).selectinload(PlanObjective.actions)
        .joinedload(PlanAction.owner))).one()


def current_members(team: ProjectTeam) -> list[ProjectTeamMember]:
    return [m for m in team.members if m.left_on is None]


def team_people(team: ProjectTeam) -> list[User]:
    """Active users who may be on the team or own its plan's actions: LA staff and the school's own
    leaders, by name."""
    return list(db.session.scalars(select(User).where(
        User.is_disabled.is_(False),
        or_(User.role.in_(LA_ROLES),
            and_(User.role == Role.SCHOOL_LEADER, User.schools.any(School.id == team.school_id))))
        .order_by(User.name)))


def team_candidates(team: ProjectTeam) -> list[User]:
    """The people who could join the team: `team_people` not already current members."""
    on_team = {m.user_id for m in current_members(team) if m.user_id}
    return [u for u in team_people(team) if u.id not in on_team]


def _member_audit(member: ProjectTeamMember) -> dict[str, object]:
    return {"member_id": member.id, "user_id": member.user_id, "name": member.name, "team_role": member.team_role,
            "joined_on": member.joined_on, "left_on": member.left_on}


def add_team_member(actor: User, team: ProjectTeam, *, user_id: int | None, name: str = "", team_role: str,
                    on: date | None = None) -> ProjectTeamMember:
    """Add someone to the project team: a user of the service, or a person named without an account.
    Someone who left and comes back rejoins (their attendance at past meetings is kept)."""
    on = on or date.today()
    name = _clean(name)
    if team_role not in TEAM_ROLES:
        raise DomainError("Choose the person's role on the team", field="team_role")
    if user_id and name:
        raise DomainError("Choose a person or type the name of someone without an account, not both", field="name")
    if not user_id and not name:
        raise DomainError("Choose a person, or type the name of someone without an account", field="user_id")
    member: ProjectTeamMember | None = None
    if user_id:
        user = db.session.get(User, user_id)
        if user is None or not user.is_active:
            raise DomainError("Choose an active person", field="user_id")
        if not (user.is_la_staff or (user.role == Role.SCHOOL_LEADER and team.school_id in user.school_ids)):
            raise DomainError("Choose a member of LA staff or one of the school's leaders; add anyone else by name",
                              field="user_id")
        member = next((m for m in team.members if m.user_id == user.id), None)
        if member is not None and member.left_on is None:
            raise DomainError(f"{user.name} is already on the team", field="user_id")
    elif any(m.user_id is None and m.name.lower() == name.lower() and m.left_on is None for m in team.members):
        raise DomainError(f"{name} is already on the team", field="name")
    if len(name) > SHORT_TEXT:
        raise DomainError(too_long("The name", SHORT_TEXT), field="name")
    if member is None and len(current_members(team)) >= MAX_PROJECT_TEAM:
        raise DomainError(f"A project team can have up to {MAX_PROJECT_TEAM} members: record someone who has left "
                          "as leaving first", field="user_id" if user_id else "name")
    if member is not None:  # rejoining: the same row, so past attendance stays theirs
        member.team_role, member.joined_on, member.left_on = team_role, on, None
    else:
        member = ProjectTeamMember(user_id=user_id or None, name=name, team_role=team_role, joined_on=on)
        team.members.append(member)
    db.session.flush()
    record_audit(actor, "project_team.member.add", "project_team", team.id, school_id=team.school_id,
                 after=_member_audit(member))
    return member


def _attended(member: ProjectTeamMember) -> bool:
    return db.session.scalar(select(func.count()).select_from(meeting_attendance).where(
        meeting_attendance.c.member_id == member.id)) > 0


def remove_team_member(actor: User, member: ProjectTeamMember, *, on: date | None = None) -> bool:
    """Take someone off the team. Someone who attended meetings is marked as having left on that
    date (the minutes still name them); anyone else is removed. Returns True if they were removed."""
    team = member.team
    on = on or date.today()
    if member.left_on is not None:
        raise DomainError(f"{member.display_name} has already left the team")
    if member.user_id is not None and member.user_id == team.coordinator_id:
        raise DomainError(f"{member.display_name} coordinates the team: choose a new coordinator first")
    before = _member_audit(member)
    removed = not _attended(member)
    if removed:
        team.members.remove(member)
    else:
        member.left_on = max(on, member.joined_on)
    db.session.flush()
    record_audit(actor, "project_team.member.remove" if removed else "project_team.member.leave", "project_team",
                 team.id, school_id=team.school_id, before=before,
                 after=None if removed else _member_audit(member))
    return removed


def change_coordinator(actor: User, team: ProjectTeam, *, user_id: int | None,
                       expected_version: int | None = None) -> ProjectTeam:
    """Hand the lead of the team to someone else on the LA's staff: the handover is recorded (who
    from, when) and they join the team if they are not on it. Refuses with EditConflict if someone
    else changed the team after this copy was opened."""
    claim_edit(team, expected_version, "project team", column="version_id", message=TEAM_CHANGED)
    person = db.session.get(User, user_id) if user_id else None
    if person is None or not person.is_active or not person.is_la_staff:
        raise DomainError("Choose the member of LA staff who will coordinate the team (normally the school's "
                          "link adviser)", field="user_id")
    if person.id == team.coordinator_id:
        raise DomainError(f"{person.name} already coordinates the team", field="user_id")
    before = {"coordinator_id": team.coordinator_id, "handed_over_from_id": team.handed_over_from_id}
    # With no coordinator yet, the lead was still with whoever had it (the SIA who drafted the plan).
    from_whom = team.coordinator or team.handed_over_from
    team.handed_over_from, team.coordinator, team.handed_over_at = from_whom, person, utcnow()
    member = next((m for m in team.members if m.user_id == person.id), None)
    if member is None:
        team.members.append(ProjectTeamMember(user_id=person.id, team_role="link_adviser", joined_on=date.today()))
    elif member.left_on is not None:
        member.left_on, member.joined_on = None, date.today()
    db.session.flush()
    record_audit(actor, "project_team.handover", "project_team", team.id, school_id=team.school_id, before=before,
                 after={"coordinator_id": team.coordinator_id, "handed_over_from_id": team.handed_over_from_id})
    summary = f"Project team: {person.name} took the lead" + (f" over from {from_whom.name}" if from_whom else "")
    record_school_event(team.school, "project_team_handover", summary, actor, audience="school")
    return team


# --- meetings --------------------------------------------------------------------------------------

@dataclass
class ProgressChange:
    """A status (and optional note) for one action of the plan in force, as set at a meeting."""

    action_id: int
    status: str
    note: str = ""


@dataclass
class NewAction:
    """A new action agreed at a meeting (row 1 to 3 of the form); blank rows are ignored."""

    row: int
    objective_id: int | None
    action: ActionData

    @property
    def is_blank(self) -> bool:
        a = self.action
        return not (_clean(a.what) or a.owner_id or _clean(a.owner_role) or a.starts_on or a.due_on)


@dataclass
class MeetingData:
    held_on: date | None
    attendee_ids: list[int]
    minutes: str
    decisions: str = ""
    next_meeting_on: date | None = None
    changes: list[ProgressChange] = field(default_factory=list)
    new_actions: list[NewAction] = field(default_factory=list)
    # The version in force when the form was opened: its actions are the ones the changes are for.
    expected_plan_id: int | None = None


def _check_meeting(team: ProjectTeam, data: MeetingData, in_force: RaisingAchievementPlan,
                   today: date) -> list[ProjectTeamMember]:
    held = data.held_on
    if held is None:
        raise DomainError("Enter the date the meeting was held", field="held_on")
    if held > today:
        raise DomainError("The meeting date cannot be in the future: record a meeting once it has been held",
                          field="held_on")
    if held < team.formed_on:
        raise DomainError(f"The project team was formed on {format_date(team.formed_on)}: the meeting date cannot be "
                          "before that", field="held_on")
    if data.next_meeting_on is not None and data.next_meeting_on <= held:
        raise DomainError(f"The next meeting must be after this one ({format_date(held)})", field="next_meeting_on")
    members = {m.id: m for m in team.members}
    chosen = [members.get(i) for i in dict.fromkeys(data.attendee_ids)]
    if not chosen:
        raise DomainError("Tick who attended the meeting", field="attendee_ids")
    if any(m is None or (m.left_on is not None and m.left_on < held) for m in chosen):
        raise DomainError("Tick only people who were on the team at the time of the meeting", field="attendee_ids")
    if not _clean(data.minutes):
        raise DomainError("Enter the minutes of the meeting", field="minutes")
    actions = {a.id: a for o in in_force.objectives for a in o.actions}
    for change in data.changes:
        if change.action_id not in actions:
            raise _plan_amended(in_force)
        if change.status not in ACTION_STATUSES:
            raise DomainError("Choose the action's status", field=f"status_{change.action_id}")
    return [m for m in chosen if m is not None]


def _school_signatory(team: ProjectTeam, attendees: list[ProjectTeamMember]) -> "User | None":
    for member in attendees:
        user = member.user
        if (user is not None and user.is_active and user.role == Role.SCHOOL_LEADER
                and team.school_id in user.school_ids):
            return user
    return None


def _add_meeting_actions(actor: User, team: ProjectTeam, in_force: RaisingAchievementPlan,
                         rows: list[NewAction], held: date, signatory: User) -> RaisingAchievementPlan:
    """Add the meeting's new actions to the plan as an amendment, agreed at the meeting by the LA
    (the person recording it) and the school (a leader who attended)."""
    latest = plan_versions(in_force)[-1]
    if latest.id != in_force.id:
        raise DomainError(f"Version {latest.version} of the plan is being drafted as an amendment: add the new "
                          "actions to that draft, or record them here once it has been agreed",
                          field=f"new_{rows[0].row}_what")
    if held < (in_force.agreed_on or held):
        raise DomainError(f"The plan in force was agreed on {format_date(in_force.agreed_on or held)}: new actions can "
                          "only be agreed at a meeting held on or after that date", field="held_on")
    by_id = {o.id: o for o in in_force.objectives}
    for row in rows:
        if row.objective_id not in by_id:
            raise DomainError(f"New action {row.row}: choose the objective it belongs to",
                              field=f"new_{row.row}_objective_id")
    new = amend_plan(actor, in_force, reason=f"New actions agreed at the project team meeting on {format_date(held)}")
    objectives = dict(zip((o.id for o in in_force.objectives), new.objectives, strict=True))
    for row in rows:
        try:
            add_action(actor, objectives[row.objective_id or 0], row.action)
        except DomainError as err:
            raise DomainError(f"New action {row.row}: {err.message[0].lower()}{err.message[1:]}",
                              field=f"new_{row.row}_{err.field}" if err.field else None) from None
    new.status, new.submitted_at = "submitted", utcnow()
    new.la_signed_by_id, new.la_signed_on = actor.id, held
    new.school_signed_by_id, new.school_signed_on = signatory.id, held
    db.session.flush()
    agree_plan(actor, new, held)
    db.session.flush()
    return new


def record_meeting(actor: User, team: ProjectTeam, data: MeetingData, *, today: date | None = None) -> TeamMeeting:
    """Record a project team meeting in one go: who attended, minutes, decisions, the actions'
    status updates, new actions (added to the plan as an amendment agreed at the meeting, which
    needs a school leader present) and the date of the next meeting."""
    today = today or date.today()
    lock_for_update(team.school)
    # A savepoint: a refusal part-way (a new action's due date, say) leaves nothing behind.
    with db.session.begin_nested():
        return _record_meeting(actor, team, data, today)


def _record_meeting(actor: User, team: ProjectTeam, data: MeetingData, today: date) -> TeamMeeting:
    in_force = team_plan_in_force(team)
    if data.expected_plan_id is not None and data.expected_plan_id != in_force.id:
        raise _plan_amended(in_force)
    attendees = _check_meeting(team, data, in_force, today)
    held = data.held_on
    assert held is not None
    rows = [r for r in data.new_actions if not r.is_blank]
    signatory = _school_signatory(team, attendees) if rows else None
    if rows and signatory is None:
        raise DomainError("New actions are agreed with the school: no school leader attended this meeting. Tick "
                          "the school leader who attended, or leave the new actions out and agree them at a "
                          "meeting a school leader attends", field="attendee_ids")
    meeting = TeamMeeting(held_on=held, minutes=_clean(data.minutes), decisions=_clean(data.decisions),
                          next_meeting_on=data.next_meeting_on, recorded_by_id=actor.id, attendees=attendees)
    team.meetings.append(meeting)
    db.session.flush()
    actions = {a.id: a for o in in_force.objectives for a in o.actions}
    if rows:
        assert signatory is not None
        amendment = _add_meeting_actions(actor, team, in_force, rows, held, signatory)
        meeting.amendment_plan_id = amendment.id
        # Status updates go on the version now in force, so they are not left on the superseded one.
        carried = {a.carried_from_id: a for o in amendment.objectives for a in o.actions if a.carried_from_id}
        actions = {old_id: carried[old_id] for old_id in actions}
    for change in data.changes:
        action = actions[change.action_id]
        note = _clean(change.note)
        if change.status == action.status and not note:
            continue
        try:
            update_action_progress(actor, action, status=change.status, note=note, meeting=meeting)
        except DomainError as err:
            raise DomainError(err.message, field=f"status_{change.action_id}") from None
    latest = max((m.held_on for m in team.meetings), default=held)
    if held >= latest and (data.next_meeting_on is not None
                           or (team.next_meeting_on is not None and team.next_meeting_on <= held)):
        team.next_meeting_on = data.next_meeting_on
    db.session.flush()
    record_audit(actor, "project_team.meeting.record", "project_team_meeting", meeting.id, school_id=team.school_id,
                 after={"held_on": held, "attendees": [m.id for m in attendees], "minutes": meeting.minutes,
                        "decisions": meeting.decisions, "next_meeting_on": data.next_meeting_on,
                        "amendment_plan_id": meeting.amendment_plan_id})
    record_school_event(team.school, "project_team_meeting", f"Project team meeting held on {format_date(held)}", actor,
                        audience="school")
    notify(team_accounts(team), "team_meeting", f"Project team meeting minutes: {team.school.name}",
           f"{actor.name} recorded the minutes of the project team meeting for {team.school.name} held on "
           f"{format_date(held)}" + (f"; the next meeting is on {format_date(data.next_meeting_on)}."
                                     if data.next_meeting_on else "."),
           f"/plans/{team.plan_id}/team/meetings/{meeting.id}", about=("project_team_meeting", meeting.id),
           key=f"team_meeting:{meeting.id}", actor=actor, action="read them")
    return meeting


def load_meeting(meeting_id: int) -> TeamMeeting | None:
    """A meeting with its attendees and status updates (and their actions), in a fixed number of queries."""
    return db.session.scalars(select(TeamMeeting).where(TeamMeeting.id == meeting_id).options(
        selectinload(TeamMeeting.attendees), joinedload(TeamMeeting.recorded_by),
        selectinload(TeamMeeting.action_updates).joinedload(ActionUpdate.action),
        selectinload(TeamMeeting.action_updates).joinedload(ActionUpdate.updated_by),
    )).unique().one_or_none()


# --- action updates and "my actions" ---------------------------------------------------------------

def update_action_progress(actor: User, action: PlanAction, *, status: str, note: str = "",
                           evidence: str | None = None, expected_version: int | None = None,
                           meeting: "TeamMeeting | None" = None) -> PlanAction:
    """Record delivery of an action on an agreed plan: its status, a note and evidence. A change of
    status is kept as an ActionUpdate. Refuses with EditConflict if someone else updated the action
    after this copy was opened, or if an amendment moved it to a later version."""
    plan = action.objective.plan
    if plan.status == "superseded" and expected_version is not None:
        raise EditConflict(action, "action", column="version_id", message=ACTION_MOVED)
    if plan.status != "agreed":
        raise DomainError("Progress is recorded on the agreed plan; this version is not the one in force")
    claim_edit(action, expected_version, "action", column="version_id", message=ACTION_CHANGED)
    if status not in ACTION_STATUSES:
        raise DomainError("Choose the action's status", field="status")
    note = (note or "").strip()
    before = {"status": action.status, "evidence": action.evidence}
    if status == action.status and not note and (evidence is None or evidence.strip() == action.evidence):
        raise DomainError("Nothing has changed: choose a new status, or add a note or evidence", field="status")
    if status != action.status or note:
        db.session.add(ActionUpdate(action=action, meeting=meeting, school_id=plan.school_id,
                                    updated_by_id=actor.id, status_from=action.status, status_to=status,
                                    note=note))
    action.status = status
    if evidence is not None:
        action.evidence = evidence.strip()
    if note:
        action.notes = _kept_notes(f"{action.notes}\n{note}".strip() if action.notes else note)
    db.session.flush()
    record_audit(actor, "plan.action.progress", "plan_action", action.id, school_id=plan.school_id,
                 before=before, after={"status": action.status, "evidence": action.evidence, "note": note})
    return action


def _kept_notes(notes: str) -> str:
    """An action's running notes, at most LONG_TEXT characters: the oldest lines give way (each
    note stays whole in the action's history of updates)."""
    if len(notes) <= LONG_TEXT:
        return notes
    kept = notes[-LONG_TEXT:]
    return kept.partition("\n")[2] if "\n" in kept else kept


def load_action(action_id: int) -> PlanAction | None:
    return db.session.scalars(select(PlanAction).where(PlanAction.id == action_id).options(
        joinedload(PlanAction.objective).joinedload(PlanObjective.plan), joinedload(PlanAction.owner))).one_or_none()


def action_in_force(action: PlanAction) -> PlanAction | None:
    """The action as carried into the version of the plan now in force (itself if its version is in
    force; None if an amendment left it out)."""
    current: PlanAction | None = action
    while current is not None and current.objective.plan.status == "superseded":
        current = db.session.scalars(select(PlanAction).join(PlanAction.objective).join(PlanObjective.plan).where(
            PlanAction.carried_from_id == current.id,
            RaisingAchievementPlan.status.in_(("agreed", "superseded")))).first()
    return current if current is not None and current.objective.plan.status == "agreed" else None


def action_history(action: PlanAction) -> list[ActionUpdate]:
    """Every status update of the action, newest first, including those made on the versions of
    the plan it was carried from by amendments."""
    ids, source = [action.id], action.carried_from_id
    while source is not None and source not in ids:
        ids.append(source)
        source = db.session.scalar(select(PlanAction.carried_from_id).where(PlanAction.id == source))
    return list(db.session.scalars(select(ActionUpdate).where(ActionUpdate.action_id.in_(ids)).options(
        joinedload(ActionUpdate.updated_by), joinedload(ActionUpdate.meeting))
        .order_by(ActionUpdate.updated_at.desc(), ActionUpdate.id.desc())))


@dataclass
class MyActions:
    owned: list[PlanAction]
    team: list[PlanAction]
    # The project team of each plan series shown, by series id (for who may update what).
    teams: dict[int, ProjectTeam]
    # The open actions agreed at visits that the person owns.
    visit_actions: list[AgreedAction] = field(default_factory=list)

    def team_of(self, action: PlanAction) -> ProjectTeam | None:
        return self.teams.get(action.objective.plan.series_id)

    @property
    def owned_rows(self) -> list[tuple[str, PlanAction | AgreedAction]]:
        """Plan actions ("plan") and visit agreed actions ("visit") the person owns, together,
        soonest due first (undated last)."""
        rows: list[tuple[str, PlanAction | AgreedAction]] = [("plan", a) for a in self.owned]
        rows += [("visit", a) for a in self.visit_actions]
        return sorted(rows, key=lambda row: (row[1].due_on is None, row[1].due_on or date.max))

    @property
    def team_rows(self) -> list[tuple[str, PlanAction | AgreedAction]]:
        return [("plan", a) for a in self.team]


def _actions_in_force() -> Select[tuple[PlanAction]]:
    return (select(PlanAction).join(PlanAction.objective).join(PlanObjective.plan).join(RaisingAchievementPlan.school)
            .where(RaisingAchievementPlan.status == "agreed")
            .options(contains_eager(PlanAction.objective).contains_eager(PlanObjective.plan)
                     .contains_eager(RaisingAchievementPlan.school), joinedload(PlanAction.owner))
            .order_by(PlanAction.due_on, School.name, PlanAction.id))


def my_actions(user: User) -> MyActions:
    """The actions of plans in force that the user owns, then those of plans whose project team
    they are a current member of (in a fixed number of queries however many there are); only ever
    of plans the user may view, whatever an action's owner or the team's members say."""
    series = func.coalesce(RaisingAchievementPlan.root_id, RaisingAchievementPlan.id)
    on_teams = (select(ProjectTeam.plan_id).join(ProjectTeam.members)
                .where(ProjectTeamMember.user_id == user.id, ProjectTeamMember.left_on.is_(None)))
    visible = _actions_in_force().where(viewable_plans(user))
    owned = list(db.session.scalars(visible.where(PlanAction.owner_id == user.id)).unique())
    team = list(db.session.scalars(visible.where(
        series.in_(on_teams), or_(PlanAction.owner_id.is_(None), PlanAction.owner_id != user.id))).unique())
    series_ids = {a.objective.plan.series_id for a in owned + team}
    teams = {t.plan_id: t for t in db.session.scalars(
        select(ProjectTeam).where(ProjectTeam.plan_id.in_(series_ids)).options(selectinload(ProjectTeam.members)))
    } if series_ids else {}
    return MyActions(owned=owned, team=team, teams=teams, visit_actions=agreed_actions_owned_by(user))
