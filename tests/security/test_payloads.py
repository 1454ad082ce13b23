"""Hostile text stored in every user-editable field comes back out as text: in every page that
shows it (HTML, parsed), in every PDF (read back with pypdf, and the HTML handed to WeasyPrint),
and in CSV downloads (formulas neutralised)."""
from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from tests.conftest import sign_in

from .conftest import FORMULAS, SCRIPT, hostile

# The crawl follows same-site links, but not these: signing out, static files, the calendar feed
# (tested on its own), attachment downloads (files as uploaded, sent as attachments).
SKIP = re.compile(r"^/(sign-out|assets/|static/|calendar/)|\.ics$|/attachments/\d+$")
PDF = re.compile(r"(\.pdf|/pdf)$")
MAX_PAGES_PER_ROLE = 250
ADMIN_PAGES = ("/admin/audit", "/admin/users", "/admin/tiers", "/admin/term-dates", "/admin/import", "/admin/data-imports",
               "/admin/governor-reports/bulk")
MAX_VARIANTS_PER_PATH = 3


def must_visit(world: Any) -> list[str]:
    """Pages the crawl must reach (as the SIA, who sees most of a school's casework; the admin pages
    as an administrator). Anything linked from them is crawled too."""
    urn, plan, review, current = world.school.urn, world.plan.id, world.review.id, world.current_review.id
    amended, note, draft = world.amended_plan, world.note.id, world.draft_note.id
    return [
        "/", "/schools", f"/schools?q={urn}", f"/schools/{urn}", f"/schools/{urn}/visits", f"/visits/{note}",
        f"/visits/{draft}", f"/visits/{draft}/edit", f"/visits/{world.planned_note.id}", "/caseload", "/overview",
        "/allocations", f"/schools/{urn}/reviews", f"/schools/{urn}/reviews/history", f"/reviews/{review}",
        f"/reviews/{review}/report", f"/reviews/{review}/evaluation", f"/reviews/{current}",
        f"/reviews/{current}/pre-review", f"/schools/{urn}/plans", "/plans", f"/plans/{plan}", f"/plans/{amended.id}",
        f"/plans/{amended.id}/edit", f"/plans/{amended.id}/compare?a=1&b={amended.version}", f"/plans/{plan}/team",
        f"/plans/{plan}/team/meetings/{world.meeting.id}", f"/plans/{plan}/midpoint-reviews/{world.midpoint.id}",
        f"/schools/{urn}/notices", f"/notices/{world.notice.id}", "/escalation-watch", "/my-actions",
        "/governor-reports", f"/governor-reports/{world.governor_report.id}", f"/schools/{urn}/governor-reports",
        f"/schools/{urn}/profile", *ADMIN_PAGES,
    ]


def check_html(html: str, where: str) -> BeautifulSoup:
    """No element, attribute or script came from the data; template syntax is not evaluated."""
    assert "<script>alert" not in html and "<img src=x" not in html, where
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(True):
        handlers = [name for name in tag.attrs if name.lower().startswith("on")]
        assert not handlers, f"{where}: <{tag.name} {handlers}>"
        for name, value in tag.attrs.items():
            values = value if isinstance(value, list) else [value]
            assert not any(str(v).strip().lower().startswith("javascript:") for v in values), \
                f"{where}: <{tag.name} {name}={value!r}>"
        if tag.name == "script":
            assert "alert" not in tag.get_text(), f"{where}: {tag}"
        if tag.name == "img":
            assert tag.get("src") != "x", f"{where}: {tag}"
    check_text(soup.get_text(), where)
    return soup


def check_text(text: str, where: str) -> None:
    assert "SSTI49" not in text, f"{where}: a template was evaluated"
    assert "<Config" not in text and "SECRET_KEY" not in text, f"{where}: a template was evaluated"
    assert text.count("EVAL") == text.count("%}EVAL{%"), f"{where}: a template was evaluated"


