"""A legacy file with broken quoting or oversized rows: every line is read or reported, none is
dropped silently, and an interrupted import resumes where it stopped (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from ventanilla.core.models import Jurisdiction
from ventanilla.core.profiles import CountryProfile
from ventanilla.registry.legacy import (
    BIRTH_COLUMNS,
    RawRecord,
    import_legacy_file,
    parse_record,
    read_records,
)
from ventanilla.registry.models import ImportRun, Person
from ventanilla.registry.tests.test_legacy_import import Row, _birth, _rejections

HEADER = ",".join(BIRTH_COLUMNS).encode() + b"\n"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _line(row: Row) -> bytes:
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerow([row[c] for c in BIRTH_COLUMNS])
    return text.getvalue().encode("utf-8")


def _good(profile: CountryProfile, prefix: str, count: int) -> list[Row]:
    return [
        _birth(profile, f"{prefix}{i}", i % 4, registered_on="2024-01-01") for i in range(count)
    ]


def _imported() -> set[str]:
    return set(Person.objects.values_list("source_reference", flat=True))


def test_a_quote_inside_a_name_costs_that_row_only(
    profile: CountryProfile, offices: dict[str, Jurisdiction], tmp_path: Path
) -> None:
    stray = _line(_birth(profile, "T1", 0, first_surname="QQQ")).replace(b"QQQ", b'Paz 5" Sol')
    assert stray.count(b'"') == 1
    good = _good(profile, "T", 11)[1:]
    path = tmp_path / "stray.csv"
    path.write_bytes(HEADER + stray + b"".join(_line(r) for r in good))
    out = io.StringIO()
    call_command("import_legacy", str(path), "--event-type", "birth", stdout=out)
    run = ImportRun.objects.get()
    # The quote is a character of that cell, refused by the name rules; the rows after it are
    # read as rows.
    assert _rejections(run) == {(2, "first_surname", "invalid_characters")}
    assert _imported() == {f"LEG-{r['legacy_id']}" for r in good}
    assert (run.rows_done, run.rows_imported, run.rows_rejected, run.finished) == (11, 10, 1, True)


def test_a_quote_that_never_closes_costs_its_own_row_and_the_rows_after_it_are_imported(
    profile: CountryProfile, offices: dict[str, Jurisdiction], tmp_path: Path
) -> None:
    opened = _line(_birth(profile, "T1", 0)).replace(b"T1,", b'T1,"', 1)
    good = _good(profile, "T", 11)[1:]
    good[4]["given_names"] = "Ana\nMaría"  # quoted in the file: the stray quote ends there
    path = tmp_path / "open.csv"
    path.write_bytes(HEADER + opened + b"".join(_line(r) for r in good))
    outcome = import_legacy_file(path, "birth")
    assert _rejections(outcome.run) == {(2, "", "csv_format")}
    assert _imported() == {f"LEG-{r['legacy_id']}" for r in good}
    assert (outcome.imported, outcome.rejected) == (10, 1)


LONG_NAME = "Ana María de los Ángeles\n"  # 27 bytes


def test_an_oversized_field_over_many_lines_is_one_rejected_row(
    profile: CountryProfile, offices: dict[str, Jurisdiction], tmp_path: Path
) -> None:
    huge = _birth(profile, "G1", 0, given_names=LONG_NAME * 450 + "Ana")  # 12 KiB, 451 lines
    good = _good(profile, "G", 11)[1:]
    path = tmp_path / "huge.csv"
    path.write_bytes(HEADER + _line(huge) + b"".join(_line(r) for r in good))
    outcome = import_legacy_file(path, "birth")
    assert _rejections(outcome.run) == {(2, "given_names", "row_too_large")}
    assert _imported() == {f"LEG-{r['legacy_id']}" for r in good}
    assert outcome.run.rows_done == 11


def test_every_line_of_an_unreadable_stretch_is_reported(
    profile: CountryProfile, offices: dict[str, Jurisdiction], tmp_path: Path
) -> None:
    # A field of 70 KiB: past what the reader keeps, so where its record ends is not known.
    giant = _line(_birth(profile, "H1", 0, given_names=LONG_NAME * 2600 + "Ana"))
    good = _good(profile, "H", 4)[1:]
    path = tmp_path / "giant.csv"
    path.write_bytes(HEADER + giant + b"".join(_line(r) for r in good))
    outcome = import_legacy_file(path, "birth")
    lines = giant.count(b"\n")
    expected = {(2, "", "row_too_large")}
    expected |= {(n, "", "line_skipped") for n in range(3, 2 + lines)}
    assert _rejections(outcome.run) == expected
    assert _imported() == {f"LEG-{r['legacy_id']}" for r in good}
    assert outcome.run.rows_done == lines + 3


class _Broken:
    """Good rows around a stray quote, an oversized field and an unreadable stretch."""

    def __init__(self, profile: CountryProfile) -> None:
        good = _good(profile, "R", 14)
        self.persons = {f"LEG-{r['legacy_id']}" for r in good}
        opened = _line(_birth(profile, "X1", 0)).replace(b"X1,", b'X1,"', 1)
        big = _line(_birth(profile, "X2", 1, given_names=LONG_NAME * 450 + "Ana"))
        giant = _line(_birth(profile, "X3", 2, given_names=LONG_NAME * 2600 + "Ana"))
        parts = [
            *map(_line, good[:3]),
            opened,  # the quote swallows the next rows, up to a quoted field
            *map(_line, good[3:6]),
            b"\n",
            big,
            *map(_line, good[6:9]),
            giant,
            *map(_line, good[9:]),
        ]
        starts = [2]
        for part in parts:
            starts.append(starts[-1] + part.count(b"\n"))
        self.data = HEADER + b"".join(parts)
        self.big_line = starts[8]
        giant_line = starts[12]
        self.expected = {
            (starts[3], "", "csv_format"),
            (self.big_line, "given_names", "row_too_large"),
            (giant_line, "", "row_too_large"),
        }
        self.expected |= {(n, "", "line_skipped") for n in range(giant_line + 1, starts[13])}
        self.records = len(good) + 3 + (starts[13] - giant_line - 1)


def test_an_import_stopped_anywhere_in_a_broken_file_resumes_to_the_same_result(
    profile: CountryProfile, offices: dict[str, Jurisdiction], tmp_path: Path
) -> None:
    broken = _Broken(profile)
    path = tmp_path / "broken.csv"
    path.write_bytes(broken.data)
    # Stopped every few rows, the batch boundaries falling inside the skipped stretch too.
    import_legacy_file(path, "birth", batch_size=3, stop_after=10)
    run = ImportRun.objects.get()
    assert (run.rows_done, run.finished) == (12, False)
    for stop in (15, 19, 1000, 2000):
        import_legacy_file(path, "birth", batch_size=3, stop_after=stop)
        run.refresh_from_db()
        assert not run.finished
    outcome = import_legacy_file(path, "birth", batch_size=500)
    run.refresh_from_db()
    assert (run.rows_done, run.finished) == (broken.records, True)
    assert _imported() == broken.persons
    assert _rejections(run) == broken.expected
    assert (run.rows_imported, run.rows_rejected) == (len(broken.persons), len(broken.expected))
    assert not outcome.already_finished
    assert import_legacy_file(path, "birth").already_finished


def _records(data: bytes) -> list[RawRecord]:
    return list(read_records(io.BytesIO(data)))


def test_reading_the_broken_file_accounts_for_every_line(profile: CountryProfile) -> None:
    broken = _Broken(profile)
    records = _records(broken.data)
    assert len(records) == broken.records + 1  # and the header
    refused = {r.line for r in records if r.error}
    assert refused == {row for row, _f, _c in broken.expected} - {broken.big_line}
    _assert_every_line_is_accounted_for(broken.data, records)


def _assert_every_line_is_accounted_for(data: bytes, records: Sequence[RawRecord]) -> None:
    """Each non-blank line starts a record, lies within one read whole, or is reported."""
    covered: set[int] = set()
    for record in records:
        span = record.data.count(b"\n") + 1 if record.data else 1
        lines = set(range(record.line, record.line + span))
        assert not lines & covered, record.line
        covered |= lines
    physical = data.split(b"\n")
    if physical and physical[-1] == b"":
        physical.pop()
    non_blank = {n for n, line in enumerate(physical, start=1) if line.strip(b"\r")}
    assert non_blank <= covered
    assert [r.line for r in records] == sorted(r.line for r in records)


_ROW = b"R%d,Ana,Paz,Sol,F,1990-01-01,09,09015,,,,1990-02-01,\n"
_PIECES = st.sampled_from(
    [
        b'"',
        b'""',
        b'","',
        b",",
        b"\n",
        b"\r\n",
        b"x",
        b'Ana "la" Paz',
        b'"Ana\nPaz"',
        b"\xff",
        b"\x00",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    chunks=st.lists(
        st.one_of(
            st.integers(min_value=0, max_value=99).map(lambda i: ("row", i)),
            st.lists(_PIECES, min_size=1, max_size=6).map(lambda p: ("junk", b"".join(p))),
        ),
        max_size=25,
    )
)
def test_no_good_row_is_ever_lost_whatever_surrounds_it(
    chunks: list[tuple[str, int | bytes]],
) -> None:
    data = HEADER
    good: dict[int, bytes] = {}
    for kind, value in chunks:
        if kind == "row":
            assert isinstance(value, int)
            if not data.endswith(b"\n"):
                data += b"\n"
            good[data.count(b"\n") + 1] = _ROW % value
            data += _ROW % value
        else:
            assert isinstance(value, bytes)
            data += value
    records = _records(data)
    _assert_every_line_is_accounted_for(data, records)
    by_line = {r.line: r for r in records}
    for line, raw in good.items():
        # A good row is read as itself (and not swallowed by the junk around it).
        record = by_line.get(line)
        assert record is not None, (line, data)
        cells = parse_record(record, len(BIRTH_COLUMNS))
        assert cells == next(csv.reader([raw.decode()])), (line, data)


@pytest.mark.django_db(transaction=True)
def test_the_threaded_writer_resumes_a_broken_file_to_the_same_result(
    profile: CountryProfile, offices: dict[str, Jurisdiction], tmp_path: Path
) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the threaded writer runs on PostgreSQL only")
    broken = _Broken(profile)
    path = tmp_path / "broken.csv"
    path.write_bytes(broken.data)
    for stop in (10, 1000):
        import_legacy_file(path, "birth", batch_size=3, stop_after=stop, pipeline=True)
    run = ImportRun.objects.get()
    assert not run.finished
    import_legacy_file(path, "birth", batch_size=7, pipeline=True)
    run.refresh_from_db()
    assert (run.rows_done, run.finished) == (broken.records, True)
    assert _imported() == broken.persons
    assert _rejections(run) == broken.expected
