"""Two registrations changing one person at the same time: the second waits for the first and
is checked against the register as the first left it. Without that, both marriages of one
person, or both divorces of one couple, were registered."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ventanilla.core.errors import ValidationFailed
from ventanilla.core.models import User
from ventanilla.registry import services
from ventanilla.registry.models import Person, Union, VitalRecord
from ventanilla.registry.tests.concurrency import second_while_first_holds
from ventanilla.registry.tests.test_workflow_services import _adults, _event_data, _marry

BirthData = Callable[..., dict[str, Any]]


def _declared(registrar: User, profile: Any, event_type: str, known: dict[str, Any]) -> VitalRecord:
    return services.record_declare(
        actor=registrar, event_type=event_type, data=_event_data(profile, event_type, known)
    )


def _marriage(
    registrar: User, profile: Any, place: dict[str, Any], a: Person, b: Person
) -> VitalRecord:
    known = {
        "spouse_a": str(a.pk),
        "spouse_b": str(b.pk),
        "marriage_date": "2015-05-05",
        "marriage_state": place["birth_state"],
        "marriage_municipality": place["birth_municipality"],
    }
    return _declared(registrar, profile, "marriage", known)


def _register_while_the_other_holds(
    registrar: User, first: VitalRecord, second: VitalRecord
) -> ValidationFailed:
    """Register `first` in a transaction held open, then `second`; returns the refusal of
    `second`, which must come once `first` has committed."""
    with pytest.raises(ValidationFailed) as info:
        second_while_first_holds(
            lambda: services.record_register(actor=registrar, record_id=first.pk),
            lambda: services.record_register(actor=registrar, record_id=second.pk),
        )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("registered", "declared")
    return info.value


@pytest.mark.django_db(transaction=True)
def test_two_marriages_of_one_person_registered_at_once_make_one_union(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    bride, groom, other = _adults(registrar, birth_data, 3)
    first = _marriage(registrar, profile, birth_data(), bride, groom)
    second = _marriage(registrar, profile, birth_data(), bride, other)
    refusal = _register_while_the_other_holds(registrar, first, second)
    assert refusal.code == "already_married"
    assert Union.objects.filter(marriage_record__in=[first, second]).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_divorces_of_one_couple_registered_at_once_dissolve_it_once(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    a, b = _adults(registrar, birth_data, 2)
    married = _marry(registrar, profile, birth_data(), a, b, "2001-02-03")
    known = {"spouse_a": str(a.pk), "spouse_b": str(b.pk), "divorce_date": "2010-10-10"}
    first = _declared(registrar, profile, "divorce", known)
    second = _declared(registrar, profile, "divorce", {**known, "divorce_date": "2011-11-11"})
    refusal = _register_while_the_other_holds(registrar, first, second)
    assert refusal.code == "not_married"
    union = Union.objects.get(marriage_record=married)
    assert union.divorce_record_id == first.pk
    assert str(union.dissolved_on) == "2010-10-10"
