"""The pages: the link adviser drafts, checks and publishes; governors are told by e-mail and read
their own schools' published reports (a federation's governor, each school's), and nothing else."""
from __future__ import annotations

import email
import re
import socketserver
import threading
from email import policy
from pathlib import Path

import pytest
from sqlalchemy import select

from lea_support.governor_reports import services
from lea_support.governor_reports.models import GovernorReport, GovernorReportVersion
from tests.conftest import count_queries, sign_in, submit
from tests.governor_reports.conftest import END_OF_TERM, TERM, read_pdf

VERSION_ID = re.compile(r'name="version_id" type="hidden" value="(\d+)"')


def _outbox(app) -> list[email.message.EmailMessage]:
    folder = Path(app.config["OUTBOX_DIR"])
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted(folder.glob("*.eml"))] \
        if folder.exists() else []


def test_a_governor_e_mail_that_fails_is_owned_up_to(app, db, client, light_touch_school, create_user, monkeypatch):
    """The report is published (the e-mail must not undo it), and the person publishing it is told
    which governor was not e-mailed, instead of being told that every governor was."""
    from lea_support.core import mail

    school = light_touch_school()
    ok, broken = (create_user("governor", schools=[school], name=f"Governor {n}").email for n in (1, 2))
    real_deliver = mail.deliver

    def deliver(message, settings):
        if message["To"] == broken:
            raise OSError("Connection refused")
        real_deliver(message, settings)

    monkeypatch.setattr(mail, "deliver", deliver)
    assert sign_in(client, school.adviser.email).status_code == 302
    submit(client, f"/schools/{school.urn}/governor-reports", {"term": TERM})
    report = db.session.scalars(select(GovernorReport).where(GovernorReport.school_id == school.id)).one()
    show = f"/governor-reports/{report.id}"
    submit(client, f"{show}/check", {"covering_note": "", "version_id": _version_id(client.get(show).get_data(as_text=True))},
           form_url=show)
    page = client.get(show).get_data(as_text=True)
    response = submit(client, f"{show}/publish", {"version_id": _version_id(page.split('id="publish-form"')[1])},
                      form_url=show)
    assert response.status_code == 302
    told = client.get(show).get_data(as_text=True)
    assert "Version 1 published." in told
    assert f"Saved, but 1 of 2 e-mails could not be sent (to {broken}). Tell the person another way" in told
    assert "E-mailed" not in told
    assert [m["To"] for m in _outbox(app)] == [ok]
    db.session.expire_all()
    assert db.session.scalars(select(GovernorReportVersion)).one().status == "published"


def _version_id(page: str) -> str:
    match = VERSION_ID.search(page)
    assert match, "no version_id on the page"
    return match.group(1)


def test_the_link_adviser_drafts_checks_and_publishes_and_governors_are_told(app, db, client, light_touch_school,
                                                                             create_user):
    school = light_touch_school()
    governors = [create_user("governor", schools=[school], name=f"Governor {n}") for n in (1, 2)]
    create_user("governor", schools=[light_touch_school("Other Infant School")])  # not this school's
    assert sign_in(client, school.adviser.email).status_code == 302
    page_url = f"/schools/{school.urn}/governor-reports"
    response = submit(client, page_url, {"term": TERM})
    assert response.status_code == 302
    report = db.session.scalars(select(GovernorReport).where(GovernorReport.school_id == school.id)).one()
    assert response.headers["Location"].endswith(f"/governor-reports/{report.id}")

    page = client.get(f"/governor-reports/{report.id}").get_data(as_text=True)
    assert "Version" in page and "Draft" in page and "Mark as checked" in page
    draft_pdf = client.get(f"/governor-reports/{report.id}/versions/1.pdf")
    assert draft_pdf.status_code == 200 and draft_pdf.mimetype == "application/pdf"
    assert "not yet published" in read_pdf(draft_pdf.data)[1].lower()

    show = f"/governor-reports/{report.id}"
    response = submit(client, f"{show}/check", {"covering_note": "A strong term for reading.",
                                                "version_id": _version_id(page)}, form_url=show)
    assert response.status_code == 302
    page = client.get(show).get_data(as_text=True)
    assert "Publish to governors" in page
    assert _outbox(app) == []  # nothing is sent until the report is published
    response = submit(client, f"{show}/publish", {"version_id": _version_id(page.split('id="publish-form"')[1])},
                      form_url=show)
    assert response.status_code == 302
    told = client.get(show).get_data(as_text=True)
    assert "Version 1 published." in told and "E-mailed 2 people to tell them." in told

    version = db.session.scalars(select(GovernorReportVersion).where(GovernorReportVersion.report_id == report.id)).one()
    assert version.status == "published" and version.published_by_id == school.adviser.id
    page = client.get(show).get_data(as_text=True)
    assert f"SHA-256 {version.pdf_sha256}" in page and "Re-issue the report" in page and "Mark as checked" not in page
    messages = _outbox(app)
    assert sorted(m["To"] for m in messages) == sorted(g.email for g in governors)
    for message in messages:
        assert message["Subject"] == "Report to governors published: Larkrise Infant School, Autumn term 2026"
        body = message.get_content()
        assert "Larkrise Infant School" in body and f"URN {school.urn}" in body and "autumn term 2026" in body
        assert "Other Infant School" not in body
        assert not message.is_multipart()  # the report itself never travels by e-mail


