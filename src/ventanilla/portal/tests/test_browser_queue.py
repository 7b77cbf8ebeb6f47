"""The review queue in a real browser: paging through a long queue, and a death declared
for a person registered in another state by their national ID; each page passes axe."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from ventanilla.core.models import Jurisdiction, User
from ventanilla.core.paging import PAGE_SIZE
from ventanilla.core.profiles import CountryProfile
from ventanilla.portal.tests.helpers import axe_check, fill_profile_form, sign_in
from ventanilla.registry import identity, services
from ventanilla.registry.models import Person, VitalRecord

pytestmark = pytest.mark.browser

BirthData = Callable[..., dict[str, Any]]
TotpKey = Callable[[User], str]


def test_a_registrar_pages_through_a_long_queue(
    page: Page, registrar: User, totp_key: TotpKey, offices: dict[str, Jurisdiction]
) -> None:
    records = VitalRecord.objects.bulk_create(
        VitalRecord(event_type="birth", status="declared", office=offices["a"], data={})
        for _ in range(PAGE_SIZE + 3)
    )
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    for i, record in enumerate(records):
        record.created_at = start + dt.timedelta(minutes=i)
    VitalRecord.objects.bulk_update(records, ["created_at"])
    sign_in(page, registrar.username, key=totp_key(registrar))

    page.goto("/office/")
    expect(page.get_by_test_id("queue-waiting")).to_contain_text(str(PAGE_SIZE + 3))
    expect(page.locator("table.vt-queue tbody tr")).to_have_count(PAGE_SIZE)
    axe_check(page)
    with page.expect_navigation():
        page.click("a[rel=next]")
    rows = page.locator("table.vt-queue tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.last.locator("a")).to_have_attribute("href", f"/office/records/{records[-1].pk}/")
    expect(page.locator("a[rel=next]")).to_have_count(0)
    axe_check(page)
    with page.expect_navigation():
        page.click("a[rel=prev]")
    expect(page.locator("table.vt-queue tbody tr")).to_have_count(PAGE_SIZE)


def test_a_death_is_declared_by_the_national_id_of_a_person_from_another_state(
    page: Page,
    registrar: User,
    registrar_b: User,
    totp_key: TotpKey,
    birth_data: BirthData,
    offices: dict[str, Jurisdiction],
    profile: CountryProfile,
) -> None:
    municipality = offices["b"].parent
    assert municipality is not None and municipality.parent is not None
    born = services.record_declare(
        actor=registrar_b,
        event_type="birth",
        data=birth_data(
            2,
            birth_state=municipality.parent.official_code,
            birth_municipality=municipality.official_code,
        ),
    )
    born = services.record_register(actor=registrar_b, record_id=born.pk)
    assert born.subject_id is not None
    person = Person.objects.get(pk=born.subject_id)
    assert person.national_id
    here = offices["a"].parent
    assert here is not None and here.parent is not None
    spec = profile.event_type("death")
    data: dict[str, Any] = {"deceased": identity.scheme().format(person.national_id)}
    for field in spec.fields:
        if field.required and field.type == "choice":
            data[field.name] = field.choices[0]
    data |= {
        "death_date": dt.date.today().isoformat(),
        "death_state": here.parent.official_code,
        "death_municipality": here.official_code,
    }
    sign_in(page, registrar.username, key=totp_key(registrar))

    page.goto("/office/declare/death/")
    fill_profile_form(page, spec, data)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    record = VitalRecord.objects.get(event_type="death")
    assert page.url.endswith(f"/office/records/{record.pk}/"), page.url
    assert record.data["deceased"] == str(person.pk)
    axe_check(page)
