"""The rules of statutory intervention: giving a warning notice (maintained schools only), its
clocks, recording compliance or the power used once the school is eligible for intervention, and
referring a concern about an academy to the DfE's regional director.

The rules kept simple, and where they come from (Education and Inspections Act 2006, Part 4, and
the DfE's "Schools causing concern" guidance):
- a notice is given to a maintained school only, on one or more of the three grounds of s60;
- the governing body may make representations to Ofsted's chief inspector within 15 working days
  (weekends and bank holidays of England and Wales excluded: core.working_days) of the day the
  notice is given, which itself does not count;
- the compliance period may not end before the representation period does (the LA may not act on
  a notice that can still be challenged), so the comply-by date falls after that last day;
- once the compliance period has ended and the governing body has not complied, the school is
  eligible for intervention, and only then may the LA record a power used (decided after the
  comply-by date).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload, selectinload

from ..auth.models import User
from ..core.audit import record_audit, snapshot
from ..core.errors import DomainError
from ..core.locking import AlreadyChanged, claim_edit, lock_for_update
from ..core.terms import format_date
from ..core.working_days import all_bank_holidays, working_days_after, working_days_left
from ..extensions import db
from ..schools.models import School
from ..schools.services import record_school_event
from .models import (
    GROUND_NAMES,
    GROUNDS,
    POWERS,
    REPRESENTATION_WORKING_DAYS,
    DfeReferral,
    InterventionPower,
    WarningNotice,
)

NOTICE_FIELDS = ("issued_on", "ground_standards", "ground_leadership", "ground_safety", "reasons", "required_action",
                 "comply_by")
NOTICE_CHANGED = ("Someone else changed this warning notice since you opened it. What you typed is still in the "
                  "form: check the notice as it is now before you save again.")


def _clean(text: str | None) -> str:
    return (text or "").strip()


# --- maintained schools and academies ----------------------------------------------------------------

def academy_refusal(school: School, what: str) -> str:
    """Why the LA cannot give `school` (an academy or free school, or a school it does not
    maintain) `what` ("an Improvement Notice", "a warning notice"), and what it can do instead."""
    if school.is_academy:
        kind = "a free school" if school.governance == "free_school" else "an academy"
        return (f"{school.name} is {kind}: a local authority cannot give {kind} {what}. Support, visits, reviews and "
                "plans by agreement stay available; to raise a concern, refer it to the DfE regional director")
    return (f"{school.name} is not maintained by the local authority ({school.type_name or 'type not known'}): "
            f"the authority cannot give it {what}")


def require_maintained(school: School, what: str) -> None:
    """Refuse a statutory step (`what`) for a school the LA does not maintain."""
    if not school.is_maintained:
        raise DomainError(academy_refusal(school, what))


# --- the clocks --------------------------------------------------------------------------------------

def representations_by(issued_on: date, holidays: set[date] | None = None) -> date:
    """The last day for the governing body's representations to Ofsted's chief inspector."""
    return working_days_after(issued_on, REPRESENTATION_WORKING_DAYS, holidays)


@dataclass(frozen=True)
class NoticeClock:
    """Where a warning notice stands on `today`: the representation period (in working days) and
    the compliance period (in days), and whether the school is eligible for intervention."""

    representations_by: date
    representation_days_left: int  # working days, 0 once the period is over
    comply_by: date
    compliance_days_left: int  # calendar days, 0 once the period is over
    stage: str  # representations, compliance, eligible, complied

    @property
    def is_eligible(self) -> bool:
        return self.stage == "eligible"

    @property
    def stage_name(self) -> str:
        return {"representations": "Representation period", "compliance": "Compliance period",
                "eligible": "Eligible for intervention", "complied": "Complied with"}[self.stage]

    @property
    def summary(self) -> str:
        """The clock in a sentence, for the SIA's pages."""
        if self.stage == "complied":
            return "The governing body complied with the notice."
        if self.stage == "eligible":
            return (f"The compliance period ended on {format_date(self.comply_by)} without compliance: the school is "
                    "eligible for intervention.")
        parts = []
        if self.stage == "representations" and self.representation_days_left == 0:
            parts.append("today is the last day for representations to Ofsted")
        elif self.stage == "representations":
            n = self.representation_days_left
            parts.append(f"{n} working day{'s' if n != 1 else ''} left for representations to Ofsted "
                         f"(until {format_date(self.representations_by)})")
        n = self.compliance_days_left
        parts.append(f"{n} day{'s' if n != 1 else ''} left to comply (until {format_date(self.comply_by)})")
        text = "; ".join(parts) + "."
        return text[0].upper() + text[1:]


