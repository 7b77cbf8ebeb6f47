"""Legacy births and deaths checked against what the register holds: a birth imported again
with other data, a death's legacy ID, and deaths or births that the register contradicts."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from ventanilla.core.models import Jurisdiction
from ventanilla.core.profiles import CountryProfile
from ventanilla.registry.legacy import (
    DEATH_COLUMNS,
    DIVORCE_COLUMNS,
    MARRIAGE_COLUMNS,
    import_legacy_file,
)
from ventanilla.registry.models import ImportRun, Person, PersonStatus
from ventanilla.registry.tests.test_legacy_import import (
    Row,
    _birth,
    _death,
    _family,
    _rejections,
    _valid_id,
    _write,
)

OTHER_PLACE = {"mx": ("14", "14039"), "kr": ("26", "26110")}


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _person(legacy_id: str) -> Person:
    return Person.objects.get(source_reference=f"LEG-{legacy_id}")


# --- A birth imported again --------------------------------------------------------------------


def test_a_birth_imported_again_with_other_data_is_a_conflict_not_a_skip(
    profile: CountryProfile, offices: dict[str, Jurisdiction], tmp_path: Path
) -> None:
    others = [
        _birth(profile, "M-2", 0, birth_date="1979-02-03"),
        _birth(profile, "F-2", 1, birth_date="1977-04-05"),
    ]
    family = _family(profile)
    import_legacy_file(_write(tmp_path / "b.csv", [*family, *others]), "birth")
    child = family[2]
    before = _person("C-1")
    other_id = _valid_id(profile, child)
    assert other_id != before.national_id
    state, municipality = OTHER_PLACE[profile.code]
    changes: list[dict[str, str]] = [
        {"mother_legacy_id": "M-2", "father_legacy_id": "F-2"},  # other parents
        {"father_legacy_id": ""},  # one parent fewer
        {"birth_state": state, "birth_municipality": municipality},
        {"office_code": offices["b"].code},
        {"registered_on": "2011-01-01"},
        {"national_id": other_id},
    ]
    again = [child, *({**child, **change} for change in changes)]
    report = tmp_path / "report.csv"
    out = io.StringIO()
    call_command(
        "import_legacy",
        str(_write(tmp_path / "again.csv", again)),
        "--event-type",
        "birth",
        "--report",
        str(report),
        stdout=out,
    )
    run = ImportRun.objects.get(file_name="again.csv")
    assert (run.rows_done, run.rows_imported, run.rows_rejected) == (7, 0, 6)
    assert _rejections(run) == {(n, "legacy_id", "legacy_id_conflict") for n in range(3, 9)}
    assert "1 already in the register" in out.getvalue()
    after = _person("C-1")
    assert (after.national_id, after.jurisdiction_id, after.registered_on) == (
        before.national_id,
        before.jurisdiction_id,
        before.registered_on,
    )


def test_the_same_birth_again_is_skipped_even_without_a_stored_registration_date(
    profile: CountryProfile, offices: dict[str, Jurisdiction], tmp_path: Path
) -> None:
    family = _family(profile)
    import_legacy_file(_write(tmp_path / "b.csv", family), "birth")
    child = family[2]
    child_with_id = {**child, "national_id": _person("C-1").national_id or ""}
    # Persons imported before the register kept the date have none: that is no conflict.
    Person.objects.filter(source_reference="LEG-C-1").update(registered_on=None)
    again = import_legacy_file(_write(tmp_path / "again.csv", [child, child_with_id]), "birth")
    assert (again.imported, again.skipped, again.rejected) == (0, 2, 0)


# --- A death's legacy ID -------------------------------------------------------------------------


def test_a_death_legacy_id_is_kept_and_refused_twice_in_a_file(
    profile: CountryProfile, offices: dict[str, Jurisdiction], tmp_path: Path
) -> None:
    import_legacy_file(_write(tmp_path / "b.csv", _family(profile)), "birth")
    rows = [
        _death(profile, "D-1", "M-1", "2020-01-05"),  # line 2
        _death(profile, "D-1", "M-1", "2020-01-05"),  # 3: the same row again, skipped
        _death(profile, "D-1", "F-1", "2021-03-04"),  # 4: the same ID for someone else
    ]
    outcome = import_legacy_file(_write(tmp_path / "d.csv", rows, DEATH_COLUMNS), "death")
    assert (outcome.imported, outcome.skipped) == (1, 1)
    assert _rejections(outcome.run) == {(4, "legacy_id", "duplicate_legacy_id")}
    mother, father = _person("M-1"), _person("F-1")
    assert (mother.status, mother.death_source_reference) == ("deceased", "LEG-death-D-1")
    assert (father.status, father.death_source_reference) == ("alive", "")
    # Another file naming D-1 again: the same death is skipped, another one is a conflict.
    later = [
        _death(profile, "D-1", "F-1", "2021-03-04"),  # line 2
        _death(profile, "D-1", "M-1", "2020-02-05"),  # 3
        _death(profile, "D-1", "M-1", "2020-01-05"),  # 4
    ]
    again = import_legacy_file(_write(tmp_path / "d2.csv", later, DEATH_COLUMNS), "death")
    assert (again.imported, again.skipped) == (0, 1)
    assert _rejections(again.run) == {
        (2, "legacy_id", "legacy_id_conflict"),
        (3, "legacy_id", "legacy_id_conflict"),
    }
    assert _person("F-1").status == PersonStatus.ALIVE


def test_a_death_legacy_id_repeated_in_a_later_batch_is_refused(
    profile: CountryProfile, offices: dict[str, Jurisdiction], tmp_path: Path
) -> None:
    import_legacy_file(_write(tmp_path / "b.csv", _family(profile)), "birth")
    rows = [
        _death(profile, "D-7", "M-1", "2020-01-05"),
        _death(profile, "D-7", "F-1", "2021-03-04"),
    ]
    outcome = import_legacy_file(
        _write(tmp_path / "d.csv", rows, DEATH_COLUMNS), "death", batch_size=1
    )
    assert outcome.imported == 1
    # Whether the first batch is still being written (an earlier row of the file) or already
    # in the register (as if from another file), the second row is refused.
    ((row, field, code),) = _rejections(outcome.run)
    assert (row, field) == (3, "legacy_id")
    assert code in {"duplicate_legacy_id", "legacy_id_conflict"}
    assert _person("F-1").status == PersonStatus.ALIVE


# --- What a death or a birth cannot contradict ---------------------------------------------------


def _marriage(profile: CountryProfile, legacy_id: str, a: str, b: str, day: str) -> Row:
    place = _birth(profile, "_", 0)
    state, municipality = place["birth_state"], place["birth_municipality"]
    return {
        "legacy_id": legacy_id,
        "spouse_a_legacy_id": a,
        "spouse_b_legacy_id": b,
        "marriage_date": day,
        "marriage_state": state,
        "marriage_municipality": municipality,
        "property_regime": "sociedad_conyugal" if profile.code == "mx" else "",
        "registered_on": day,
        "office_code": "",
    }


def _divorce(legacy_id: str, marriage: str, day: str) -> Row:
    return {
        "legacy_id": legacy_id,
        "marriage_legacy_id": marriage,
        "divorce_date": day,
        "divorce_kind": "judicial",
        "court_order_number": "",
        "divorce_municipality": "",
        "registered_on": day,
        "office_code": "",
    }


def test_a_death_before_a_registered_marriage_divorce_or_child_is_refused(
    profile: CountryProfile, offices: dict[str, Jurisdiction], tmp_path: Path
) -> None:
    def born(legacy_id: str, index: int, day: str, **kw: str) -> Row:
        return _birth(profile, legacy_id, index, birth_date=day, registered_on=day, **kw)

    births = [
        born("P-1", 1, "1950-01-01"),  # married in 2010
        born("Q-1", 0, "1952-01-01"),
        born("R-1", 1, "1960-01-01"),  # married in 2000, divorced in 2012
        born("S-1", 0, "1962-01-01"),
        born("M-1", 0, "1980-05-01"),  # mother of C-1
        born("F-1", 1, "1978-03-02"),  # father of C-1
        born("F-2", 1, "1975-03-02"),  # father of C-2
        born("C-1", 2, "2010-07-08", mother_legacy_id="M-1", father_legacy_id="F-1"),
        born("C-2", 2, "2010-07-08", father_legacy_id="F-2"),
    ]
    assert import_legacy_file(_write(tmp_path / "b.csv", births), "birth").imported == 9
    marriages = [
        _marriage(profile, "W-1", "P-1", "Q-1", "2010-01-01"),
        _marriage(profile, "W-2", "R-1", "S-1", "2000-01-01"),
    ]
    path = _write(tmp_path / "m.csv", marriages, MARRIAGE_COLUMNS)
    assert import_legacy_file(path, "marriage").imported == 2
    path = _write(tmp_path / "x.csv", [_divorce("X-1", "W-2", "2012-03-01")], DIVORCE_COLUMNS)
    assert import_legacy_file(path, "divorce").imported == 1
    deaths = [
        _death(profile, "D-1", "P-1", "2005-01-01"),  # 2: five years before his wedding
        _death(profile, "D-2", "R-1", "2011-01-01"),  # 3: before his divorce
        _death(profile, "D-3", "M-1", "2010-07-07"),  # 4: the day before her child's birth
        _death(profile, "D-4", "F-2", "2009-01-01"),  # 5: 553 days before his child's birth
        _death(profile, "D-5", "F-1", "2010-01-01"),  # 6: 188 days before: a posthumous child
        _death(profile, "D-6", "Q-1", "2015-01-01"),  # 7: after her wedding
    ]
    outcome = import_legacy_file(_write(tmp_path / "d.csv", deaths, DEATH_COLUMNS), "death")
    assert _rejections(outcome.run) == {
        (2, "death_date", "death_before_marriage"),
        (3, "death_date", "death_before_divorce"),
        (4, "death_date", "death_before_child_birth"),
        (5, "death_date", "death_before_child_birth"),
    }
    assert outcome.imported == 2
    deceased = set(
        Person.objects.filter(status=PersonStatus.DECEASED).values_list(
            "source_reference", flat=True
        )
    )
    assert deceased == {"LEG-F-1", "LEG-Q-1"}


def test_a_birth_long_after_the_fathers_death_is_refused(
    profile: CountryProfile, offices: dict[str, Jurisdiction], tmp_path: Path
) -> None:
    fathers = [
        _birth(profile, "F-1", 1, birth_date="1970-01-01"),
        _birth(profile, "M-1", 0, birth_date="1972-01-01"),
    ]
    import_legacy_file(_write(tmp_path / "b.csv", fathers), "birth")
    died = _death(profile, "D-1", "F-1", "2000-01-01")
    import_legacy_file(_write(tmp_path / "d.csv", [died], DEATH_COLUMNS), "death")

    def child(legacy_id: str, index: int, day: str, **parents: str) -> Row:
        return _birth(profile, legacy_id, index, birth_date=day, registered_on=day, **parents)

    children = [
        child("C-1", 2, "2000-10-01", father_legacy_id="F-1"),  # 274 days after: his child
        child("C-2", 3, "2001-01-01", father_legacy_id="F-1"),  # 366 days after: not his
        child("C-3", 2, "2001-01-01", mother_legacy_id="M-1", father_legacy_id="F-1"),
    ]
    outcome = import_legacy_file(_write(tmp_path / "c.csv", children), "birth")
    assert _rejections(outcome.run) == {
        (3, "father_legacy_id", "father_died_before_birth"),
        (4, "father_legacy_id", "father_died_before_birth"),
    }
    assert outcome.imported == 1
    assert not Person.objects.filter(source_reference__in=["LEG-C-2", "LEG-C-3"]).exists()
    assert dt.date(2000, 10, 1) == _person("C-1").birth_date
