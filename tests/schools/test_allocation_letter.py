"""The Annual Support Allocation letter: the PDF a school's leaders download, and every school's
letter for a year written by the command."""
from __future__ import annotations

from lea_support.schools import services as schools
from tests.conftest import sign_in
from tests.governor_reports.conftest import read_pdf


def test_the_allocation_letter_tells_the_school_its_support_for_the_year(db, client, create_school, create_user):
    adviser = create_user("link_adviser", name="Lena Link")
    school = create_school(name="Fernhill Primary School", support_tier="enhanced", mcs_level=2,
                           link_adviser_id=adviser.id, head_name="Hana Head", street="1 School Lane", town="Fernhill",
                           postcode="FH1 1AA")
    other = create_school(name="Greyfriars School")
    schools.issue_annual_allocations(None, "2026/27")
    schools.adjust_allocation(create_user("sia"), school, "2026/27", link_visits=6, consultant_days="4.5",
                              reason="Extra support for a new headteacher")
    head = create_user("school_leader", schools=[school])
    db.session.commit()
    assert sign_in(client, head.email).status_code == 302
    response = client.get(f"/allocations/2026-27/{school.urn}/letter.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="support-allocation-{school.urn}-2026-27.pdf"')
    reader, text = read_pdf(response.data)
    for expected in ("Annual Support Allocation 2026/27: Fernhill Primary School", f"URN {school.urn}",
                     "The Headteacher (Hana Head) and the Governing Body", "1 School Lane", "FH1 1AA",
                     "is in enhanced support", "Link adviser visits this year 6", "Consultant days this year 4.5",
                     "Your link adviser Lena Link", "Extra support for a new headteacher"):
        assert expected.replace(" ", "") in text.replace(" ", ""), expected  # a narrow column may lose a space
    assert "Greyfriars" not in text and len(reader.pages) == 1
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert client.get(f"/allocations/2026-27/{other.urn}/letter.pdf").status_code == 403
    assert client.get(f"/allocations/2027-28/{school.urn}/letter.pdf").status_code == 404


def test_every_school_s_letter_is_written_by_the_command_and_a_rerun_keeps_them(app, db, create_school, tmp_path):
    made = [create_school(name=f"Letter School {i}") for i in range(2)]
    schools.issue_annual_allocations(None, "2026/27")
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reports", "allocation-letters", "2026/27", "--out", str(tmp_path)])
    assert result.exit_code == 0 and "2 letters written, 0 already there" in result.output
    for school in made:
        _, text = read_pdf((tmp_path / f"support-allocation-{school.urn}-2026-27.pdf").read_bytes())
        assert school.name in text
    result = runner.invoke(args=["reports", "allocation-letters", "2026/27", "--out", str(tmp_path)])
    assert "0 letters written, 2 already there" in result.output
    assert runner.invoke(args=["reports", "allocation-letters", "2030/31", "--out", str(tmp_path)]).exit_code == 1
