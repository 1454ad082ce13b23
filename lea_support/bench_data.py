"""Many fictional schools at once, for the benchmark: tens of thousands in a few seconds, and a
link adviser's caseload with years of visit history.

Rows go in with SQLAlchemy Core bulk inserts (one executemany per chunk) rather than through
the services, which would write an audit entry and a timeline event per change. Every school
is invented (LA code 999, URNs from `start_urn`), and every tier and level is one that
`tier_levels` allows, so the database's own constraints hold.
"""
from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

from sqlalchemy import insert, select, update

from .auth.models import User
from .auth.services import hash_password
from .casework.models import AgreedAction, NoteOfVisit
from .core.terms import academic_year_for
from .extensions import db
from .schools.models import School, SchoolEvent, SupportDecision

BENCH_LA_CODE, BENCH_LA_NAME = "999", "Fictional Borough"
BENCH_PASSWORD = "bench-sign-in-2026"
# Rows per INSERT statement: large enough to be fast, small enough for any driver's limits.
CHUNK_SIZE = 2000

_PLACES = ["Ashby", "Brookfield", "Castlegate", "Dunmore", "Elmwood", "Fernhill", "Greyfriars", "Hollins",
           "Ivydale", "Juniper", "Kingsmead", "Larkrise", "Millbrook", "Northgate", "Oakridge", "Pennyfield",
           "Queensway", "Riverside", "Stonebridge", "Thornbury", "Upton", "Valley Road", "Westcliffe", "Yewtree",
           "Parkside", "Highfield", "Moorland", "Sandhurst", "Whitecross", "Linden"]
_SECOND = ["", "", "", "", "Park", "Green", "Hill", "Vale", "Lane", "St Mary's", "St John's", "Meadow"]
# phase, type, type group, low age, high age, name ending
_KINDS = [
    ("Primary", "Community school", "Local authority maintained schools", 4, 11, "Primary School"),
    ("Primary", "Voluntary aided school", "Local authority maintained schools", 4, 11, "CofE Primary School"),
    ("Primary", "Voluntary controlled school", "Local authority maintained schools", 4, 11, "Church Primary School"),
    ("Primary", "Academy converter", "Academies", 4, 11, "Primary Academy"),
    ("Primary", "Community school", "Local authority maintained schools", 4, 7, "Infant School"),
    ("Primary", "Community school", "Local authority maintained schools", 7, 11, "Junior School"),
    ("Secondary", "Community school", "Local authority maintained schools", 11, 16, "High School"),
    ("Secondary", "Academy sponsor led", "Academies", 11, 18, "Academy"),
    ("Secondary", "Foundation school", "Local authority maintained schools", 11, 18, "School"),
    ("Nursery", "Local authority nursery school", "Local authority maintained schools", 2, 5, "Nursery School"),
    ("Not applicable", "Community special school", "Special schools", 3, 19, "Special School"),
    ("Not applicable", "Pupil referral unit", "Local authority maintained schools", 5, 16, "Learning Centre"),
]
# (tier, level, weight): mostly light touch, some enhanced, a few in significant support.
_TIERS = [("light_touch", 1, 55), ("enhanced", 2, 25), ("significant", 3, 10), ("significant", 4, 6),
          ("significant", 5, 4)]
_TIER_NAMES = {"light_touch": "Light touch core support", "enhanced": "Enhanced support",
               "significant": "Significant support"}
_REASONS = ["Attainment below the floor for two years", "Progress in reading has fallen sharply",
            "New headteacher and a high staff turnover", "Ofsted judged the school to require improvement",
            "Outcomes have improved for three terms", "Safeguarding concerns raised by the LA",
            "Governance review recommended closer support"]
_EVENT_KINDS = [("visit", "Link adviser visit: teaching and learning walk"),
                ("visit", "Link adviser visit: target setting"),
                ("note", "Telephone call with the headteacher about staffing"),
                ("note", "Data review: key stage results discussed with governors")]
_FIRST = ["Sam", "Alex", "Jo", "Priya", "Chris", "Morgan", "Robin", "Kim", "Taylor", "Jamie"]
_LAST = ["Adams", "Begum", "Clarke", "Davies", "Evans", "Fraser", "Green", "Hussain", "Iqbal", "Jones"]


