"""Many fictional schools at once, for the benchmark and the demo at scale (`lea-support demo
--scale`): tens of thousands of schools, and years of their history (about a million notes of
visit for 25,000 schools over ten years).

Rows go in with SQLAlchemy Core bulk inserts (one executemany per chunk; COPY on PostgreSQL)
rather than through the services, which would write an audit entry and a timeline event per
change. Kept summaries that the services or flush listeners maintain (`support_tier_since`,
`first_open_due_on`, a project team's `next_meeting_on`, the overview's tallies) are set here as they would be. Every
school is invented (LA code 999, URNs from `start_urn`), and every tier and level is one that
`tier_levels` allows, so the database's own constraints hold.
"""
from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

from sqlalchemy import bindparam, func, insert, select, text, update

from lea_support.auth.models import User
from lea_support.auth.services import hash_password
from lea_support.casework.models import AgreedAction, NoteOfVisit
from lea_support.core.terms import academic_year_for, format_date
from lea_support.extensions import db
from lea_support.schools.models import LinkAdviserAssignment, School, SchoolEvent, SupportDecision

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
# Who reads each of those on the timeline: the adviser's own notes stay inside the LA.
_EVENT_AUDIENCES = {"visit": "governors", "note": "la"}
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


def _bulk_insert(model: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` (dicts with the same keys) into a model's table, or a Table: executemany in
    chunks, or on PostgreSQL COPY, which is many times faster over a connection's round trips."""
    table = getattr(model, "__table__", model)
    if not rows:
        return
    if db.session.get_bind().dialect.name == "postgresql":
        _copy_rows(table, rows)
        return
    for chunk in _chunks(rows):
        db.session.execute(insert(table), chunk)


def _copy_rows(table: Any, rows: Sequence[dict[str, Any]]) -> None:
    """COPY the rows in, each value through its column type's bind processing (JSON, UTC times), and
    the columns the rows leave out given their Python-side defaults, as an INSERT would."""
    from psycopg import sql

    connection = db.session.connection()
    dialect = connection.dialect
    given = list(rows[0])
    defaults = []
    for column in table.columns:
        if column.name in rows[0] or column.default is None or column.primary_key:
            continue
        if column.default.is_scalar:
            defaults.append((column.name, column.default.arg))
        elif column.default.is_callable:
            defaults.append((column.name, column.default.arg(None)))
    names = given + [name for name, _ in defaults]
    processors = [table.c[name].type._cached_bind_processor(dialect) for name in names]
    fixed = [value for _, value in defaults]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, names)))
    with connection.connection.dbapi_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            values = [row[name] for name in given] + fixed
            copy.write_row([p(v) if p is not None and v is not None else v for p, v in zip(processors, values, strict=False)])


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


def seed_schools(n: int, *, seed: int = 0, start_urn: int = 100001, adviser_ids: Sequence[int] | None = None,
                 sia_id: int | None = None) -> BenchData:
    """Add `n` fictional schools (URNs from `start_urn`) with support decisions and timeline
    entries for some of them, shared round-robin between `adviser_ids` (default: the bench's six
    advisers) with `sia_id` taking the decisions. Keeps each school's `support_tier_since` and its
    link adviser history as the services would. Flushes; the caller commits."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    if adviser_ids is None or sia_id is None:
        *default_advisers, default_sia = bench_users()
        adviser_ids, sia_id = adviser_ids or default_advisers, sia_id or default_sia
    adviser_ids = list(adviser_ids)
    schools = [_school_row(start_urn + i, i, rng, adviser_ids, now) for i in range(n)]
    # Each school's path of decisions, ending at its current tier and level, worked out before the
    # rows go in so that `support_tier_since` (a kept summary) goes in with them.
    paths: list[tuple[list[tuple[str, int]], datetime] | None] = []
    for school in schools:
        tier, level = school["support_tier"], school["mcs_level"]
        if tier == "light_touch" and rng.random() > 0.1:
            paths.append(None)
            continue
        path = [("light_touch", 1)]
        if level >= 3 and rng.random() < 0.5:
            path.append(("enhanced", 2))
        if level >= 4 and rng.random() < 0.5:
            path.append(("significant", 3))
        if (tier, level) != path[-1]:
            path.append((tier, level))
        first = now - timedelta(days=30 * len(path) + rng.randrange(30))
        paths.append((path, first))
        since = None
        for k, ((before, _), (after, _)) in enumerate(zip(path, path[1:], strict=False)):
            if before != after:
                since = (first + timedelta(days=30 * k)).date()
        school["support_tier_since"] = since
    for school in schools:
        school.setdefault("support_tier_since", None)
    _bulk_insert(School, schools)
    ids = dict(db.session.execute(
        select(School.urn, School.id).where(School.urn >= start_urn, School.urn < start_urn + n)).all())

    decisions: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    assignments: list[dict[str, Any]] = []
    busy: list[int] = []
    for school, planned in zip(schools, paths, strict=False):
        school_id = ids[school["urn"]]
        if school["link_adviser_id"] is not None:
            assignments.append({"school_id": school_id, "adviser_id": school["link_adviser_id"],
                                "starts_on": (now - timedelta(days=rng.randrange(30, 1100))).date(),
                                "ends_on": None, "assigned_by_id": sia_id, "reason": "Fictional allocation"})
        if planned is None:
            continue
        tier, level = school["support_tier"], school["mcs_level"]
        path, when = planned
        for (before_tier, before_level), (after_tier, after_level) in zip(path, path[1:], strict=False):
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
            public = f"Support changed to {_TIER_NAMES[after_tier]}, level {after_level}"
            events.append({"school_id": school_id, "occurred_at": when, "kind": "support_decision",
                           "summary": f"{public}: {reason}", "public_summary": public,
                           "actor_id": sia_id, "audience": "school"})
            when += timedelta(days=30)
        for k in range(rng.randrange(0, 4)):
            kind, summary = rng.choice(_EVENT_KINDS)
            events.append({"school_id": school_id, "occurred_at": now - timedelta(days=7 * k + rng.randrange(7)),
                           "kind": kind, "summary": summary, "actor_id": school["link_adviser_id"],
                           "audience": _EVENT_AUDIENCES[kind], "public_summary": None})
        if len(path) > 2:
            busy.append(school["urn"])
    _bulk_insert(SupportDecision, decisions)
    _bulk_insert(SchoolEvent, events)
    _bulk_insert(LinkAdviserAssignment, assignments)
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
    from lea_support.rap.models import (
        MidpointReview,
        PlanAction,
        PlanObjective,
        RaisingAchievementPlan,
        SuccessCriterion,
        TimeAllocation,
        TimeUsed,
    )
    from lea_support.rap.summaries import refresh_first_open_due

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
        for position, objective_text in enumerate(rng.sample(PLAN_OBJECTIVES, 3), start=1):
            objectives.append({"plan_id": plan_id, "position": position, "text": objective_text, "version_id": 1})
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


# --- notes of visit ---------------------------------------------------------------------------

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


# --- years of an authority's history: the demo at scale, and the benchmark ----------------------

# Visits a year by tier (about four on average, as the Annual Support Allocation would have it).
VISITS_PER_YEAR = {"light_touch": 3, "enhanced": 5, "significant": 7}
# Termly reports to governors for the last this-many years of terms (the PDF of each is a placeholder).
GOVERNOR_REPORT_YEARS = 2
# Schools generated and inserted at a time, so that a million notes never sit in memory at once.
HISTORY_BATCH = 500
MEETING_EVERY = timedelta(weeks=6)
_TERM_ENDS = {"autumn": (12, 19), "spring": (3, 27), "summer": (7, 21)}
_FINDINGS = {"works_well": ["Leaders have an accurate view of the school's strengths.",
                            "Phonics is taught consistently from Reception.",
                            "Pupils behave well and are keen to learn."],
             "more_effective": ["Raise attainment in reading at key stage 2.",
                                "Make feedback in writing consistent across classes.",
                                "Sharpen middle leaders' checks on the quality of teaching."]}


@dataclass
class HistoryCounts:
    """What `seed_history` added."""

    notes_of_visit: int = 0
    visit_actions: int = 0
    timeline_entries: int = 0
    support_decisions: int = 0
    allocations: int = 0
    joint_reviews: int = 0
    plans: int = 0
    plan_actions: int = 0
    team_meetings: int = 0
    governor_reports: int = 0

    def items(self, schools: BenchData | None = None) -> list[tuple[str, int]]:
        """The counts by name, with what `seed_schools` made for the same schools added in."""
        extra = {"support_decisions": schools.decisions, "timeline_entries": schools.events} if schools else {}
        head = [("schools", schools.schools)] if schools else []
        return head + [(name.replace("_", " "), getattr(self, name) + extra.get(name, 0))
                       for name in self.__dataclass_fields__]


def placeholder_pdf(lines: Sequence[str]) -> bytes:
    """A one-page PDF of plain lines (Helvetica, ASCII): the stored PDF of records made in bulk,
    where rendering each one would take hours. Written by hand, so no renderer is involved."""
    def escape(line: str) -> str:
        return line.encode("ascii", "replace").decode().replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    text = "BT /F1 12 Tf 72 770 Td " + " 0 -18 Td ".join(f"({escape(line)}) Tj" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        "/Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(text)} >>\nstream\n{text}\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("ascii")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("ascii")
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode("ascii")
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode("ascii")
    return bytes(out)


BULK_PDF = placeholder_pdf(["Fictional demo data.", "This record was generated in bulk; its PDF is a placeholder."])
BULK_PDF_SHA256 = hashlib.sha256(BULK_PDF).hexdigest()


class _Ids:
    """Primary keys handed out in Python, so that child rows can be built before their parents are
    read back. Only for loading a database nobody else is writing to; `sync` then moves
    PostgreSQL's sequences past them."""

    def __init__(self) -> None:
        self.next: dict[type, int] = {}

    def take(self, model: type) -> int:
        if model not in self.next:
            self.next[model] = (db.session.scalar(select(func.max(model.id))) or 0) + 1
        value = self.next[model]
        self.next[model] = value + 1
        return value

    def sync(self) -> None:
        if db.session.get_bind().dialect.name != "postgresql":
            return
        for model in self.next:
            table = model.__tablename__
            db.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))


def _term_end(code: str) -> date:
    season, year = code.split("-")
    month, day = _TERM_ENDS[season]
    return date(int(year), month, day)


def seed_history(start_urn: int, n: int, *, years: int = 10, seed: int = 0, today: date | None = None,
                 adviser_ids: Sequence[int] | None = None, sia_id: int | None = None) -> HistoryCounts:
    """Give the open schools among the `n` from `start_urn` (made by `seed_schools`) `years`
    academic years of history: notes of visit with agreed actions and a timeline entry each,
    Annual Support Allocations, earlier support decisions (a spell in enhanced support for some),
    published Joint LEA/School Reviews, an agreed plan for each school in significant support
    with its project team and meetings, and termly governor reports. Kept summaries
    (`support_tier_since`, `first_open_due_on`, a team's `next_meeting_on`) are set as the
    services would. Inserts in batches of schools; flushes, never commits."""
    from lea_support.casework.summaries import refresh_school_tallies
    from lea_support.governor_reports.models import GovernorReport, GovernorReportVersion
    from lea_support.rap.models import (
        ActionUpdate,
        MidpointReview,
        PlanAction,
        PlanObjective,
        ProjectTeam,
        ProjectTeamMember,
        RaisingAchievementPlan,
        TeamMeeting,
        meeting_attendance,
    )
    from lea_support.reviews.models import (
        AspectEvaluation,
        JointReview,
        JudgementScale,
        PublishedReviewReport,
        ReviewFinding,
        ReviewFramework,
        ReviewStageChange,
        ReviewTeamMember,
    )
    from lea_support.schools.models import SupportAllocation, SupportTier

    rng = random.Random(seed)
    today = today or date.today()
    now = datetime.now(UTC)
    if adviser_ids is None or sia_id is None:
        *default_advisers, default_sia = bench_users()
        adviser_ids, sia_id = adviser_ids or default_advisers, sia_id or default_sia
    adviser_ids = list(adviser_ids)
    counts = HistoryCounts()
    ids = _Ids()
    schools = db.session.execute(
        select(School.id, School.urn, School.name, School.la_name, School.support_tier, School.link_adviser_id,
               School.support_tier_since)
        .where(School.urn >= start_urn, School.urn < start_urn + n, School.status != "Closed")
        .order_by(School.id)).all()
    current = int(academic_year_for(today)[:4])
    first_year = current - years + 1
    history_start = date(first_year, 9, 1)
    tiers = {t.code: t for t in db.session.scalars(select(SupportTier))}
    framework = db.session.scalars(select(ReviewFramework).where(ReviewFramework.is_current.is_(True))).first()
    scale = db.session.scalars(select(JudgementScale).where(JudgementScale.is_current.is_(True))).first()
    # The terms of the last GOVERNOR_REPORT_YEARS years that have ended, no further back than the history.
    ended = [code for y in range(current - GOVERNOR_REPORT_YEARS, current + 1)
             for code in (f"autumn-{y}", f"spring-{y + 1}", f"summer-{y + 1}") if _term_end(code) < today]
    report_terms = ended[-3 * min(years, GOVERNOR_REPORT_YEARS):]

    for start in range(0, len(schools), HISTORY_BATCH):
        batch = schools[start:start + HISTORY_BATCH]
        rows: dict[type | Any, list[dict[str, Any]]] = {}

        def add(model: Any, row: dict[str, Any]) -> None:
            rows.setdefault(model, []).append(row)

        def event(school_id: int, at: datetime, kind: str, summary: str, actor: int | None,
                  audience: str = "school", public_summary: str | None = None) -> None:
            add(SchoolEvent, {"school_id": school_id, "occurred_at": at, "kind": kind, "summary": summary,
                              "actor_id": actor, "audience": audience, "public_summary": public_summary})

        since_updates = []
        for school_id, urn, name, la_name, tier, link_adviser, since in batch:
            # Allocations, one per year, from the tier's defaults.
            for y in range(first_year, current + 1):
                add(SupportAllocation, {"school_id": school_id, "academic_year": f"{y}/{str(y + 1)[2:]}",
                                        "support_tier": tier, "link_visits": tiers[tier].default_link_visits,
                                        "consultant_days": tiers[tier].default_consultant_days,
                                        "adjustment_reason": "", "adjusted_by_id": None, "updated_at": now})
            # A spell in enhanced support some years ago, for some schools now in light touch.
            if tier == "light_touch" and since is None and years >= 3 and rng.random() < 0.15:
                # Back to light touch at least two months ago.
                went = history_start + timedelta(days=rng.randrange(0, max(1, (today - history_start).days - 760)))
                back = went + timedelta(days=rng.randrange(300, 700))
                for when, before, after, reason in ((went, ("light_touch", 1), ("enhanced", 2), _REASONS[1]),
                                                    (back, ("enhanced", 2), ("light_touch", 1), _REASONS[4])):
                    at = _at(when, 11)
                    add(SupportDecision, {
                        "school_id": school_id, "decided_at": at, "decided_by_id": sia_id,
                        "previous_tier": before[0], "previous_level": before[1], "support_tier": after[0],
                        "mcs_level": after[1], "cause_for_concern": None, "is_vulnerable": False,
                        "has_significant_underachievement": False, "reason": reason, "evidence": "Fictional data"})
                    public = f"Support changed to {_TIER_NAMES[after[0]]}, level {after[1]}"
                    event(school_id, at, "support_decision", f"{public}: {reason}", sia_id, public_summary=public)
                since_updates.append({"b_id": school_id, "b_since": back})
            # Notes of visit, each with its agreed actions and a timeline entry for where it has got to.
            for y in range(first_year, current + 1):
                adviser = link_adviser if link_adviser and y >= current - 2 else rng.choice(adviser_ids)
                planned_one = False
                for day in _visit_dates(rng, y, VISITS_PER_YEAR[tier]):
                    if day > today:
                        if planned_one or rng.random() >= 0.8:
                            continue
                        status, planned_one = "planned", True
                    else:
                        status = _status(day, today, rng)
                    note = _note_row(school_id, adviser, day, status, rng)
                    note["id"] = note_id = ids.take(NoteOfVisit)
                    add(NoteOfVisit, note)
                    if status == "planned":
                        event(school_id, note["created_at"], "visit_planned", f"Visit planned for {format_date(day)}",
                              adviser)
                        continue
                    if status == "finalised":
                        event(school_id, note["finalised_at"], "visit_finalised",
                              f"Note of visit on {format_date(day)} finalised", adviser)
                    elif status in ("sent", "responded"):
                        event(school_id, note["sent_at"], "visit_sent",
                              f"Note of visit on {format_date(day)} sent to the school for checking", adviser)
                    else:
                        event(school_id, note["created_at"], "visit_recorded",
                              f"Visit on {format_date(day)} recorded", adviser)
                    for position in range(rng.choice([0, 0, 1, 1, 2])):
                        due = day + timedelta(days=rng.randrange(14, 120))
                        if due >= today:
                            action_status = "open"
                        else:
                            still_open = 12 if (today - due).days < 365 else 1
                            action_status = rng.choices(["done", "dropped", "open"],
                                                        weights=[90 - still_open, 10, still_open])[0]
                        add(AgreedAction, {"note_id": note_id, "position": position,
                                           "description": rng.choice(ACTIONS), "owner": rng.choice(OWNERS),
                                           "due_on": due, "status": action_status})
            # Joint LEA/School Reviews: every school in significant support has had one this past
            # year; some have had one before, as have some in enhanced support and a few others.
            review_days = []
            if tier == "significant":
                review_days.append(today - timedelta(days=rng.randrange(250, 330)))
            chance = {"significant": 0.4, "enhanced": 0.25, "light_touch": 0.03}[tier]
            if years >= 3 and rng.random() < chance:
                review_days.append(history_start + timedelta(days=rng.randrange(0, 365 * (years - 2))))
            for starts_on in review_days:
                review_id = ids.take(JointReview)
                grades = {a.id: rng.choice([3, 4, 4, 5]) for a in framework.aspects}
                overall = round(sum(grades.values()) / len(grades))
                published = _at(starts_on + timedelta(days=21), 10)
                add(JointReview, {"id": review_id, "school_id": school_id, "framework_id": framework.id,
                                  "scale_id": scale.id, "lead_id": sia_id, "stage": "published",
                                  "starts_on": starts_on, "ends_on": starts_on + timedelta(days=1),
                                  "pre_review_commentary": "", "overall_grade": overall,
                                  "overall_rationale": "Fictional review: the judgement agreed with the school's leaders",
                                  "created_at": _at(starts_on - timedelta(days=42)), "updated_at": published})
                team = [(sia_id, "", "lead", ""), (link_adviser or rng.choice(adviser_ids), "", "link_adviser", ""),
                        (None, "A. Headteacher", "school", "Headteacher")]
                for user_id, person, role, job in team:
                    add(ReviewTeamMember, {"review_id": review_id, "user_id": user_id, "name": person,
                                           "team_role": role, "job_title": job})
                stages = ["planned", "pre_review", "fieldwork", "evaluation", "report_drafted", "published"]
                for k, (before, after) in enumerate(zip(stages, stages[1:], strict=False)):
                    add(ReviewStageChange, {"review_id": review_id, "from_stage": before, "to_stage": after,
                                            "reason": "", "changed_by_id": sia_id,
                                            "changed_at": _at(starts_on + timedelta(days=5 * k - 10), 9)})
                for aspect in framework.aspects:
                    add(AspectEvaluation, {"review_id": review_id, "aspect_id": aspect.id, "scale_id": scale.id,
                                           "proposed_grade": grades[aspect.id], "agreed_grade": grades[aspect.id],
                                           "rationale": "", "school_disagreed": False, "school_view": ""})
                findings: dict[str, list[dict[str, Any]]] = {}
                for kind, texts in _FINDINGS.items():
                    for position, finding in enumerate(rng.sample(texts, 2)):
                        finding_id = ids.take(ReviewFinding)
                        add(ReviewFinding, {"id": finding_id, "review_id": review_id, "kind": kind,
                                            "position": position, "text": finding, "aspect_id": None})
                        findings.setdefault(kind, []).append({"id": finding_id, "text": finding, "aspect": ""})
                labels = {g.grade: g.label for g in scale.grades}
                content = {
                    "version": 1, "reason": "", "published_on": published.date().isoformat(),
                    "published_on_text": format_date(published.date()),
                    "school": {"name": name, "urn": urn, "la_name": la_name}, "review_id": review_id,
                    "starts_on": starts_on.isoformat(), "ends_on": (starts_on + timedelta(days=1)).isoformat(),
                    "dates": f"{format_date(starts_on)} to {format_date(starts_on + timedelta(days=1))}",
                    "lead": "Sam Improvement", "team": [],
                    "scale": {"id": scale.id, "name": scale.name, "version": scale.version,
                              "grades": [{"grade": g, "label": label} for g, label in labels.items()]},
                    "framework": {"id": framework.id, "name": framework.name, "version": framework.version},
                    "aspects": [{"code": a.code, "name": a.name, "grade": grades[a.id], "label": labels[grades[a.id]],
                                 "rationale": "", "school_disagreed": False, "school_view": ""}
                                for a in framework.aspects],
                    "overall": {"grade": overall, "label": labels[overall],
                                "rationale": "Fictional review: the judgement agreed with the school's leaders"},
                    "findings": findings, "disagreements": [],
                }
                add(PublishedReviewReport, {"review_id": review_id, "version": 1, "published_at": published,
                                            "published_by_id": sia_id, "reason": "", "content": content,
                                            "pdf": BULK_PDF, "pdf_sha256": BULK_PDF_SHA256})
                event(school_id, published, "review_published",
                      f"Joint LEA/School Review of {format_date(starts_on)} published", sia_id, audience="governors")
            # Termly reports to governors, published a fortnight after the end of each term.
            for code in report_terms:
                report_id = ids.take(GovernorReport)
                published = _at(_term_end(code) + timedelta(days=14), 15)
                layout = "summary" if tier == "light_touch" else "full"
                reporter = link_adviser or adviser_ids[0]
                add(GovernorReport, {"id": report_id, "school_id": school_id, "term": code,
                                     "academic_year": academic_year_for(_term_end(code)),
                                     "created_at": published - timedelta(days=7)})
                add(GovernorReportVersion, {
                    "report_id": report_id, "version": 1, "status": "published", "layout": layout, "reason": "",
                    "content": {"title": f"Report to governors: {name}, {code}", "author": la_name,
                                "layout": layout, "term": code, "school": {"name": name, "urn": urn},
                                "generated_in_bulk": True},
                    "pdf": BULK_PDF, "pdf_sha256": BULK_PDF_SHA256, "pdf_pages": 1,
                    "generated_at": published - timedelta(days=7), "generated_by_id": None, "covering_note": "",
                    "checked_at": published - timedelta(days=2), "checked_by_id": reporter,
                    "published_at": published, "published_by_id": reporter, "version_id": 1})
                event(school_id, published, "governor_report_published",
                      f"Report to governors for the {code.replace('-', ' term ')} published", reporter,
                      audience="governors")

        order = [SupportAllocation, SupportDecision, NoteOfVisit, AgreedAction, JointReview, ReviewTeamMember,
                 ReviewStageChange, AspectEvaluation, ReviewFinding, PublishedReviewReport, GovernorReport,
                 GovernorReportVersion, SchoolEvent]
        for model in order:
            _bulk_insert(model, rows.get(model, []))
        if since_updates:
            db.session.execute(update(School.__table__).where(School.__table__.c.id == bindparam("b_id"))
                               .values(support_tier_since=bindparam("b_since")), since_updates)
        # The overview's kept summaries, as the flush would have kept them.
        refresh_school_tallies(db.session.connection(), [row.id for row in batch])
        counts.notes_of_visit += len(rows.get(NoteOfVisit, []))
        counts.visit_actions += len(rows.get(AgreedAction, []))
        counts.support_decisions += len(rows.get(SupportDecision, []))
        counts.allocations += len(rows.get(SupportAllocation, []))
        counts.joint_reviews += len(rows.get(JointReview, []))
        counts.governor_reports += len(rows.get(GovernorReport, []))
        counts.timeline_entries += len(rows.get(SchoolEvent, []))

    # Plans, their project teams and meetings, for the schools in significant support.
    significant = [s[0] for s in schools if s[4] == "significant"]
    counts.plans = seed_plans(significant, seed=seed, today=today)
    plans = db.session.execute(
        select(RaisingAchievementPlan.id, RaisingAchievementPlan.school_id, RaisingAchievementPlan.agreed_on,
               School.link_adviser_id)
        .join(School, School.id == RaisingAchievementPlan.school_id)
        .where(School.urn >= start_urn, School.urn < start_urn + n, RaisingAchievementPlan.status == "agreed")).all()
    # Mid-point reviews whose date has passed have mostly been held (the plan continues, with a
    # further review scheduled, as `record_midpoint_review` would); the rest are overdue.
    held, further = [], []
    for review_id, plan_id, school_id, scheduled_on in db.session.execute(
            select(MidpointReview.id, MidpointReview.plan_id, MidpointReview.school_id, MidpointReview.scheduled_on)
            .join(School, School.id == MidpointReview.school_id)
            .where(School.urn >= start_urn, School.urn < start_urn + n, MidpointReview.held_on.is_(None),
                   MidpointReview.scheduled_on < today - timedelta(days=7))).all():
        if rng.random() < 0.15:
            continue
        next_on = scheduled_on + timedelta(weeks=12)
        held.append({"b_id": review_id, "held_on": scheduled_on, "led_by_id": sia_id, "scale_id": scale.id,
                     "capacity_grade": 4, "adequate_improvement": True, "outcome": "continue",
                     "summary": "Progress in reading; writing needs more time.", "further_review_on": next_on,
                     "recorded_at": _at(scheduled_on)})
        further.append({"plan_id": plan_id, "school_id": school_id, "sequence": 2, "scheduled_on": next_on,
                        "version_id": 1})
    if held:
        table = MidpointReview.__table__
        db.session.execute(update(table).where(table.c.id == bindparam("b_id"))
                           .values({k: bindparam(k) for k in held[0] if k != "b_id"}), held)
        _bulk_insert(MidpointReview, further)
    teams, members, meetings, attendance, events = [], [], [], [], []
    for plan_id, school_id, agreed_on, link_adviser in plans:
        team_id = ids.take(ProjectTeam)
        coordinator = link_adviser or rng.choice(adviser_ids)
        people = []
        for user_id, person, role in ((coordinator, "", "link_adviser"), (sia_id, "", "sia"),
                                      (None, "A. Headteacher", "school_slt")):
            member_id = ids.take(ProjectTeamMember)
            people.append(member_id)
            members.append({"id": member_id, "team_id": team_id, "user_id": user_id, "name": person,
                            "team_role": role, "joined_on": agreed_on, "left_on": None})
        held = agreed_on + timedelta(weeks=2)
        last = None
        while held <= today:
            meeting_id = ids.take(TeamMeeting)
            meetings.append({"id": meeting_id, "team_id": team_id, "held_on": held,
                             "minutes": "Reviewed progress against the plan's actions.",
                             "decisions": "Carry on as planned.", "next_meeting_on": held + MEETING_EVERY,
                             "amendment_plan_id": None, "recorded_by_id": coordinator, "recorded_at": _at(held)})
            attendance.extend({"meeting_id": meeting_id, "member_id": m} for m in people)
            events.append({"school_id": school_id, "occurred_at": _at(held), "kind": "team_meeting",
                           "summary": f"Project team met on {format_date(held)}", "actor_id": coordinator,
                           "audience": "school", "public_summary": None})
            last = held
            held += MEETING_EVERY
        teams.append({"id": team_id, "plan_id": plan_id, "school_id": school_id, "formed_on": agreed_on,
                      "coordinator_id": coordinator, "handed_over_from_id": sia_id,
                      "handed_over_at": _at(agreed_on, 12), "version_id": 1,
                      # A kept summary: the date set at the latest meeting.
                      "next_meeting_on": (last + MEETING_EVERY) if last else agreed_on + timedelta(weeks=2)})
    _bulk_insert(ProjectTeam, teams)
    _bulk_insert(ProjectTeamMember, members)
    _bulk_insert(TeamMeeting, meetings)
    _bulk_insert(meeting_attendance, attendance)
    _bulk_insert(SchoolEvent, events)
    counts.team_meetings = len(meetings)
    counts.timeline_entries += len(events)
    # The history behind each action marked done.
    plan_ids = [p[0] for p in plans]
    updates = []
    for start in range(0, len(plan_ids), CHUNK_SIZE):
        for action_id, school_id, starts_on, status in db.session.execute(
                select(PlanAction.id, RaisingAchievementPlan.school_id, PlanAction.starts_on, PlanAction.status)
                .join(PlanObjective, PlanObjective.id == PlanAction.objective_id)
                .join(RaisingAchievementPlan, RaisingAchievementPlan.id == PlanObjective.plan_id)
                .where(PlanObjective.plan_id.in_(plan_ids[start:start + CHUNK_SIZE]))):
            counts.plan_actions += 1
            if status == "done":
                updates.append({"action_id": action_id, "meeting_id": None, "school_id": school_id,
                                "updated_by_id": sia_id, "updated_at": _at(min(starts_on + timedelta(weeks=3), today)),
                                "status_from": "in_progress", "status_to": "done", "note": "Completed"})
    _bulk_insert(ActionUpdate, updates)
    ids.sync()
    db.session.flush()
    return counts


# --- national data: measures over the years, and tier-review prompts ---------------------------------

# The measures every school of a stage gets a value of each year (the table at national size).
_EVERY_SCHOOL_MEASURES = ("PTRWM_EXP", "PPERSABS10")
_RANGES = {"percent": (5.0, 95.0), "progress": (-3.0, 3.0), "score": (20.0, 70.0), "count": (40.0, 1500.0),
           "grade": (1.0, 4.0)}


def _academic_years(years: int, last: int = 2025) -> list[str]:
    return [f"{y - 1}/{str(y)[2:]}" for y in range(last - years + 1, last + 1)]


def seed_evidence(start_urn: int, n: int, *, busy_urn: int, years: int = 10, prompts: int = 300,
                  seed: int = 0) -> dict[str, int]:
    """National data for the schools `start_urn`.. (`n` of them), as imports would leave it: two
    measures for every school each year, the busy school's key stage, attendance and context
    measures with its LA's and England's figures, and up to `prompts` open tier-review prompts on schools whose tier does
    not reflect their rule. The import these values are kept with is one invented file."""
    from lea_support.evidence.imports import ensure_catalogue
    from lea_support.evidence.models import (
        Comparator,
        DataImport,
        Measure,
        MeasureValue,
        SignalRule,
        TierReviewPrompt,
    )
    from lea_support.evidence.signals import ensure_rules
    from lea_support.schools.models import SupportTier

    rng = random.Random(seed)
    ensure_catalogue()
    ensure_rules()
    measures = {m.code: m for m in db.session.scalars(select(Measure))}
    busy = db.session.scalars(select(School).where(School.urn == busy_urn)).one()
    # The busy school's own key stage (a primary school has no Progress 8), attendance and context.
    stage_area = "Key stage 4" if (busy.phase or "").startswith("Secondary") else "Key stage 2"
    numeric = [m for m in measures.values() if m.unit in _RANGES and m.area in {stage_area, "Attendance", "Context"}]
    data_import = DataImport(filename=f"bench-{start_urn}.csv", kind="census", rows=n, counts={},
                             sha256=hashlib.sha256(f"bench-{start_urn}".encode()).hexdigest())
    db.session.add(data_import)
    comparators = []
    for level, la_code in (("la", busy.la_code), ("national", "")):
        for group in ("state-funded", "primary", "secondary"):
            found = db.session.scalars(select(Comparator).where(Comparator.level == level, Comparator.la_code == la_code,
                                                                Comparator.school_group == group)).first()
            if found is None:
                found = Comparator(level=level, la_code=la_code, school_group=group)
                db.session.add(found)
            comparators.append(found)
    db.session.flush()

    def number(measure: Any) -> float:
        low, high = _RANGES[measure.unit]
        value = rng.uniform(low, high)
        return float(round(value)) if measure.unit in {"count", "grade"} else round(value, 1)

    school_ids = db.session.scalars(select(School.id).where(School.urn >= start_urn, School.urn < start_urn + n,
                                                           School.id != busy.id)).all()
    academic_years = _academic_years(years)
    held = set(db.session.execute(select(MeasureValue.comparator_id, MeasureValue.measure_id,
                                         MeasureValue.academic_year)
                                  .where(MeasureValue.comparator_id.in_([c.id for c in comparators]))).tuples())
    rows: list[dict[str, Any]] = []
    for year in academic_years:
        rows += [{"school_id": school_id, "comparator_id": None, "measure_id": measures[code].id,
                  "academic_year": year, "state": "value", "code": "", "number": number(measures[code]),
                  "text": None, "day": None, "import_id": data_import.id}
                 for school_id in school_ids for code in _EVERY_SCHOOL_MEASURES]
        rows += [{"school_id": busy.id, "comparator_id": None, "measure_id": m.id, "academic_year": year,
                  "state": "value", "code": "", "number": number(m), "text": None, "day": None,
                  "import_id": data_import.id} for m in numeric]
        rows += [{"school_id": None, "comparator_id": c.id, "measure_id": m.id, "academic_year": year,
                  "state": "value", "code": "", "number": number(m), "text": None, "day": None,
                  "import_id": data_import.id} for c in comparators for m in numeric
                 if (c.id, m.id, year) not in held]  # an earlier stage's LA and England figures stay
    _bulk_insert(MeasureValue, rows)

    # Prompts: the rule asking for the highest tier, on the stage's schools below it.
    rule = db.session.execute(select(SignalRule.id, SupportTier.sort_order)
                              .join(SupportTier, SupportTier.code == SignalRule.min_tier)
                              .order_by(SupportTier.sort_order.desc())).first()
    raised = 0
    if rule is not None:
        below = db.session.scalars(
            select(School.id).join(SupportTier, SupportTier.code == School.support_tier)
            .where(School.urn >= start_urn, School.urn < start_urn + n, SupportTier.sort_order < rule[1])
            .order_by(School.id).limit(prompts)).all()
        now = datetime.now(UTC)
        _bulk_insert(TierReviewPrompt, [
            {"school_id": school_id, "rule_id": rule[0], "evidence_key": f"bench-{k}",
             "evidence": "Persistent absence above the threshold: 31.2% (2024/25)", "tier_at_raise": "light_touch",
             "status": "open", "raised_at": now - timedelta(minutes=k), "dismiss_reason": ""}
            for k, school_id in enumerate(below)])
        raised = len(below)
    db.session.commit()
    return {"evidence values": len(rows), "tier-review prompts": raised}
