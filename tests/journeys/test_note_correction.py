"""Issue 16's journey in Chromium: the note goes to the school, the school says it is inaccurate,
the adviser amends and finalises, and each person's home page says what needs them on the way;
the outbox holds each e-mail once."""
from __future__ import annotations

import email
from email import policy
from pathlib import Path
from typing import Any

import pytest


def outbox(app: Any) -> list[Any]:
    folder = Path(app.config["OUTBOX_DIR"])
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted(folder.glob("*.eml"))] if folder.exists() else []


def home_task(journey: Any, title: str) -> str:
    """The count and the rest of what the home page says of one kind of task."""
    journey.goto("/")
    item = journey.page.locator(".app-task", has_text=title)
    assert item.count() == 1, journey.text
    return item.inner_text()


@pytest.mark.browser
def test_a_note_goes_to_the_school_is_corrected_and_finalised_each_step_on_someones_home(
        journey: Any, app: Any, db: Any, create_school: Any, create_user: Any, create_note: Any) -> None:
    adviser = create_user("link_adviser", name="Lee Adviser")
    school = create_school(name="Hollins Primary School", link_adviser_id=adviser.id)
    head = create_user("school_leader", name="Chris Head", schools=[school])
    note = create_note(school=school, adviser=adviser, status="draft", discussion="We met the head.")
    page = journey.page

    # The adviser's home: a draft to send, which leads through the list to the note.
    journey.sign_in(adviser.email)
    assert "Drafts not sent" in home_task(journey, "Drafts not sent")
    journey.follow("link", "Drafts not sent")
    journey.follow("link", "Hollins Primary School")
    assert page.url.endswith(f"/visits/{note.id}")
    journey.follow("button", "Send to the school for checking")
    db.session.refresh(note)
    deadline = note.response_due_on
    assert deadline is not None

    # The head's home: the note awaiting their response, with its deadline.
    journey.sign_in(head.email)
    task = home_task(journey, "Notes of visit awaiting your response")
    assert f"Respond by: {deadline.day}" in task
    journey.follow("link", "Notes of visit awaiting your response")
    journey.follow("link", "Hollins Primary School")
    page.get_by_label("No, something is inaccurate").check()
    page.get_by_label("Comments").fill("We met the deputy head, not the head.")
    journey.follow("button", "Send response")

    # The adviser's home: a response needing a reply; the note is amended, then finalised.
    journey.sign_in(adviser.email)
    assert "School responses needing a reply" in home_task(journey, "School responses needing a reply")
    journey.follow("link", "School responses needing a reply")
    journey.follow("link", "Hollins Primary School")
    assert "Marked inaccurate" in journey.text
    journey.follow("link", "Amend the note")
    page.locator("#discussion").fill("We met the deputy head.")
    journey.follow("button", "Save amendments")
    assert "We met the deputy head." in journey.text
    journey.follow("button", "Finalise note")
    db.session.refresh(note)
    assert note.status == "finalised"
    journey.goto("/")
    assert "School responses needing a reply" not in journey.text

    # Each hand-over e-mailed its person once: the note to the head, the response to the adviser.
    sent = [(message["To"], message["Subject"]) for message in outbox(app)]
    assert len(sent) == len(set(sent)), sent
    assert [to for to, _ in sent].count(head.email) == 1
    assert [to for to, _ in sent].count(adviser.email) == 1
