"""The administrators' page mapping the council's groups to roles (/admin/sign-in-groups)."""
from __future__ import annotations

from sqlalchemy import select

from lea_support.auth.oidc_models import SignInGroup
from tests.conftest import submit

PAGE = "/admin/sign-in-groups"


def test_an_administrator_adds_and_removes_a_group(client, db, login_as):
    login_as("admin")
    assert "Sign-in groups" in client.get("/admin").get_data(as_text=True)
    added = submit(client, PAGE, {"group_name": "  4f1d2c3b-0a9e-4e8f-9b7a-1c2d3e4f5a6b ", "role": "sia"})
    assert added.status_code == 302
    page = client.get(PAGE).get_data(as_text=True)
    assert "Members of 4f1d2c3b-0a9e-4e8f-9b7a-1c2d3e4f5a6b now sign in as School Improvement Adviser" in page
    group = db.session.scalars(select(SignInGroup)).one()
    assert (group.group_name, group.role) == ("4f1d2c3b-0a9e-4e8f-9b7a-1c2d3e4f5a6b", "sia")

    confirm = client.get(f"{PAGE}/{group.id}/remove")
    assert "Remove the group 4f1d2c3b" in confirm.get_data(as_text=True)
    removed = submit(client, f"{PAGE}/{group.id}/remove", {})
    assert removed.status_code == 302
    assert db.session.scalars(select(SignInGroup)).all() == []
    audit = client.get("/admin/audit").get_data(as_text=True)
    assert "a sign-in group" in audit


def test_a_group_given_twice_or_without_a_staff_role_is_refused_keeping_what_was_typed(client, db, login_as):
    login_as("admin")
    submit(client, PAGE, {"group_name": "grp-advisers", "role": "link_adviser"})
    again = submit(client, PAGE, {"group_name": "grp-advisers", "role": "sia"})
    assert again.status_code == 422
    page = again.get_data(as_text=True)
    assert "grp-advisers already gives a role: remove it first to change it" in page
    assert 'value="grp-advisers"' in page
    governor = submit(client, PAGE, {"group_name": "grp-governors", "role": "governor"})
    assert governor.status_code == 422
    assert 'value="grp-governors"' in governor.get_data(as_text=True)
    assert "Choose a role for the authority&#39;s staff" in governor.get_data(as_text=True)
    empty = submit(client, PAGE, {"group_name": " ", "role": "sia"})
    assert empty.status_code == 422
    assert "Enter the group&#39;s name or id" in empty.get_data(as_text=True)
    assert db.session.scalars(select(SignInGroup.group_name)).all() == ["grp-advisers"]
