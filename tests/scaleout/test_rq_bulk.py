"""Bulk generation on RQ workers over Redis: one job per school (or chunk) taken by any worker,
each file written whole under the same name as a local run writes it, the run record kept up to
date for the admin page, and a full disk failing one school without touching its earlier file."""
from __future__ import annotations

import errno
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy import func, select

from lea_support.core import files as core_files
from lea_support.governor_reports.bulk import files as bulk_files
from lea_support.governor_reports.bulk import pool, rq_jobs, runs
from lea_support.governor_reports.models import BulkRun, GovernorReport, GovernorReportVersion
from tests.conftest import submit
from tests.governor_reports.conftest import TERM, read_pdf

BIN = Path(sys.executable).parent


def _worker_env(app: Any) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "LEA_SUPPORT_ENV": "development",
           "ATTACHMENTS_DIR": app.config["ATTACHMENTS_DIR"], "OUTBOX_DIR": app.config["OUTBOX_DIR"]}
    env.pop("FLASK_DEBUG", None)
    return env


def _run_worker(app: Any, args: list[str]) -> subprocess.CompletedProcess[str]:
    # The test's own session lets go of the database (SQLite: of its write lock) while the worker writes.
    from lea_support.extensions import db

    db.session.commit()
    done = subprocess.run(args, env=_worker_env(app), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def work_here(queue: Any) -> None:
    """Run the queue's jobs in this process (the report queue's SimpleWorker, burst mode), so that
    they see the test's patches."""
    from lea_support.governor_reports.rq_worker import ReportSimpleWorker

    with own_signal_handlers():
        ReportSimpleWorker([queue], connection=queue.connection).work(burst=True)


@contextmanager
def own_signal_handlers() -> Iterator[None]:
    """An RQ worker takes Ctrl-C for itself: give it back to pytest afterwards."""
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


def _check_one_pdf_per_school(out: Path, schools: list[Any]) -> None:
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted(bulk_files.report_file_name(s.urn, TERM) for s in schools)  # no partial files, no duplicates
    for school in schools:
        reader, text = read_pdf((out / bulk_files.report_file_name(school.urn, TERM)).read_bytes())
        assert len(reader.pages) == 1 and school.name in text and f"URN {school.urn}" in text


def _versions_per_school(db: Any) -> dict[int, int]:
    return dict(db.session.execute(
        select(GovernorReport.school_id, func.count(GovernorReportVersion.id))
        .join(GovernorReportVersion).where(GovernorReport.term == TERM).group_by(GovernorReport.school_id)).all())


def _run(db: Any) -> BulkRun:
    db.session.rollback()
    return db.session.scalars(select(BulkRun).order_by(BulkRun.id.desc())).first()


def test_the_command_queues_a_job_per_school_that_a_worker_drafts_and_a_second_run_skips_them(
        app, db, schools, report_queue, redis_url, tmp_path):
    made = schools(3)
    out = tmp_path / "shared" / "out"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reports", "generate", "--term", TERM, "--backend", "rq", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (f"0 of 3 already done; 3 queued in 3 jobs on {report_queue.name} at {redis_url}, into {out}"
            in result.output)
    assert report_queue.count == 3
    run = _run(db)
    assert (run.status, run.total, run.done, run.runner_host) == ("queued", 3, 0, f"rq:{report_queue.name}")
    assert not out.exists() or list(out.iterdir()) == []  # nothing is drafted until a worker takes the jobs

    # A worker as production runs it: RQ's forking worker, in the app, from the environment.
    _run_worker(app, [str(BIN / "lea-support"), "reports", "worker", "--burst", "--queue-url", redis_url,
                      "--queue", report_queue.name])
    assert report_queue.count == 0 and report_queue.failed_job_registry.count == 0
    _check_one_pdf_per_school(out, made)
    assert _versions_per_school(db) == {s.id: 1 for s in made}
    run = _run(db)
    assert (run.status, run.total, run.made, run.skipped, run.failed, run.failures) == ("finished", 3, 3, 0, 0, [])
    assert run.finished_at is not None

    # Started again: every school is done, so nothing is queued and the run is finished at once.
    result = runner.invoke(args=["reports", "generate", "--term", TERM, "--backend", "rq", "--out", str(out)])
    assert result.exit_code == 0 and "3 of 3 already done; 0 queued in 0 jobs" in result.output
    assert "Done: 0 made, 3 skipped, 0 failed (of 3)" in result.output
    assert report_queue.count == 0
    assert (_run(db).status, _run(db).skipped) == ("finished", 3)
    _check_one_pdf_per_school(out, made)
    assert _versions_per_school(db) == {s.id: 1 for s in made}


