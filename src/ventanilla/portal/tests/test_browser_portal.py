"""The citizen portal and signing in, in a real browser, with accessibility checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from ventanilla.core.access import log_access
from ventanilla.core.models import AccessKind, User
from ventanilla.core.paging import PAGE_SIZE
from ventanilla.core.profiles import CountryProfile
from ventanilla.portal.tests.helpers import PASSWORD, axe_check, sign_in
from ventanilla.registry import selectors, services

pytestmark = pytest.mark.browser

BirthData = Callable[..., dict[str, Any]]

#: What a refused sign-in says in each profile's default language.
REFUSED = {
    "mx": "El usuario, la contraseña o el código no son correctos.",
    "kr": "아이디, 비밀번호 또는 인증 코드가 올바르지 않습니다.",
}
READ_YOUR_ENTRY = {
    "mx": "Consultó su inscripción en el registro",
    "kr": "등록부의 본인 정보 열람",
}
TOO_MANY = {
    "mx": "Demasiados intentos. Espere unos minutos y vuelva a intentarlo.",
    "kr": "시도 횟수가 너무 많습니다. 몇 분 후에 다시 시도하십시오.",
}


def _try(page: Page, username: str) -> None:
    page.fill("#id_username", username)
    page.fill("#id_password", "not-the-password")
    with page.expect_navigation():
        page.click("main form button[type=submit]")


def test_a_refused_sign_in_speaks_the_default_language_and_then_stops_guessing(
    page: Page, registrar: User, profile: CountryProfile
) -> None:
    page.goto("/sign-in/")
    _try(page, registrar.username)
    alert = page.locator("main [role=alert]")
    expect(alert).to_have_text(REFUSED[profile.code])
    expect(page.locator("html")).to_have_attribute("lang", settings.LANGUAGE_CODE)
    axe_check(page)
    for _attempt in range(settings.SIGN_IN_FAILURE_LIMIT - 1):
        _try(page, registrar.username)
    # The limit is reached: even the right password is not checked any more.
    page.fill("#id_username", registrar.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    expect(alert).to_have_text(TOO_MANY[profile.code])
    axe_check(page)


def test_a_citizen_sees_their_records_and_the_registrar_s_read(
    page: Page,
    registrar: User,
    birth_data: BirthData,
    make_user: Callable[..., User],
    profile: CountryProfile,
) -> None:
    record = services.record_declare(actor=registrar, event_type="birth", data=birth_data())
    record = services.record_register(actor=registrar, record_id=record.pk)
    assert record.subject is not None and record.registration_number
    citizen = make_user("ciudadana")
    record.subject.account = citizen
    record.subject.save(update_fields=["account"])
    selectors.person_detail(actor=registrar, person_id=record.subject.pk)
    for _ in range(PAGE_SIZE):  # the read is pushed onto the second page
        log_access(
            actor=registrar,
            grant=registrar.roles.get(),
            kind=AccessKind.SEARCH,
            purpose="person.search",
            subject_ids=[str(record.subject.pk)],
        )

    sign_in(page, citizen.username)
    with page.expect_navigation():
        page.click("nav a[href='/me/records/']")
    expect(page.locator("main table")).to_contain_text(record.registration_number)
    axe_check(page)
    with page.expect_navigation():
        page.click("nav a[href='/me/access-log/']")
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(PAGE_SIZE)
    expect(rows.filter(has_text=registrar.username).first).to_be_visible()
    axe_check(page)
    with page.expect_navigation():
        page.click("main nav a[rel=next]")
    expect(rows.filter(has_text=READ_YOUR_ENTRY[profile.code]).first).to_be_visible()
    expect(page.locator("main nav a[rel=prev]")).to_be_visible()
    axe_check(page)


def test_switching_the_language_changes_the_page(page: Page, db: Any) -> None:
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", settings.LANGUAGE_CODE)
    axe_check(page)
    for code, sign_in_text in (("en", "Sign in"), ("ko", "로그인"), ("es-mx", "Iniciar sesión")):
        page.select_option("#language", code)
        with page.expect_navigation():
            page.click("form.vt-language button[type=submit]")
        expect(page.locator("html")).to_have_attribute("lang", code)
        expect(page.locator("nav a[href='/sign-in/']")).to_have_text(sign_in_text)
    axe_check(page)
