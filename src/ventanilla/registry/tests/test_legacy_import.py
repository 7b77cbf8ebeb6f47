"""Migrating a legacy register from CSV, as the ministry's data team lives it."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.kr import rrn as stdnum_rrn

from ventanilla.core.country import current_profile
from ventanilla.core.models import Jurisdiction
from ventanilla.core.profiles import CountryProfile, demo_municipalities
from ventanilla.registry import legacy
from ventanilla.registry.dedup import match_record_for_person, match_records, parent_names
from ventanilla.registry.idschemes import IdSubject, get_scheme
from ventanilla.registry.legacy import (
    BIRTH_COLUMNS,
    DEATH_COLUMNS,
    BirthRow,
    DeathRow,
    RawRecord,
    RowError,
    ValidationContext,
    import_legacy_file,
    parse_record,
    validate_row,
)
from ventanilla.registry.matching import blocking_keys
from ventanilla.registry.models import (
    ImportRejection,
    ImportRun,
    ParentLink,
    Person,
    PersonMatchKey,
)

DATA: dict[str, dict[str, Any]] = {
    "mx": {
        "state": "09",
        "municipality": "09015",
        "people": [
            ("Ana Sofía", "Ramírez", "Núñez", "F", "1980-05-01"),
            ("Juan Pablo", "Peña", "O'Farrill", "M", "1978-03-02"),
            ("Ximena", "Peña", "Ramírez", "F", "2010-07-08"),
            ("José Ángel", "Muñoz", "de la Cruz", "M", "1995-12-24"),
        ],
    },
    "kr": {
        "state": "11",
        "municipality": "11110",
        "people": [
            ("서연", "김", "", "F", "1980-05-01"),
            ("민준", "이", "", "M", "1978-03-02"),
            ("지우", "이", "", "F", "2010-07-08"),
            ("도윤", "최", "", "M", "1995-12-24"),
        ],
    },
}

Row = dict[str, str]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in English, whatever the profile's language."""
    with translation.override("en"):
        yield


def _birth(profile: CountryProfile, legacy_id: str, index: int, **overrides: str) -> Row:
    d = DATA[profile.code]
    given, first, second, sex, born = d["people"][index % len(d["people"])]
    row = {
        "legacy_id": legacy_id,
        "given_names": given,
        "first_surname": first,
        "second_surname": second,
        "sex": sex,
        "birth_date": born,
        "birth_state": d["state"],
        "birth_municipality": d["municipality"],
        "national_id": "",
        "mother_legacy_id": "",
        "father_legacy_id": "",
        "registered_on": (dt.date.fromisoformat(born) + dt.timedelta(days=20)).isoformat(),
        "office_code": "",
    }
    row.update(overrides)
    return row


def _death(profile: CountryProfile, legacy_id: str, person: str, died: str, **kw: str) -> Row:
    d = DATA[profile.code]
    row = {
        "legacy_id": legacy_id,
        "person_legacy_id": person,
        "death_date": died,
        "death_state": d["state"],
        "death_municipality": d["municipality"],
        "registered_on": died,
        "office_code": "",
    }
    row.update(kw)
    return row


def _write(path: Path, rows: Sequence[Row | bytes], columns: Sequence[str] = BIRTH_COLUMNS) -> Path:
    out = io.BytesIO()
    out.write((",".join(columns) + "\n").encode())
    for row in rows:
        if isinstance(row, bytes):
            out.write(row + b"\n")
            continue
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerow([row[c] for c in columns])
        out.write(text.getvalue().encode("utf-8"))
    path.write_bytes(out.getvalue())
    return path


def _family(profile: CountryProfile) -> list[Row]:
    return [
        _birth(profile, "M-1", 0),
        _birth(profile, "F-1", 1),
        _birth(profile, "C-1", 2, mother_legacy_id="M-1", father_legacy_id="F-1"),
    ]


def _rejections(run: ImportRun) -> set[tuple[int, str, str]]:
    return set(ImportRejection.objects.filter(run=run).values_list("row_number", "field", "error"))


