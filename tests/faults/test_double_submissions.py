"""The same button pressed several times at once (a double click, a second tab, a colleague): the
change is made once and every other request is told what happened, never a 500, never a second row.

The requests are real ones, to the app served on a port with a thread per request, released
together by a barrier, so that on PostgreSQL they really do overlap in the database. (SQLite lets
one writer in at a time; the same test checks that the queued ones then see the change.)
"""
from __future__ import annotations

import html
import threading
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Iterator
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request

import pytest
from sqlalchemy import func, select

from lea_support.casework.models import NoteEvent, NoteOfVisit
from lea_support.core.models import AuditEntry
from lea_support.extensions import db as _db
from lea_support.governor_reports.models import GovernorReportVersion
from lea_support.rap.models import MidpointReview, ProjectTeam, RaisingAchievementPlan
from lea_support.reviews.models import JointReview, ReviewStageChange
from lea_support.schools.models import SchoolEvent, SupportAllocation
from tests.conftest import serving
from tests.scaleout.test_two_app_servers import Browser

TIMES = 8


@dataclass
class Answer:
    status: int
    page: str


@pytest.fixture
def server(app: Any) -> Iterator[str]:
    with serving(app) as url:
        yield url


def signed_in(base: str, email: str) -> Browser:
    browser = Browser()
    assert browser.sign_in(base, email) == 302
    return browser