def crawl(client: Any, start: list[str]) -> tuple[dict[str, str], set[str], set[str]]:
    """GET every page reachable from `start` by same-site links: the pages' HTML, and the PDF and
    CSV links found."""
    queue, seen, pages, pdfs, csvs = list(start), set(), {}, set(), set()
    variants: Counter[str] = Counter()
    while queue and len(pages) < MAX_PAGES_PER_ROLE:
        url = queue.pop(0)
        parts = urlsplit(url)
        if url in seen or parts.netloc or not parts.path.startswith("/") or SKIP.search(parts.path):
            continue
        seen.add(url)
        if PDF.search(parts.path):
            pdfs.add(url)
            continue
        if "format=csv" in parts.query:
            csvs.add(url)
            continue
        variants[parts.path] += 1
        if variants[parts.path] > MAX_VARIANTS_PER_PATH and url not in start:
            continue
        response = client.get(url)
        if response.status_code in (301, 302, 303):
            queue.append(response.headers["Location"])
            continue
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        html = response.get_data(as_text=True)
        pages[url] = html
        soup = check_html(html, url)
        # Were anything to slip through, the browser would still run only the page's own scripts.
        policy = response.headers.get("Content-Security-Policy", "")
        nonce = re.search(r"script-src 'self' 'nonce-([^']+)';", policy)
        assert nonce and "unsafe-inline" not in policy, url
        assert response.headers.get("X-Content-Type-Options") == "nosniff", url
        for script in soup.find_all("script"):
            assert script.get("src") or script.get("nonce") == nonce.group(1), f"{url}: {script}"
        for link in soup.find_all("a", href=True):
            href = link["href"].split("#")[0]
            if href.startswith("/") and not href.startswith("//"):
                queue.append(href)
    return pages, pdfs, csvs


