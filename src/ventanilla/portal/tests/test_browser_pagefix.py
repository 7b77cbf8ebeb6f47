"""Error pages and links that lead somewhere, in a real browser, with accessibility checks."""

from __future__ import annotations

from collections.abc import Callable
from html import unescape
from typing import Any

import pytest
from django.conf import settings
from django.utils import translation
from playwright.sync_api import Page, expect

from ventanilla.core.models import User
from ventanilla.portal.tests.helpers import axe_check, sign_in
from ventanilla.registry import services

pytestmark = pytest.mark.browser

BirthData = Callable[..., dict[str, Any]]
TotpKey = Callable[[User], str]


def _said(message: str) -> str:
    """The message in the browser's language (the profile's default)."""
    with translation.override(settings.LANGUAGE_CODE):
        return unescape(translation.gettext(message))


def test_a_mistyped_address_is_explained_in_the_user_s_language_with_a_way_home(
    page: Page,
) -> None:
    response = page.goto("/office/records/123/")
    assert response is not None and response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", settings.LANGUAGE_CODE)
    expect(page.locator("main h1")).to_have_text(_said("Page not found"))
    axe_check(page)
    with page.expect_navigation():
        page.click(f"main a:text-is('{_said('Go to the home page')}')")
    assert page.url.endswith("/")


def test_a_refused_auditor_is_offered_the_home_page_not_the_review_queue(
    page: Page, auditor: User, totp_key: TotpKey
) -> None:
    sign_in(page, auditor.username, key=totp_key(auditor))
    response = page.goto("/office/declare/")
    assert response is not None and response.status == 403
    expect(page.locator("main h1")).to_have_text(_said("You cannot do this here"))
    expect(page.locator("main a[href='/office/']")).to_have_count(0)
    expect(page.locator("main a[href='/']")).to_have_count(1)
    axe_check(page)


def test_a_candidate_registered_elsewhere_is_compared_without_a_dead_link(
    page: Page,
    registrar: User,
    registrar_b: User,
    totp_key: TotpKey,
    birth_data: BirthData,
) -> None:
    elsewhere = services.record_declare(actor=registrar_b, event_type="birth", data=birth_data(0))
    services.record_register(actor=registrar_b, record_id=elsewhere.pk)
    near = services.record_declare(actor=registrar, event_type="birth", data=birth_data(0))
    sign_in(page, registrar.username, key=totp_key(registrar))
    page.goto(f"/office/records/{near.pk}/duplicates/")
    expect(page.locator("main section.vt-candidate")).to_have_count(1)
    expect(page.locator("main section.vt-candidate a[href^='/office/persons/']")).to_have_count(0)
    axe_check(page)
