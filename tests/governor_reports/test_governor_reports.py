"""The termly report to governors: made from the school's records, read back from the PDF."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from lea_support.governor_reports import services
from lea_support.governor_reports.content import governor_report_content
from lea_support.schools.models import SupportTier
from tests.governor_reports.conftest import END_OF_TERM, TERM, read_pdf


def test_the_full_report_holds_the_school_the_term_and_the_figures_from_the_records(db, significant_school):
    school = significant_school()
    version = services.generate_draft(None, school, TERM, today=END_OF_TERM)
    db.session.commit()
    reader, text = read_pdf(version.pdf)

    assert "Brookfield Primary School" in text and f"URN {school.urn}" in text
    assert "Autumn term 2026 (2 September 2026 to 18 December 2026), academic year 2026/27" in text
    # It opens with the celebration of progress, then the support, the plan, the review, what next.
    order = [text.index(h) for h in ("Celebrating progress", "Support this term", "Progress on the Raising Achievement "
                                     "Plan", "The mid-point review", "Judgements from the Joint LEA/School Review",
                                     "What happens next")]
    assert order == sorted(order)
    celebrating = text[order[0]:order[1]]
    for expected in ("On 5 November 2026 the school moved from Significant support (level 4) to Significant support "
                     "(level 3)", "Actions completed this term (1)", "Action for objective 1 (20 November 2026",
                     "Objectives with every action complete", "Objectives on track at the mid-point review",
                     "Achievement and standards: from 4 (Satisfactory) to 3 (Good)", "Overall: from 4 (Satisfactory) "
                     "to 3 (Good)"):
        assert expected in celebrating, expected

    visits = db.session.get(SupportTier, "significant").default_link_visits
    for expected in ("Significant support, level 3", "Link adviser Lena Link",
                     "Visits this term 2: 5 October 2026 (core support visit); 16 November 2026 (core support visit)",
                     f"Visits this year 2 of the {visits} in the school's Annual Support Allocation",
                     "1.5 used of 3 allocated", "Lena Link 3 1.5",
                     "RAG status as at 18 December 2026: 1 complete, 0 green, 0 amber, 1 red of 2 actions",
                     "Complete: 1", "Red: 1",
                     "Mid-point review held on 24 November 2026. Outcome: Continue, with a further review",
                     "Reading is improving quickly; writing needs more time.",
                     "Objective 1: raise attainment On track", "Objective 2: raise attainment Some progress",
                     "The review of 12 October 2026, beside the review of 17 November 2025",
                     "A further review of the Raising Achievement Plan: 10 February 2027",
                     "The link adviser's next visit: 12 January 2027",
                     "The next report to governors: End of the spring term 2027"):
        assert expected in text, expected
    # A visit of the previous academic year is not this year's.
    assert "10 June 2026" not in text

    pages = len(reader.pages)
    assert pages == version.pdf_pages > 1 and f"Page {pages} of {pages}" in text
    assert reader.metadata.title == "Report to governors: Brookfield Primary School, Autumn term 2026"
    assert reader.metadata.author == "Test LA School Improvement Service"
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "en-GB" and bool(catalog["/MarkInfo"]["/Marked"])
    assert "DRAFT: NOT YET PUBLISHED" in text


def test_a_report_for_one_school_never_mentions_another(db, significant_school):
    a = significant_school("Brookfield Primary School", adviser_name="Ada Adviser")
    b = significant_school("Castlegate High School", adviser_name="Bea Brown")
    pdf_a = services.generate_draft(None, a, TERM, today=END_OF_TERM).pdf
    pdf_b = services.generate_draft(None, b, TERM, today=END_OF_TERM).pdf
    db.session.commit()
    _, text_a = read_pdf(pdf_a)
    _, text_b = read_pdf(pdf_b)
    assert "Brookfield" in text_a and "Ada Adviser" in text_a and str(a.urn) in text_a
    assert "Castlegate" not in text_a and "Bea Brown" not in text_a and str(b.urn) not in text_a
    assert "Castlegate" in text_b and "Bea Brown" in text_b and str(b.urn) in text_b
    assert "Brookfield" not in text_b and "Ada Adviser" not in text_b and str(a.urn) not in text_b


def test_a_light_touch_school_gets_a_one_page_summary(db, light_touch_school):
    school = light_touch_school()
    version = services.generate_draft(None, school, TERM, today=END_OF_TERM)
    db.session.commit()
    reader, text = read_pdf(version.pdf)
    assert len(reader.pages) == 1 and version.layout == "summary"
    for expected in ("Larkrise Infant School", f"URN {school.urn}", "Autumn term 2026", "Celebrating progress",
                     "continues in light touch core support", "Visits this term 1: 14 October 2026",
                     "Link adviser Lou Light", "What happens next"):
        assert expected in text, expected
    assert "Raising Achievement Plan" not in text and "mid-point" not in text


def test_a_school_with_nothing_recorded_says_so_and_the_report_still_reads_well(db, create_school):
    school = create_school(name="Quiet Lane Primary", support_tier="enhanced", mcs_level=2)
    version = services.generate_draft(None, school, TERM, today=END_OF_TERM)
    _, text = read_pdf(version.pdf)
    assert "No completed actions or other milestones were recorded this term." in text
    assert "Link adviser Not yet assigned" in text and "Visits this term 0" in text
    assert "The school has no Raising Achievement Plan in force." in text


def test_the_content_is_plain_data_and_uses_the_authority_s_term_dates(db, significant_school, create_user):
    from lea_support.core.calendar_services import add_term

    add_term(create_user("admin"), term=TERM, starts_on=date(2026, 10, 1), ends_on=date(2026, 12, 16))
    db.session.commit()
    school = significant_school()
    content = governor_report_content(school, TERM, today=END_OF_TERM)
    assert json.loads(json.dumps(content)) == content  # strings, numbers, lists and dicts only
    assert content["term"]["dates_text"] == "1 October 2026 to 16 December 2026"
    assert content["term"]["dates_configured"] is True
    # The 5 October visit falls in the authority's term; nothing before 1 October counts.
    assert [v["date_text"] for v in content["support"]["visits"]] == ["5 October 2026", "16 November 2026"]
    assert content["as_of"] == "2026-12-16"


def test_a_term_that_is_not_a_term_is_refused(db, light_touch_school):
    import pytest

    from lea_support.core.errors import DomainError

    with pytest.raises(DomainError, match="like autumn-2026"):
        services.generate_draft(None, light_touch_school(), "winter-2026")


def test_the_support_level_chart_and_the_profile_are_drawn(db, significant_school):
    school = significant_school()
    content = governor_report_content(school, TERM, today=END_OF_TERM)
    charts = services.report_charts(content)
    assert "Support level over time: from " in charts["tier"] and "level 3 (Significant support)" in charts["tier"]
    assert "1 complete, 0 green, 0 amber, 1 red" in charts["rag"]
    assert [row["grade"] for row in charts["judgements"]] == [3] * 6
    assert "3 Good, previously 4 Satisfactory" in charts["judgements"][0]["bar"]


def test_consultant_days_from_enhanced_support_visits_are_counted(db, create_school, create_user, create_note):
    """Issue 19 item 1: the days a consultant's support visits used against their deployment on the
    school's enhanced support plan, this term and this year; planned visits, visits of another year
    and visits after the term are not counted."""
    from lea_support.enhanced import services as enhanced

    sia, consultant = create_user("sia"), create_user("consultant", name="Cara Consultant")
    school = create_school(name="Elmwood Primary School", support_tier="enhanced", mcs_level=2)
    plan = enhanced.create_support_plan(sia, school, academic_year="2026/27", purposes="Early reading",
                                        outcome_hoped="Phonics check at the LA average")
    deployment = enhanced.deploy_consultant(sia, plan, consultant_id=consultant.id, purpose="Phonics in Key Stage 1",
                                            days_allocated="6")
    db.session.commit()
    for day, days, status in ((date(2026, 10, 7), "1", "finalised"), (date(2026, 11, 18), "0.5", "sent"),
                              (date(2026, 12, 16), "2", "planned"), (date(2027, 1, 13), "1.5", "draft"),
                              (date(2026, 6, 10), "3", "finalised")):
        create_note(school=school, adviser=consultant, status=status, visit_date=day, deployment_id=deployment.id,
                    days_spent=Decimal(days))

    content = governor_report_content(school, TERM, today=END_OF_TERM)
    days = content["support"]["support_plan_days"]
    assert (days["used_term"], days["used_year"], days["allocated"], days["academic_year"]) == ("1.5", "1.5", "6",
                                                                                               "2026/27")
    assert days["rows"] == [{"name": "Cara Consultant", "specialism": "Literacy", "purpose": "Phonics in Key Stage 1",
                             "allocated": "6", "used_term": "1.5", "used_year": "1.5"}]
    spring = governor_report_content(school, "spring-2027", today=date(2027, 4, 1))["support"]["support_plan_days"]
    assert (spring["used_term"], spring["used_year"]) == ("1.5", "3")

    version = services.generate_draft(None, school, TERM, today=END_OF_TERM)
    db.session.commit()
    _, text = read_pdf(version.pdf)
    for expected in ("Consultant days on the enhanced support plan 1.5 used this term; 1.5 used of 6 allocated for "
                     "2026/27", "Cara Consultant (Literacy consultant): Phonics in Key Stage 1 6 1.5 1.5"):
        assert expected in text, expected
