"""Births migrated from the old register count on the dashboards, at the old register's date."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ventanilla.core.models import Jurisdiction, Role, User
from ventanilla.core.profiles import CountryProfile
from ventanilla.registry import dashboards
from ventanilla.registry.legacy import BIRTH_COLUMNS, import_legacy_file
from ventanilla.registry.models import Person, PersonStatus
from ventanilla.registry.tests.test_dashboards_completeness import (
    GIVEN,
    YEAR,
    _birth,
    _estimate,
    _home_codes,
)
from ventanilla.registry.tests.test_pages import page, signed_in

BirthData = Callable[..., dict[str, Any]]
MakeUser = Callable[..., User]

pytestmark = pytest.mark.django_db

#: Names of their own, so that no imported birth is a near-duplicate of another.
NAMES = {
    "mx": [
        ("Valentina", "Ortega", "Ruiz", "F"),
        ("Emiliano", "Vargas", "Soto", "M"),
        ("Regina", "Castillo", "Mora", "F"),
        ("Leonardo", "Navarro", "Ibarra", "M"),
        ("Mariana", "Aguilar", "Fuentes", "F"),
    ],
    "kr": [
        ("유나", "정", "", "F"),
        ("현우", "강", "", "M"),
        ("수아", "조", "", "F"),
        ("지호", "윤", "", "M"),
        ("채원", "장", "", "F"),
    ],
}

#: legacy ID, office ("a" or "b"), date of birth, days until the old register registered it.
IMPORTED = [
    ("D-1", "a", dt.date(YEAR, 3, 1), 10),  # within a month, and within the legal period
    ("D-2", "a", dt.date(YEAR, 4, 1), 200),  # within a year, past the legal period
    ("D-3", "a", dt.date(YEAR, 5, 1), 500),  # later
    ("D-4", "a", dt.date(YEAR - 1, 6, 15), 3),  # another year
    ("D-5", "b", dt.date(YEAR, 2, 1), 20),  # another state
]


def _municipality(office: Jurisdiction) -> Jurisdiction:
    assert office.parent is not None and office.parent.parent is not None
    return office.parent


def _import(profile: CountryProfile, offices: dict[str, Jurisdiction], tmp_path: Path) -> None:
    path = tmp_path / "births.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=BIRTH_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for (legacy_id, office, born, delay), names in zip(
            IMPORTED, NAMES[profile.code], strict=True
        ):
            given, first, second, sex = names
            municipality = _municipality(offices[office])
            assert municipality.parent is not None
            writer.writerow(
                {
                    "legacy_id": legacy_id,
                    "given_names": given,
                    "first_surname": first,
                    "second_surname": second,
                    "sex": sex,
                    "birth_date": born.isoformat(),
                    "birth_state": municipality.parent.official_code,
                    "birth_municipality": municipality.official_code,
                    "national_id": "",
                    "mother_legacy_id": "",
                    "father_legacy_id": "",
                    "registered_on": (born + dt.timedelta(days=delay)).isoformat(),
                    "office_code": offices[office].code,
                }
            )
    outcome = import_legacy_file(path, "birth")
    assert outcome.imported == len(IMPORTED)


@pytest.fixture
def migrated(
    profile: CountryProfile,
    offices: dict[str, Jurisdiction],
    registrar: User,
    birth_data: BirthData,
    tmp_path: Path,
) -> dict[str, str]:
    """The imported births above, one birth of YEAR registered online at office A five days
    after it happened, and estimates for A's municipality (8) and state (20) for YEAR."""
    _import(profile, offices, tmp_path)
    _birth(
        registrar,
        birth_data(0, given_names=GIVEN[profile.code][0]),
        dt.date(YEAR, 1, 10),
        5,
    )
    muni, state, muni_b, state_b = _home_codes(offices)
    _estimate(muni, YEAR, 8)
    _estimate(state, YEAR, 20)
    return {"muni": muni, "state": state, "muni_b": muni_b, "state_b": state_b}


