"""Every route x every role -> the status the server must answer. A route missing from the
table fails the test, so nobody can add a page without deciding who may see it."""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy import Integer, select, text

from lea_support.casework.models import AgreedAction
from lea_support.extensions import db as _db
from lea_support.schools.models import School
from tests.conftest import (
    _CSRF,
    ON_POSTGRES,
    REFERENCE_TABLES,
    csrf_token,
    make_app,
    make_review_happen,
    new_note,
    new_review,
    new_school,
    new_user,
)

ROLES = ["anonymous", "admin", "link_adviser", "sia", "project_team", "consultant", "school_leader", "governor"]
LA = {"admin": 200, "link_adviser": 200, "sia": 200, "project_team": 200}
ANON = {"anonymous": 302}
# Who runs an LA-wide programme (programmes.permissions.can_manage_programmes).
MANAGE = {"admin": 200, "link_adviser": 200, "sia": 200}
MANAGE_302 = {role: 302 for role in MANAGE}
MANAGE_422 = {role: 422 for role in MANAGE}


def expect(default: int | dict[str, int] = 403, **by_role: int) -> dict[str, int]:
    if isinstance(default, dict):  # a group's statuses (MANAGE), with the rest refused
        by_role = {**default, **by_role}
        default = 403
    table = {role: default for role in ROLES}
    table.update(ANON)
    table.update(by_role)
    # An LA consultant is LA staff who sees what a project team member sees, unless a row says otherwise.
    if "consultant" not in by_role:
        table["consultant"] = table["project_team"]
    return table