def test_a_run_started_from_the_admin_page_is_planned_and_drafted_by_a_plain_rq_worker(
        app, db, client, login_as, schools, report_queue, redis_url, tmp_path):
    made = schools(2, support_tier="enhanced", mcs_level=2)
    out = tmp_path / "shared" / "reports"
    app.config.update(REPORTS_BACKEND="rq", REPORTS_OUT_DIR=str(out))
    login_as("admin")
    response = submit(client, "/admin/governor-reports/bulk", {"term": TERM, "tier": "enhanced", "urns": ""})
    assert response.status_code == 302
    run_id = _run(db).id
    assert report_queue.count == 1  # the planning job: the web request only records the run
    page = client.get(f"/admin/governor-reports/bulk/{run_id}").get_data(as_text=True)
    assert "Waiting to start" in page and "0 of 2 schools done" in page

    # `rq worker` itself, with no app: the job makes one from the environment. In burst mode it
    # also takes the school jobs the planning job puts on the queue. (With the report queue's worker
    # class, as docs/scale-out.md says, so that it stops without RQ's pub/sub stall.)
    _run_worker(app, [str(BIN / "rq"), "worker", "--burst", "--url", redis_url, "--worker-class",
                      "lea_support.governor_reports.rq_worker.ReportWorker", report_queue.name])
    assert report_queue.failed_job_registry.count == 0
    _check_one_pdf_per_school(out, made)
    page = client.get(f"/admin/governor-reports/bulk/{run_id}").get_data(as_text=True)
    assert "Finished" in page and "2 of 2 schools done" in page
    run = _run(db)
    assert (run.status, run.made, run.failed, run.started_by.role) == ("finished", 2, 0, "admin")


def test_a_run_is_refused_when_the_queue_does_not_answer(app, db, schools):
    schools(1)
    result = app.test_cli_runner().invoke(args=["reports", "generate", "--term", TERM, "--backend", "rq",
                                                "--queue-url", "redis://127.0.0.1:1/0"])
    assert result.exit_code == 1 and "The report queue does not answer (ConnectionError)" in result.output
    run = _run(db)
    assert run.status == "failed" and "does not answer" in run.error  # so a new run is not held up by it


# --- a full disk -------------------------------------------------------------------------------------------


def _disk_fills_up_writing(monkeypatch: pytest.MonkeyPatch, urn: int) -> None:
    """Writing the report file of school `urn` fails part-way with ENOSPC, as on a full disk."""
    real_open = open
    marker = f"-{urn}-"

    class FullDisk:
        def __init__(self, stream: Any) -> None:
            self.stream = stream

        def __enter__(self) -> "FullDisk":
            return self

        def __exit__(self, *exc: Any) -> None:
            self.stream.close()

        def write(self, data: bytes) -> int:
            self.stream.write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def __getattr__(self, name: str) -> Any:
            return getattr(self.stream, name)

    def fake_open(path: Any, mode: str = "r", *args: Any, **kw: Any) -> Any:
        stream = real_open(path, mode, *args, **kw)
        return FullDisk(stream) if "w" in mode and marker in os.fspath(path) else stream

    monkeypatch.setattr(core_files, "open", fake_open, raising=False)


def _generate_with_full_disk(backend: str, app: Any, report_queue: Any, out: Path) -> None:
    runner = app.test_cli_runner()
    if backend == "local":
        result = runner.invoke(args=["reports", "generate", "--term", TERM, "--out", str(out), "--redraft",
                                     "--jobs", "2", "--backend", "local"])
        assert result.exit_code == 1, result.output
        return
    result = runner.invoke(args=["reports", "generate", "--term", TERM, "--out", str(out), "--redraft",
                                 "--backend", "rq", "--chunk-size", "2"])
    assert result.exit_code == 0, result.output
    work_here(report_queue)  # in this process, so that the jobs see the full disk
    assert report_queue.failed_job_registry.count == 0  # a school's failure is an outcome, not a job's