def test_the_import_keeps_the_old_register_s_registration_date(
    profile: CountryProfile, offices: dict[str, Jurisdiction], tmp_path: Path
) -> None:
    _import(profile, offices, tmp_path)
    stored = dict(
        Person.objects.filter(source="import").values_list("source_reference", "registered_on")
    )
    assert stored == {
        f"LEG-{legacy_id}": born + dt.timedelta(days=delay)
        for legacy_id, _office, born, delay in IMPORTED
    }


def test_imported_births_count_in_timeliness_by_their_delay_and_office(
    supervisor: User, profile: CountryProfile, migrated: dict[str, str]
) -> None:
    report = dashboards.birth_registration_timeliness(actor=supervisor, level="municipality")
    # Office A: four imported births and the one registered online, added up in one row; the
    # birth imported at office B is outside the state supervisor's scope.
    [row] = report.rows
    assert row.code == migrated["muni"]
    assert (row.total, row.within_month, row.within_year, row.later) == (5, 3, 1, 1)
    timely = profile.registration.birth_timely_days
    assert row.late == sum(1 for delay in (10, 200, 500, 3, 5) if delay > timely) == 2
    by_state = dashboards.birth_registration_timeliness(actor=supervisor, level="state")
    assert [(r.code, r.total) for r in by_state.rows] == [(migrated["state"], 5)]


def test_imported_births_count_in_completeness_for_their_year(
    supervisor: User, migrated: dict[str, str]
) -> None:
    report = dashboards.birth_registration_completeness(
        actor=supervisor, level="municipality", year=YEAR
    )
    # Three imported births of YEAR and the online one, against 8 expected; the one imported
    # for the year before counts there, not here.
    [row] = report.rows
    assert (row.code, row.registered, row.timely, row.within_year, row.expected) == (
        migrated["muni"],
        4,
        2,
        3,
        8,
    )
    assert (row.timely_completeness, row.within_year_completeness, row.completeness) == (
        0.25,
        0.375,
        0.5,
    )
    by_state = dashboards.birth_registration_completeness(
        actor=supervisor, level="state", year=YEAR
    )
    assert [(r.code, r.registered, r.expected) for r in by_state.rows] == [
        (migrated["state"], 4, 20)
    ]
    earlier = dashboards.birth_registration_completeness(
        actor=supervisor, level="municipality", year=YEAR - 1
    )
    assert [(r.code, r.registered, r.timely) for r in earlier.rows] == [(migrated["muni"], 1, 1)]


def test_an_official_outside_the_office_s_jurisdiction_does_not_see_them(
    offices: dict[str, Jurisdiction], make_user: MakeUser, migrated: dict[str, str]
) -> None:
    head_b = make_user("head_b", Role.OFFICE_HEAD, offices["b"])
    timeliness = dashboards.birth_registration_timeliness(actor=head_b, level="municipality")
    assert [(r.code, r.total) for r in timeliness.rows] == [(migrated["muni_b"], 1)]
    completeness = dashboards.birth_registration_completeness(
        actor=head_b, level="state", year=YEAR
    )
    assert [(r.code, r.registered, r.expected) for r in completeness.rows] == [
        (migrated["state_b"], 1, None)
    ]
    admin = make_user("admin", Role.NATIONAL_ADMIN, offices["country"])
    national = dashboards.birth_registration_timeliness(actor=admin, level="state")
    assert [(r.code, r.total) for r in national.rows] == sorted(
        [(migrated["state"], 5), (migrated["state_b"], 1)]
    )


def test_a_voided_imported_person_no_longer_counts(
    supervisor: User, migrated: dict[str, str]
) -> None:
    Person.objects.filter(source_reference="LEG-D-1").update(status=PersonStatus.VOID)
    report = dashboards.birth_registration_completeness(
        actor=supervisor, level="municipality", year=YEAR
    )
    assert [(r.registered, r.timely) for r in report.rows] == [(3, 1)]


def test_the_dashboard_page_shows_imported_births(
    supervisor: User, migrated: dict[str, str]
) -> None:
    html = page(signed_in(supervisor).get(f"/office/dashboard/?year={YEAR}"))
    table = html[html.index('<table class="usa-table usa-table--stacked vt-completeness-table"') :]
    # 4 registered for 8 expected: 2 within the legal period, 3 within a year.
    for figure in ("4", "8", "25.0%", "37.5%", "50.0%"):
        assert f">{figure}</td>" in table, figure
