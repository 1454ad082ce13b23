"""Who reads what on a school's timeline: LA staff read every entry in the LA's own words; the
school's leaders and governors read only the entries meant for them, in the neutral wording."""
from __future__ import annotations

import html
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from lea_support.schools import services
from lea_support.schools.models import SchoolEvent
from tests.conftest import sign_in, submit

REASON = "head is weak, considering removal"
PUBLIC = "Support changed to Significant support, level 3"


@pytest.fixture
def decided(app, db, create_school, create_user):
    """A school whose tier an SIA changed through the form, giving an LA-internal reason, with one
    entry for LA eyes only and one for its governors beside it."""
    school = create_school(name="Elm Primary")
    sia = create_user("sia")
    sia_client = app.test_client()
    sign_in(sia_client, sia.email)
    response = submit(sia_client, f"/schools/{school.urn}/support", {
        "support_tier": "significant", "mcs_level": "3", "cause_for_concern": "", "reason": REASON, "evidence": ""})
    assert response.status_code == 302
    services.record_school_event(school, "governor_report_reissue", "Report being re-issued: figures wrong", sia,
                                 audience="la")
    services.record_school_event(school, "governor_report_published", "Report to governors published", sia,
                                 audience="governors")
    db.session.commit()
    return school


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("role", ["admin", "link_adviser", "sia", "project_team"])
def test_la_staff_read_the_reason_on_the_school_page(role, decided, client, login_as):
    login_as(role)
    page = _page(client, f"/schools/{decided.urn}")
    assert f"{PUBLIC}: {REASON}" in page
    assert "Report being re-issued: figures wrong" in page and "Report to governors published" in page


def test_a_school_leader_reads_the_neutral_line_and_no_la_only_entry(decided, client, login_as):
    login_as("school_leader", schools=[decided])
    page = _page(client, f"/schools/{decided.urn}")
    assert PUBLIC in page and "Report to governors published" in page
    assert REASON not in page and "considering removal" not in page
    assert "figures wrong" not in page


def test_a_governor_reads_only_the_governors_entries(decided, client, login_as):
    login_as("governor", schools=[decided])
    page = _page(client, f"/governor/schools/{decided.urn}")
    assert "Report to governors published" in page
    assert REASON not in page and PUBLIC not in page and "figures wrong" not in page


def test_the_timeline_function_gives_each_reader_their_wording(decided, create_school, create_user):
    leader = create_user("school_leader", schools=[decided])
    other_leader = create_user("school_leader", schools=[create_school()])
    lines = [e.summary for e in services.timeline(decided, leader)]
    assert PUBLIC in lines and not any(REASON in line for line in lines)
    assert services.timeline(decided, other_leader) == []
    assert f"{PUBLIC}: {REASON}" in [e.summary for e in services.timeline(decided, create_user("sia"))]


def test_every_entry_the_services_write_says_who_may_read_it(db, decided):
    event = db.session.scalars(select(SchoolEvent).where(SchoolEvent.kind == "support_decision")).one()
    assert (event.audience, event.public_summary) == ("school", PUBLIC)
    with pytest.raises(TypeError):
        services.record_school_event(decided, "x", "y")  # no audience: a writer must decide
    with pytest.raises(ValueError):
        services.record_school_event(decided, "x", "y", audience="everyone")


def test_an_adjusted_allocation_keeps_its_reason_inside_the_la(db, create_school, create_user):
    school = create_school()
    sia, leader = create_user("sia"), create_user("school_leader", schools=[school])
    services.adjust_allocation(sia, school, "2026/27", link_visits="9", consultant_days="4",
                               reason="Governors in disarray")
    db.session.commit()
    [line] = [e.summary for e in services.timeline(school, leader)]
    assert line == "Support allocation for 2026/27 adjusted to 9 visits and 4.0 consultant days"
    assert "disarray" in services.timeline(school, sia)[0].summary


def test_the_migration_gives_old_entries_an_audience_and_a_neutral_line(tmp_path):
    """0016 over rows written before it: for_governors becomes the audience; a decision's reason
    is cut from the line the school reads; a re-issue draft stays inside the LA."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from lea_support.extensions import db
    from tests.conftest import ON_POSTGRES, PG_URL, make_app, private_postgres_database

    def check(url):
        app = make_app(url)
        with app.app_context():
            upgrade(revision="0015_bounded_text")
            at = datetime(2026, 11, 1, tzinfo=UTC)
            with db.engine.begin() as conn:
                conn.execute(text(
                    "INSERT INTO schools (urn, la_code, la_name, establishment_number, name, type_name, type_group, "
                    "phase, status, head_name, street, locality, address3, town, county, postcode, website, "
                    "telephone, trust_name, ofsted_rating, gias_digest, support_tier, mcs_level, is_vulnerable, "
                    "has_significant_underachievement, created_at, updated_at) VALUES (100001, '999', '', '', "
                    "'Old School', '', '', '', 'Open', '', '', '', '', '', '', '', '', '', '', '', '', "
                    "'light_touch', 1, false, false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
                school_id = conn.execute(text("SELECT id FROM schools")).scalar_one()
                for kind, summary, for_governors in [
                        ("support_decision", f"{PUBLIC}: {REASON}", False),
                        ("notice_escalated", "Improvement Notice of 1 May 2026 escalated on 2 June 2026: no progress",
                         False),
                        ("governor_report_reissue", "Report to governors being re-issued: wrong data", False),
                        ("review_published", "Joint LEA/School Review report published", True),
                        ("visit_planned", "Visit planned for 3 December 2026", False)]:
                    conn.execute(text("INSERT INTO school_events (school_id, occurred_at, kind, summary, "
                                      "for_governors) VALUES (:s, :at, :k, :summary, :g)"),
                                 {"s": school_id, "at": at, "k": kind, "summary": summary, "g": for_governors})
            upgrade()
            with db.engine.connect() as conn:
                rows = {k: (a, p) for k, a, p in conn.execute(
                    text("SELECT kind, audience, public_summary FROM school_events"))}
            db.engine.dispose()
        assert rows == {
            "support_decision": ("school", PUBLIC),
            "notice_escalated": ("school", "Improvement Notice of 1 May 2026 escalated on 2 June 2026"),
            "governor_report_reissue": ("la", None),
            "review_published": ("governors", None),
            "visit_planned": ("school", None),
        }

    if ON_POSTGRES:
        with private_postgres_database(PG_URL, suffix="_timeline") as url:
            check(url)
    else:
        check(f"sqlite:///{tmp_path / 'old.db'}")
