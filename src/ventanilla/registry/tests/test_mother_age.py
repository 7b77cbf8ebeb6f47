"""A mother old enough: the profile's minimum age at the birth, for a mother chosen from the
register and for one named in the declaration with her date of birth."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from ventanilla.core.errors import ValidationFailed
from ventanilla.core.models import Jurisdiction, User
from ventanilla.core.profiles import CountryProfile
from ventanilla.registry import services
from ventanilla.registry.models import Person, VitalRecord
from ventanilla.registry.tests.factories import imported_person
from ventanilla.registry.tests.test_pages import form_data, page, signed_in

BirthData = Callable[..., dict[str, Any]]
ClientFor = Callable[[User], Client]

CHILD_BORN = dt.date(2024, 3, 15)
TOO_YOUNG = "The mother is too young to be the mother of this child."
BORN_AFTER = "A parent must be born before the child."


def _said(message: str) -> str:
    """The message as the user reads it, in the active language."""
    return translation.gettext(message)


def _years_before(day: dt.date, years: int) -> dt.date:
    return day.replace(year=day.year - years)


def _minimum(profile: CountryProfile) -> int:
    return profile.registration.min_mother_age_warning


def _register_mother(offices: dict[str, Jurisdiction], born: dt.date) -> Person:
    mother = imported_person(offices["a"], "Rosa", "Vega", "Ruiz", born=born)
    mother.save()
    return mother


def _with_register_mother(birth_data: BirthData, mother: Person) -> dict[str, Any]:
    return birth_data(
        birth_date=CHILD_BORN.isoformat(),
        mother=str(mother.pk),
        mother_given_names=None,
        mother_first_surname=None,
    )


def _with_inline_mother(birth_data: BirthData, born: dt.date) -> dict[str, Any]:
    return birth_data(birth_date=CHILD_BORN.isoformat(), mother_birth_date=born.isoformat())


def _declare(registrar: User, data: dict[str, Any]) -> VitalRecord:
    return services.record_declare(actor=registrar, event_type="birth", data=data)


def _warnings(record: VitalRecord) -> list[str]:
    return list(record.actions.get(action="declare").payload["warnings"])


def _refusal(registrar: User, data: dict[str, Any]) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as info:
        _declare(registrar, data)
    assert VitalRecord.objects.count() == 0
    return info.value


# --------------------------------------------------------------------------------------------
# A mother of the register
# --------------------------------------------------------------------------------------------


def test_a_register_mother_under_the_minimum_age_is_refused(
    registrar: User, birth_data: BirthData, offices: dict[str, Jurisdiction], profile: Any
) -> None:
    # A day short of the minimum age on the day of the birth.
    born = _years_before(CHILD_BORN, _minimum(profile)) + dt.timedelta(days=1)
    mother = _register_mother(offices, born)
    refused = _refusal(registrar, _with_register_mother(birth_data, mother))
    assert refused.fields == {"mother": [_said(TOO_YOUNG)]}


def test_a_register_mother_who_is_a_minor_is_accepted_with_a_warning(
    registrar: User, birth_data: BirthData, offices: dict[str, Jurisdiction], profile: Any
) -> None:
    mother = _register_mother(offices, _years_before(CHILD_BORN, _minimum(profile)))
    record = _declare(registrar, _with_register_mother(birth_data, mother))
    assert "minor_mother" in _warnings(record)
    adult = _register_mother(offices, _years_before(CHILD_BORN, 30))
    other = _declare(registrar, _with_register_mother(birth_data, adult))
    assert "minor_mother" not in _warnings(other)


# --------------------------------------------------------------------------------------------
# A mother named in the declaration
# --------------------------------------------------------------------------------------------


def test_a_mother_declared_born_the_day_before_the_child_is_refused(
    registrar: User, birth_data: BirthData
) -> None:
    data = _with_inline_mother(birth_data, CHILD_BORN - dt.timedelta(days=1))
    assert _refusal(registrar, data).fields == {"mother_birth_date": [_said(TOO_YOUNG)]}


def test_a_mother_declared_born_after_the_child_is_refused(
    registrar: User, birth_data: BirthData
) -> None:
    data = _with_inline_mother(birth_data, CHILD_BORN)
    assert _refusal(registrar, data).fields == {"mother_birth_date": [_said(BORN_AFTER)]}


def test_a_declared_mother_of_exactly_the_minimum_age_is_a_minor_and_is_warned_of(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    limit = _years_before(CHILD_BORN, _minimum(profile))
    refused = _refusal(registrar, _with_inline_mother(birth_data, limit + dt.timedelta(days=1)))
    assert refused.fields == {"mother_birth_date": [_said(TOO_YOUNG)]}
    record = _declare(registrar, _with_inline_mother(birth_data, limit))
    assert _warnings(record).count("minor_mother") == 1
    assert record.status == "declared"
    # The warning follows the profile's age of majority (18 in Mexico, 19 in Korea).
    of_age = _years_before(CHILD_BORN, profile.registration.age_of_majority)
    adult = _declare(registrar, _with_inline_mother(birth_data, of_age))
    assert "minor_mother" not in _warnings(adult)
    just_under = of_age + dt.timedelta(days=1)
    assert "minor_mother" in _warnings(
        _declare(registrar, _with_inline_mother(birth_data, just_under))
    )


def test_a_registered_birth_cannot_be_corrected_to_a_mother_too_young(
    registrar: User, birth_data: BirthData
) -> None:
    record = _declare(registrar, _with_inline_mother(birth_data, _years_before(CHILD_BORN, 30)))
    record = services.record_register(actor=registrar, record_id=record.pk)
    with pytest.raises(ValidationFailed) as info:
        services.record_correct(
            actor=registrar,
            record_id=record.pk,
            changes={"mother_birth_date": (CHILD_BORN - dt.timedelta(days=300)).isoformat()},
            reason="the mother's date was misread",
        )
    assert info.value.fields == {"mother_birth_date": [_said(TOO_YOUNG)]}
    record.refresh_from_db()
    assert record.data["mother_birth_date"] == _years_before(CHILD_BORN, 30).isoformat()


# --------------------------------------------------------------------------------------------
# What the user reads
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "es-mx", "ko"])
def test_the_api_says_the_mother_is_too_young_in_the_callers_language(
    registrar: User,
    birth_data: BirthData,
    offices: dict[str, Jurisdiction],
    api_client: ClientFor,
    language: str,
) -> None:
    mother = _register_mother(offices, CHILD_BORN - dt.timedelta(days=2000))
    client = api_client(registrar)
    with translation.override(language):
        expected = translation.gettext(TOO_YOUNG)
    if language != "en":
        assert expected != TOO_YOUNG  # translated, not the source text
    for data, field in (
        (_with_register_mother(birth_data, mother), "mother"),
        (_with_inline_mother(birth_data, CHILD_BORN - dt.timedelta(days=1)), "mother_birth_date"),
    ):
        response = client.post(
            "/api/v1/registry/records",
            {"event_type": "birth", "data": data},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
            HTTP_ACCEPT_LANGUAGE=language,
        )
        assert response.status_code == 422, response.content
        assert response.json()["error"]["fields"] == {field: [expected]}
    assert VitalRecord.objects.count() == 0


def test_the_declaration_page_shows_the_mother_too_young_on_her_birth_date(
    registrar: User, birth_data: BirthData
) -> None:
    data = _with_inline_mother(birth_data, CHILD_BORN - dt.timedelta(days=1))
    response = signed_in(registrar, language="es-mx").post(
        "/office/declare/birth/", form_data(data)
    )
    assert response.status_code == 422
    html = page(response)
    assert 'id="id_mother_birth_date-error"' in html
    with translation.override("es-mx"):
        assert translation.gettext(TOO_YOUNG) in html
    assert VitalRecord.objects.count() == 0