@dataclass
class BenchData:
    """What `seed_schools` made: counts, and the people it made them with."""

    schools: int = 0
    decisions: int = 0
    events: int = 0
    adviser_ids: list[int] = field(default_factory=list)
    # URNs of schools with a support history and a timeline, for pages worth measuring.
    busy_urns: list[int] = field(default_factory=list)


def _chunks(rows: Sequence[dict[str, Any]]) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK_SIZE):
        yield rows[start:start + CHUNK_SIZE]


def _bulk_insert(model: type, rows: Sequence[dict[str, Any]]) -> None:
    for chunk in _chunks(rows):
        db.session.execute(insert(model.__table__), chunk)


def bench_users(advisers: int = 6) -> list[int]:
    """The link advisers (and one SIA who takes the decisions) the schools are shared between;
    made once, found again on later calls. Returns the advisers' ids, then the SIA's."""
    wanted = [(f"adviser{k}@bench.invalid", f"{_FIRST[k % 10]} {_LAST[(k * 3) % 10]}", "link_adviser")
              for k in range(1, advisers + 1)]
    wanted.append(("sia@bench.invalid", "Sam Improvement", "sia"))
    existing = dict(db.session.execute(select(User.email, User.id).where(User.email.in_([w[0] for w in wanted]))).all())
    missing = [w for w in wanted if w[0] not in existing]
    if missing:
        # One hash for all: argon2 is slow on purpose, and these accounts only need to exist.
        password_hash = hash_password(BENCH_PASSWORD)
        _bulk_insert(User, [{"email": e, "name": n, "role": r, "password_hash": password_hash}
                            for e, n, r in missing])
        existing = dict(db.session.execute(select(User.email, User.id).where(User.email.in_([w[0] for w in wanted]))).all())
    return [existing[w[0]] for w in wanted]


def _school_row(urn: int, i: int, rng: random.Random, adviser_ids: list[int], now: datetime) -> dict[str, Any]:
    phase, type_name, group, low, high, ending = _KINDS[rng.randrange(len(_KINDS))]
    place, second = rng.choice(_PLACES), rng.choice(_SECOND)
    name = " ".join(p for p in (place, second, ending) if p)
    tier, level, _ = rng.choices(_TIERS, weights=[t[2] for t in _TIERS])[0]
    closed = i % 20 == 19
    pupils = None if closed or rng.random() < 0.02 else rng.randrange(30, 1600 if phase == "Secondary" else 620)
    return {
        "urn": urn, "la_code": BENCH_LA_CODE, "la_name": BENCH_LA_NAME, "establishment_number": str(2000 + urn % 8000),
        "name": name, "type_name": type_name, "type_group": group, "phase": phase,
        "status": "Closed" if closed else "Open", "statutory_low_age": low, "statutory_high_age": high,
        "number_of_pupils": pupils, "head_name": "" if closed else f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
        "street": f"{rng.randrange(1, 200)} School Lane", "locality": "", "address3": "", "town": "Fictionville",
        "county": "", "postcode": f"FV{rng.randrange(1, 30)} {rng.randrange(1, 10)}AA", "website": "",
        "telephone": "", "trust_name": "Fictional Learning Trust" if group == "Academies" else "",
        "ofsted_rating": rng.choice(["Outstanding", "Good", "Requires improvement", "Inadequate", ""]),
        "ofsted_last_inspection": date(2015, 1, 5) + timedelta(days=rng.randrange(3600)),
        "open_date": None, "close_date": date(2020, 8, 31) if closed else None, "gias_digest": "",
        "support_tier": tier, "mcs_level": level,
        "cause_for_concern": ("la" if rng.random() < 0.6 else "ofsted") if level == 5 else None,
        "is_vulnerable": level in (3, 4) and rng.random() < 0.7,
        "has_significant_underachievement": level >= 4 or rng.random() < 0.03,
        # One school in thirteen is waiting for a link adviser.
        "link_adviser_id": None if i % 13 == 12 else adviser_ids[i % len(adviser_ids)],
        "created_at": now, "updated_at": now,
    }


