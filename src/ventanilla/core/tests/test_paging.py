"""Paging a log newest first by the time of writing: every row is reached exactly once, in
order, forwards and back, however the times tie or run against the IDs."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ventanilla.core.models import AccessKind, AccessLogEntry
from ventanilla.core.paging import Cursor, newest_first

START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _log(offsets: list[int]) -> list[AccessLogEntry]:
    """Rows written in this order, at these minutes after START (equal or decreasing minutes
    stand for rows appended again after a rollback, with the time of the first attempt)."""
    purpose = uuid.uuid4().hex[:20]
    return [
        AccessLogEntry.objects.create(
            at=START + dt.timedelta(minutes=minute),
            kind=AccessKind.READ,
            purpose=purpose,
            prev_hash="0" * 64,
            entry_hash=uuid.uuid4().hex * 2,
        )
        for minute in offsets
    ]


@pytest.mark.django_db
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    offsets=st.lists(st.integers(min_value=0, max_value=6), min_size=0, max_size=14),
    limit=st.integers(min_value=1, max_value=5),
)
def test_paging_reaches_every_row_once_in_time_order(offsets: list[int], limit: int) -> None:
    written = _log(offsets)
    rows = AccessLogEntry.objects.filter(purpose=written[0].purpose) if written else None
    if rows is None:
        return
    expected = [e.pk for e in sorted(written, key=lambda e: (e.at, e.pk), reverse=True)]

    pages = [newest_first(rows, Cursor(), by="at", limit=limit)]
    while pages[-1].older is not None:
        pages.append(newest_first(rows, Cursor(before=pages[-1].older), by="at", limit=limit))
    assert [e.pk for page in pages for e in page.rows] == expected
    assert pages[0].newer is None and all(p.newer is not None for p in pages[1:])

    # Back from the oldest page, each newer page is the one seen on the way down.
    back = pages[-1]
    for seen in reversed(pages[:-1]):
        assert back.newer is not None
        back = newest_first(rows, Cursor(after=back.newer), by="at", limit=limit)
        assert [e.pk for e in back.rows] == [e.pk for e in seen.rows]


@pytest.mark.django_db
def test_a_cursor_naming_no_row_shows_the_newest() -> None:
    written = _log([0, 1, 2])
    rows = AccessLogEntry.objects.filter(purpose=written[0].purpose)
    page = newest_first(rows, Cursor(before=10**15), by="at", limit=2)
    assert [e.pk for e in page.rows] == [written[2].pk, written[1].pk]
    assert page.newer is None
