"""RQ's workers for the report queue, less a minute's stall when they stop.

An RQ worker listens for commands (stop a job, shut down) on a pub/sub thread that waits up to
60 seconds for a message. When the worker stops (the end of a `--burst`, or a warm shutdown on
SIGTERM) RQ unsubscribes and then tells the thread to stop. If the thread reads the reply to the
unsubscribe before it has been told to stop, it goes back to waiting, now for a subscription
that never comes, for the full 60 seconds, and redis-py 8's `stop()` waits for it: about one
stop in twenty took a minute. These workers tell the thread to stop first, so that the reply to
the unsubscribe is the message that ends it.

`lea-support reports worker` runs them; RQ's own command takes them with
`rq worker -w lea_support.governor_reports.rq_worker.ReportWorker`.
"""
from __future__ import annotations

from typing import Any

from rq import SimpleWorker, Worker


class _StopsItsCommandThreadFirst:
    pubsub_thread: Any

    def unsubscribe(self) -> None:
        thread = self.pubsub_thread
        if thread is not None:
            try:
                thread.stop(timeout=0)  # redis-py 8: clear the thread's running flag, wait no time
            except TypeError:  # older redis-py: stop() only clears the flag, and takes no timeout
                thread.stop()
        super().unsubscribe()  # type: ignore[misc]  # RQ's: unsubscribe, stop the thread, close


class ReportWorker(_StopsItsCommandThreadFirst, Worker):
    """RQ's forking worker: each job in a child process of its own."""


class ReportSimpleWorker(_StopsItsCommandThreadFirst, SimpleWorker):
    """RQ's worker that runs each job in the worker's own process (`--no-fork`)."""
