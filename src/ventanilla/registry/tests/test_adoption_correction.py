"""Correcting a registered adoption's date or kind decides again which earlier parents it
ends: the step-parent exception depends on the marriage standing on the adoption date, and in
Korea only a full adoption ends the birth family. Before, the register kept the links as the
adoption first left them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ventanilla.core.models import User
from ventanilla.registry import services
from ventanilla.registry.models import Person, VitalRecord
from ventanilla.registry.tests.test_workflow_services import (
    _adopt,
    _adults,
    _links,
    _marry,
    _register_birth,
    _subject,
)

BirthData = Callable[..., dict[str, Any]]


def _correct(registrar: User, adoption: VitalRecord, **changes: str) -> dict[str, Any]:
    """Correct the adoption; returns the payload of the correction in its journal."""
    services.record_correct(
        actor=registrar, record_id=adoption.pk, changes=changes, reason="court order misread"
    )
    last = adoption.actions.order_by("-seq").first()
    assert last is not None and last.action == "correct"
    return dict(last.payload)


def _family(registrar: User, birth_data: BirthData) -> tuple[Person, Person, Person, Person]:
    mother, father, step_father = _adults(registrar, birth_data, 3)
    child = _subject(
        _register_birth(
            registrar,
            birth_data(5, birth_date="2010-01-02", mother=str(mother.pk), father=str(father.pk)),
        )
    )
    return mother, father, step_father, child


def test_a_step_parent_adoption_moved_before_the_marriage_ends_the_mother_too(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    mother, father, step_father, child = _family(registrar, birth_data)
    _marry(registrar, profile, birth_data(), mother, step_father, "2014-02-03")
    adoption = _adopt(registrar, profile, child, step_father, "full")  # on 2016-04-05
    assert _links(child) == {str(mother.pk): True, str(father.pk): False, str(step_father.pk): True}

    # Adopted before the mother married the adopter: no step-parent exception.
    payload = _correct(registrar, adoption, adoption_date="2013-01-01")
    assert _links(child) == {
        str(mother.pk): False,
        str(father.pk): False,
        str(step_father.pk): True,
    }
    assert payload["parents_ended"] == [str(mother.pk)]
    assert payload["parents_restored"] == []

    # Corrected back: the mother's link returns, the father's stays ended.
    payload = _correct(registrar, adoption, adoption_date="2016-04-05")
    assert _links(child) == {str(mother.pk): True, str(father.pk): False, str(step_father.pk): True}
    assert payload["parents_restored"] == [str(mother.pk)]


def test_correcting_another_field_of_an_adoption_leaves_the_links(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    mother, father, step_father, child = _family(registrar, birth_data)
    _marry(registrar, profile, birth_data(), mother, step_father, "2014-02-03")
    adoption = _adopt(registrar, profile, child, step_father, "full")
    before = _links(child)
    payload = _correct(registrar, adoption, court_order_number="124/2016")
    assert _links(child) == before
    assert "parents_ended" not in payload and "parents_restored" not in payload


def test_a_korean_adoption_corrected_from_general_to_full_ends_the_birth_family(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    if profile.code != "kr":
        pytest.skip("only Korea's law has a general adoption that keeps the birth family")
    mother, father, adopter, child = _family(registrar, birth_data)
    adoption = _adopt(registrar, profile, child, adopter, "general")
    assert _links(child) == {str(mother.pk): True, str(father.pk): True, str(adopter.pk): True}

    payload = _correct(registrar, adoption, adoption_kind="full")
    assert _links(child) == {str(mother.pk): False, str(father.pk): False, str(adopter.pk): True}
    assert payload["parents_ended"] == sorted([str(mother.pk), str(father.pk)])

    payload = _correct(registrar, adoption, adoption_kind="general")
    assert _links(child) == {str(mother.pk): True, str(father.pk): True, str(adopter.pk): True}
    assert payload["parents_restored"] == sorted([str(mother.pk), str(father.pk)])