def seed_schools(n: int, *, seed: int = 0, start_urn: int = 100001) -> BenchData:
    """Add `n` fictional schools (URNs from `start_urn`) with support decisions and timeline
    entries for some of them. Flushes; the caller commits."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    *adviser_ids, sia_id = bench_users()
    schools = [_school_row(start_urn + i, i, rng, adviser_ids, now) for i in range(n)]
    _bulk_insert(School, schools)
    ids = dict(db.session.execute(
        select(School.urn, School.id).where(School.urn >= start_urn, School.urn < start_urn + n)).all())

    decisions: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    busy: list[int] = []
    for school in schools:
        school_id, tier, level = ids[school["urn"]], school["support_tier"], school["mcs_level"]
        if tier == "light_touch" and rng.random() > 0.1:
            continue
        # A path of decisions that ends at the school's current tier and level.
        path = [("light_touch", 1)]
        if level >= 3 and rng.random() < 0.5:
            path.append(("enhanced", 2))
        if level >= 4 and rng.random() < 0.5:
            path.append(("significant", 3))
        if (tier, level) != path[-1]:
            path.append((tier, level))
        when = now - timedelta(days=30 * len(path) + rng.randrange(30))
        for (before_tier, before_level), (after_tier, after_level) in zip(path, path[1:]):
            reason = rng.choice(_REASONS)
            last = (after_tier, after_level) == (tier, level)
            decisions.append({
                "school_id": school_id, "decided_at": when, "decided_by_id": sia_id,
                "previous_tier": before_tier, "previous_level": before_level,
                "support_tier": after_tier, "mcs_level": after_level,
                "cause_for_concern": school["cause_for_concern"] if last else None,
                "is_vulnerable": school["is_vulnerable"] if last else False,
                "has_significant_underachievement": school["has_significant_underachievement"] if last else False,
                "reason": reason, "evidence": "Fictional benchmark data",
            })
            events.append({"school_id": school_id, "occurred_at": when, "kind": "support_decision",
                           "summary": f"Support changed to {_TIER_NAMES[after_tier]}, level {after_level}: {reason}",
                           "actor_id": sia_id, "for_governors": False})
            when += timedelta(days=30)
        for k in range(rng.randrange(0, 4)):
            kind, summary = rng.choice(_EVENT_KINDS)
            events.append({"school_id": school_id, "occurred_at": now - timedelta(days=7 * k + rng.randrange(7)),
                           "kind": kind, "summary": summary, "actor_id": school["link_adviser_id"],
                           "for_governors": kind == "visit"})
        if len(path) > 2:
            busy.append(school["urn"])
    _bulk_insert(SupportDecision, decisions)
    _bulk_insert(SchoolEvent, events)
    db.session.flush()
    return BenchData(schools=n, decisions=len(decisions), events=len(events), adviser_ids=adviser_ids,
                     busy_urns=busy)


# --- Raising Achievement Plans of the schools in significant support ---------------------------

PLAN_OBJECTIVES = ["Raise attainment in writing at key stage 2", "Improve attendance of disadvantaged pupils",
                   "Strengthen middle leaders' monitoring of teaching", "Secure phonics teaching in key stage 1"]


def seed_plans(school_ids: Sequence[int], *, seed: int = 0, today: date | None = None) -> int:
    """An agreed plan for each school given: three objectives, each with a success criterion and four
    actions in every RAG state, adviser time allocated and partly used, and the mid-point review
    scheduled (some overdue). Flushes; returns the number of plans."""
    from .rap.models import (
        MidpointReview,
        PlanAction,
        PlanObjective,
        RaisingAchievementPlan,
        SuccessCriterion,
        TimeAllocation,
        TimeUsed,
    )
    from .rap.summaries import refresh_first_open_due

    rng = random.Random(seed)
    today = today or date.today()
    *adviser_ids, sia_id = bench_users()
    now = datetime.now(UTC)
    plans = []
    for school_id in school_ids:
        agreed = today - timedelta(days=rng.randrange(7, 200))
        plans.append({"school_id": school_id, "drafted_by_id": sia_id, "version": 1, "status": "agreed",
                      "sip_reference": "SIP priorities 1-3", "professional_development": "", "created_at": now,
                      "school_signed_on": agreed, "la_signed_by_id": sia_id, "la_signed_on": agreed,
                      "agreed_on": agreed, "midpoint_review_on": agreed + timedelta(weeks=rng.randrange(8, 17)),
                      "version_id": 1})
    _bulk_insert(RaisingAchievementPlan, plans)
    ids = dict(db.session.execute(select(RaisingAchievementPlan.school_id, RaisingAchievementPlan.id)
                                  .where(RaisingAchievementPlan.school_id.in_(list(school_ids)))).all())
    objectives, reviews, allocations = [], [], []
    for plan in plans:
        plan_id = ids[plan["school_id"]]
        reviews.append({"plan_id": plan_id, "school_id": plan["school_id"], "sequence": 1,
                        "scheduled_on": plan["midpoint_review_on"], "version_id": 1})
        for position, text in enumerate(rng.sample(PLAN_OBJECTIVES, 3), start=1):
            objectives.append({"plan_id": plan_id, "position": position, "text": text, "version_id": 1})
        for term in ("autumn-2026", "spring-2027"):
            allocations.append({"plan_id": plan_id, "user_id": rng.choice(adviser_ids), "term": term,
                                "days": rng.choice([2, 3, 5])})
    _bulk_insert(PlanObjective, objectives)
    _bulk_insert(MidpointReview, reviews)
    _bulk_insert(TimeAllocation, allocations)
    plan_ids = list(ids.values())
    criteria, actions, usage = [], [], []
    for objective_id, agreed in db.session.execute(
            select(PlanObjective.id, RaisingAchievementPlan.agreed_on).join(RaisingAchievementPlan)
            .where(PlanObjective.plan_id.in_(plan_ids))):
        criteria.append({"objective_id": objective_id, "measure": "Pupils at the expected standard",
                         "baseline": "55%", "target": "70%", "by_when": agreed + timedelta(weeks=40)})
        for k in range(4):
            starts = agreed + timedelta(weeks=4 * k)
            status = rng.choice(["not_started", "in_progress", "done", "in_progress"])
            actions.append({"objective_id": objective_id, "what": rng.choice(ACTIONS), "owner_role": rng.choice(OWNERS),
                            "starts_on": starts, "due_on": starts + timedelta(weeks=6), "status": status,
                            "notes": "", "evidence": "", "version_id": 1})
    for allocation_id in db.session.scalars(select(TimeAllocation.id).where(TimeAllocation.plan_id.in_(plan_ids))):
        usage.append({"allocation_id": allocation_id, "used_on": today - timedelta(days=rng.randrange(60)),
                      "days": 1, "note": "", "logged_by_id": sia_id})
    _bulk_insert(SuccessCriterion, criteria)
    _bulk_insert(PlanAction, actions)
    _bulk_insert(TimeUsed, usage)
    # Bulk inserts bypass the ORM's flush hooks, so the plans' kept summaries are filled in here.
    refresh_first_open_due(db.session.connection(), plan_ids)
    db.session.flush()
    return len(plans)


# --- a link adviser's caseload with years of visits -------------------------------------------

CASELOAD_EMAIL = "caseload.adviser@bench.invalid"
CASELOAD_PASSWORD = "caseload-bench-sign-in-2026"
VISIT_TYPES = ["core_support", "core_support", "core_support", "target_setting", "enhanced_support",
               "la_theme", "review_follow_up"]
ACTIONS = ["Review the phonics scheme with the English lead", "Share the attendance analysis with governors",
           "Plan moderation of writing with a partner school", "Update the SIP's reading priority",
           "Observe maths lessons with the deputy head", "Set up pupil progress meetings each half-term"]
OWNERS = ["Headteacher", "Deputy headteacher", "English lead", "Maths lead", "SENCo", "Chair of governors",
          "Link adviser"]

def _at(day: date, hour: int = 16) -> datetime:
    return datetime.combine(day, clock_time(hour), UTC)


def _visit_dates(rng: random.Random, year_start: int, visits: int) -> list[date]:
    """`visits` weekdays spread through an academic year's school weeks (early September to mid July)."""
    first, last = date(year_start, 9, 8), date(year_start + 1, 7, 15)
    span = (last - first).days
    days = []
    for k in range(visits):
        day = first + timedelta(days=int(span * (k + rng.random()) / visits))
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        days.append(day)
    return sorted(days)


