"""Configuration: production refuses to start without a secret, and never runs in debug."""
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
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config_module.config_for_environment())


def test_production_refuses_debug(production, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-secret")
    monkeypatch.setenv("FLASK_DEBUG", "1")
    importlib.reload(config_module)
    with pytest.raises(RuntimeError, match="FLASK_DEBUG"):
        create_app(config_module.config_for_environment())


def test_production_has_secure_cookies_and_no_debug(production, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-secret")
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    importlib.reload(config_module)
    app = create_app(config_module.config_for_environment())
    assert app.debug is False
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.test_client().get("/healthz").status_code == 200


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
