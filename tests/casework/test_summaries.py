"""The overview's kept summaries (casework/summaries.py) always equal what the raw notes, actions,
allocations and schools say: after each service that changes them, after a bulk load, after a
school closes in a GIAS import, and after a school is deleted."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta

from sqlalchemy import select

from lea_support.casework import services
from lea_support.casework.models import (
    AgreedAction,
    NoteOfVisit,
    OpenActionTally,
    SchoolYearTally,
    TierYearTally,
)
from lea_support.casework.summaries import refresh_school_tallies
from lea_support.core.terms import academic_year_for
from lea_support.schools import services as school_services
from lea_support.schools.models import School, SupportAllocation

TODAY = date.today()
YEAR = academic_year_for(TODAY)


def from_scratch(db):
    """Every summary worked out afresh from the raw rows."""
    schools = {s.id: s for s in db.session.scalars(select(School))}
    visits, last = Counter(), {}
    for note in db.session.scalars(select(NoteOfVisit).where(NoteOfVisit.status != "planned")):
        visits[(note.school_id, academic_year_for(note.visit_date))] += 1
        last[note.school_id] = max(note.visit_date, last.get(note.school_id, note.visit_date))
    allocations = {(a.school_id, a.academic_year): a.link_visits for a in db.session.scalars(select(SupportAllocation))}
    rows, tiers = {}, defaultdict(lambda: (0, 0, 0))
    for key in set(visits) | set(allocations):
        school = schools[key[0]]
        row = (visits.get(key, 0), allocations.get(key), school.support_tier, school.status != "Closed")
        rows[key] = row
        if row[3]:
            v, n, a = tiers[(school.support_tier, key[1])]
            tiers[(school.support_tier, key[1])] = (v + row[0], n + (row[1] is not None), a + (row[1] or 0))
    actions = Counter()
    for action in db.session.scalars(select(AgreedAction).where(AgreedAction.status == "open",
                                                                AgreedAction.due_on.is_not(None))):
        school = schools[action.note.school_id]
        if school.status != "Closed":
            actions[(school.id, action.due_on, school.link_adviser_id)] += 1
    return {"last": {i: last.get(i) for i in schools}, "rows": rows,
            "tiers": {k: v for k, v in tiers.items() if any(v)}, "actions": dict(actions)}


def kept(db):
    db.session.expire_all()
    return {
        "last": {s.id: s.last_visit_on for s in db.session.scalars(select(School))},
        "rows": {(r.school_id, r.academic_year): (r.visits_done, r.allocated_visits, r.tier_code, r.counted)
                 for r in db.session.scalars(select(SchoolYearTally))},
        "tiers": {(t.tier_code, t.academic_year): (t.visits_done, t.allocations_issued, t.allocated_visits_issued)
                  for t in db.session.scalars(select(TierYearTally))
                  if t.visits_done or t.allocations_issued or t.allocated_visits_issued},
        "actions": {(t.school_id, t.due_on, t.link_adviser_id): t.actions
                    for t in db.session.scalars(select(OpenActionTally))},
    }


def assert_kept(db):
    assert kept(db) == from_scratch(db)


def note_data(day, *actions, discussion="Discussed reading"):
    return services.NoteData(visit_date=day, visit_type_code="core_support", discussion=discussion,
                             actions=list(actions))


def test_every_service_keeps_the_summaries(db, create_user, create_school):
    adviser, sia = create_user("link_adviser"), create_user("sia")
    ash = create_school(name="Ash", link_adviser_id=adviser.id)
    birch = create_school(name="Birch", link_adviser_id=adviser.id, support_tier="enhanced", mcs_level=2)
    assert_kept(db)

    # Visits written up, with actions; one dated last year.
    first = services.record_visit(adviser, ash, note_data(
        TODAY - timedelta(days=3), services.ActionData("Phonics", "Head", TODAY - timedelta(days=1)),
        services.ActionData("Maths", "Deputy", TODAY + timedelta(days=20))))
    services.record_visit(adviser, ash, note_data(TODAY - timedelta(days=400)))
    planned = services.plan_visit(adviser, birch, visit_date=TODAY + timedelta(days=5), visit_type_code="core_support",
                                  purpose="Check-in")
    db.session.commit()
    assert_kept(db)
    assert db.session.get(School, ash.id).last_visit_on == TODAY - timedelta(days=3)
    assert db.session.get(School, birch.id).last_visit_on is None  # a planned visit is not a visit

    # The note is moved to another date and its actions rewritten; an action is done.
    services.update_note(adviser, first, note_data(TODAY - timedelta(days=10),
                                                   services.ActionData("Phonics", "Head", TODAY - timedelta(days=2))),
                         expected_version=first.version)
    db.session.commit()
    assert_kept(db)
    # Ash's actions follow it to a new link adviser, and back.
    other = create_user("link_adviser")
    school_services.assign_link_adviser(sia, db.session.get(School, ash.id), other)
    db.session.commit()
    assert_kept(db)
    assert {a for _, _, a in kept(db)["actions"]} == {other.id}
    school_services.assign_link_adviser(sia, db.session.get(School, ash.id), adviser)
    db.session.commit()
    assert_kept(db)
    services.set_action_status(adviser, first.actions[0], "done")
    db.session.commit()
    assert_kept(db)
    assert db.session.scalars(select(OpenActionTally)).all() == []

    # The planned visit is written up on the day (moved to today).
    services.update_note(adviser, planned, note_data(TODAY), expected_version=planned.version)
    db.session.commit()
    assert_kept(db)

    # Allocations issued and one adjusted; then Ash moves tier and Birch closes.
    school_services.issue_annual_allocations(sia, YEAR)
    school_services.adjust_allocation(sia, ash, YEAR, link_visits=9, consultant_days="2", reason="Extra support")
    db.session.commit()
    assert_kept(db)
    school_services.change_support(sia, ash, support_tier="significant", mcs_level=4, cause_for_concern=None,
                                   is_vulnerable=False, has_significant_underachievement=False, reason="Review")
    db.session.commit()
    assert_kept(db)
    birch = db.session.get(School, birch.id)
    birch.status = "Closed"
    db.session.commit()
    assert_kept(db)
    assert (kept(db)["tiers"][("significant", YEAR)]) == (1, 1, 9)
    assert ("enhanced", YEAR) not in kept(db)["tiers"]  # Birch's visit and allocation left with it

    # A note deleted; a school with nothing but an allocation deleted (schools with a history are
    # closed, never deleted: their decisions and timeline hold on to them).
    db.session.delete(db.session.get(NoteOfVisit, first.id))
    db.session.commit()
    assert_kept(db)
    cedar = create_school(name="Cedar")
    db.session.add(SupportAllocation(school_id=cedar.id, academic_year=YEAR, support_tier="light_touch",
                                     link_visits=4, consultant_days=1))
    db.session.commit()
    assert kept(db)["tiers"][("light_touch", YEAR)] == (0, 1, 4)
    db.session.delete(db.session.get(School, cedar.id))
    db.session.commit()
    assert_kept(db)


def test_a_refresh_from_scratch_changes_nothing(db, create_user, create_school, create_note):
    adviser = create_user("link_adviser")
    for i in range(3):
        school = create_school(link_adviser_id=adviser.id, support_tier="enhanced", mcs_level=2)
        create_note(school=school, adviser=adviser, status="finalised", visit_date=TODAY - timedelta(days=30 * i))
    before = kept(db)
    refresh_school_tallies(db.session.connection(), [s.id for s in db.session.scalars(select(School))])
    db.session.commit()
    assert kept(db) == before == from_scratch(db)


def test_bulk_loaded_history_has_its_summaries(db):
    from tools.bench_data import bench_users, seed_history, seed_schools

    *advisers, sia = bench_users(3)
    seed_schools(30, seed=7, start_urn=300001, adviser_ids=advisers, sia_id=sia)
    seed_history(300001, 30, years=2, seed=7, adviser_ids=advisers, sia_id=sia)
    db.session.commit()
    assert_kept(db)
    assert any(kept(db)["rows"]) and any(kept(db)["actions"])


def test_a_school_closed_by_a_gias_import_leaves_its_tier(db, create_user, create_note):
    import io

    from lea_support.schools.gias import import_gias
    from tools.gias_sample import gias_bytes, sample_row

    adviser = create_user("link_adviser")
    import_gias(None, io.BytesIO(gias_bytes([sample_row(999001)])), filename="edubasealldata.csv", la_codes={"999"})
    db.session.commit()
    school = db.session.scalar(select(School).where(School.urn == 999001))
    create_note(school=school, adviser=adviser, status="finalised", visit_date=TODAY)
    assert kept(db)["tiers"][(school.support_tier, YEAR)][0] == 1
    # GIAS then says it has closed: the bulk update takes it out of its tier's figures.
    import_gias(None, io.BytesIO(gias_bytes([sample_row(999001, closed=True)])), filename="edubasealldata.csv",
                la_codes={"999"})
    db.session.commit()
    assert db.session.get(School, school.id).status == "Closed"
    assert_kept(db)
    assert (school.support_tier, YEAR) not in kept(db)["tiers"]
