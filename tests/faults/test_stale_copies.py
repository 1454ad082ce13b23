"""Two people editing the same record through its form (core/locking.py): the first to save wins;
the second, saving from the copy they opened before, is told, keeps what they typed and does not
overwrite the first. Saving again from that page is then a deliberate choice to keep theirs.

One case per record that had no lock before: fieldwork evidence, a review's evaluation and report
draft, a school's support decision, a user account and a support tier. (Notes of visit, plans,
teams, mid-point reviews and governor reports have their own tests in their areas and in
test_concurrent_saves.py.)
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable

import pytest
from sqlalchemy import select

from lea_support.auth import services as auth_services
from lea_support.reviews import reporting
from lea_support.reviews import services as review_services
from lea_support.reviews.models import JointReview, KeyQuestion
from lea_support.schools import services as school_services
from lea_support.schools.models import School, SupportDecision, SupportTier
from tests.conftest import sign_in, submit

TYPED = "Words I typed & must not lose"
EDIT_VERSION = re.compile(r'name="edit_version" type="hidden" value="(\d+)"')


@dataclass
class Case:
    url: str
    data: Callable[[], dict[str, Any]]  # the form as the second person fills it in
    theirs: Callable[[], None]  # the first person's save, through the same service
    saved: Callable[[], str]  # the text now saved


def _review(fx, stage):
    review = fx("create_review")(stage=stage)
    return review, review.lead


def _evidence(db, client, fx) -> Case:
    review, lead = _review(fx, "fieldwork")
    db.session.add(KeyQuestion(review_id=review.id, position=1, text="How well do pupils read?"))
    db.session.commit()

    def data(summary: str) -> review_services.EvidenceData:
        return review_services.EvidenceData(kind="lesson_observation", occurred_on=date(2026, 11, 17), summary=summary)

    evidence = review_services.record_evidence(lead, review, data("Before"))
    db.session.commit()
    sign_in(client, lead.email)
    return Case(f"/reviews/{review.id}/evidence/{evidence.id}/edit",
                lambda: {"occurred_on": ["17", "11", "2026"], "year_group": "Year 4", "subject": "English",
                         "joint_with_school_leader": "no", "summary": TYPED},
                lambda: review_services.update_evidence(lead, evidence, data("Theirs")),
                lambda: evidence.summary)


def _evaluation(db, client, fx) -> Case:
    from tests.reviews.test_reporting import evaluation_form, judgements_for

    review, lead = _review(fx, "evaluation")
    sign_in(client, lead.email)
    return Case(f"/reviews/{review.id}/evaluation",
                lambda: evaluation_form(review, overall_rationale=TYPED),
                lambda: reporting.record_evaluation(lead, review, judgements_for(review), overall_grade=4,
                                                    overall_rationale="Theirs"),
                lambda: db.session.get(JointReview, review.id).overall_rationale)


def _findings(db, client, fx) -> Case:
    review, lead = _review(fx, "evaluation")
    sign_in(client, lead.email)

    def saved() -> str:
        return " | ".join(f.text for f in db.session.get(JointReview, review.id).findings)

    return Case(f"/reviews/{review.id}/report-draft",
                lambda: {"works_well-0-finding_id": "", "works_well-0-text": TYPED, "works_well-0-aspect_id": ""},
                lambda: reporting.save_findings(lead, review, [reporting.FindingData("works_well", "Theirs")]),
                saved)


def _support_decision(db, client, fx) -> Case:
    school = fx("create_school")()
    sia = fx("create_user")("sia")
    sign_in(client, sia.email)

    def saved() -> str:
        return db.session.scalars(select(SupportDecision.reason).where(SupportDecision.school_id == school.id)
                                  .order_by(SupportDecision.id.desc())).first() or ""

    return Case(f"/schools/{school.urn}/support",
                lambda: {"support_tier": "enhanced", "mcs_level": "2", "cause_for_concern": "", "reason": TYPED,
                         "evidence": ""},
                lambda: school_services.change_support(
                    sia, db.session.get(School, school.id), support_tier="significant", mcs_level=4,
                    cause_for_concern=None, is_vulnerable=False, has_significant_underachievement=False,
                    reason="Theirs"),
                saved)


def _user(db, client, fx) -> Case:
    admin = fx("create_user")("admin")
    other_admin = fx("create_user")("admin")
    person = fx("create_user")("link_adviser", name="Before")
    sign_in(client, admin.email)
    return Case(f"/admin/users/{person.id}/edit",
                lambda: {"name": TYPED, "role": "link_adviser", "schools": ""},
                lambda: auth_services.update_user(other_admin, person, name="Theirs", role="link_adviser",
                                                  school_urns=[], is_disabled=False),
                lambda: person.name)


def _tier(db, client, fx) -> Case:
    admin = fx("create_user")("admin")
    other_admin = fx("create_user")("admin")
    sign_in(client, admin.email)
    tier = db.session.get(SupportTier, "enhanced")
    return Case("/admin/tiers/enhanced",
                lambda: {"name": "Enhanced support", "description": TYPED, "default_link_visits": "5",
                         "default_consultant_days": "5"},
                lambda: school_services.update_support_tier(other_admin, tier, name="Enhanced support",
                                                            description="Theirs", default_link_visits=5,
                                                            default_consultant_days=5),
                lambda: tier.description)


@pytest.mark.parametrize("make, what", [
    (_evidence, "piece of evidence"),
    (_evaluation, "evaluation"),
    (_findings, "report draft"),
    (_support_decision, "school's support"),
    (_user, "account"),
    (_tier, "support tier"),
])
def test_the_second_save_from_the_same_copy_is_told_and_loses_nothing(db, client, request, make, what):
    case = make(db, client, request.getfixturevalue)
    opened = client.get(case.url).get_data(as_text=True)
    (version,) = EDIT_VERSION.findall(opened)

    case.theirs()  # someone else saves first
    db.session.commit()

    response = submit(client, case.url, {**case.data(), "edit_version": version})
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 409, page[-2000:]
    assert f"This {what} was changed by someone else since you opened it" in page
    assert TYPED in page  # what they typed is kept
    db.session.expire_all()
    assert "Theirs" in case.saved() and TYPED not in case.saved()  # and the first save stands

    # The page now carries the version saved: saving again is a deliberate choice to keep theirs.
    (newer,) = EDIT_VERSION.findall(response.get_data(as_text=True))
    assert int(newer) > int(version)
    again = submit(client, case.url, {**case.data(), "edit_version": newer})
    assert again.status_code == 302, html.unescape(again.get_data(as_text=True))[-2000:]
    db.session.expire_all()
    assert TYPED in case.saved()
