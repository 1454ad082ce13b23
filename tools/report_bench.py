"""Figures for `make bench` (scripts/bench.py calls `bench_reports(app)`): how long one governor
report takes to render (a light-touch one-page summary and a significant-support full report),
how long bulk generation of `n` reports takes on `jobs` worker processes, and each worker's peak
memory.

It brings its own schools: `n` fictional ones (URNs from BENCH_START_URN, LA code 999) with a
term's records (support decisions, notes of visit, agreed plans with actions completed and adviser
time used), so that the figures do not depend on what else the database holds. Schools already
there from an earlier call are reused, and their drafts made again (`--redraft`), so a second call
measures the same work. The PDFs go to a temporary folder.
"""
from __future__ import annotations

import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from lea_support.extensions import db

BENCH_START_URN = 900001
TERM = "autumn-2026"
BULK_TARGET_S = 150.0  # issue 6: our measured floor for a comparable 6-page report is about 185 s
RENDER_REPEATS = 7


def bench_reports(app: Flask, *, n: int = 600, jobs: int = 2) -> dict[str, Any]:
    """Median render time of a one-page and of a full report; bulk generation of `n` reports on
    `jobs` processes (seconds, and per report); peak memory per worker (ru_maxrss, MB)."""
    with app.app_context():
        urns = _seed(n)
        db.session.commit()
        renders = _render_times()
        db.session.commit()
        bulk = _bulk(urns, jobs)
    return {**renders, **bulk}


def _seed(n: int) -> list[int]:
    """The URNs of `n` open bench schools, making the schools and their term of records the first time."""
    from lea_support.casework.models import NoteOfVisit
    from lea_support.rap.models import ActionUpdate, MidpointReview, PlanAction, PlanObjective, RaisingAchievementPlan
    from lea_support.schools.models import School
    from tools.bench_data import _bulk_insert, _note_row, bench_users, seed_plans, seed_schools

    made = n + n // 19 + 1  # one school in twenty is closed
    bench = (School.urn >= BENCH_START_URN) & (School.urn < BENCH_START_URN + made)
    have = list(db.session.scalars(select(School.urn).where(bench, School.status != "Closed").order_by(School.urn)))
    if len(have) >= n:
        return have[:n]
    seed_schools(made, seed=6, start_urn=BENCH_START_URN)
    rows = db.session.execute(select(School.id, School.support_tier, School.link_adviser_id).where(bench)).all()
    *advisers, sia = bench_users()
    rng = random.Random(6)
    notes = []
    for school_id, _tier, adviser_id in rows:
        for day in (date(2026, 10, 5) + timedelta(days=rng.randrange(20)), date(2026, 11, 16)):
            notes.append(_note_row(school_id, adviser_id or advisers[0], day, "finalised", rng))
        notes.append(_note_row(school_id, adviser_id or advisers[0], date(2027, 1, 12), "planned", rng))
    _bulk_insert(NoteOfVisit, notes)
    significant = [r[0] for r in rows if r[1] == "significant"]
    seed_plans(significant, seed=6, today=date(2026, 12, 1))
    # Actions completed this term, and mid-point reviews held with their outcome.
    done = db.session.execute(
        select(PlanAction.id, RaisingAchievementPlan.school_id)
        .join(PlanObjective, PlanObjective.id == PlanAction.objective_id)
        .join(RaisingAchievementPlan, RaisingAchievementPlan.id == PlanObjective.plan_id)
        .where(RaisingAchievementPlan.school_id.in_(significant), PlanAction.status == "done")).all()
    _bulk_insert(ActionUpdate, [{"action_id": a, "school_id": s, "updated_by_id": sia, "status_from": "in_progress",
                                 "status_to": "done", "note": "Completed",
                                 "updated_at": datetime(2026, 11, 1, 12, tzinfo=UTC) + timedelta(days=a % 30)}
                                for a, s in done])
    for review in db.session.scalars(select(MidpointReview).where(MidpointReview.school_id.in_(significant))):
        if review.scheduled_on <= date(2026, 12, 1):
            review.held_on, review.outcome = review.scheduled_on, "continue"
            review.further_review_on = review.scheduled_on + timedelta(weeks=12)
            review.adequate_improvement, review.summary = True, "Progress in reading; writing needs more time."
    db.session.flush()
    return list(db.session.scalars(select(School.urn).where(bench, School.status != "Closed")
                                   .order_by(School.urn)))[:n]


def _render_times() -> dict[str, Any]:
    from lea_support.governor_reports.content import governor_report_content
    from lea_support.governor_reports.services import render_governor_report
    from lea_support.rap.models import RaisingAchievementPlan
    from lea_support.schools.models import School

    light = db.session.scalars(select(School).where(School.urn >= BENCH_START_URN, School.status != "Closed",
                                                    School.support_tier == "light_touch").order_by(School.urn)).first()
    full = db.session.scalars(select(School).join(RaisingAchievementPlan, RaisingAchievementPlan.school_id == School.id)
                              .where(School.urn >= BENCH_START_URN, School.support_tier == "significant")
                              .order_by(School.urn)).first()
    figures: dict[str, Any] = {}
    for label, school in (("one_page", light), ("full", full)):
        if school is None:
            continue
        content = governor_report_content(school, TERM, today=date(2026, 12, 18))
        times, pages = [], 0
        for _ in range(RENDER_REPEATS + 1):
            started = time.perf_counter()
            pages = render_governor_report(content, version=1, status="draft").pages
            times.append(time.perf_counter() - started)
        figures[f"render_{label}_median_s"] = statistics.median(times[1:])  # the first warms the fonts
        figures[f"render_{label}_pages"] = pages
    return figures


def _bulk(urns: list[int], jobs: int) -> dict[str, Any]:
    from lea_support.governor_reports.bulk.pool import execute_bulk_run
    from lea_support.governor_reports.bulk.runs import start_bulk_run

    run = start_bulk_run(None, term=TERM, urns=urns, jobs=jobs)
    db.session.commit()
    with tempfile.TemporaryDirectory(prefix="lea-bench-reports-") as out:
        summary = execute_bulk_run(run.id, out_dir=out, redraft=True)
    peaks = sorted(summary.worker_maxrss_kb.values())
    return {
        "bulk_reports": summary.total,
        "bulk_jobs": jobs,
        "bulk_seconds": summary.seconds,
        "bulk_made": summary.made,
        "bulk_failed": summary.failed,
        "bulk_failures": summary.failures[:5],
        "bulk_seconds_per_report": summary.seconds / summary.total if summary.total else None,
        "bulk_worker_median_s_per_report": statistics.median(summary.render_seconds) if summary.render_seconds else None,
        "bulk_target_s": BULK_TARGET_S,
        "bulk_within_target": summary.seconds < BULK_TARGET_S * summary.total / 600 if summary.total else None,
        "worker_peak_rss_mb": round(peaks[-1] / 1024, 1) if peaks else None,
        "worker_peak_rss_mb_each": [round(p / 1024, 1) for p in peaks],
    }
