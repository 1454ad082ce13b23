"""Schools with a term's worth of records, made through the services where they exist, for the
governor report tests."""
from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Callable

import pytest
from pypdf import PdfReader
from sqlalchemy import select

TERM = "autumn-2026"  # with no term dates entered: Wednesday 2 September to Friday 18 December 2026
END_OF_TERM = date(2026, 12, 18)


def read_pdf(data: bytes) -> tuple[PdfReader, str]:
    """The PDF and its text, runs of whitespace as one space."""
    reader = PdfReader(io.BytesIO(data))
    return reader, " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _published_review(db: Any, create_review: Callable[..., Any], school: Any, starts_on: date, grade: int) -> Any:
    from lea_support.reviews import reporting
    from tests.conftest import make_review_happen

    review = make_review_happen(create_review(school=school, stage="evaluation", starts_on=starts_on))
    rationale = "Below what pupils need" if grade >= 5 else ""
    reporting.record_evaluation(review.lead, review, [
        reporting.AspectJudgement(aspect_id=a.id, agreed_grade=grade, rationale=rationale)
        for a in review.framework.aspects], overall_grade=grade, overall_rationale=rationale)
    reporting.save_findings(review.lead, review, [reporting.FindingData("works_well", "Reading"),
                                                  reporting.FindingData("more_effective", "Writing")])
    reporting.publish_report(review.lead, review)
    db.session.commit()
    return review


@pytest.fixture
def significant_school(db, create_school, create_user, create_plan, create_note, create_review):
    """A school in significant support with a term of records: moved from level 4 to level 3 in the
    term, an agreed plan with actions completed this term, adviser time used, a mid-point review
    held, two visits, an allocation, two published reviews (judgements improved from 4 to 3)."""

    def make(name: str = "Brookfield Primary School", **kw: Any) -> Any:
        from lea_support.rap import services as rap
        from lea_support.rap.models import ActionUpdate, MidpointReview, ObjectiveProgress, TimeAllocation
        from lea_support.schools import services as schools
        from lea_support.schools.models import SupportDecision

        adviser = create_user("link_adviser", name=kw.pop("adviser_name", "Lena Link"))
        sia = create_user("sia", name="Sam Sia")
        school = create_school(name=name, support_tier="significant", mcs_level=4, link_adviser_id=adviser.id, **kw)
        schools.issue_annual_allocations(None, "2026/27")
        db.session.add(SupportDecision(school_id=school.id, decided_by_id=sia.id, previous_tier="light_touch",
                                       previous_level=1, support_tier="significant", mcs_level=4,
                                       reason="Outcomes fell", decided_at=datetime(2025, 10, 1, 12, tzinfo=UTC)))
        lighter = schools.change_support(sia, school, support_tier="significant", mcs_level=3, cause_for_concern=None,
                                         is_vulnerable=False, has_significant_underachievement=False,
                                         reason="Good progress in reading")
        lighter.decided_at = datetime(2026, 11, 5, 12, tzinfo=UTC)
        db.session.commit()

        plan = create_plan(school=school, sia=sia, agreed_on=date(2026, 9, 15), objectives=2)
        objectives = plan.objectives
        first_action = objectives[0].actions[0]
        rap.update_action_progress(sia, first_action, status="done", note="Phonics training delivered")
        completed_at = datetime(2026, 11, 20, 12, tzinfo=UTC)
        for update in db.session.scalars(select(ActionUpdate).where(ActionUpdate.action_id == first_action.id)):
            update.updated_at = completed_at
        first_action.updated_at = completed_at
        allocation = TimeAllocation(plan_id=plan.id, user_id=adviser.id, term=TERM, days=Decimal("3"))
        db.session.add(allocation)
        db.session.flush()
        rap.log_time_used(sia, allocation, used_on=date(2026, 10, 20), days="1", note="Coaching")
        rap.log_time_used(sia, allocation, used_on=date(2026, 10, 21), days="0.5", note="Coaching")
        review = db.session.scalars(select(MidpointReview).where(MidpointReview.plan_id == plan.id)).one()
        review.held_on, review.outcome = date(2026, 11, 24), "continue"
        review.further_review_on = date(2027, 2, 10)
        review.adequate_improvement = True
        review.summary = "Reading is improving quickly; writing needs more time."
        review.progress = [ObjectiveProgress(objective_id=objectives[0].id, progress="on_track", evidence="Data"),
                           ObjectiveProgress(objective_id=objectives[1].id, progress="some_progress", evidence="")]
        db.session.commit()

        create_note(school=school, adviser=adviser, status="finalised", visit_date=date(2026, 10, 5))
        create_note(school=school, adviser=adviser, status="sent", visit_date=date(2026, 11, 16),
                    next_visit_date=date(2027, 1, 20))
        create_note(school=school, adviser=adviser, status="planned", visit_date=date(2027, 1, 12))
        create_note(school=school, adviser=adviser, status="finalised", visit_date=date(2026, 6, 10))

        _published_review(db, create_review, school, date(2025, 11, 17), 4)
        _published_review(db, create_review, school, date(2026, 10, 12), 3)
        school.adviser = adviser
        school.plan = plan
        return school

    return make


@pytest.fixture
def light_touch_school(create_school, create_user, create_note):
    def make(name: str = "Larkrise Infant School") -> Any:
        adviser = create_user("link_adviser", name="Lou Light")
        school = create_school(name=name, support_tier="light_touch", mcs_level=1, link_adviser_id=adviser.id)
        create_note(school=school, adviser=adviser, status="finalised", visit_date=date(2026, 10, 14))
        school.adviser = adviser
        return school

    return make