def at_once(posts: list[tuple[Browser, str, dict[str, str]]]) -> list[Answer]:
    """Send every POST at the same instant, each on its own connection; their answers, in order."""
    _db.session.commit()  # the test's own session lets go of the database (SQLite: its write lock)
    barrier = threading.Barrier(len(posts))
    answers: list[Answer | None] = [None] * len(posts)

    def post(i: int, browser: Browser, url: str, fields: dict[str, str]) -> None:
        request = Request(url, urlencode(fields).encode(), {"Content-Type": "application/x-www-form-urlencoded"})
        barrier.wait(timeout=30)
        try:
            with browser.opener.open(request, timeout=120) as response:
                answers[i] = Answer(response.status, response.read().decode("utf-8", "replace"))
        except HTTPError as err:
            with err:
                answers[i] = Answer(err.code, html.unescape(err.read().decode("utf-8", "replace")))

    threads = [threading.Thread(target=post, args=(i, *p)) for i, p in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert all(a is not None for a in answers), "a request never answered"
    _db.session.expire_all()
    return answers  # type: ignore[return-value]


def same_post_at_once(browser: Browser, url: str, fields: dict[str, str], form_url: str,
                      times: int = TIMES) -> list[Answer]:
    fields = {**fields, "csrf_token": browser.csrf_token(form_url)}
    return at_once([(browser, url, fields)] * times)


def one_made_the_change(answers: list[Answer], refusal: str, *, status: int = 409) -> None:
    """One request changed the record (and was sent on, 302); each other was refused with the message."""
    statuses = sorted(a.status for a in answers)
    assert statuses == [302] + [status] * (len(answers) - 1), (statuses, [a.page[-1500:] for a in answers if a.status not in (302, status)][:1])
    for answer in answers:
        if answer.status != 302:
            assert refusal in answer.page, answer.page[-3000:]


def count(model: type, *where: Any) -> int:
    return _db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def audited(action: str) -> int:
    return count(AuditEntry, AuditEntry.action == action)


# --- reviews ----------------------------------------------------------------------------------------


def test_a_review_moves_to_fieldwork_once(db, server, create_review):
    review = create_review(stage="pre_review")
    lead = signed_in(server, review.lead.email)
    answers = same_post_at_once(lead, f"{server}/reviews/{review.id}/stage", {"stage": "fieldwork", "reason": ""},
                                f"{server}/reviews/{review.id}")
    one_made_the_change(answers, "This review has already moved to Fieldwork: reload the page to see it")
    assert db.session.get(JointReview, review.id).stage == "fieldwork"
    assert count(ReviewStageChange, ReviewStageChange.review_id == review.id) == 1
    assert audited("review.stage") == 1
    assert count(SchoolEvent, SchoolEvent.kind == "review_fieldwork") == 1


# --- allocations ------------------------------------------------------------------------------------


def test_allocations_are_issued_once(db, server, create_school, create_user):
    schools = [create_school(support_tier=tier, mcs_level=level)
               for tier, level in [("light_touch", 1), ("enhanced", 2), ("significant", 3)] * 3]
    create_school(support_tier="enhanced", mcs_level=2, status="Closed")
    sia = signed_in(server, create_user("sia").email)
    answers = same_post_at_once(sia, f"{server}/allocations/2026-27/issue", {}, f"{server}/allocations?year=2026/27",
                                times=6)
    # Issuing is idempotent: each request is sent back to the list, told how many it issued.
    assert [a.status for a in answers] == [302] * 6
    stored = db.session.scalars(select(SupportAllocation.school_id).where(SupportAllocation.academic_year == "2026/27"))
    assert sorted(stored) == sorted(s.id for s in schools)
    assert audited("allocation.issue") == 1
    page = html.unescape(sia.get(f"{server}/allocations?year=2026/27")[2])
    assert "9 allocations issued for 2026/27" in page or "Every school already has an allocation" in page


# --- Raising Achievement Plans ---------------------------------------------------------------------


def test_a_plan_is_submitted_once(db, server, create_plan):
    plan = create_plan(status="draft")
    sia = signed_in(server, plan.drafted_by.email)
    answers = same_post_at_once(sia, f"{server}/plans/{plan.id}/submit", {}, f"{server}/plans/{plan.id}")
    one_made_the_change(answers, "This plan has already been submitted for agreement: reload the page to see it")
    assert db.session.get(RaisingAchievementPlan, plan.id).status == "submitted"
    assert audited("plan.submit") == 1


def test_the_school_and_the_la_signing_at_once_agree_the_plan_once(db, server, create_plan, create_user):
    plan = create_plan(status="submitted", agreed_on=date.today())
    plan.midpoint_review_on = date.today() + timedelta(weeks=10)  # in the window when agreed today
    head = create_user("school_leader", schools=[plan.school])
    sia = db.session.get(type(plan.drafted_by), plan.drafted_by_id)
    browsers = [signed_in(server, head.email), signed_in(server, sia.email)]
    url, page = f"{server}/plans/{plan.id}/sign-off", f"{server}/plans/{plan.id}"
    posts = [(b, url, {"csrf_token": b.csrf_token(page)}) for b in browsers for _ in range(3)]
    answers = at_once(posts)
    assert sorted(a.status for a in answers) == [302, 302, 409, 409, 409, 409], [a.status for a in answers]
    refused = [a.page for a in answers if a.status == 409]
    assert all("already" in p and "reload the page to see it" in p for p in refused), refused
    agreed = db.session.get(RaisingAchievementPlan, plan.id)
    # Both signatures went in and the second agreed the plan: one team, one mid-point review.
    assert (agreed.status, agreed.school_signed_by_id, agreed.la_signed_by_id) == ("agreed", head.id, sia.id)
    assert count(ProjectTeam, ProjectTeam.plan_id == plan.id) == 1
    assert count(MidpointReview, MidpointReview.plan_id == plan.id) == 1
    assert (audited("plan.sign_off"), audited("plan.agree")) == (2, 1)


# --- notes of visit ---------------------------------------------------------------------------------


def test_a_note_is_sent_to_the_school_once(db, server, create_user, create_note):
    adviser = create_user("link_adviser")
    note = create_note(adviser=adviser, status="draft")
    browser = signed_in(server, adviser.email)
    answers = same_post_at_once(browser, f"{server}/visits/{note.id}/send", {}, f"{server}/visits/{note.id}")
    one_made_the_change(answers, "This note has already been sent to the school (it is now: sent to school): reload the page")
    assert db.session.get(NoteOfVisit, note.id).status == "sent"
    assert count(NoteEvent, NoteEvent.note_id == note.id, NoteEvent.kind == "sent") == 1
    assert audited("visit.send") == 1


def test_a_note_is_finalised_once(db, server, create_user, create_note):
    adviser = create_user("link_adviser")
    note = create_note(adviser=adviser, status="responded")
    browser = signed_in(server, adviser.email)
    answers = same_post_at_once(browser, f"{server}/visits/{note.id}/finalise", {"finalise-comment": "Agreed"},
                                f"{server}/visits/{note.id}")
    one_made_the_change(answers, "This note has already been finalised: reload the page to see it")
    assert count(NoteEvent, NoteEvent.note_id == note.id, NoteEvent.kind == "finalised") == 1
    assert audited("visit.finalise") == 1


# --- governor reports -------------------------------------------------------------------------------


def test_a_governor_report_is_published_once(db, server, app, create_user, create_school, create_note):
    from lea_support.governor_reports import services
    from tests.governor_reports.conftest import END_OF_TERM, TERM

    adviser = create_user("link_adviser")
    school = create_school(support_tier="light_touch", mcs_level=1, link_adviser_id=adviser.id)
    create_user("governor", schools=[school])
    create_note(school=school, adviser=adviser, status="finalised", visit_date=date(2026, 10, 14))
    version = services.generate_draft(None, school, TERM, today=END_OF_TERM)
    services.check_report(adviser, version, covering_note="", expected_version=None)
    db.session.commit()
    browser = signed_in(server, adviser.email)
    show = f"{server}/governor-reports/{version.report_id}"
    answers = same_post_at_once(browser, f"{show}/publish", {"version_id": str(version.version_id)}, show, times=6)
    one_made_the_change(answers, "Version 1 has already been published and never changes: reload the page to see it")
    assert db.session.get(GovernorReportVersion, version.id).status == "published"
    assert audited("governor_report.publish") == 1
    assert count(SchoolEvent, SchoolEvent.kind == "governor_report_published") == 1
    assert len(list(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))) == 1  # the governor is told once


