"""PDF rendering that really stops (issue 13, point 1): renders run in a small pool of worker
processes; one over the time limit is killed with its process, and the user gets a clear 422 page;
a full pool is a 503 "busy" page with Retry-After, never a 500; documents that can no longer change
(a finalised note, an agreed plan) are rendered once and served from the store after that."""
from __future__ import annotations

import hashlib
import os
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from lea_support.casework import services as casework
from lea_support.casework.models import AgreedAction
from lea_support.pdf import render as pdf
from lea_support.pdf.models import StoredDocument
from lea_support.reviews.models import PublishedReviewReport
from tests.conftest import submit
from tests.governor_reports.conftest import read_pdf
from tests.reviews.test_reporting import client_for, ready_review  # noqa: F401 (fixtures)

TOO_LARGE = "This document is too large to make as PDF"
BUSY = "The service is busy making other documents"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The HTML of every render handed to the pool while the test runs (the renders still happen)."""
    seen: list[str] = []
    original = pdf.html_to_rendered_pdf

    def counting(html: str, **kw: Any) -> Any:
        seen.append(html)
        return original(html, **kw)

    monkeypatch.setattr(pdf, "html_to_rendered_pdf", counting)
    return seen


@pytest.fixture
def big_note(db, create_school, create_user, create_note):
    """A finalised note at the size the forms allow at most: 100 agreed actions, long text in each."""

    def make(actions: int = 100, length: int = 2000) -> Any:
        school = create_school()
        head = create_user("school_leader", schools=[school])
        note = create_note(school=school, status="finalised", purpose="P" * length, discussion="D " * (length // 2),
                           strengths="S " * (length // 2), areas_for_development="A " * (length // 2))
        for i in range(actions):
            db.session.add(AgreedAction(note_id=note.id, position=i, description=(f"Action {i} " + "word " * (length // 5))[:length],
                                        owner="Owner " * 20, due_on=date(2027, 2, 1), status="open"))
        db.session.commit()
        return note, head

    return make


def test_a_render_over_the_time_limit_is_killed_and_the_user_told_why(app, db, client, login_as, big_note):
    note, _ = big_note()
    app.config["PDF_RENDER_TIMEOUT_SECONDS"] = 0.3
    login_as("link_adviser")
    pool = pdf.render_pool()
    killed_before = len(pool.killed)

    response = client.get(f"/visits/{note.id}/pdf")

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert TOO_LARGE in page and "making it took longer than 0.3 seconds" in page
    assert "Make it shorter" in page and 'class="govuk-heading-l"' in page
    # The worker process that was laying it out is gone, and its CPU and memory with it.
    assert len(pool.killed) == killed_before + 1
    pid, _seconds = pool.killed[-1]
    assert not _alive(pid) and not os.path.exists(f"/proc/{pid}")
    assert pid not in pool.worker_pids()
    # Nothing half-made was stored, and the next document is made by a fresh worker.
    assert db.session.scalar(select(func.count()).select_from(StoredDocument)) == 0
    app.config["PDF_RENDER_TIMEOUT_SECONDS"] = 60
    small, _ = big_note(actions=2, length=50)
    again = client.get(f"/visits/{small.id}/pdf")
    assert again.status_code == 200 and again.data.startswith(b"%PDF")


def test_the_renderer_alone_kills_an_overrun_and_keeps_its_workers_warm():
    pool = pdf.render_pool()
    first = pdf.html_to_rendered_pdf("<p>One</p>", title="t", author="a", timeout=60, max_bytes=10**7, max_pages=5)
    warm = pool.worker_pids()
    second = pdf.html_to_rendered_pdf("<p>Two</p>", title="t", author="a", timeout=60, max_bytes=10**7, max_pages=5)
    assert first.pages == second.pages == 1
    assert warm and pool.worker_pids() == warm  # the same process made both: no start-up per render

    with pytest.raises(pdf.PdfTooLarge, match="too long") as refused:
        pdf.html_to_pdf("<p>Slow</p>" * 20000, title="t", author="a", timeout=0.2, max_bytes=10**8, max_pages=10**4)
    assert refused.value.why == "making it took longer than 0.2 seconds"
    pid, seconds = pool.killed[-1]
    assert pid in warm and not _alive(pid) and seconds < 5


def test_a_full_renderer_is_a_busy_page_not_a_wait_or_a_500(app, client, login_as, create_note):
    note = create_note()
    app.config.update(PDF_MAX_CONCURRENT=1, PDF_BUSY_WAIT_SECONDS=0.05)
    login_as("link_adviser")
    with pdf.render_pool().slot(max_concurrent=1, wait=0):  # another request is making a PDF
        response = client.get(f"/visits/{note.id}/pdf")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    page = response.get_data(as_text=True)
    assert BUSY in page and "Try again in a minute" in page
    # Its turn over, the same request succeeds.
    assert client.get(f"/visits/{note.id}/pdf").status_code == 200


def test_publishing_while_the_renderer_is_full_is_a_busy_page_and_nothing_is_published(app, db, ready_review,
                                                                                      client_for):
    review = ready_review()
    lead_client = client_for(review.lead)
    app.config.update(PDF_MAX_CONCURRENT=1, PDF_BUSY_WAIT_SECONDS=0.05)
    token_page = f"/reviews/{review.id}/report-draft"
    with pdf.render_pool().slot(max_concurrent=1, wait=0):
        response = submit(lead_client, f"/reviews/{review.id}/publish", {"reason": ""}, form_url=token_page)
    assert response.status_code == 503 and response.headers["Retry-After"] == "60"
    assert BUSY in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(PublishedReviewReport)) == 0
    # Published once the renderer has room, and the published report is served as stored.
    response = submit(lead_client, f"/reviews/{review.id}/publish", {"reason": ""}, form_url=token_page)
    assert response.status_code == 302
    report = db.session.scalars(select(PublishedReviewReport)).one()
    download = lead_client.get(f"/reviews/{review.id}/report/1.pdf")
    assert download.status_code == 200 and download.data == report.pdf


def test_a_finalised_note_is_rendered_once_then_served_from_the_store(db, client, login_as, create_note,
                                                                      create_user, renders):
    adviser = create_user("link_adviser", name="Ada Adviser")
    note = create_note(adviser=adviser, status="finalised", purpose="Check the reading plan")
    login_as("link_adviser")

    first = client.get(f"/visits/{note.id}/pdf")
    second = client.get(f"/visits/{note.id}/pdf")
    assert first.status_code == second.status_code == 200
    assert len(renders) == 1 and first.data == second.data
    stored = db.session.scalars(select(StoredDocument)).one()
    assert (stored.kind, stored.object_id) == ("note_of_visit", note.id)
    assert stored.pdf_sha256 == hashlib.sha256(first.data).hexdigest() and stored.pdf == first.data
    _, text = read_pdf(second.data)
    assert "Check the reading plan" in text

    # A finalised note can still gain an addendum: its PDF is made again, once, and replaces the stored one.
    casework.add_addendum(adviser, note, text="The visit lasted three hours", reason="Time was wrong")
    db.session.commit()
    third = client.get(f"/visits/{note.id}/pdf")
    fourth = client.get(f"/visits/{note.id}/pdf")
    assert len(renders) == 2 and third.data == fourth.data != first.data
    assert "The visit lasted three hours" in read_pdf(third.data)[1]
    db.session.expire_all()
    assert db.session.scalars(select(StoredDocument.pdf_sha256)).all() == [hashlib.sha256(third.data).hexdigest()]


def test_a_note_still_open_is_rendered_on_each_request(db, client, login_as, create_note, renders):
    note = create_note(status="draft")
    login_as("link_adviser")
    assert client.get(f"/visits/{note.id}/pdf").status_code == 200
    assert client.get(f"/visits/{note.id}/pdf").status_code == 200
    assert len(renders) == 2
    assert db.session.scalar(select(func.count()).select_from(StoredDocument)) == 0


def test_an_agreed_plan_is_rendered_once_and_a_draft_each_time(db, client, login_as, create_plan, renders):
    agreed = create_plan(objectives=1)
    draft = create_plan(school=agreed.school, status="draft", objectives=1)
    login_as("link_adviser")
    first, second = (client.get(f"/plans/{agreed.id}/pdf") for _ in range(2))
    assert first.status_code == second.status_code == 200 and first.data == second.data
    assert len(renders) == 1
    assert db.session.scalars(select(StoredDocument.kind)).all() == ["plan"]
    for _ in range(2):
        assert client.get(f"/plans/{draft.id}/pdf").status_code == 200
    assert len(renders) == 3


@pytest.fixture
def every_pdf_route(db, create_note, create_plan, create_user):
    """A URL of each PDF that is made when it is asked for."""
    from lea_support.rap.services import issue_improvement_notice
    from lea_support.schools import services as schools

    plan = create_plan(objectives=1)
    school = plan.school
    schools.issue_annual_allocations(None, "2026/27")
    notice = issue_improvement_notice(create_user("sia"), school, improvements="Attendance",
                                      comply_by=date(2027, 3, 1), issued_on=date(2026, 12, 1))
    db.session.commit()
    return {
        "note": f"/visits/{create_note(school=school).id}/pdf",
        "finalised note": f"/visits/{create_note(school=school, status='finalised').id}/pdf",
        "agreed plan": f"/plans/{plan.id}/pdf",
        "notice": f"/notices/{notice.id}.pdf",
        "allocation letter": f"/allocations/2026-27/{school.urn}/letter.pdf",
    }


def test_every_pdf_route_says_too_large_with_a_422(app, client, login_as, every_pdf_route):
    login_as("sia")
    app.config["PDF_MAX_BYTES"] = 1000
    for name, url in every_pdf_route.items():
        response = client.get(url)
        assert response.status_code == 422, name
        page = response.get_data(as_text=True)
        assert TOO_LARGE in page and "it would be larger than 0.976562 KB" in page, name
    app.config["PDF_MAX_BYTES"] = 20 * 1024 * 1024
    app.config["PDF_MAX_PAGES"] = 300
    for name, url in every_pdf_route.items():
        assert client.get(url).status_code == 200, name
