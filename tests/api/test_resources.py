"""The API's resources: answers that match their schemas, cursor pagination, ETags, CSV, problem
details, the rate limit per token, and a query count that does not grow with the page."""
from __future__ import annotations

import csv
import io
import re

import pytest

from lea_support.api import schemas
from lea_support.api.resources import RESOURCES
from tests.api.conftest import add_measure, add_value, bearer, make_token, records_for
from tests.conftest import recorded_statements


@pytest.fixture
def sia_token(db, create_user):
    return make_token(create_user("sia"))


def test_each_resource_lists_and_reads_its_records(client, sia_token, two_schools):
    own, _other = two_schools
    headers = bearer(sia_token)
    for resource in RESOURCES:
        listed = client.get(f"/api/v1/{resource.name}", headers=headers)
        assert listed.status_code == 200, resource.name
        assert listed.mimetype == "application/json"
        body = listed.get_json()
        assert body["links"]["next"] is None and body["data"], resource.name
        for row in body["data"]:
            resource.schema.model_validate(row)
        key = body["data"][0][resource.key_name]
        item = client.get(f"/api/v1/{resource.name}/{key}", headers=headers)
        assert item.status_code == 200 and item.get_json() == body["data"][0], resource.name
    school = client.get(f"/api/v1/schools/{own.school.urn}", headers=headers).get_json()
    assert school["support"]["tier"] == "significant" and school["support"]["level"] == 3
    assert school["support"]["flags"] == {"cause_for_concern": None, "vulnerable": True,
                                          "significant_underachievement": False}
    assert school["support"]["link_adviser"]["name"]
    plan = client.get(f"/api/v1/plans/{own.plan}", headers=headers).get_json()
    assert plan["status"] == "agreed" and len(plan["objectives"]) == 2
    assert plan["objectives"][0]["success_criteria"][0]["target"] == "70%"
    assert plan["objectives"][0]["actions"][0]["rag"] in {"complete", "red", "amber", "green"}
    assert sum(plan["rag"].values()) == 2
    review = client.get(f"/api/v1/reviews/{own.review}", headers=headers).get_json()
    assert review["stage"] == "published" and review["overall"] == {"grade": 3, "label": "Good"}
    assert review["judgements"] and {j["label"] for j in review["judgements"]} == {"Good"}
    decisions = client.get(f"/api/v1/support-decisions?school={own.school.urn}", headers=headers).get_json()["data"]
    assert [d["id"] for d in decisions] == [own.decision] and decisions[0]["reason"] == "Attainment fell two years running"
    visit = client.get(f"/api/v1/visits/{own.note}", headers=headers).get_json()
    assert visit["status"] == "sent" and visit["strengths"] == "Phonics teaching"
    value = client.get(f"/api/v1/measure-values?school={own.school.urn}&year=2024/25", headers=headers).get_json()
    assert [(v["measure"], v["number"]) for v in value["data"]] == [("KS2_RWM_EXP", 61.0)]


def test_a_walk_through_the_pages_sees_every_record_once(client, sia_token, create_school):
    urns = sorted(create_school().urn for _ in range(7))
    seen, url, pages = [], "/api/v1/schools?limit=3", 0
    while url:
        body = client.get(url, headers=bearer(sia_token)).get_json()
        seen += [row["urn"] for row in body["data"]]
        url, pages = body["links"]["next"], pages + 1
        assert url is None or "limit=3" in url
    assert seen == urns and pages == 3


def test_filters_narrow_the_list_and_a_bad_value_is_a_400(client, sia_token, create_school):
    create_school(support_tier="enhanced", mcs_level=2)
    create_school()
    enhanced = client.get("/api/v1/schools?tier=enhanced", headers=bearer(sia_token)).get_json()["data"]
    assert [s["support"]["tier"] for s in enhanced] == ["enhanced"]
    for query, words in (("limit=0", "limit must be"), ("limit=201", "limit must be"), ("limit=abc", "limit must be"),
                         ("cursor=nonsense", "cursor is not one"), ("cursor=eyJhZnRlciI6ICJ4In0", "cursor is not one"),
                         ("format=xml", "format must be"), ("phase=%00", "control characters")):
        answer = client.get(f"/api/v1/schools?{query}", headers=bearer(sia_token))
        assert answer.status_code == 400, query
        assert answer.mimetype == "application/problem+json" and words in answer.get_json()["detail"], query
    bad_year = client.get("/api/v1/measure-values?year=2024", headers=bearer(sia_token))
    assert bad_year.status_code == 400 and "2024/25" in bad_year.get_json()["detail"]


