"""A report queue of the test's own on the local Redis (skipped when Redis does not answer), and
schools to draft."""
from __future__ import annotations

import os
import uuid
from typing import Any, Iterator

import pytest

REDIS_SERVER = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
# Database 0 holds only the claims; the others are handed out, one to each test process.
REDIS_DATABASES = range(1, 16)
CLAIM_SECONDS = 2 * 60 * 60


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A Redis database of this test process's own, so that two runs of the suite on one machine
    (and the xdist workers of one run) never see each other's queues: claimed atomically (SET NX)
    in database 0, released at the end. Skips the test when Redis does not answer."""
    from redis import Redis
    from redis.exceptions import RedisError

    claims = Redis.from_url(f"{REDIS_SERVER}/0", socket_connect_timeout=2)
    owner = f"{os.getpid()}-{uuid.uuid4().hex}"
    try:
        number = next((n for n in REDIS_DATABASES
                       if claims.set(f"lea-support-tests:db:{n}", owner, nx=True, ex=CLAIM_SECONDS)), None)
    except RedisError as err:
        claims.close()
        pytest.skip(f"Redis does not answer at {REDIS_SERVER}: {err}")
    if number is None:
        claims.close()
        pytest.fail(f"Every Redis database at {REDIS_SERVER} is claimed by other test runs")
    try:
        yield f"{REDIS_SERVER}/{number}"
    finally:
        if claims.get(f"lea-support-tests:db:{number}") == owner.encode():
            claims.delete(f"lea-support-tests:db:{number}")
        claims.close()


@pytest.fixture
def report_queue(app: Any, redis_url: str) -> Iterator[Any]:
    """An RQ queue unique to the test, set as the app's report queue; emptied and closed afterwards."""
    from redis import Redis
    from redis.exceptions import RedisError
    from rq import Queue

    connection = Redis.from_url(redis_url, socket_connect_timeout=2)
    try:
        connection.ping()
    except RedisError as err:
        connection.close()
        pytest.skip(f"Redis does not answer at {redis_url}: {err}")
    queue = Queue(f"lea-test-{uuid.uuid4().hex}", connection=connection)
    app.config.update(REPORT_QUEUE_URL=redis_url, REPORT_QUEUE_NAME=queue.name)
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