def _valid_id(profile: CountryProfile, row: Row) -> str:
    scheme = get_scheme(profile.id_scheme)
    subject = IdSubject(
        given_names=row["given_names"],
        first_surname=row["first_surname"],
        second_surname=row["second_surname"],
        birth_date=dt.date.fromisoformat(row["birth_date"]),
        sex=row["sex"],
        birth_state=profile.state(row["birth_state"]).id_code,
    )
    return scheme.propose(subject, 7)


def test_a_good_file_creates_persons_with_valid_ids_and_exact_names(
    profile: CountryProfile, offices: dict[str, Jurisdiction], tmp_path: Path
) -> None:
    rows = _family(profile)
    rows[2]["office_code"] = offices["a"].code
    path = _write(tmp_path / "births.csv", rows)
    out = io.StringIO()
    call_command("import_legacy", str(path), "--event-type", "birth", stdout=out)
    assert "3 imported" in out.getvalue()
    scheme = get_scheme(profile.id_scheme)
    for row in rows:
        person = Person.objects.get(source_reference=f"LEG-{row['legacy_id']}")
        assert person.national_id is not None and scheme.is_valid(person.national_id)
        # Accents, ñ, apostrophes and Hangul are kept exactly as written.
        assert (person.given_names, person.first_surname, person.second_surname) == (
            row["given_names"],
            row["first_surname"],
            row["second_surname"],
        )
        assert person.birth_date == dt.date.fromisoformat(row["birth_date"])
        assert person.jurisdiction == offices["a"]
        assert person.source == "import"
    child = Person.objects.get(source_reference="LEG-C-1")
    assert ParentLink.objects.filter(child=child).count() == 2
    persons = list(Person.objects.select_related("birth_place"))
    parents = parent_names([str(p.pk) for p in persons])
    for p in persons:
        keys = set(PersonMatchKey.objects.filter(person=p).values_list("key", flat=True))
        assert keys == blocking_keys(match_record_for_person(p, *parents.get(str(p.pk), ("", ""))))


def test_a_national_id_in_the_file_is_checked_and_kept(
    profile: CountryProfile, offices: dict[str, Jurisdiction], tmp_path: Path
) -> None:
    row = _birth(profile, "X-1", 3)
    row["national_id"] = _valid_id(profile, row)
    outcome = import_legacy_file(_write(tmp_path / "ids.csv", [row]), "birth")
    assert outcome.imported == 1
    assert Person.objects.get(source_reference="LEG-X-1").national_id == row["national_id"]


def test_a_korean_number_issued_since_october_2020_is_kept_without_a_check_digit(
    profile: CountryProfile, offices: dict[str, Jurisdiction], tmp_path: Path
) -> None:
    if profile.code != "kr":
        pytest.skip("Korean resident registration numbers only")
    # A genuine number of a girl born in 2021: six random digits, the last no check digit.
    row = _birth(
        profile,
        "RRN-2021",
        2,
        birth_date="2021-03-04",
        registered_on="2021-03-10",
        national_id="210304-4987651",
    )
    assert not stdnum_rrn.is_valid(row["national_id"])
    outcome = import_legacy_file(_write(tmp_path / "rrn.csv", [row]), "birth")
    assert outcome.imported == 1, list(ImportRejection.objects.values("field", "error"))
    person = Person.objects.get(source_reference="LEG-RRN-2021")
    assert person.national_id == "2103044987651"