# (method, url, endpoint, expected statuses). {own} is the signed-in user's school, {other}
# a school they do not belong to, {user} another user.
ACCESS = [
    ("GET", "/healthz", "healthz", {r: 200 for r in ROLES}),
    ("GET", "/", "tasks.home", expect(200, anonymous=302)),
    ("GET", "/tasks/drafts-not-sent", "tasks.task_list", expect(link_adviser=200, sia=200, consultant=200)),
    ("GET", "/tasks/schools-not-visited", "tasks.task_list", expect(link_adviser=200, sia=200)),
    ("GET", "/tasks/nothing-of-the-kind", "tasks.task_list", expect(404)),
    ("GET", "/sign-in", "auth.sign_in", expect(302, anonymous=200)),
    ("POST", "/sign-in", "auth.sign_in", expect(302, anonymous=422)),
    ("POST", "/sign-out", "auth.sign_out", expect(302)),
    # Council sign-in is off in the table's app (no OIDC_ISSUER): its doors are not there for anyone.
    ("GET", "/sign-in/council", "auth.council_sign_in", expect(404, anonymous=404)),
    ("GET", "/sign-in/council/callback", "auth.council_callback", expect(404, anonymous=404)),
    ("GET", "/signed-out", "auth.signed_out", expect(302, anonymous=200)),
    # The second step of a password sign-in: with no password just given, back to the sign-in (or home).
    ("GET", "/sign-in/code", "auth.enter_code", expect(302)),
    ("POST", "/sign-in/code", "auth.enter_code", expect(302)),
    ("GET", "/sign-in/forgotten-password", "auth.forgotten_password", expect(200, anonymous=200)),
    ("POST", "/sign-in/forgotten-password", "auth.forgotten_password", expect(422, anonymous=422)),
    ("GET", "/sign-in/reset-password/not-a-live-link", "auth.reset_password", expect(404, anonymous=404)),
    ("POST", "/sign-in/reset-password/not-a-live-link", "auth.reset_password", expect(404, anonymous=404)),
    # Everyone's own second factor (nobody signed in here has one: new recovery codes are refused).
    ("GET", "/account/security", "auth.account_security", expect(200)),
    ("GET", "/account/security/authenticator", "auth.set_up_authenticator", expect(200)),
    ("POST", "/account/security/authenticator", "auth.set_up_authenticator", expect(422)),
    ("POST", "/account/security/recovery-codes", "auth.renew_recovery_codes", expect(302)),
    ("POST", "/account/security/authenticator/turn-off", "auth.turn_off_authenticator", expect(422)),
    ("POST", "/admin/users/{user}/second-factor/reset", "auth.reset_second_factor", expect(admin=302)),
    ("GET", "/admin/audit", "core.audit_log", expect(admin=200)),
    ("GET", "/admin", "core.admin_index", expect(admin=200, sia=200)),
    ("GET", "/admin/users", "auth.list_users", expect(admin=200)),
    ("GET", "/admin/users/new", "auth.create_user", expect(admin=200)),
    ("POST", "/admin/users/new", "auth.create_user", expect(admin=422)),
    ("GET", "/admin/users/{user}/edit", "auth.edit_user", expect(admin=200)),
    ("POST", "/admin/users/{user}/edit", "auth.edit_user", expect(admin=302)),
    ("POST", "/admin/users/{user}/unlock", "auth.unlock_user", expect(admin=302)),
    # {sign_in_group}: a council group mapped to a role (removed by the last row).
    ("GET", "/admin/sign-in-groups", "auth.sign_in_groups", expect(admin=200)),
    ("POST", "/admin/sign-in-groups", "auth.sign_in_groups", expect(admin=422)),
    ("GET", "/admin/sign-in-groups/{sign_in_group}/remove", "auth.remove_sign_in_group", expect(admin=200)),
    ("POST", "/admin/sign-in-groups/{sign_in_group}/remove", "auth.remove_sign_in_group", expect(admin=302)),
    ("GET", "/admin/tiers", "schools.list_tiers", expect(admin=200)),
    ("GET", "/admin/tiers/enhanced", "schools.edit_tier", expect(admin=200)),
    ("POST", "/admin/tiers/enhanced", "schools.edit_tier", expect(admin=302)),
    ("GET", "/admin/import", "schools.import_schools", expect(admin=200)),
    ("POST", "/admin/import", "schools.import_schools", expect(admin=422)),
    ("GET", "/admin/data-imports", "evidence.import_data", expect(admin=200)),
    ("POST", "/admin/data-imports", "evidence.import_data", expect(admin=422)),
    ("GET", "/schools/{own}/profile", "evidence.school_profile", expect(**LA, school_leader=200, governor=200)),
    ("GET", "/admin/signal-rules", "evidence.signal_rules", expect(admin=200)),
    ("GET", "/admin/signal-rules/new", "evidence.new_signal_rule", expect(admin=200)),
    ("POST", "/admin/signal-rules/new", "evidence.new_signal_rule", expect(admin=422)),
    ("GET", "/admin/signal-rules/{rule}", "evidence.edit_signal_rule", expect(admin=200)),
    ("POST", "/admin/signal-rules/{rule}", "evidence.edit_signal_rule", expect(admin=422)),
    # {prompt}: an open tier-review prompt on {own} (light touch) from the category-of-concern rule {rule}.
    ("GET", "/tier-reviews", "evidence.tier_reviews", expect(admin=200, sia=200)),
    ("GET", "/tier-reviews/{prompt}", "evidence.show_prompt", expect(admin=200, sia=200)),
    ("POST", "/tier-reviews/{prompt}", "evidence.show_prompt", expect(admin=422, sia=422)),
    ("POST", "/tier-reviews/{prompt}/accept", "evidence.accept_prompt", expect(admin=302, sia=302)),
    ("GET", "/schools/{other}/profile", "evidence.school_profile", expect(**LA)),
    ("GET", "/schools", "schools.list_schools", expect(**LA)),
    ("GET", "/schools/{own}", "schools.show_school", expect(**LA, school_leader=200)),
    ("GET", "/schools/{own}/timeline", "schools.school_timeline", expect(**LA, school_leader=200)),
    ("GET", "/schools/{own}/timeline?kind=visits", "schools.school_timeline", expect(**LA, school_leader=200)),
    ("GET", "/schools/{other}", "schools.show_school", expect(**LA)),
    ("GET", "/schools/{own}/support", "schools.change_support", expect(admin=200, sia=200)),
    ("POST", "/schools/{own}/support", "schools.change_support", expect(admin=422, sia=422)),
    ("GET", "/schools/{own}/link-adviser", "schools.set_link_adviser", expect(admin=200, sia=200)),
    ("POST", "/schools/{own}/link-adviser", "schools.set_link_adviser", expect(admin=422, sia=422)),
    ("GET", "/admin/link-advisers/reassign", "schools.reassign_schools", expect(admin=200, sia=200)),
    ("POST", "/admin/link-advisers/reassign", "schools.reassign_schools", expect(admin=422, sia=422)),
    ("GET", "/allocations", "schools.allocations", expect(**LA)),
    ("GET", "/allocations?format=csv", "schools.allocations", expect(**LA)),
    ("POST", "/allocations/2026-27/issue", "schools.issue_allocations", expect(admin=302, sia=302)),
    ("GET", "/allocations/2026-27/{own}", "schools.adjust_allocation", expect(admin=200, sia=200)),
    ("POST", "/allocations/2026-27/{own}", "schools.adjust_allocation", expect(admin=422, sia=422)),
    # The allocation that follows a new tier ({own}'s was issued for another tier than its own now).
    ("GET", "/schools/{own}/allocation/follow-tier", "schools.follow_tier_allocation", expect(admin=200, sia=200)),
    ("POST", "/schools/{own}/allocation/follow-tier", "schools.follow_tier_allocation", expect(admin=422, sia=422)),
    ("GET", "/my-schools", "schools.my_schools", expect(**LA, school_leader=200)),
    ("GET", "/governor", "governor_reports.governor_home", expect(governor=200)),
    ("GET", "/governor/schools/{own}", "governor_reports.governor_school", expect(governor=200)),
    ("GET", "/governor/schools/{other}", "governor_reports.governor_school", expect()),
    # A governor reads their own school's agreed plan, summarised, and not another school's.
    ("GET", "/governor/schools/{own}/plan", "governor_reports.governor_plan", expect(governor=200)),
    ("GET", "/governor/schools/{other}/plan", "governor_reports.governor_plan", expect()),
    # Reports to governors. {greport} is the autumn-2026 report of {own}: version 1 published, version 2
    # a draft re-issue; {other_report} the published report of {other}; {run} a finished bulk run.
    ("GET", "/governor-reports", "governor_reports.term_reports", expect(**LA)),
    ("GET", "/schools/{own}/governor-reports", "governor_reports.school_reports", expect(**LA)),
    ("POST", "/schools/{own}/governor-reports", "governor_reports.draft_report", expect(admin=422, sia=422)),
    ("GET", "/governor-reports/{greport}", "governor_reports.show_report", expect(**LA)),
    ("POST", "/governor-reports/{greport}/check", "governor_reports.check_report", expect(admin=422, sia=422)),
    ("POST", "/governor-reports/{greport}/publish", "governor_reports.publish_report", expect(admin=422, sia=422)),
    ("POST", "/governor-reports/{greport}/reissue", "governor_reports.reissue_report", expect(admin=422, sia=422)),
    ("POST", "/governor-reports/{greport}/redraft", "governor_reports.redraft_report", expect(admin=302, sia=302)),
    ("GET", "/governor-reports/{greport}/versions/1.pdf", "governor_reports.download_report",
     expect(**LA, school_leader=200, governor=200)),
    ("GET", "/governor-reports/{greport}/versions/2.pdf", "governor_reports.download_report", expect(**LA)),
    ("GET", "/governor-reports/{greport}/versions/3.pdf", "governor_reports.download_report", expect(404, anonymous=302,
                                                                                            school_leader=403,
                                                                                            governor=403)),
    ("GET", "/governor-reports/{other_report}/versions/1.pdf", "governor_reports.download_report", expect(**LA)),
    ("GET", "/admin/governor-reports/bulk", "governor_reports.bulk_runs", expect(admin=200)),
    ("POST", "/admin/governor-reports/bulk", "governor_reports.bulk_runs", expect(admin=422)),
    ("GET", "/admin/governor-reports/bulk/{run}", "governor_reports.show_bulk_run", expect(admin=200)),
    ("GET", "/allocations/2026-27/{own}/letter.pdf", "schools.allocation_letter",
     expect(**LA, school_leader=200, governor=200)),
    ("GET", "/allocations/2026-27/{other}/letter.pdf", "schools.allocation_letter", expect(**LA)),
    ("GET", "/plans/{agreed}/pdf", "rap.plan_pdf", expect(**LA, school_leader=200)),
    ("GET", "/static/app.js", "static", {r: 200 for r in ROLES}),
    ("GET", "/assets/images/favicon.svg", "govuk_assets", {r: 200 for r in ROLES}),
    ("GET", "/assets/js/govuk-frontend.min.js", "govuk_js", {r: 200 for r in ROLES}),
    # Notes of visit. {note} is a note of {own}, sent to the school by another adviser; {draft} a
    # draft of {own} by that adviser (sent by the last row); {action} an action on {note}.
    ("GET", "/schools/{own}/visits", "casework.school_notes", expect(**LA, school_leader=200)),
    ("GET", "/schools/{other}/visits", "casework.school_notes", expect(**LA)),
    # Enhanced support plans ({splan} on {own}, deploying a consultant who is not the signed-in one).
    ("GET", "/schools/{own}/support-plans", "enhanced.school_plans", expect(**LA, school_leader=200)),
    ("GET", "/schools/{other}/support-plans", "enhanced.school_plans", expect(**LA)),
    ("GET", "/schools/{own}/support-plans/new", "enhanced.new_plan", expect(admin=200, link_adviser=200, sia=200)),
    ("POST", "/schools/{own}/support-plans/new", "enhanced.new_plan", expect(admin=422, link_adviser=422, sia=422)),
    ("GET", "/support-plans/{splan}", "enhanced.show_plan", expect(**LA, school_leader=200)),
    ("GET", "/support-plans/{other_splan}", "enhanced.show_plan", expect(**LA)),
    ("POST", "/support-plans/{splan}", "enhanced.edit_plan", expect(admin=422, link_adviser=422, sia=422)),
    ("POST", "/support-plans/{splan}/deployments", "enhanced.deploy_consultant",
     expect(admin=422, link_adviser=422, sia=422)),
    ("POST", "/support-plans/deployments/{deployment}/remove", "enhanced.remove_deployment",
     expect(admin=302, link_adviser=302, sia=302)),
    # Sharing4Success: {gp_own} nominated at {own}; {gp_agreed} agreed and {gp_nominated} nominated at {other};
    # {finding} a review's "what works well" finding at {own}; {partnership}: {other} supports {own}.
    ("GET", "/good-practice", "sharing.directory", expect(**LA, school_leader=200)),
    ("GET", "/good-practice/{gp_own}", "sharing.show_entry", expect(**LA, school_leader=200)),
    ("GET", "/good-practice/{gp_agreed}", "sharing.show_entry", expect(**LA, school_leader=200)),
    ("GET", "/good-practice/{gp_nominated}", "sharing.show_entry", expect(**LA)),
    ("POST", "/good-practice/{gp_nominated}/agree", "sharing.agree_entry", expect()),
    ("POST", "/good-practice/{gp_own}/agree", "sharing.agree_entry", expect(school_leader=422)),
    ("POST", "/good-practice/{gp_own}/decline", "sharing.decline_entry", expect(school_leader=302)),
    ("GET", "/visits/{note}/good-practice", "sharing.nominate_from_note", expect(admin=200, link_adviser=200, sia=200)),
    ("POST", "/visits/{note}/good-practice", "sharing.nominate_from_note",
     expect(admin=422, link_adviser=422, sia=422)),
    ("GET", "/review-findings/{finding}/good-practice", "sharing.nominate_from_finding",
     expect(admin=200, link_adviser=200, sia=200)),
    ("POST", "/review-findings/{finding}/good-practice", "sharing.nominate_from_finding",
     expect(admin=422, link_adviser=422, sia=422)),
    ("GET", "/schools/{own}/sharing", "sharing.school_sharing", expect(**LA, school_leader=200)),
    ("GET", "/schools/{other}/sharing", "sharing.school_sharing", expect(**LA)),
    ("GET", "/partnerships/new", "sharing.new_partnership", expect(admin=200, link_adviser=200, sia=200)),
    ("POST", "/partnerships/new", "sharing.new_partnership", expect(admin=422, link_adviser=422, sia=422)),
    ("GET", "/partnerships/{partnership}", "sharing.show_partnership", expect(**LA, school_leader=200)),
    ("POST", "/partnerships/{partnership}", "sharing.show_partnership", expect(admin=302, link_adviser=302, sia=302)),
    ("GET", "/support-aspects", "sharing.support_aspects", expect(**LA)),
    ("GET", "/schools/{own}/visits/plan", "casework.plan_visit", expect(admin=200, link_adviser=200, sia=200)),
    ("POST", "/schools/{own}/visits/plan", "casework.plan_visit", expect(admin=422, link_adviser=422, sia=422)),
    ("GET", "/schools/{own}/visits/new", "casework.record_visit", expect(admin=200, link_adviser=200, sia=200)),
    ("POST", "/schools/{own}/visits/new", "casework.record_visit", expect(admin=422, link_adviser=422, sia=422)),
    ("GET", "/visits/{note}", "casework.show_note", expect(**LA, school_leader=200)),
    ("GET", "/visits/{draft}", "casework.show_note", expect(**LA)),
    ("GET", "/visits/{note}/edit", "casework.edit_note", expect()),
    ("GET", "/visits/{draft}/edit", "casework.edit_note", expect(admin=200, link_adviser=200, sia=200)),
    ("POST", "/visits/{draft}/edit", "casework.edit_note", expect(admin=422, link_adviser=422, sia=422)),
    ("POST", "/visits/{note}/respond", "casework.respond_to_note", expect(school_leader=422)),
    # Who may take a step is checked at the door; whether the note is at that step, by the service (422),
    # so that a second click of the same button is told what happened rather than "forbidden".
    ("POST", "/visits/{note}/reply", "casework.reply_to_response", expect(admin=422, sia=422)),
    ("POST", "/visits/{note}/finalise", "casework.finalise_note", expect(admin=422, sia=422)),
    ("POST", "/visits/{note}/addenda", "casework.add_addendum", expect(admin=422, sia=422)),
    # Amending the body: only once the school has marked the note inaccurate (the page sends others back).
    ("GET", "/visits/{note}/amend", "casework.amend_note", expect(admin=302, sia=302)),
    ("POST", "/visits/{note}/amend", "casework.amend_note", expect(admin=422, sia=422)),
    ("POST", "/visits/actions/{action}/status", "casework.set_action_status",
     expect(admin=422, link_adviser=422, sia=422)),
    ("POST", "/visits/{draft}/send", "casework.send_note", expect(admin=302, sia=302)),
    # Caseloads, the authority overview, term dates.
    ("GET", "/caseload", "casework.caseload", expect(admin=200, link_adviser=200, sia=200)),
    ("GET", "/caseload?format=csv", "casework.caseload", expect(admin=200, link_adviser=200, sia=200)),
    ("GET", "/caseload?adviser={user}", "casework.caseload", expect(admin=200, sia=200)),
    ("GET", "/overview", "casework.overview", expect(admin=200, sia=200)),
    ("GET", "/admin/term-dates", "core.term_dates", expect(admin=200)),
    ("GET", "/admin/letterhead", "core.letterhead", expect(admin=200)),
    ("POST", "/admin/letterhead", "core.letterhead", expect(admin=422)),
    ("POST", "/admin/term-dates", "core.term_dates", expect(admin=422)),
    ("GET", "/admin/term-dates/999999/delete", "core.delete_term", expect(admin=404)),
    ("POST", "/admin/term-dates/999999/delete", "core.delete_term", expect(admin=404)),
    ("POST", "/admin/closures", "core.add_closure", expect(admin=422)),
    ("GET", "/admin/closures/999999/delete", "core.delete_closure", expect(admin=404)),
    ("POST", "/admin/closures/999999/delete", "core.delete_closure", expect(admin=404)),
    # A note's files and PDF. {note} is a note of {own} sent to the school, {attachment} a file on it
    # (deleted by the delete row, so that row comes after the download).
    ("GET", "/visits/{note}/attachments", "casework.attach_file", expect(admin=200, link_adviser=200, sia=200)),
    ("POST", "/visits/{note}/attachments", "casework.attach_file", expect(admin=422, link_adviser=422, sia=422)),
    ("GET", "/visits/{note}/attachments/{attachment}", "casework.download_attachment", expect(**LA, school_leader=200)),
    ("GET", "/visits/{note}/pdf", "casework.note_pdf", expect(**LA, school_leader=200)),
    ("POST", "/visits/{note}/attachments/{attachment}/delete", "casework.delete_attachment",
     expect(admin=302, link_adviser=302, sia=302)),
    # Calendar feeds: {feed} is {user}'s secret token, which works without signing in.
    ("GET", "/calendar/{feed}.ics", "casework.calendar_feed_ics", {r: 200 for r in ROLES}),
    ("GET", "/calendar/" + "x" * 43 + ".ics", "casework.calendar_feed_ics", {r: 404 for r in ROLES}),
    ("GET", "/account/calendar", "casework.calendar_settings", expect(link_adviser=200, sia=200)),
    ("POST", "/account/calendar/renew", "casework.renew_calendar_feed", expect(link_adviser=200, sia=200)),
    ("GET", "/account/calendar/revoke", "casework.revoke_calendar_feed", expect(link_adviser=200, sia=200)),
    ("POST", "/account/calendar/revoke", "casework.revoke_calendar_feed", expect(link_adviser=302, sia=302)),
    # Joint LEA/School Reviews. {review} is a review of {own} at fieldwork, led by another SIA with
    # {user} as its link adviser (team {member}), with key question {question} and evidence {evidence}:
    # the signed-in user is never on its team, so every change to it is refused.
    ("GET", "/schools/{own}/reviews", "reviews.school_reviews", expect(**LA, school_leader=200, governor=200)),
    ("GET", "/schools/{other}/reviews", "reviews.school_reviews", expect(**LA)),
    ("GET", "/schools/{own}/reviews/new", "reviews.plan_review", expect(admin=200, sia=200)),
    ("POST", "/schools/{own}/reviews/new", "reviews.plan_review", expect(admin=422, sia=422)),
    ("GET", "/reviews/{review}", "reviews.show_review", expect(**LA)),
    ("POST", "/reviews/{review}/team", "reviews.add_team_member", expect()),
    ("POST", "/reviews/{review}/team/{member}/remove", "reviews.remove_team_member", expect()),
    ("POST", "/reviews/{review}/stage", "reviews.change_stage", expect()),
    ("GET", "/reviews/{review}/pre-review", "reviews.pre_review", expect()),
    ("POST", "/reviews/{review}/pre-review", "reviews.pre_review", expect()),
    ("POST", "/reviews/{review}/key-questions", "reviews.add_key_question", expect()),
    ("POST", "/reviews/{review}/key-questions/{question}/delete", "reviews.delete_key_question", expect()),
    ("GET", "/reviews/{review}/evidence/new?kind=discussion", "reviews.record_evidence", expect()),
    ("POST", "/reviews/{review}/evidence/new?kind=discussion", "reviews.record_evidence", expect()),
    ("GET", "/reviews/{review}/evidence/{evidence}/edit", "reviews.edit_evidence", expect()),
    ("POST", "/reviews/{review}/evidence/{evidence}/edit", "reviews.edit_evidence", expect()),
    ("POST", "/reviews/{review}/evidence/{evidence}/delete", "reviews.delete_evidence", expect()),
    # The evaluation, the report and its publication. {published} is a review of {own} led by another
    # SIA, its report published (version 1); {review} (above) has no published report.
    ("GET", "/reviews/{published}/evaluation", "reviews.evaluation", expect(**LA)),
    ("POST", "/reviews/{published}/evaluation", "reviews.evaluation", expect()),
    # The school's view (its participants record it; LA staff read it) and sharing the evaluation (the lead).
    ("GET", "/reviews/{review}/school-view", "reviews.school_view", expect(**LA)),
    ("POST", "/reviews/{review}/school-view", "reviews.school_view", expect()),
    ("POST", "/reviews/{review}/share-evaluation", "reviews.share_evaluation", expect()),
    ("GET", "/reviews/{published}/report-draft", "reviews.report_draft", expect()),
    ("POST", "/reviews/{published}/report-draft", "reviews.report_draft", expect()),
    ("POST", "/reviews/{published}/publish", "reviews.publish_report", expect()),
    ("POST", "/reviews/{published}/reopen", "reviews.reopen_review", expect()),
    ("GET", "/reviews/{published}/report", "reviews.show_report", expect(**LA, school_leader=200, governor=200)),
    ("GET", "/reviews/{review}/report", "reviews.show_report", expect()),
    ("GET", "/reviews/{published}/report/1.pdf", "reviews.report_pdf", expect(**LA, school_leader=200, governor=200)),
    ("GET", "/reviews/{published}/report/2.pdf", "reviews.report_pdf", expect(404, anonymous=302)),
    ("GET", "/reviews/{review}/report/1.pdf", "reviews.report_pdf", expect()),
    ("GET", "/schools/{own}/reviews/history", "reviews.school_history", expect(**LA, school_leader=200, governor=200)),
    ("GET", "/schools/{other}/reviews/history", "reviews.school_history", expect(**LA)),
    # Raising Achievement Plans. {plan} is a draft of {own} by another SIA with objective {objective};
    # {submitted} a plan of {own} awaiting sign-off; {agreed} an agreed plan with time {allocation}.
    ("GET", "/plans", "rap.dashboard", expect(**LA, school_leader=200)),
    ("GET", "/schools/{own}/plans", "rap.school_plans", expect(**LA, school_leader=200)),
    ("GET", "/schools/{other}/plans", "rap.school_plans", expect(**LA)),
    ("GET", "/schools/{own}/plans/new", "rap.draft_plan", expect(admin=200, sia=200)),
    ("POST", "/schools/{own}/plans/new", "rap.draft_plan", expect(admin=302, sia=302)),
    ("GET", "/plans/{plan}", "rap.show_plan", expect(**LA, school_leader=200)),
    ("GET", "/plans/{plan}/edit", "rap.edit_plan", expect(admin=200)),
    ("POST", "/plans/{plan}/edit", "rap.edit_plan", expect(admin=409)),
    ("POST", "/plans/{plan}/objectives", "rap.add_objective", expect(admin=422)),
    ("GET", "/plans/{plan}/objectives/{objective}", "rap.show_objective", expect(admin=200)),
    ("POST", "/plans/{plan}/objectives/{objective}/criteria", "rap.add_criterion", expect(admin=422)),
    ("POST", "/plans/{plan}/objectives/{objective}/actions", "rap.add_action", expect(admin=422)),
    ("POST", "/plans/{plan}/objectives/{objective}/criteria/{criterion}/delete", "rap.delete_criterion",
     expect(admin=302)),
    ("POST", "/plans/{plan}/objectives/{objective}/actions/{plan_action}/delete", "rap.delete_action",
     expect(admin=302)),
    ("POST", "/plans/{plan}/allocations", "rap.allocate_time", expect(admin=422)),
    ("POST", "/plans/{plan}/submit", "rap.submit_plan", expect(admin=422)),
    ("POST", "/plans/{plan}/objectives/{objective}/delete", "rap.delete_objective", expect(admin=302)),
    # Editing the draft in place: {objective2} (with {criterion2} and {plan_action2}) and {objective3}
    # follow {objective}; {draft_allocation} is time on the draft. A post without the version the
    # form was opened at is a conflict.
    ("GET", "/plans/{plan}/objectives/{objective2}/edit", "rap.edit_objective", expect(admin=200)),
    ("POST", "/plans/{plan}/objectives/{objective2}/edit", "rap.edit_objective", expect(admin=409)),
    ("GET", "/plans/{plan}/objectives/{objective2}/criteria/{criterion2}/edit", "rap.edit_criterion",
     expect(admin=200)),
    ("POST", "/plans/{plan}/objectives/{objective2}/criteria/{criterion2}/edit", "rap.edit_criterion",
     expect(admin=409)),
    ("GET", "/plans/{plan}/objectives/{objective2}/criteria/{criterion2}/measure", "rap.bind_criterion",
     expect(admin=200)),
    ("POST", "/plans/{plan}/objectives/{objective2}/criteria/{criterion2}/measure", "rap.bind_criterion",
     expect(admin=409)),
    ("GET", "/plans/{plan}/objectives/{objective2}/actions/{plan_action2}/edit", "rap.edit_action",
     expect(admin=200)),
    ("POST", "/plans/{plan}/objectives/{objective2}/actions/{plan_action2}/edit", "rap.edit_action",
     expect(admin=409)),
    ("GET", "/plans/{plan}/allocations/{draft_allocation}/edit", "rap.edit_allocation", expect(admin=200)),
    ("POST", "/plans/{plan}/allocations/{draft_allocation}/edit", "rap.edit_allocation", expect(admin=409)),
    ("POST", "/plans/{plan}/objectives/{objective3}/move-up", "rap.move_objective", expect(admin=302)),
    ("GET", "/plans/{agreed}/objectives/{agreed_objective}/edit", "rap.edit_objective", expect()),
    ("POST", "/plans/{submitted}/sign-off", "rap.sign_off_plan", expect(admin=302, sia=302, school_leader=302)),
    ("POST", "/plans/{agreed}/amend", "rap.amend_plan", expect(admin=422, sia=422)),
    # Time is logged by the plan's team (and whoever it allocates time to): the signed-in link
    # adviser, SIA and project-team member are none of these.
    ("POST", "/plans/{agreed}/allocations/{allocation}/used", "rap.log_time_used", expect(admin=422)),
    ("GET", "/plans/{agreed}/compare?a=1&b=1", "rap.compare_plans", expect(**LA, school_leader=200)),
    # Monitoring. {midpoint} is the mid-point review of {agreed}, not yet held; {notice} an
    # Improvement Notice issued to {own} by an SIA who is not the signed-in user.
    ("GET", "/plans/{agreed}/midpoint-reviews/{midpoint}", "rap.show_midpoint_review", expect(**LA, school_leader=200)),
    ("POST", "/plans/{agreed}/midpoint-reviews/{midpoint}/reschedule", "rap.reschedule_midpoint_review",
     expect(admin=422, sia=422)),
    ("GET", "/plans/{agreed}/midpoint-reviews/{midpoint}/record", "rap.record_midpoint_review",
     expect(admin=200, sia=200)),
    ("POST", "/plans/{agreed}/midpoint-reviews/{midpoint}/record", "rap.record_midpoint_review",
     expect(admin=422, sia=422)),
    ("GET", "/schools/{own}/notices", "rap.school_notices", expect(**LA, school_leader=200)),
    ("GET", "/schools/{other}/notices", "rap.school_notices", expect(**LA)),
    ("GET", "/schools/{own}/notices/new", "rap.issue_notice", expect(admin=200, sia=200)),
    ("POST", "/schools/{own}/notices/new", "rap.issue_notice", expect(admin=422, sia=422)),
    ("GET", "/notices/{notice}", "rap.show_notice", expect(**LA, school_leader=200)),
    ("GET", "/notices/{notice}.pdf", "rap.notice_pdf", expect(**LA, school_leader=200, governor=200)),
    ("POST", "/notices/{notice}/status", "rap.change_notice_status", expect(admin=422, sia=422)),
    ("GET", "/escalation-watch", "rap.escalation_watch", expect(**LA)),
    # The project team of {agreed} (no link adviser: the plan's SIA and the school's leader are on it):
    # {meeting} a meeting of it, {team_member} someone named without an account (taken off by the
    # last row), {agreed_action} an action of the plan owned by a named role at the school.
    ("GET", "/plans/{agreed}/team", "rap.show_team", expect(**LA, school_leader=200)),
    ("POST", "/plans/{agreed}/team/members", "rap.add_team_member", expect(admin=422)),
    ("POST", "/plans/{agreed}/team/coordinator", "rap.change_coordinator", expect(admin=422)),
    ("GET", "/plans/{agreed}/team/meetings/new", "rap.record_meeting", expect(admin=200)),
    ("POST", "/plans/{agreed}/team/meetings/new", "rap.record_meeting", expect(admin=422)),
    ("GET", "/plans/{agreed}/team/meetings/{meeting}", "rap.show_meeting", expect(**LA, school_leader=200)),
    ("GET", "/my-actions", "rap.my_actions", expect(**LA, school_leader=200)),
    ("GET", "/plans/{agreed}/actions/{agreed_action}/progress", "rap.action_progress",
     expect(**LA, school_leader=200)),
    ("POST", "/plans/{agreed}/actions/{agreed_action}/progress", "rap.action_progress",
     expect(admin=422, school_leader=422)),
    ("POST", "/plans/{agreed}/team/members/{team_member}/leave", "rap.remove_team_member", expect(admin=302)),
    # Notifications: everyone has their own; {notification} is another person's.
    ("GET", "/notifications", "notifications.list_notifications", expect(200)),
    ("POST", "/notifications/{notification}/open", "notifications.open_notification", expect(403)),
    ("POST", "/notifications/read", "notifications.mark_all_read", expect(302)),
    ("GET", "/account/notifications", "notifications.preferences", expect(200)),
    ("POST", "/account/notifications", "notifications.preferences", expect(422)),
    ("GET", "/admin/notifications/failed", "notifications.failed_emails", expect(admin=200)),
    # Bank holidays (reference data, kept between tests: the POST that removes one names none).
    ("GET", "/admin/bank-holidays", "core.bank_holidays", expect(admin=200)),
    ("POST", "/admin/bank-holidays", "core.bank_holidays", expect(admin=422)),
    ("GET", "/admin/bank-holidays/{bank_holiday}/remove", "core.remove_bank_holiday", expect(admin=200)),
    ("POST", "/admin/bank-holidays/2147483646/remove", "core.remove_bank_holiday", expect(admin=404)),
    # Statutory intervention. {wnotice} a warning notice given to {own} (maintained); {academy} an
    # academy, {referral} a concern about it referred to the DfE. Governors see none of it (yet).
    ("GET", "/schools/{own}/intervention", "intervention.school_intervention", expect(**LA, school_leader=200)),
    ("GET", "/schools/{other}/intervention", "intervention.school_intervention", expect(**LA)),
    ("GET", "/schools/{own}/warning-notices/new", "intervention.give_warning_notice", expect(admin=200, sia=200)),
    ("POST", "/schools/{own}/warning-notices/new", "intervention.give_warning_notice", expect(admin=422, sia=422)),
    ("GET", "/warning-notices/{wnotice}", "intervention.show_warning_notice", expect(**LA, school_leader=200)),
    ("GET", "/warning-notices/{wnotice}.pdf", "intervention.warning_notice_pdf",
     expect(**LA, school_leader=200, governor=200)),
    ("POST", "/warning-notices/{wnotice}/compliance", "intervention.record_compliance", expect(admin=422, sia=422)),
    ("POST", "/warning-notices/{wnotice}/powers", "intervention.record_power", expect(admin=422, sia=422)),
    ("GET", "/schools/{academy}/referrals/new", "intervention.refer_to_dfe", expect(admin=200, sia=200)),
    ("POST", "/schools/{academy}/referrals/new", "intervention.refer_to_dfe", expect(admin=422, sia=422)),
    ("GET", "/referrals/{referral}", "intervention.show_referral", expect(**LA)),
    ("GET", "/referrals/{referral}.pdf", "intervention.referral_pdf", expect(**LA)),
    # LA-wide programmes: {programme} with {own} enrolled ({penrol_own}, a participant {participant}
    # absent from the mandatory session {psession}, a review visit {passign}) and {other} ({penrol_other});
    # {pterm} is this term, in which the programme runs.
    ("GET", "/programmes", "programmes.list_programmes", expect(**LA)),
    ("GET", "/programmes/new", "programmes.new_programme", expect(MANAGE)),
    ("POST", "/programmes/new", "programmes.new_programme", expect(MANAGE_422)),
    ("GET", "/programmes/{programme}", "programmes.show_programme", expect(**LA)),
    ("POST", "/programmes/{programme}/schools", "programmes.enrol_school", expect(MANAGE_422)),
    ("POST", "/programmes/{programme}/criteria", "programmes.add_criterion", expect(MANAGE_422)),
    ("POST", "/programmes/{programme}/questions", "programmes.add_question", expect(MANAGE_422)),
    ("GET", "/schools/{own}/programmes", "programmes.school_programmes", expect(**LA, school_leader=200)),
    ("GET", "/schools/{other}/programmes", "programmes.school_programmes", expect(**LA)),
    ("GET", "/programme-schools/{penrol_own}", "programmes.show_enrolment", expect(**LA, school_leader=200)),
    ("GET", "/programme-schools/{penrol_other}", "programmes.show_enrolment", expect(**LA)),
    ("POST", "/programme-schools/{penrol_own}/participants", "programmes.add_participants",
     expect(MANAGE_422, school_leader=422)),
    ("POST", "/programme-schools/{penrol_other}/participants", "programmes.add_participants", expect(MANAGE_422)),
    ("POST", "/programme-schools/{penrol_own}/baseline", "programmes.record_baseline", expect(MANAGE_422)),
    ("GET", "/programme-schools/{penrol_own}/returns/{pterm}", "programmes.fill_in_return",
     expect(**LA, school_leader=200)),
    ("GET", "/programme-schools/{penrol_own}/returns/summer-1999", "programmes.fill_in_return",
     expect(404, anonymous=302, governor=403)),
    ("GET", "/programme-schools/{penrol_other}/returns/{pterm}", "programmes.fill_in_return", expect(**LA)),
    ("POST", "/programme-schools/{penrol_own}/returns/{pterm}", "programmes.fill_in_return",
     expect(MANAGE_302, school_leader=302)),
    ("POST", "/programme-schools/{penrol_other}/returns/{pterm}", "programmes.fill_in_return", expect(MANAGE_302)),
    ("GET", "/programmes/{programme}/returns", "programmes.returns_summary", expect(**LA)),
    ("GET", "/programmes/{programme}/sessions", "programmes.sessions", expect(**LA)),
    ("POST", "/programmes/{programme}/sessions", "programmes.add_session", expect(MANAGE_422)),
    ("GET", "/programme-sessions/{psession}", "programmes.session_attendance", expect(**LA)),
    ("POST", "/programme-sessions/{psession}", "programmes.session_attendance", expect(MANAGE_422)),
    ("GET", "/programmes/{programme}/absences", "programmes.absences", expect(**LA)),
    ("POST", "/programme-sessions/{psession}/absences/{participant}", "programmes.follow_up_absence",
     expect(MANAGE_422)),
    ("GET", "/programmes/{programme}/reviewers", "programmes.reviewers", expect(**LA)),
    ("POST", "/programmes/{programme}/reviewers", "programmes.add_reviewer", expect(MANAGE_422)),
    ("POST", "/programmes/{programme}/assignments", "programmes.assign_review", expect(MANAGE_422)),
    ("GET", "/programme-reviews/{passign}", "programmes.show_review", expect(**LA, school_leader=200)),
    ("POST", "/programme-reviews/{passign}", "programmes.show_review", expect(MANAGE_422)),
    ("POST", "/programme-reviews/{passign}/report", "programmes.start_report", expect(MANAGE_302)),
    ("GET", "/programmes/{programme}/report.pdf", "programmes.report_pdf", expect(**LA)),
    # Last of the programme's rows: the participant is gone after it.
    ("POST", "/programme-participants/{participant}/remove", "programmes.remove_participant",
     expect(MANAGE_302, school_leader=302)),
    # API tokens: everyone makes their own; {api_token} is another person's.
    ("GET", "/account/tokens", "api_tokens.tokens", expect(200)),
    ("POST", "/account/tokens", "api_tokens.tokens", expect(422)),
    ("GET", "/account/tokens/{api_token}/revoke", "api_tokens.revoke_token", expect(403)),
    ("POST", "/account/tokens/{api_token}/revoke", "api_tokens.revoke_token", expect(403)),
    # The JSON API answers a bearer token only: a signed-in session's cookie opens none of it (each
    # role's token against each resource: tests/api/test_access.py). Its document and its
    # documentation page are for everyone.
    ("GET", "/api/v1/openapi.json", "api.openapi", {r: 200 for r in ROLES}),
    ("GET", "/api/v1/docs", "api.docs", {r: 200 for r in ROLES}),
    *[("GET", url, endpoint, {r: 401 for r in ROLES}) for url, endpoint in (
        ("/api/v1/schools", "api.list_schools"), ("/api/v1/schools/{own}", "api.get_schools"),
        ("/api/v1/support-decisions", "api.list_support_decisions"),
        ("/api/v1/support-decisions/1", "api.get_support_decisions"),
        ("/api/v1/visits", "api.list_visits"), ("/api/v1/visits/{note}", "api.get_visits"),
        ("/api/v1/reviews", "api.list_reviews"), ("/api/v1/reviews/{published}", "api.get_reviews"),
        ("/api/v1/plans", "api.list_plans"), ("/api/v1/plans/{agreed}", "api.get_plans"),
        ("/api/v1/measures", "api.list_measures"), ("/api/v1/measures/KS2_RWM_EXP", "api.get_measures"),
        ("/api/v1/measure-values", "api.list_measure_values"), ("/api/v1/measure-values/1", "api.get_measure_values"),
    )],
    # Data protection: the privacy notice is public; the read audit, the retention schedule and
    # anonymising staff ({user}, a link adviser) are administrators'.
    ("GET", "/privacy", "privacy.privacy_notice", {r: 200 for r in ROLES}),
    ("GET", "/admin/reads", "privacy.read_audit", expect(admin=200)),
    ("GET", "/admin/reads?kind=plan&record=1&person=x", "privacy.read_audit", expect(admin=200)),
    ("GET", "/admin/retention", "privacy.retention_schedule", expect(admin=200)),
    ("GET", "/admin/retention/note_of_visit", "privacy.edit_retention_rule", expect(admin=200)),
    ("POST", "/admin/retention/note_of_visit", "privacy.edit_retention_rule", expect(admin=422)),
    ("GET", "/admin/retention/nothing_of_the_kind", "privacy.edit_retention_rule", expect(admin=404)),
    ("GET", "/admin/users/{user}/anonymise", "privacy.anonymise_user", expect(admin=200)),
    ("POST", "/admin/users/{user}/anonymise", "privacy.anonymise_user", expect(admin=302)),
]