def notice_clock(notice: WarningNotice, today: date | None = None, holidays: set[date] | None = None) -> NoticeClock:
    """The notice's clocks on `today`; `holidays` when many notices' clocks are read at once."""
    today = today or date.today()
    deadline = representations_by(notice.issued_on, holidays)
    if notice.status == "complied":
        stage = "complied"
    elif today > notice.comply_by:
        stage = "eligible"
    elif today <= deadline:
        stage = "representations"
    else:
        stage = "compliance"
    return NoticeClock(representations_by=deadline, representation_days_left=working_days_left(today, deadline, holidays),
                       comply_by=notice.comply_by, compliance_days_left=max((notice.comply_by - today).days, 0),
                       stage=stage)


def is_eligible_for_intervention(notice: WarningNotice, today: date | None = None) -> bool:
    """The compliance period has ended and the governing body has not complied."""
    return notice.status == "issued" and (today or date.today()) > notice.comply_by


# --- reading -----------------------------------------------------------------------------------------

def warning_notices_for_school(school: School) -> list[WarningNotice]:
    return list(db.session.scalars(select(WarningNotice).where(WarningNotice.school_id == school.id)
                                   .options(joinedload(WarningNotice.issued_by), selectinload(WarningNotice.powers))
                                   .order_by(WarningNotice.issued_on.desc(), WarningNotice.id.desc())))


def latest_open_warning_notice(school: School) -> WarningNotice | None:
    """The school's most recent notice not complied with (the one whose clock its page shows)."""
    return db.session.scalars(select(WarningNotice).where(WarningNotice.school_id == school.id,
                                                          WarningNotice.status == "issued")
                              .order_by(WarningNotice.issued_on.desc(), WarningNotice.id.desc()).limit(1)).first()


def load_warning_notice(notice_id: int) -> WarningNotice | None:
    return db.session.scalars(select(WarningNotice).where(WarningNotice.id == notice_id).options(
        joinedload(WarningNotice.school), joinedload(WarningNotice.issued_by),
        selectinload(WarningNotice.powers).joinedload(InterventionPower.recorded_by))).one_or_none()


def referrals_for_school(school: School) -> list[DfeReferral]:
    return list(db.session.scalars(select(DfeReferral).where(DfeReferral.school_id == school.id)
                                   .options(joinedload(DfeReferral.referred_by))
                                   .order_by(DfeReferral.referred_on.desc(), DfeReferral.id.desc())))


def load_referral(referral_id: int) -> DfeReferral | None:
    return db.session.scalars(select(DfeReferral).where(DfeReferral.id == referral_id).options(
        joinedload(DfeReferral.school), joinedload(DfeReferral.referred_by))).one_or_none()


# --- giving a warning notice ---------------------------------------------------------------------------

