"""The suite's own machinery: what its fixtures share between tests to save time (compiled
templates, one Chromium), and what each test still gets afresh."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment, FileSystemLoader

from tests.conftest import ON_POSTGRES, make_app


def test_a_template_compiled_for_one_app_is_not_compiled_again_for_the_next_unless_it_was_edited(
        database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    template = folder / "fixture-check.html"
    template.write_text("<p>{{ word }} one</p>", encoding="utf-8")
    compiled: list[str | None] = []
    real_compile = Environment.compile

    def counting(self: Environment, source: Any, name: str | None = None, *args: Any, **kw: Any) -> Any:
        compiled.append(name)
        return real_compile(self, source, name, *args, **kw)

    monkeypatch.setattr(Environment, "compile", counting)

    def render() -> str:
        app = make_app(database_url)
        app.jinja_loader.loaders.insert(0, FileSystemLoader(str(folder)))  # type: ignore[union-attr]
        with app.app_context():
            return app.jinja_env.get_template("fixture-check.html").render(word="<b>")

    assert render() == "<p>&lt;b&gt; one</p>" and compiled == ["fixture-check.html"]
    assert render() == "<p>&lt;b&gt; one</p>" and compiled == ["fixture-check.html"]  # a new app: not again
    template.write_text("<p>{{ word }} two</p>", encoding="utf-8")
    assert render() == "<p>&lt;b&gt; two</p>" and compiled == ["fixture-check.html"] * 2  # edited: again


def test_each_browser_test_has_a_context_of_its_own_in_the_one_chromium(chromium: Any, browser_page: Any,
                                                                       live_server: str) -> None:
    assert browser_page.context.browser is chromium
    before = chromium.new_context()  # as an earlier test's page left it
    try:
        page = before.new_page()
        page.goto(live_server + "/sign-in")
        page.evaluate("localStorage.setItem('left-behind', 'yes')")
        left = {c["value"] for c in before.cookies()}
        assert left  # the session cookie
    finally:
        before.close()
    browser_page.goto(live_server + "/sign-in")
    assert browser_page.evaluate("localStorage.getItem('left-behind')") is None
    assert not left & {c["value"] for c in browser_page.context.cookies()}


@pytest.mark.skipif(not ON_POSTGRES, reason="the run's PostgreSQL database is emptied between tests")
@pytest.mark.parametrize("published", [False, True], ids=["plain", "with-a-published-report"])
def test_the_postgres_database_is_emptied_as_truncate_would_empty_it(app, db, create_school, create_user,
                                                                      published):
    from datetime import UTC, datetime

    from sqlalchemy import func, select

    from lea_support.governor_reports.models import GovernorReport, GovernorReportVersion
    from tests.conftest import REFERENCE_TABLES, empty_postgres_tables

    def counts() -> dict[str, int]:
        return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}

    reference = {name: n for name, n in counts().items() if name in REFERENCE_TABLES}
    school = create_school()
    create_user("governor", schools=[school])
    if published:  # a published version's trigger refuses any DELETE of it
        when = datetime(2026, 12, 1, tzinfo=UTC)
        db.session.add(GovernorReport(school_id=school.id, term="autumn-2026", academic_year="2026/27", versions=[
            GovernorReportVersion(version=1, status="published", layout="summary", content={}, pdf=b"%PDF-1.4",
                                  pdf_sha256="0" * 64, pdf_pages=1, reason="", checked_at=when, published_at=when)]))
        db.session.commit()
    assert any(n for name, n in counts().items() if name not in REFERENCE_TABLES)
    db.session.remove()

    with db.engine.begin() as conn:
        empty_postgres_tables(conn)

    assert counts() == {**{t.name: 0 for t in db.metadata.sorted_tables}, **reference}
    assert create_school().id == 1 and create_user("sia").id == 1  # ids start again