def test_every_route_is_in_the_access_table(app):
    covered = {(method, endpoint) for method, _, endpoint, _ in ACCESS}
    missing = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if (method, rule.endpoint) not in covered:
                missing.append(f"{method} {rule.rule} ({rule.endpoint})")
    assert not missing, "Routes without an access rule: " + ", ".join(missing)


@dataclass
class World:
    """The records the table's URLs name (made once, through the same services as before) as the
    rows of each table, with the attachments folder beside them: each role's test starts from a
    copy of its own, as the POSTs that succeed change them."""

    rows: dict[str, list[dict[str, Any]]]
    attachments: Path
    ids: dict[str, Any]


def _world_tables() -> list[Any]:
    return [t for t in _db.metadata.sorted_tables if t.name not in REFERENCE_TABLES]


@pytest.fixture(scope="module")
def seeded_world(template_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The world made once (for each xdist worker): on a copy of the SQLite template, or in the
    run's PostgreSQL database, emptied first as each test's app empties it."""
    folder = tmp_path_factory.mktemp("access-world")
    if ON_POSTGRES:
        url = template_database
    else:
        shutil.copyfile(template_database, folder / "world.db")
        url = f"sqlite:///{folder / 'world.db'}"
    app = make_app(url, ATTACHMENTS_DIR=str(folder / "attachments"), OUTBOX_DIR=str(folder / "outbox"))
    with app.app_context():
        try:
            if ON_POSTGRES:
                with _db.engine.begin() as conn:
                    conn.execute(text(f"TRUNCATE {', '.join(t.name for t in _world_tables())} RESTART IDENTITY CASCADE"))
            ids = _build_world(app, folder)
            _db.session.remove()
            with _db.engine.connect() as conn:
                rows = {table.name: [dict(row) for row in conn.execute(  # in key order: a row's parent first
                    select(*(c for c in table.columns if c.computed is None)).order_by(*table.primary_key.columns)
                ).mappings()] for table in _world_tables()}
        finally:
            _db.session.remove()
            _db.engine.dispose()
    yield World(rows, folder / "attachments", ids)


@pytest.fixture
def world(app: Any, db: Any, seeded_world: World) -> dict[str, Any]:
    """The seeded world put into this test's empty database and attachments folder: its ids."""
    with db.engine.begin() as conn:
        # Rows a migration seeds outside the reference tables (the default signal rules) are the
        # world's own copy's: out first, each table after those that refer to it.
        for table in reversed(_world_tables()):
            if seeded_world.rows[table.name]:
                conn.execute(table.delete())
        for table in _world_tables():
            if seeded_world.rows[table.name]:
                conn.execute(table.insert(), seeded_world.rows[table.name])
        if ON_POSTGRES:  # the ids were given: move each table's sequence on past them
            for table in _world_tables():
                keys = list(table.primary_key.columns)
                if seeded_world.rows[table.name] and len(keys) == 1 and isinstance(keys[0].type, Integer):
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', '{keys[0].name}'), "
                                      f"(SELECT max({keys[0].name}) FROM {table.name}))"))
    shutil.copytree(seeded_world.attachments, app.config["ATTACHMENTS_DIR"], dirs_exist_ok=True)
    return seeded_world.ids


