"""The correction and duplicate-decision forms carry the key of the page that showed them: the
same form sent twice (a double click, a resend after a lost answer) is applied once, and the
key sent again with other data is refused like any invalid form."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from ventanilla.core.models import User
from ventanilla.core.profiles import CountryProfile
from ventanilla.registry import services
from ventanilla.registry.models import DuplicateDecision, DuplicateFlag, RecordAction, VitalRecord
from ventanilla.registry.tests.test_pages import page, registered_birth, signed_in

BirthData = Callable[..., dict[str, Any]]

REUSED = "This form was already sent with other data. Check the values and send it again."


def _token(html: str, field_id: str = "id_token") -> str:
    found = re.search(rf'<input[^>]*id="{re.escape(field_id)}"[^>]*>', html)
    assert found, f"no {field_id} in the page"
    value = re.search(r'value="([^"]+)"', found.group(0))
    assert value
    return value.group(1)


# --------------------------------------------------------------------------------------------
# Correction
# --------------------------------------------------------------------------------------------


def test_a_correction_sent_twice_with_its_page_key_is_applied_once(
    registrar: User, birth_data: BirthData, profile: CountryProfile
) -> None:
    data = birth_data()
    record = registered_birth(registrar, data)
    client = signed_in(registrar)
    url = f"/office/records/{record.pk}/correct/"
    token = _token(page(client.get(url)))
    new_name = "Renata" if profile.code == "mx" else "서윤"
    sent = {**data, "given_names": new_name, "event_type": "birth", "reason": "Typo"}
    sent["token"] = token

    first = client.post(url, sent)
    again = client.post(url, sent)

    assert first.status_code == 302 and again.status_code == 302
    assert again["Location"] == first["Location"]
    # Without the key the second would be refused: the record already has the new name.
    assert RecordAction.objects.filter(record=record, action="correct").count() == 1
    record.refresh_from_db()
    assert record.data["given_names"] == new_name


def test_a_correction_key_sent_again_with_other_data_is_refused(
    registrar: User, birth_data: BirthData, profile: CountryProfile
) -> None:
    data = birth_data()
    record = registered_birth(registrar, data)
    client = signed_in(registrar)
    url = f"/office/records/{record.pk}/correct/"
    token = _token(page(client.get(url)))
    first_name, other_name = ("Renata", "Regina") if profile.code == "mx" else ("서윤", "서진")
    sent = {**data, "event_type": "birth", "reason": "Typo", "token": token}
    assert client.post(url, {**sent, "given_names": first_name}).status_code == 302

    response = client.post(url, {**sent, "given_names": other_name})

    assert response.status_code == 422
    html = page(response)
    assert REUSED in html
    assert _token(html) != token  # the form shown again can be sent as a new one
    assert RecordAction.objects.filter(record=record, action="correct").count() == 1
    record.refresh_from_db()
    assert record.data["given_names"] == first_name


# --------------------------------------------------------------------------------------------
# Duplicate decision
# --------------------------------------------------------------------------------------------


@pytest.fixture
def near_duplicate(registrar: User, birth_data: BirthData, profile: CountryProfile) -> VitalRecord:
    registered_birth(registrar, birth_data(0))
    close_name = "Ana Sofia" if profile.code == "mx" else "서현"
    record = services.record_declare(
        actor=registrar, event_type="birth", data=birth_data(0, given_names=close_name)
    )
    assert record.duplicate_flags.exists()
    return record


def _decision_token(html: str, flag: DuplicateFlag) -> str:
    return _token(html, f"id_{flag.candidate_id}_token")


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_a_duplicate_decision_sent_twice_with_its_page_key_is_applied_once(
    registrar: User, near_duplicate: VitalRecord, htmx: bool
) -> None:
    flag = DuplicateFlag.objects.get(record=near_duplicate)
    client = signed_in(registrar)
    url = f"/office/records/{near_duplicate.pk}/duplicates/"
    token = _decision_token(page(client.get(url)), flag)
    sent = {"candidate": str(flag.candidate_id), "decision": "not_duplicate", "token": token}
    headers: dict[str, Any] = {"HTTP_HX_REQUEST": "true"} if htmx else {}

    first = client.post(url, sent, **headers)
    again = client.post(url, sent, **headers)

    # Without the key the second would be a 409 "already decided".
    assert first.status_code == again.status_code == (200 if htmx else 302)
    if htmx:
        assert "Recorded: this is not the person declared." in page(again)
        assert "Every candidate has been decided." in page(again)
    assert (
        RecordAction.objects.filter(record=near_duplicate, action="mark_not_duplicate").count() == 1
    )
    flag.refresh_from_db()
    assert flag.decision == DuplicateDecision.NOT_DUPLICATE


def test_a_decision_key_sent_again_with_another_decision_is_refused(
    registrar: User, near_duplicate: VitalRecord
) -> None:
    flag = DuplicateFlag.objects.get(record=near_duplicate)
    client = signed_in(registrar)
    url = f"/office/records/{near_duplicate.pk}/duplicates/"
    token = _decision_token(page(client.get(url)), flag)
    sent = {"candidate": str(flag.candidate_id), "token": token}
    assert client.post(url, {**sent, "decision": "not_duplicate"}).status_code == 302

    response = client.post(
        url, {**sent, "decision": "duplicate", "reason": "Same child"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 422
    html = page(response)
    assert REUSED in html and 'role="alert"' in html
    assert _decision_token(html, flag) != token
    flag.refresh_from_db()
    assert flag.decision == DuplicateDecision.NOT_DUPLICATE
    near_duplicate.refresh_from_db()
    assert near_duplicate.status != "rejected"
    assert not RecordAction.objects.filter(record=near_duplicate, action="mark_duplicate").exists()
