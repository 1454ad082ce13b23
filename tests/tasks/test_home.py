"""The home page of tasks: for each kind, the task appears with its count, its link leads to the
list that does the work (each row linking to the record), and it disappears once done."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable

import pytest
from bs4 import BeautifulSoup

from lea_support.tasks import services as tasks
from tests.conftest import count_queries, new_note, new_review, new_school, new_user, sign_in, submit

TODAY = date(2026, 12, 6)


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tasks, "today", lambda: TODAY)


def home_counts(client: Any) -> dict[str, tuple[int, str]]:
    """Each task on the home page: its title, count and the link it leads to."""
    page = BeautifulSoup(client.get("/").get_data(as_text=True), "html.parser")
    found = {}
    for item in page.select(".app-task"):
        link = item.select_one("h3 a")
        title = link.get_text(" ", strip=True).split(":")[0].strip()
        found[title] = (int(item.select_one(".app-task__count").get_text(strip=True)), link["href"])
    return found


@dataclass
class World:
    user: Any
    record: Any  # what the work is done on
    client: Any


def _note_world(status: str, **kw: Any) -> Callable[[Any], World]:
    def build(client: Any) -> World:
        adviser = new_user("link_adviser")
        note = new_note(school=new_school(link_adviser_id=adviser.id), adviser=adviser, status=status, **kw)
        sign_in(client, adviser.email)
        return World(adviser, note, client)

    return build


def _send(world: World) -> None:
    note = world.record
    assert submit(world.client, f"/visits/{note.id}/send", {}, form_url=f"/visits/{note.id}").status_code == 302


def _finalise(world: World) -> None:
    note = world.record
    response = submit(world.client, f"/visits/{note.id}/finalise", {"finalise-comment": "Thank you"},
                      form_url=f"/visits/{note.id}")
    assert response.status_code == 302, response.get_data(as_text=True)


def _set(**values: Any) -> Callable[[World], None]:
    def done(world: World) -> None:
        from lea_support.extensions import db

        for name, value in values.items():
            setattr(world.record, name, value)
        db.session.commit()

    return done


def _reviews_world(client: Any) -> World:
    sia = new_user("sia")
    review = new_review(lead=sia, stage="fieldwork")
    sign_in(client, sia.email)
    return World(sia, review, client)


def _head_world(client: Any) -> World:
    school = new_school()
    head = new_user("school_leader", schools=[school])
    note = new_note(school=school, status="sent", response_due_on=TODAY + timedelta(days=5),
                    sent_at=datetime(2026, 12, 1, tzinfo=timezone.utc))
    sign_in(client, head.email)
    return World(head, note, client)


def _action_owner_world(due_on: date) -> Callable[[Any], World]:
    """A head who owns an open action agreed at a visit (the note shared with the school)."""
    def build(client: Any) -> World:
        from lea_support.casework.models import AgreedAction
        from lea_support.extensions import db

        school = new_school()
        head = new_user("school_leader", schools=[school])
        note = new_note(school=school, status="sent", response_due_on=TODAY + timedelta(days=5))
        action = AgreedAction(note_id=note.id, position=0, description="Send the audit", owner=head.name,
                              owner_id=head.id, due_on=due_on)
        db.session.add(action)
        db.session.commit()
        sign_in(client, head.email)
        return World(head, action, client)

    return build


def _respond(world: World) -> None:
    note = world.record
    response = submit(world.client, f"/visits/{note.id}/respond", {"accurate": "yes", "comment": ""},
                      form_url=f"/visits/{note.id}")
    assert response.status_code == 302


def _stalled_world(**school: Any) -> Callable[[Any], World]:
    def build(client: Any) -> World:
        sia = new_user("sia")
        record = new_school(**school)
        sign_in(client, sia.email)
        return World(sia, record, client)

    return build


def _locked_world(client: Any) -> World:
    from lea_support.auth.models import FailedSignIns
    from lea_support.extensions import db

    admin = new_user("admin")
    locked = new_user("sia")
    row = FailedSignIns(email=locked.email, failures=5, locked_until=datetime.now(timezone.utc) + timedelta(minutes=15))
    db.session.add(row)
    db.session.commit()
    sign_in(client, admin.email)
    return World(admin, row, client)


SCENARIOS = [
    # (title on the home page, world, the work that clears it)
    ("Drafts not sent", _note_world("draft"), _send),
    ("Visits to write up", _note_world("planned", visit_date=TODAY - timedelta(days=1)), _set(status="draft")),
    ("Notes past the school's deadline",
     _note_world("sent", response_due_on=TODAY - timedelta(days=2), sent_at=datetime(2026, 11, 1, tzinfo=timezone.utc)),
     _finalise),
    ("School responses needing a reply", _note_world("responded", response_due_on=TODAY + timedelta(days=3)),
     _finalise),
    ("Reviews at fieldwork", _reviews_world, _set(stage="evaluation")),
    ("Notes of visit awaiting your response", _head_world, _respond),
    ("Significant support with no review started",
     _stalled_world(support_tier="significant", mcs_level=4, support_tier_since=TODAY - timedelta(weeks=10)),
     _set(support_tier="enhanced", mcs_level=2)),
    ("Significant support with no link adviser",
     _stalled_world(support_tier="significant", mcs_level=4, support_tier_since=TODAY - timedelta(weeks=1)),
     _set(support_tier="enhanced", mcs_level=2)),
    ("Concern flags at light touch", _stalled_world(is_vulnerable=True), _set(is_vulnerable=False)),
    ("Locked accounts", _locked_world, _set(locked_until=None)),
    ("My actions overdue", _action_owner_world(TODAY - timedelta(days=2)), _set(status="done")),
    ("My actions due soon", _action_owner_world(TODAY + timedelta(days=3)), _set(status="dropped")),
]


@pytest.mark.parametrize("title, build, do_the_work", SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_a_task_appears_leads_to_its_list_and_goes_when_done(client: Any, db: Any, title: str, build: Any,
                                                            do_the_work: Any) -> None:
    world = build(client)
    counts = home_counts(client)
    assert title in counts, counts
    count, href = counts[title]
    assert count == 1
    listing = BeautifulSoup(client.get(href).get_data(as_text=True), "html.parser")
    assert listing.select_one("h1").get_text(strip=True) == title
    row_link = listing.select_one("tbody a")["href"]
    assert client.get(row_link).status_code == 200  # the record, where the work is done
    do_the_work(world)
    assert title not in home_counts(client)
    assert "this list is done" in client.get(href).get_data(as_text=True)


def test_overdue_tasks_come_first(client: Any, db: Any) -> None:
    adviser = new_user("link_adviser")
    school = new_school(link_adviser_id=adviser.id)
    new_note(school=school, adviser=adviser, status="draft", visit_date=TODAY - timedelta(days=1))
    new_note(school=school, adviser=adviser, status="sent", response_due_on=TODAY - timedelta(days=3),
             sent_at=datetime(2026, 11, 1, tzinfo=timezone.utc))
    sign_in(client, adviser.email)
    titles = list(home_counts(client))
    assert titles.index("Notes past the school's deadline") < titles.index("Drafts not sent")


def test_an_sia_sees_the_las_total_beside_their_own(client: Any, db: Any) -> None:
    sia = new_user("sia")
    new_review(lead=sia, stage="planned")
    new_review(stage="planned")
    sign_in(client, sia.email)
    page = client.get("/").get_data(as_text=True)
    assert "2 across the LA" in page
    mine = BeautifulSoup(client.get("/tasks/reviews-planned").get_data(as_text=True), "html.parser")
    everyone = BeautifulSoup(client.get("/tasks/reviews-planned?scope=la").get_data(as_text=True), "html.parser")
    assert len(mine.select("tbody tr")) == 1 and len(everyone.select("tbody tr")) == 2


def test_a_list_of_another_roles_tasks_is_refused(client: Any, db: Any) -> None:
    head = new_user("school_leader", schools=[new_school()])
    sign_in(client, head.email)
    assert client.get("/tasks/drafts-not-sent").status_code == 403


def test_the_home_page_costs_the_same_queries_for_one_task_or_many(client: Any, db: Any) -> None:
    adviser = new_user("link_adviser")
    school = new_school(link_adviser_id=adviser.id)
    new_note(school=school, adviser=adviser, status="draft")
    sign_in(client, adviser.email)
    few = count_queries(client, "/")
    for _ in range(10):
        other = new_school(link_adviser_id=adviser.id)
        new_note(school=other, adviser=adviser, status="draft")
        new_note(school=other, adviser=adviser, status="sent", response_due_on=TODAY - timedelta(days=1))
    assert count_queries(client, "/") == few


def test_everyones_counts_at_once_match_each_persons_own(client: Any, db: Any) -> None:
    """The daily digest counts everyone's tasks in one query per kind: the same numbers as each
    person's home page."""
    adviser, other = new_user("link_adviser"), new_user("link_adviser")
    school = new_school(link_adviser_id=adviser.id, support_tier="significant", mcs_level=4,
                        support_tier_since=TODAY - timedelta(weeks=10))
    new_note(school=school, adviser=adviser, status="draft")
    new_note(school=school, adviser=adviser, status="sent", response_due_on=TODAY - timedelta(days=1))
    new_note(school=new_school(link_adviser_id=other.id), adviser=other, status="planned",
             visit_date=TODAY - timedelta(days=2))
    sia = new_user("sia")
    new_review(lead=sia, stage="planned")
    head = new_user("school_leader", schools=[school])
    consultant = new_user("consultant")
    new_note(school=school, adviser=consultant, status="draft")
    everyone = tasks.count_tasks_for_everyone(TODAY)
    assert [c.kind.code for c in everyone[consultant.id]] == ["drafts-not-sent"]
    for person in (adviser, other, sia, head, consultant):
        own = {c.kind.code: (c.count, c.earliest_due)
               for c in tasks.count_tasks(tasks.context_for(person, TODAY), tasks.kinds_for(person)) if c.count}
        assert {c.kind.code: (c.count, c.earliest_due) for c in everyone.get(person.id, [])} == own


def test_a_consultant_sees_their_own_notes_to_finish_but_no_caseload(app: Any, client: Any, db: Any,
                                                                     create_school: Any, login_as: Any) -> None:
    """An LA consultant writes notes of visit too (their support visits): the kinds about their own
    notes are on their home page; a link adviser's caseload kinds are not."""
    from tests.casework.test_notes import note_form
    from tests.enhanced.test_support_plans import plan_with_consultant

    school, consultant, _plan, deployment = plan_with_consultant(app, client, db, create_school, login_as)
    own = app.test_client()
    sign_in(own, consultant.email)
    assert submit(own, f"/schools/{school.urn}/visits/new",
                  note_form(deployment_id=str(deployment.id), days_spent="1")).status_code == 302
    counts = home_counts(own)
    assert counts == {"Drafts not sent": (1, "/tasks/drafts-not-sent")}, counts
    listing = BeautifulSoup(own.get("/tasks/drafts-not-sent").get_data(as_text=True), "html.parser")
    assert school.name in listing.get_text() and own.get(listing.select_one("tbody a")["href"]).status_code == 200
    assert own.get("/tasks/schools-not-visited").status_code == 403
