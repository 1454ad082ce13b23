"""One LA-wide programme at the size of the MITA case study, inserted in bulk for the benchmark and
the tests that query counts stay flat: 44 schools, about 600 participants, 40 sessions with
attendance, a reviewer pool of 15 with 247 days, and 200 review visits whose reports are notes of
visit, each with levels against the school's baseline; a termly return from most schools."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from lea_support.auth.models import User
from lea_support.casework.models import NoteOfVisit
from lea_support.core.terms import Term
from lea_support.extensions import db
from lea_support.programmes.models import (
    Attendance,
    BaselineLevel,
    MonitoringReturn,
    Participant,
    Programme,
    ProgrammeCriterion,
    ProgrammeSchool,
    ReturnAnswer,
    ReturnQuestion,
    ReviewAssignment,
    Reviewer,
    ReviewLevel,
    TrainingSession,
)
from tools.bench_data import _bulk_insert

CRITERIA = ("TAs are deployed to add value to teachers", "TAs are prepared for every lesson",
            "TAs foster pupils' independence", "TAs' interactions with pupils are high quality",
            "Teachers and TAs have time to liaise")
QUESTIONS = (("What has changed in how TAs are deployed this term?", "text"),
             ("How embedded is TA preparation?", "level"), ("What support do you need next term?", "text"))


@dataclass
class SeededProgramme:
    programme_id: int
    enrolment_ids: list[int]
    session_id: int
    assignment_id: int


def seed_programme(school_ids: list[int], reviewer_ids: list[int], *, participants: int = 600, sessions: int = 40,
                   reviews: int = 200, name: str = "MITA", seed: int = 1, today: date | None = None) -> SeededProgramme:
    """A programme on the given schools, in bulk; the reviewers are users who can write notes of visit."""
    rng = random.Random(seed)
    today = today or date.today()
    starts = today - timedelta(days=240)
    programme = Programme(name=name, aims="Maximising the impact of teaching assistants", funder="DfE",
                          participant_title="Teaching assistants", starts_on=starts, ends_on=today + timedelta(days=120))
    db.session.add(programme)
    db.session.flush()
    pid = programme.id
    _bulk_insert(ProgrammeCriterion, [{"programme_id": pid, "position": n, "text": text}
                                      for n, text in enumerate(CRITERIA, start=1)])
    _bulk_insert(ReturnQuestion, [{"programme_id": pid, "position": n, "text": text, "hint": "", "kind": kind}
                                  for n, (text, kind) in enumerate(QUESTIONS, start=1)])
    _bulk_insert(ProgrammeSchool, [{"programme_id": pid, "school_id": sid, "enrolled_on": starts, "status": "enrolled",
                                    "baseline_on": starts + timedelta(days=14), "baseline_summary": ""}
                                   for sid in school_ids])
    enrolments = dict(db.session.execute(select(ProgrammeSchool.school_id, ProgrammeSchool.id)
                                         .where(ProgrammeSchool.programme_id == pid)).all())
    enrolment_ids = [enrolments[sid] for sid in school_ids]
    criteria = list(db.session.scalars(select(ProgrammeCriterion.id).where(ProgrammeCriterion.programme_id == pid)))
    questions = list(db.session.execute(select(ReturnQuestion.id, ReturnQuestion.kind)
                                        .where(ReturnQuestion.programme_id == pid)))
    _bulk_insert(BaselineLevel, [{"enrolment_id": eid, "criterion_id": cid, "level": rng.randint(1, 2)}
                                 for eid in enrolment_ids for cid in criteria])
    _bulk_insert(Participant, [{"programme_id": pid, "enrolment_id": enrolment_ids[k % len(enrolment_ids)],
                                "name": f"Teaching Assistant {k}", "job_title": "Teaching assistant"}
                               for k in range(participants)])
    people = list(db.session.execute(select(Participant.id, Participant.enrolment_id)
                                     .where(Participant.programme_id == pid)))
    _bulk_insert(TrainingSession, [{"programme_id": pid, "title": f"Session {k + 1}", "venue": f"Locality {k % 3 + 1}",
                                    "held_on": starts + timedelta(days=5 + 5 * k), "mandatory": k % 2 == 0}
                                   for k in range(sessions)])
    session_ids = list(db.session.scalars(select(TrainingSession.id).where(TrainingSession.programme_id == pid)
                                          .order_by(TrainingSession.id)))
    # Each participant is booked on two sessions (as the MITA residency ran), most of them present.
    rows = []
    for k, (person_id, _eid) in enumerate(people):
        for session_id in {session_ids[k % len(session_ids)], session_ids[(k + 7) % len(session_ids)]}:
            status = rng.choices(["present", "absent", "apologies"], weights=[90, 6, 4])[0]
            rows.append({"session_id": session_id, "participant_id": person_id, "programme_id": pid, "status": status,
                         "follow_up": ""})
    _bulk_insert(Attendance, rows)
    capacity = (Decimal(247) / len(reviewer_ids)).quantize(Decimal("0.1"))  # the MITA team's 247 days
    _bulk_insert(Reviewer, [{"programme_id": pid, "user_id": uid, "capacity_days": capacity} for uid in reviewer_ids])
    pool = list(db.session.scalars(select(Reviewer).where(Reviewer.programme_id == pid).order_by(Reviewer.id)))
    visits = []
    for k in range(reviews):
        visits.append({"programme_id": pid, "enrolment_id": enrolment_ids[k % len(enrolment_ids)],
                       "reviewer_id": pool[k % len(pool)].id,
                       "visit_on": starts + timedelta(days=20 + (k * 200) // max(reviews, 1)), "days": Decimal("1.0")})
    _bulk_insert(ReviewAssignment, visits)
    assignments = list(db.session.execute(
        select(ReviewAssignment.id, ReviewAssignment.enrolment_id, ReviewAssignment.visit_on, ReviewAssignment.reviewer_id)
        .where(ReviewAssignment.programme_id == pid).order_by(ReviewAssignment.id)))
    school_of = {eid: sid for sid, eid in enrolments.items()}
    user_of = {r.id: r.user_id for r in pool}
    _bulk_insert(ReviewLevel, [{"assignment_id": aid, "criterion_id": cid, "level": rng.randint(2, 4)}
                               for aid, *_ in assignments for cid in criteria])
    _bulk_insert(NoteOfVisit, [{"school_id": school_of[eid], "adviser_id": user_of[rid], "visit_date": visit_on,
                                "visit_type_code": "programme_review", "status": "finalised",
                                "purpose": "Programme review", "support_aspects": ["support4success"],
                                "discussion": "Progress against the baseline", "programme_assignment_id": aid}
                               for aid, eid, visit_on, rid in assignments])
    term = Term.current(today).slug
    submitted = enrolment_ids[: max(1, len(enrolment_ids) * 3 // 4)]
    _bulk_insert(MonitoringReturn, [{"programme_id": pid, "enrolment_id": eid, "term": term, "status": "submitted"}
                                    for eid in submitted])
    returns = list(db.session.scalars(select(MonitoringReturn.id).where(MonitoringReturn.programme_id == pid)))
    _bulk_insert(ReturnAnswer, [{"return_id": rid, "question_id": qid,
                                 "answer": "" if kind == "level" else "TAs now plan with teachers",
                                 "level": rng.randint(1, 4) if kind == "level" else None}
                                for rid in returns for qid, kind in questions])
    db.session.commit()
    return SeededProgramme(pid, enrolment_ids, session_ids[0], assignments[0][0])


def reviewer_accounts(n: int, *, prefix: str = "reviewer") -> list[int]:
    """`n` link adviser accounts to be the reviewer pool (they write up review visits)."""
    from lea_support.auth.services import create_user

    ids = []
    for k in range(n):
        email = f"{prefix}{k}@bench.invalid"
        found = db.session.scalar(select(User.id).where(User.email == email))
        ids.append(found or create_user(None, email=email, name=f"Reviewer {k}", role="link_adviser",
                                        password="Bench-password-1").id)
    db.session.commit()
    return ids


def programme_urls(seeded: SeededProgramme) -> list[tuple[str, str]]:
    """The programme's pages, as (name, url), that must answer fast at this size."""
    pid = seeded.programme_id
    return [("programme", f"/programmes/{pid}"), ("programme sessions", f"/programmes/{pid}/sessions"),
            ("session attendance (every school)", f"/programme-sessions/{seeded.session_id}"),
            ("programme absences", f"/programmes/{pid}/absences"),
            ("programme reviewers and visits", f"/programmes/{pid}/reviewers"),
            ("programme returns summary", f"/programmes/{pid}/returns"),
            ("programme school", f"/programme-schools/{seeded.enrolment_ids[0]}"),
            ("programme review visit", f"/programme-reviews/{seeded.assignment_id}"),
            ("programmes list", "/programmes")]
