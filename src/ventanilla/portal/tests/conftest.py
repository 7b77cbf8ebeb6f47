"""Fixtures for the browser tests: one headless Chromium per session, a fresh context per test.

The tests drive Debian's Chromium through Playwright's sync API against pytest-django's
live server (which serves the static files too). Playwright runs an event loop in the test
thread, so Django's "no ORM calls inside an event loop" guard is switched off here.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, sync_playwright

from ventanilla.core.models import User
from ventanilla.core.profiles import CountryProfile

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("VENTANILLA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: The browser's language: the profile's default, as a citizen of that country would have it.
BROWSER_LOCALE = {"mx": "es-MX", "kr": "ko-KR"}


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    executable = CHROMIUM if Path(CHROMIUM).exists() else str(shutil.which("chromium"))
    playwright = sync_playwright().start()
    launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    try:
        yield launched
    finally:
        launched.close()
        playwright.stop()


@pytest.fixture
def page(
    browser: Browser, live_server: Any, transactional_db: Any, profile: CountryProfile
) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, locale=BROWSER_LOCALE[profile.code])
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def totp_key() -> Callable[[User], str]:
    """Give an official an authenticator; returns its secret (hex) for computing codes."""

    def make(user: User) -> str:
        key = secrets.token_hex(20)
        TOTPDevice.objects.create(user=user, name="browser test", key=key, confirmed=True)
        return key

    return make
