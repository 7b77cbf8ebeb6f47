"""A declaration names the persons it concerns by their national ID (CURP, RRN) or their
register number, wherever in the country they were registered: a death is registered
where it happens, for a person born anywhere. Both are looked up the same way, exactly,
and each look-up is written to the access log."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import translation

from ventanilla.core.errors import PermissionDenied, ValidationFailed
from ventanilla.core.models import AccessKind, AccessLogEntry, Jurisdiction, User
from ventanilla.core.profiles import CountryProfile
from ventanilla.registry import identity, selectors
from ventanilla.registry.models import Person, VitalRecord
from ventanilla.registry.tests.test_invalid_national_id import _valid_unused_id
from ventanilla.registry.tests.test_pages import (
    form_data,
    page,
    registered_birth,
    signed_in,
    subject_of,
)

BirthData = Callable[..., dict[str, Any]]
PURPOSE = "declaration.participant"


def _born_elsewhere(registrar_b: User, birth_data: BirthData, office: Jurisdiction) -> Person:
    """A person registered at the other state's office, outside the first registrar's reach."""
    municipality = office.parent
    assert municipality is not None and municipality.parent is not None
    data = birth_data(
        2,
        birth_state=municipality.parent.official_code,
        birth_municipality=municipality.official_code,
    )
    person = subject_of(registered_birth(registrar_b, data))
    assert person.national_id
    return person


def _death_form(profile: CountryProfile, office: Jurisdiction, deceased: str) -> dict[str, Any]:
    """The profile's death form, each required field filled with a plausible value."""
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
    return form_data(data)


def _lookups(actor: User) -> list[AccessLogEntry]:
    return list(AccessLogEntry.objects.filter(actor=actor, purpose=PURPOSE).order_by("id"))


def _expected(language: str, message: str, **values: str) -> str:
    with translation.override(language):
        return translation.gettext(message) % values


@pytest.mark.parametrize("typed", ["national_id", "formatted", "register_number"])
def test_a_death_is_declared_for_a_person_registered_in_another_state(
    registrar: User,
    registrar_b: User,
    birth_data: BirthData,
    offices: dict[str, Jurisdiction],
    profile: CountryProfile,
    typed: str,
) -> None:
    person = _born_elsewhere(registrar_b, birth_data, offices["b"])
    assert person.national_id is not None
    reference = {
        "national_id": person.national_id.lower(),
        "formatted": identity.scheme().format(person.national_id),
        "register_number": str(person.pk),
    }[typed]
    response = signed_in(registrar).post(
        "/office/declare/death/", _death_form(profile, offices["a"], reference)
    )
    assert response.status_code == 302, page(response)
    record = VitalRecord.objects.get(event_type="death")
    assert record.data["deceased"] == str(person.pk)
    assert record.office == offices["a"]
    # The look-up is in the access log of the person it found, by the registrar who made it.
    [lookup] = _lookups(registrar)
    assert lookup.kind == AccessKind.SEARCH
    assert lookup.actor_role == "registrar" and lookup.office_id == offices["a"].pk
    assert lookup.subject_ids == [str(person.pk)]


@pytest.mark.parametrize("language", ["en", "es-mx", "ko"])
def test_an_unknown_register_number_is_an_error_on_its_field(
    registrar: User, offices: dict[str, Jurisdiction], profile: CountryProfile, language: str
) -> None:
    response = signed_in(registrar, language).post(
        "/office/declare/death/", _death_form(profile, offices["a"], str(uuid.uuid4()))
    )
    assert response.status_code == 422
    html = page(response)
    assert 'id="id_deceased-error"' in html
    assert _expected(language, "Nobody in the register has this register number.") in html
    assert not VitalRecord.objects.exists()
    assert _lookups(registrar) == []  # nobody found, nobody's data read


@pytest.mark.parametrize("language", ["en", "es-mx", "ko"])
def test_a_valid_national_id_nobody_holds_is_an_error_on_its_field(
    registrar: User, offices: dict[str, Jurisdiction], profile: CountryProfile, language: str
) -> None:
    response = signed_in(registrar, language).post(
        "/office/declare/death/", _death_form(profile, offices["a"], _valid_unused_id(profile))
    )
    assert response.status_code == 422
    html = page(response)
    assert 'id="id_deceased-error"' in html
    with translation.override(language):
        label = str(identity.scheme().label)
    assert _expected(language, "Nobody in the register has this %(id)s.", id=label) in html
    assert not VitalRecord.objects.exists()


def test_a_marriage_names_both_spouses_in_one_logged_look_up(
    registrar: User,
    registrar_b: User,
    birth_data: BirthData,
    offices: dict[str, Jurisdiction],
) -> None:
    elsewhere = _born_elsewhere(registrar_b, birth_data, offices["b"])
    here = subject_of(registered_birth(registrar, birth_data(3)))
    assert elsewhere.national_id is not None
    found = selectors.declaration_participants(
        actor=registrar,
        references={"spouse_a": str(here.pk), "spouse_b": elsewhere.national_id},
        office=offices["a"],
    )
    assert found == {"spouse_a": str(here.pk), "spouse_b": str(elsewhere.pk)}
    [lookup] = _lookups(registrar)
    assert lookup.subject_ids == sorted([str(here.pk), str(elsewhere.pk)])


def test_every_bad_reference_is_reported_on_its_own_field(
    registrar: User,
    registrar_b: User,
    birth_data: BirthData,
    offices: dict[str, Jurisdiction],
    profile: CountryProfile,
) -> None:
    person = _born_elsewhere(registrar_b, birth_data, offices["b"])
    with pytest.raises(ValidationFailed) as refused:
        selectors.declaration_participants(
            actor=registrar,
            references={
                "child": "NOT-AN-ID",
                "adoptive_parent_a": str(uuid.uuid4()),
                "adoptive_parent_b": str(person.pk),
            },
            office=offices["a"],
        )
    assert refused.value.details["field_codes"] == {
        "child": ["invalid_national_id"],
        "adoptive_parent_a": ["unknown_person"],
    }
    assert set(refused.value.fields) == {"child", "adoptive_parent_a"}
    assert _lookups(registrar) == []  # refused as a whole: nothing was returned


@pytest.mark.parametrize("persona", ["supervisor", "registrar_b", "auditor"])
def test_only_an_official_who_may_declare_at_the_office_may_look_up(
    persona: str,
    request: pytest.FixtureRequest,
    registrar: User,
    birth_data: BirthData,
    offices: dict[str, Jurisdiction],
) -> None:
    person = subject_of(registered_birth(registrar, birth_data(2)))
    assert person.national_id is not None
    actor: User = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        selectors.declaration_participants(
            actor=actor, references={"deceased": person.national_id}, office=offices["a"]
        )
    assert _lookups(actor) == []
    denied = AccessLogEntry.objects.get(actor=actor, kind=AccessKind.DENIED)
    assert denied.subject_ids == []  # the refusal does not say whom the ID belongs to
