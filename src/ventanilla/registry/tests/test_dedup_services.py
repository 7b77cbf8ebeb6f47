"""Duplicate declarations are caught before registration and decided by a registrar."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ventanilla.core.errors import Conflict, ValidationFailed
from ventanilla.core.models import Jurisdiction, User
from ventanilla.core.workflow import TransitionNotAllowed
from ventanilla.registry import services
from ventanilla.registry.dedup import (
    MAX_CANDIDATES,
    candidates_for,
    match_record_for_person,
    person_name,
    store_match_keys,
)
from ventanilla.registry.matching import blocking_keys
from ventanilla.registry.models import (
    DuplicateDecision,
    ParentKind,
    ParentLink,
    Person,
    PersonMatchKey,
    VitalRecord,
)
from ventanilla.registry.tests.concurrency import second_while_first_holds
from ventanilla.registry.tests.factories import imported_person

BirthData = Callable[..., dict[str, Any]]

NEAR = {
    # The same child declared again with the slips clerks make.
    "mx": {"given_names": "Ana Sofia", "first_surname": "Ramirez", "second_surname": "Nunez"},
    "kr": {"given_names": "서연", "first_surname": "김"},
}


@pytest.fixture
def registered(registrar: User, birth_data: BirthData) -> VitalRecord:
    record = services.record_declare(actor=registrar, event_type="birth", data=birth_data())
    return services.record_register(actor=registrar, record_id=record.pk)


def _near_duplicate(registrar: User, birth_data: BirthData, profile: Any) -> VitalRecord:
    return services.record_declare(
        actor=registrar, event_type="birth", data=birth_data(**NEAR[profile.code])
    )


def test_a_near_duplicate_is_flagged_and_blocks_registration(
    registrar: User, registered: VitalRecord, birth_data: BirthData, profile: Any
) -> None:
    record = _near_duplicate(registrar, birth_data, profile)
    assert record.duplicates_pending
    flag = record.duplicate_flags.get()
    assert flag.candidate_id == registered.subject_id
    assert flag.comparison["birth_date"]["level"] == "exact"
    with pytest.raises(Conflict) as info:
        services.record_register(actor=registrar, record_id=record.pk)
    assert info.value.code == "duplicates_pending"
    assert VitalRecord.objects.get(pk=record.pk).status == "declared"


def test_not_a_duplicate_is_journaled_and_registration_proceeds(
    registrar: User, registered: VitalRecord, birth_data: BirthData, profile: Any
) -> None:
    record = _near_duplicate(registrar, birth_data, profile)
    assert registered.subject_id is not None
    record = services.duplicate_decide(
        actor=registrar,
        record_id=record.pk,
        candidate_id=registered.subject_id,
        is_duplicate=False,
        reason="different parents confirmed at the window",
    )
    assert not record.duplicates_pending
    decision = record.actions.get(action="mark_not_duplicate")
    assert decision.payload["candidate"] == str(registered.subject_id)
    assert services.record_register(actor=registrar, record_id=record.pk).status == "registered"


def test_a_confirmed_duplicate_rejects_the_declaration(
    registrar: User, registered: VitalRecord, birth_data: BirthData, profile: Any
) -> None:
    record = _near_duplicate(registrar, birth_data, profile)
    assert registered.subject_id is not None
    with pytest.raises(ValidationFailed):
        services.duplicate_decide(
            actor=registrar,
            record_id=record.pk,
            candidate_id=registered.subject_id,
            is_duplicate=True,
        )
    record = services.duplicate_decide(
        actor=registrar,
        record_id=record.pk,
        candidate_id=registered.subject_id,
        is_duplicate=True,
        reason="same child, declared twice",
    )
    assert record.status == "rejected"
    assert record.duplicate_flags.get().decision == DuplicateDecision.DUPLICATE


def test_a_different_child_of_another_family_is_not_flagged(
    registrar: User, registered: VitalRecord, birth_data: BirthData
) -> None:
    other = services.record_declare(
        actor=registrar,
        event_type="birth",
        data=birth_data(3, birth_date="1990-01-01", mother_given_names="Beatriz"),
    )
    assert not other.duplicates_pending
    assert other.duplicate_flags.count() == 0


def test_a_candidate_cannot_be_decided_twice(
    registrar: User, registered: VitalRecord, birth_data: BirthData, profile: Any
) -> None:
    record = _near_duplicate(registrar, birth_data, profile)
    assert registered.subject_id is not None
    services.duplicate_decide(
        actor=registrar, record_id=record.pk, candidate_id=registered.subject_id, is_duplicate=False
    )
    with pytest.raises(Conflict):
        services.duplicate_decide(
            actor=registrar,
            record_id=record.pk,
            candidate_id=registered.subject_id,
            is_duplicate=False,
        )


def test_the_person_sharing_most_keys_is_a_candidate_even_when_a_key_is_crowded(
    offices: dict[str, Jurisdiction], profile: Any
) -> None:
    born = dt.date(1985, 3, 14)
    given, first, second = ("Ana", "Torres", "Vega") if profile.code == "mx" else ("서연", "김", "")

    def person(pk: uuid.UUID, given: str, first: str, second: str) -> Person:
        return imported_person(offices["a"], given, first, second, born=born, pk=pk)

    # More namesakes born the same day than a lookup reads; each shares only the keys made of
    # the birth date and the given name with the probe.
    crowd = [
        person(uuid.UUID(int=n + 1), given, f"{first}{chr(0x61 + n % 26)}x{n}", "")
        for n in range(MAX_CANDIDATES + 50)
    ]
    # The same person, last in every index order.
    target = person(uuid.UUID(int=2**128 - 1), given, first, second)
    Person.objects.bulk_create([*crowd, target])
    for p in [*crowd, target]:
        store_match_keys(p, new_with_parents=("", ""))
    probe = match_record_for_person(target)
    found = [person_id for person_id, _result in candidates_for(probe)]
    assert found[0] == str(target.pk)


def test_among_persons_sharing_one_key_the_holder_of_the_rarest_is_a_candidate(
    offices: dict[str, Jurisdiction], profile: Any
) -> None:
    given, first, second = ("Ana", "Torres", "Vega") if profile.code == "mx" else ("서연", "김", "")
    born = dt.date(1985, 3, 14)

    def person(pk: uuid.UUID, given_names: str) -> Person:
        return imported_person(offices["a"], given_names, first, second, born=born, pk=pk)

    # The same person, last in every index order, whose only key in common with the probe
    # is one nobody else holds; and more persons than a lookup reads, each holding another
    # of the probe's keys (as the holders of a crowded key do).
    target = person(uuid.UUID(int=2**128 - 1), given)
    crowd = [person(uuid.UUID(int=n + 1), f"{given} {n}") for n in range(MAX_CANDIDATES + 30)]
    Person.objects.bulk_create([*crowd, target])
    probe = match_record_for_person(target)
    crowded, rare = sorted(blocking_keys(probe))[:2]  # the rare one last in index order
    PersonMatchKey.objects.bulk_create(
        [
            PersonMatchKey(key=rare, person=target),
            *(PersonMatchKey(key=crowded, person=p) for p in crowd),
        ]
    )
    found = [person_id for person_id, _result in candidates_for(probe)]
    assert found[0] == str(target.pk)


def test_a_lookup_compares_the_candidates_parents_and_reads_them_with_the_candidates(
    offices: dict[str, Jurisdiction], profile: Any
) -> None:
    names = {
        "mx": (("Rosa", "Vega", "Ruiz"), ("Ana", "Torres", "Vega")),
        "kr": (("영희", "박", ""), ("서연", "김", "")),
    }
    (m_given, m_first, m_second), (given, first, second) = names[profile.code]
    mother = imported_person(offices["a"], m_given, m_first, m_second, born=dt.date(1960, 5, 2))
    child = imported_person(offices["a"], given, first, second, born=dt.date(1985, 3, 14))
    Person.objects.bulk_create([mother, child])
    ParentLink.objects.create(child=child, parent=mother, kind=ParentKind.BIRTH)
    store_match_keys(child, new_with_parents=(person_name(mother), ""))
    probe = match_record_for_person(child, mother=person_name(mother))
    with CaptureQueriesContext(connection) as queries:
        found = candidates_for(probe)
    person_id, result = found[0]
    assert person_id == str(child.pk)
    assert result.fields["mother_name"].level == "exact"
    if connection.vendor == "postgresql":
        # Keys, candidates and their parents: one round trip to the server.
        assert len(queries) == 1


def _declared_twice(registrar: User, birth_data: BirthData) -> tuple[VitalRecord, VitalRecord]:
    """The same birth declared twice before either is registered: nothing to flag yet."""
    first = services.record_declare(actor=registrar, event_type="birth", data=birth_data())
    second = services.record_declare(actor=registrar, event_type="birth", data=birth_data())
    assert not first.duplicates_pending and not second.duplicates_pending
    return first, second


def _refused_as_a_new_duplicate(
    registrar: User, birth_data: BirthData
) -> tuple[VitalRecord, VitalRecord]:
    """The first of two identical declarations registered; the second's registration refused
    because of it."""
    first, second = _declared_twice(registrar, birth_data)
    registered = services.record_register(actor=registrar, record_id=first.pk)
    with pytest.raises(Conflict):
        services.record_register(actor=registrar, record_id=second.pk)
    return registered, second


def test_a_duplicate_registered_since_the_declaration_blocks_the_registration(
    registrar: User, birth_data: BirthData
) -> None:
    first, second = _declared_twice(registrar, birth_data)
    registered = services.record_register(actor=registrar, record_id=first.pk)
    with pytest.raises(Conflict) as info:
        services.record_register(actor=registrar, record_id=second.pk)
    assert info.value.code == "duplicates_pending"
    second.refresh_from_db()
    assert second.status == "declared"
    assert second.subject_id is None
    # Kept for the side-by-side review, with the refused attempt journaled as the flagging.
    assert second.duplicates_pending
    flag = second.duplicate_flags.get()
    assert flag.candidate_id == registered.subject_id
    assert flag.decision == DuplicateDecision.PENDING
    last = second.actions.order_by("-seq").first()
    assert last is not None and last.action == "flag_duplicates"
    assert last.payload["candidates"] == [str(registered.subject_id)]
    assert Person.objects.filter(first_surname=birth_data()["first_surname"]).count() == 1
    # Asking again changes nothing until a registrar decides.
    with pytest.raises(Conflict):
        services.record_register(actor=registrar, record_id=second.pk)
    assert second.duplicate_flags.count() == 1


def test_a_registrar_s_decision_on_a_duplicate_found_at_registration_holds(
    registrar: User, birth_data: BirthData
) -> None:
    registered, second = _refused_as_a_new_duplicate(registrar, birth_data)
    assert registered.subject_id is not None
    services.duplicate_decide(
        actor=registrar,
        record_id=second.pk,
        candidate_id=registered.subject_id,
        is_duplicate=False,
        reason="twins of the same name, confirmed at the window",
    )
    # The lookup finds the same person again, already decided: no new refusal.
    done = services.record_register(actor=registrar, record_id=second.pk)
    assert done.status == "registered"
    assert done.subject_id not in (None, registered.subject_id)


def test_a_duplicate_confirmed_after_a_refused_registration_cannot_be_registered(
    registrar: User, birth_data: BirthData
) -> None:
    registered, second = _refused_as_a_new_duplicate(registrar, birth_data)
    assert registered.subject_id is not None
    services.duplicate_decide(
        actor=registrar,
        record_id=second.pk,
        candidate_id=registered.subject_id,
        is_duplicate=True,
        reason="same child, declared twice",
    )
    with pytest.raises(TransitionNotAllowed):
        services.record_register(actor=registrar, record_id=second.pk)
    second.refresh_from_db()
    assert second.status == "rejected"
    assert second.subject_id is None
    assert Person.objects.filter(first_surname=birth_data()["first_surname"]).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_registrations_of_one_child_at_the_same_time_make_one_person(
    registrar: User, birth_data: BirthData
) -> None:
    first, second = _declared_twice(registrar, birth_data)
    with pytest.raises(Conflict) as info:
        second_while_first_holds(
            lambda: services.record_register(actor=registrar, record_id=first.pk),
            lambda: services.record_register(actor=registrar, record_id=second.pk),
        )
    assert info.value.code == "duplicates_pending"
    first.refresh_from_db()
    assert first.status == "registered"
    assert second.duplicate_flags.get().candidate_id == first.subject_id
    assert Person.objects.filter(first_surname=birth_data()["first_surname"]).count() == 1