def test_bad_rows_are_reported_with_row_field_and_code_and_nothing_of_them_is_written(
    profile: CountryProfile, offices: dict[str, Jurisdiction], tmp_path: Path
) -> None:
    good = _birth(profile, "OK-1", 0)
    bad_id = _birth(profile, "B-2", 1)
    valid = _valid_id(profile, bad_id)
    bad_id["national_id"] = valid[:-1] + str((int(valid[-1]) + 1) % 10)
    too_long = _birth(profile, "B-5", 0, given_names="A" * 10_000)
    short = b"B-6,Ana,Solo"
    latin1 = ",".join(_birth(profile, "B-7", 0).values()).encode("utf-8") + b"\xe9\xff"
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    rows: list[Row | bytes] = [
        good,  # line 2
        bad_id,  # line 3
        _birth(profile, "B-3", 0, birth_date=future),  # line 4
        _birth(profile, "B-4", 0, birth_state="99"),  # line 5
        too_long,  # line 6
        short,  # line 7
        latin1,  # line 8
        _birth(profile, "B-9", 0, birth_date="2001-02-30"),  # line 9
        _birth(profile, "B-10", 0, sex="Z"),  # line 10
        _birth(profile, "B-11", 2, mother_legacy_id="NOBODY"),  # line 11
        _birth(profile, "B-12", 0, given_names="R2-D2"),  # line 12
        _birth(profile, "B-13", 0, registered_on="1970-01-01"),  # line 13
        _birth(profile, "OK-2", 3),  # line 14
    ]
    expected = {
        (3, "national_id", "invalid_national_id"),
        (4, "birth_date", "future_date"),
        (5, "birth_state", "unknown_state"),
        (6, "given_names", "row_too_large"),
        (7, "", "column_count"),
        (8, "", "encoding"),
        (9, "birth_date", "invalid_date"),
        (10, "sex", "invalid_choice"),
        (11, "mother_legacy_id", "unknown_parent"),
        (12, "given_names", "invalid_characters"),
        (13, "registered_on", "registered_before_event"),
    }
    if profile.code == "kr":
        rows.append(_birth(profile, "B-15", 0, second_surname="박"))  # line 15
        expected.add((15, "second_surname", "not_used"))
    path = _write(tmp_path / "bad.csv", rows)
    report = tmp_path / "report.csv"
    out = io.StringIO()
    call_command(
        "import_legacy", str(path), "--event-type", "birth", "--report", str(report), stdout=out
    )
    run = ImportRun.objects.get()
    assert _rejections(run) == expected
    assert run.rows_rejected == len(expected)
    assert set(Person.objects.values_list("source_reference", flat=True)) == {
        "LEG-OK-1",
        "LEG-OK-2",
    }
    assert "row 4, birth_date: future_date" in out.getvalue()
    lines = list(csv.DictReader(report.open(encoding="utf-8")))
    assert {(int(r["row"]), r["field"], r["code"]) for r in lines if r["kind"] == "rejected"} == (
        expected
    )


def test_deaths_are_checked_against_the_register(
    profile: CountryProfile, offices: dict[str, Jurisdiction], tmp_path: Path
) -> None:
    import_legacy_file(_write(tmp_path / "b.csv", _family(profile)), "birth")
    rows = [
        _death(profile, "D-1", "M-1", "2020-01-05"),  # line 2
        _death(profile, "D-2", "F-1", "1960-01-01"),  # line 3: before the birth (1978)
        _death(profile, "D-3", "NOBODY", "2020-01-05"),  # line 4
        _death(
            profile,
            "D-4",
            "C-1",
            (dt.date.today() + dt.timedelta(days=1)).isoformat(),
            registered_on="2020-01-05",
        ),
        _death(profile, "D-5", "M-1", "2021-01-05"),  # line 6: already dead on another date
    ]
    outcome = import_legacy_file(_write(tmp_path / "d.csv", rows, DEATH_COLUMNS), "death")
    assert outcome.imported == 1
    assert _rejections(outcome.run) == {
        (3, "death_date", "death_before_birth"),
        (4, "person_legacy_id", "unknown_person"),
        (5, "death_date", "future_date"),
        (6, "death_date", "already_deceased"),
    }
    mother = Person.objects.get(source_reference="LEG-M-1")
    assert (mother.status, mother.death_date) == ("deceased", dt.date(2020, 1, 5))
    assert Person.objects.get(source_reference="LEG-F-1").status == "alive"
    # The same death again, from another export: skipped, not rejected.
    again = import_legacy_file(_write(tmp_path / "d2.csv", rows[:1], DEATH_COLUMNS), "death")
    assert (again.imported, again.skipped, again.rejected) == (0, 1, 0)


