"""The bulk writer's second thread commits a prefix of the batches: after a failed batch, no
batch queued behind it runs, even once the caller has taken the error. A legacy import
resumes from the rows committed, so a later batch committed without the failed one would
have left the failed one's rows out for good."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from ventanilla.registry import bulk


def _submit_until_refused(pipeline: bulk.WritePipeline, job: Callable[[], None]) -> None:
    """Submit `job` until a submission raises the error of a batch before it."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        pipeline.submit(job)
        time.sleep(0.01)


def test_no_batch_queued_behind_a_failed_one_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[str] = []
    taken = threading.Event()  # the caller has taken the first batch's error

    def first() -> None:
        ran.append("first")
        raise OSError("disk full")

    def second() -> None:
        ran.append("second")

    class HoldingSecond(queue.Queue[Any]):
        """Hands `second` to the writer only once the caller has taken the error: the order
        the two threads met in when the import lost a batch."""

        def get(self, block: bool = True, timeout: float | None = None) -> Any:
            job = super().get(block, timeout)
            if job is second:
                assert taken.wait(10)
            return job

    monkeypatch.setattr(queue, "Queue", HoldingSecond)  # the pipeline makes its queue next
    pipeline = bulk.WritePipeline(enabled=True)
    pipeline.submit(first)
    pipeline.submit(second)  # queued while the first is written
    with pytest.raises(OSError, match="disk full"):
        _submit_until_refused(pipeline, lambda: ran.append("third"))
    taken.set()
    pipeline.close()  # the error was taken: nothing more to raise
    assert ran == ["first"]


def test_batches_run_in_order_when_none_fails() -> None:
    ran: list[int] = []
    with bulk.WritePipeline(enabled=True) as pipeline:
        for n in range(20):
            pipeline.submit(lambda n=n: ran.append(n))  # type: ignore[misc]
    assert ran == list(range(20))
