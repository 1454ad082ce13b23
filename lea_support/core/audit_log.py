"""Reading the audit log: each entry as a sentence (who did what to which record, with links),
its machine code and before/after data kept for those who need them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable

from flask import url_for
from sqlalchemy import select
from werkzeug.routing import BuildError

from ..auth.models import User
from ..extensions import db
from ..schools.models import School

if TYPE_CHECKING:
    from .models import AuditEntry

# What each action did, in words, as "<who> <verb> <record>". A verb ending in "." takes no record.
ACTION_WORDS: dict[str, str] = {
    "allocation.adjust": "adjusted",
    "allocation.issue": "issued",
    "bank_holiday.add": "added",
    "bank_holiday.remove": "removed",
    "calendar_feed.renew": "renewed the calendar feed of",
    "calendar_feed.revoke": "revoked the calendar feed of",
    "closure_day.add": "added",
    "closure_day.delete": "deleted",
    "dfe_referral.make": "made",
    "governor_report.bulk_run": "started",
    "governor_report.check": "checked",
    "governor_report.draft": "drafted",
    "governor_report.publish": "published",
    "improvement_notice.issue": "issued",
    "improvement_notice.status": "changed the status of",
    "midpoint_review.record": "recorded",
    "midpoint_review.reschedule": "rescheduled",
    "midpoint_review.schedule": "scheduled",
    "plan.draft": "drafted",
    "plan.update": "changed",
    "plan.objective.add": "added an objective to",
    "plan.objective.delete": "deleted an objective from",
    "plan.objective.update": "changed an objective of",
    "plan.objective.move": "reordered the objectives of",
    "plan.criterion.add": "added a success criterion to",
    "plan.criterion.update": "changed a success criterion of",
    "plan.criterion.delete": "deleted a success criterion from",
    "plan.action.add": "added an action to",
    "plan.action.update": "changed an action of",
    "plan.action.delete": "deleted an action from",
    "plan.action.progress": "updated the progress of",
    "plan.time.allocate": "allocated time on",
    "plan.time.update": "changed the time allocated on",
    "plan.time.used": "logged days used on",
    "plan.submit": "submitted",
    "plan.sign_off": "signed off",
    "plan.agree": "agreed",
    "plan.amend": "amended",
    "project_team.form": "formed",
    "project_team.handover": "handed over",
    "project_team.meeting.record": "recorded",
    "project_team.member.add": "added a member to",
    "review.evaluate": "recorded the evaluation of",
    "review.evidence_delete": "deleted",
    "review.evidence_record": "recorded",
    "review.evidence_update": "changed",
    "review.findings": "saved the findings of",
    "review.key_question_add": "added",
    "review.key_question_delete": "deleted",
    "review.plan": "planned",
    "review.pre_review": "saved the pre-review of",
    "review.publish": "published the report of",
    "review.reopen": "reopened",
    "review.stage": "changed the stage of",
    "review.team_add": "added someone to the team of",
    "review.team_remove": "removed someone from the team of",
    "intervention_power.record": "recorded",
    "school.link_adviser": "changed the link adviser of",
    "school.support_decision": "changed the support tier and level of",
    "schools.import": "imported",
    "support_tier.update": "changed",
    "term_date.add": "added",
    "term_date.delete": "deleted",
    "sign_in_group.add": "added",
    "sign_in_group.remove": "removed",
    "user.council_link": "linked their council account to",
    "user.council_sign_in": "signed in with their council account.",
    "user.council_sign_in_refused": "refused a council sign-in to",
    "retention_rule.update": "changed",
    "user.anonymise": "anonymised the account of",
    "user.create": "created the account of",
    "user.password": "changed the password of",
    "user.role_from_groups": "set from council groups the role of",
    "user.sign_in": "signed in.",
    "user.unlock": "unlocked the account of",
    "user.update": "changed the account of",
    "visit.action_status": "changed the status of",
    "visit.addendum": "added an addendum to",
    "visit.finalise": "finalised",
    "visit.plan": "planned",
    "visit.record": "recorded",
    "visit.reply": "replied on",
    "visit.respond": "responded to",
    "visit.send": "sent the school",
    "visit.update": "changed",
    "visit_attachment.create": "attached a file to",
    "visit_attachment.delete": "removed a file from",
    "warning_notice.complied": "recorded compliance with",
    "warning_notice.give": "gave",
}


def _link(endpoint: str, **values: Any) -> Callable[[str], str | None]:
    def build(entity_id: str) -> str | None:
        try:
            return url_for(endpoint, **{k: (int(entity_id) if v is None else v) for k, v in values.items()})
        except (BuildError, ValueError):
            return None
    return build


# What each kind of record is called, and where it is seen (from its id), if it has a page.
RECORDS: dict[str, tuple[str, Callable[[str], str | None] | None]] = {
    "joint_review": ("the Joint LEA/School Review", _link("reviews.show_review", review_id=None)),
    "fieldwork_evidence": ("fieldwork evidence of a review", None),
    "key_question": ("a key question of a review", None),
    "note_of_visit": ("the note of visit", _link("casework.show_note", note_id=None)),
    "visit_action": ("an agreed action of a visit", None),
    "visit_attachment": ("a note of visit", None),
    "raising_achievement_plan": ("the Raising Achievement Plan", _link("rap.show_plan", plan_id=None)),
    "plan_action": ("an action of a Raising Achievement Plan", None),
    "midpoint_review": ("a mid-point review", None),
    "improvement_notice": ("the Improvement Notice", _link("rap.show_notice", notice_id=None)),
    "project_team": ("the project team", None),
    "project_team_meeting": ("a project team meeting", None),
    "governor_report": ("the report to governors", _link("governor_reports.show_report", report_id=None)),
    "report_bulk_run": ("a bulk run of reports to governors",
                        _link("governor_reports.show_bulk_run", run_id=None)),
    "support_allocation": ("the support allocation", None),
    "support_tier": ("a support tier", _link("schools.list_tiers")),
    "term_date": ("term dates", _link("core.term_dates")),
    "closure_day": ("a closure day", _link("core.term_dates")),
    "gias_import": ("the school register from GIAS", None),
    "bank_holiday": ("a bank holiday", _link("core.bank_holidays")),
    "retention_rule": ("a rule of the retention schedule", _link("privacy.retention_schedule")),
    "warning_notice": ("the warning notice", _link("intervention.show_warning_notice", notice_id=None)),
    "intervention_power": ("a power of intervention", None),
    "dfe_referral": ("the referral to the DfE", _link("intervention.show_referral", referral_id=None)),
    "sign_in_group": ("a sign-in group", _link("auth.sign_in_groups")),
}


@dataclass(frozen=True)
class AuditLine:
    """One entry of the log as the page shows it."""

    id: int
    occurred_at: datetime
    who: str
    who_url: str | None
    verb: str
    record: str  # empty when the verb says it all ("signed in.")
    record_url: str | None
    school: str  # "of <school>" when the record belongs to one
    school_url: str | None
    action: str
    entity: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def _user_url(user: User) -> str:
    return url_for("auth.edit_user", user_id=user.id)


def describe(entries: list["AuditEntry"]) -> list[AuditLine]:
    """The entries as sentences, reading the people and schools they name in two queries."""
    user_ids = {e.user_id for e in entries if e.user_id}
    user_ids |= {int(e.entity_id) for e in entries if e.entity_type == "user" and (e.entity_id or "").isdigit()}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))} if user_ids else {}
    school_ids = {e.school_id for e in entries if e.school_id}
    school_ids |= {int(e.entity_id) for e in entries if e.entity_type == "school" and (e.entity_id or "").isdigit()}
    schools = ({s.id: s for s in db.session.scalars(select(School).where(School.id.in_(school_ids)))}
               if school_ids else {})
    lines = []
    for e in entries:
        actor = users.get(e.user_id) if e.user_id else None
        verb = ACTION_WORDS.get(e.action, e.action.replace("_", " ").replace(".", ": "))
        record, record_url = "", None
        entity_id = e.entity_id or ""
        school = schools.get(e.school_id) if e.school_id else None
        if not verb.endswith("."):
            if e.entity_type == "user":
                person = users.get(int(entity_id)) if entity_id.isdigit() else None
                record = person.name if person else "an account"
                record_url = _user_url(person) if person else None
            elif e.entity_type == "school":
                named = schools.get(int(entity_id)) if entity_id.isdigit() else None
                record = named.name if named else "a school"
                record_url = url_for("schools.show_school", urn=named.urn) if named else None
                school = None  # the record is the school itself
            elif e.entity_type == "academic_year":
                record = f"the support allocations for {entity_id}"
            else:
                noun, link = RECORDS.get(e.entity_type, (e.entity_type.replace("_", " "), None))
                record = noun
                record_url = link(entity_id) if link and entity_id else None
        lines.append(AuditLine(
            id=e.id, occurred_at=e.occurred_at,
            who=actor.name if actor else ("Someone" if e.user_id else "The system"),
            who_url=_user_url(actor) if actor else None,
            verb=verb, record=record, record_url=record_url,
            school=school.name if school else "",
            school_url=url_for("schools.show_school", urn=school.urn) if school else None,
            action=e.action, entity=f"{e.entity_type} {entity_id}".strip(), before=e.before, after=e.after))
    return lines