# --- the command line and background runs: the same services, several processes at once ------------


def in_threads(app: Any, n: int, work: Any) -> list[Any]:
    """Run `work()` in n threads at once, each in its own app context and transaction (as n
    command-line processes would), committing what it did; what each returned or raised."""
    _db.session.commit()
    barrier = threading.Barrier(n)
    outcomes: list[Any] = [None] * n

    def run(i: int) -> None:
        with app.app_context():
            barrier.wait(timeout=30)
            try:
                outcomes[i] = work()
                _db.session.commit()
            except Exception as err:  # noqa: BLE001 - the test looks at what was raised
                _db.session.rollback()
                outcomes[i] = err

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    _db.session.expire_all()
    return outcomes


def test_issue_allocations_from_several_command_lines_at_once(db, app, create_school):
    from lea_support.schools.services import issue_annual_allocations

    schools = [create_school(support_tier="enhanced", mcs_level=2) for _ in range(5)]
    # What `lea-support issue-allocations 2026/27` runs, four times at once.
    outcomes = in_threads(app, 4, lambda: issue_annual_allocations(None, "2026/27"))
    assert sorted(outcomes) == [0, 0, 0, 5], outcomes
    assert count(SupportAllocation, SupportAllocation.academic_year == "2026/27") == len(schools)
    assert audited("allocation.issue") == 1


def test_a_bulk_run_of_a_term_is_started_once(db, app, create_school):
    from lea_support.core.errors import DomainError
    from lea_support.governor_reports.bulk import runs
    from lea_support.governor_reports.models import BulkRun

    create_school(support_tier="enhanced", mcs_level=2)
    outcomes = in_threads(app, 4, lambda: runs.start_bulk_run(None, term="autumn-2026", jobs=1).id)
    started = [o for o in outcomes if isinstance(o, int)]
    refused = [o for o in outcomes if isinstance(o, DomainError)]
    assert (len(started), len(refused)) == (1, 3), outcomes
    assert all("already in progress" in r.message or "has just been started" in r.message for r in refused)
    assert count(BulkRun, BulkRun.term == "autumn-2026") == 1
