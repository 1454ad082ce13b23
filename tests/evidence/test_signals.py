"""Risk signals, their rules and the tier-review prompts, through the import engine and the pages."""
from __future__ import annotations

from sqlalchemy import func, select

from lea_support.evidence.imports import import_data
from lea_support.evidence.models import SchoolSignal, SignalRule, TierReviewPrompt
from lea_support.evidence.signals import recompute_signals
from lea_support.schools.models import School, SupportDecision
from tests.conftest import csrf_token, recorded_statements, submit

OFSTED = ("URN,Inspection start date,Publication date,Category of concern,Achievement,Achievement - date of grade,"
          "Leadership and governance,Leadership and governance - date of grade\n"
          "{urn},20/01/2026,17/02/2026,{category},{achievement},20/01/2026,Expected standard,20/01/2026\n")
KS2 = ("RECTYPE,LEA,URN,PTRWM_EXP\n"
       "1,999,{urn},{rwm}%\n"
       "5,,,60%\n")


def ofsted(urn: int, category: str = "Special measures", achievement: str = "Needs attention") -> None:
    import_data(None, OFSTED.format(urn=urn, category=category, achievement=achievement).encode(),
                filename="ofsted.csv")


def signals_of(db, school) -> dict[str, list[list[str]]]:
    db.session.expire_all()
    return {code: values for code, values in db.session.execute(
        select(SignalRule.code, SchoolSignal.values).join(SignalRule, SignalRule.id == SchoolSignal.rule_id)
        .where(SchoolSignal.school_id == school.id))}


def prompts_of(db, school) -> list[TierReviewPrompt]:
    db.session.expire_all()
    return list(db.session.scalars(select(TierReviewPrompt).where(TierReviewPrompt.school_id == school.id)
                                   .order_by(TierReviewPrompt.id)))


def test_an_import_flags_schools_with_the_values_behind_and_prompts_where_the_tier_does_not_reflect(db,
                                                                                                   create_school):
    light, significant = create_school(), create_school(support_tier="significant", mcs_level=3)
    for school in (light, significant):
        ofsted(school.urn)
    db.session.commit()
    found = signals_of(db, light)
    assert found["CATEGORY_OF_CONCERN"] == [["Category of concern (inspected 2025/26)", "Special measures"]]
    assert found["NEEDS_ATTENTION"] == [["Achievement (inspected 2025/26)", "Needs attention"]]
    assert "URGENT_IMPROVEMENT" not in found
    # Light touch reflects neither: a prompt for each. Significant support reflects both: none.
    assert sorted(p.rule.code for p in prompts_of(db, light)) == ["CATEGORY_OF_CONCERN", "NEEDS_ATTENTION"]
    assert prompts_of(db, significant) == []
    assert "Special measures" in prompts_of(db, light)[0].evidence


def test_below_england_two_years_running_and_not_one(db, create_school):
    twice, once = create_school(), create_school()
    for year, (a, b) in ((2022, (45, 45)), (2023, (48, 70))):
        import_data(None, (KS2.format(urn=twice.urn, rwm=a) + f"1,999,{once.urn},{b}%\n").encode(),
                    filename=f"ks2-{year}-{year - 1999}.csv")
    db.session.commit()
    assert signals_of(db, twice)["KS2_RWM_BELOW_ENGLAND"] == [
        ["Reading, writing and maths: expected standard 2022/23", "45% (England 60%)"],
        ["Reading, writing and maths: expected standard 2023/24", "48% (England 60%)"]]
    assert "KS2_RWM_BELOW_ENGLAND" not in signals_of(db, once)


def test_a_dismissed_prompt_stays_away_for_the_same_evidence_and_new_evidence_raises_it_again(
        client, db, login_as, create_school):
    school = create_school()
    ofsted(school.urn, achievement="Expected standard")
    db.session.commit()
    [prompt] = prompts_of(db, school)
    login_as("sia")
    response = submit(client, f"/tier-reviews/{prompt.id}", {"reason": "New head in post; LA monitoring"})
    assert response.status_code == 302
    assert prompts_of(db, school)[0].status == "dismissed"
    recompute_signals()
    db.session.commit()
    assert [p.status for p in prompts_of(db, school)] == ["dismissed"]  # same evidence: not back
    ofsted(school.urn, category="Serious weaknesses", achievement="Expected standard")
    db.session.commit()
    assert [p.status for p in prompts_of(db, school)] == ["dismissed", "open"]
    assert "Serious weaknesses" in prompts_of(db, school)[1].evidence
    assert "Serious weaknesses" in client.get("/tier-reviews").get_data(as_text=True)