def test_an_unchanged_answer_is_304_to_its_etag(client, db, sia_token, create_school):
    school = create_school()
    url = f"/api/v1/schools/{school.urn}"
    first = client.get(url, headers=bearer(sia_token))
    etag = first.headers["ETag"]
    assert etag and first.headers["Cache-Control"] == "private, no-cache"
    again = client.get(url, headers=bearer(sia_token, **{"If-None-Match": etag}))
    assert again.status_code == 304 and again.get_data() == b""
    listed = client.get("/api/v1/schools", headers=bearer(sia_token))
    assert client.get("/api/v1/schools", headers=bearer(sia_token, **{"If-None-Match": listed.headers["ETag"]})
                      ).status_code == 304
    school.name = "Renamed Primary"
    db.session.commit()
    changed = client.get(url, headers=bearer(sia_token, **{"If-None-Match": etag}))
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_a_list_as_csv_for_excel(client, db, sia_token, create_school):
    create_school(name="=HYPERLINK(\"http://evil\")", support_tier="enhanced", mcs_level=2)
    for _ in range(3):
        create_school()
    answer = client.get("/api/v1/schools?format=csv&limit=1", headers=bearer(sia_token))
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert 'filename="schools.csv"' in answer.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 4  # every record, not one page
    assert {"urn", "name", "support.tier", "support.flags.vulnerable", "support.link_adviser.name"} <= set(rows[0])
    assert rows[0]["name"].startswith("'=") and rows[0]["support.tier"] == "enhanced"
    assert client.get("/api/v1/schools?format=csv", headers=bearer(sia_token, Accept="application/json")
                      ).status_code == 406


def test_errors_are_problem_details(client, sia_token, create_school):
    school = create_school()
    cases = [
        ("GET", "/api/v1/schools/999999", {}, 404),
        ("GET", "/api/v1/no-such-thing", {}, 404),
        ("GET", "/api/v1/schools/99999999999999999999", {}, 404),
        ("POST", "/api/v1/schools", {}, 405),
        ("GET", f"/api/v1/schools/{school.urn}", {"Accept": "text/html"}, 406),
        ("GET", "/api/v1/schools", {"Accept": "text/html"}, 406),
    ]
    for method, url, extra, status in cases:
        answer = client.open(url, method=method, headers=bearer(sia_token, **extra))
        assert answer.status_code == status, url
        assert answer.mimetype == "application/problem+json", url
        body = answer.get_json()
        schemas.Problem.model_validate(body)
        assert body["status"] == status and body["instance"] == url.split("?")[0]
    assert client.post("/api/v1/schools", headers=bearer(sia_token)).headers["Allow"] == "GET, HEAD, OPTIONS"


def test_each_token_has_its_own_rate_limit(app, client, db, create_user):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    busy, other = make_token(create_user("sia")), make_token(create_user("sia"))
    for _ in range(3):
        assert client.get("/api/v1/measures", headers=bearer(busy)).status_code == 200
    refused = client.get("/api/v1/measures", headers=bearer(busy))
    assert refused.status_code == 429 and refused.mimetype == "application/problem+json"
    assert 1 <= int(refused.headers["Retry-After"]) <= 61
    assert client.get("/api/v1/measures", headers=bearer(other)).status_code == 200


def _count(client, url, secret):
    with recorded_statements() as seen:
        answer = client.get(url, headers=bearer(secret))
        assert answer.status_code == 200, answer.get_json()
    return len(seen)


def test_a_page_costs_the_same_queries_however_many_records_it_holds(client, db, create_user, create_school,
                                                                      create_note, create_review, create_plan):
    lead = create_user("sia")
    secret = make_token(lead)

    def one_more_school():
        school = create_school(support_tier="significant", mcs_level=3, link_adviser_id=create_user("link_adviser").id)
        records_for(school, create_note=create_note, create_review=create_review, create_plan=create_plan,
                    create_user=create_user)
        add_value(school, add_measure(), "2023/24", 55.0)

    one_more_school()
    client.get("/api/v1/measures", headers=bearer(secret))  # its first use is written down: not counted below
    before = {r.name: _count(client, f"/api/v1/{r.name}", secret) for r in RESOURCES}
    for _ in range(3):
        one_more_school()
    after = {r.name: _count(client, f"/api/v1/{r.name}", secret) for r in RESOURCES}
    assert after == before, (before, after)


def test_the_openapi_document_is_made_from_the_routes_that_serve_the_api(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    served = {rule.rule.removeprefix("/api/v1") for rule in app.url_map.iter_rules()
              if rule.endpoint.startswith("api.") and rule.endpoint not in {"api.openapi", "api.docs"}}

    documented = {re.sub(r"\{(\w+)\}", r"<\1>", path) for path in document["paths"]}
    assert {re.sub(r"<[^:>]+:(\w+)>", r"<\1>", rule) for rule in served} == documented
    for resource in RESOURCES:
        assert resource.schema.__name__ in document["components"]["schemas"]
        operation = document["paths"][f"/{resource.name}"]["get"]
        assert operation["security"] == [{"bearerAuth": [resource.scope]}]
        assert {f.name for f in resource.filters} <= {p["name"] for p in operation["parameters"]}


def test_the_documentation_page_lists_every_endpoint(client, app):
    page = client.get("/api/v1/docs")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    for resource in RESOURCES:
        assert f"GET /api/v1/{resource.name}</code>" in text
    for words in ("Authorization: Bearer", "links.next", "If-None-Match", "problem-invalid-token", "format=csv"):
        assert words in text
    # Nothing fetched from elsewhere (the service runs without the internet): no Swagger UI from a CDN.
    assert not re.search(r'<(script|link)[^>]+(src|href)="https?://', text)
