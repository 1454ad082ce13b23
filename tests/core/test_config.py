"""Configuration: production is the default, refuses to start without a real secret, never runs in
debug, and sends cookies only over HTTPS with HSTS; development is said explicitly and needs no setup."""
from __future__ import annotations

import importlib

import pytest

import lea_support.config as config_module
from lea_support import create_app


@pytest.fixture
def production(monkeypatch, tmp_path):
    monkeypatch.setenv("LEA_SUPPORT_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.db'}")
    yield
    monkeypatch.undo()
    importlib.reload(config_module)


def test_production_refuses_to_start_without_secret_key(production, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    importlib.reload(config_module)
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app(config_module.config_for_environment())


def test_an_unset_environment_is_production(production, monkeypatch):
    """The README's `gunicorn 'lea_support:create_app()'` with nothing set used to start with the
    public development secret and cookies without Secure."""
    monkeypatch.delenv("LEA_SUPPORT_ENV")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    importlib.reload(config_module)
    assert config_module.config_for_environment().ENV_NAME == "production"
    with pytest.raises(RuntimeError, match=r"SECRET_KEY is not set.*LEA_SUPPORT_ENV=development"):
        create_app()


def test_the_public_development_secret_is_refused_outside_development(production, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", config_module.DEVELOPMENT_SECRET_KEY)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    importlib.reload(config_module)
    with pytest.raises(RuntimeError, match="the public development secret"):
        create_app(config_module.config_for_environment())

    class Staging(config_module.Config):  # any environment but development
        ENV_NAME = "staging"
        SECRET_KEY = config_module.DEVELOPMENT_SECRET_KEY

    with pytest.raises(RuntimeError, match="the public development secret"):
        create_app(Staging)


def test_production_refuses_a_short_secret(production, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "secret")
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    importlib.reload(config_module)
    with pytest.raises(RuntimeError, match="too short"):
        create_app(config_module.config_for_environment())


def test_an_unknown_environment_name_is_refused(production, monkeypatch):
    monkeypatch.setenv("LEA_SUPPORT_ENV", "prod")
    importlib.reload(config_module)
    with pytest.raises(RuntimeError, match="LEA_SUPPORT_ENV='prod' is not known"):
        config_module.config_for_environment()


def test_development_needs_no_setup(production, monkeypatch):
    monkeypatch.setenv("LEA_SUPPORT_ENV", "development")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    importlib.reload(config_module)
    app = create_app()
    assert app.config["SECRET_KEY"] == config_module.DEVELOPMENT_SECRET_KEY
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert "Strict-Transport-Security" not in app.test_client().get("/healthz").headers


def test_the_command_line_works_in_development_with_no_setup(production, monkeypatch):
    """`make run` runs `lea-support` with LEA_SUPPORT_ENV=development and nothing else set."""
    from click.testing import CliRunner

    from lea_support.cli import main

    monkeypatch.setenv("LEA_SUPPORT_ENV", "development")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    importlib.reload(config_module)
    result = CliRunner().invoke(main, ["routes"])
    assert result.exit_code == 0, result.output
    assert "auth.sign_in" in result.output


def test_production_refuses_debug(production, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-secret")
    monkeypatch.setenv("FLASK_DEBUG", "1")
    importlib.reload(config_module)
    with pytest.raises(RuntimeError, match="FLASK_DEBUG"):
        create_app(config_module.config_for_environment())


def test_production_has_secure_cookies_hsts_and_no_debug(production, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-secret")
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    importlib.reload(config_module)
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "0")  # not even when asked
    importlib.reload(config_module)
    app = create_app(config_module.config_for_environment())
    assert app.debug is False
    assert app.config["SESSION_COOKIE_SECURE"] is True and app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    client = app.test_client()
    health = client.get("/healthz", base_url="https://lea.example.org")
    assert health.status_code == 200
    assert health.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    # The sign-in form starts a session (for its CSRF token): its cookie is Secure and HttpOnly.
    cookie = client.get("/sign-in", base_url="https://lea.example.org").headers["Set-Cookie"]
    assert "; Secure" in cookie
    assert "HttpOnly" in cookie


def test_production_refuses_the_test_suites_cheap_password_hashing(production, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-secret")
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    importlib.reload(config_module)

    class Careless(config_module.config_for_environment()):  # type: ignore[misc]
        PASSWORD_HASH_PROFILE = "cheapest"

    with pytest.raises(RuntimeError, match="PASSWORD_HASH_PROFILE"):
        create_app(Careless)


def test_real_environments_hash_passwords_with_rfc_9106(app):
    from argon2 import extract_parameters, profiles

    from lea_support.auth.services import hash_password

    app.config["PASSWORD_HASH_PROFILE"] = config_module.Config.__dict__.get("PASSWORD_HASH_PROFILE",
                                                                            "rfc_9106_low_memory")
    params = extract_parameters(hash_password("correct-horse-staple-42"))
    assert (params.time_cost, params.memory_cost) == (profiles.RFC_9106_LOW_MEMORY.time_cost,
                                                      profiles.RFC_9106_LOW_MEMORY.memory_cost)