def _build_world(app: Any, folder: Path) -> dict[str, Any]:
    own, other = new_school(), new_school()
    someone = new_user("link_adviser")
    note_id, attachment_id, feed = _casework_records(app, _db, folder, own, someone, new_note)
    draft_id = new_note(school=own, adviser=someone, status="draft").id
    action = AgreedAction(note_id=note_id, description="Share the plan", owner="Head", status="open")
    _db.session.add(action)
    _db.session.commit()
    ids = dict(own=own.urn, other=other.urn, user=someone.id, note=note_id, attachment=attachment_id, feed=feed,
               draft=draft_id, action=action.id)
    ids.update(_review_records(_db, own, someone, new_review))
    ids["published"] = _published_review(_db, own, new_review)
    ids.update(_governor_report_records(_db, own, other))
    ids.update(_plan_records(_db, own, new_user))
    ids.update(_monitoring_records(_db, own, ids["agreed"], new_user))
    ids.update(_team_records(_db, ids["agreed"]))
    ids["notification"] = _notification_record(_db, someone)
    ids.update(_signal_records(_db, own))
    ids.update(_intervention_records(_db, own, new_school, new_user))
    ids["api_token"] = _api_token_record(_db, someone)
    ids["sign_in_group"] = _sign_in_group(_db)
    ids.update(_support_plan_records(_db, own, other))
    ids.update(_sharing_records(_db, own, other, ids))
    ids.update(_programme_records(_db, own, other))
    return ids


