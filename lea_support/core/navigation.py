"""The service navigation: which sections a person sees, and which one the current page is in.

One list, read by the layout. Each section names the permission that offers it and the endpoints
that belong to it (`fnmatch` patterns); the current page belongs to the section whose matching
pattern is most specific, so exactly one item is ever current. The admin pages sit under one
"Admin" item, whose index page (`core.admin_index`) lists those the person may use.
"""
from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, Callable

from flask import url_for

from ..auth import permissions as auth_can
from ..auth.models import Role
from ..casework import permissions as casework_can
from ..evidence import permissions as evidence_can
from ..governor_reports import permissions as report_can
from ..notifications import permissions as notify_can
from ..privacy import permissions as privacy_can
from ..programmes import permissions as programme_can
from ..rap import permissions as rap_can
from ..sharing import permissions as sharing_can


@dataclass(frozen=True)
class Section:
    text: str
    endpoint: str
    allowed: Callable[[Any], bool]
    pages: tuple[str, ...]  # endpoint patterns of the pages in this section


@dataclass(frozen=True)
class AdminPage:
    text: str
    endpoint: str
    allowed: Callable[[Any], bool]
    description: str


ADMIN_PAGES: tuple[AdminPage, ...] = (
    AdminPage("Users", "auth.list_users", auth_can.can_administer, "Add people, change their role and schools, unlock accounts."),
    AdminPage("Sign-in groups", "auth.sign_in_groups", auth_can.can_administer,
              "Which groups of the council's sign-in service give staff which role."),
    AdminPage("Reassign schools", "schools.reassign_schools", auth_can.can_assign_link_advisers,
              "Move schools from one link adviser to another."),
    AdminPage("Support tiers", "schools.list_tiers", auth_can.can_administer,
              "What each tier gives a school: days of adviser time and the monitoring level."),
    AdminPage("Term dates", "core.term_dates", auth_can.can_administer, "Terms and closures that deadlines count in."),
    AdminPage("Bank holidays", "core.bank_holidays", auth_can.can_administer,
              "England and Wales' bank holidays, which statutory working-day deadlines leave out."),
    AdminPage("Import schools", "schools.import_schools", auth_can.can_import_schools,
              "Load or refresh the register from a GIAS download."),
    AdminPage("Import national data", "evidence.import_data", evidence_can.can_import_data,
              "Load Ofsted, performance, census and absence files; see past imports."),
    AdminPage("Risk signal rules", "evidence.signal_rules", evidence_can.can_edit_signal_rules,
              "The rules that flag schools from the data, and which of them prompt a tier review."),
    AdminPage("Governor reports in bulk", "governor_reports.bulk_runs", report_can.can_run_bulk_generation,
              "Draft every school's termly report in one run."),
    AdminPage("E-mails that could not be sent", "notifications.failed_emails", notify_can.can_view_failed_emails,
              "Notifications of the last 30 days whose e-mail failed, to tell the people another way."),
    AdminPage("Letterhead", "core.letterhead", auth_can.can_administer,
              "The authority's name, logo, address, contact and signatory on every PDF."),
    AdminPage("Audit log", "core.audit_log", auth_can.can_view_audit_log, "Who changed what, and when."),
    AdminPage("Read audit", "privacy.read_audit", privacy_can.can_view_read_audit,
              "Who viewed or downloaded which note of visit, report, plan or file, and when."),
    AdminPage("Retention schedule", "privacy.retention_schedule", privacy_can.can_manage_retention,
              "How long each kind of record is kept, and whether it is then deleted or anonymised."),
)

ADMIN_ENDPOINTS = ("core.admin_index", "auth.*_user", "auth.list_users", "auth.unlock_user", "auth.*sign_in_group*",
                   "schools.reassign_schools",
                   "schools.list_tiers", "schools.edit_tier", "core.term_dates", "core.*_term", "core.*_closure",
                   "core.bank_holidays", "core.remove_bank_holiday",
                   "schools.import_schools", "evidence.import_data", "evidence.*_signal_rule*",
                   "governor_reports.bulk_runs", "governor_reports.show_bulk_run", "core.audit_log",
                   "notifications.failed_emails", "core.letterhead",
                   "privacy.read_audit", "privacy.retention_schedule", "privacy.edit_retention_rule",
                   "privacy.anonymise_user")


def _any_admin_page(user: Any) -> bool:
    return any(page.allowed(user) for page in ADMIN_PAGES)


def _role(*roles: str) -> Callable[[Any], bool]:
    return lambda user: user.role in roles


SECTIONS: tuple[Section, ...] = (
    Section("My caseload", "casework.caseload", casework_can.can_view_caseload, ("casework.caseload",)),
    Section("Schools", "schools.list_schools", auth_can.can_view_school_list,
            ("schools.*", "casework.*", "reviews.*", "rap.school_*", "governor_reports.school_reports",
             "evidence.school_profile", "enhanced.*", "sharing.school_sharing",
             "programmes.school_programmes")),
    Section("My schools", "schools.my_schools", _role(Role.SCHOOL_LEADER),
            ("schools.my_schools", "schools.show_school", "casework.*", "reviews.*", "rap.*", "governor_reports.*",
             "enhanced.*", "programmes.school_programmes", "programmes.show_enrolment", "programmes.fill_in_return",
             "programmes.show_review")),
    Section("My actions", "rap.my_actions", rap_can.can_view_my_actions, ("rap.my_actions",)),
    Section("Plans", "rap.dashboard", rap_can.can_view_plans_dashboard, ("rap.*",)),
    Section("Governor reports", "governor_reports.term_reports", report_can.can_view_governor_reports,
            ("governor_reports.*",)),
    Section("Tier reviews", "evidence.tier_reviews", evidence_can.can_review_tiers, ("evidence.tier_reviews", "evidence.*_prompt")),
    Section("Escalation watch", "rap.escalation_watch", rap_can.can_view_escalation_watch, ("rap.escalation_watch",)),
    # Sharing4Success: the directory, with the partnerships and the four aspects reached from it.
    Section("Sharing4Success", "sharing.directory", sharing_can.can_view_good_practice_directory,
            ("sharing.directory", "sharing.*_entry", "sharing.nominate_*", "sharing.support_aspects",
             "sharing.*partnership")),
    Section("Programmes", "programmes.list_programmes", programme_can.can_view_programmes, ("programmes.*",)),
    Section("Overview", "casework.overview", casework_can.can_view_authority_overview, ("casework.overview",)),
    Section("Support allocations", "schools.allocations", auth_can.can_view_allocations,
            ("schools.allocations", "schools.*_allocation*", "schools.allocation_*")),
    Section("Governor reports", "governor_reports.governor_home", auth_can.is_governor, ("governor_reports.governor_*",)),
    Section("Admin", "core.admin_index", _any_admin_page, ADMIN_ENDPOINTS),
)


def _specificity(pattern: str) -> int:
    return len(pattern.replace("*", ""))


def navigation(user: Any, endpoint: str | None) -> list[dict[str, Any]]:
    """The items of the service navigation for this person, the current page's section marked."""
    sections = [section for section in SECTIONS if section.allowed(user)]
    best, current = -1, None
    for section in sections:
        for pattern in section.pages:
            if endpoint and fnmatchcase(endpoint, pattern) and _specificity(pattern) > best:
                best, current = _specificity(pattern), section
    return [{"href": url_for(section.endpoint), "text": section.text, "active": section is current}
            for section in sections]


def admin_pages(user: Any) -> list[AdminPage]:
    return [page for page in ADMIN_PAGES if page.allowed(user)]
