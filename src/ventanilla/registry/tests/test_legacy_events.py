"""Migrating marriages, divorces, recognitions and adoptions from a legacy register.

Every file names its persons by the legacy ID of their imported birth, as the ministry's
data team exports them; what lands in the register must be what registering the event online
would have made of it.
"""

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

from ventanilla.core.access import verify_chain
from ventanilla.core.country import current_profile
from ventanilla.core.models import AccessLogEntry, AccessLogSubject, Jurisdiction, User
from ventanilla.core.profiles import CountryProfile, demo_municipalities
from ventanilla.registry import events, legacy, services
from ventanilla.registry.legacy import (
    ADOPTION_COLUMNS,
    BIRTH_COLUMNS,
    DEATH_COLUMNS,
    DIVORCE_COLUMNS,
    MARRIAGE_COLUMNS,
    RECOGNITION_COLUMNS,
    RowError,
    ValidationContext,
    import_legacy_file,
    validate_row,
)
from ventanilla.registry.legacy_events import (
    AdoptionRow,
    DivorceRow,
    MarriageRow,
    RecognitionRow,
)
from ventanilla.registry.models import (
    ImportRejection,
    ImportRun,
    ParentLink,
    Person,
    RegistrationCounter,
    Union,
    VitalRecord,
)
from ventanilla.registry.workflow import RECORD_WORKFLOW

Row = dict[str, str]

PLACES = {"mx": ("09", "09015"), "kr": ("11", "11110")}
NAMES = {
    "mx": [
        ("Ana Sofía", "Ramírez", "Núñez"),
        ("Juan Pablo", "Peña", "O'Farrill"),
        ("José Ángel", "Muñoz", "de la Cruz"),
        ("María", "López", "Ávila"),
        ("Carlos", "Hernández", "García"),
    ],
    "kr": [
        ("서연", "김", ""),
        ("민준", "이", ""),
        ("도윤", "최", ""),
        ("지우", "박", ""),
        ("하준", "정", ""),
    ],
}
#: The register every test starts from: legacy ID -> sex, date of birth.
PEOPLE = {
    "O": ("M", "1950-01-01"),
    "C": ("M", "1975-01-10"),
    "B": ("M", "1978-03-02"),
    "A": ("F", "1980-05-01"),
    "D": ("F", "1982-09-09"),  # dies on 2001-06-01
    "P": ("M", "1983-03-03"),
    "E": ("F", "1985-04-04"),
    "R": ("F", "1990-02-02"),  # registration revoked
    "Y": ("M", "2008-01-15"),
    "K": ("F", "2010-07-08"),  # A's daughter
    "L": ("M", "2012-02-02"),
}


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in English, whatever the profile's language."""
    with translation.override("en"):
        yield


def _write(path: Path, columns: Sequence[str], rows: Sequence[Row | bytes]) -> Path:
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


def _birth(profile: CountryProfile, legacy_id: str, index: int, sex: str, born: str) -> Row:
    state, municipality = PLACES[profile.code]
    given, first, second = NAMES[profile.code][index % len(NAMES[profile.code])]
    return {
        "legacy_id": legacy_id,
        "given_names": given,
        "first_surname": first,
        "second_surname": second,
        "sex": sex,
        "birth_date": born,
        "birth_state": state,
        "birth_municipality": municipality,
        "national_id": "",
        "mother_legacy_id": "A" if legacy_id == "K" else "",
        "father_legacy_id": "",
        "registered_on": born,
        "office_code": "",
    }