def _grounds_text(grounds: list[str]) -> str:
    names = [GROUND_NAMES[g].lower() for g in grounds]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def give_warning_notice(actor: User, school: School, *, grounds: list[str], reasons: str, required_action: str,
                        comply_by: date | None, issued_on: date | None = None) -> WarningNotice:
    """Give a maintained school's governing body a warning notice: on which grounds, why, what it
    must do and by when (after its 15 working days for representations to Ofsted have run)."""
    require_maintained(school, "a warning notice")
    issued_on = issued_on or date.today()
    reasons, required_action = _clean(reasons), _clean(required_action)
    if issued_on > date.today():
        raise DomainError("The notice cannot be given on a date in the future", field="issued_on")
    chosen = [g for g in GROUNDS if g in set(grounds or [])]
    if not chosen or len(chosen) != len(set(grounds)):
        raise DomainError("Choose at least one of the three grounds the notice is given on", field="grounds")
    if not reasons:
        raise DomainError("Enter the matters the authority's conclusion rests on", field="reasons")
    if not required_action:
        raise DomainError("Enter what the governing body must do to remedy the matters", field="required_action")
    deadline = representations_by(issued_on)
    if comply_by is None:
        raise DomainError("Enter the date the compliance period ends", field="comply_by")
    if comply_by <= deadline:
        raise DomainError(f"The compliance period cannot end before the governing body's {REPRESENTATION_WORKING_DAYS} "
                          f"working days for representations to Ofsted do ({format_date(deadline)}): choose a later "
                          "date", field="comply_by")
    lock_for_update(school)  # the same notice sent twice at once: the second waits, then finds the first
    if db.session.scalar(select(exists().where(
            WarningNotice.school_id == school.id, WarningNotice.issued_on == issued_on,
            WarningNotice.reasons == reasons, WarningNotice.required_action == required_action))):
        raise AlreadyChanged("This warning notice has already been given: reload the page to see it")
    notice = WarningNotice(school_id=school.id, issued_on=issued_on, issued_by_id=actor.id, reasons=reasons,
                           required_action=required_action, comply_by=comply_by, status="issued",
                           **{f"ground_{g}": g in chosen for g in GROUNDS})
    db.session.add(notice)
    db.session.flush()
    record_audit(actor, "warning_notice.give", "warning_notice", notice.id, school_id=school.id,
                 after=snapshot(notice, NOTICE_FIELDS))
    record_school_event(school, "warning_notice_given",
                        f"Warning notice given to the governing body ({_grounds_text(chosen)}): representations to "
                        f"Ofsted's chief inspector by {format_date(deadline)}, compliance by {format_date(comply_by)}",
                        actor, audience="school", occurred_on=issued_on)
    return notice


def record_compliance(actor: User, notice: WarningNotice, *, on: date | None, reason: str,
                      expected_version: int | None = None) -> WarningNotice:
    """Record that the governing body complied with the notice: on which date, on what evidence."""
    lock_for_update(notice)
    claim_edit(notice, expected_version, "warning notice", column="version_id", message=NOTICE_CHANGED)
    reason = _clean(reason)
    if notice.status != "issued":
        raise AlreadyChanged(f"This notice is already marked {notice.status_name.lower()}: reload the page to see it")
    if notice.powers:
        raise DomainError("The authority has already used its powers of intervention on this notice: it cannot be "
                          "marked complied with")
    if on is None:
        raise DomainError("Enter the date the governing body complied", field="on")
    if on > date.today():
        raise DomainError("The date cannot be in the future", field="on")
    if on < notice.issued_on:
        raise DomainError(f"The date cannot be before the notice was given ({format_date(notice.issued_on)})",
                          field="on")
    if not reason:
        raise DomainError("Enter how the governing body complied, and the evidence", field="reason")
    before = snapshot(notice, ("status", "status_changed_on", "status_reason"))
    notice.status, notice.status_changed_on, notice.status_reason = "complied", on, reason
    db.session.flush()
    record_audit(actor, "warning_notice.complied", "warning_notice", notice.id, school_id=notice.school_id,
                 before=before, after=snapshot(notice, ("status", "status_changed_on", "status_reason")))
    public = f"Warning notice of {format_date(notice.issued_on)} complied with on {format_date(on)}"
    record_school_event(notice.school, "warning_notice_complied", f"{public}: {reason}", actor, audience="school",
                        public_summary=public)
    return notice


