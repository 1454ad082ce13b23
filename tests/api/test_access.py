"""The API's own access table: each role's token against each resource, for a record of the role's
own school and one of another school. The item's status is what the record's page answers; the
list holds exactly the records whose item is 200 (the list's SQL and the pages' predicates agree)."""
from __future__ import annotations

import pytest

from tests.api.conftest import bearer, make_token

ROLES = ["admin", "link_adviser", "sia", "project_team", "school_leader", "governor"]
LA = {"admin": (200, 200), "link_adviser": (200, 200), "sia": (200, 200), "project_team": (200, 200)}
NONE = (403, 403)
OWN_ONLY = (200, 403)

# resource -> (the SchoolRecords field naming its record, the item's key, {role: (own, other)})
TABLE = {
    "schools": ("school", "urn", {**LA, "school_leader": OWN_ONLY, "governor": OWN_ONLY}),
    "support-decisions": ("decision", "id", {**LA, "school_leader": NONE, "governor": NONE}),
    "visits": ("note", "id", {**LA, "school_leader": OWN_ONLY, "governor": NONE}),
    "reviews": ("review", "id", {**LA, "school_leader": OWN_ONLY, "governor": OWN_ONLY}),
    "plans": ("plan", "id", {**LA, "school_leader": OWN_ONLY, "governor": NONE}),
    "measure-values": ("value", "id", {**LA, "school_leader": OWN_ONLY, "governor": OWN_ONLY}),
}


def _key(records, field, key):
    value = getattr(records, field)
    return value.urn if field == "school" else value


@pytest.mark.parametrize("role", ROLES)
def test_each_roles_token_against_each_resource(role, client, create_user, two_schools):
    own, other = two_schools
    user = create_user(role, schools=[own.school] if role in {"school_leader", "governor"} else None)
    headers = bearer(make_token(user))
    failures = []
    for resource, (field, key, expected) in TABLE.items():
        listed = client.get(f"/api/v1/{resource}?limit=200", headers=headers)
        assert listed.status_code == 200, (resource, listed.get_json())
        keys = {row[key] for row in listed.get_json()["data"]}
        for which, records, status in (("own", own, expected[role][0]), ("other", other, expected[role][1])):
            wanted = _key(records, field, key)
            answer = client.get(f"/api/v1/{resource}/{wanted}", headers=headers)
            if answer.status_code != status:
                failures.append(f"{resource} {which}: {answer.status_code}, expected {status}")
            if (wanted in keys) != (status == 200):
                failures.append(f"{resource} {which}: {'listed' if wanted in keys else 'not listed'}, "
                                f"but the item answers {status}")
    assert not failures, f"{role}: " + "; ".join(failures)


def test_a_governor_sees_their_school_without_the_las_support_details(client, create_user, two_schools):
    own, _other = two_schools
    governor = create_user("governor", schools=[own.school])
    leader = create_user("school_leader", schools=[own.school])
    as_governor = client.get(f"/api/v1/schools/{own.school.urn}", headers=bearer(make_token(governor))).get_json()
    as_leader = client.get(f"/api/v1/schools/{own.school.urn}", headers=bearer(make_token(leader))).get_json()
    assert as_governor["name"] == own.school.name and as_governor["support"] is None
    assert as_leader["support"]["tier"] == "significant" and as_leader["support"]["flags"]["vulnerable"] is True


def test_a_school_reader_sees_the_published_judgements_not_later_changes(client, db, create_user, two_schools):
    """After publication the LA may correct the review; until it republishes, the school's leaders
    and governors read what was published (as their pages show them)."""
    from lea_support.extensions import db as _db
    from lea_support.reviews.models import AspectEvaluation

    own, _other = two_schools
    leader = create_user("school_leader", schools=[own.school])
    sia = create_user("sia")
    evaluation = _db.session.query(AspectEvaluation).filter_by(review_id=own.review).first()
    evaluation.agreed_grade = 6
    _db.session.commit()
    as_leader = client.get(f"/api/v1/reviews/{own.review}", headers=bearer(make_token(leader))).get_json()
    as_sia = client.get(f"/api/v1/reviews/{own.review}", headers=bearer(make_token(sia))).get_json()
    assert {j["grade"] for j in as_leader["judgements"]} == {3}
    assert 6 in {j["grade"] for j in as_sia["judgements"]}
    assert as_leader["published_version"] == 1 and as_leader["overall"] == {"grade": 3, "label": "Good"}


def test_a_school_leader_sees_notes_once_sent_only(client, create_user, create_note, two_schools):
    own, _other = two_schools
    draft = create_note(school=own.school, status="draft")
    leader = create_user("school_leader", schools=[own.school])
    headers = bearer(make_token(leader))
    assert client.get(f"/api/v1/visits/{draft.id}", headers=headers).status_code == 403
    ids = {row["id"] for row in client.get("/api/v1/visits", headers=headers).get_json()["data"]}
    assert ids == {own.note}
