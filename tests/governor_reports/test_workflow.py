"""Draft -> checked by the link adviser -> published, for good; re-issues as new versions."""
from __future__ import annotations

import hashlib
from datetime import date

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from lea_support.core.errors import DomainError
from lea_support.core.locking import EditConflict
from lea_support.core.models import AuditEntry
from lea_support.governor_reports import services
from lea_support.governor_reports.models import GovernorReportVersion
from lea_support.schools.models import SchoolEvent
from tests.governor_reports.conftest import END_OF_TERM, TERM, read_pdf

PUBLISHED_ON = date(2026, 12, 17)


@pytest.fixture
def published(db, light_touch_school, create_user):
    """A light-touch school's report, checked with a covering note and published."""
    school = light_touch_school()
    draft = services.generate_draft(None, school, TERM, today=END_OF_TERM)
    services.check_report(school.adviser, draft, covering_note="Thank you for a warm welcome & <good> term",
                          expected_version=draft.version_id)
    version = services.publish_report(create_user("sia", name="Sid Senior"), draft, today=PUBLISHED_ON)
    db.session.commit()
    return version


def test_checking_adds_the_covering_note_and_publishing_stores_the_pdf_for_good(db, published):
    version = db.session.get(GovernorReportVersion, published.id)
    assert version.status == "published" and version.published_at is not None
    assert version.published_by.name == "Sid Senior" and version.checked_by.name == "Lou Light"
    assert version.pdf_sha256 == hashlib.sha256(version.pdf).hexdigest()
    _, text_ = read_pdf(version.pdf)
    assert "A note from Lou Light Thank you for a warm welcome & <good> term" in text_
    assert "Published 17 December 2026" in text_ and "not yet published" not in text_
    actions = set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.entity_type == "governor_report")))
    assert actions == {"governor_report.draft", "governor_report.check", "governor_report.publish"}
    event = db.session.scalars(select(SchoolEvent).where(SchoolEvent.kind == "governor_report_published")).one()
    assert event.audience == "governors" and event.summary == "Report to governors for the autumn term 2026 published"


def test_a_published_version_never_changes(db, published):
    version = db.session.get(GovernorReportVersion, published.id)
    pdf, digest = version.pdf, version.pdf_sha256
    # The services refuse...
    with pytest.raises(DomainError, match="published and never changes"):
        services.check_report(version.report.school.link_adviser, version, covering_note="x", expected_version=None)
    with pytest.raises(DomainError, match="published and never changes"):
        services.publish_report(version.published_by, version)
    with pytest.raises(DomainError, match="re-issue it"):
        services.generate_draft(None, version.report.school, TERM)
    db.session.rollback()
    # ...and so does the database, whatever asks it.
    for statement in (update(GovernorReportVersion).where(GovernorReportVersion.id == version.id).values(pdf=b"forged"),
                      update(GovernorReportVersion).where(GovernorReportVersion.id == version.id)
                      .values(pdf_sha256="0" * 64),
                      text("UPDATE governor_report_versions SET status = 'draft', published_at = NULL, "
                           "checked_at = NULL"),
                      delete(GovernorReportVersion).where(GovernorReportVersion.id == version.id)):
        with pytest.raises(DBAPIError, match="never changes"):
            db.session.execute(statement)
        db.session.rollback()
    version = db.session.get(GovernorReportVersion, published.id)
    version.covering_note = "Changed through the ORM"
    with pytest.raises(DBAPIError, match="never changes"):
        db.session.flush()
    db.session.rollback()
    version = db.session.get(GovernorReportVersion, published.id)
    assert (version.pdf, version.pdf_sha256, version.status) == (pdf, digest, "published")


def test_a_re_issue_is_a_new_version_with_a_reason_and_both_stay(db, published, create_user):
    report = published.report
    first_pdf, first_digest = published.pdf, published.pdf_sha256
    sia = create_user("sia")
    with pytest.raises(DomainError, match="Give the reason") as refused:
        services.reissue_report(sia, report, reason="  ")
    assert refused.value.field == "reason"
    draft = services.reissue_report(sia, report, reason="The visit date was wrong", today=END_OF_TERM)
    assert (draft.version, draft.status, draft.reason) == (2, "draft", "The visit date was wrong")
    with pytest.raises(DomainError, match="check and publish the draft instead"):
        services.reissue_report(sia, report, reason="Again")
    # Drafting again while the re-issue is open remakes version 2, never a third.
    again = services.generate_draft(sia, report.school, TERM, today=END_OF_TERM)
    assert again.id == draft.id and again.version == 2
    services.check_report(sia, again, covering_note="", expected_version=again.version_id)
    services.publish_report(sia, again, today=PUBLISHED_ON)
    db.session.commit()

    versions = db.session.scalars(select(GovernorReportVersion).where(GovernorReportVersion.report_id == report.id)
                                  .order_by(GovernorReportVersion.version)).all()
    assert [(v.version, v.status) for v in versions] == [(1, "published"), (2, "published")]
    assert (versions[0].pdf, versions[0].pdf_sha256) == (first_pdf, first_digest)
    _, text_ = read_pdf(versions[1].pdf)
    assert "version 2" in text_ and "Re-issued: The visit date was wrong" in text_


def test_publishing_needs_the_link_adviser_s_check_and_a_new_draft_needs_it_again(db, light_touch_school, create_user):
    school = light_touch_school()
    draft = services.generate_draft(None, school, TERM, today=END_OF_TERM)
    with pytest.raises(DomainError, match="checks the draft before it is published"):
        services.publish_report(create_user("sia"), draft)
    services.check_report(school.adviser, draft, covering_note="Well done", expected_version=draft.version_id)
    remade = services.generate_draft(None, school, TERM, today=END_OF_TERM)
    assert remade.id == draft.id and remade.status == "draft" and remade.checked_at is None
    assert remade.covering_note == "Well done"  # kept for the next check


def test_a_check_made_from_an_old_copy_is_refused(db, light_touch_school):
    school = light_touch_school()
    draft = services.generate_draft(None, school, TERM, today=END_OF_TERM)
    seen = draft.version_id
    services.generate_draft(None, school, TERM, today=END_OF_TERM)  # someone made it again meanwhile
    db.session.commit()
    with pytest.raises(EditConflict):
        services.check_report(school.adviser, draft, covering_note="Looks right", expected_version=seen)
    db.session.rollback()
    assert db.session.get(GovernorReportVersion, draft.id).status == "draft"


def test_a_covering_note_that_is_too_long_is_refused(db, light_touch_school):
    school = light_touch_school()
    draft = services.generate_draft(None, school, TERM, today=END_OF_TERM)
    with pytest.raises(DomainError, match="5,000 characters or fewer") as refused:
        services.check_report(school.adviser, draft, covering_note="x" * 5001, expected_version=draft.version_id)
    assert refused.value.field == "covering_note"


def test_two_open_versions_of_one_report_cannot_exist(db, published):
    """The database keeps at most one draft-or-checked version per report (a partial unique index)."""
    from sqlalchemy.exc import IntegrityError

    report_id = published.report_id
    for number in (2, 3):
        db.session.add(GovernorReportVersion(report_id=report_id, version=number, status="draft", layout="summary",
                                             content={}, pdf=b"%PDF", pdf_sha256="0" * 64, pdf_pages=1))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