@pytest.mark.parametrize("backend", ["local", "rq"])
def test_a_full_disk_fails_that_school_only_keeping_its_earlier_file_and_leaving_no_temporary_file(
        backend, app, db, schools, request, monkeypatch, tmp_path):
    report_queue = request.getfixturevalue("report_queue") if backend == "rq" else None
    if backend == "local":  # worker processes forked from this one inherit the full disk
        monkeypatch.setattr(pool, "_context", lambda: multiprocessing.get_context("fork"))
    made = schools(3)
    out = tmp_path / "out"
    first = app.test_cli_runner().invoke(args=["reports", "generate", "--term", TERM, "--out", str(out),
                                               "--jobs", "2", "--backend", "local"])
    assert first.exit_code == 0, first.output
    unlucky = made[1]
    earlier = (out / bulk_files.report_file_name(unlucky.urn, TERM)).read_bytes()
    others_before = {s.urn: (out / bulk_files.report_file_name(s.urn, TERM)).stat().st_mtime_ns
                     for s in made if s is not unlucky}

    _disk_fills_up_writing(monkeypatch, unlucky.urn)
    _generate_with_full_disk(backend, app, report_queue, out)

    run = _run(db)
    assert (run.status, run.total, run.made, run.failed) == ("finished", 3, 2, 1)
    [failure] = run.failures
    assert failure["urn"] == unlucky.urn and failure["school"] == unlucky.name
    assert failure["reason"] == (f"the draft is saved but its PDF could not be written to {out}: No space left on "
                                 "device. Run again to write it")
    assert (out / bulk_files.report_file_name(unlucky.urn, TERM)).read_bytes() == earlier  # untouched, still whole
    read_pdf(earlier)
    _check_one_pdf_per_school(out, made)  # and no temporary file left behind
    for school in made:
        if school is not unlucky:  # the others were redrafted and written again
            assert (out / bulk_files.report_file_name(school.urn, TERM)).stat().st_mtime_ns >= others_before[school.urn]

    # With space again, a run writes the missing file from the saved draft.
    monkeypatch.undo()
    (out / bulk_files.report_file_name(unlucky.urn, TERM)).unlink()
    again = app.test_cli_runner().invoke(args=["reports", "generate", "--term", TERM, "--out", str(out)])
    assert again.exit_code == 0 and "1 made, 2 skipped, 0 failed (of 3)" in again.output
    _check_one_pdf_per_school(out, made)
    assert _versions_per_school(db) == {s.id: 1 for s in made}


