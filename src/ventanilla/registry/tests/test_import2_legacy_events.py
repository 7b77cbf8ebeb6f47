"""Legacy events as registering them one by one would have made them: adoptions take effect
in file order whatever the batch size, events of persons already dead are refused, and an
import waits for whoever else is changing the same persons (another import, a registrar)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from ventanilla.core.models import Jurisdiction, User
from ventanilla.core.profiles import CountryProfile
from ventanilla.registry import services
from ventanilla.registry.legacy import BIRTH_COLUMNS, DEATH_COLUMNS, LAYOUTS, import_legacy_file
from ventanilla.registry.models import ParentLink, Union
from ventanilla.registry.tests.concurrency import second_while_first_holds
from ventanilla.registry.tests.test_legacy_events import (
    PLACES,
    Row,
    _adoption,
    _birth,
    _marriage,
    _person,
    _recognition,
    _record,
    _rejections,
    _write,
)
from ventanilla.registry.tests.test_workflow_services import _event_data

# legacy ID -> sex, date of birth, mother's legacy ID
Family = dict[str, tuple[str, str, str]]


def _births(profile: CountryProfile, tmp_path: Path, people: Family) -> None:
    rows = []
    for i, (legacy_id, (sex, born, mother)) in enumerate(people.items()):
        row = _birth(profile, legacy_id, i, sex, born)
        row["mother_legacy_id"] = mother
        rows.append(row)
    path = _write(tmp_path / "births.csv", BIRTH_COLUMNS, rows)
    assert import_legacy_file(path, "birth").imported == len(people)


def _deaths(profile: CountryProfile, tmp_path: Path, deaths: dict[str, str]) -> None:
    state, municipality = PLACES[profile.code]
    rows: list[Row | bytes] = [
        {
            "legacy_id": f"X-{legacy_id}",
            "person_legacy_id": legacy_id,
            "death_date": died,
            "death_state": state,
            "death_municipality": municipality,
            "registered_on": died,
            "office_code": "",
        }
        for legacy_id, died in deaths.items()
    ]
    path = _write(tmp_path / "deaths.csv", DEATH_COLUMNS, rows)
    assert import_legacy_file(path, "death").imported == len(deaths)


def _import(tmp_path: Path, event_type: str, rows: Sequence[Row], name: str = "", **kw: Any) -> Any:
    path = _write(tmp_path / f"{name or event_type}.csv", LAYOUTS[event_type], rows)
    return import_legacy_file(path, event_type, **kw)


def _parentage(child: str) -> dict[str, str | None]:
    """The child's parent links: parent's legacy ID -> legacy ID of the adoption that ended
    it (None while in force)."""
    ended = {
        link.parent.source_reference.removeprefix("LEG-"): link.ended_by
        for link in ParentLink.objects.filter(child=_person(child)).select_related(
            "parent", "ended_by"
        )
    }
    return {
        parent: record.source_reference.removeprefix("LEG-adoption-") if record else None
        for parent, record in ended.items()
    }


# --- Adoptions in file order ----------------------------------------------------------------


@pytest.mark.parametrize("batch_size", [1, 2, 5000])
def test_an_adoption_ends_the_links_of_earlier_adoptions_only_whatever_the_batch(
    profile: CountryProfile,
    offices: dict[str, Jurisdiction],
    tmp_path: Path,
    batch_size: int,
) -> None:
    _births(
        profile,
        tmp_path,
        {
            "MO": ("F", "1980-01-01", ""),
            "PA": ("M", "1970-01-01", ""),
            "PB": ("M", "1972-01-01", ""),
            "PC": ("F", "1974-01-01", ""),
            "CH": ("M", "2010-01-01", "MO"),
            "OT": ("F", "2011-01-01", "MO"),  # another child, adopted in between
        },
    )
    if profile.code == "mx":
        # Every adoption is full (adopción plena): the second ends the first adopter's link.
        rows = [
            _adoption(profile, "A1", "CH", "PA", "", "2012-01-01"),
            _adoption(profile, "A9", "OT", "PA", "", "2013-01-01"),
            _adoption(profile, "A2", "CH", "PB", "PC", "2015-01-01"),
        ]
        expected = {"MO": "A1", "PA": "A2", "PB": None, "PC": None}
    else:
        # A full adoption (친양자) ends what came before it, not a general adoption after it.
        rows = [
            _adoption(profile, "A1", "CH", "PA", "", "2022-01-01", adoption_kind="full"),
            _adoption(profile, "A9", "OT", "PA", "", "2022-01-15", adoption_kind="full"),
            _adoption(profile, "A2", "CH", "PB", "", "2022-02-01", adoption_kind="general"),
            _adoption(profile, "A3", "CH", "PC", "", "2022-03-01", adoption_kind="full"),
        ]
        expected = {"MO": "A1", "PA": "A3", "PB": "A3", "PC": None}
    outcome = _import(tmp_path, "adoption", rows, batch_size=batch_size)
    assert (outcome.imported, outcome.rejected) == (len(rows), 0)
    assert _parentage("CH") == expected
    assert _parentage("OT") == {"MO": "A9", "PA": None}
    # The child keeps the parents of the last adoption.
    in_force = ParentLink.objects.filter(child=_person("CH"), ended_by__isnull=True)
    assert in_force.exists()


# --- Events of persons who had died ---------------------------------------------------------


def test_adoptions_and_recognitions_of_or_by_the_dead_are_refused(
    profile: CountryProfile, offices: dict[str, Jurisdiction], tmp_path: Path
) -> None:
    _births(
        profile,
        tmp_path,
        {
            "DP": ("M", "1950-01-01", ""),  # dies in 2000
            "DM": ("M", "1960-01-01", ""),  # dies in 1999
            "DF": ("M", "1962-01-01", ""),  # dies on 2014-01-01
            "LM": ("M", "1963-01-01", ""),
            "DW": ("F", "1970-01-01", ""),  # dies on 2014-01-01
            "AP": ("F", "1975-01-01", ""),
            "DC": ("M", "1990-01-01", "DW"),  # dies in 1999, without children
            "DG": ("F", "1991-01-01", ""),  # dies in 2012, leaving a daughter
            "GD": ("F", "2011-06-01", "DG"),
            "CA": ("M", "2010-01-01", ""),
            "CP": ("F", "2014-08-01", ""),  # 212 days after DF's and DW's deaths
            "CB": ("F", "2015-02-01", ""),  # 396 days after
        },
    )
    _deaths(
        profile,
        tmp_path,
        {
            "DP": "2000-01-01",
            "DM": "1999-01-01",
            "DF": "2014-01-01",
            "DW": "2014-01-01",
            "DC": "1999-01-01",
            "DG": "2012-01-01",
        },
    )
    adoptions = [
        _adoption(profile, "H-1", "CA", "DP", "", "2018-01-01"),  # 2: the adopter had died
        _adoption(profile, "H-2", "DC", "AP", "", "2005-01-01"),  # 3: the child had died
        _adoption(profile, "H-3", "GD", "DF", "", "2013-01-01"),  # 4: DF died later: good
    ]
    outcome = _import(tmp_path, "adoption", adoptions)
    assert _rejections(outcome.run) == {
        (2, "parent_a_legacy_id", "died_before_event"),
        (3, "child_legacy_id", "died_before_event"),
    }
    assert outcome.imported == 1
    assert not ParentLink.objects.filter(kind="adoption").exclude(child=_person("GD")).exists()
    recognitions = [
        # 2: a man dead in 1999 recognising a child born in 2015
        _recognition("G-1", "CB", "DM", "2016-01-01"),
        # 3: by a court, after his death, a child born within 300 days of it: good
        _recognition("G-2", "CP", "DF", "2016-01-01", recognition_kind="judicial"),
        # 4: the same ruling for a child born 396 days after his death
        _recognition("G-3", "CB", "DF", "2016-01-01", recognition_kind="judicial"),
        # 5: a mother cannot have a child after her death
        _recognition("G-4", "CP", "DW", "2016-01-01", recognition_kind="judicial"),
        # 6: a child who had died without children; 7: one who left a daughter (good)
        _recognition("G-5", "DC", "LM", "2005-01-01"),
        _recognition("G-6", "DG", "LM", "2013-01-01"),
    ]
    outcome = _import(tmp_path, "recognition", recognitions)
    assert _rejections(outcome.run) == {
        (2, "parent_legacy_id", "died_before_event"),
        (4, "parent_legacy_id", "died_before_event"),
        (5, "parent_legacy_id", "died_before_event"),
        (6, "child_legacy_id", "died_before_event"),
    }
    assert outcome.imported == 2
    assert _record("recognition", "G-2").subject_id == _person("CP").pk
    assert _record("recognition", "G-6").subject_id == _person("DG").pk


# --- Writers at once (PostgreSQL) -----------------------------------------------------------


def _spouses(profile: CountryProfile, tmp_path: Path, women: int, men: int) -> None:
    people: Family = {f"F{i}": ("F", f"1960-01-{i + 1:02d}", "") for i in range(women)}
    people |= {f"M{i}": ("M", f"1961-02-{i + 1:02d}", "") for i in range(men)}
    _births(profile, tmp_path, people)


@pytest.mark.django_db(transaction=True)
def test_two_imports_marrying_the_same_women_at_once_marry_each_woman_once(
    profile: CountryProfile, offices: dict[str, Jurisdiction], tmp_path: Path
) -> None:
    _spouses(profile, tmp_path, 4, 5)
    first = [_marriage(profile, f"RA{i}", f"F{i}", f"M{i}", "1992-01-01") for i in range(4)]
    second = [_marriage(profile, f"RB{i}", f"F{i}", f"M{i + 1}", "1993-01-01") for i in range(4)]
    outcome = second_while_first_holds(
        lambda: _import(tmp_path, "marriage", first, "a", pipeline=False),
        lambda: _import(tmp_path, "marriage", second, "b", batch_size=2),
    )
    # The second import waited for the first, then saw its marriages.
    assert (outcome.imported, outcome.rejected) == (0, 4)
    assert {(line, code) for line, _f, code in _rejections(outcome.run)} == {
        (line, "already_married") for line in range(2, 6)
    }
    for i in range(4):
        woman = _person(f"F{i}")
        unions = Union.objects.filter(spouse_a=woman)
        assert [u.spouse_b_id for u in unions] == [_person(f"M{i}").pk]


@pytest.mark.django_db(transaction=True)
def test_an_import_waits_for_a_marriage_registered_meanwhile_and_refuses_the_row(
    profile: CountryProfile,
    offices: dict[str, Jurisdiction],
    registrar: User,
    tmp_path: Path,
) -> None:
    _spouses(profile, tmp_path, 2, 2)
    bride, groom = _person("F0"), _person("M1")
    state, municipality = PLACES[profile.code]
    known = {
        "spouse_a": str(bride.pk),
        "spouse_b": str(groom.pk),
        "marriage_date": "2015-05-05",
        "marriage_state": state,
        "marriage_municipality": municipality,
    }
    online = services.record_declare(
        actor=registrar, event_type="marriage", data=_event_data(profile, "marriage", known)
    )
    rows = [
        _marriage(profile, "RA0", "F0", "M0", "1992-01-01"),
        _marriage(profile, "RA1", "F1", "M1", "2020-01-01"),
    ]
    outcome = second_while_first_holds(
        lambda: services.record_register(actor=registrar, record_id=online.pk),
        lambda: _import(tmp_path, "marriage", rows),
    )
    # F0's marriage of 1992 would still be open in 2015; M1 was married on 2020-01-01.
    assert outcome.imported == 0
    assert _rejections(outcome.run) == {
        (2, "spouse_a_legacy_id", "overlapping_marriage"),
        (3, "spouse_b_legacy_id", "already_married"),
    }
    assert Union.objects.get().marriage_record_id == online.pk
    assert dt.date(2015, 5, 5) == Union.objects.get().married_on
