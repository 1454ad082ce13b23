"""Every input is bounded (issue 13): text typed into a form has a maximum length, checked by the
form (422, the message, nothing saved, what was typed kept) and by the database itself; lists of
things added to one record have a maximum, checked by the services."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DataError, IntegrityError

from lea_support.core import limits
from lea_support.core.errors import DomainError
from tests.conftest import ON_POSTGRES, sign_in, submit


def typed(limit: int) -> str:
    """Text one character over `limit`, recognisable in the page it comes back in."""
    return ("Kept as typed, every word. " * (limit // 20 + 2))[:limit + 1]


def _dmy(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


@dataclass
class Case:
    """A form posted by the person who may use it, with one field over its limit."""

    url: str
    data: dict[str, Any]
    message: str
    saved: Any  # the model whose rows must not change
    form_url: str | None = None


def _notes(make: Any) -> Case:
    from lea_support.casework.models import NoteOfVisit

    school = make.create_school(link_adviser_id=make.user.id)
    text = typed(limits.LONG_TEXT)
    return Case(f"/schools/{school.urn}/visits/new",
                {"visit_date": _dmy(date.today() - timedelta(days=1)), "visit_type_code": "core_support",
                 "purpose": "Reading", "discussion": text, "minutes_spent": "60"},
                "Discussion must be 20,000 characters or fewer", NoteOfVisit)


def _reviews(make: Any) -> Case:
    from lea_support.reviews.models import KeyQuestion

    review = make.create_review(lead=make.user)
    return Case(f"/reviews/{review.id}/key-questions", {"text": typed(limits.MEDIUM_TEXT)},
                "Key question must be 2,000 characters or fewer", KeyQuestion, form_url=f"/reviews/{review.id}")


def _rap(make: Any) -> Case:
    from lea_support.rap.models import PlanObjective

    plan = make.create_plan(sia=make.user, status="draft")
    return Case(f"/plans/{plan.id}/objectives", {"objective-text": typed(limits.LONG_TEXT)},
                "Objective must be 20,000 characters or fewer", PlanObjective, form_url=f"/plans/{plan.id}/edit")


def _reports(make: Any) -> Case:
    import re

    from lea_support.governor_reports import services as reports
    from lea_support.governor_reports.models import GovernorReportVersion

    school = make.create_school(support_tier="light_touch", mcs_level=1, link_adviser_id=make.user.id)
    make.create_note(school=school, adviser=make.user, status="finalised", visit_date=date(2026, 10, 14))
    draft = reports.generate_draft(None, school, "autumn-2026", today=date(2026, 12, 18))
    make.db.session.commit()
    show = f"/governor-reports/{draft.report_id}"

    case = Case(f"{show}/check", {"covering_note": typed(limits.REPORT_NOTE_TEXT)},
                "The covering note must be 5,000 characters or fewer", GovernorReportVersion, form_url=show)
    case.prepare = lambda client: case.data.update(  # type: ignore[attr-defined]
        version_id=re.search(r'name="version_id" type="hidden" value="(\d+)"',
                             client.get(show).get_data(as_text=True)).group(1))
    case.unchanged = lambda: make.db.session.scalar(  # type: ignore[attr-defined]
        select(func.count()).where(GovernorReportVersion.status == "checked"))
    return case


def _schools(make: Any) -> Case:
    from lea_support.schools.models import SupportDecision

    school = make.create_school()
    return Case(f"/schools/{school.urn}/support",
                {"support_tier": "enhanced", "mcs_level": "2", "cause_for_concern": "",
                 "reason": typed(limits.LONG_TEXT)},
                "The reason must be 20,000 characters or fewer", SupportDecision)


def _auth(make: Any) -> Case:
    from lea_support.auth.models import User

    return Case("/admin/users/new",
                {"email": "new.person@example.org", "name": typed(limits.SHORT_TEXT), "role": "sia",
                 "password": "a-long-and-unusual-passphrase-42"},
                "Full name must be 200 characters or fewer", User)


def _core(make: Any) -> Case:
    from lea_support.core.calendar import ClosureDay

    return Case("/admin/closures",
                {"closure-name": typed(limits.SHORT_TEXT), "closure-starts_on": ["26", "10", "2026"],
                 "closure-ends_on": ["30", "10", "2026"]},
                "The name must be 200 characters or fewer", ClosureDay, form_url="/admin/term-dates")


@pytest.mark.parametrize("role, area", [("link_adviser", _notes), ("sia", _reviews), ("sia", _rap),
                                        ("link_adviser", _reports), ("sia", _schools), ("admin", _auth),
                                        ("admin", _core)],
                         ids=["notes", "reviews", "rap", "reports", "schools", "auth", "core"])
def test_over_long_text_is_refused_by_the_form_and_kept_as_typed(
        role: str, area: Callable[[Any], Case], db, client, create_user, create_school, create_note, create_review,
        create_plan):
    user = create_user(role)

    class Make:
        pass

    make = Make()
    make.user, make.db = user, db  # type: ignore[attr-defined]
    make.create_school, make.create_note = create_school, create_note  # type: ignore[attr-defined]
    make.create_review, make.create_plan = create_review, create_plan  # type: ignore[attr-defined]
    case = area(make)
    assert sign_in(client, user.email).status_code == 302
    if hasattr(case, "prepare"):
        case.prepare(client)  # type: ignore[attr-defined]
    count = getattr(case, "unchanged", None) or (lambda: db.session.scalar(select(func.count()).select_from(
        case.saved)))
    before = count()
    long_value = next(v for v in case.data.values() if isinstance(v, str) and v.startswith("Kept as typed"))

    response = submit(client, case.url, case.data, form_url=case.form_url)

    html = response.get_data(as_text=True)
    assert response.status_code == 422, html[:2000]
    assert case.message in html
    assert long_value in html, "what was typed is shown again"
    db.session.rollback()
    assert count() == before, "nothing saved"


# --- the database refuses over-long text itself ----------------------------------------------------

def test_the_database_refuses_over_long_text_on_its_own(db, create_note):
    """Written past the forms and services, straight to the tables: a CHECK on each bounded text
    column refuses it (IntegrityError on SQLite and PostgreSQL alike)."""
    from lea_support.casework.models import AgreedAction

    note = create_note()
    note.discussion = "x" * (limits.LONG_TEXT + 1)
    with pytest.raises(IntegrityError, match="discussion_length"):
        db.session.flush()
    db.session.rollback()

    note.discussion = "x" * limits.LONG_TEXT  # exactly at the limit is fine
    db.session.add(AgreedAction(note_id=note.id, description="y" * limits.MEDIUM_TEXT, owner="Head"))
    db.session.commit()

    db.session.add(AgreedAction(note_id=note.id, description="y" * (limits.MEDIUM_TEXT + 1), owner="Head"))
    with pytest.raises(IntegrityError, match="description_length"):
        db.session.flush()
    db.session.rollback()


def test_short_text_columns_are_bounded_on_sqlite_too(db, create_user):
    """SQLite does not enforce VARCHAR(n): the CHECK does. PostgreSQL refuses the value for its
    type before the CHECK is reached."""
    user = create_user("sia")
    user.name = "n" * (limits.SHORT_TEXT + 1)
    with pytest.raises(DataError if ON_POSTGRES else IntegrityError):
        db.session.flush()
    db.session.rollback()


# --- list maxima ------------------------------------------------------------------------------------

def _note_form(actions: int) -> dict[str, Any]:
    data: dict[str, Any] = {"visit_date": _dmy(date.today() - timedelta(days=1)), "visit_type_code": "core_support",
                            "purpose": "Reading", "discussion": "Phonics", "minutes_spent": "60"}
    for i in range(actions):
        data.update({f"actions-{i}-description": f"Action {i + 1}", f"actions-{i}-owner": "Head",
                     f"actions-{i}-status": "open"})
    return data


def test_a_note_takes_100_agreed_actions_and_refuses_the_101st(db, client, create_user, create_school):
    from lea_support.casework.models import AgreedAction, NoteOfVisit

    adviser = create_user("link_adviser")
    school = create_school(link_adviser_id=adviser.id)
    assert sign_in(client, adviser.email).status_code == 302
    url = f"/schools/{school.urn}/visits/new"

    refused = submit(client, url, _note_form(limits.MAX_AGREED_ACTIONS + 1))
    assert refused.status_code == 422
    assert "A note can have up to 100 agreed actions" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(NoteOfVisit)) == 0

    # Thousands of rows sent are refused too, without making a form row for each.
    flood = submit(client, url, _note_form(2000))
    assert flood.status_code == 422 and "up to 100 agreed actions" in flood.get_data(as_text=True)

    saved = submit(client, url, _note_form(limits.MAX_AGREED_ACTIONS))
    assert saved.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(AgreedAction)) == limits.MAX_AGREED_ACTIONS


def test_the_service_refuses_the_101st_agreed_action_whoever_calls_it(db, create_user, create_school):
    from lea_support.casework import services

    adviser = create_user("link_adviser")
    data = services.NoteData(visit_date=date.today(), visit_type_code="core_support", discussion="Phonics",
                             actions=[services.ActionData(f"Action {i}", "Head") for i in range(101)])
    with pytest.raises(DomainError, match="up to 100 agreed actions") as refused:
        services.record_visit(adviser, create_school(), data)
    assert refused.value.field == "actions"


def test_a_plan_refuses_the_31st_objective_and_the_101st_action(db, create_plan):
    from lea_support.rap import services
    from lea_support.rap.models import PlanAction

    plan = create_plan(status="draft", objectives=2)
    sia = plan.drafted_by
    for i in range(limits.MAX_OBJECTIVES - 2):
        services.add_objective(sia, plan, f"Objective {i + 3}")
    with pytest.raises(DomainError, match="up to 30 objectives"):
        services.add_objective(sia, plan, "One too many")

    day = date(2026, 12, 1)
    objectives = plan.objectives
    for objective in objectives[2:]:  # the first two came with an action each
        services.add_action(sia, objective, services.ActionData(
            what="More", owner_id=None, owner_role="Head", starts_on=day, due_on=day))
    for i in range(limits.MAX_PLAN_ACTIONS - 30):
        services.add_action(sia, objectives[i % 2], services.ActionData(
            what=f"Also {i}", owner_id=None, owner_role="Head", starts_on=day, due_on=day))
    assert db.session.scalar(select(func.count()).select_from(PlanAction)) == limits.MAX_PLAN_ACTIONS
    with pytest.raises(DomainError, match="up to 100 actions"):
        services.add_action(sia, objectives[1], services.ActionData(
            what="One too many", owner_id=None, owner_role="Head", starts_on=day, due_on=day))


def test_a_review_refuses_the_21st_key_question_and_the_301st_evidence(db, create_review):
    from lea_support.reviews import services
    from lea_support.reviews.models import FieldworkEvidence

    review = create_review(stage="fieldwork")
    for i in range(limits.MAX_KEY_QUESTIONS):
        services.add_key_question(review.lead, review, f"Question {i + 1}")
    with pytest.raises(DomainError, match="up to 20 key questions"):
        services.add_key_question(review.lead, review, "One too many")

    db.session.add_all(FieldworkEvidence(review_id=review.id, kind="work_scrutiny", occurred_on=date(2026, 11, 17))
                       for _ in range(limits.MAX_FIELDWORK_EVIDENCE))
    db.session.flush()
    with pytest.raises(DomainError, match="up to 300 pieces of fieldwork evidence"):
        services.record_evidence(review.lead, review, services.EvidenceData(
            kind="work_scrutiny", occurred_on=date(2026, 11, 17)))


def test_a_project_team_keeps_its_running_action_notes_to_the_limit(db, create_plan):
    """Each quick update appends its note to the action's notes; the oldest give way rather than
    the update being refused, and each note stays whole in the action's history."""
    from lea_support.rap import services
    from lea_support.rap.models import ActionUpdate

    plan = create_plan()
    action = plan.objectives[0].actions[0]
    note = "n" * (limits.MEDIUM_TEXT - 10)
    for i in range(12):
        services.update_action_progress(plan.drafted_by, action, status="in_progress", note=f"{i:02d} {note}")
        db.session.flush()
    assert len(action.notes) <= limits.LONG_TEXT
    assert action.notes.endswith(f"11 {note}") and not action.notes.startswith("00 ")
    assert db.session.scalar(select(func.count()).where(ActionUpdate.action_id == action.id)) == 12