def test_accepting_opens_the_decision_form_with_the_signal_cited_and_only_the_decision_changes_the_tier(
        client, db, login_as, create_school):
    school = create_school()
    ofsted(school.urn, achievement="Expected standard")
    db.session.commit()
    [prompt] = prompts_of(db, school)
    login_as("sia")
    home = client.get("/").get_data(as_text=True)
    assert "Tier reviews: risk signals the tier does not reflect" in home
    assert school.name in client.get("/tasks/tier-reviews").get_data(as_text=True)
    response = client.post(f"/tier-reviews/{prompt.id}/accept", data={"csrf_token": csrf_token(client, "/tier-reviews")})
    assert response.status_code == 302 and response.location.endswith(f"/schools/{school.urn}/support?prompt={prompt.id}")
    assert db.session.get(School, school.id).support_tier == "light_touch"  # nothing changed by itself
    form = client.get(response.location).get_data(as_text=True)
    assert "Risk signal (tier-review prompt" in form and "Special measures" in form
    evidence = f"Risk signal: {prompt.evidence}"
    response = submit(client, f"/schools/{school.urn}/support",
                      {"support_tier": "significant", "mcs_level": "3", "cause_for_concern": "ofsted",
                       "reason": "Special measures", "evidence": evidence, "edit_version": "1"})
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    decision = db.session.scalars(select(SupportDecision).where(SupportDecision.school_id == school.id)).one()
    assert decision.support_tier == "significant" and "Special measures" in decision.evidence
    assert prompts_of(db, school)[0].status == "accepted"
    assert school.name not in client.get("/tier-reviews").get_data(as_text=True)


def test_signals_show_on_the_school_page_and_profile_for_la_staff_not_governors(client, db, login_as,
                                                                                 create_school):
    school = create_school()
    ofsted(school.urn)
    db.session.commit()
    login_as("link_adviser")
    for url in (f"/schools/{school.urn}", f"/schools/{school.urn}/profile"):
        html = client.get(url).get_data(as_text=True)
        assert "Risk signals from the data" in html and "Special measures" in html
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})
    login_as("governor", schools=[school])
    html = client.get(f"/schools/{school.urn}/profile").get_data(as_text=True)
    assert "Risk signals from the data" not in html


def test_an_admin_previews_a_rule_without_saving_then_saves_it_and_signals_follow(client, db, login_as,
                                                                                  create_school):
    low, high = create_school(), create_school()
    import_data(None, (KS2.format(urn=low.urn, rwm=40) + f"1,999,{high.urn},80%\n").encode(),
                filename="ks2-2023-24.csv")
    db.session.commit()
    login_as("admin")
    data = {"code": "LOW_RWM", "kind": "threshold", "label": "RWM under 50%", "measures": "ptrwm_exp",
            "direction": "below", "value": "50", "min_tier": "", "active": "y"}
    page = submit(client, "/admin/signal-rules/new", {**data, "preview": "Preview"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Preview: 1 school would be flagged" in html and low.name in html
    assert high.name not in html.split('id="preview"')[1]
    assert db.session.scalar(select(func.count()).select_from(SignalRule).where(SignalRule.code == "LOW_RWM")) == 0
    bad = submit(client, "/admin/signal-rules/new", {**data, "measures": "NOPE", "preview": "Preview"})
    assert bad.status_code == 422 and "Not a measure of the catalogue: NOPE" in bad.get_data(as_text=True)
    assert submit(client, "/admin/signal-rules/new", {**data, "submit": "Save"}).status_code == 302
    assert signals_of(db, low)["LOW_RWM"] == [["Reading, writing and maths: expected standard 2023/24", "40%"]]
    rule = db.session.scalars(select(SignalRule).where(SignalRule.code == "LOW_RWM")).one()
    assert "RWM under 50%" in client.get("/admin/signal-rules").get_data(as_text=True)
    response = submit(client, f"/admin/signal-rules/{rule.id}",
                      {**data, "label": "RWM under 50%", "active": "", "edit_version": "1", "submit": "Save"})
    assert response.status_code == 302
    assert "LOW_RWM" not in signals_of(db, low)  # switched off: its signals are cleared


def test_recomputing_runs_the_same_statements_for_few_schools_or_many(db, create_school):
    def statements(n: int) -> int:
        schools = [create_school() for _ in range(n)]
        rows = "".join(f"1,999,{s.urn},40%\n" for s in schools)
        import_data(None, ("RECTYPE,LEA,URN,PTRWM_EXP\n" + rows + "5,,,60%\n").encode(),
                    filename="ks2-2023-24.csv")
        db.session.commit()
        with recorded_statements() as seen:
            recompute_signals()
        return len(seen)

    few = statements(2)
    assert statements(30) == few
