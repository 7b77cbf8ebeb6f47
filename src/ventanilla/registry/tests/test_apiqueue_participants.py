"""Over the API, as on the pages, a declaration or a correction names the persons it
concerns by national ID (CURP, RRN; formatted or not) or register number, wherever in the
country they were registered; each look-up is in the access log, and a reference that is
malformed or names nobody is an error on its field, in the caller's language."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from ventanilla.core.models import AccessKind, AccessLogEntry, Jurisdiction, User
from ventanilla.core.profiles import CountryProfile
from ventanilla.registry import identity, services
from ventanilla.registry.models import Person, VitalRecord
from ventanilla.registry.tests.test_invalid_national_id import _valid_unused_id
from ventanilla.registry.tests.test_naming_participants import _born_elsewhere
from ventanilla.registry.tests.test_pages import registered_birth, subject_of

BirthData = Callable[..., dict[str, Any]]
ClientFor = Callable[[User], Client]
RECORDS = "/api/v1/registry/records"
PURPOSE = "declaration.participant"
LANGUAGES = ["en", "es-mx", "ko"]


def _death(profile: CountryProfile, office: Jurisdiction, deceased: Any) -> dict[str, Any]:
    """The profile's death declaration, each required field filled with a plausible value."""
    municipality = office.parent
    assert municipality is not None and municipality.parent is not None
    data: dict[str, Any] = {}
    for spec in profile.event_type("death").fields:
        if not spec.required:
            continue
        if spec.type == "choice":
            data[spec.name] = spec.choices[0]
        elif spec.type == "state":
            data[spec.name] = municipality.parent.official_code
        elif spec.type == "municipality":
            data[spec.name] = municipality.official_code
        elif spec.type == "date":
            data[spec.name] = dt.date.today().isoformat()
    data["deceased"] = deceased
    return data


def _declare(client: Client, data: dict[str, Any], language: str = "en") -> Any:
    return client.post(
        RECORDS,
        {"event_type": "death", "data": data},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
        HTTP_ACCEPT_LANGUAGE=language,
    )


def _lookups(actor: User) -> list[AccessLogEntry]:
    return list(AccessLogEntry.objects.filter(actor=actor, purpose=PURPOSE).order_by("id"))


def _expected(language: str, message: str, **values: str) -> str:
    with translation.override(language):
        return translation.gettext(message) % values


def _field_error(response: Any, field: str) -> tuple[list[str], list[str]]:
    """The messages and codes of `field`'s error, after checking it is the only one."""
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [field]
    return error["fields"][field], error["details"]["field_codes"][field]


