"""A malformed national ID is answered with a validation error naming the profile's scheme
(CURP, RRN), in the user's language, instead of "nobody found"."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from ventanilla.core.models import AccessLogEntry, User
from ventanilla.core.profiles import CountryProfile
from ventanilla.registry import identity
from ventanilla.registry.idschemes import IdSubject
from ventanilla.registry.tests.test_pages import page, signed_in

BirthData = Callable[..., dict[str, Any]]
ClientFor = Callable[[User], Client]
SEARCH = "/api/v1/registry/persons/search"
MALFORMED = "NOT-A-CURP"


def _expected(language: str) -> str:
    with translation.override(language):
        return translation.gettext("This is not a valid %(scheme)s.") % {
            "scheme": identity.scheme().label
        }


def _valid_unused_id(profile: CountryProfile) -> str:
    state = profile.states[0].id_code
    subject = IdSubject(
        given_names="Zacarías",
        first_surname="Quintero",
        second_surname="Yáñez",
        birth_date=dt.date(1961, 7, 9),
        sex="M",
        birth_state=state,
    )
    value = identity.scheme().propose(subject, 0)
    assert identity.scheme().is_valid(value)
    return value


@pytest.mark.parametrize("language", ["en", "es-mx", "ko"])
def test_the_api_refuses_a_malformed_national_id_in_the_callers_language(
    registrar: User, api_client: ClientFor, language: str
) -> None:
    response = api_client(registrar).post(
        SEARCH,
        {"national_id": MALFORMED},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_national_id"
    message = _expected(language)
    assert identity.scheme().label in message
    assert error["fields"] == {"national_id": [message]}
    # Nothing was searched, so nothing was logged.
    assert not AccessLogEntry.objects.filter(actor=registrar, purpose="person.search").exists()


def test_a_valid_id_that_nobody_holds_still_finds_nobody(
    registrar: User, api_client: ClientFor, profile: CountryProfile
) -> None:
    response = api_client(registrar).post(
        SEARCH, {"national_id": _valid_unused_id(profile)}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json() == []


def test_the_search_page_shows_the_error_on_the_field(registrar: User) -> None:
    response = signed_in(registrar, "es-mx").post("/office/search/", {"national_id": MALFORMED})
    assert response.status_code == 422
    html = page(response)
    assert _expected("es-mx") in html
    assert 'id="id_national_id-error"' in html
    assert "Nadie de su jurisdicción coincide" not in html  # not an empty result


def test_the_declaration_form_says_the_parent_id_is_malformed(
    registrar: User, birth_data: BirthData
) -> None:
    data = {**birth_data(1, mother=MALFORMED), "token": uuid.uuid4().hex}
    response = signed_in(registrar).post("/office/declare/birth/", data)
    assert response.status_code == 422
    html = page(response)
    assert _expected("en") in html
    assert "Nobody in the register you can see has this national ID." not in html


def test_the_declaration_form_still_says_when_nobody_holds_a_valid_id(
    registrar: User, birth_data: BirthData, profile: CountryProfile
) -> None:
    data = {**birth_data(1, mother=_valid_unused_id(profile)), "token": uuid.uuid4().hex}
    response = signed_in(registrar).post("/office/declare/birth/", data)
    assert response.status_code == 422
    label = identity.scheme().label
    assert f"Nobody in the register has this {label}." in page(response)