def _programme_records(db, own, other):
    """A programme running this term with {own} and {other} enrolled, a criterion and a question, a
    participant at {own} absent from a mandatory session, and a review visit to {own}."""
    from datetime import date, timedelta
    from decimal import Decimal

    from lea_support.core.terms import Term
    from lea_support.programmes.models import (
        Attendance,
        Participant,
        Programme,
        ProgrammeCriterion,
        ProgrammeSchool,
        ReturnQuestion,
        ReviewAssignment,
        Reviewer,
        TrainingSession,
    )

    today = date.today()
    programme = Programme(name="MITA", participant_title="Teaching assistants", starts_on=today - timedelta(days=30),
                          ends_on=today + timedelta(days=300))
    db.session.add(programme)
    db.session.flush()
    db.session.add_all([ProgrammeCriterion(programme_id=programme.id, position=1, text="TAs prepared"),
                        ReturnQuestion(programme_id=programme.id, position=1, text="What changed?", kind="text")])
    enrolments = [ProgrammeSchool(programme_id=programme.id, school_id=s.id, enrolled_on=today, status="enrolled")
                  for s in (own, other)]
    session = TrainingSession(programme_id=programme.id, title="Session 1", held_on=today, mandatory=True)
    reviewer = Reviewer(programme_id=programme.id, user_id=new_user("link_adviser").id, capacity_days=Decimal(10))
    db.session.add_all([*enrolments, session, reviewer])
    db.session.flush()
    participant = Participant(programme_id=programme.id, enrolment_id=enrolments[0].id, name="Ann Able")
    assignment = ReviewAssignment(programme_id=programme.id, enrolment_id=enrolments[0].id, reviewer_id=reviewer.id,
                                  visit_on=today, days=Decimal(1))
    db.session.add_all([participant, assignment])
    db.session.flush()
    db.session.add(Attendance(session_id=session.id, participant_id=participant.id, programme_id=programme.id,
                              status="absent"))
    db.session.commit()
    return {"programme": programme.id, "penrol_own": enrolments[0].id, "penrol_other": enrolments[1].id,
            "participant": participant.id, "psession": session.id, "passign": assignment.id,
            "pterm": Term.current(today).slug}


