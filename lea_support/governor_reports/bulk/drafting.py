"""Drafting one school's report as a bulk run does it, in a worker process of the local pool or in
an RQ job alike: read the records, render outside any database transaction (SQLite admits one
writer at a time, and a render takes far longer than saving it), save the draft in a short
transaction of its own, then write its file whole. A failure is the school's outcome, never raised."""
from __future__ import annotations

import logging
import os
import resource
import time
import traceback
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select

from ...auth.models import User
from ...core.errors import DomainError
from ...extensions import db
from ...pdf.render import rendering_in_process
from ...schools.models import School
from ..models import GovernorReportVersion
from ..services import latest_version, prepare_draft, report_for, store_draft
from .files import report_file_name, write_report_file
from .runs import school_label

LOGGER = logging.getLogger(__name__)


def draft_school(app: Flask, school_id: int, term: str, out_dir: str | None, actor_id: int | None,
                 redraft: bool) -> dict[str, Any]:
    """Draft one school's report in an app context of its own (so a database session of its own);
    a failure is returned as the outcome, with its reason, never raised."""
    started = time.perf_counter()
    # This is a worker process (or an RQ job) already: it renders itself rather than through a pool.
    with app.app_context(), rendering_in_process():
        try:
            outcome, reason, urn, name = _draft_one(school_id, term, Path(out_dir) if out_dir else None, actor_id,
                                                    redraft)
        except DomainError as err:
            db.session.rollback()
            outcome, reason, urn, name = "failed", err.message, *school_label(school_id)
        except Exception as err:  # one school's failure must not stop the run: it is reported
            db.session.rollback()
            LOGGER.error("Drafting the report of school %s failed:\n%s", school_id, traceback.format_exc())
            outcome, reason, urn, name = "failed", f"{type(err).__name__}: {err}", *school_label(school_id)
        finally:
            db.session.remove()
    return {"school_id": school_id, "urn": urn, "name": name, "outcome": outcome, "reason": reason,
            "seconds": time.perf_counter() - started, "pid": os.getpid(),
            "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}


def _draft_one(school_id: int, term: str, out: Path | None, actor_id: int | None,
               redraft: bool) -> tuple[str, str, int, str]:
    school = db.session.get(School, school_id)
    if school is None:
        raise DomainError("the school no longer exists")
    urn, name = school.urn, school.name
    final = out / report_file_name(urn, term) if out else None
    latest = latest_version(report_for(school, term))
    if latest is not None and (not redraft or latest.status != "draft"):
        # Done already (or checked or published, which a bulk run never redrafts): at most the
        # file is missing, because the run that saved the draft was stopped before writing it.
        if final is not None and not final.exists():
            pdf = db.session.scalar(select(GovernorReportVersion.pdf).where(GovernorReportVersion.id == latest.id))
            db.session.rollback()
            write_report_file(final, pdf)
            return "made", "file written from the saved draft", urn, name
        db.session.rollback()
        return "skipped", "already drafted" if latest.status == "draft" else f"already {latest.status}", urn, name
    prepared = prepare_draft(school, term, render=False)
    db.session.rollback()  # the records are read: let other writers in while the PDF is made
    rendered = prepared.render()
    school = db.session.get(School, school_id)
    assert school is not None
    actor = db.session.get(User, actor_id) if actor_id else None
    store_draft(actor, school, prepared)
    db.session.commit()
    if final is not None:
        write_report_file(final, rendered.data)
    return "made", "", urn, name