def _marriage(profile: CountryProfile, legacy_id: str, a: str, b: str, day: str, **kw: str) -> Row:
    state, municipality = PLACES[profile.code]
    row = {
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
    row.update(kw)
    return row


def _divorce(legacy_id: str, marriage: str, day: str, **kw: str) -> Row:
    row = {
        "legacy_id": legacy_id,
        "marriage_legacy_id": marriage,
        "divorce_date": day,
        "divorce_kind": "judicial",
        "court_order_number": "",
        "divorce_municipality": "",
        "registered_on": day,
        "office_code": "",
    }
    row.update(kw)
    return row


def _recognition(legacy_id: str, child: str, parent: str, day: str, **kw: str) -> Row:
    row = {
        "legacy_id": legacy_id,
        "child_legacy_id": child,
        "parent_legacy_id": parent,
        "recognition_date": day,
        "recognition_kind": "voluntary",
        "recognition_municipality": "",
        "registered_on": day,
        "office_code": "",
    }
    row.update(kw)
    return row


def _adoption(
    profile: CountryProfile, legacy_id: str, child: str, a: str, b: str, day: str, **kw: str
) -> Row:
    row = {
        "legacy_id": legacy_id,
        "child_legacy_id": child,
        "parent_a_legacy_id": a,
        "parent_b_legacy_id": b,
        "adoption_date": day,
        "adoption_kind": "general" if profile.code == "kr" else "",
        "court_order_number": "J-77/2014",
        "adoption_municipality": "",
        "registered_on": day,
        "office_code": "",
    }
    row.update(kw)
    return row


def _rejections(run: ImportRun) -> set[tuple[int, str, str]]:
    return set(ImportRejection.objects.filter(run=run).values_list("row_number", "field", "error"))


def _person(legacy_id: str) -> Person:
    return Person.objects.get(source_reference=f"LEG-{legacy_id}")


def _record(event_type: str, legacy_id: str) -> VitalRecord:
    return VitalRecord.objects.get(source_reference=f"LEG-{event_type}-{legacy_id}")


def _import(tmp_path: Path, name: str, event_type: str, rows: Sequence[Row | bytes]) -> Any:
    columns = legacy.LAYOUTS[event_type]
    return import_legacy_file(_write(tmp_path / name, columns, rows), event_type)


@pytest.fixture
def register(profile: CountryProfile, offices: dict[str, Jurisdiction], tmp_path: Path) -> None:
    """The persons of `PEOPLE` imported from their births; D has died, R's birth is revoked."""
    births = [
        _birth(profile, legacy_id, i, sex, born)
        for i, (legacy_id, (sex, born)) in enumerate(PEOPLE.items())
    ]
    outcome = import_legacy_file(_write(tmp_path / "births.csv", BIRTH_COLUMNS, births), "birth")
    assert outcome.imported == len(PEOPLE)
    state, municipality = PLACES[profile.code]
    death = {
        "legacy_id": "X-1",
        "person_legacy_id": "D",
        "death_date": "2001-06-01",
        "death_state": state,
        "death_municipality": municipality,
        "registered_on": "2001-06-02",
        "office_code": "",
    }
    import_legacy_file(_write(tmp_path / "deaths.csv", DEATH_COLUMNS, [death]), "death")
    Person.objects.filter(source_reference="LEG-R").update(status="void")


def _shape(record: VitalRecord) -> tuple[Any, ...]:
    """What registering a record leaves behind, without its values."""
    return (
        record.event_type,
        record.status,
        sorted(record.data),
        sorted(record.participants.values_list("role", flat=True)),
        RECORD_WORKFLOW.fold(list(record.actions.values_list("action", flat=True))),
        record.registration_number is not None,
        record.registered_at is not None,
    )


# --- Marriages ------------------------------------------------------------------------------


def test_an_imported_marriage_is_registered_as_online_with_its_union(
    profile: CountryProfile,
    offices: dict[str, Jurisdiction],
    register: None,
    registrar: User,
    tmp_path: Path,
) -> None:
    path = _write(
        tmp_path / "marriages.csv",
        MARRIAGE_COLUMNS,
        [_marriage(profile, "M-1", "A", "B", "2005-06-01", registered_on="2005-06-03")],
    )
    out = io.StringIO()
    call_command("import_legacy", str(path), "--event-type", "marriage", stdout=out)
    assert "1 imported" in out.getvalue()
    a, b = _person("A"), _person("B")
    union = Union.objects.get()
    assert (union.spouse_a_id, union.spouse_b_id) == (a.pk, b.pk)
    assert (union.married_on, union.dissolved_on) == (dt.date(2005, 6, 1), None)
    record = union.marriage_record
    assert record.source_reference == "LEG-marriage-M-1"
    assert (record.status, record.subject_id, record.event_date) == (
        "registered",
        a.pk,
        dt.date(2005, 6, 1),
    )
    assert record.registered_at is not None and record.registered_at.date() == dt.date(2005, 6, 3)
    # Office 01 of the marriage's municipality, and a number from its counter for that year.
    assert record.office == offices["a"]
    assert record.registration_number == f"{offices['a'].code}-2005-0000001"
    assert list(record.actions.values_list("action", flat=True)) == [
        "create",
        "declare",
        "register",
    ]
    assert set(record.participants.values_list("person_id", "role")) == {
        (a.pk, "subject"),
        (b.pk, "spouse"),
    }
    # The record holds exactly what the profile's form would accept.
    assert events.clean("marriage", record.data) == record.data
    # The same marriage registered online leaves the same things behind.
    e, p = _person("E"), _person("P")
    state, municipality = PLACES[profile.code]
    data = {
        "spouse_a": str(e.pk),
        "spouse_b": str(p.pk),
        "marriage_date": "2019-02-02",
        "marriage_state": state,
        "marriage_municipality": municipality,
    }
    if profile.code == "mx":
        data["property_regime"] = "separacion_de_bienes"
    online = services.record_declare(
        actor=registrar, event_type="marriage", data=data, office_code=offices["a"].code
    )
    online = services.record_register(actor=registrar, record_id=online.pk)
    assert _shape(online) == _shape(record)
    assert Union.objects.filter(marriage_record=online).exists()
    # Both spouses find the import in their access log, and the chain holds.
    for person in (a, b):
        entry = AccessLogSubject.objects.filter(person_id=person.pk).order_by("-entry_id").first()
        assert entry is not None
        assert (entry.entry.kind, entry.entry.purpose) == ("change", "legacy.import")
        assert set(entry.entry.subject_ids) == {str(a.pk), str(b.pk)}
    assert verify_chain().intact


def test_impossible_marriages_are_rejected_with_row_field_and_code(
    profile: CountryProfile, register: None, tmp_path: Path
) -> None:
    future = (dt.date.today() + dt.timedelta(days=5)).isoformat()
    bad_regime = "bienes_mancomunados" if profile.code == "mx" else "separacion_de_bienes"
    rows: list[Row | bytes] = [
        _marriage(profile, "M-1", "A", "B", "2005-06-01"),  # line 2: good
        _marriage(profile, "M-2", "A", "C", "2006-01-01"),  # 3: A is married to B
        _marriage(profile, "M-3", "NOBODY", "C", "2006-01-01"),  # 4
        _marriage(profile, "M-4", "R", "C", "2006-01-01"),  # 5: R's birth was revoked
        _marriage(profile, "M-5", "C", "C", "2006-01-01"),  # 6: oneself
        _marriage(profile, "M-6", "O", "E", "1984-06-01"),  # 7: E born 1985
        _marriage(profile, "M-7", "C", "D", "2003-01-01"),  # 8: D died 2001
        _marriage(profile, "M-8", "Y", "E", "2020-01-01"),  # 9: Y is 11
        _marriage(profile, "M-9", "C", "E", "2010-01-01", registered_on="2009-12-31"),  # 10
        _marriage(profile, "M-10", "C", "E", "2001-02-30", registered_on="2001-03-01"),  # 11
        _marriage(profile, "M-11", "C", "E", future, registered_on="2020-01-01"),  # 12
        _marriage(profile, "M-12", "C", "E", "2006-01-01", property_regime=bad_regime),  # 13
        _marriage(profile, "M-13", "E", "P", "2015-01-01"),  # 14: good
        _marriage(profile, "M-14", "P", "C", "2012-01-01"),  # 15: P marries E in 2015
        _marriage(profile, "M-15", "B", "E", "2007-01-01"),  # 16: both are taken
        b"M-16,A,B",  # 17
    ]
    expected = {
        (3, "spouse_a_legacy_id", "already_married"),
        (4, "spouse_a_legacy_id", "unknown_person"),
        (5, "spouse_a_legacy_id", "person_revoked"),
        (6, "spouse_b_legacy_id", "same_person"),
        (7, "spouse_b_legacy_id", "born_after_event"),
        (8, "spouse_b_legacy_id", "died_before_event"),
        (9, "spouse_a_legacy_id", "under_marriage_age"),
        (10, "registered_on", "registered_before_event"),
        (11, "marriage_date", "invalid_date"),
        (12, "marriage_date", "future_date"),
        (13, "property_regime", "invalid_choice" if profile.code == "mx" else "not_in_profile"),
        (15, "spouse_a_legacy_id", "overlapping_marriage"),
        (16, "spouse_a_legacy_id", "already_married"),
        (16, "spouse_b_legacy_id", "overlapping_marriage"),
        (17, "", "column_count"),
    }
    if profile.code == "mx":
        rows.append(_marriage(profile, "M-17", "C", "E", "2006-01-01", property_regime=""))
        expected.add((18, "property_regime", "required"))
    report = tmp_path / "report.csv"
    out = io.StringIO()
    call_command(
        "import_legacy",
        str(_write(tmp_path / "m.csv", MARRIAGE_COLUMNS, rows)),
        "--event-type",
        "marriage",
        "--report",
        str(report),
        stdout=out,
    )
    run = ImportRun.objects.get(event_type="marriage")
    assert _rejections(run) == expected
    assert (run.rows_imported, run.rows_rejected) == (2, len({line for line, _f, _c in expected}))
    assert set(VitalRecord.objects.values_list("source_reference", flat=True)) == {
        "LEG-marriage-M-1",
        "LEG-marriage-M-13",
    }
    assert Union.objects.count() == 2
    assert "row 3, spouse_a_legacy_id: already_married" in out.getvalue()
    reported = [r for r in csv.DictReader(report.open(encoding="utf-8")) if r["kind"] == "rejected"]
    assert {(int(r["row"]), r["field"], r["code"]) for r in reported} == expected
    assert all(r["message"] for r in reported)


def test_a_divorce_or_a_death_lets_a_person_marry_again(
    profile: CountryProfile, register: None, tmp_path: Path
) -> None:
    _import(
        tmp_path,
        "m1.csv",
        "marriage",
        [
            _marriage(profile, "M-1", "A", "B", "1999-01-01"),
            _marriage(profile, "M-2", "C", "D", "2000-10-01"),  # D dies in 2001
        ],
    )
    _import(tmp_path, "v.csv", "divorce", [_divorce("V-1", "M-1", "2004-01-01")])
    second = _import(
        tmp_path,
        "m2.csv",
        "marriage",
        [
            _marriage(profile, "M-3", "A", "C", "2004-06-01"),  # divorced, and widowed
            _marriage(profile, "M-4", "B", "E", "2003-06-01"),  # B was still married to A
        ],
    )
    assert (second.imported, second.rejected) == (1, 1)
    assert _rejections(second.run) == {(3, "spouse_a_legacy_id", "already_married")}
    union = Union.objects.get(marriage_record__source_reference="LEG-marriage-M-3")
    assert (union.spouse_a_id, union.spouse_b_id) == (_person("A").pk, _person("C").pk)


# --- Divorces -------------------------------------------------------------------------------


def test_divorces_dissolve_the_named_marriage(
    profile: CountryProfile, register: None, tmp_path: Path
) -> None:
    _import(
        tmp_path,
        "m.csv",
        "marriage",
        [
            _marriage(profile, "M-1", "A", "B", "2005-06-01"),
            _marriage(profile, "M-2", "C", "E", "2008-01-01"),
            _marriage(profile, "M-3", "O", "D", "2000-10-01"),  # D dies in 2001
        ],
    )
    state, municipality = PLACES[profile.code]
    rows: list[Row | bytes] = [
        _divorce(  # line 2: good
            "V-1",
            "M-1",
            "2010-03-01",
            court_order_number="123/2010",
            divorce_municipality=municipality,
            registered_on="2010-03-05",
        ),
        _divorce("V-2", "M-404", "2010-01-01"),  # 3
        _divorce("V-3", "M-2", "2007-01-01"),  # 4: before the wedding
        _divorce("V-4", "M-1", "2011-01-01"),  # 5: dissolved by line 2 already
        _divorce("V-5", "M-1", "2010-03-01"),  # 6: the same divorce under another number
        _divorce("V-6", "M-2", "2012-01-01", divorce_kind="amicable"),  # 7
        _divorce(  # 8: line 2 again
            "V-1",
            "M-1",
            "2010-03-01",
            court_order_number="123/2010",
            divorce_municipality=municipality,
            registered_on="2010-03-05",
        ),
        _divorce("V-1", "M-1", "2010-03-02"),  # 9: same number, other data
        _divorce("V-7", "M-3", "2005-01-01"),  # 10: D had died
        _divorce("V-8", "M-2", "2012-01-01", registered_on="2011-12-01"),  # 11
        _divorce("V-9", "M-2", "2012-05-05", divorce_municipality="99999"),  # 12
        _divorce("V-10", "M-2", "2012-05-05"),  # 13: good
    ]
    outcome = _import(tmp_path, "v.csv", "divorce", rows)
    assert _rejections(outcome.run) == {
        (3, "marriage_legacy_id", "unknown_marriage"),
        (4, "divorce_date", "divorce_before_marriage"),
        (5, "divorce_date", "already_divorced"),
        (7, "divorce_kind", "invalid_choice"),
        (9, "legacy_id", "duplicate_legacy_id"),
        (10, "divorce_date", "died_before_event"),
        (11, "registered_on", "registered_before_event"),
        (12, "divorce_municipality", "unknown_municipality"),
    }
    assert (outcome.imported, outcome.skipped, outcome.rejected) == (2, 2, 8)
    first = Union.objects.get(marriage_record__source_reference="LEG-marriage-M-1")
    divorce = _record("divorce", "V-1")
    assert (first.dissolved_on, first.divorce_record_id) == (dt.date(2010, 3, 1), divorce.pk)
    assert divorce.data["marriage_record_ref"] == first.marriage_record.registration_number
    assert divorce.data["court_order_number"] == "123/2010"
    assert (divorce.subject_id, divorce.status) == (_person("A").pk, "registered")
    assert events.clean("divorce", divorce.data) == divorce.data
    second = Union.objects.get(marriage_record__source_reference="LEG-marriage-M-2")
    assert second.dissolved_on == dt.date(2012, 5, 5)
    assert (
        Union.objects.get(marriage_record__source_reference="LEG-marriage-M-3").dissolved_on is None
    )
    # Another export with the same divorces adds nothing; a known number with other data is
    # refused.
    again = _import(tmp_path, "v2.csv", "divorce", [rows[0], rows[-1], rows[7]])
    assert (again.imported, again.skipped, again.rejected) == (0, 2, 1)
    assert _rejections(again.run) == {(4, "legacy_id", "legacy_id_conflict")}
    assert VitalRecord.objects.filter(event_type="divorce").count() == 2


# --- Recognitions and adoptions -------------------------------------------------------------


def test_a_recognition_links_the_parent_to_the_child(
    profile: CountryProfile, register: None, tmp_path: Path
) -> None:
    rows: list[Row | bytes] = [
        _recognition("G-1", "K", "C", "2011-01-01"),  # line 2: good
        _recognition("G-2", "K", "K", "2011-01-01"),  # 3: oneself
        _recognition("G-3", "K", "L", "2013-01-01"),  # 4: L is younger than K
        _recognition("G-4", "K", "C", "2012-01-01"),  # 5: C already recognised K, in 2011
        _recognition("G-5", "K", "C", "2011-01-01"),  # 6: the same, under another number
        _recognition("G-6", "NOBODY", "C", "2011-01-01"),  # 7
        _recognition("G-7", "L", "P", "2013-01-01", recognition_kind="sometimes"),  # 8
        _recognition("G-8", "L", "R", "2013-01-01"),  # 9: R was revoked
    ]
    outcome = _import(tmp_path, "g.csv", "recognition", rows)
    assert _rejections(outcome.run) == {
        (3, "parent_legacy_id", "self_reference"),
        (4, "parent_legacy_id", "parent_born_after_child"),
        (5, "parent_legacy_id", "link_exists"),
        (7, "child_legacy_id", "unknown_person"),
        (8, "recognition_kind", "invalid_choice"),
        (9, "parent_legacy_id", "person_revoked"),
    }
    assert (outcome.imported, outcome.skipped) == (1, 1)
    child, parent = _person("K"), _person("C")
    record = _record("recognition", "G-1")
    link = ParentLink.objects.get(kind="recognition")
    assert (link.child_id, link.parent_id, link.record_id) == (child.pk, parent.pk, record.pk)
    assert (record.subject_id, record.event_date) == (child.pk, dt.date(2011, 1, 1))
    assert set(record.participants.values_list("person_id", "role")) == {
        (child.pk, "subject"),
        (parent.pk, "parent"),
    }
    assert events.clean("recognition", record.data) == record.data
    # The birth link to the mother is untouched.
    assert ParentLink.objects.filter(child=child, kind="birth").count() == 1


def test_an_adoption_links_each_adoptive_parent(
    profile: CountryProfile, register: None, tmp_path: Path
) -> None:
    rows: list[Row | bytes] = [
        _adoption(profile, "H-1", "L", "C", "E", "2014-01-01"),  # line 2: good
        _adoption(profile, "H-2", "L", "C", "C", "2014-01-01"),  # 3: the same parent twice
        _adoption(profile, "H-3", "K", "P", "", "2009-01-01"),  # 4: K born in 2010
        _adoption(profile, "H-4", "K", "L", "", "2014-01-01"),  # 5: L is younger than K
        _adoption(profile, "H-5", "L", "C", "", "2015-01-01"),  # 6: C adopted L in 2014
        _adoption(profile, "H-6", "L", "L", "", "2015-01-01"),  # 7: oneself
    ]
    expected = {
        (3, "parent_b_legacy_id", "same_person"),
        (4, "child_legacy_id", "born_after_event"),
        (5, "parent_a_legacy_id", "parent_born_after_child"),
        (6, "parent_a_legacy_id", "link_exists"),
        (7, "parent_a_legacy_id", "self_reference"),
    }
    # What each country's form asks of an adoption.
    if profile.code == "mx":
        rows.append(_adoption(profile, "H-7", "K", "P", "", "2015-01-01", adoption_kind="full"))
        rows.append(_adoption(profile, "H-8", "K", "P", "", "2015-01-01", court_order_number=""))
        expected |= {(8, "adoption_kind", "not_in_profile"), (9, "court_order_number", "required")}
    else:
        rows.append(_adoption(profile, "H-7", "K", "P", "", "2015-01-01", adoption_kind=""))
        rows.append(_adoption(profile, "H-8", "K", "P", "", "2015-01-01", court_order_number=""))
        expected.add((8, "adoption_kind", "required"))
    outcome = _import(tmp_path, "h.csv", "adoption", rows)
    assert _rejections(outcome.run) == expected
    child = _person("L")
    record = _record("adoption", "H-1")
    links = ParentLink.objects.filter(child=child, kind="adoption")
    assert {(link.parent_id, link.record_id) for link in links} == {
        (_person("C").pk, record.pk),
        (_person("E").pk, record.pk),
    }
    assert sorted(record.participants.values_list("role", flat=True)) == [
        "parent",
        "parent",
        "subject",
    ]
    assert events.clean("adoption", record.data) == record.data
    if profile.code == "kr":  # a court order is optional in Korea
        assert ParentLink.objects.filter(child=_person("K"), kind="adoption").count() == 1
    # The child and both parents see the import in their access log.
    entry = AccessLogEntry.objects.filter(purpose="legacy.import").order_by("-id").first()
    assert entry is not None
    assert {str(child.pk), str(_person("C").pk), str(_person("E").pk)} <= set(entry.subject_ids)


# --- Running again, crashes and the order of batches ----------------------------------------


def test_importing_the_same_events_twice_adds_nothing(
    profile: CountryProfile, register: None, tmp_path: Path
) -> None:
    rows: list[Row | bytes] = [
        _marriage(profile, "M-1", "A", "B", "2005-06-01"),
        _marriage(profile, "M-2", "C", "E", "2008-01-01"),
    ]
    path = _write(tmp_path / "m.csv", MARRIAGE_COLUMNS, rows)
    assert import_legacy_file(path, "marriage").imported == 2
    assert import_legacy_file(path, "marriage").already_finished
    changed = _marriage(profile, "M-2", "C", "E", "2008-01-02")
    again = _import(tmp_path, "again.csv", "marriage", [*rows, changed])
    assert (again.imported, again.skipped, again.rejected) == (0, 2, 1)
    assert _rejections(again.run) == {(4, "legacy_id", "legacy_id_conflict")}
    assert (VitalRecord.objects.count(), Union.objects.count()) == (2, 2)
    # The same holds for recognitions and adoptions.
    for event_type, row in (
        ("recognition", _recognition("G-1", "K", "C", "2011-01-01")),
        ("adoption", _adoption(profile, "H-1", "L", "C", "E", "2014-01-01")),
    ):
        assert _import(tmp_path, f"{event_type}-1.csv", event_type, [row]).imported == 1
        repeat = _import(tmp_path, f"{event_type}-2.csv", event_type, [row, row])
        assert (repeat.imported, repeat.skipped, repeat.rejected) == (0, 2, 0)
    assert ParentLink.objects.exclude(kind="birth").count() == 3


def _couples(profile: CountryProfile, count: int) -> tuple[list[Row], list[Row]]:
    births = [
        _birth(
            profile,
            f"S-{i}",
            i,
            "F" if i % 2 else "M",
            (dt.date(1960, 1, 1) + dt.timedelta(days=97 * i)).isoformat(),
        )
        for i in range(2 * count)
    ]
    marriages = [
        _marriage(profile, f"M-{i}", f"S-{2 * i}", f"S-{2 * i + 1}", "2001-05-05")
        for i in range(count)
    ]
    return births, marriages


def test_a_crash_in_a_batch_loses_only_that_batch(
    profile: CountryProfile,
    offices: dict[str, Jurisdiction],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    births, marriages = _couples(profile, 11)
    import_legacy_file(_write(tmp_path / "b.csv", BIRTH_COLUMNS, births), "birth")
    path = _write(tmp_path / "m.csv", MARRIAGE_COLUMNS, marriages)
    real: Callable[..., Any] = legacy.BulkWriter.insert
    calls = {"n": 0}

    def crashing(self: Any, model: Any, *args: Any, **kwargs: Any) -> Any:
        real(self, model, *args, **kwargs)
        if model is Union:
            calls["n"] += 1
            if calls["n"] == 2:  # the second batch's records and unions are in, not the rest
                raise OSError("disk full")

    monkeypatch.setattr(legacy.BulkWriter, "insert", crashing)
    with pytest.raises(OSError, match="disk full"):
        import_legacy_file(path, "marriage", batch_size=4)
    run = ImportRun.objects.get(event_type="marriage")
    assert (run.rows_done, run.rows_imported) == (4, 4)
    assert (VitalRecord.objects.count(), Union.objects.count()) == (4, 4)
    monkeypatch.setattr(legacy.BulkWriter, "insert", real)
    outcome = import_legacy_file(path, "marriage", batch_size=4)
    assert (outcome.rows_read, outcome.imported) == (7, 7)
    assert (VitalRecord.objects.count(), Union.objects.count()) == (11, 11)
    # The numbers taken by the lost batch went back with it: 1 to 11, no gap.
    numbers = sorted(
        str(n) for n in VitalRecord.objects.values_list("registration_number", flat=True)
    )
    assert numbers == [f"{offices['a'].code}-2001-{n:07d}" for n in range(1, 12)]
    assert RegistrationCounter.objects.get(office=offices["a"], year=2001).last == 11


def test_a_later_batch_sees_the_marriages_of_a_batch_still_being_written(
    profile: CountryProfile, register: None, tmp_path: Path
) -> None:
    run = ImportRun.objects.create(file_digest="0" * 64, event_type="marriage", file_name="m.csv")
    importer = legacy._Importer(run, "marriage", dedupe=False, profile=profile, in_flight=2)

    def batch(*rows: Row) -> legacy._Batch:
        out = legacy._Batch(size=len(rows))
        for line, row in enumerate(rows, start=2):
            checked = validate_row("marriage", [row[c] for c in MARRIAGE_COLUMNS], importer.ctx)
            assert isinstance(checked, MarriageRow)
            out.rows.append((line, checked))
        return out

    first_row = _marriage(profile, "M-1", "A", "B", "2005-06-01")
    first = importer.prepare(batch(first_row))
    importer.remember(first)  # handed to the writer, not committed
    second = importer.prepare(batch(first_row, _marriage(profile, "M-2", "A", "C", "2006-01-01")))
    assert second.skipped == 1
    assert [(line, e.field, e.code) for line, e in second.rejections] == [
        (3, "spouse_a_legacy_id", "already_married")
    ]
    assert not Union.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_threaded_writer_imports_events_in_order_and_resumes_after_a_crash(
    profile: CountryProfile,
    offices: dict[str, Jurisdiction],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the threaded writer runs on PostgreSQL only")
    births, marriages = _couples(profile, 12)
    import_legacy_file(_write(tmp_path / "b.csv", BIRTH_COLUMNS, births), "birth")
    # Each person marries someone else too, a batch or more later: always refused.
    rows = marriages + [
        _marriage(profile, f"N-{i}", f"S-{2 * i}", f"S-{(2 * i + 3) % 24}", "2005-05-05")
        for i in range(12)
    ]
    path = _write(tmp_path / "m.csv", MARRIAGE_COLUMNS, rows)
    real: Callable[..., Any] = legacy.BulkWriter.insert
    calls = {"n": 0}

    def crashing(self: Any, model: Any, *args: Any, **kwargs: Any) -> Any:
        real(self, model, *args, **kwargs)
        if model is Union:
            calls["n"] += 1
            if calls["n"] == 3:
                raise OSError("disk full")

    monkeypatch.setattr(legacy.BulkWriter, "insert", crashing)
    with pytest.raises(OSError, match="disk full"):
        import_legacy_file(path, "marriage", batch_size=4, pipeline=True)
    run = ImportRun.objects.get(event_type="marriage")
    assert run.rows_done == 8  # two batches committed, in order; the third not
    assert Union.objects.count() == run.rows_imported == 8
    monkeypatch.setattr(legacy.BulkWriter, "insert", real)
    import_legacy_file(path, "marriage", batch_size=4, pipeline=True)
    run.refresh_from_db()
    assert (run.rows_done, run.rows_imported, run.rows_rejected, run.finished) == (24, 12, 12, True)
    assert Union.objects.count() == 12
    assert {code for _line, _field, code in _rejections(run)} == {"already_married"}
    # Divorces through the threaded writer as well.
    divorces = [_divorce(f"V-{i}", f"M-{i}", "2003-03-03") for i in range(12)]
    outcome = _import(tmp_path, "v.csv", "divorce", divorces)
    assert outcome.imported == 12
    assert not Union.objects.filter(dissolved_on__isnull=True).exists()


# --- The file as a whole and the row validator ----------------------------------------------


def test_a_wrong_header_stops_before_anything(
    profile: CountryProfile, register: None, tmp_path: Path
) -> None:
    path = _write(tmp_path / "x.csv", DIVORCE_COLUMNS[:-1], [])
    with pytest.raises(CommandError, match="header"):
        call_command("import_legacy", str(path), "--event-type", "divorce")
    assert not VitalRecord.objects.exists()


def _context(profile: CountryProfile) -> ValidationContext:
    return ValidationContext.for_profile(
        profile,
        municipalities={m.code: m.state_code for m in demo_municipalities(profile.code)},
        offices={"MX-09015-O01", "KR-11110-O01"},
        today=dt.date(2026, 1, 1),
    )


_TYPES = {
    "marriage": (MARRIAGE_COLUMNS, MarriageRow),
    "divorce": (DIVORCE_COLUMNS, DivorceRow),
    "recognition": (RECOGNITION_COLUMNS, RecognitionRow),
    "adoption": (ADOPTION_COLUMNS, AdoptionRow),
}


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_the_event_validators_return_a_row_or_errors_and_never_raise(data: st.DataObject) -> None:
    profile = current_profile()
    ctx = _context(profile)
    event = data.draw(st.sampled_from(sorted(_TYPES)))
    columns, row_type = _TYPES[event]
    state, municipality = PLACES[profile.code]
    plausible = st.sampled_from(
        [
            "",
            "A",
            "B",
            state,
            municipality,
            "1990-01-31",
            "2030-01-01",
            "1990-02-30",
            "MX-09015-O01",
            "judicial",
            "voluntary",
            "general",
            "sociedad_conyugal",
            "SOCIEDAD_CONYUGAL",
        ]
    )
    cell = st.one_of(st.text(max_size=40), plausible, st.text(min_size=120, max_size=600))
    width = len(columns)
    cells = data.draw(
        st.one_of(st.lists(cell, min_size=width, max_size=width), st.lists(cell, max_size=12))
    )
    result = validate_row(event, cells, ctx)
    if isinstance(result, list):
        assert result
        assert all(isinstance(e, RowError) and e.code and e.message for e in result)
    else:
        assert isinstance(result, MarriageRow | DivorceRow | RecognitionRow | AdoptionRow)
        assert result.legacy_id
        assert result.registered_on >= getattr(result, f"{event}_date")
        assert type(result) is row_type


def test_choice_codes_are_read_whatever_their_case(profile: CountryProfile) -> None:
    ctx = _context(profile)
    cells = dict.fromkeys(RECOGNITION_COLUMNS, "")
    cells.update(
        legacy_id="G-1",
        child_legacy_id="K",
        parent_legacy_id="C",
        recognition_date="2011-01-01",
        recognition_kind="Judicial",
        registered_on="2011-01-02",
    )
    row = validate_row("recognition", [cells[c] for c in RECOGNITION_COLUMNS], ctx)
    assert isinstance(row, RecognitionRow)
    assert row.recognition_kind == "judicial"


def test_an_imported_full_adoption_ends_the_earlier_parentage_as_online(
    profile: CountryProfile, register: None, tmp_path: Path
) -> None:
    kind = "full" if profile.code == "kr" else ""
    rows: list[Row | bytes] = [
        _adoption(profile, "H-1", "K", "P", "", "2015-01-01", adoption_kind=kind)
    ]
    outcome = _import(tmp_path, "h.csv", "adoption", rows)
    assert outcome.imported == 1
    record = _record("adoption", "H-1")
    child = _person("K")
    in_force = {
        (link.parent_id, link.kind): link.ended_by_id
        for link in ParentLink.objects.filter(child=child)
    }
    assert in_force == {(_person("A").pk, "birth"): record.pk, (_person("P").pk, "adoption"): None}