@pytest.mark.parametrize("typed", ["national_id", "formatted", "register_number"])
def test_a_death_is_declared_for_a_person_registered_in_another_state(
    registrar: User,
    registrar_b: User,
    birth_data: BirthData,
    offices: dict[str, Jurisdiction],
    profile: CountryProfile,
    api_client: ClientFor,
    typed: str,
) -> None:
    person = _born_elsewhere(registrar_b, birth_data, offices["b"])
    assert person.national_id is not None
    reference = {
        "national_id": person.national_id.lower(),
        "formatted": identity.scheme().format(person.national_id),
        "register_number": str(person.pk),
    }[typed]
    response = _declare(api_client(registrar), _death(profile, offices["a"], reference))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["data"]["deceased"] == str(person.pk)
    assert body["subject_id"] == str(person.pk) and body["office"] == offices["a"].code
    # One look-up, in the access log of the person it found, by the registrar who made it,
    # under the request that made it.
    [lookup] = _lookups(registrar)
    assert lookup.kind == AccessKind.SEARCH
    assert lookup.actor_role == "registrar" and lookup.office_id == offices["a"].pk
    assert lookup.subject_ids == [str(person.pk)]
    assert lookup.request_id == response["X-Request-ID"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_unknown_register_number_is_an_error_on_its_field(
    registrar: User,
    offices: dict[str, Jurisdiction],
    profile: CountryProfile,
    api_client: ClientFor,
    language: str,
) -> None:
    response = _declare(
        api_client(registrar), _death(profile, offices["a"], str(uuid.uuid4())), language
    )
    messages, codes = _field_error(response, "deceased")
    assert messages == [_expected(language, "Nobody in the register has this register number.")]
    assert codes == ["unknown_person"]
    assert not VitalRecord.objects.exists()
    assert _lookups(registrar) == []  # nobody found, nobody's data read


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_valid_national_id_nobody_holds_is_an_error_on_its_field(
    registrar: User,
    offices: dict[str, Jurisdiction],
    profile: CountryProfile,
    api_client: ClientFor,
    language: str,
) -> None:
    unused = _valid_unused_id(profile)
    response = _declare(api_client(registrar), _death(profile, offices["a"], unused), language)
    messages, codes = _field_error(response, "deceased")
    with translation.override(language):
        label = str(identity.scheme().label)
    assert messages == [_expected(language, "Nobody in the register has this %(id)s.", id=label)]
    assert codes == ["unknown_person"]
    assert not VitalRecord.objects.exists()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_malformed_national_id_is_an_error_on_its_field(
    registrar: User,
    registrar_b: User,
    birth_data: BirthData,
    offices: dict[str, Jurisdiction],
    profile: CountryProfile,
    api_client: ClientFor,
    language: str,
) -> None:
    person = _born_elsewhere(registrar_b, birth_data, offices["b"])
    assert person.national_id is not None
    mistyped = person.national_id[:-1]  # one character short: no scheme reads it
    response = _declare(api_client(registrar), _death(profile, offices["a"], mistyped), language)
    messages, codes = _field_error(response, "deceased")
    with translation.override(language):
        label = str(identity.scheme().label)
    assert messages == [_expected(language, "This is not a valid %(scheme)s.", scheme=label)]
    assert codes == ["invalid_national_id"]
    # Not text at all: left to the declaration's own check, on the same field.
    response = _declare(api_client(registrar), _death(profile, offices["a"], 12345), language)
    assert _field_error(response, "deceased")[1] == ["invalid_person"]
    assert not VitalRecord.objects.filter(event_type="death").exists()
    assert _lookups(registrar) == []


def test_a_correction_names_a_person_by_national_id(
    registrar: User,
    registrar_b: User,
    birth_data: BirthData,
    offices: dict[str, Jurisdiction],
    profile: CountryProfile,
    api_client: ClientFor,
) -> None:
    here = subject_of(registered_birth(registrar, birth_data(3)))
    record = services.record_declare(
        actor=registrar, event_type="death", data=_death(profile, offices["a"], str(here.pk))
    )
    elsewhere = _born_elsewhere(registrar_b, birth_data, offices["b"])
    assert elsewhere.national_id is not None
    response = api_client(registrar).post(
        f"{RECORDS}/{record.pk}/correct",
        {
            "reason": "The wrong person was named.",
            "changes": {"deceased": identity.scheme().format(elsewhere.national_id)},
        },
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
    )
    assert response.status_code == 200, response.content
    assert response.json()["data"]["deceased"] == str(elsewhere.pk)
    record.refresh_from_db()
    assert record.subject_id == elsewhere.pk
    [lookup] = _lookups(registrar)
    assert lookup.subject_ids == [str(elsewhere.pk)]
    assert Person.objects.filter(pk=elsewhere.pk).exists()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_correction_naming_nobody_is_an_error_on_its_field(
    registrar: User,
    birth_data: BirthData,
    offices: dict[str, Jurisdiction],
    profile: CountryProfile,
    api_client: ClientFor,
    language: str,
) -> None:
    here = subject_of(registered_birth(registrar, birth_data(3)))
    record = services.record_declare(
        actor=registrar, event_type="death", data=_death(profile, offices["a"], str(here.pk))
    )
    response = api_client(registrar).post(
        f"{RECORDS}/{record.pk}/correct",
        {"reason": "The wrong person was named.", "changes": {"deceased": str(uuid.uuid4())}},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
        HTTP_ACCEPT_LANGUAGE=language,
    )
    messages, codes = _field_error(response, "deceased")
    assert messages == [_expected(language, "Nobody in the register has this register number.")]
    assert codes == ["unknown_person"]
    record.refresh_from_db()
    assert record.data["deceased"] == str(here.pk) and record.version == 1
