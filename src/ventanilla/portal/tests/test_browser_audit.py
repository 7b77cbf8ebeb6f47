"""An auditor reads the access log in a real browser, with accessibility checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from ventanilla.core.models import User
from ventanilla.portal.tests.helpers import axe_check, sign_in
from ventanilla.registry import selectors, services

pytestmark = pytest.mark.browser

BirthData = Callable[..., dict[str, Any]]
TotpKey = Callable[[User], str]


def test_an_auditor_filters_the_access_log_by_official(
    page: Page,
    auditor: User,
    registrar: User,
    registrar_b: User,
    totp_key: TotpKey,
    birth_data: BirthData,
) -> None:
    record = services.record_declare(actor=registrar, event_type="birth", data=birth_data(0))
    services.record_register(actor=registrar, record_id=record.pk)
    selectors.person_search(actor=registrar_b, name=str(birth_data(1)["given_names"]))

    sign_in(page, auditor.username, key=totp_key(auditor))
    with page.expect_navigation():
        page.click("nav a[href='/office/access-log/']")
    rows = page.locator("main table.vt-audit-log tbody tr")
    expect(rows.filter(has_text=registrar.username).first).to_be_visible()
    expect(rows.filter(has_text=registrar_b.username)).to_have_count(1)
    axe_check(page)

    page.fill("#id_actor", registrar.username)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "actor=registrar_a" in page.url
    expect(rows.filter(has_text=registrar_b.username)).to_have_count(0)
    expect(rows.filter(has_text=registrar.username).first).to_be_visible()
    # Counts of persons, and no way from the log into anyone's entry in the register.
    expect(page.locator("main a[href^='/office/persons/']")).to_have_count(0)

    # An inverted date range is explained at the top and by the field.
    page.fill("#id_date_from", "2025-02-01")
    page.fill("#id_date_to", "2025-01-01")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#id_date_to-error")).to_be_visible()
    axe_check(page)


def test_a_registrar_has_no_access_log_in_the_navigation(
    page: Page, registrar: User, totp_key: TotpKey
) -> None:
    sign_in(page, registrar.username, key=totp_key(registrar))
    expect(page.locator("nav a[href='/office/access-log/']")).to_have_count(0)
    response = page.goto("/office/access-log/")
    assert response is not None and response.status == 403
    axe_check(page)
