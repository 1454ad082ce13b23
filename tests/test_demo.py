"""The demo authority that `make run` seeds: every tier and level, every role, real workflows; and
the demo at scale, loaded in bulk."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from lea_support.auth.models import User
from lea_support.casework.models import NoteOfVisit
from lea_support.reviews.models import PublishedReviewReport
from lea_support.schools.models import School
from tests.conftest import sign_in


def test_demo_seeds_once_and_every_role_can_sign_in(app, db, client):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "--if-empty"])
    assert first.exit_code == 0, first.output
    assert "governor@demo.invalid" in first.output
    again = runner.invoke(args=["demo", "--if-empty"])
    assert "already has schools" in again.output
    assert db.session.scalar(select(func.count()).select_from(School)) == 40
    levels = set(db.session.execute(select(School.support_tier, School.mcs_level)).all())
    assert levels == {("light_touch", 1), ("enhanced", 2), ("significant", 3), ("significant", 4), ("significant", 5)}
    assert {u.role for u in db.session.scalars(select(User))} == {
        "admin", "link_adviser", "sia", "project_team", "consultant", "school_leader", "governor"}
    assert db.session.scalar(select(func.count()).select_from(NoteOfVisit).where(NoteOfVisit.status == "sent")) >= 1
    assert db.session.scalar(select(func.count()).select_from(PublishedReviewReport)) == 1
    assert sign_in(client, "governor@demo.invalid", "demo-sign-in-2026").status_code == 302
    page = client.get("/governor/schools/990001").get_data(as_text=True)
    assert "Joint LEA/School Review" in page
    assert "governor-reports-990001" in page and "(PDF, " in page  # this term's published report


def test_the_demo_consultant_is_deployed_at_an_enhanced_school_with_a_visit(app, db, client):
    """Issue 19 item 1: the literacy consultant, deployed through an enhanced-support plan, has one
    support visit recorded against the deployment, its day counted."""
    from lea_support.enhanced.models import ConsultantDeployment

    assert app.test_cli_runner().invoke(args=["demo", "--if-empty"]).exit_code == 0
    consultant = db.session.scalars(select(User).where(User.email == "consultant@demo.invalid")).one()
    assert (consultant.role, consultant.specialism) == ("consultant", "literacy")
    deployment = db.session.scalars(select(ConsultantDeployment)).one()
    assert deployment.consultant_id == consultant.id and deployment.plan.school.support_tier == "enhanced"
    assert deployment.plan.school.name == "Westcliffe CofE Primary School"  # as the README says
    visit = db.session.scalars(select(NoteOfVisit).where(NoteOfVisit.adviser_id == consultant.id)).one()
    assert (visit.deployment_id, visit.days_spent, visit.status) == (deployment.id, 1, "sent")
    assert sign_in(client, "consultant@demo.invalid", "demo-sign-in-2026").status_code == 302
    page = client.get(f"/schools/{deployment.plan.school.urn}").get_data(as_text=True)
    assert client.get(f"/visits/{visit.id}").status_code == 200 and deployment.plan.school.name in page


def test_the_demo_timeline_reads_as_a_history(app, db, client):
    """Entries are dated when their events happened (visits, decisions, the review's stages, the
    plan's agreement, the team's meeting), not all at the moment the demo ran."""
    import re

    from lea_support.schools.models import SchoolEvent

    assert app.test_cli_runner().invoke(args=["demo", "--if-empty"]).exit_code == 0
    days = {when.date() for when in db.session.scalars(select(SchoolEvent.occurred_at))}
    assert len(days) > 30 and max(days) <= date.today()
    assert sign_in(client, "sia@demo.invalid", "demo-sign-in-2026").status_code == 302
    page = client.get("/schools/990001/timeline").get_data(as_text=True)
    shown = re.findall(r'<time datetime="([\d-]+)">', page)
    assert len(set(shown)) >= 10, shown
    assert shown == sorted(shown, reverse=True)  # newest first
    entries = re.findall(r'<time datetime="([\d-]+)">.*?<p class="govuk-body[^"]*">([^<]+)</p>', page, re.S)
    dated = {summary.strip(): day for day, summary in entries}
    assert dated["Joint LEA/School Review report published"] < dated["Raising Achievement Plan agreed"]
    # A note of visit is dated by the visit, and sent after it.
    sent = next(day for summary, day in dated.items() if summary.startswith("Note of visit on"))
    visited = next(day for summary, day in dated.items() if summary.startswith("Visit on"))
    assert visited < sent


def test_demo_at_scale_loads_history_in_bulk_with_kept_summaries_right(app, db, client):
    from lea_support.governor_reports.models import GovernorReport
    from lea_support.rap.models import PlanAction, PlanObjective, ProjectTeam, RaisingAchievementPlan, TeamMeeting
    from lea_support.reviews.models import JointReview
    from lea_support.schools.models import SupportDecision

    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "--schools", "30"]).exit_code != 0  # only with --scale
    result = runner.invoke(args=["demo", "--scale", "la", "--schools", "30", "--years", "3"])
    assert result.exit_code == 0, result.output
    assert "notes of visit" in result.output and "Generated in" in result.output
    assert "already has schools" in runner.invoke(args=["demo", "--scale", "la", "--if-empty"]).output

    def count(model, *where):
        return db.session.scalar(select(func.count()).select_from(model).where(*where))

    assert count(School) == 30
    assert count(NoteOfVisit) > 30 * 3 * 2
    assert count(JointReview, JointReview.stage == "published") >= 1
    assert count(GovernorReport) >= 1
    # Kept summaries, which the services would maintain, are right after the bulk load.
    for plan in db.session.scalars(select(RaisingAchievementPlan)):
        assert plan.first_open_due_on == db.session.scalar(
            select(func.min(PlanAction.due_on)).join(PlanObjective)
            .where(PlanObjective.plan_id == plan.id, PlanAction.status.not_in(("done", "dropped"))))
    for team in db.session.scalars(select(ProjectTeam)):
        last = db.session.scalar(select(func.max(TeamMeeting.held_on)).where(TeamMeeting.team_id == team.id))
        assert last is None or team.next_meeting_on > last
    assert db.session.scalar(select(func.max(SupportDecision.decided_at))).date() <= date.today()
    for school in db.session.scalars(select(School)):
        changed = db.session.scalar(select(func.max(SupportDecision.decided_at)).where(
            SupportDecision.school_id == school.id, SupportDecision.previous_tier != SupportDecision.support_tier))
        assert school.support_tier_since == (changed.date() if changed else None), school
    # The demo users sign in and see the pages; the governor has two schools.
    governor = db.session.scalars(select(User).where(User.email == "governor@demo.invalid")).one()
    assert len(governor.schools) == 2
    assert sign_in(client, "governor@demo.invalid", "demo-sign-in-2026").status_code == 302
    assert client.get("/governor").status_code == 200
    assert client.get(f"/governor/schools/{governor.schools[0].urn}").status_code == 200
    admin_client = app.test_client()
    assert sign_in(admin_client, "admin@demo.invalid", "demo-sign-in-2026").status_code == 302
    adviser = db.session.scalars(select(User).where(User.email == "adviser@demo.invalid")).one()
    review = db.session.scalars(select(JointReview).where(JointReview.stage == "published")).first()
    for url in ("/schools", f"/schools/{governor.schools[0].urn}", f"/caseload?adviser={adviser.id}", "/plans",
                f"/reviews/{review.id}"):
        assert admin_client.get(url).status_code == 200, url
