"""The completeness part of the officials' dashboard in a real browser, with axe-core checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from ventanilla.core.models import Jurisdiction, JurisdictionLevel, User
from ventanilla.core.profiles import CountryProfile
from ventanilla.portal.tests.helpers import axe_check, sign_in
from ventanilla.registry import services
from ventanilla.registry.models import BirthEstimate, VitalRecord

pytestmark = pytest.mark.browser

BirthData = Callable[..., dict[str, Any]]
TotpKey = Callable[[User], str]

SECOND_HOME = {"mx": "09003", "kr": "11140"}
GIVEN = {"mx": ["Lucía", "Mateo", "Valeria"], "kr": ["하은", "시우", "지안"]}


def _birth(actor: User, data: dict[str, Any], born: dt.date, delay: int) -> None:
    record = services.record_declare(
        actor=actor, event_type="birth", data={**data, "birth_date": born.isoformat()}
    )
    record = services.record_register(actor=actor, record_id=record.pk)
    moment = dt.datetime.combine(born + dt.timedelta(days=delay), dt.time(10))
    VitalRecord.objects.filter(pk=record.pk).update(registered_at=timezone.make_aware(moment))


def test_the_dashboard_charts_completeness_and_changes_year(
    page: Page,
    registrar: User,
    supervisor: User,
    totp_key: TotpKey,
    birth_data: BirthData,
    offices: dict[str, Jurisdiction],
    profile: CountryProfile,
) -> None:
    year = timezone.localdate().year - 2
    timely = profile.registration.birth_timely_days
    # Three births of that year: within the legal period, within a year, later.
    for index, delay in enumerate((3, timely + 10, 500)):
        born = dt.date(year, 2, 1) + dt.timedelta(days=7 * index)
        _birth(registrar, birth_data(index, given_names=GIVEN[profile.code][index]), born, delay)
    home = offices["a"].parent
    assert home is not None
    second = Jurisdiction.objects.get(
        level=JurisdictionLevel.MUNICIPALITY, official_code=SECOND_HOME[profile.code]
    )
    BirthEstimate.objects.create(
        jurisdiction=home, year=year, expected_births=4, source="Test figure"
    )
    BirthEstimate.objects.create(
        jurisdiction=second, year=year, expected_births=2, source="Test figure"
    )

    sign_in(page, supervisor.username, key=totp_key(supervisor))
    page.goto("/office/dashboard/")
    with translation.override(page.locator("html").get_attribute("lang")):
        heading = translation.gettext("Completeness per municipality, births of %(year)s")
        alert = translation.gettext(
            "No estimate of expected births covers these places for %(year)s, so their "
            "completeness cannot be computed."
        )
    # The latest year with estimates is chosen; the home municipality has one bar of three
    # segments, the second municipality (no registration) none.
    expect(page.locator("#id_year")).to_have_value(str(year))
    expect(page.locator("#completeness")).to_have_text(heading % {"year": year})
    chart = page.locator("svg[aria-labelledby='completeness-chart-title']")
    expect(chart).to_be_visible()
    expect(chart.locator("rect")).to_have_count(3)
    expect(chart.locator("desc#completeness-chart-desc")).to_have_count(1)
    rows = page.locator("table.vt-completeness-table tbody tr")
    expect(rows).to_have_count(2)
    home_row = rows.filter(has_text=home.name)
    expect(home_row.locator("td").nth(1)).to_have_text("4")
    expect(home_row.locator("td").nth(4)).to_have_text("75.0%")
    expect(page.locator("table.vt-completeness-table tfoot td").first).to_have_text("3")
    axe_check(page)

    # The current year has no estimate: no chart, the births still counted, and a notice.
    _birth(
        registrar,
        birth_data(3, given_names="Emilio" if profile.code == "mx" else "도현"),
        timezone.localdate(),
        0,
    )
    this_year = timezone.localdate().year
    page.select_option("#id_year", str(this_year))
    with page.expect_navigation():
        page.click("main form.vt-inline-form button[type=submit]")
    expect(page.locator("#id_year")).to_have_value(str(this_year))
    expect(page.locator("main .usa-alert--info")).to_have_text(alert % {"year": this_year})
    expect(chart).to_have_count(0)
    expect(rows).to_have_count(1)
    axe_check(page)
