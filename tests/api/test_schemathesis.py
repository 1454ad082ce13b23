"""Schemathesis against the live OpenAPI document, served by the test app, with an LA adviser's
token: whatever it generates from the document, the API never answers with a server error, and
every answer matches the document."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.api.conftest import make_token
from tests.conftest import serving


@pytest.fixture
def api_server(app, db, create_user, two_schools):
    """The app on 127.0.0.1 with a world to read, and a token (a high rate limit: Schemathesis is fast)."""
    app.config["API_RATE_LIMIT"] = "100000 per minute"
    secret = make_token(create_user("sia"))
    with serving(app) as url:
        yield url, secret


def test_the_api_keeps_to_its_openapi_document(api_server):
    url, secret = api_server
    schema = schemathesis.openapi.from_url(f"{url}/api/v1/openapi.json")
    failures = []
    for operation in schema.get_all_operations():
        api_operation = operation.ok()

        @settings(max_examples=15, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=api_operation.as_strategy())
        def check(case):
            case.call_and_validate(base_url=f"{url}/api/v1", headers={"Authorization": f"Bearer {secret}"},
                                   checks=[not_a_server_error, response_schema_conformance])

        try:
            check()
        except Exception as err:  # noqa: BLE001 (each operation's failure is reported, then all together)
            failures.append(f"{api_operation.label}: {err}")
    assert not failures, "\n\n".join(failures)