def _sharing_records(db, own, other, ids):
    """Good practice nominated at {own} (from {note}), agreed and nominated at {other}, the
    published review's "what works well" finding, and a partnership in which {other} supports {own}."""
    from datetime import date

    from lea_support.core.models import utcnow
    from lea_support.reviews.models import ReviewFinding
    from lea_support.sharing.models import GoodPractice, Partnership

    other_note = new_note(school=other, status="finalised", strengths="Maths mastery")
    adviser = other_note.adviser_id

    def entry(school, note_id, status):
        extra = {"contact_name": "Head", "contact_email": "head@example.org", "decided_at": utcnow()} \
            if status == "agreed" else {}
        return GoodPractice(school_id=school.id, note_id=note_id, title="Practice", summary="What works", theme="reading",
                            aspect="sharing4success", status=status, nominated_by_id=adviser, **extra)

    entries = [entry(own, ids["note"], "nominated"), entry(other, other_note.id, "agreed"),
               entry(other, other_note.id, "nominated")]
    partnership = Partnership(lead_school_id=other.id, partner_school_id=own.id, purpose="Maths",
                              aspect="sharing4success", starts_on=date(2026, 9, 1))
    db.session.add_all([*entries, partnership])
    db.session.commit()
    finding = db.session.scalars(select(ReviewFinding.id).where(ReviewFinding.review_id == ids["published"],
                                                                ReviewFinding.kind == "works_well")).first()
    return {"gp_own": entries[0].id, "gp_agreed": entries[1].id, "gp_nominated": entries[2].id,
            "partnership": partnership.id, "finding": finding}


