"""Bulk generation: the command, parallel worker processes, files written whole, and a run that
is killed part-way and started again finishing the rest with exactly one PDF per school."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from lea_support.governor_reports.bulk import files as bulk_files
from lea_support.governor_reports.bulk import runs
from lea_support.governor_reports.models import BulkRun, GovernorReport, GovernorReportVersion
from tests.conftest import submit
from tests.governor_reports.conftest import TERM, read_pdf

LEA = Path(sys.executable).parent / "lea-support"


@pytest.fixture
def schools(db, create_school):
    def make(n: int, **kw):
        made = [create_school(name=f"Bulk School {i:02d}", **kw) for i in range(n)]
        db.session.commit()
        return made
    return make


def _check_one_pdf_per_school(out: Path, schools) -> None:
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted(bulk_files.report_file_name(s.urn, TERM) for s in schools)  # no partial files, no duplicates
    for school in schools:
        reader, text = read_pdf((out / bulk_files.report_file_name(school.urn, TERM)).read_bytes())
        assert len(reader.pages) == 1 and school.name in text and f"URN {school.urn}" in text


def _versions_per_school(db) -> dict[int, int]:
    return dict(db.session.execute(
        select(GovernorReport.school_id, func.count(GovernorReportVersion.id))
        .join(GovernorReportVersion).where(GovernorReport.term == TERM).group_by(GovernorReport.school_id)).all())


def test_the_command_drafts_every_school_in_parallel_and_a_second_run_skips_them(app, db, schools, tmp_path):
    made = schools(4)
    out = tmp_path / "out"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reports", "generate", "--term", TERM, "--out", str(out), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    assert "Drafting 4 autumn-2026 reports with 2 workers" in result.output
    assert "4 made, 0 skipped, 0 failed (of 4)" in result.output
    _check_one_pdf_per_school(out, made)
    assert _versions_per_school(db) == {s.id: 1 for s in made}
    run = db.session.scalars(select(BulkRun)).one()
    assert (run.status, run.total, run.made, run.skipped, run.failed) == ("finished", 4, 4, 0, 0)

    result = runner.invoke(args=["reports", "generate", "--term", TERM, "--out", str(out), "--school",
                                 str(made[0].urn), "--school", str(made[1].urn)])
    assert result.exit_code == 0 and "0 made, 2 skipped, 0 failed (of 2)" in result.output
    assert _versions_per_school(db) == {s.id: 1 for s in made}


def test_failures_are_reported_with_their_reasons_and_a_rerun_finishes_them(app, db, schools, tmp_path):
    made = schools(3)
    out = tmp_path / "out"
    app.config["PDF_MAX_BYTES"] = 2000  # every report is larger: each render fails
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reports", "generate", "--term", TERM, "--out", str(out), "--jobs", "2", "-v"])
    assert result.exit_code == 1
    assert "0 made, 0 skipped, 3 failed (of 3)" in result.output
    for school in made:
        assert (f"failed: URN {school.urn} {school.name}: The report's PDF could not be made: The PDF would be "
                "larger than 2000 bytes") in result.output
    assert list(out.iterdir()) == [] and _versions_per_school(db) == {}
    run = db.session.scalars(select(BulkRun)).one()
    assert run.failed == 3 and {f["urn"] for f in run.failures} == {s.urn for s in made}

    app.config["PDF_MAX_BYTES"] = 20 * 1024 * 1024
    result = runner.invoke(args=["reports", "generate", "--term", TERM, "--out", str(out)])
    assert result.exit_code == 0 and "3 made, 0 skipped, 0 failed (of 3)" in result.output
    _check_one_pdf_per_school(out, made)


def test_a_run_killed_part_way_and_started_again_leaves_exactly_one_complete_pdf_per_school(app, db, schools,
                                                                                             tmp_path):
    made = schools(8)
    out = tmp_path / "out"
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "LEA_SUPPORT_ENV": "development",
           "PYTHONUNBUFFERED": "1"}
    env.pop("FLASK_DEBUG", None)
    process = subprocess.Popen([str(LEA), "reports", "generate", "--term", TERM, "--out", str(out), "--jobs", "2",
                                "--verbose"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
                               start_new_session=True, text=True)
    try:
        assert process.stdout is not None
        for line in process.stdout:  # kill the run (and its workers) as soon as one school is done
            if line.startswith("made "):
                break
        os.killpg(process.pid, signal.SIGKILL)
    finally:
        process.wait()
        assert process.stdout is not None
        process.stdout.close()
    assert process.returncode == -signal.SIGKILL
    done_before = {p.name for p in out.iterdir() if p.suffix == ".pdf"}
    assert 1 <= len(done_before) < len(made)
    # A file half-written by a killed worker is only ever a temporary one.
    (out / f".{bulk_files.report_file_name(made[-1].urn, TERM)}.99999.tmp").write_bytes(b"%PDF-1.7\n half a file")

    result = app.test_cli_runner().invoke(args=["reports", "generate", "--term", TERM, "--out", str(out),
                                                "--jobs", "2"])
    assert result.exit_code == 0, result.output
    assert "0 failed" in result.output
    _check_one_pdf_per_school(out, made)
    assert _versions_per_school(db) == {s.id: 1 for s in made}
    runs = db.session.scalars(select(BulkRun).order_by(BulkRun.id)).all()
    assert runs[0].status == "failed" and "Stopped before it finished" in runs[0].error
    assert runs[1].status == "finished" and runs[1].skipped >= len(done_before) and runs[1].failed == 0
    for name in done_before:  # files from the killed run were complete and are kept as they were
        assert PdfReader(out / name).pages


def test_an_administrator_starts_a_run_from_the_page_and_sees_its_progress(app, db, client, login_as, schools,
                                                                         create_school):
    made = schools(2, support_tier="enhanced", mcs_level=2)
    create_school(name="Not In This Tier")
    login_as("admin")
    response = submit(client, "/admin/governor-reports/bulk", {"term": TERM, "tier": "enhanced", "urns": ""})
    assert response.status_code == 302
    run_id = db.session.scalars(select(BulkRun.id)).one()
    assert response.headers["Location"].endswith(f"/admin/governor-reports/bulk/{run_id}")
    page = client.get(f"/admin/governor-reports/bulk/{run_id}").get_data(as_text=True)
    assert "Finished" in page and "2 of 2 schools done" in page
    run = db.session.get(BulkRun, run_id)
    assert (run.status, run.made, run.failed, run.started_by.role) == ("finished", 2, 0, "admin")
    assert _versions_per_school(db) == {s.id: 1 for s in made}
    response = submit(client, "/admin/governor-reports/bulk", {"term": TERM, "tier": "", "urns": "123 abc"})
    assert response.status_code == 422 and "A URN is a number: &#39;abc&#39; is not one" in response.get_data(
        as_text=True)


def test_without_a_report_queue_the_admin_page_does_the_run_in_its_request_and_leaves_no_thread_running(
        app, db, client, login_as, schools):
    made = schools(2)
    app.config["REPORTS_BACKEND"] = "local"  # no report queue configured
    login_as("admin")
    threads_before = set(threading.enumerate())
    response = submit(client, "/admin/governor-reports/bulk", {"term": TERM, "tier": "", "urns": ""})
    assert response.status_code == 302
    # Done by the time the page answers, by worker processes: no thread of the web process carries on.
    assert set(threading.enumerate()) == threads_before
    run = db.session.scalars(select(BulkRun)).one()
    assert (run.status, run.total, run.made, run.failed, run.finished_at is not None) == ("finished", 2, 2, 0, True)
    assert run.runner_pid == os.getpid()
    assert _versions_per_school(db) == {s.id: 1 for s in made}


def test_a_second_run_of_the_same_term_waits_for_the_first(app, db, schools, create_user):
    from lea_support.core.errors import DomainError

    schools(1)
    admin = create_user("admin")
    runs.start_bulk_run(admin, term=TERM)
    db.session.commit()
    with pytest.raises(DomainError, match="already in progress"):
        runs.start_bulk_run(admin, term=TERM)
