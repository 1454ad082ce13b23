"""Accounts: the password rules, the admin pages and the `lea-support users create` command."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from lea_support.auth.models import User
from lea_support.auth.services import create_user, password_problem
from lea_support.core.errors import DomainError
from tests.conftest import sign_in, submit


@pytest.mark.parametrize("password, problem", [
    ("short-pass1", "12 characters or more"),
    ("password1234", "too common"),
    ("Password-2026!", "too common"),
    ("aaaaaaaaaaaaaaaa", "too common"),
    ("jane.smith-secure-99", "name or email"),
])
def test_weak_passwords_are_refused(password, problem):
    assert problem in password_problem(password, email="jane.smith@example.org", name="Jane Smith")


def test_a_good_password_passes():
    assert password_problem("mauve-kettle-orbit-73", email="a@example.org", name="A B") is None


def test_passwords_are_hashed_with_argon2(db):
    user = create_user(None, email="A@Example.org", name="A Person", role="sia", password="mauve-kettle-orbit-73")
    assert user.email == "a@example.org"
    assert user.password_hash.startswith("$argon2")
    assert "mauve" not in user.password_hash


def test_governors_must_belong_to_a_school(db):
    with pytest.raises(DomainError, match="at least one school"):
        create_user(None, email="g@example.org", name="G", role="governor", password="mauve-kettle-orbit-73")


def test_admin_creates_a_governor_for_a_school(client, login_as, create_school, db):
    school = create_school()
    login_as("admin")
    response = submit(client, "/admin/users/new", {
        "email": "gov@example.org", "name": "Grace Governor", "role": "governor",
        "schools": str(school.urn), "password": "mauve-kettle-orbit-73",
    })
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "gov@example.org"))
    assert [s.urn for s in user.schools] == [school.urn]


def test_bad_input_says_what_to_fix_keeps_what_was_typed_and_saves_nothing(client, login_as, db):
    login_as("admin")
    response = submit(client, "/admin/users/new", {
        "email": "new.person@example.org", "name": "New Person", "role": "governor",
        "schools": "999999", "password": "mauve-kettle-orbit-73",
    })
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "There is a problem" in page
    assert "No school with URN 999999 is on the register" in page
    assert 'value="new.person@example.org"' in page and 'value="New Person"' in page
    assert db.session.scalar(select(User).where(User.email == "new.person@example.org")) is None


def test_duplicate_email_is_refused(client, login_as, create_user):
    existing = create_user("sia")
    login_as("admin")
    response = submit(client, "/admin/users/new", {
        "email": existing.email, "name": "Someone", "role": "sia", "password": "mauve-kettle-orbit-73"})
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)


def test_admin_cannot_disable_themselves(client, login_as):
    me = login_as("admin")
    response = submit(client, f"/admin/users/{me.id}/edit",
                      {"name": me.name, "role": "admin", "schools": "", "is_disabled": "y"})
    assert response.status_code == 422
    assert "cannot disable yourself" in response.get_data(as_text=True)


def test_cli_creates_a_user_from_stdin(app, create_school, db, client):
    school = create_school()
    result = app.test_cli_runner().invoke(args=[
        "users", "create", "--email", "head@example.org", "--name", "Hana Head",
        "--role", "school_leader", "--school", str(school.urn), "--password-stdin",
    ], input="mauve-kettle-orbit-73\n")
    assert result.exit_code == 0, result.output
    assert "Created school_leader head@example.org" in result.output
    assert sign_in(client, "head@example.org", "mauve-kettle-orbit-73").status_code == 302


def test_cli_refuses_a_weak_password(app, db):
    result = app.test_cli_runner().invoke(args=[
        "users", "create", "--email", "x@example.org", "--name", "X", "--role", "sia", "--password-stdin",
    ], input="password1234\n")
    assert result.exit_code != 0
    assert "too common" in result.output
    assert db.session.scalar(select(User).where(User.email == "x@example.org")) is None