def _support_plan_records(db, own, other):
    """An enhanced support plan at {own} and at {other}, each deploying a consultant (not the
    signed-in one, who is deployed nowhere)."""
    from decimal import Decimal

    from lea_support.enhanced.models import ConsultantDeployment, SupportPlan

    consultant = new_user("consultant")
    plans = [SupportPlan(school_id=s.id, academic_year="2026/27", purposes="Reading", outcome_hoped="Better reading")
             for s in (own, other)]
    db.session.add_all(plans)
    db.session.flush()
    deployment = ConsultantDeployment(plan_id=plans[0].id, school_id=own.id, consultant_id=consultant.id,
                                      purpose="Phonics", days_allocated=Decimal(3))
    db.session.add(deployment)
    db.session.commit()
    return {"splan": plans[0].id, "other_splan": plans[1].id, "deployment": deployment.id}


def _intervention_records(db, own, create_school, create_user):
    """A warning notice given to {own}, an academy with a concern referred to the DfE, and a
    seeded bank holiday."""
    from datetime import date, timedelta

    from lea_support.core.working_days import BankHoliday
    from lea_support.intervention import services

    sia = create_user("sia")
    notice = services.give_warning_notice(sia, own, grounds=["standards"], reasons="Results fell",
                                          required_action="Raise standards",
                                          comply_by=date.today() + timedelta(days=60))
    academy = create_school(type_name="Academy converter", type_group="Academies")
    referral = services.refer_to_dfe(sia, academy, grounds="Safeguarding", evidence="Visit notes")
    db.session.commit()
    holiday = db.session.scalars(select(BankHoliday.id).where(BankHoliday.falls_on == date(2026, 12, 25))).one()
    return {"wnotice": notice.id, "academy": academy.urn, "referral": referral.id, "bank_holiday": holiday}


def _api_token_record(db, someone):
    """An API token of another person's (the note's adviser)."""
    from datetime import date, timedelta

    from lea_support.api.services import TokenData, create_token

    token, _secret = create_token(someone, TokenData("Their report", ["schools:read"], date.today() + timedelta(days=30)))
    db.session.commit()
    return token.id


def _sign_in_group(db):
    from lea_support.auth.oidc_models import SignInGroup

    group = SignInGroup(group_name="grp-link-advisers", role="link_adviser")
    db.session.add(group)
    db.session.commit()
    return group.id


def _signal_records(db, own):
    """The shipped rules, and an open tier-review prompt on {own} from the category-of-concern rule."""
    from lea_support.evidence.models import SignalRule, TierReviewPrompt
    from lea_support.evidence.signals import ensure_rules

    ensure_rules()
    rule = db.session.scalars(select(SignalRule).where(SignalRule.code == "CATEGORY_OF_CONCERN")).one()
    prompt = TierReviewPrompt(school_id=own.id, rule_id=rule.id, evidence_key="k", tier_at_raise="light_touch",
                              evidence="Ofsted category of concern: Category of concern (inspected 2025/26): "
                                       "Special measures")
    db.session.add(prompt)
    db.session.commit()
    return {"rule": rule.id, "prompt": prompt.id}


@pytest.mark.parametrize("role", ROLES)
def test_access_table(role, app, db, world, client, login_as):
    ids = world
    own = db.session.scalars(select(School).where(School.urn == ids["own"])).one()
    if role != "anonymous":
        login_as(role, schools=[own] if role in {"school_leader", "governor"} else None)
    failures = []
    token = None
    for method, pattern, _endpoint, expected in ACCESS:
        url = pattern.format(**ids)
        if method == "GET":
            response = client.get(url)
        else:
            token = token or (csrf_token(client, "/sign-in") if role == "anonymous" else _token(client))
            response = client.post(url, data={"csrf_token": token})
        response.close()
        if response.status_code != expected[role]:
            failures.append(f"{method} {url}: {response.status_code}, expected {expected[role]}")
        if method == "POST" and pattern in {"/sign-in", "/sign-out"}:
            token = None  # a new session: the next form's token comes from a page of it
            if pattern == "/sign-out" and role != "anonymous":
                login_as(role, schools=[own] if role in {"school_leader", "governor"} else None)
    assert not failures, f"{role}: " + "; ".join(failures)


def _casework_records(app, db, tmp_path, school, adviser, create_note):
    """A note of the school sent to it, with a file attached, and the adviser's calendar feed."""
    from io import BytesIO

    from werkzeug.datastructures import FileStorage

    from lea_support.casework.attachments import store_attachment
    from lea_support.casework.calendar_feed import renew_calendar_token

    app.config["ATTACHMENTS_DIR"] = str(tmp_path / "attachments")
    from datetime import date, timedelta

    note = create_note(school=school, adviser=adviser, status="sent",
                       response_due_on=date.today() + timedelta(days=14))
    attachment = store_attachment(adviser, note, FileStorage(BytesIO(b"%PDF-1.4\n%%EOF\n"), filename="a.pdf"))
    feed = renew_calendar_token(adviser, adviser)
    db.session.commit()
    return note.id, attachment.id, feed


def _review_records(db, school, adviser, create_review):
    """A review of the school at fieldwork with `adviser` on its team, a key question and evidence."""
    from datetime import date

    from lea_support.reviews.models import FieldworkEvidence, KeyQuestion

    review = create_review(school=school, stage="fieldwork", team=[(adviser, "link_adviser")])
    question = KeyQuestion(review_id=review.id, position=1, text="How well do pupils read?")
    evidence = FieldworkEvidence(review_id=review.id, kind="discussion", occurred_on=date(2026, 11, 17),
                                 discussion_with="pupils", summary="Pupils read to us")
    db.session.add_all([question, evidence])
    db.session.commit()
    member = next(m for m in review.team if m.user_id == adviser.id)
    return {"review": review.id, "member": member.id, "question": question.id, "evidence": evidence.id}


