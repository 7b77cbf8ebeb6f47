"""Signing in: officials need a TOTP code; guessing is slowed down."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from ventanilla.core.models import User

KEY = "3132333435363738393031323334353637383930"


@pytest.fixture
def registrar_with_device(registrar: User) -> User:
    TOTPDevice.objects.create(user=registrar, name="phone", key=KEY, confirmed=True)
    return registrar


def _sign_in(client: Client, username: str, password: str, token: str = "") -> Any:
    return client.post(
        "/sign-in/",
        {"username": username, "password": password, "token": token},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_an_official_with_password_and_code_gets_in(
    client: Client, registrar_with_device: User
) -> None:
    response = _sign_in(
        client, "registrar_a", "correct-horse-battery", f"{totp(bytes.fromhex(KEY)):06d}"
    )
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(registrar_with_device.pk)


def test_an_official_without_the_code_is_asked_for_it(
    client: Client, registrar_with_device: User
) -> None:
    response = _sign_in(client, "registrar_a", "correct-horse-battery")
    assert response.status_code == 401
    assert "_auth_user_id" not in client.session


def test_a_wrong_code_is_refused(client: Client, registrar_with_device: User) -> None:
    code = (totp(bytes.fromhex(KEY)) + 1) % 1_000_000
    response = _sign_in(client, "registrar_a", "correct-horse-battery", f"{code:06d}")
    assert response.status_code == 401


def test_right_after_a_wrong_code_the_official_is_told_to_wait_not_refused(
    client: Client, registrar_with_device: User
) -> None:
    right = totp(bytes.fromhex(KEY))
    _sign_in(client, "registrar_a", "correct-horse-battery", f"{(right + 1) % 1_000_000:06d}")
    # As after several wrong codes: the device refuses any code for 2**4 seconds.
    TOTPDevice.objects.filter(user=registrar_with_device).update(throttling_failure_count=5)
    response = _sign_in(client, "registrar_a", "correct-horse-battery", f"{right:06d}")
    assert response.status_code == 429
    assert re.search(
        r"Wait 1\d seconds before entering the code again\.", response.content.decode()
    )
    assert "_auth_user_id" not in client.session
    TOTPDevice.objects.filter(user=registrar_with_device).update(throttling_failure_timestamp=None)
    response = _sign_in(client, "registrar_a", "correct-horse-battery", f"{right:06d}")
    assert response.status_code == 302


def test_a_citizen_signs_in_with_a_password(client: Client, make_user: Any) -> None:
    make_user("ciudadana")
    assert _sign_in(client, "ciudadana", "correct-horse-battery").status_code == 302


def test_repeated_failures_lock_the_account_for_a_while(
    client: Client, registrar_with_device: User, settings: Any
) -> None:
    for _ in range(settings.SIGN_IN_FAILURE_LIMIT):
        assert _sign_in(client, "registrar_a", "wrong-password").status_code == 401
    code = f"{totp(bytes.fromhex(KEY)):06d}"
    response = _sign_in(client, "registrar_a", "correct-horse-battery", code)
    assert response.status_code == 429
    assert b"Too many attempts" in response.content
