"""The demo at scale: `lea-support demo --scale la|national` (from the project checkout), a
fictional authority or country with years of history loaded in bulk by bench_data's Core inserts.
Not the product: `make bench` and the national-scale tests use it too."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from lea_support.auth.models import User
from lea_support.auth.services import create_user, hash_password
from lea_support.core.calendar_services import seed_term_dates
from lea_support.core.terms import academic_year_for
from lea_support.demo import _PLACES, DEMO_PASSWORD, DEMO_SPECIALISMS, DEMO_USERS
from lea_support.extensions import db
from lea_support.schools.models import School

from .bench_data import _bulk_insert, seed_history, seed_schools

SCALES = {"la": 600, "national": 25_000}
SCALE_YEARS = 10
SCALE_START_URN = 100001
# About fifty schools to each link adviser, as in a real authority.
SCHOOLS_PER_ADVISER = 50


@dataclass
class ScaleSummary:
    """What `seed_scale` made, and how long it took."""

    counts: list[tuple[str, int]] = field(default_factory=list)
    seconds: float = 0.0


def seed_scale(schools: int, *, years: int = SCALE_YEARS, seed: int = 2026, if_empty: bool = False,
               today: date | None = None) -> ScaleSummary | None:
    """A fictional authority of `schools` schools with `years` years of history, loaded in bulk
    (bench_data's Core inserts, not the services: no audit entries), and the demo users: the link
    advisers share the schools about fifty each, the demo head has one school and the demo
    governor two. Returns the counts, or None if skipped. Flushes; the caller commits."""
    if if_empty and db.session.scalar(select(School.id).limit(1)) is not None:
        return None
    started = time.perf_counter()
    today = today or date.today()
    users = {email: create_user(None, email=email, name=name, role=role, password=DEMO_PASSWORD,
                                specialism=DEMO_SPECIALISMS.get(email))
             for email, name, role, school_index in DEMO_USERS if school_index is None}
    # The rest of the advisers in bulk, with one password hash between them.
    extra = max(0, schools // SCHOOLS_PER_ADVISER - 2)
    password_hash = hash_password(DEMO_PASSWORD)
    _bulk_insert(User, [{"email": f"adviser{k:03d}@demo.invalid", "name": f"{_PLACES[k % len(_PLACES)]} Adviser {k}",
                         "role": "link_adviser", "password_hash": password_hash} for k in range(3, extra + 3)])
    adviser_ids = [users["adviser@demo.invalid"].id, users["adviser2@demo.invalid"].id, *db.session.scalars(
        select(User.id).where(User.email.like("adviser___@demo.invalid")).order_by(User.id))]
    sia_id = users["sia@demo.invalid"].id
    made = seed_schools(schools, seed=seed, start_urn=SCALE_START_URN, adviser_ids=adviser_ids, sia_id=sia_id)
    history = seed_history(SCALE_START_URN, schools, years=years, seed=seed, today=today,
                           adviser_ids=adviser_ids, sia_id=sia_id)
    # The demo head's school and the governor's two: open schools with a link adviser, the first in
    # significant support (with a plan and a published review), the second not.
    rows = db.session.execute(
        select(School.id, School.urn, School.support_tier)
        .where(School.urn >= SCALE_START_URN, School.urn < SCALE_START_URN + schools,
               School.status != "Closed", School.link_adviser_id.is_not(None))
        .order_by(School.urn)).all()
    first = next((r for r in rows if r.support_tier == "significant"), rows[0])
    second = next(r for r in rows if r.id != first.id)
    for email, name, role, school_index in DEMO_USERS:
        if school_index is not None:
            urns = [first.urn] if role == "school_leader" else [first.urn, second.urn]
            users[email] = create_user(None, email=email, name=name, role=role, password=DEMO_PASSWORD,
                                       school_urns=urns)
    this_year = int(academic_year_for(today)[:4])
    for year_start in (this_year - 1, this_year):
        seed_term_dates(year_start, actor=users["admin@demo.invalid"])
    db.session.flush()
    everyone = db.session.scalar(select(func.count()).select_from(User)) or 0
    counts = [("users", everyone), ("link advisers", len(adviser_ids)), *history.items(made)]
    return ScaleSummary(counts=counts, seconds=time.perf_counter() - started)
