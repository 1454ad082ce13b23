"""The plans are reachable from where people work: the school page and a published review."""
from __future__ import annotations

from lea_support.reviews.models import PublishedReviewReport


def test_school_page_and_published_review_link_to_plans(client, db, login_as, create_school, create_review):
    school = create_school(support_tier="significant", mcs_level=3)
    review = create_review(school=school, stage="published")
    db.session.add(PublishedReviewReport(review_id=review.id, version=1, content={}, pdf=b"%PDF-1.7",
                                         pdf_sha256="0" * 64))
    db.session.commit()
    login_as("sia")
    assert f"/schools/{school.urn}/plans" in client.get(f"/schools/{school.urn}").get_data(as_text=True)
    page = client.get(f"/reviews/{review.id}").get_data(as_text=True)
    assert f"/schools/{school.urn}/plans/new?review={review.id}" in page
