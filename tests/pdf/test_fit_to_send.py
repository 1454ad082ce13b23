"""Every kind of PDF the service sends, read back as a reader would get it: its text (no slugs, no
double brackets), one font family (the pages' Liberation Sans), nothing drawn outside the page's
printable area, no text smaller than 8 pt (chart labels included), and no heading, caption or table
header left as the last thing on a page with what it introduces on the next."""
from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pdfplumber
import pytest
from sqlalchemy import select

from tests.conftest import sign_in

MM = 72 / 25.4
SIDE_MARGIN = 16 * MM  # pdf.css: @page margin 18mm 16mm 20mm 16mm
PRINTABLE = 6 * MM  # the footer sits in the page's bottom margin, but not where a printer cannot print
SLUG = re.compile(r"\b(?:[a-z]+_[a-z_]+|(?:autumn|spring|summer)-\d{4})\b")


def _lines(page: Any) -> list[tuple[float, list[dict[str, Any]]]]:
    """The page's lines of text (top, chars), top to bottom."""
    rows: dict[int, list[dict[str, Any]]] = {}
    for char in page.chars:
        if char["text"].strip():
            rows.setdefault(round(char["top"]), []).append(char)
    merged: list[tuple[float, list[dict[str, Any]]]] = []
    for top in sorted(rows):
        if merged and top - merged[-1][0] < 3:
            merged[-1][1].extend(rows[top])
        else:
            merged.append((top, list(rows[top])))
    return merged


def problems_in(data: bytes) -> tuple[str, list[str]]:
    """The PDF's text and what is wrong with how it is laid out."""
    found: list[str] = []
    texts: list[str] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            width, height = page.width, page.height
            texts.append(page.extract_text() or "")
            for char in page.chars:
                if not char["text"].strip():
                    continue
                where = f"page {number}: {char['text']!r} at ({char['x0']:.0f}, {char['top']:.0f})"
                if not re.search(r"Liberation-?Sans", char["fontname"]):
                    found.append(f"{where} is in {char['fontname']}")
                if char["size"] < 7.95:
                    found.append(f"{where} is {char['size']:.1f} pt")
                if char["x0"] < SIDE_MARGIN - 1 or char["x1"] > width - SIDE_MARGIN + 1 \
                        or char["top"] < PRINTABLE or char["bottom"] > height - PRINTABLE:
                    found.append(f"{where} is outside the printable area")
            for shape in page.rects + page.lines + page.curves + page.images:
                if shape["x0"] < SIDE_MARGIN - 1 or shape["x1"] > width - SIDE_MARGIN + 1:
                    found.append(f"page {number}: a {shape['object_type']} runs from x={shape['x0']:.0f} to "
                                 f"{shape['x1']:.0f}, past the margins ({SIDE_MARGIN:.0f}, {width - SIDE_MARGIN:.0f})")
            if number < len(pdf.pages):
                body = [(top, chars) for top, chars in _lines(page) if top < height - 20 * MM]
                if body:
                    last = body[-1][1]
                    if all("Bold" in c["fontname"] for c in last):
                        words = "".join(c["text"] for c in sorted(last, key=lambda c: c["x0"]))
                        found.append(f"page {number} ends with the heading {words!r}")
    text = " ".join(" ".join(texts).split())
    for slug in sorted(set(SLUG.findall(text))):
        found.append(f"the text has the slug {slug!r}")
    for brackets in ("((", "))", "[[", "]]", "{{", "}}"):
        if brackets in text:
            found.append(f"the text has {brackets!r}")
    return text, found


@pytest.fixture
def every_document(app, db, client) -> dict[str, bytes]:
    """One of each kind of PDF, from the demo authority (with a letterhead and logo, an Improvement
    Notice issued and the year's allocations), each fetched through its route by a signed-in SIA."""
    from lea_support.auth.models import User
    from lea_support.casework.models import NoteOfVisit
    from lea_support.core.terms import Term
    from lea_support.governor_reports.models import GovernorReport
    from lea_support.pdf.letterhead import LetterheadData, save_letterhead
    from lea_support.rap import services as rap
    from lea_support.rap.models import RaisingAchievementPlan
    from lea_support.reviews.models import PublishedReviewReport
    from lea_support.schools import services as schools
    from lea_support.schools.models import School
    from tests.pdf.test_letterhead import png

    assert app.test_cli_runner().invoke(args=["demo", "--if-empty"]).exit_code == 0
    sia = db.session.scalars(select(User).where(User.email == "sia@demo.invalid")).one()
    school = db.session.scalars(select(School).where(School.urn == 990001)).one()
    year = Term.current().academic_year
    schools.issue_annual_allocations(None, year)
    save_letterhead(sia, LetterheadData(
        authority_name="Fictional Borough Council", address="Town Hall\nHigh Street\nFB1 1AA",
        contact="01234 567890, school.improvement@fictional.example", signatory_name="Pat Director",
        signatory_role="Director of Children's Services", logo=png(120, 40)), expected_version=None)
    notice = rap.issue_improvement_notice(sia, school, improvements="Raise standards in writing\n\nAnd in maths",
                                          comply_by=Term.current().starts_on + timedelta(days=120))
    db.session.commit()
    note = db.session.scalars(select(NoteOfVisit).where(NoteOfVisit.status == "sent")).first()
    review = db.session.scalars(select(PublishedReviewReport)).first()
    plan = db.session.scalars(select(RaisingAchievementPlan).where(RaisingAchievementPlan.status == "agreed")).first()
    report = db.session.scalars(select(GovernorReport)).first()
    assert sign_in(client, "sia@demo.invalid", "demo-sign-in-2026").status_code == 302
    urls = {"note of visit": f"/visits/{note.id}/pdf",
            "review report": f"/reviews/{review.review_id}/report/{review.version}.pdf",
            "plan": f"/plans/{plan.id}/pdf",
            "improvement notice": f"/notices/{notice.id}.pdf",
            "allocation letter": f"/allocations/{year.replace('/', '-')}/{school.urn}/letter.pdf",
            "governor report": f"/governor-reports/{report.id}/versions/1.pdf"}
    documents = {}
    for kind, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200 and response.data[:4] == b"%PDF", (kind, url, response.status_code)
        documents[kind] = response.data
    return documents


def test_every_document_is_fit_to_send(every_document):
    everything = []
    for kind, data in every_document.items():
        text, found = problems_in(data)
        assert text, kind
        everything += [f"{kind}: {problem}" for problem in found]
    assert not everything, "\n".join(dict.fromkeys(re.sub(r"'.' at \(\d+, \d+\)", "text", p) for p in everything))


def test_the_check_finds_what_it_looks_for():
    from weasyprint import HTML

    html = ('<html><head><style>@page { size: A4; margin: 18mm 16mm 20mm 16mm } '
            'body { font-family: "DejaVu Sans"; font-size: 6pt } h2 { font-weight: bold; font-family: '
            '"Liberation Sans"; font-size: 13pt; break-after: page } td { border-bottom: 1pt solid black }</style></head><body>'
            '<table style="width: 120%"><tr><td>wide</td></tr></table>'
            '<p>autumn-2026 ((x))</p><h2>Stranded</h2><p>after</p></body></html>')
    data = HTML(string=html).write_pdf()
    _, found = problems_in(data)
    said = "\n".join(found)
    assert "DejaVu" in said and "6.0 pt" in said and "past the margins" in said
    assert "'autumn-2026'" in said and "'(('" in said and "ends with the heading 'Stranded'" in said

