"""A report queue of the test's own on the local Redis (skipped when Redis does not answer), and
schools to draft."""
from __future__ import annotations

import uuid
from typing import Any, Iterator

import pytest

REDIS_URL = "redis://127.0.0.1:6379/14"  # a database number of these tests' own; each test has its own queue in it


@pytest.fixture
def report_queue(app: Any) -> Iterator[Any]:
    """An RQ queue unique to the test, set as the app's report queue; emptied and closed afterwards."""
    from redis import Redis
    from redis.exceptions import RedisError
    from rq import Queue

    connection = Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        connection.ping()
    except RedisError as err:
        connection.close()
        pytest.skip(f"Redis does not answer at {REDIS_URL}: {err}")
    queue = Queue(f"lea-test-{uuid.uuid4().hex}", connection=connection)
    app.config.update(REPORT_QUEUE_URL=REDIS_URL, REPORT_QUEUE_NAME=queue.name)
    try:
        yield queue
    finally:
        job_ids = set(queue.get_job_ids())
        for registry in (queue.finished_job_registry, queue.failed_job_registry, queue.started_job_registry):
            for job_id in registry.get_job_ids():
                job_ids.add(job_id)
                registry.remove(job_id, delete_job=True)
        queue.delete(delete_jobs=True)
        if job_ids:  # RQ keeps each job's results under a key of their own
            connection.delete(*(f"rq:results:{job_id}" for job_id in job_ids))
        connection.close()


@pytest.fixture
def schools(db: Any, create_school: Any) -> Any:
    def make(n: int, **kw: Any) -> list[Any]:
        made = [create_school(name=f"Scale School {i:02d}", **kw) for i in range(n)]
        db.session.commit()
        return made
    return make
