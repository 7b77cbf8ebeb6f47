"""The demo's recent births: registered through the services, with a mix of delays, and
the dashboards they fill."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from ventanilla.core.models import Jurisdiction, User
from ventanilla.core.profiles import CountryProfile
from ventanilla.registry import dashboards, demo_births, events
from ventanilla.registry.management.commands.setup_demo import (
    DEMO_RECENT_BIRTHS,
    HOME_MUNICIPALITY,
)
from ventanilla.registry.models import (
    BirthEstimate,
    EventType,
    Person,
    RecordAction,
    RecordStatus,
    VitalRecord,
)


def _plan(profile: CountryProfile, today: dt.date) -> list[demo_births.DemoBirth]:
    return demo_births.plan(
        profile.code,
        seed=5,
        count=DEMO_RECENT_BIRTHS,
        today=today,
        home_code=HOME_MUNICIPALITY[profile.code],
    )


def test_the_planned_births_are_valid_declarations_the_same_for_a_seed(
    profile: CountryProfile, offices: dict[str, Jurisdiction]
) -> None:
    # Early in a (past) year: the births of the last month straddle two years.
    today = dt.date(timezone.localdate().year - 1, 1, 10)
    births = _plan(profile, today)
    assert births == _plan(profile, today)
    for birth in births:
        events.clean("birth", birth.data)  # raises on anything the form refuses
        assert dt.date.fromisoformat(birth.data["birth_date"]) < today
    delays = Counter(b.delay for b in births)
    assert delays["within_month"] > len(births) / 2
    assert delays["within_year"] >= 2
    assert delays["later"] >= 2
    assert len({b.municipality.state_code for b in births}) >= 2
    assert len({b.municipality.code for b in births}) >= 10


@pytest.mark.django_db
def test_the_demo_registers_recent_births_that_fill_the_dashboards(
    profile: CountryProfile,
) -> None:
    out = StringIO()
    call_command("setup_demo", persons=150, seed=5, stdout=out)
    assert f"Recent births: {DEMO_RECENT_BIRTHS} declared and registered" in out.getvalue()

    # The national administrator sees registrations in several states, in every delay bucket.
    admin = User.objects.get(username="admin")
    timeliness = dashboards.birth_registration_timeliness(actor=admin, level="state")
    assert len([row for row in timeliness.rows if row.total]) >= 2
    totals = timeliness.totals
    assert totals.total >= DEMO_RECENT_BIRTHS
    assert totals.within_month > totals.total / 2
    assert totals.within_year >= 2
    assert totals.later >= 2
    assert totals.late >= 2

    # A birth past the legal period was declared late, and checked before it was registered.
    timely = profile.registration.is_birth_registration_timely
    today = timezone.localdate()
    registered = VitalRecord.objects.filter(
        event_type=EventType.BIRTH, status=RecordStatus.REGISTERED
    )
    for record in registered:
        assert record.event_date is not None
        assert record.late == (not timely(record.event_date, today))
    late = registered.filter(late=True)
    assert late.count() >= 2
    validated = set(
        RecordAction.objects.filter(record__in=late, action="validate").values_list(
            "record_id", flat=True
        )
    )
    assert validated == set(late.values_list("pk", flat=True))

    # The state supervisor has completeness figures for the last years (this one too, once
    # its first month is over), which differ from place to place and stay plausible.
    supervisor = User.objects.get(username="supervisor")
    years = [today.year - 1, today.year - 2]
    if today.timetuple().tm_yday > 30:
        years.append(today.year)
    assert dashboards.estimate_years(actor=supervisor)[0] in (today.year, today.year - 1)
    busiest: tuple[int, dashboards.CompletenessReport] | None = None
    for year in years:
        report = dashboards.birth_registration_completeness(
            actor=supervisor, level="municipality", year=year
        )
        assert [r for r in report.estimated_rows if r.registered], year
        assert report.totals is not None and report.totals.completeness is not None
        assert 0.3 < report.totals.completeness <= 1.2, year
        if busiest is None or report.totals.registered > busiest[0]:
            busiest = (report.totals.registered, report)
    assert busiest is not None
    shares = {round(r.completeness or 0, 2) for r in busiest[1].estimated_rows}
    assert len(shares) >= 3
    assert min(shares) < 0.8
    assert all(0 < share <= 1.2 for share in shares)

    # The registrar's demo account registered at their own office; it holds no new role.
    registrar = User.objects.get(username="registrar")
    assert RecordAction.objects.filter(actor=registrar, action="register").count() > 3
    assert registrar.roles.count() == 1
    assert not User.objects.get(username="demo-registrars").has_usable_password()

    # The near-duplicate declaration still waits for the side-by-side review.
    agent = User.objects.get(username="agent")
    waiting = VitalRecord.objects.filter(
        actions__actor=agent, actions__action="create", status=RecordStatus.DECLARED
    )
    assert waiting.count() == 1
    assert waiting.get().duplicates_pending

    # A second run adds nothing.
    counts = (VitalRecord.objects.count(), Person.objects.count(), BirthEstimate.objects.count())
    again = StringIO()
    call_command("setup_demo", persons=150, seed=5, stdout=again)
    assert "Recent births: already registered, none added." in again.getvalue()
    assert (
        VitalRecord.objects.count(),
        Person.objects.count(),
        BirthEstimate.objects.count(),
    ) == counts
