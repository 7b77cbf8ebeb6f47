"""The dashboards count a birth registration late exactly when its record is marked late.

The law states the period in calendar months (Mexico six, Korea one): it ends on the day with
the same number in the last month, or on that month's last day. A count of days (180, 30)
disagrees with it on the days around the end of a month, in both directions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import DateField, Value
from django.utils import timezone, translation

from ventanilla.core.models import Jurisdiction, User
from ventanilla.core.profiles import CountryProfile
from ventanilla.registry import dashboards, services
from ventanilla.registry.models import BirthEstimate, RecordStatus, VitalRecord
from ventanilla.registry.tests.test_pages import page, signed_in

BirthData = Callable[..., dict[str, Any]]

pytestmark = pytest.mark.django_db

D = dt.date

#: Per profile: date of birth, day of registration, and whether the record says it is late.
#: Counted in days instead, some of these would be late though timely, or the reverse; in
#: Korea both happen, in different years, so the counts are compared year by year.
BOUNDARIES: dict[str, list[tuple[dt.date, dt.date, bool]]] = {
    "mx": [
        # Born 31 August: six months end on the last day of February (180 days: 27 February).
        (D(2023, 8, 31), D(2024, 2, 29), False),
        (D(2023, 8, 30), D(2024, 3, 1), True),
        (D(2022, 8, 31), D(2023, 2, 28), False),
        (D(2022, 8, 30), D(2023, 3, 1), True),
        # Born 15 March: the period ends on 15 September, the 184th day.
        (D(2023, 3, 15), D(2023, 9, 15), False),
        (D(2023, 3, 14), D(2023, 9, 15), True),
    ],
    "kr": [
        # Born 31 January: one month ends on the last day of February. Counted as 30 days,
        # born 30 January 2023 and registered 1 March (the 30th day) would be timely.
        (D(2023, 1, 31), D(2023, 2, 28), False),
        (D(2023, 1, 30), D(2023, 3, 1), True),
        (D(2024, 1, 31), D(2024, 2, 29), False),
        (D(2024, 1, 30), D(2024, 3, 1), True),
        # Born 15 January: the period ends on 15 February, the 31st day.
        (D(2022, 1, 15), D(2022, 2, 15), False),
        (D(2022, 1, 14), D(2022, 2, 15), True),
    ],
}

#: Given names of their own, so that no birth is a near-duplicate of another.
GIVEN = {
    "mx": ["Ximena", "Rodrigo", "Paulina", "Gerardo", "Fernanda", "Ignacio"],
    "kr": ["다은", "태윤", "소율", "재민", "하린", "승현"],
}
MOTHERS = {
    "mx": ["Laura", "Beatriz", "Rocío", "Guadalupe", "Teresa", "Patricia"],
    "kr": ["수진", "미경", "은정", "혜진", "지현", "선영"],
}


def _register_on(
    monkeypatch: pytest.MonkeyPatch, actor: User, data: dict[str, Any], day: dt.date
) -> VitalRecord:
    """Declare and register a birth as a registrar would on `day`, at noon local time."""
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    with monkeypatch.context() as patched:
        patched.setattr(timezone, "now", lambda: moment)
        record = services.record_declare(actor=actor, event_type="birth", data=data)
        return services.record_register(actor=actor, record_id=record.pk)


@pytest.fixture
def boundary_births(
    monkeypatch: pytest.MonkeyPatch,
    registrar: User,
    birth_data: BirthData,
    profile: CountryProfile,
) -> list[VitalRecord]:
    records = []
    for index, (born, registered_on, _late) in enumerate(BOUNDARIES[profile.code]):
        data = birth_data(
            index,
            given_names=GIVEN[profile.code][index],
            mother_given_names=MOTHERS[profile.code][index],
            birth_date=born.isoformat(),
        )
        records.append(_register_on(monkeypatch, registrar, data, registered_on))
    return records


def test_the_records_mark_late_only_the_births_registered_after_the_calendar_deadline(
    boundary_births: list[VitalRecord], profile: CountryProfile
) -> None:
    # The premise of the tests below: the records follow the law's calendar months.
    assert all(r.status == RecordStatus.REGISTERED for r in boundary_births)
    assert [r.late for r in boundary_births] == [late for *_d, late in BOUNDARIES[profile.code]]
    for record, (_born, registered_on, _late) in zip(
        boundary_births, BOUNDARIES[profile.code], strict=True
    ):
        assert record.registered_at is not None
        assert timezone.localdate(record.registered_at) == registered_on


def test_timeliness_counts_late_exactly_the_births_whose_record_is_late(
    supervisor: User, boundary_births: list[VitalRecord]
) -> None:
    report = dashboards.birth_registration_timeliness(actor=supervisor, level="municipality")
    assert report.totals.total == len(boundary_births) == 6
    assert report.totals.late == VitalRecord.objects.filter(late=True).count() == 3
    for year in (2022, 2023, 2024):
        of_year = dashboards.birth_registration_timeliness(
            actor=supervisor, level="state", year=year
        )
        late = [r for r in boundary_births if r.late and r.event_date and r.event_date.year == year]
        assert of_year.totals.late == len(late), year


def test_completeness_counts_timely_exactly_the_births_whose_record_is_timely(
    supervisor: User, boundary_births: list[VitalRecord]
) -> None:
    for year in (2022, 2023, 2024):
        report = dashboards.birth_registration_completeness(
            actor=supervisor, level="municipality", year=year
        )
        timely = [
            r for r in boundary_births if not r.late and r.event_date and r.event_date.year == year
        ]
        assert sum(row.timely for row in report.rows) == len(timely), year


def test_a_profile_without_months_keeps_counting_days(
    monkeypatch: pytest.MonkeyPatch,
    supervisor: User,
    boundary_births: list[VitalRecord],
    profile: CountryProfile,
    estimate: BirthEstimate,
) -> None:
    days = profile.registration.birth_timely_days
    in_days = dataclasses.replace(
        profile, registration=dataclasses.replace(profile.registration, birth_timely_months=None)
    )
    monkeypatch.setattr(dashboards, "current_profile", lambda: in_days)
    report = dashboards.birth_registration_timeliness(actor=supervisor, level="municipality")
    expected = sum(
        1
        for born, registered_on, _late in BOUNDARIES[profile.code]
        if registered_on > born + dt.timedelta(days=days)
    )
    assert report.totals.late == expected
    assert report.timely_months is None
    html = page(signed_in(supervisor).get("/office/dashboard/"))
    assert f"The law gives {days} days;" in html
    assert f"Completeness within the legal period ({days} days)</th>" in html


# --------------------------------------------------------------------------------------------
# The page says the period as the law does
# --------------------------------------------------------------------------------------------

PERIOD = {"mx": "6 months", "kr": "1 month"}


@pytest.fixture
def estimate(offices: dict[str, Jurisdiction]) -> BirthEstimate:
    """An estimate for the home municipality, so that the completeness table shows."""
    municipality = offices["a"].parent
    assert municipality is not None
    return BirthEstimate.objects.create(
        jurisdiction=municipality, year=2023, expected_births=10, source="CONAPO"
    )


def test_the_page_states_the_legal_period_as_the_profile_defines_it(
    supervisor: User, profile: CountryProfile, estimate: BirthEstimate
) -> None:
    html = page(signed_in(supervisor).get("/office/dashboard/"))
    period = PERIOD[profile.code]
    assert f"The law gives {period};" in html
    assert f"registered within the legal period ({period})" in html
    assert f"Completeness within the legal period ({period})</th>" in html
    assert "days;" not in html


@pytest.mark.parametrize("language", ["es-mx", "ko"])
def test_the_legal_period_is_translated_with_its_plural(
    supervisor: User, profile: CountryProfile, estimate: BirthEstimate, language: str
) -> None:
    months = profile.registration.birth_timely_months
    assert months is not None
    html = page(signed_in(supervisor, language).get("/office/dashboard/"))
    with translation.override(language):
        period = translation.ngettext("%(months)s month", "%(months)s months", months) % {
            "months": months
        }
        heading = translation.gettext("Completeness within the legal period (%(period)s)") % {
            "period": period
        }
    assert f"{heading}</th>" in html


# --------------------------------------------------------------------------------------------
# The database's month arithmetic
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("months", [1, 2, 6, 11, 12, 13])
def test_the_database_adds_months_as_the_profile_s_deadline_does(
    offices: dict[str, Jurisdiction], profile: CountryProfile, months: int
) -> None:
    # Every day near a month's end or start over a common and a leap year, on SQLite (whose
    # own month arithmetic runs past a short month's end) and on PostgreSQL alike.
    days = [
        D(2023, 1, 1) + dt.timedelta(days=n)
        for n in range(731)
        if (D(2023, 1, 1) + dt.timedelta(days=n)).day not in range(3, 27)
    ]
    rules = dataclasses.replace(
        profile.registration, birth_timely_months=months, birth_timely_days=0
    )
    deadlines = {
        f"d{index}": dashboards.AddMonths(Value(day, output_field=DateField()), months)
        for index, day in enumerate(days)
    }
    computed = (
        Jurisdiction.objects.filter(pk=offices["country"].pk)
        .annotate(**deadlines)
        .values_list(*deadlines)
        .get()
    )
    assert list(computed) == [rules.birth_deadline(day) for day in days]
