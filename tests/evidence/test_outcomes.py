"""The data in reviews, plans and reports (issue 15, item 6)."""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from lea_support.auth.models import User
from lea_support.evidence.imports import import_data
from lea_support.evidence.outcomes import bind_criterion, criteria_met, record_outcome
from lea_support.rap.models import MidpointReview, SuccessCriterion
from lea_support.reviews.services import change_stage
from tests.conftest import sign_in, submit

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


# --- through the pages: binding a criterion, recording outcomes at the mid-point review ----------

def _criteria(db, plan) -> list[SuccessCriterion]:
    return list(db.session.scalars(select(SuccessCriterion).where(SuccessCriterion.objective.has(plan_id=plan.id))
                                   .order_by(SuccessCriterion.id)))


def _bind_url(plan, criterion) -> str:
    return f"/plans/{plan.id}/objectives/{criterion.objective_id}/criteria/{criterion.id}/measure"


def _version(db, criterion) -> str:
    from lea_support.rap.models import PlanObjective

    return str(db.session.get(PlanObjective, criterion.objective_id).version_id)


def test_an_sia_binds_a_criterion_of_the_draft_to_a_measure_and_sees_it_measured(client, db, create_plan,
                                                                                 create_user):
    sia = create_user("sia")
    plan = create_plan(sia=sia, status="draft")
    import_data(None, KS2.format(urn=plan.school.urn, rwm=50).encode(), filename="ks2-2022-23.csv")
    db.session.commit()
    first, _second = _criteria(db, plan)
    sign_in(client, sia.email)
    page = html.unescape(client.get(_bind_url(plan, first)).get_data(as_text=True))
    assert "Reading, writing and maths: expected standard (baseline 50%, 2022/23)" in page
    assert "Roll" not in page  # only measures with data for the school
    response = submit(client, _bind_url(plan, first), {"version_id": _version(db, first),
                                                       "measure_code": "PTRWM_EXP", "target": "65%"})
    assert response.status_code == 302
    db.session.expire_all()
    first = db.session.get(SuccessCriterion, first.id)
    assert (first.baseline, first.baseline_value, first.baseline_year) == ("50% (2022/23)", 50, "2022/23")
    assert (first.target, first.target_value, first.met) == ("65%", 65, None)
    objective_url = f"/plans/{plan.id}/objectives/{first.objective_id}"
    page = _text(client.get(objective_url))
    assert "Baseline 50% (2022/23), target 65%, latest: not yet measured" in page

    import_data(None, KS2.format(urn=plan.school.urn, rwm=61).encode(), filename="ks2-2023-24.csv")
    db.session.commit()
    page = _text(client.get(objective_url))
    assert "Baseline 50% (2022/23), target 65%, latest 61% (2023/24): not met" in page
    shown = _text(client.get(f"/plans/{plan.id}"))
    assert "latest 61% (2023/24): not met" in shown
    # The form opens again with the binding chosen, and rebinding takes the latest year as baseline.
    page = client.get(_bind_url(plan, first)).get_data(as_text=True)
    assert 'value="PTRWM_EXP" selected' in page and 'value="65"' in page


