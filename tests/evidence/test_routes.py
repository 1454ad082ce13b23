"""The upload page and the school profile, through HTTP as their users reach them."""
from __future__ import annotations

import io

from lea_support.evidence.imports import import_data
from tests.conftest import count_queries, submit

CENSUS = ("URN,LA,ESTAB,NOR,PSENELSE,PSENELK,PNUMEAL,PNUMFSMEVER\n"
          "{urn},999,2000,210,1.5,12.4,8,25\n"
          "LA,999,PRI,50000,2,11,9,20\n"
          "NAT,,PRI,4727089,1.6,12.6,21.2,23\n")
KS2 = ("RECTYPE,LEA,URN,PTRWM_EXP,READPROG,WRITPROG,MATPROG\n"
       "1,999,{urn},{rwm},0.5,SUPP,-1.2\n"
       "3,999,,60%,0.1,0.2,0.3\n"
       "5,,,65%,0,0,0\n")
OFSTED = ("URN,Inspection start date,Publication date,Category of concern,Safeguarding standards,"
          "Safeguarding standards - date of grade,Achievement,Achievement - date of grade,"
          "Inspection start date of latest OEIF graded inspection,Latest OEIF overall effectiveness\n"
          "{urn},20/01/2026,17/02/2026,,Met,20/01/2026,Needs attention,20/01/2026,12/06/2019,3\n")


def load(urn: int, years: int = 3) -> None:
    import_data(None, CENSUS.format(urn=urn).encode(), filename="census-2024-25.csv")
    for i in range(years):
        import_data(None, KS2.format(urn=urn, rwm=f"{55 + i}%").encode(), filename=f"ks2-{2016 + i}-{17 + i}.csv")
    import_data(None, OFSTED.format(urn=urn).encode(), filename="ofsted.csv")


def test_the_profile_shows_ofsted_with_its_date_charts_and_comparators(client, db, login_as, create_school):
    school = create_school()
    load(school.urn)
    login_as("sia")
    page = client.get(f"/schools/{school.urn}/profile")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Latest: Report card inspection, 20 January 2026 (report published 17 February 2026)" in html
    assert "Needs attention <span class=\"govuk-body-s\">(20 January 2026)</span>" in html
    assert "Graded inspection, 12 June 2019" in html and "3: Requires improvement" in html
    assert html.count("<svg") >= 4 and "<polyline" in html and "style=" not in html.split("<main")[1]
    assert "Suppressed (SUPP)" in html  # never a zero
    assert "LA 999 (state-funded)" in html and "England (state-funded)" in html
    assert "England (primary)" in html and "4,727,089" in html
    assert "57%" in html and "65%" in html and "60%" in html


def test_the_profile_runs_the_same_queries_for_one_year_or_many(client, db, login_as, create_school):
    one, many = create_school(), create_school()
    load(one.urn, years=1)
    load(many.urn, years=3)
    login_as("link_adviser")
    assert count_queries(client, f"/schools/{one.urn}/profile") == count_queries(client, f"/schools/{many.urn}/profile")


def test_governors_and_school_leaders_see_only_their_own_schools_profile(client, db, login_as, create_school):
    own, other = create_school(), create_school()
    login_as("governor", schools=[own])
    assert client.get(f"/schools/{own.urn}/profile").status_code == 200
    assert client.get(f"/schools/{other.urn}/profile").status_code == 403
    assert client.get("/schools/999999/profile").status_code == 404


def test_the_school_page_links_to_the_profile(client, db, login_as, create_school):
    school = create_school()
    login_as("school_leader", schools=[school])
    assert f"/schools/{school.urn}/profile" in client.get(f"/schools/{school.urn}").get_data(as_text=True)


def test_an_admin_uploads_a_file_and_sees_it_listed(client, db, login_as, create_school):
    school = create_school()
    login_as("admin")
    data = {"file": (io.BytesIO(CENSUS.format(urn=school.urn).encode()), "census-2024-25.csv"), "kind": ""}
    response = submit(client, "/admin/data-imports", data, content_type="multipart/form-data")
    assert response.status_code == 302
    page = client.get("/admin/data-imports").get_data(as_text=True)
    assert "Imported School census: pupil characteristics for 2024/25" in page
    assert "census-2024-25.csv" in page and "School census" in page


def test_a_bad_upload_names_its_lines_and_changes_nothing(client, db, login_as, create_school):
    school = create_school()
    login_as("admin")
    bad = CENSUS.format(urn=school.urn).replace("210", "lots")
    response = submit(client, "/admin/data-imports", {"file": (io.BytesIO(bad.encode()), "census-2024-25.csv")},
                      content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Line 2: NOR: “lots” is not a number" in html
    assert "No imports yet." in html


def test_the_upload_asks_for_the_year_when_the_file_does_not_say(client, db, login_as, create_school):
    school = create_school()
    login_as("admin")
    data = {"file": (io.BytesIO(CENSUS.format(urn=school.urn).encode()), "census.csv")}
    response = submit(client, "/admin/data-imports", data, content_type="multipart/form-data")
    assert response.status_code == 422 and "The academic year is not in the file" in response.get_data(as_text=True)
    data = {"file": (io.BytesIO(CENSUS.format(urn=school.urn).encode()), "census.csv"), "academic_year": "2024/25",
            "dry_run": "y"}
    response = submit(client, "/admin/data-imports", data, content_type="multipart/form-data", follow_redirects=True)
    assert "Dry run, nothing saved" in response.get_data(as_text=True)