def _published_review(db, school, create_review):
    """A review of the school with its report published, made through the reporting services."""
    from lea_support.reviews import reporting

    review = make_review_happen(create_review(school=school, stage="evaluation"))
    reporting.record_evaluation(review.lead, review, [
        reporting.AspectJudgement(aspect_id=a.id, agreed_grade=3) for a in review.framework.aspects],
        overall_grade=3, overall_rationale="")
    reporting.save_findings(review.lead, review, [reporting.FindingData("works_well", "Reading"),
                                                  reporting.FindingData("more_effective", "Writing")])
    reporting.publish_report(review.lead, review)
    db.session.commit()
    return review.id


def _plan_records(db, school, create_user):
    """Plans of the school drafted by an SIA who is not the signed-in user: a draft with one
    objective (a criterion and an action, removed by their rows, so submitting it is refused), a submitted plan, and an agreed plan with adviser time allocated."""
    from datetime import date, timedelta

    from lea_support.rap import services

    sia, head = create_user("sia"), create_user("school_leader", schools=[school])

    def complete():
        plan = services.draft_plan(sia, school)
        objective = services.add_objective(sia, plan, "Raise attainment in writing")
        services.add_criterion(sia, objective, measure="Writing", baseline="50%", target="70%",
                               by_when=date(2027, 7, 1))
        services.add_action(sia, objective, services.ActionData(
            what="CPD", owner_id=None, owner_role="English lead", starts_on=date(2027, 1, 4), due_on=date(2027, 2, 1)))
        return plan

    draft = services.draft_plan(sia, school)
    objective = services.add_objective(sia, draft, "Improve attendance")
    criterion = services.add_criterion(sia, objective, measure="Attendance", baseline="91%", target="95%",
                                       by_when=date(2027, 7, 1))
    plan_action = services.add_action(sia, objective, services.ActionData(
        what="Call families", owner_id=None, owner_role="Head", starts_on=date(2027, 1, 4), due_on=date(2027, 2, 1)))
    objective2 = services.add_objective(sia, draft, "Improve reading")
    criterion2 = services.add_criterion(sia, objective2, measure="Reading", baseline="60%", target="75%",
                                        by_when=date(2027, 7, 1))
    plan_action2 = services.add_action(sia, objective2, services.ActionData(
        what="Phonics", owner_id=None, owner_role="Reading lead", starts_on=date(2027, 1, 4), due_on=date(2027, 2, 1)))
    objective3 = services.add_objective(sia, draft, "Improve attendance of pupils eligible for free school meals")
    draft_allocation = services.allocate_time(sia, draft, user_id=sia.id, term="spring-2027", days="2")
    editing = {"objective2": objective2.id, "criterion2": criterion2.id, "plan_action2": plan_action2.id,
               "objective3": objective3.id, "draft_allocation": draft_allocation.id}
    submitted = complete()
    services.submit_plan(sia, submitted)
    agreed = complete()
    allocation = services.allocate_time(sia, agreed, user_id=sia.id, term="spring-2027", days="3")
    services.submit_plan(sia, agreed)
    services.sign_off_plan(head, agreed)
    services.sign_off_plan(sia, agreed, midpoint_review_on=date.today() + timedelta(weeks=10))
    db.session.commit()
    editing["agreed_objective"] = agreed.objectives[0].id
    return {**editing, "plan": draft.id, "objective": objective.id, "criterion": criterion.id, "plan_action": plan_action.id,
            "submitted": submitted.id, "agreed": agreed.id,
            "allocation": allocation.id}


def _monitoring_records(db, school, agreed_id, create_user):
    """The agreed plan's mid-point review (scheduled when it was agreed) and a notice to the school."""
    from datetime import date, timedelta

    from sqlalchemy import select

    from lea_support.rap import services
    from lea_support.rap.models import MidpointReview

    review = db.session.scalars(select(MidpointReview).where(MidpointReview.plan_id == agreed_id)).one()
    notice = services.issue_improvement_notice(create_user("sia"), school, improvements="Raise standards",
                                               comply_by=date.today() + timedelta(days=60))
    db.session.commit()
    return {"midpoint": review.id, "notice": notice.id}


def _team_records(db, agreed_id):
    """A meeting of the agreed plan's project team, someone on it named without an account, and
    the plan's action (owned by the school's English lead)."""
    from datetime import date

    from lea_support.extensions import db as _db
    from lea_support.rap import services
    from lea_support.rap.models import RaisingAchievementPlan

    plan = _db.session.get(RaisingAchievementPlan, agreed_id)
    team = services.team_for_plan(plan)
    sia = plan.drafted_by
    meeting = services.record_meeting(sia, team, services.MeetingData(
        held_on=date.today(), attendee_ids=[m.id for m in team.members], minutes="First meeting"))
    named = services.add_team_member(sia, team, user_id=None, name="Ola Officer", team_role="other_officer")
    db.session.commit()
    return {"meeting": meeting.id, "team_member": named.id, "agreed_action": plan.objectives[0].actions[0].id}


def _notification_record(db, someone):
    """A notification of another person's (the note's adviser)."""
    from lea_support.notifications.services import notify

    [made] = notify([someone], "note_response", "A response", "The school responded.", "/", key="access-table")
    db.session.commit()
    return made


def _governor_report_records(db, own, other):
    """Governor reports stored directly (their PDFs stand-ins): {own}'s with version 1 published and
    version 2 drafted, {other}'s published; a finished bulk run; both schools' 2026/27 allocations."""
    from datetime import UTC, datetime

    from lea_support.governor_reports.models import BulkRun, GovernorReport, GovernorReportVersion
    from lea_support.schools.models import SupportAllocation

    pdf = b"%PDF-1.4\n%%EOF\n"
    when = datetime(2026, 12, 1, tzinfo=UTC)

    def version(number, status):
        return GovernorReportVersion(version=number, status=status, layout="summary", content={}, pdf=pdf,
                                     pdf_sha256="0" * 64, pdf_pages=1, reason="" if number == 1 else "Typo",
                                     checked_at=when if status != "draft" else None,
                                     published_at=when if status == "published" else None)

    report = GovernorReport(school_id=own.id, term="autumn-2026", academic_year="2026/27",
                            versions=[version(1, "published"), version(2, "draft")])
    other_report = GovernorReport(school_id=other.id, term="autumn-2026", academic_year="2026/27",
                                  versions=[version(1, "published")])
    run = BulkRun(term="autumn-2026", jobs=2, status="finished", total=2, made=2, failures=[])
    db.session.add_all([report, other_report, run] + [
        SupportAllocation(school_id=s.id, academic_year="2026/27", support_tier="light_touch", link_visits=3,
                          consultant_days=0) for s in (own, other)])
    db.session.commit()
    return {"greport": report.id, "other_report": other_report.id, "run": run.id}


def _token(client):
    # Any signed-in page carries the sign-out form with a CSRF token.
    for url in ("/my-schools", "/governor", "/schools"):
        page = client.get(url)
        if page.status_code == 200:
            match = _CSRF.search(page.get_data(as_text=True))
            assert match, f"no CSRF token on {url}"
            return match.group(1)
    raise AssertionError("no page with a CSRF token")


def test_each_test_starts_from_the_seeded_world_whatever_an_earlier_test_changed(app, db, world, seeded_world,
                                                                                 create_user):
    """The POSTs that succeed change the world: one role's test must not see another's changes.
    Each test's database has every seeded row, and takes new ones after them."""
    from sqlalchemy import func

    from lea_support.casework.models import NoteOfVisit

    for table in _world_tables():
        count = db.session.scalar(select(func.count()).select_from(table))
        assert count == len(seeded_world.rows[table.name]), table.name
    db.session.delete(db.session.get(NoteOfVisit, world["draft"]))
    db.session.commit()
    assert world["draft"] in {row["id"] for row in seeded_world.rows["notes_of_visit"]}  # the seed keeps it
    assert create_user("sia").id > max(row["id"] for row in seeded_world.rows["users"])