def _note_row(school_id: int, adviser_id: int, day: date, status: str, rng: random.Random) -> dict[str, Any]:
    sent = _at(day + timedelta(days=rng.randrange(1, 6))) if status in {"sent", "responded", "finalised"} else None
    return {
        "school_id": school_id, "adviser_id": adviser_id, "visit_date": day,
        "visit_type_code": rng.choice(VISIT_TYPES), "status": status,
        "purpose": "Fictional benchmark visit: progress against the school improvement plan",
        "support_aspects": ["support4success"], "people_met": "Headteacher; English lead",
        "discussion": "" if status == "planned" else "Discussed reading outcomes and the next steps agreed.",
        "strengths": "", "areas_for_development": "", "next_visit_date": None,
        "minutes_spent": None if status == "planned" else rng.choice([60, 90, 120, 180]),
        "sent_at": sent, "response_due_on": (day + timedelta(days=21)) if sent else None,
        "finalised_at": _at(day + timedelta(days=rng.randrange(20, 40))) if status == "finalised" else None,
        "created_at": _at(day - timedelta(days=14 if status == "planned" else 0)),
        "updated_at": _at(day), "version": 1,
    }


def _status(day: date, today: date, rng: random.Random) -> str:
    """What stage a note of a visit on `day` is at: recent ones are still in the factual-accuracy
    loop; older ones are finalised, but for the odd one the school never answered."""
    age = (today - day).days
    if age <= 30:
        return rng.choices(["draft", "sent", "responded", "finalised"], weights=[2, 4, 2, 2])[0]
    return "sent" if rng.random() < (0.05 if age <= 365 else 0.005) else "finalised"