@pytest.mark.parametrize("data, status, message", [
    ({"measure_code": "", "target": "65"}, 422, "Choose the measure"),
    ({"measure_code": "PTRWM_EXP", "target": ""}, 422, "Enter the target"),
    ({"measure_code": "PTRWM_EXP", "target": "most"}, 422, "Enter the target as a number"),
    ({"measure_code": "NOPE", "target": "65"}, 422, "Choose a measure of the catalogue"),
    ({"measure_code": "PTRWM_EXP", "target": "65", "version_id": "0"}, 409, "As saved by someone else"),
])
def test_binding_refuses_what_is_missing_or_stale_and_changes_nothing(client, db, create_plan, create_user,
                                                                      data, status, message):
    sia = create_user("sia")
    plan = create_plan(sia=sia, status="draft")
    import_data(None, KS2.format(urn=plan.school.urn, rwm=50).encode(), filename="ks2-2022-23.csv")
    db.session.commit()
    first = _criteria(db, plan)[0]
    sign_in(client, sia.email)
    response = submit(client, _bind_url(plan, first), {"version_id": _version(db, first), **data},
                      form_url=_bind_url(plan, first))
    assert response.status_code == status
    assert message in html.unescape(response.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(SuccessCriterion, first.id).measure_id is None


def test_only_whoever_may_edit_the_draft_binds_its_criteria(app, client, db, create_plan, create_user):
    sia = create_user("sia")
    draft = create_plan(sia=sia, status="draft")
    agreed = create_plan(sia=sia)
    other = app.test_client()
    sign_in(other, create_user("sia").email)  # another SIA: not the drafter
    assert other.get(_bind_url(draft, _criteria(db, draft)[0])).status_code == 403
    sign_in(client, sia.email)
    assert client.get(_bind_url(draft, _criteria(db, draft)[0])).status_code == 200
    assert client.get(_bind_url(agreed, _criteria(db, agreed)[0])).status_code == 403  # agreed: frozen


def test_at_the_midpoint_review_the_sia_records_criteria_without_a_measure_and_both_kinds_count(
        client, db, create_plan, create_user):
    from datetime import date, timedelta

    from lea_support.rap import services

    sia = create_user("sia")
    agreed_on = date.today() - timedelta(days=100)
    plan = create_plan(sia=sia, status="draft", agreed_on=agreed_on, objectives=3)
    head = db.session.scalars(select(User).where(User.role == "school_leader")).first()
    import_data(None, KS2.format(urn=plan.school.urn, rwm=50).encode(), filename="ks2-2022-23.csv")
    measured, typed, left = _criteria(db, plan)
    sign_in(client, sia.email)
    assert submit(client, _bind_url(plan, measured), {"version_id": _version(db, measured),
                                                      "measure_code": "PTRWM_EXP", "target": "60"}).status_code == 302
    services.submit_plan(sia, plan)
    services.sign_off_plan(head, plan, on=agreed_on)
    services.sign_off_plan(sia, plan, on=agreed_on, midpoint_review_on=agreed_on + timedelta(weeks=10))
    import_data(None, KS2.format(urn=plan.school.urn, rwm=64).encode(), filename="ks2-2023-24.csv")
    db.session.commit()
    review = db.session.scalars(select(MidpointReview).where(MidpointReview.plan_id == plan.id)).one()
    url = f"/plans/{plan.id}/midpoint-reviews/{review.id}/record"
    page = client.get(url).get_data(as_text=True)
    assert "Baseline 50% (2022/23), target 60%, latest 64% (2023/24): met" in _text(client.get(url))
    assert f'name="actual_{typed.id}"' in page and f'name="actual_{measured.id}"' not in page
    base = {"version_id": str(review.version_id), "held_on": _dmy(date.today() - timedelta(days=28)),
            "led_by_id": str(sia.id), "capacity_grade": "4", "adviser_capacity_grade": "4", "adequate_improvement": "no",
            "summary": "Steady progress", "outcome": "continue",
            "further_review_on": _dmy(date.today() + timedelta(days=42)), "improvements": "", "comply_by": _dmy(None)}
    for o in plan.objectives:
        base |= {f"progress_{o.id}": "some_progress", f"evidence_{o.id}": "Seen in books"}

    refused = submit(client, url, {**base, f"actual_{typed.id}": "Reading age up 8 months"})
    assert refused.status_code == 422
    assert "Choose whether success criterion 1 of objective 2 was met" in html.unescape(refused.get_data(as_text=True))
    refused = submit(client, url, {**base, f"met_{typed.id}": "no"})
    assert refused.status_code == 422
    assert "Enter the actual value of success criterion 1 of objective 2" in \
        html.unescape(refused.get_data(as_text=True))

    done = submit(client, url, {**base, f"actual_{typed.id}": "Reading age up 8 months", f"met_{typed.id}": "no"})
    assert done.status_code == 302
    db.session.expire_all()
    typed, left = db.session.get(SuccessCriterion, typed.id), db.session.get(SuccessCriterion, left.id)
    assert (typed.actual, typed.met, typed.met_source) == ("Reading age up 8 months", False, "sia")
    assert (left.actual, left.met) == ("", None)  # left blank: not yet measured
    page = _text(client.get(f"/plans/{plan.id}/midpoint-reviews/{review.id}"))
    assert "1 of 3 success criteria met" in page
    shown = _text(client.get(f"/plans/{plan.id}"))
    assert "Actual Reading age up 8 months: not met (recorded at the mid-point review)" in shown


def _text(response) -> str:
    """The page's words, tags removed and spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", response.get_data(as_text=True))).split())


def _dmy(day) -> list[str]:
    return ["", "", ""] if day is None else [str(day.day), str(day.month), str(day.year)]
