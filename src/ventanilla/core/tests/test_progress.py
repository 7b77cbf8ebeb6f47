"""A long job's progress reads as plain lines in a log and as a bar on a terminal."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator

import pytest
from django.utils import translation

from ventanilla.core.progress import ProgressLines, progress


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # The lines are translated (test_import1_progress.py reads them in Spanish).
    with translation.override("en"):
        yield


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> _Clock:
    fake = _Clock()
    monkeypatch.setattr(time, "monotonic", fake)
    return fake


def test_a_log_gets_a_line_every_half_minute_and_one_at_the_end(clock: _Clock) -> None:
    out = io.StringIO()
    with progress(total=1_000_000, unit="persons", desc="seed 7", stream=out) as shown:
        assert isinstance(shown, ProgressLines)
        clock.now += 10
        shown.update(20_000)
        assert out.getvalue() == ""  # too soon for a line
        clock.now += 50
        shown.update(100_000)
    lines = out.getvalue().splitlines()
    assert lines[0] == "seed 7: 120,000 / 1,000,000 persons (12.0 %), 2,000/s, about 7 min left"
    assert lines[-1].startswith("seed 7: 120,000 / 1,000,000 persons")
    assert "\r" not in out.getvalue()


def test_the_last_line_is_printed_once(clock: _Clock) -> None:
    out = io.StringIO()
    with progress(total=100, unit="rows", desc="file.csv", stream=out) as shown:
        clock.now += 40
        shown.update(60)
        clock.now += 1
        shown.update(40)
    assert out.getvalue().splitlines()[-1].startswith("file.csv: 100 / 100 rows (100.0 %)")
    out = io.StringIO()
    with progress(total=100, unit="rows", desc="file.csv", stream=out) as shown:
        clock.now += 40
        shown.update(100)  # the line says it all: no second one at the end
    assert len(out.getvalue().splitlines()) == 1


def test_a_job_that_ends_before_the_first_line_prints_nothing(clock: _Clock) -> None:
    out = io.StringIO()
    with progress(total=10, unit="rows", desc="file.csv", stream=out) as shown:
        shown.update(10)
    assert out.getvalue() == ""


def test_a_resumed_job_counts_its_rate_from_where_it_resumed(clock: _Clock) -> None:
    out = io.StringIO()
    with progress(total=100, initial=50, unit="rows", desc="file.csv", stream=out) as shown:
        clock.now += 40
        shown.update(40)
    assert (
        out.getvalue().splitlines()[0] == "file.csv: 90 / 100 rows (90.0 %), 1/s, about 10 s left"
    )


def test_an_unknown_total_still_shows_the_count_and_rate(clock: _Clock) -> None:
    out = io.StringIO()
    with progress(total=None, unit="rows", desc="scan", stream=out) as shown:
        clock.now += 31
        shown.update(3100)
    assert out.getvalue().splitlines()[0] == "scan: 3,100 rows, 100/s"


def test_asked_for_nothing_shows_nothing() -> None:
    out = io.StringIO()
    with progress(total=5, unit="rows", desc="quiet", stream=out, show=False) as shown:
        shown.update(5)
    assert out.getvalue() == ""


def test_asked_for_a_bar_draws_one() -> None:
    out = io.StringIO()
    with progress(total=5, unit="rows", desc="bar", stream=out, show=True) as shown:
        shown.update(5)
    assert "bar: 100%" in out.getvalue()
