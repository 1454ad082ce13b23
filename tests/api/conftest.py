"""Tokens and a small world of records for the API's tests: two schools, each with a support
decision, a note of visit sent to it, a published review, an agreed plan and a national data value."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Callable

import pytest

from lea_support.extensions import db as _db

ALL_SCOPES = ["schools:read", "casework:read", "reviews:read", "plans:read", "data:read"]


def make_token(user: Any, scopes: list[str] | None = None, *, days: int = 30) -> str:
    """A token for `user` with the scopes given (all by default, whether or not the user's page would
    offer them: the permission predicates, not the offer, must keep records from them)."""
    import secrets

    from lea_support.api.models import PersonalAccessToken
    from lea_support.api.services import DISPLAY_CHARS, TOKEN_PREFIX, _hash

    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    _db.session.add(PersonalAccessToken(user_id=user.id, name="Test token", scopes=" ".join(scopes or ALL_SCOPES),
                                        token_hash=_hash(secret), display_prefix=secret[:DISPLAY_CHARS],
                                        created_at=now, expires_at=now + timedelta(days=days)))
    _db.session.commit()
    return secret


def bearer(secret: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}", **headers}


@pytest.fixture
def token_for(db: Any) -> Callable[..., str]:
    return make_token


@dataclass
class SchoolRecords:
    school: Any
    decision: int
    note: int
    review: int
    plan: int
    value: int


def add_measure(code: str = "KS2_RWM_EXP") -> Any:
    from sqlalchemy import select

    from lea_support.evidence.models import Measure

    measure = _db.session.scalar(select(Measure).where(Measure.code == code))
    if measure is None:
        measure = Measure(code=code, label="Reading, writing and maths: expected standard", area="KS2",
                          unit="percent", higher_is_better=True, charted=True, sort_order=1, note="")
        _db.session.add(measure)
        _db.session.flush()
    return measure


def add_value(school: Any, measure: Any, year: str, number: float) -> Any:
    from lea_support.evidence.models import DataImport, MeasureValue

    data_import = DataImport(filename="ks2.csv", sha256="0" * 64, kind="ks2", academic_year=year, rows=1, counts={})
    _db.session.add(data_import)
    _db.session.flush()
    value = MeasureValue(school_id=school.id, measure_id=measure.id, academic_year=year, state="value",
                         number=number, import_id=data_import.id)
    _db.session.add(value)
    _db.session.commit()
    return value


def publish_review(school: Any, create_review: Callable[..., Any]) -> Any:
    from lea_support.reviews import reporting
    from tests.conftest import make_review_happen

    review = create_review(school=school, stage="evaluation")
    make_review_happen(review)
    reporting.record_evaluation(review.lead, review, [
        reporting.AspectJudgement(aspect_id=a.id, agreed_grade=3) for a in review.framework.aspects],
        overall_grade=3, overall_rationale="Good overall")
    reporting.save_findings(review.lead, review, [reporting.FindingData("works_well", "Reading"),
                                                  reporting.FindingData("more_effective", "Writing")])
    reporting.publish_report(review.lead, review)
    _db.session.commit()
    return review


def records_for(school: Any, *, create_note: Callable[..., Any], create_review: Callable[..., Any],
                create_plan: Callable[..., Any], create_user: Callable[..., Any]) -> SchoolRecords:
    from lea_support.schools.models import SupportDecision

    sia = create_user("sia")
    decision = SupportDecision(school_id=school.id, decided_by_id=sia.id, previous_tier="enhanced", previous_level=2,
                               support_tier="significant", mcs_level=3, is_vulnerable=True,
                               reason="Attainment fell two years running", evidence="KS2 2024/25")
    _db.session.add(decision)
    _db.session.commit()
    note = create_note(school=school, status="sent", strengths="Phonics teaching", response_due_on=date(2026, 12, 1))
    review = publish_review(school, create_review)
    plan = create_plan(school=school, sia=sia)
    value = add_value(school, add_measure(), "2024/25", 61.0)
    return SchoolRecords(school, decision.id, note.id, review.id, plan.id, value.id)


@pytest.fixture
def two_schools(db: Any, create_school: Callable[..., Any], create_note: Callable[..., Any],
                create_review: Callable[..., Any], create_plan: Callable[..., Any],
                create_user: Callable[..., Any]) -> tuple[SchoolRecords, SchoolRecords]:
    """{own} and {other}: each with one record of every resource."""
    made = []
    for _ in range(2):
        adviser = create_user("link_adviser")
        school = create_school(support_tier="significant", mcs_level=3, link_adviser_id=adviser.id,
                               is_vulnerable=True)
        made.append(records_for(school, create_note=create_note, create_review=create_review,
                                create_plan=create_plan, create_user=create_user))
    return made[0], made[1]
