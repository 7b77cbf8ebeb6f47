"""Back-office flows in a real browser, each ending with an accessibility check of its pages."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from ventanilla.core.models import Jurisdiction, User
from ventanilla.core.profiles import CountryProfile
from ventanilla.portal.tests.helpers import axe_check, fill_profile_form, sign_in
from ventanilla.registry import identity, services
from ventanilla.registry.models import DuplicateFlag, Person, VitalRecord
from ventanilla.registry.selectors import SEARCH_LIMIT
from ventanilla.registry.tests.factories import imported_person

pytestmark = pytest.mark.browser

BirthData = Callable[..., dict[str, Any]]
TotpKey = Callable[[User], str]
RECORD_URL = re.compile(r"/office/records/(?P<id>[0-9a-f-]{36})/$")


def _registered(actor: User, data: dict[str, Any]) -> VitalRecord:
    record = services.record_declare(actor=actor, event_type="birth", data=data)
    return services.record_register(actor=actor, record_id=record.pk)


def test_a_registrar_declares_and_registers_a_birth(
    page: Page,
    registrar: User,
    totp_key: TotpKey,
    birth_data: BirthData,
    profile: CountryProfile,
) -> None:
    sign_in(page, registrar.username, key=totp_key(registrar), check=True)

    page.goto("/office/declare/")
    axe_check(page)
    with page.expect_navigation():
        page.click("a[href='/office/declare/birth/']")
    # Sending the empty form shows the error summary and the errors by the fields.
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#id_given_names-error")).to_be_visible()
    axe_check(page)

    data = birth_data(1)
    fill_profile_form(page, profile.event_type("birth"), data)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    match = RECORD_URL.search(page.url)
    assert match, page.url
    record_id = match["id"]
    expect(page.locator("main h1")).to_be_visible()
    axe_check(page)

    page.goto("/office/")
    expect(page.locator(f"a[href='/office/records/{record_id}/']")).to_be_visible()
    axe_check(page)

    with page.expect_navigation():
        page.click(f"a[href='/office/records/{record_id}/']")
    with page.expect_navigation():
        page.click(f"form[action='/office/records/{record_id}/register/'] button")
    record = VitalRecord.objects.get(pk=record_id)
    assert record.status == "registered" and record.registration_number
    expect(page.locator("main")).to_contain_text(record.registration_number)
    axe_check(page)

    assert record.subject_id is not None
    person = Person.objects.get(pk=record.subject_id)
    assert person.national_id
    with page.expect_navigation():
        page.click(f"main a[href='/office/persons/{person.pk}/']")
    expect(page.get_by_test_id("national-id")).to_have_text(
        identity.scheme().format(person.national_id)
    )
    axe_check(page)


def test_a_near_duplicate_is_reviewed_in_place_and_then_registered(
    page: Page,
    registrar: User,
    totp_key: TotpKey,
    birth_data: BirthData,
    profile: CountryProfile,
) -> None:
    _registered(registrar, birth_data(0))
    close_name = "Ana Sofia" if profile.code == "mx" else "서현"
    declared = services.record_declare(
        actor=registrar, event_type="birth", data=birth_data(0, given_names=close_name)
    )
    flag = DuplicateFlag.objects.get(record=declared)
    sign_in(page, registrar.username, key=totp_key(registrar))

    page.goto(f"/office/records/{declared.pk}/")
    with page.expect_navigation():
        page.click(f"main a.usa-button[href='/office/records/{declared.pk}/duplicates/']")
    expect(page.locator("table.vt-compare")).to_be_visible()
    expect(page.locator("main")).to_contain_text(f"{round(flag.score * 100)}%")
    axe_check(page)

    # htmx swaps the decision in place: the page is not reloaded.
    page.evaluate("window.stillTheSamePage = true")
    decision = page.locator(f"#decision-{flag.candidate_id}")
    decision.locator("button[value='not_duplicate']").click()
    expect(decision.locator(".vt-decided")).to_be_visible()
    assert page.evaluate("window.stillTheSamePage === true")
    expect(page.locator("#duplicate-status .usa-alert--success")).to_be_visible()
    flag.refresh_from_db()
    assert flag.decision == "not_duplicate"
    axe_check(page)

    page.goto(f"/office/records/{declared.pk}/")
    with page.expect_navigation():
        page.click(f"form[action='/office/records/{declared.pk}/register/'] button")
    declared.refresh_from_db()
    assert declared.status == "registered"
    axe_check(page)


def test_search_by_name_finds_the_person(
    page: Page, registrar: User, totp_key: TotpKey, birth_data: BirthData
) -> None:
    data = birth_data(2)
    record = _registered(registrar, data)
    sign_in(page, registrar.username, key=totp_key(registrar))
    page.goto("/office/search/")
    axe_check(page)
    page.fill("#id_name", f"{data['given_names']} {data['first_surname']}")
    with page.expect_navigation():
        page.click("main form[role=search] button[type=submit]")
    link = page.locator(f"main table a[href='/office/persons/{record.subject_id}/']")
    expect(link).to_be_visible()
    axe_check(page)
    with page.expect_navigation():
        link.click()
    expect(page.locator("main h1")).to_contain_text(data["given_names"])


def test_a_crowded_search_asks_to_be_narrowed(
    page: Page, registrar: User, totp_key: TotpKey, offices: dict[str, Jurisdiction]
) -> None:
    born = dt.date(1990, 1, 1)
    Person.objects.bulk_create(
        imported_person(offices["a"], "Rosa", "Ruiz", born=born + dt.timedelta(days=n))
        for n in range(SEARCH_LIMIT + 1)
    )
    sign_in(page, registrar.username, key=totp_key(registrar))
    page.goto("/office/search/")
    page.fill("#id_name", "Rosa Ruiz")
    with page.expect_navigation():
        page.click("main form[role=search] button[type=submit]")
    notice = page.locator("main .usa-alert--info[role=status]")
    with translation.override(page.locator("html").get_attribute("lang")):
        expected = translation.gettext(
            "More persons match than are shown. Narrow the search by date or place of birth."
        )
    expect(notice).to_have_text(expected)
    expect(page.locator("main table a[href^='/office/persons/']")).to_have_count(SEARCH_LIMIT)
    axe_check(page)
    page.fill("#id_born_to", "1990-01-03")
    with page.expect_navigation():
        page.click("main form[role=search] button[type=submit]")
    expect(page.locator("main table a[href^='/office/persons/']")).to_have_count(3)
    expect(notice).to_have_count(0)


def test_the_dashboard_renders_its_chart(
    page: Page, registrar: User, supervisor: User, totp_key: TotpKey, birth_data: BirthData
) -> None:
    for index, days in enumerate((2, 45, 400)):
        record = _registered(registrar, birth_data(index))
        assert record.event_date is not None
        when = dt.datetime.combine(record.event_date + dt.timedelta(days=days), dt.time(10))
        VitalRecord.objects.filter(pk=record.pk).update(registered_at=timezone.make_aware(when))
    sign_in(page, supervisor.username, key=totp_key(supervisor))
    page.goto("/office/dashboard/")
    chart = page.locator("svg.vt-chart__svg[role=img]")
    expect(chart).to_be_visible()
    expect(chart.locator("rect")).to_have_count(3)
    expect(page.locator("#timeliness-chart-title")).to_have_count(1)
    expect(page.locator("table.vt-dashboard-table tbody tr")).to_have_count(1)
    expect(page.locator("table.vt-dashboard-table tfoot td").first).to_have_text("3")
    axe_check(page)
