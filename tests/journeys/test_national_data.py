"""Issue 15's journey in Chromium: an administrator imports an Ofsted file; an SIA finds the
tier-review prompt it raised, accepts it and records the decision with the signal cited; a governor
sees their own school's profile and is refused another's."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from lea_support.schools.models import School, SupportDecision

OFSTED = ("URN,Inspection start date,Publication date,Category of concern,Achievement,Achievement - date of grade,"
          "Leadership and governance,Leadership and governance - date of grade\n"
          "{urn},20/01/2026,17/02/2026,Special measures,Needs attention,20/01/2026,Expected standard,20/01/2026\n")


@pytest.mark.browser
def test_an_import_raises_a_prompt_an_sia_acts_on_and_a_governor_sees_only_their_profile(
        journey: Any, db: Any, create_school: Any, create_user: Any) -> None:
    school = create_school(name="Ashby Primary School")
    other = create_school(name="Zephyr Primary School")
    admin, sia = create_user("admin"), create_user("sia", name="Sam Improvement")
    governor = create_user("governor", schools=[school])
    page = journey.page

    journey.sign_in(admin.email)
    journey.goto("/admin/data-imports")
    page.get_by_label("Data file (CSV)").set_input_files(files=[{
        "name": "ofsted-mi-2026.csv", "mimeType": "text/csv", "buffer": OFSTED.format(urn=school.urn).encode()}])
    journey.follow("button", "Import file")
    assert "Imported" in page.locator(".govuk-notification-banner").inner_text()

    journey.sign_in(sia.email)
    journey.follow("link", "Tier reviews", exact=True)
    assert "Ashby Primary School" in journey.text and "Zephyr" not in journey.text
    row = page.get_by_role("row", name="category of concern")
    journey.follow("button", "Review the tier of Ashby Primary School", within=row)
    evidence = page.get_by_label("Evidence").input_value()
    assert "Special measures" in evidence
    page.get_by_label("Significant support").check()
    page.get_by_label("Level 3").check()
    page.get_by_label("Reason for the decision").fill("Special measures at the January inspection.")
    journey.follow("button", "Record decision")
    db.session.expire_all()
    assert db.session.get(School, school.id).support_tier == "significant"
    decision = db.session.scalars(select(SupportDecision).where(SupportDecision.school_id == school.id)
                                  .order_by(SupportDecision.id.desc())).first()
    assert "Special measures" in decision.evidence

    journey.sign_in(governor.email)
    journey.goto(f"/schools/{school.urn}/profile")
    assert "Ashby Primary School" in journey.text
    journey.goto(f"/schools/{other.urn}/profile", status=403)