def test_a_check_from_an_old_copy_is_refused_with_409_and_the_note_kept(db, client, light_touch_school):
    school = light_touch_school()
    version = services.generate_draft(None, school, TERM, today=END_OF_TERM)
    db.session.commit()
    assert sign_in(client, school.adviser.email).status_code == 302
    show = f"/governor-reports/{version.report_id}"
    seen = _version_id(client.get(show).get_data(as_text=True))
    services.generate_draft(None, school, TERM, today=END_OF_TERM)  # made again meanwhile
    db.session.commit()
    response = submit(client, f"{show}/check", {"covering_note": "My careful note", "version_id": seen}, form_url=show)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone else changed this report since you opened it" in page and "My careful note" in page
    assert db.session.get(GovernorReportVersion, version.id).status == "draft"
    # Saving again from the page as it now is goes through.
    response = submit(client, f"{show}/check", {"covering_note": "My careful note", "version_id": _version_id(page)},
                      form_url=show)
    assert response.status_code == 302


def test_refusals_save_nothing_and_say_what_to_fix(db, client, light_touch_school):
    school = light_touch_school()
    version = services.generate_draft(None, school, TERM, today=END_OF_TERM)
    db.session.commit()
    assert sign_in(client, school.adviser.email).status_code == 302
    show = f"/governor-reports/{version.report_id}"
    page = client.get(show).get_data(as_text=True)
    response = submit(client, f"{show}/publish", {"version_id": _version_id(page)}, form_url=show)
    assert response.status_code == 422
    assert "The link adviser checks the draft before it is published" in response.get_data(as_text=True)
    response = submit(client, f"{show}/check", {"covering_note": "x" * 5001, "version_id": _version_id(page)},
                      form_url=show)
    assert response.status_code == 422
    assert "The covering note must be 5,000 characters or fewer" in response.get_data(as_text=True)
    response = submit(client, f"/schools/{school.urn}/governor-reports", {"term": "winter-2026"},
                      form_url=f"/schools/{school.urn}/governor-reports")
    assert response.status_code == 422 and "like autumn-2026" in response.get_data(as_text=True)
    fresh = db.session.get(GovernorReportVersion, version.id)
    assert (fresh.status, fresh.covering_note, fresh.version_id) == ("draft", "", version.version_id)


def test_another_school_s_link_adviser_may_read_but_not_check(db, client, light_touch_school, login_as):
    school = light_touch_school()
    version = services.generate_draft(None, school, TERM, today=END_OF_TERM)
    db.session.commit()
    login_as("link_adviser")
    show = f"/governor-reports/{version.report_id}"
    assert client.get(show).status_code == 200
    response = client.post(f"{show}/check", data={"covering_note": "x", "version_id": str(version.version_id)})
    assert response.status_code in (400, 403)  # no CSRF token from a page that offers no form; refused either way
    assert db.session.get(GovernorReportVersion, version.id).status == "draft"


@pytest.fixture
def federation(db, light_touch_school, significant_school, create_user):
    """A governor of two schools (a federation), each with published reports for two terms; a draft
    re-issue of one; and a third school's published report."""
    sia = create_user("sia")
    first, second = light_touch_school("Larkrise Infant School"), light_touch_school("Larkrise Junior School")
    stranger = light_touch_school("Zephyr Primary School")

    def publish(school, term, today):
        draft = services.generate_draft(None, school, term, today=today)
        services.check_report(sia, draft, covering_note="", expected_version=draft.version_id,
                              no_visits_confirmed=True)
        return services.publish_report(sia, draft, today=today)

    from datetime import date

    published = {
        "first_autumn": publish(first, TERM, END_OF_TERM),
        "first_spring": publish(first, "spring-2027", date(2027, 3, 19)),
        "second_autumn": publish(second, TERM, END_OF_TERM),
        "stranger_autumn": publish(stranger, TERM, END_OF_TERM),
    }
    services.reissue_report(sia, published["first_autumn"].report, reason="A date was wrong", today=END_OF_TERM)
    governor = create_user("governor", schools=[first, second])
    db.session.commit()
    return governor, first, second, stranger, published


def test_a_federation_s_governor_reads_each_school_s_published_reports_for_every_term(client, federation):
    governor, first, second, stranger, published = federation
    assert sign_in(client, governor.email).status_code == 302
    home = client.get("/governor").get_data(as_text=True)
    assert "Larkrise Infant School" in home and "Larkrise Junior School" in home and "Zephyr" not in home
    assert "Autumn term 2026" in home and "Spring term 2027" in home
    links = re.findall(r'href="(/governor-reports/\d+/versions/\d+\.pdf)"', home)
    expected = {f"/governor-reports/{published[k].report_id}/versions/1.pdf"
                for k in ("first_autumn", "first_spring", "second_autumn")}
    assert set(links) == expected  # published versions only: not the draft re-issue, not another school's
    for link in links:
        response = client.get(link)
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        text = read_pdf(response.data)[1]
        assert "Zephyr" not in text and str(stranger.urn) not in text
    page = client.get(f"/governor/schools/{first.urn}").get_data(as_text=True)
    assert page.count("/versions/1.pdf") == 2 and "Larkrise Junior" not in page


