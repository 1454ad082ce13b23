"""Sharing4Success (issue 19, item 2): good practice nominated from notes and review findings,
agreed by the school before other schools see it, the directory's search, partnerships and the
four aspects across the authority."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from lea_support.reviews import reporting
from lea_support.reviews.models import ReviewFinding
from lea_support.sharing.models import GoodPractice, Partnership
from tests.conftest import count_queries, make_review_happen, new_note, new_review, new_school, sign_in, submit

TODAY = date.today()
NOMINATION = {"title": "Daily phonics in Reception", "summary": "Every child reads to an adult daily",
              "theme": "reading", "aspect": "sharing4success"}


def strong_note(school, **kw):
    return new_note(school=school, status="finalised", strengths="Consistent phonics teaching", **kw)


def nominated(client, db, school):
    note = strong_note(school)
    response = submit(client, f"/visits/{note.id}/good-practice", NOMINATION)
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    return db.session.scalars(select(GoodPractice).where(GoodPractice.note_id == note.id)).one()


def test_an_adviser_nominates_a_strength_and_the_school_agrees(app, client, db, login_as, create_user):
    school = new_school(name="Phonics Primary", phase="Primary")
    login_as("link_adviser")
    note = strong_note(school)
    form = client.get(f"/visits/{note.id}/good-practice").get_data(as_text=True)
    assert "Consistent phonics teaching" in form
    assert "Nominate a strength" in client.get(f"/visits/{note.id}").get_data(as_text=True)
    entry = nominated(client, db, school)
    assert (entry.status, entry.school_id, entry.theme) == ("nominated", school.id, "reading")

    head, other_head = create_user("school_leader", schools=[school]), create_user("school_leader",
                                                                                   schools=[new_school()])
    head_client, other_client = app.test_client(), app.test_client()
    sign_in(head_client, head.email)
    sign_in(other_client, other_head.email)
    # Not visible to other schools before the school agrees.
    assert other_client.get(f"/good-practice/{entry.id}").status_code == 403
    assert "Daily phonics" not in other_client.get("/good-practice").get_data(as_text=True)
    assert "Share this practice" in head_client.get(f"/good-practice/{entry.id}").get_data(as_text=True)
    assert submit(other_client, f"/good-practice/{entry.id}/agree", {"contact_name": "X", "contact_email": "x@y.org"},
                  form_url="/good-practice").status_code == 403

    missing = submit(head_client, f"/good-practice/{entry.id}/agree",
                     {"contact_name": "Pat Head", "contact_email": "not an address"}, form_url=f"/good-practice/{entry.id}")
    page = missing.get_data(as_text=True)
    assert missing.status_code == 422 and "Enter an email address in the correct format" in page and "Pat Head" in page
    agreed = submit(head_client, f"/good-practice/{entry.id}/agree",
                    {"contact_name": "Pat Head", "contact_email": "head@phonics.sch.uk"},
                    form_url=f"/good-practice/{entry.id}")
    assert agreed.status_code == 302
    db.session.refresh(entry)
    assert (entry.status, entry.contact_name, entry.decided_by_id) == ("agreed", "Pat Head", head.id)
    directory = other_client.get("/good-practice").get_data(as_text=True)
    assert "Daily phonics in Reception" in directory and "head@phonics.sch.uk" in directory
    assert other_client.get(f"/good-practice/{entry.id}").status_code == 200


def test_a_declined_entry_stays_out_of_the_directory(app, client, db, login_as, create_user):
    school = new_school()
    login_as("sia")
    entry = nominated(client, db, school)
    head = create_user("school_leader", schools=[school])
    head_client = app.test_client()
    sign_in(head_client, head.email)
    assert submit(head_client, f"/good-practice/{entry.id}/decline", {"reason": "Not ready yet"},
                  form_url=f"/good-practice/{entry.id}").status_code == 302
    db.session.refresh(entry)
    assert entry.status == "declined"
    assert "Daily phonics" not in client.get("/good-practice").get_data(as_text=True)
    again = submit(head_client, f"/good-practice/{entry.id}/decline", {}, form_url=f"/good-practice/{entry.id}")
    assert again.status_code == 409


def test_nominating_says_what_to_fix(client, db, login_as):
    login_as("link_adviser")
    note = strong_note(new_school())
    refused = submit(client, f"/visits/{note.id}/good-practice", {**NOMINATION, "title": "", "theme": ""})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Enter a title" in page and "Every child reads to an adult daily" in page
    plain = new_note(status="draft", strengths="")
    assert submit(client, f"/visits/{plain.id}/good-practice", NOMINATION).status_code == 422
    assert db.session.scalars(select(GoodPractice)).all() == []


def test_a_what_works_well_finding_is_nominated(client, db, login_as):
    school = new_school()
    review = new_review(school=school, stage="evaluation")
    reporting.record_evaluation(review.lead, review, [
        reporting.AspectJudgement(aspect_id=a.id, agreed_grade=3) for a in review.framework.aspects],
        overall_grade=3, overall_rationale="")
    reporting.save_findings(review.lead, review, [reporting.FindingData("works_well", "Pupils' writing stamina"),
                                                  reporting.FindingData("more_effective", "Marking")])
    db.session.commit()
    works, more = (db.session.scalars(select(ReviewFinding).where(ReviewFinding.kind == k)).one()
                   for k in ("works_well", "more_effective"))
    make_review_happen(review)
    reporting.publish_report(review.lead, review)
    db.session.commit()
    login_as("sia")
    report = client.get(f"/reviews/{review.id}/report").get_data(as_text=True)
    assert f"/review-findings/{works.id}/good-practice" in report
    assert f"/review-findings/{more.id}/good-practice" not in report
    assert "Pupils&#39; writing stamina" in client.get(f"/review-findings/{works.id}/good-practice").get_data(as_text=True)
    assert submit(client, f"/review-findings/{works.id}/good-practice",
                  {**NOMINATION, "theme": "writing"}).status_code == 302
    entry = db.session.scalars(select(GoodPractice)).one()
    assert (entry.finding_id, entry.school_id, entry.note_id) == (works.id, school.id, None)
    refused = submit(client, f"/review-findings/{more.id}/good-practice", NOMINATION)
    assert refused.status_code == 422 and "what works well" in refused.get_data(as_text=True)


def test_the_directory_is_searched_by_theme_phase_and_aspect(client, db, login_as):
    login_as("link_adviser")
    from lea_support.core.models import utcnow

    for name, phase, theme, aspect in (("Alpha Primary", "Primary", "reading", "sharing4success"),
                                       ("Beta Secondary", "Secondary", "reading", "leading4success"),
                                       ("Gamma Primary", "Primary", "mathematics", "sharing4success")):
        school = new_school(name=name, phase=phase)
        note = strong_note(school)
        db.session.add(GoodPractice(school_id=school.id, title=f"{name} practice", summary="s", theme=theme,
                                    aspect=aspect, status="agreed", note_id=note.id, nominated_by_id=note.adviser_id,
                                    contact_name="C", contact_email="c@x.org", decided_at=utcnow()))
    db.session.commit()

    def found(query):
        page = client.get("/good-practice" + query).get_data(as_text=True)
        return {title.split()[0] for title in ("Alpha Primary practice", "Beta Secondary practice",
                                               "Gamma Primary practice") if title in page}

    assert found("") == {"Alpha", "Beta", "Gamma"}
    assert found("?theme=reading") == {"Alpha", "Beta"}
    assert found("?phase=Primary") == {"Alpha", "Gamma"}
    assert found("?theme=reading&aspect=sharing4success") == {"Alpha"}
    assert found("?theme=nonsense") == {"Alpha", "Beta", "Gamma"}
    first = count_queries(client, "/good-practice")
    for n in range(3):
        school = new_school(phase="Primary")
        note = strong_note(school)
        db.session.add(GoodPractice(school_id=school.id, title=f"More {n}", summary="s", theme="reading",
                                    aspect="sharing4success", status="agreed", note_id=note.id,
                                    nominated_by_id=note.adviser_id, contact_name="C", contact_email="c@x.org",
                                    decided_at=utcnow()))
    db.session.commit()
    assert count_queries(client, "/good-practice") == first


def test_partnerships_are_recorded_with_dates_and_outcomes(app, client, db, login_as, create_user):
    lead, partner = new_school(name="Lead Primary"), new_school(name="Partner Primary")
    login_as("sia")
    data = {"lead_urn": str(lead.urn), "partner_urn": str(lead.urn), "purpose": "Early reading",
            "aspect": "sharing4success", "starts_on": [str(TODAY.day), str(TODAY.month), str(TODAY.year)],
            "ends_on": ["", "", ""]}
    same = submit(client, "/partnerships/new", data)
    assert same.status_code == 422 and "must be different schools" in same.get_data(as_text=True)
    unknown = submit(client, "/partnerships/new", {**data, "partner_urn": "999999999"})
    assert unknown.status_code == 422 and "No school with URN 999999999" in unknown.get_data(as_text=True)
    assert submit(client, "/partnerships/new", {**data, "partner_urn": str(partner.urn)}).status_code == 302
    partnership = db.session.scalars(select(Partnership)).one()
    ended = TODAY + timedelta(days=60)
    saved = submit(client, f"/partnerships/{partnership.id}",
                   {"ends_on": [str(ended.day), str(ended.month), str(ended.year)], "outcomes": "Phonics pass rate up"})
    assert saved.status_code == 302
    db.session.refresh(partnership)
    assert (partnership.ends_on, partnership.outcomes) == (ended, "Phonics pass rate up")

    partner_head, stranger = create_user("school_leader", schools=[partner]), create_user("school_leader",
                                                                                          schools=[new_school()])
    for user, expected in ((partner_head, 200), (stranger, 403)):
        c = app.test_client()
        sign_in(c, user.email)
        assert c.get(f"/partnerships/{partnership.id}").status_code == expected
    c = app.test_client()
    sign_in(c, partner_head.email)
    assert "Lead Primary" in c.get(f"/schools/{partner.urn}/sharing").get_data(as_text=True)
    assert submit(c, f"/partnerships/{partnership.id}", {"outcomes": "x"}).status_code == 403


def test_the_four_aspects_are_counted_across_the_authority(client, db, login_as):
    login_as("sia")
    visit_day = TODAY - timedelta(days=1)
    school, other = new_school(), new_school()
    new_note(school=school, visit_date=visit_day, support_aspects=["support4success", "sharing4success"])
    new_note(school=other, visit_date=visit_day, support_aspects=["sharing4success"])
    new_note(school=other, visit_date=visit_day, status="planned", support_aspects=["thirst4success"])
    db.session.add(Partnership(lead_school_id=school.id, partner_school_id=other.id, purpose="p",
                               aspect="leading4success", starts_on=visit_day))
    db.session.commit()
    page = client.get("/support-aspects").get_data(as_text=True)

    def row(code):
        import re

        cells = re.search(rf'id="aspect-{code}">.*?</tr>', page, re.S).group(0)
        return [int(n) for n in re.findall(r'numeric">(\d+)</td>', cells)]

    assert row("support4success") == [1, 0, 0]
    assert row("sharing4success") == [2, 0, 0]
    assert row("leading4success") == [0, 1, 0]
    assert row("thirst4success") == [0, 0, 0]
    first = count_queries(client, "/support-aspects")
    for _ in range(3):
        new_note(school=school, visit_date=visit_day, support_aspects=["thirst4success"])
    assert count_queries(client, "/support-aspects") == first
