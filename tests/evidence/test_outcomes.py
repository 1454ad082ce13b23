"""The data in reviews, plans and reports (issue 15, item 6)."""
from __future__ import annotations

from sqlalchemy import select

from lea_support.evidence.imports import import_data
from lea_support.evidence.outcomes import bind_criterion, criteria_met, record_outcome
from lea_support.rap.models import MidpointReview, SuccessCriterion
from lea_support.reviews.services import change_stage

KS2 = "RECTYPE,LEA,URN,PTRWM_EXP\n1,999,{urn},{rwm}%\n5,,,60%\n"


def test_a_review_keeps_the_profile_as_it_stood_when_it_left_pre_review(client, db, login_as, create_user,
                                                                         create_review, create_school):
    school = create_school()
    import_data(None, KS2.format(urn=school.urn, rwm=41).encode(), filename="ks2-2022-23.csv")
    sia = create_user("sia")
    review = create_review(school=school, lead=sia, stage="pre_review")
    change_stage(sia, review, "fieldwork")
    db.session.commit()
    import_data(None, KS2.format(urn=school.urn, rwm=77).encode(), filename="ks2-2022-23.csv")  # a correction
    db.session.commit()
    login_as("sia")
    html = client.get(f"/reviews/{review.id}").get_data(as_text=True)
    section = html.split('id="performance-data"')[1].split("</section>")[0]
    assert "As it stood when the review left pre-review" in section
    assert "41%" in section and "77%" not in section and "60%" in section


def test_a_bound_criterion_is_measured_when_new_data_arrive_and_the_counts_follow(client, db, login_as,
                                                                                  create_plan):
    plan = create_plan()
    school = plan.school
    import_data(None, KS2.format(urn=school.urn, rwm=50).encode(), filename="ks2-2022-23.csv")
    first, second = db.session.scalars(select(SuccessCriterion).join(SuccessCriterion.objective)
                                       .where(SuccessCriterion.objective.has(plan_id=plan.id))
                                       .order_by(SuccessCriterion.id)).all()
    bind_criterion(first, school.id, "PTRWM_EXP", 65)
    db.session.commit()
    assert first.baseline == "50% (2022/23)" and first.met is None
    assert criteria_met(plan.id).text == "0 of 2 success criteria met"
    import_data(None, KS2.format(urn=school.urn, rwm=68).encode(), filename="ks2-2023-24.csv")
    db.session.commit()
    db.session.expire_all()
    first = db.session.get(SuccessCriterion, first.id)
    assert (first.actual_value, first.actual_year, first.met, first.met_source) == (68, "2023/24", True, "data")
    record_outcome(db.session.get(SuccessCriterion, second.id), actual="Reading age up 8 months", met=False)
    db.session.commit()
    result = criteria_met(plan.id)
    assert result.text == "1 of 2 success criteria met"
    assert result.improvements == ["Reading, writing and maths: expected standard: 50% (2022/23) to 68% (2023/24)"]
    review = db.session.scalars(select(MidpointReview).where(MidpointReview.plan_id == plan.id)).first()
    login_as("sia")
    html = client.get(f"/plans/{plan.id}/midpoint-reviews/{review.id}").get_data(as_text=True)
    assert "1 of 2 success criteria met" in html