def test_a_governor_reaches_nothing_else(client, federation):
    governor, first, _second, stranger, published = federation
    assert sign_in(client, governor.email).status_code == 302
    draft = f"/governor-reports/{published['first_autumn'].report_id}/versions/2.pdf"
    other = f"/governor-reports/{published['stranger_autumn'].report_id}/versions/1.pdf"
    for url in (draft, other, f"/governor-reports/{published['first_autumn'].report_id}",
                f"/schools/{first.urn}/governor-reports", "/governor-reports", f"/governor/schools/{stranger.urn}",
                f"/schools/{first.urn}", "/admin/governor-reports/bulk"):
        response = client.get(url)
        response.close()
        assert response.status_code == 403, url


def test_e_mail_is_sent_only_once_the_publication_is_saved(app, db, light_touch_school, create_user):
    school = light_touch_school("Larkrise\r\nBcc: everyone@example.org Infant")
    create_user("governor", schools=[school])
    draft = services.generate_draft(None, school, TERM, today=END_OF_TERM)
    services.check_report(school.adviser, draft, covering_note="", expected_version=draft.version_id)
    db.session.commit()
    services.publish_report(school.adviser, draft)
    db.session.rollback()  # the publication is not saved: nobody is told
    assert _outbox(app) == []
    draft = db.session.get(GovernorReportVersion, draft.id)
    services.publish_report(school.adviser, draft)
    db.session.commit()
    (message,) = _outbox(app)
    # A line break in a school's name cannot add a header.
    assert message["Bcc"] is None
    assert message["Subject"] == ("Report to governors published: Larkrise Bcc: everyone@example.org Infant, "
                                  "Autumn term 2026")


class _SmtpRecorder(socketserver.StreamRequestHandler):
    """Just enough SMTP to take one message: what a real server would be told, recorded."""

    received: list[dict[str, object]] = []

    def handle(self) -> None:
        self.wfile.write(b"220 test ESMTP\r\n")
        envelope: dict[str, object] = {"rcpt": []}
        while line := self.rfile.readline():
            command = line.decode().strip()
            verb = command.split(" ")[0].upper()
            if verb in {"EHLO", "HELO"}:
                self.wfile.write(b"250 test\r\n")
            elif verb == "MAIL":
                envelope["from"] = command
                self.wfile.write(b"250 OK\r\n")
            elif verb == "RCPT":
                envelope["rcpt"].append(command)  # type: ignore[union-attr]
                self.wfile.write(b"250 OK\r\n")
            elif verb == "DATA":
                self.wfile.write(b"354 go ahead\r\n")
                data = b""
                while (chunk := self.rfile.readline()) != b".\r\n":
                    data += chunk
                envelope["data"] = data
                type(self).received.append(envelope)
                self.wfile.write(b"250 queued\r\n")
            elif verb == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 OK\r\n")


def test_with_a_mail_server_configured_the_message_goes_by_smtp(app, db, light_touch_school, create_user):
    _SmtpRecorder.received = []
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpRecorder)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    try:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.server_address[1], MAIL_USE_TLS=False,
                          MAIL_DEFAULT_SENDER="Reports <reports@la.example>", PUBLIC_BASE_URL="https://lea.example/")
        school = light_touch_school()
        governor = create_user("governor", schools=[school])
        draft = services.generate_draft(None, school, TERM, today=END_OF_TERM)
        services.check_report(school.adviser, draft, covering_note="", expected_version=draft.version_id)
        services.publish_report(school.adviser, draft)
        db.session.commit()
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
    (envelope,) = _SmtpRecorder.received
    assert [r.upper() for r in envelope["rcpt"]] == [f"RCPT TO:<{governor.email}>".upper()]
    assert "reports@la.example" in envelope["from"]
    message = email.message_from_bytes(envelope["data"], policy=policy.default)
    assert "Sign in to read and download it: https://lea.example/governor" in message.get_content()
    assert _outbox(app) == []


def test_the_term_s_reports_load_in_a_fixed_number_of_queries(app, db, client, login_as, light_touch_school):
    login_as("sia")

    for n in range(2):
        services.generate_draft(None, light_touch_school(f"School {n}"), TERM, today=END_OF_TERM)
    db.session.commit()
    few = count_queries(client, f"/governor-reports?term={TERM}")
    for n in range(2, 7):
        services.generate_draft(None, light_touch_school(f"School {n}"), TERM, today=END_OF_TERM)
    db.session.commit()
    many = count_queries(client, f"/governor-reports?term={TERM}")
    page = client.get(f"/governor-reports?term={TERM}&status=draft").get_data(as_text=True)
    assert few == many and "School 6" in page and "Version 1: draft" in page