def seed_caseload_history(n_schools: int = 60, years: int = 10, visits_per_school_per_year: int = 6,
                          seed: int = 0, *, email: str = CASELOAD_EMAIL, password: str = CASELOAD_PASSWORD,
                          name: str = "Casey Load", today: date | None = None) -> int:
    """Make one link adviser (signing in with `email` and `password`), give them `n_schools`
    of the open schools already in the database, and bulk-insert `years` academic years of notes of
    visit for those schools (up to today: mostly finalised, recent ones sent or in draft, the next
    visit planned) with their agreed actions (mostly done, some open and overdue). Runs inside an
    app context; flushes, never commits. Returns the adviser's id."""
    from .auth.services import create_user

    rng = random.Random(seed)
    today = today or date.today()
    adviser = create_user(None, email=email, name=name, role="link_adviser", password=password)
    school_ids = list(db.session.scalars(
        select(School.id).where(School.status != "Closed").order_by(School.id).limit(n_schools)))
    if len(school_ids) < n_schools:
        raise ValueError(f"Only {len(school_ids)} open schools in the database; seed schools first")
    db.session.execute(update(School).where(School.id.in_(school_ids)).values(link_adviser_id=adviser.id))

    current = int(academic_year_for(today)[:4])
    notes: list[dict[str, Any]] = []
    for school_id in school_ids:
        for year_start in range(current - years + 1, current + 1):
            planned_one = False
            for day in _visit_dates(rng, year_start, visits_per_school_per_year):
                if day <= today:
                    notes.append(_note_row(school_id, adviser.id, day, _status(day, today, rng), rng))
                elif not planned_one and rng.random() < 0.8:
                    # Only the next visit is in the diary; later ones are not planned yet.
                    notes.append(_note_row(school_id, adviser.id, day, "planned", rng))
                    planned_one = True
    _bulk_insert(NoteOfVisit, notes)

    actions: list[dict[str, Any]] = []
    written = db.session.execute(
        select(NoteOfVisit.id, NoteOfVisit.visit_date)
        .where(NoteOfVisit.adviser_id == adviser.id, NoteOfVisit.status != "planned")
        .order_by(NoteOfVisit.id)).all()
    for note_id, day in written:
        for position in range(rng.choice([0, 1, 1, 2, 2, 3])):
            due = day + timedelta(days=rng.randrange(14, 120))
            if due >= today:
                status = "open"
            else:
                # Recent actions are sometimes still open (overdue); old ones have nearly all been closed.
                still_open = 12 if (today - due).days < 365 else 1
                status = rng.choices(["done", "dropped", "open"], weights=[90 - still_open, 10, still_open])[0]
            actions.append({"note_id": note_id, "position": position, "description": rng.choice(ACTIONS),
                            "owner": rng.choice(OWNERS), "due_on": due, "status": status})
    _bulk_insert(AgreedAction, actions)
    db.session.flush()
    return adviser.id