def record_power(actor: User, notice: WarningNotice, *, power: str, decided_on: date | None,
                 takes_effect_on: date | None, ends_on: date | None, documents: str) -> InterventionPower:
    """Record a power of intervention the LA used on a school eligible for intervention: which,
    decided when, in force from (and to) when, and the documents behind it."""
    lock_for_update(notice)
    documents = _clean(documents)
    if notice.status == "complied":
        raise DomainError("The governing body complied with this notice: the school is not eligible for intervention")
    if power not in POWERS:
        raise DomainError("Choose the power the authority used", field="power")
    if decided_on is None:
        raise DomainError("Enter the date the authority decided to use the power", field="decided_on")
    if decided_on > date.today():
        raise DomainError("The decision cannot be recorded before it is made: the date is in the future",
                          field="decided_on")
    if decided_on <= notice.comply_by:
        raise DomainError(f"The school becomes eligible for intervention only once the compliance period has ended "
                          f"({format_date(notice.comply_by)}): the decision must be dated after it", field="decided_on")
    if takes_effect_on is None:
        raise DomainError("Enter the date the power takes effect", field="takes_effect_on")
    if takes_effect_on < decided_on:
        raise DomainError(f"The power cannot take effect before it was decided ({format_date(decided_on)})",
                          field="takes_effect_on")
    if ends_on is not None and ends_on <= takes_effect_on:
        raise DomainError(f"The end date must be after the power takes effect ({format_date(takes_effect_on)})",
                          field="ends_on")
    if not documents:
        raise DomainError("Enter the documents behind the decision (the decision record, the letters sent), or a "
                          "note of where they are kept", field="documents")
    if any(p.power == power and p.decided_on == decided_on for p in notice.powers):
        raise AlreadyChanged("This power has already been recorded: reload the page to see it")
    row = InterventionPower(notice_id=notice.id, school_id=notice.school_id, power=power, decided_on=decided_on,
                            takes_effect_on=takes_effect_on, ends_on=ends_on, documents=documents,
                            recorded_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    db.session.refresh(notice, ["powers"])
    record_audit(actor, "intervention_power.record", "intervention_power", row.id, school_id=notice.school_id,
                 after={**snapshot(row, ("power", "decided_on", "takes_effect_on", "ends_on", "documents")),
                        "notice_id": notice.id})
    record_school_event(notice.school, "warning_notice_power",
                        f"Eligible for intervention after the warning notice of {format_date(notice.issued_on)}: "
                        f"{POWERS[power][0].lower()}{POWERS[power][1:]}, from {format_date(takes_effect_on)}",
                        actor, audience="school", occurred_on=decided_on)
    return row


# --- academies: a concern referred to the DfE -------------------------------------------------------------

def refer_to_dfe(actor: User, school: School, *, grounds: str, evidence: str,
                 referred_on: date | None = None) -> DfeReferral:
    """Refer a concern about an academy or free school to the DfE's regional director: what the
    concern is and the evidence for it."""
    if not school.is_academy:
        raise DomainError(f"{school.name} is {school.governance_name.lower()}, not an academy: a referral to the DfE "
                          "regional director is for academies and free schools. Use a warning notice or an "
                          "Improvement Notice instead")
    referred_on = referred_on or date.today()
    grounds, evidence = _clean(grounds), _clean(evidence)
    if referred_on > date.today():
        raise DomainError("The referral cannot be dated in the future", field="referred_on")
    if not grounds:
        raise DomainError("Enter the concern: what worries the authority about the school", field="grounds")
    if not evidence:
        raise DomainError("Enter the evidence behind the concern", field="evidence")
    lock_for_update(school)
    if db.session.scalar(select(exists().where(DfeReferral.school_id == school.id, DfeReferral.referred_on == referred_on,
                                               DfeReferral.grounds == grounds))):
        raise AlreadyChanged("This referral has already been made: reload the page to see it")
    referral = DfeReferral(school_id=school.id, referred_on=referred_on, referred_by_id=actor.id, grounds=grounds,
                           evidence=evidence)
    db.session.add(referral)
    db.session.flush()
    record_audit(actor, "dfe_referral.make", "dfe_referral", referral.id, school_id=school.id,
                 after=snapshot(referral, ("referred_on", "grounds", "evidence")))
    record_school_event(school, "dfe_referral", "Concern referred to the DfE regional director", actor, audience="la",
                        occurred_on=referred_on)
    return referral


def school_intervention(school: School, today: date | None = None) -> dict[str, Any]:
    """What the school's statutory intervention page shows: its notices with their clocks, and its
    referrals to the DfE."""
    notices = warning_notices_for_school(school)
    holidays = all_bank_holidays() if notices else set()
    return {"notices": [(n, notice_clock(n, today, holidays)) for n in notices],
            "referrals": referrals_for_school(school)}
