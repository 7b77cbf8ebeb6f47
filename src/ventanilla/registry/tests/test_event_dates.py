"""Dates the register already holds bound the dates of later events and corrections: a divorce
is not before its marriage, a recognition or an adoption not before the child's birth, and a
registered person's birth date, once corrected, still comes before their death, their children
(a mother old enough) and their marriages (old enough to marry). Each refusal names the field,
carries a stable code and leaves the register as it was."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from ventanilla.core.errors import ValidationFailed
from ventanilla.core.models import User
from ventanilla.core.profiles import CountryProfile
from ventanilla.registry import services
from ventanilla.registry.models import ParentLink, Person, Union, VitalRecord
from ventanilla.registry.tests.test_workflow_services import (
    _adults,
    _event_data,
    _marry,
    _place_of,
    _register,
    _register_birth,
    _subject,
    _subject_record,
)

BirthData = Callable[..., dict[str, Any]]
ClientFor = Callable[[User], Client]
RECORDS = "/api/v1/registry/records"

DIVORCE_BEFORE = "The divorce date is before the date of the marriage."
NOT_YET_BORN = "The child was not yet born on this date."
BORN_AFTER = "A parent must be born before the child."
TOO_YOUNG = "The mother is too young to be the mother of this child."
DEATH_BEFORE = "The date of death is before the date of birth."
UNDER_AGE = (
    "With this date of birth, the person would be under the minimum age to marry on the date "
    "of their marriage."
)
SPOUSE_UNDER_AGE = "On this date a spouse would be under the minimum age to marry."


def _said(message: str) -> str:
    """The message as the user reads it, in the active language."""
    return translation.gettext(message)


def _in(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def _years_before(day: dt.date, years: int) -> dt.date:
    return day.replace(year=day.year - years)


def _post(client: Client, url: str, body: dict[str, Any], language: str) -> Any:
    return client.post(
        url,
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
        HTTP_ACCEPT_LANGUAGE=language,
    )


def _declare(registrar: User, profile: Any, event_type: str, known: dict[str, Any]) -> VitalRecord:
    return services.record_declare(
        actor=registrar, event_type=event_type, data=_event_data(profile, event_type, known)
    )


def _refused(call: Callable[[], Any]) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as info:
        call()
    return info.value


def _correct(registrar: User, record: VitalRecord, **changes: str) -> VitalRecord:
    return services.record_correct(
        actor=registrar, record_id=record.pk, changes=changes, reason="date misread"
    )


def _divorce(a: Person, b: Person, on: str) -> dict[str, Any]:
    return {"spouse_a": str(a.pk), "spouse_b": str(b.pk), "divorce_date": on}


def _died(registrar: User, profile: Any, person: Person, on: str, place: dict[str, Any]) -> None:
    death = {"deceased": str(person.pk), "death_date": on} | _place_of("death", place)
    _register(registrar, profile, "death", death)


def _unchanged(person: Person) -> None:
    """The person in the register is as `person` holds them."""
    now = Person.objects.get(pk=person.pk)
    assert (now.birth_date, now.national_id) == (person.birth_date, person.national_id)


# --------------------------------------------------------------------------------------------
# A divorce before the marriage
# --------------------------------------------------------------------------------------------


def test_a_divorce_dated_before_the_marriage_is_refused_at_declaration(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    a, b = _adults(registrar, birth_data, 2)
    marriage = _marry(registrar, profile, birth_data(), a, b, "2020-01-01")
    refused = _refused(
        lambda: _declare(registrar, profile, "divorce", _divorce(a, b, "2010-01-01"))
    )
    assert refused.code == "divorce_before_marriage"
    assert refused.fields == {"divorce_date": [_said(DIVORCE_BEFORE)]}
    assert not VitalRecord.objects.filter(event_type="divorce").exists()
    union = Union.objects.get(marriage_record=marriage)
    assert (union.dissolved_on, union.divorce_record_id) == (None, None)
    # On the day of the marriage itself, the divorce is possible.
    divorce = _register(registrar, profile, "divorce", _divorce(b, a, "2020-01-01"))
    union.refresh_from_db()
    assert (union.dissolved_on, union.divorce_record_id) == (dt.date(2020, 1, 1), divorce.pk)


def test_a_divorce_whose_marriage_was_corrected_to_a_later_date_is_refused_at_registration(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    a, b = _adults(registrar, birth_data, 2)
    marriage = _marry(registrar, profile, birth_data(), a, b, "2005-05-05")
    divorce = _declare(registrar, profile, "divorce", _divorce(a, b, "2010-01-01"))
    _correct(registrar, marriage, marriage_date="2012-12-12")

    refused = _refused(lambda: services.record_register(actor=registrar, record_id=divorce.pk))
    assert refused.code == "divorce_before_marriage"
    assert refused.fields == {"divorce_date": [_said(DIVORCE_BEFORE)]}
    assert VitalRecord.objects.get(pk=divorce.pk).status == "declared"
    union = Union.objects.get(marriage_record=marriage)
    assert (union.married_on, union.dissolved_on) == (dt.date(2012, 12, 12), None)


def test_the_api_answers_a_divorce_before_the_marriage_with_422_in_the_callers_language(
    registrar: User, birth_data: BirthData, profile: Any, api_client: ClientFor
) -> None:
    a, b = _adults(registrar, birth_data, 2)
    _marry(registrar, profile, birth_data(), a, b, "2020-01-01")
    body = {
        "event_type": "divorce",
        "data": _event_data(profile, "divorce", _divorce(a, b, "2010-01-01")),
    }
    client = api_client(registrar)
    for language in ("es-mx", "ko", "en"):
        response = _post(client, RECORDS, body, language)
        assert response.status_code == 422, response.content
        error = response.json()["error"]
        assert error["code"] == "divorce_before_marriage"
        assert error["fields"] == {"divorce_date": [_in(language, DIVORCE_BEFORE)]}
    assert not VitalRecord.objects.filter(event_type="divorce").exists()


# --------------------------------------------------------------------------------------------
# A recognition or an adoption before the child's birth
# --------------------------------------------------------------------------------------------


def _child_of(registrar: User, birth_data: BirthData, mother: Person, born: str) -> Person:
    return _subject(
        _register_birth(registrar, birth_data(5, birth_date=born, mother=str(mother.pk)))
    )


def test_a_recognition_or_an_adoption_dated_before_the_childs_birth_is_refused(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    mother, father, adopter = _adults(registrar, birth_data, 3)
    child = _child_of(registrar, birth_data, mother, "2015-06-01")
    recognition = {
        "child": str(child.pk),
        "recognising_parent": str(father.pk),
        "recognition_date": "2001-01-01",
    }
    adoption = {
        "child": str(child.pk),
        "adoptive_parent_a": str(adopter.pk),
        "adoption_date": "2000-01-01",
        "court_order_number": "12/2000",
    }
    for kind, known, field in (
        ("recognition", recognition, "recognition_date"),
        ("adoption", adoption, "adoption_date"),
    ):
        with pytest.raises(ValidationFailed) as info:
            _declare(registrar, profile, kind, known)
        refused = info.value
        assert refused.code == "before_child_birth"
        assert refused.fields == {field: [_said(NOT_YET_BORN)]}
    assert not VitalRecord.objects.filter(event_type__in=["recognition", "adoption"]).exists()
    assert set(ParentLink.objects.filter(child=child).values_list("parent_id", flat=True)) == {
        mother.pk
    }
    # Dated on the day of the birth, or after it, they are registered.
    recognised = _register(
        registrar, profile, "recognition", recognition | {"recognition_date": "2015-06-01"}
    )
    assert recognised.status == "registered"


def test_a_recognition_declared_before_the_childs_birth_date_was_corrected_is_not_registered(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    mother, father = _adults(registrar, birth_data, 2)
    child = _child_of(registrar, birth_data, mother, "2015-06-01")
    recognition = _declare(
        registrar,
        profile,
        "recognition",
        {
            "child": str(child.pk),
            "recognising_parent": str(father.pk),
            "recognition_date": "2016-01-01",
        },
    )
    _correct(registrar, _subject_record(child), birth_date="2017-02-02")
    refused = _refused(lambda: services.record_register(actor=registrar, record_id=recognition.pk))
    assert refused.code == "before_child_birth"
    assert refused.fields == {"recognition_date": [_said(NOT_YET_BORN)]}
    assert not ParentLink.objects.filter(child=child, parent=father).exists()


def test_a_registered_adoption_cannot_be_corrected_to_a_date_before_the_childs_birth(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    mother, adopter = _adults(registrar, birth_data, 2)
    child = _child_of(registrar, birth_data, mother, "2015-06-01")
    known = {
        "child": str(child.pk),
        "adoptive_parent_a": str(adopter.pk),
        "adoption_date": "2016-04-05",
        "court_order_number": "123/2016",
    }
    adoption = _register(registrar, profile, "adoption", known)
    actions = adoption.actions.count()
    refused = _refused(lambda: _correct(registrar, adoption, adoption_date="2014-01-01"))
    assert refused.code == "before_child_birth"
    assert refused.fields == {"adoption_date": [_said(NOT_YET_BORN)]}
    adoption.refresh_from_db()
    assert adoption.data["adoption_date"] == "2016-04-05"
    assert adoption.actions.count() == actions


# --------------------------------------------------------------------------------------------
# A registered person's birth date corrected
# --------------------------------------------------------------------------------------------


def test_a_mothers_birth_date_cannot_be_corrected_to_after_her_childs_birth(
    registrar: User, birth_data: BirthData
) -> None:
    (mother,) = _adults(registrar, birth_data, 1)
    _child_of(registrar, birth_data, mother, "2012-04-04")
    her_birth = _subject_record(mother)
    actions = her_birth.actions.count()
    refused = _refused(lambda: _correct(registrar, her_birth, birth_date="2015-01-01"))
    assert refused.code == "born_after_child"
    assert refused.fields == {"birth_date": [_said(BORN_AFTER)]}
    _unchanged(mother)
    assert her_birth.actions.count() == actions


def test_a_fathers_birth_date_cannot_be_corrected_to_after_a_child_he_recognised(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    mother, father = _adults(registrar, birth_data, 2)
    child = _child_of(registrar, birth_data, mother, "2012-04-04")
    _register(
        registrar,
        profile,
        "recognition",
        {
            "child": str(child.pk),
            "recognising_parent": str(father.pk),
            "recognition_date": "2013-01-01",
        },
    )
    refused = _refused(
        lambda: _correct(registrar, _subject_record(father), birth_date="2012-04-04")
    )
    assert refused.code == "born_after_child"
    _unchanged(father)


def test_a_mothers_birth_date_is_held_to_the_minimum_age_at_her_childs_birth(
    registrar: User, birth_data: BirthData, profile: CountryProfile
) -> None:
    (mother,) = _adults(registrar, birth_data, 1)
    child_born = dt.date(2012, 4, 4)
    _child_of(registrar, birth_data, mother, child_born.isoformat())
    minimum = profile.registration.min_mother_age_warning
    limit = _years_before(child_born, minimum)
    her_birth = _subject_record(mother)
    too_late = (limit + dt.timedelta(days=1)).isoformat()
    refused = _refused(lambda: _correct(registrar, her_birth, birth_date=too_late))
    assert refused.code == "mother_too_young"
    assert refused.fields == {"birth_date": [_said(TOO_YOUNG)]}
    _unchanged(mother)
    # Exactly the minimum age at the birth is what a birth registration accepts too.
    _correct(registrar, her_birth, birth_date=limit.isoformat())
    assert Person.objects.get(pk=mother.pk).birth_date == limit


def test_a_married_persons_birth_date_is_held_to_the_minimum_age_to_marry(
    office_head: User, registrar: User, birth_data: BirthData, profile: CountryProfile
) -> None:
    a, b = _adults(registrar, birth_data, 2)
    married = dt.date(2020, 6, 1)
    marriage = _marry(registrar, profile, birth_data(), a, b, married.isoformat())
    own_birth = _subject_record(b)
    # Born after the marriage, or a day short of the minimum age on its date: refused.
    limit = _years_before(married, profile.registration.min_marriage_age)
    for wrong in ("2025-01-01", (limit + dt.timedelta(days=1)).isoformat()):
        with pytest.raises(ValidationFailed) as info:
            _correct(registrar, own_birth, birth_date=wrong)
        refused = info.value
        assert refused.code == "under_marriage_age"
        assert refused.fields == {"birth_date": [_said(UNDER_AGE)]}
        _unchanged(b)
    _correct(registrar, own_birth, birth_date=limit.isoformat())
    assert Person.objects.get(pk=b.pk).birth_date == limit
    # A marriage whose registration was revoked never took place: it bounds nothing.
    services.record_revoke(actor=office_head, record_id=marriage.pk, reason="never took place")
    _correct(registrar, own_birth, birth_date="2025-01-01")
    assert Person.objects.get(pk=b.pk).birth_date == dt.date(2025, 1, 1)


def test_a_deceased_persons_birth_date_cannot_be_corrected_to_after_the_death(
    registrar: User, birth_data: BirthData, profile: Any, api_client: ClientFor
) -> None:
    (person,) = _adults(registrar, birth_data, 1)
    _died(registrar, profile, person, "2015-09-10", birth_data())
    person.refresh_from_db()
    record = _subject_record(person)
    body = {"changes": {"birth_date": "2016-01-01"}, "reason": "date misread"}
    client = api_client(registrar)
    for language in ("es-mx", "ko", "en"):
        response = _post(client, f"{RECORDS}/{record.pk}/correct", body, language)
        assert response.status_code == 422, response.content
        error = response.json()["error"]
        assert error["code"] == "death_before_birth"
        assert error["fields"] == {"birth_date": [_in(language, DEATH_BEFORE)]}
    _unchanged(person)
    # The day of the death itself is still possible.
    _correct(registrar, record, birth_date="2015-09-10")
    assert Person.objects.get(pk=person.pk).birth_date == dt.date(2015, 9, 10)


# --------------------------------------------------------------------------------------------
# A registered marriage's date corrected
# --------------------------------------------------------------------------------------------


def test_a_marriage_cannot_be_corrected_to_a_date_a_spouse_was_under_age(
    registrar: User, birth_data: BirthData, profile: CountryProfile
) -> None:
    a, b = _adults(registrar, birth_data, 2)  # b born on 1971-03-02
    marriage = _marry(registrar, profile, birth_data(), a, b, "2001-02-03")
    assert b.birth_date is not None
    of_age = _years_before(b.birth_date, -profile.registration.min_marriage_age)
    refused = _refused(
        lambda: _correct(
            registrar, marriage, marriage_date=(of_age - dt.timedelta(days=1)).isoformat()
        )
    )
    assert refused.code == "under_marriage_age"
    assert refused.fields == {"marriage_date": [_said(SPOUSE_UNDER_AGE)]}
    assert Union.objects.get(marriage_record=marriage).married_on == dt.date(2001, 2, 3)
    _correct(registrar, marriage, marriage_date=of_age.isoformat())
    assert Union.objects.get(marriage_record=marriage).married_on == of_age