def test_running_the_same_file_again_imports_nothing_new(
    profile: CountryProfile, offices: dict[str, Jurisdiction], tmp_path: Path
) -> None:
    path = _write(tmp_path / "births.csv", _family(profile))
    first = import_legacy_file(path, "birth")
    assert first.imported == 3
    second = import_legacy_file(path, "birth")
    assert second.already_finished
    assert Person.objects.count() == 3
    # Another export holding the same rows (and one more): the known rows are skipped, and a
    # known legacy ID with other data is refused.
    changed = _birth(profile, "F-1", 3)
    again = import_legacy_file(
        _write(tmp_path / "again.csv", [*_family(profile), _birth(profile, "N-1", 3), changed]),
        "birth",
    )
    assert (again.imported, again.skipped, again.rejected) == (1, 3, 1)
    assert _rejections(again.run) == {(6, "legacy_id", "legacy_id_conflict")}
    assert Person.objects.count() == 4
    out = io.StringIO()
    call_command("import_legacy", str(path), "--event-type", "birth", stdout=out)
    assert "already imported" in out.getvalue()


def _many(profile: CountryProfile, count: int) -> list[Row]:
    return [
        _birth(
            profile,
            f"R-{i}",
            i % 4,
            birth_date=(dt.date(1950, 1, 1) + dt.timedelta(days=97 * i)).isoformat(),
            registered_on="2024-01-01",
        )
        for i in range(count)
    ]


def test_an_interrupted_import_resumes_where_it_stopped(
    profile: CountryProfile, offices: dict[str, Jurisdiction], tmp_path: Path
) -> None:
    path = _write(tmp_path / "many.csv", _many(profile, 12))
    out = io.StringIO()
    call_command(
        "import_legacy",
        str(path),
        "--event-type",
        "birth",
        "--batch",
        "5",
        "--stop-after",
        "5",
        stdout=out,
    )
    assert "run the command again" in out.getvalue()
    run = ImportRun.objects.get()
    assert (run.rows_done, run.rows_imported, run.finished) == (5, 5, False)
    assert Person.objects.count() == 5
    call_command(
        "import_legacy", str(path), "--event-type", "birth", "--batch", "5", stdout=io.StringIO()
    )
    run.refresh_from_db()
    assert (run.rows_done, run.rows_imported, run.finished) == (12, 12, True)
    assert Person.objects.count() == 12