def read_pdf(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "".join("".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def hostile_client(app: Any, hostile_world: Any) -> Any:
    def signed_in(role: str) -> Any:
        client = app.test_client()
        response = sign_in(client, hostile_world.users[role].email)
        assert response.status_code == 302
        return client

    return signed_in


def test_every_page_shows_hostile_text_as_text(hostile_world, hostile_client):
    """Crawl as each role; every page parses with nothing from the data turned into markup."""
    world = hostile_world
    required = must_visit(world)
    sia_pages, _, csvs = crawl(hostile_client("sia"), required)
    missing = [url for url in required if url not in sia_pages and url != "/" and not url.startswith("/admin/")]
    assert not missing, f"not shown to the SIA: {missing}"
    admin_pages, _, _ = crawl(hostile_client("admin"), required)
    assert set(ADMIN_PAGES) <= set(admin_pages)
    assert any(re.fullmatch(r"/admin/governor-reports/bulk/\d+", url) for url in admin_pages)
    for role in ("link_adviser", "school_leader", "governor", "project_team"):
        pages, _, _ = crawl(hostile_client(role), ["/", f"/schools/{world.school.urn}", "/governor",
                                                    f"/governor/schools/{world.school.urn}", "/my-schools",
                                                    "/my-actions", f"/plans/{world.plan.id}"])
        assert pages, role

    # The template syntax is shown as typed, where the fields are shown.
    for url in (f"/schools/{world.school.urn}", f"/visits/{world.note.id}", f"/reviews/{world.review.id}/report",
                f"/plans/{world.plan.id}", f"/plans/{world.plan.id}/team/meetings/{world.meeting.id}",
                f"/notices/{world.notice.id}", f"/plans/{world.plan.id}/midpoint-reviews/{world.midpoint.id}"):
        text = BeautifulSoup(sia_pages[url], "html.parser").get_text()
        assert "SSTI{{7*7}}" in text and SCRIPT in text, url

    # The CSV downloads linked from the pages are the ones test_csv_downloads_neutralise_formulas
    # covers; here with hostile data too.
    assert {urlsplit(u).path for u in csvs} == {"/allocations", "/caseload"}, csvs
    client = hostile_client("sia")
    for url in csvs:
        cells = [cell for row in csv_cells(client.get(url))[1:] for cell in row]
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")], url


def test_every_pdf_shows_hostile_text_as_text(hostile_world, hostile_client, rendered_html):
    """Every PDF linked from the pages: the HTML WeasyPrint was given has no markup from the data,
    and the PDF's text has the payloads as literal text."""
    world = hostile_world
    sia, governor = hostile_client("sia"), hostile_client("governor")
    _, pdfs, _ = crawl(sia, must_visit(world))
    _, governor_pdfs, _ = crawl(governor, ["/governor", f"/governor/schools/{world.school.urn}"])
    kinds = {re.sub(r"\d+", "N", url) for url in pdfs | governor_pdfs}
    expected = {"/visits/N/pdf", "/reviews/N/report/N.pdf", "/plans/N/pdf", "/notices/N.pdf",
                "/governor-reports/N/versions/N.pdf", "/allocations/N-N/N/letter.pdf"}
    assert expected <= kinds, sorted(kinds)
    for client, urls in ((sia, pdfs), (governor, governor_pdfs)):
        for url in sorted(urls):
            response = client.get(url)
            assert response.status_code == 200 and response.mimetype == "application/pdf", url
            text = read_pdf(response.data)
            check_text(text, url)
            assert "SSTI{{7*7}}" in text and SCRIPT in text, url
    assert rendered_html
    for html in rendered_html:
        check_html(html, "PDF source")


def csv_cells(response: Any) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


@pytest.mark.parametrize("formula", [*FORMULAS, "\t=1+1", "\r=1+1"])
def test_csv_downloads_neutralise_formulas(db, create_school, create_user, login_as, client, formula):
    """Every CSV download: a cell a spreadsheet would run as a formula starts with an apostrophe."""
    from lea_support.schools import services as schools

    sia = login_as("sia")
    adviser = create_user("link_adviser", name=f"{formula} adviser")
    school = create_school(name=formula, link_adviser_id=adviser.id, town=formula, support_tier="significant",
                           mcs_level=3)
    year = "2026/27"
    schools.issue_annual_allocations(None, year)
    schools.adjust_allocation(sia, school, year, link_visits=7, consultant_days="4", reason=formula)
    db.session.commit()
    for url in (f"/allocations?year={year}&format=csv", f"/caseload?adviser={adviser.id}&format=csv"):
        rows = csv_cells(client.get(url))
        cells = [cell for row in rows[1:] for cell in row]
        assert "'" + formula in cells, url
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")], url


def _dmy(day: date | None) -> list[str]:
    return ["", "", ""] if day is None else [str(day.day), str(day.month), str(day.year)]


def test_hostile_text_typed_into_the_forms_is_shown_as_text(db, create_school, create_user, client):
    """Through the real forms: refused (shown again as typed) and then saved (shown as stored)."""
    from datetime import timedelta

    from lea_support.rap import services as rap
    from tests.conftest import submit

    text = hostile()
    adviser = create_user("link_adviser", name=hostile(120))
    sia = create_user("sia")
    school = create_school(name=hostile(200), link_adviser_id=adviser.id, support_tier="significant", mcs_level=3)
    plan = rap.draft_plan(sia, school, sip_reference="SIP")
    db.session.commit()
    today = date.today()

    sign_in(client, adviser.email)
    note = {"visit_type_code": "core_support", "purpose": text, "support_aspects": ["support4success"],
            "people_met": text, "discussion": text, "strengths": text, "areas_for_development": text,
            "actions-0-description": text, "actions-0-owner": hostile(200), "actions-0-due_on": _dmy(None),
            "actions-0-status": "open", "next_visit_date": _dmy(None), "minutes_spent": "60"}
    url = f"/schools/{school.urn}/visits/new"
    refused = submit(client, url, {**note, "visit_date": ["31", "2", "2026"]})
    assert refused.status_code == 422
    check_html(refused.get_data(as_text=True), "refused note")
    saved = submit(client, url, {**note, "visit_date": _dmy(today - timedelta(days=1))}, follow_redirects=True)
    assert saved.status_code == 200 and saved.request.path.startswith("/visits/")
    page = check_html(saved.get_data(as_text=True), "saved note").get_text()
    assert page.count("SSTI{{7*7}}") >= 5 and SCRIPT in page

    client = client.application.test_client()
    sign_in(client, sia.email)
    url = f"/schools/{school.urn}/notices/new"
    refused = submit(client, url, {"improvements": text, "issued_on": _dmy(None), "comply_by": _dmy(None)})
    assert refused.status_code == 422
    check_html(refused.get_data(as_text=True), "refused notice")
    saved = submit(client, url, {"improvements": text, "issued_on": _dmy(None),
                                 "comply_by": _dmy(today + timedelta(days=60))}, follow_redirects=True)
    assert saved.status_code == 200 and saved.request.path.startswith("/notices/")
    assert "SSTI{{7*7}}" in check_html(saved.get_data(as_text=True), "saved notice").get_text()

    saved = submit(client, f"/plans/{plan.id}/objectives", {"objective-text": text}, form_url=f"/plans/{plan.id}/edit",
                   follow_redirects=True)
    assert saved.status_code == 200
    assert "SSTI{{7*7}}" in check_html(saved.get_data(as_text=True), "objective added").get_text()


@pytest.mark.parametrize("target", ["javascript:alert(1)", "//evil.invalid/", "https://evil.invalid/",
                                    "/\\evil.invalid", "/\t/evil.invalid", "JaVaScRiPt:alert(1)"])
def test_a_back_link_from_the_address_never_leaves_the_site(create_plan, login_as, client, target):
    plan = create_plan()
    login_as("sia")
    action = plan.objectives[0].actions[0]
    response = client.get(f"/plans/{plan.id}/actions/{action.id}/progress", query_string={"next": target})
    assert response.status_code == 200
    soup = check_html(response.get_data(as_text=True), target)
    for tag in soup.find_all(True):
        for name in ("href", "action", "value", "formaction"):
            assert "evil.invalid" not in str(tag.get(name, "")), tag


# Text columns that nobody types free text into: codes and statuses the app chooses, hashes and
# tokens, e-mail addresses (validated), reference data loaded by the migrations, GIAS codes.
NOT_FREE_TEXT = {
    "audit_log.action", "audit_log.entity_type", "audit_log.entity_id",
    "users.email", "users.role", "users.password_hash", "users.calendar_token_hash",
    "user_sessions.token_hash", "user_sessions.ip_address", "failed_sign_ins.email",
    "password_resets.token_hash", "recovery_codes.salt", "recovery_codes.code_hash",
    "totp_credentials.secret_encrypted",
    "schools.la_code", "schools.establishment_number", "schools.status", "schools.gias_digest",
    "schools.support_tier", "schools.cause_for_concern", "support_tiers.code", "tier_levels.tier_code",
    "tier_levels.description", "visit_types.code", "visit_types.name", "judgement_scales.code",
    "judgement_scales.name", "scale_grades.label", "review_frameworks.name", "review_aspects.code",
    "review_aspects.name", "term_dates.term", "term_dates.academic_year", "gias_imports.sha256",
    "report_bulk_runs.term", "report_bulk_runs.tier", "report_bulk_runs.status", "report_bulk_runs.runner_host",
    "governor_reports.term", "governor_reports.academic_year", "governor_report_versions.status",
    "governor_report_versions.layout", "governor_report_versions.pdf_sha256", "published_review_reports.pdf_sha256",
    "joint_reviews.stage", "notes_of_visit.visit_type_code", "notes_of_visit.status", "school_events.kind",
    "school_events.audience",
    "support_allocations.academic_year", "support_allocations.support_tier", "support_decisions.previous_tier",
    # The overview's kept summaries: codes copied from the rows they count.
    "school_year_tallies.academic_year", "school_year_tallies.tier_code", "tier_year_tallies.academic_year",
    "tier_year_tallies.tier_code",
    "support_decisions.support_tier", "support_decisions.cause_for_concern", "fieldwork_evidence.kind",
    "fieldwork_evidence.discussion_with", "pre_review_items.kind", "pre_review_items.status",
    "raising_achievement_plans.status", "review_findings.kind", "review_stage_changes.from_stage",
    "review_stage_changes.to_stage", "review_team_members.team_role", "visit_actions.status",
    "visit_attachments.stored_name", "visit_attachments.content_type", "visit_attachments.sha256",
    "visit_note_events.kind", "midpoint_reviews.outcome", "plan_time_allocations.term", "improvement_notices.status",
    "midpoint_objective_progress.progress", "plan_actions.status", "project_team_members.team_role",
    "plan_action_updates.status_from", "plan_action_updates.status_to",
    # National data: the catalogue (reference data) and codes and keys read from the files.
    "evidence_comparators.level", "evidence_comparators.la_code", "evidence_measures.code", "evidence_measures.label",
    "evidence_measures.area", "evidence_measures.unit", "evidence_measures.note", "evidence_imports.sha256",
    "evidence_imports.kind", "evidence_imports.academic_year", "evidence_measure_sources.kind",
    "evidence_measure_sources.column_name", "evidence_measure_sources.date_column", "evidence_measure_sources.first_year",
    "evidence_measure_sources.last_year", "evidence_values.academic_year", "evidence_values.state",
    "evidence_values.code",
    "stored_documents.kind", "stored_documents.source_sha256", "stored_documents.pdf_sha256",
    # Risk signals: codes and keys (a rule's code is an identifier), and the years and source of a reading.
    "signal_rules.code", "signal_rules.kind", "signal_rules.min_tier", "school_signals.evidence_key",
    "tier_review_prompts.evidence_key", "tier_review_prompts.tier_at_raise", "tier_review_prompts.status",
    "plan_success_criteria.baseline_year", "plan_success_criteria.actual_year", "plan_success_criteria.met_source",
    # Which field of a note an amendment changed: one of the form's field names.
    "visit_note_amendments.field",
    # Statutory intervention: a notice's status and the power used are codes.
    "warning_notices.status", "intervention_powers.power",
    # The letterhead's logo type is set by the checked upload (image/png or image/svg+xml).
    "letterheads.logo_type",
    # Notifications: codes, the service's own links and keys, and the mail server's error text.
    "notification_preferences.kind", "notification_preferences.mode", "notifications.kind", "notifications.link",
    "notifications.about_type", "notifications.dedupe_key", "notifications.delivery", "notifications.email_state",
    "notifications.email_error", "reminders_sent.email_state", "reminders_sent.email_error",
    # The kept task counts' counter is named by the code.
    "change_counters.name",
    # API tokens: the scopes are codes from a fixed list; the hash and the prefix are made by the service.
    "api_tokens.scopes", "api_tokens.token_hash", "api_tokens.display_prefix",
    # Council sign-in: a mapped role is a code; the issuer, subject and ID token come from the provider.
    "sign_in_groups.role", "council_identities.issuer", "council_identities.subject", "council_sessions.issuer",
    "council_sessions.id_token",
    # Data protection: the retention schedule's kinds, date fields, units and actions are codes from a
    # fixed list; the read audit records codes.
    "retention_rules.kind", "retention_rules.date_field", "retention_rules.period_unit", "retention_rules.action",
    "read_audit.record_kind", "read_audit.how",
    # Enhanced support and Sharing4Success: codes from fixed lists, and an academic year.
    "users.specialism", "support_plans.academic_year", "school_partnerships.aspect", "good_practice.theme",
    "good_practice.aspect", "good_practice.status",
    # LA-wide programmes: codes from fixed lists, and a term.
    "programme_return_questions.kind", "programme_schools.status", "programme_returns.term",
    "programme_returns.status", "programme_attendance.status",
}


def test_every_free_text_column_holds_hostile_text(hostile_world, db):
    """The hostile school leaves no free-text column out: a new one is added to it (or, if nobody
    types into it, to NOT_FREE_TEXT)."""
    from sqlalchemy import String, select

    forgotten = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            name = f"{table.name}.{column.name}"
            if not isinstance(column.type, String) or name in NOT_FREE_TEXT:
                continue
            values = [v for v in db.session.scalars(select(column)) if v]
            if not any("<script>" in v or "<b>" in v or v.startswith(("=", "@", "javascript:")) for v in values):
                forgotten.append(name)
    assert not forgotten, f"no hostile text in {forgotten}: add it to tests/security/conftest.py"


def test_the_calendar_feed_keeps_hostile_text_inside_its_event(app, db, create_school, create_user):
    """A purpose or school name with line breaks cannot start new calendar properties or events."""
    from datetime import timedelta

    from icalendar import Calendar

    from lea_support.casework import calendar_feed
    from lea_support.casework import services as casework

    adviser = create_user("link_adviser", name="Ada\r\nX-INJECTED:1")
    school = create_school(name=f"{hostile(150)}\r\nEND:VEVENT", link_adviser_id=adviser.id)
    purpose = f"{hostile()}\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:injected\r\nDTSTART:20270101"
    casework.plan_visit(adviser, school, visit_date=date.today() + timedelta(days=7), visit_type_code="core_support",
                        purpose=purpose)
    token = calendar_feed.renew_calendar_token(adviser, adviser)
    db.session.commit()
    response = app.test_client().get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.data)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1 and "X-INJECTED" not in calendar
    assert "SUMMARY:injected" in str(events[0]["description"])
    assert str(events[0]["summary"]).startswith("Visit: ") and "END:VEVENT" in str(events[0]["summary"])