def test_a_failed_write_removes_its_temporary_file_and_keeps_the_file_it_would_replace(tmp_path, monkeypatch):
    target = tmp_path / bulk_files.report_file_name(990001, TERM)
    target.write_bytes(b"%PDF the earlier report")

    def full_disk(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(core_files.os, "fsync", full_disk)
    with pytest.raises(OSError) as raised:
        core_files.write_atomically(target, b"%PDF the new report")
    assert raised.value.errno == errno.ENOSPC
    assert [p.name for p in tmp_path.iterdir()] == [target.name] and target.read_bytes() == b"%PDF the earlier report"


def test_a_job_that_stops_part_way_counts_the_schools_it_had_not_done_as_failed(app, db, schools, report_queue,
                                                                                  monkeypatch, tmp_path):
    made = schools(2)
    out = tmp_path / "out"
    real_draft = rq_jobs.draft_school
    calls = []

    def worker_lost_on_the_second(app: Any, school_id: int, *args: Any) -> dict[str, Any]:
        calls.append(school_id)
        if len(calls) == 2:
            raise SystemError("the worker lost its way")  # not a school's failure: the job's
        return real_draft(app, school_id, *args)

    monkeypatch.setattr(rq_jobs, "draft_school", worker_lost_on_the_second)
    result = app.test_cli_runner().invoke(args=["reports", "generate", "--term", TERM, "--out", str(out),
                                                "--backend", "rq", "--chunk-size", "2"])
    assert result.exit_code == 0 and "2 queued in 1 job on" in result.output
    work_here(report_queue)
    assert report_queue.failed_job_registry.count == 1
    run = _run(db)
    assert (run.status, run.made, run.failed) == ("finished", 1, 1)
    lost = next(s for s in made if s.id == calls[1])
    assert run.failures == [{"urn": lost.urn, "school": lost.name,
                             "reason": "its worker stopped: SystemError: the worker lost its way"}]
    assert [p.name for p in out.iterdir()] == [bulk_files.report_file_name(s.urn, TERM) for s in made if s is not lost]


def test_a_queued_run_no_worker_moves_on_is_given_up_so_that_a_new_run_can_finish_it(app, db, schools,
                                                                                     create_user):
    from datetime import timedelta

    from lea_support.core.models import utcnow

    schools(1)
    admin = create_user("admin")
    stuck = runs.start_bulk_run(admin, term=TERM)
    stuck.runner_host = "rq:lea-reports"
    stuck.updated_at = utcnow() - runs.STALE_AFTER - timedelta(minutes=1)
    db.session.commit()
    fresh = runs.start_bulk_run(admin, term=TERM)
    db.session.commit()
    db.session.refresh(stuck)
    assert stuck.status == "failed" and fresh.status == "queued"
    assert stuck.error == ("Stopped before it finished (no report worker moved it on for 15 minutes: is "
                           "`lea-support reports worker` running?). Start a new run to finish the rest.")


def test_the_command_follows_a_queued_run_to_its_end_while_a_worker_runs_alongside(app, db, schools, report_queue,
                                                                                    redis_url, tmp_path):
    made = schools(3)
    out = tmp_path / "out"
    db.session.commit()
    worker = subprocess.Popen([str(BIN / "lea-support"), "reports", "worker", "--no-fork"], env={
        **_worker_env(app), "REPORT_QUEUE_URL": redis_url, "REPORT_QUEUE_NAME": report_queue.name},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        result = app.test_cli_runner().invoke(args=["reports", "generate", "--term", TERM, "--backend", "rq",
                                                    "--chunk-size", "2", "--out", str(out), "--wait"])
    finally:
        worker.terminate()  # RQ's warm shutdown: it finishes any job it has, then stops
        _out, errors = worker.communicate(timeout=120)
    assert result.exit_code == 0, result.output + errors
    assert "3 queued in 2 jobs" in result.output
    assert f"Run {_run(db).id} finished: 3 made, 0 skipped, 0 failed (of 3)" in result.output
    _check_one_pdf_per_school(out, made)
    assert worker.returncode == 0, errors


def test_the_admin_page_refuses_a_run_when_the_queue_does_not_answer(app, db, client, login_as, schools):
    schools(1)
    app.config.update(REPORTS_BACKEND="rq", REPORT_QUEUE_URL="redis://127.0.0.1:1/0")
    login_as("admin")
    response = submit(client, "/admin/governor-reports/bulk", {"term": TERM, "tier": "", "urns": ""})
    assert response.status_code == 422
    assert "The report queue does not answer (ConnectionError)" in response.get_data(as_text=True)
    assert _run(db) is None  # nothing recorded: the administrator can try again once Redis is back


@pytest.mark.parametrize("fork", [True, False], ids=["fork", "no-fork"])
def test_a_worker_stops_at_once_even_when_its_command_thread_reads_the_unsubscribe_reply_first(
        app, report_queue, redis_url, monkeypatch, fork):
    """RQ's worker listens for commands on a pub/sub thread that waits up to 60 seconds for a
    message. Stopping, RQ unsubscribes, then stops that thread: when the thread read the reply
    first (about one stop in twenty), it went back to waiting and the worker took a minute to stop.
    Here the reply is always read first."""
    from redis.client import PubSub

    real_unsubscribe = PubSub.unsubscribe

    def unsubscribe_and_let_the_thread_read_the_reply(self: Any, *args: Any, **kw: Any) -> Any:
        sent = real_unsubscribe(self, *args, **kw)
        deadline = time.monotonic() + 5
        while self.subscribed and time.monotonic() < deadline:
            time.sleep(0.01)
        return sent

    monkeypatch.setattr(PubSub, "unsubscribe", unsubscribe_and_let_the_thread_read_the_reply)
    args = ["reports", "worker", "--burst", "--queue-url", redis_url, "--queue", report_queue.name]
    started = time.monotonic()
    with own_signal_handlers():
        result = app.test_cli_runner().invoke(args=args + ([] if fork else ["--no-fork"]))
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started < 30  # not RQ's 60-second wait
