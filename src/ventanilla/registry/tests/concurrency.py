"""Two writers at once, on PostgreSQL: the first holds its transaction open while the second
runs, so a test sees whether the second waits for the first and what it then finds."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

import pytest
from django.db import connection, transaction

T = TypeVar("T")


def second_while_first_holds(first: Callable[[], object], second: Callable[[], T]) -> T:
    """Run `first` on another connection in a transaction left open, then `second` here; the
    first commits half a second later. Returns what `second` returns (or raises what it
    raises): a `second` that conflicts with `first` must wait for that commit."""
    if connection.vendor != "postgresql":
        pytest.skip("two transactions writing at once need PostgreSQL")
    written, release = threading.Event(), threading.Event()

    def run_first_and_hold() -> None:
        try:
            with transaction.atomic():
                first()
                written.set()
                release.wait(10)  # written, not yet committed
        finally:
            connection.close()

    holder = threading.Thread(target=run_first_and_hold)
    holder.start()
    try:
        assert written.wait(10)
        threading.Timer(0.5, release.set).start()
        return second()
    finally:
        release.set()
        holder.join()