def test_a_crash_in_a_batch_loses_only_that_batch(
    profile: CountryProfile,
    offices: dict[str, Jurisdiction],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = _write(tmp_path / "many.csv", _many(profile, 11))
    real: Callable[..., Any] = legacy.BulkWriter.insert
    calls = {"n": 0}

    def crashing(self: Any, model: Any, *args: Any, **kwargs: Any) -> Any:
        real(self, model, *args, **kwargs)
        if model is Person:
            calls["n"] += 1
            if calls["n"] == 2:  # the second batch's persons are in, its keys not yet
                raise OSError("disk full")

    monkeypatch.setattr(legacy.BulkWriter, "insert", crashing)
    with pytest.raises(OSError, match="disk full"):
        import_legacy_file(path, "birth", batch_size=4)
    run = ImportRun.objects.get()
    assert (run.rows_done, run.rows_imported) == (4, 4)
    assert Person.objects.count() == 4
    monkeypatch.setattr(legacy.BulkWriter, "insert", real)
    outcome = import_legacy_file(path, "birth", batch_size=4)
    assert outcome.rows_read == 7
    assert Person.objects.count() == 11
    assert len(set(Person.objects.values_list("national_id", flat=True))) == 11


def test_near_duplicates_are_reported_after_the_import(
    profile: CountryProfile, offices: dict[str, Jurisdiction], tmp_path: Path
) -> None:
    import_legacy_file(_write(tmp_path / "first.csv", _family(profile)), "birth")
    twin = _birth(profile, "T-1", 0)  # the mother again, under another legacy ID
    twin["given_names"] = twin["given_names"][:-1] + ("x" if profile.code == "mx" else "연")
    within = [_birth(profile, "W-1", 3), _birth(profile, "W-2", 3)]
    report = tmp_path / "report.csv"
    out = io.StringIO()
    call_command(
        "import_legacy",
        str(_write(tmp_path / "second.csv", [twin, *within])),
        "--event-type",
        "birth",
        "--report",
        str(report),
        stdout=out,
    )
    assert "suspected duplicate pairs" in out.getvalue()
    pairs = [
        r
        for r in csv.DictReader(report.open(encoding="utf-8"))
        if r["kind"] == "suspected_duplicate"
    ]
    assert {"LEG-M-1", "LEG-W-2"} <= {p["other_reference"] for p in pairs}
    assert all(float(p["score"]) >= 0.5 for p in pairs)


def test_a_wrong_header_or_an_unsupported_event_stops_before_anything(
    profile: CountryProfile, offices: dict[str, Jurisdiction], tmp_path: Path
) -> None:
    path = tmp_path / "x.csv"
    path.write_text("id,name\n1,Ana\n", encoding="utf-8")
    with pytest.raises(CommandError, match="header"):
        call_command("import_legacy", str(path), "--event-type", "birth")
    with pytest.raises(CommandError, match="header"):
        call_command("import_legacy", str(path), "--event-type", "marriage")
    with pytest.raises(legacy.LegacyFormatError, match="not supported"):
        import_legacy_file(path, "baptism")
    assert not Person.objects.exists()


# --- Properties of the row reader and validator (no database) -------------------------------


def _context(profile: CountryProfile) -> ValidationContext:
    return ValidationContext.for_profile(
        profile,
        municipalities={m.code: m.state_code for m in demo_municipalities(profile.code)},
        offices={"MX-09015-O01", "KR-11110-O01"},
        today=dt.date(2026, 1, 1),
    )


def _plausible(profile: CountryProfile) -> st.SearchStrategy[str]:
    d = DATA[profile.code]
    return st.sampled_from(
        [
            "",
            d["state"],
            d["municipality"],
            "F",
            "M",
            "1990-01-31",
            "2030-01-01",
            "1990-02-30",
            "MX-09015-O01",
            "HEGM880314MDFRPR05",
            "8803142801561",
            "Ñuñoa",
            "O'Brien",
            "김",
        ]
        + [name for person in d["people"] for name in person]
    )


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_the_row_validator_returns_a_row_or_errors_and_never_raises(data: st.DataObject) -> None:
    profile = current_profile()
    ctx = _context(profile)
    event = data.draw(st.sampled_from(["birth", "death"]))
    width = len(BIRTH_COLUMNS if event == "birth" else DEATH_COLUMNS)
    cell = st.one_of(st.text(max_size=40), _plausible(profile), st.text(min_size=120, max_size=600))
    cells = data.draw(
        st.one_of(st.lists(cell, min_size=width, max_size=width), st.lists(cell, max_size=20))
    )
    result = validate_row(event, cells, ctx)
    if isinstance(result, list):
        assert result
        assert all(isinstance(e, RowError) and e.code and e.message for e in result)
    else:
        assert isinstance(result, BirthRow if event == "birth" else DeathRow)
        assert result.legacy_id


@settings(max_examples=200, deadline=None)
@given(raw=st.binary(max_size=300), width=st.integers(min_value=1, max_value=14))
def test_reading_arbitrary_bytes_never_raises(raw: bytes, width: int) -> None:
    for record in legacy.read_records(io.BytesIO(raw)):
        parsed = parse_record(record, width)
        assert isinstance(parsed, (list, RowError))
    assert isinstance(parse_record(RawRecord(1, raw), width), (list, RowError))


# --- The threaded writer (PostgreSQL, outside a test transaction) ----------------------------


def _generations(profile: CountryProfile, families: int) -> list[Row]:
    """Families whose children come in the batch right after their parents'."""
    rows: list[Row] = []
    for f in range(families):
        rows.append(_birth(profile, f"GM-{f}", 0, birth_date=f"19{50 + f % 10}-03-0{1 + f % 9}"))
        rows.append(_birth(profile, f"GF-{f}", 1, birth_date=f"19{48 + f % 10}-05-1{f % 9}"))
    for f in range(families):
        rows.append(
            _birth(
                profile,
                f"K-{f}",
                2,
                birth_date=f"19{80 + f % 10}-07-2{f % 9}",
                mother_legacy_id=f"GM-{f}",
                father_legacy_id=f"GF-{f}",
            )
        )
    return rows


@pytest.mark.django_db(transaction=True)
def test_the_threaded_writer_imports_in_order_and_resumes_after_a_crash(
    profile: CountryProfile,
    offices: dict[str, Jurisdiction],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the threaded writer runs on PostgreSQL only")
    path = _write(tmp_path / "families.csv", _generations(profile, 9))
    real: Callable[..., Any] = legacy.BulkWriter.insert
    calls = {"n": 0}

    def crashing(self: Any, model: Any, *args: Any, **kwargs: Any) -> Any:
        real(self, model, *args, **kwargs)
        if model is PersonMatchKey:
            calls["n"] += 1
            if calls["n"] == 4:
                raise OSError("disk full")

    monkeypatch.setattr(legacy.BulkWriter, "insert", crashing)
    with pytest.raises(OSError, match="disk full"):
        import_legacy_file(path, "birth", batch_size=4, pipeline=True)
    run = ImportRun.objects.get()
    assert run.rows_done == 12  # three batches committed, in order; the fourth not
    assert Person.objects.count() == run.rows_imported == 12
    monkeypatch.setattr(legacy.BulkWriter, "insert", real)
    outcome = import_legacy_file(path, "birth", batch_size=4, pipeline=True)
    run.refresh_from_db()
    assert (run.rows_done, run.rows_imported, run.finished) == (27, 27, True)
    assert outcome.imported == 15
    assert len(set(Person.objects.values_list("national_id", flat=True))) == 27
    with connection.cursor() as cursor:  # the import left the planner knowing its rows
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'registry_person'")
        assert cursor.fetchone()[0] == 27
    for f in range(9):
        child = Person.objects.get(source_reference=f"LEG-K-{f}")
        parents = set(
            ParentLink.objects.filter(child=child).values_list(
                "parent__source_reference", flat=True
            )
        )
        assert parents == {f"LEG-GM-{f}", f"LEG-GF-{f}"}


def test_candidates_are_described_as_the_registry_describes_them(
    profile: CountryProfile, offices: dict[str, Jurisdiction], tmp_path: Path
) -> None:
    import_legacy_file(_write(tmp_path / "b.csv", _family(profile)), "birth")
    persons = list(Person.objects.select_related("birth_place"))
    ids = [str(p.pk) for p in persons]
    records, references = match_records(ids)
    parents = parent_names([str(i) for i in ids])
    for p in persons:
        expected = match_record_for_person(p, *parents.get(str(p.pk), ("", "")))
        assert records[str(p.pk)] == expected
        assert references[str(p.pk)] == p.source_reference


def test_spreadsheet_exports_are_read_bom_crlf_and_quoted_line_breaks(
    profile: CountryProfile, offices: dict[str, Jurisdiction], tmp_path: Path
) -> None:
    row = _birth(profile, "Q-1", 0)
    header = ",".join(reversed(BIRTH_COLUMNS))  # columns in another order
    cells = [f'"{row[c]}"' if c == "first_surname" else row[c] for c in reversed(BIRTH_COLUMNS)]
    given = row["given_names"]
    text = header + "\r\n" + ",".join(cells).replace(given, f'"{given}\r\n"') + "\r\n\r\n"
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    outcome = import_legacy_file(path, "birth")
    assert (outcome.imported, outcome.rejected) == (1, 0)
    person = Person.objects.get(source_reference="LEG-Q-1")
    assert (person.given_names, person.first_surname) == (given, row["first_surname"])


def test_every_imported_person_finds_the_import_in_their_access_log(
    profile: CountryProfile, offices: dict[str, Jurisdiction], tmp_path: Path
) -> None:
    from ventanilla.core.access import verify_chain
    from ventanilla.core.models import AccessLogSubject

    rows = _family(profile)
    import_legacy_file(_write(tmp_path / "births.csv", rows), "birth")
    for row in rows:
        person = Person.objects.get(source_reference=f"LEG-{row['legacy_id']}")
        entry = AccessLogSubject.objects.get(person_id=person.pk).entry
        assert (entry.kind, entry.purpose) == ("change", "legacy.import")
    assert verify_chain().intact
