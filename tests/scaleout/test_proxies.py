"""Behind load balancers the client's address comes from X-Forwarded-For, but only when the
number of trusted proxies is configured; otherwise the header is ignored (it could be forged)."""
from __future__ import annotations

from flask import request

from lea_support import create_app
from lea_support.config import TestConfig


def _address_seen_by(trusted_proxies: int, database_url: str) -> str | None:
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        TRUSTED_PROXIES = trusted_proxies

    app = create_app(Config)
    seen: dict[str, str | None] = {}

    @app.get("/_address")
    def _address() -> str:
        seen["addr"] = request.remote_addr
        return "ok"

    app.test_client().get("/_address", headers={"X-Forwarded-For": "203.0.113.7"},
                          environ_base={"REMOTE_ADDR": "10.0.0.1"})
    return seen["addr"]


def test_a_trusted_proxy_passes_on_the_clients_address(database_url):
    assert _address_seen_by(1, database_url) == "203.0.113.7"


def test_without_trusted_proxies_the_header_is_ignored(database_url):
    assert _address_seen_by(0, database_url) == "10.0.0.1"
