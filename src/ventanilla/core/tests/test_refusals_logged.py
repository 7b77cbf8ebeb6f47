"""A refused attempt stays in the access log, even when the write it was part of rolls back."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from ventanilla.core.access import verify_chain
from ventanilla.core.errors import PermissionDenied
from ventanilla.core.idempotency import run_once
from ventanilla.core.models import (
    AccessKind,
    AccessLogEntry,
    IdempotencyRecord,
    Jurisdiction,
    Role,
    RoleAssignment,
    User,
)
from ventanilla.core.permissions import Action, authorise
from ventanilla.registry import services
from ventanilla.registry.models import VitalRecord

BirthData = Callable[..., dict[str, Any]]
RECORDS = "/api/v1/registry/records"


def _refusals(actor: User) -> list[AccessLogEntry]:
    return list(AccessLogEntry.objects.filter(actor=actor, kind=AccessKind.DENIED))


def _api(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _office_page(user: User) -> Client:
    """Signed in with the second factor done, as the sign-in page leaves an official."""
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _post_json(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(
        url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex
    )


def test_registering_another_offices_record_over_the_api_is_refused_and_logged(
    registrar: User, registrar_b: User, birth_data: BirthData
) -> None:
    record = services.record_declare(actor=registrar, event_type="birth", data=birth_data())
    response = _post_json(_api(registrar_b), f"{RECORDS}/{record.pk}/register", {})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    [refusal] = _refusals(registrar_b)
    assert refusal.purpose == Action.RECORD_REGISTER
    assert VitalRecord.objects.get(pk=record.pk).status == "declared"
    assert not IdempotencyRecord.objects.filter(actor=registrar_b).exists()
    assert verify_chain().intact


def test_declaring_at_another_office_over_the_api_is_refused_and_logged(
    registrar_b: User, offices: dict[str, Jurisdiction], birth_data: BirthData
) -> None:
    body = {"event_type": "birth", "office": offices["a"].code, "data": birth_data()}
    response = _post_json(_api(registrar_b), RECORDS, body)
    assert response.status_code == 403
    [refusal] = _refusals(registrar_b)
    assert refusal.purpose == Action.RECORD_DECLARE
    assert not VitalRecord.objects.exists()
    assert verify_chain().intact


def test_registering_another_offices_record_on_the_page_is_refused_and_logged(
    registrar: User, registrar_b: User, birth_data: BirthData
) -> None:
    record = services.record_declare(actor=registrar, event_type="birth", data=birth_data())
    response = _office_page(registrar_b).post(
        f"/office/records/{record.pk}/register/", {"token": uuid.uuid4().hex}
    )
    assert response.status_code == 403
    assert "You cannot do this here" in response.content.decode()
    [refusal] = _refusals(registrar_b)
    assert refusal.purpose == Action.RECORD_REGISTER
    assert VitalRecord.objects.get(pk=record.pk).status == "declared"
    assert verify_chain().intact


def test_the_rest_of_a_refused_write_still_rolls_back(
    registrar_b: User, offices: dict[str, Jurisdiction], make_user: Callable[..., User]
) -> None:
    bystander = make_user("bystander")
    person = str(uuid.uuid4())

    def perform() -> tuple[int, dict[str, Any]]:
        # Written before the refusal, in the same transaction: must not land.
        RoleAssignment.objects.create(user=bystander, role=Role.AGENT, jurisdiction=offices["b"])
        authorise(registrar_b, Action.RECORD_REGISTER, offices["a"], subject_ids=[person])
        return 200, {}

    with pytest.raises(PermissionDenied):
        run_once(actor=registrar_b, key="k-1", scope="test", payload={}, perform=perform)
    assert not RoleAssignment.objects.filter(user=bystander).exists()
    [refusal] = _refusals(registrar_b)
    assert refusal.subject_ids == [person]
    assert refusal.subjects.get().person_id == uuid.UUID(person)
    assert verify_chain().intact


def test_a_refusal_handled_inside_the_write_is_logged_once(
    registrar_b: User, offices: dict[str, Jurisdiction]
) -> None:
    def perform() -> tuple[int, dict[str, Any]]:
        try:
            authorise(registrar_b, Action.RECORD_REGISTER, offices["a"])
        except PermissionDenied:
            return 200, {"registered": False}
        return 200, {"registered": True}

    outcome = run_once(actor=registrar_b, key="k-2", scope="test", payload={}, perform=perform)
    assert outcome.body == {"registered": False}
    assert len(_refusals(registrar_b)) == 1
    assert verify_chain().intact


@pytest.mark.django_db(transaction=True)
def test_a_refusal_outlives_the_rollback_of_a_real_transaction(
    registrar: User, registrar_b: User, birth_data: BirthData
) -> None:
    # No test transaction around: the write's own transaction is the outermost one.
    record = services.record_declare(actor=registrar, event_type="birth", data=birth_data())
    response = _post_json(_api(registrar_b), f"{RECORDS}/{record.pk}/register", {})
    assert response.status_code == 403
    assert len(_refusals(registrar_b)) == 1
    report = verify_chain()
    assert report.intact and report.checked == AccessLogEntry.objects.count()
