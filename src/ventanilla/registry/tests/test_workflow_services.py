"""The registration workflow as registrars live it, through the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ventanilla.core.access import verify_chain
from ventanilla.core.errors import PermissionDenied, ValidationFailed
from ventanilla.core.models import AccessKind, AccessLogEntry, User
from ventanilla.core.workflow import TransitionNotAllowed
from ventanilla.registry import services
from ventanilla.registry.dedup import match_record_for_person, person_name
from ventanilla.registry.idschemes import get_scheme
from ventanilla.registry.matching import blocking_keys
from ventanilla.registry.models import (
    ParentLink,
    Person,
    PersonMatchKey,
    RecordAction,
    Union,
    VitalRecord,
)

BirthData = Callable[..., dict[str, Any]]


def _register_birth(actor: User, data: dict[str, Any]) -> VitalRecord:
    record = services.record_declare(actor=actor, event_type="birth", data=data)
    return services.record_register(actor=actor, record_id=record.pk)


def _event_data(profile: Any, event_type: str, known: dict[str, Any]) -> dict[str, Any]:
    """`known` plus the first choice of every other required choice field of the form."""
    data = dict(known)
    for field in profile.event_type(event_type).fields:
        if field.name not in data and field.required and field.type == "choice":
            data[field.name] = field.choices[0]
    return data


def _register(actor: User, profile: Any, event_type: str, known: dict[str, Any]) -> VitalRecord:
    record = services.record_declare(
        actor=actor, event_type=event_type, data=_event_data(profile, event_type, known)
    )
    return services.record_register(actor=actor, record_id=record.pk)


def _adults(registrar: User, birth_data: BirthData, count: int) -> list[Person]:
    return [
        _subject(_register_birth(registrar, birth_data(i, birth_date=f"19{70 + i}-03-0{i + 1}")))
        for i in range(count)
    ]


def _marry(
    registrar: User, profile: Any, place: dict[str, Any], a: Person, b: Person, on: str
) -> VitalRecord:
    return _register(
        registrar,
        profile,
        "marriage",
        {
            "spouse_a": str(a.pk),
            "spouse_b": str(b.pk),
            "marriage_date": on,
            "marriage_state": place["birth_state"],
            "marriage_municipality": place["birth_municipality"],
        },
    )


def _subject_record(person: Person) -> VitalRecord:
    return VitalRecord.objects.get(subject=person, event_type="birth")


def _subject(record: VitalRecord) -> Person:
    assert record.subject_id is not None
    return Person.objects.get(pk=record.subject_id)


def test_a_registered_birth_creates_a_person_with_a_valid_national_id(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    record = _register_birth(registrar, birth_data())
    assert record.status == "registered"
    assert record.registration_number
    person = _subject(record)
    assert person.national_id is not None
    assert get_scheme(profile.id_scheme).is_valid(person.national_id)
    assert [a.action for a in record.actions.order_by("seq")] == ["create", "declare", "register"]


def test_status_is_what_the_journal_folds_to(registrar: User, birth_data: BirthData) -> None:
    from ventanilla.registry.workflow import RECORD_WORKFLOW

    record = services.record_declare(actor=registrar, event_type="birth", data=birth_data())
    record = services.record_validate(actor=registrar, record_id=record.pk)
    record = services.record_reject(actor=registrar, record_id=record.pk, reason="illegible form")
    actions = list(record.actions.order_by("seq").values_list("action", flat=True))
    assert RECORD_WORKFLOW.status_of(actions) == record.status == "rejected"


def test_an_action_not_allowed_in_the_status_is_refused_with_409(
    registrar: User, birth_data: BirthData
) -> None:
    record = _register_birth(registrar, birth_data())
    with pytest.raises(TransitionNotAllowed) as info:
        services.record_validate(actor=registrar, record_id=record.pk)
    assert info.value.status == 409
    assert RecordAction.objects.filter(record=record).count() == 3


def test_a_correction_keeps_before_and_after_and_overwrites_nothing(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    record = _register_birth(registrar, birth_data())
    old_given = record.data["given_names"]
    new_given = "Valentina" if profile.code == "mx" else "하은"
    record = services.record_correct(
        actor=registrar,
        record_id=record.pk,
        changes={"given_names": new_given},
        reason="typing error at the window",
    )
    last = record.actions.order_by("-seq").first()
    assert last is not None and last.action == "correct"
    assert last.payload["before"] == {"given_names": old_given}
    assert last.payload["after"] == {"given_names": new_given}
    first = record.actions.get(seq=1)
    assert first.payload["data"]["given_names"] == old_given
    assert _subject(record).given_names == new_given


def test_a_corrected_name_keeps_the_national_id_unless_the_id_spells_the_name(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    person = _subject(_register_birth(registrar, birth_data()))
    assert person.national_id is not None
    if profile.code == "kr":
        # As a number issued since October 2020 may be: six random digits after the sex digit.
        person.national_id = person.national_id[:7] + "987651"
        Person.objects.filter(pk=person.pk).update(national_id=person.national_id)
    services.record_correct(
        actor=registrar,
        record_id=_subject_record(person).pk,
        changes={"given_names": "Xóchitl" if profile.code == "mx" else "하은"},
        reason="typing error at the window",
    )
    after = Person.objects.get(pk=person.pk).national_id
    if profile.code == "kr":
        assert after == person.national_id  # an RRN holds no name
    else:
        assert after is not None and after != person.national_id
        assert after[3] == "X"  # the CURP's fourth letter is the given name's first


def test_a_correction_that_names_another_mother_is_logged_for_both_mothers(
    registrar: User, birth_data: BirthData
) -> None:
    old_mother = _subject(_register_birth(registrar, birth_data(0, birth_date="1990-03-04")))
    new_mother = _subject(_register_birth(registrar, birth_data(2, birth_date="1991-05-06")))
    record = _register_birth(registrar, birth_data(4, mother=str(old_mother.pk)))
    services.record_correct(
        actor=registrar,
        record_id=record.pk,
        changes={"mother": str(new_mother.pk)},
        reason="the wrong mother was chosen",
    )
    entry = AccessLogEntry.objects.filter(purpose="record.correct").latest("id")
    assert {str(old_mother.pk), str(new_mother.pk), str(record.subject_id)} <= set(
        entry.subject_ids
    )


def _keys_of(person: Person) -> set[str]:
    return set(PersonMatchKey.objects.filter(person=person).values_list("key", flat=True))


def _birth_parents(child: Person) -> set[Any]:
    return set(
        ParentLink.objects.filter(child=child, kind="birth").values_list("parent_id", flat=True)
    )


def test_a_correction_naming_another_mother_moves_the_child_to_her(
    registrar: User, birth_data: BirthData
) -> None:
    old_mother = _subject(_register_birth(registrar, birth_data(0, birth_date="1990-03-04")))
    new_mother = _subject(_register_birth(registrar, birth_data(2, birth_date="1991-05-06")))
    record = _register_birth(registrar, birth_data(1, mother=str(old_mother.pk)))
    child = _subject(record)
    assert _birth_parents(child) == {old_mother.pk}
    record = services.record_correct(
        actor=registrar,
        record_id=record.pk,
        changes={"mother": str(new_mother.pk)},
        reason="the wrong mother was chosen",
    )
    assert _birth_parents(child) == {new_mother.pk}
    assert not ParentLink.objects.filter(parent=old_mother).exists()
    # The duplicate check now meets the child through the right mother's name.
    expected = blocking_keys(match_record_for_person(child, mother=person_name(new_mother)))
    assert _keys_of(child) == expected
    last = record.actions.order_by("-seq").first()
    assert last is not None
    assert last.payload["parents_removed"] == [str(old_mother.pk)]
    assert last.payload["parents_added"] == [str(new_mother.pk)]


def test_a_corrected_mothers_name_reaches_her_childrens_keys(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    mother_record = _register_birth(registrar, birth_data(0, birth_date="1990-03-04"))
    mother = _subject(mother_record)
    child = _subject(_register_birth(registrar, birth_data(1, mother=str(mother.pk))))
    before = _keys_of(child)
    services.record_correct(
        actor=registrar,
        record_id=mother_record.pk,
        changes={"given_names": "Guadalupe" if profile.code == "mx" else "미숙"},
        reason="typing error at the window",
    )
    mother.refresh_from_db()
    expected = blocking_keys(match_record_for_person(child, mother=person_name(mother)))
    assert _keys_of(child) == expected
    assert expected != before  # the keys made of the mother's name changed


def test_a_corrected_birthplace_reaches_the_register(
    registrar: User, birth_data: BirthData, offices: dict[str, Any]
) -> None:
    record = _register_birth(registrar, birth_data())
    elsewhere = offices["b"].parent
    services.record_correct(
        actor=registrar,
        record_id=record.pk,
        changes={
            "birth_state": elsewhere.parent.official_code,
            "birth_municipality": elsewhere.official_code,
        },
        reason="born in the other city",
    )
    person = _subject(record)
    assert person.birth_place_id == elsewhere.pk


def test_a_correction_naming_a_mother_born_after_the_child_is_refused(
    registrar: User, birth_data: BirthData
) -> None:
    mother = _subject(_register_birth(registrar, birth_data(0, birth_date="1990-03-04")))
    too_young = _subject(_register_birth(registrar, birth_data(2)))  # born days ago
    record = _register_birth(
        registrar, birth_data(1, birth_date="2010-01-02", mother=str(mother.pk))
    )
    actions = record.actions.count()
    with pytest.raises(ValidationFailed) as info:
        services.record_correct(
            actor=registrar,
            record_id=record.pk,
            changes={"mother": str(too_young.pk)},
            reason="the wrong mother was chosen",
        )
    assert "mother" in info.value.fields
    assert _birth_parents(_subject(record)) == {mother.pk}
    assert record.actions.count() == actions
    record.refresh_from_db()
    assert record.data["mother"] == str(mother.pk)


def _place_of(event: str, place: dict[str, Any]) -> dict[str, Any]:
    return {
        f"{event}_state": place["birth_state"],
        f"{event}_municipality": place["birth_municipality"],
    }


def test_corrected_dates_of_a_death_a_marriage_and_a_divorce_reach_the_register(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    place = birth_data()
    a, b, c = _adults(registrar, birth_data, 3)
    marriage = _marry(registrar, profile, place, a, b, "2001-02-03")
    divorce = _register(
        registrar,
        profile,
        "divorce",
        {"spouse_a": str(a.pk), "spouse_b": str(b.pk), "divorce_date": "2009-09-09"},
    )
    death = _register(
        registrar,
        profile,
        "death",
        {"deceased": str(c.pk), "death_date": "2015-09-10"} | _place_of("death", place),
    )
    for record, field, value in (
        (marriage, "marriage_date", "2001-03-02"),
        (divorce, "divorce_date", "2010-10-10"),
        (death, "death_date", "2015-10-09"),
    ):
        services.record_correct(
            actor=registrar, record_id=record.pk, changes={field: value}, reason="date misread"
        )
    union = Union.objects.get(marriage_record=marriage)
    assert (str(union.married_on), str(union.dissolved_on)) == ("2001-03-02", "2010-10-10")
    assert str(Person.objects.get(pk=c.pk).death_date) == "2015-10-09"
    # A divorce before its marriage is refused, and leaves the union as it was.
    with pytest.raises(ValidationFailed) as info:
        services.record_correct(
            actor=registrar,
            record_id=divorce.pk,
            changes={"divorce_date": "2000-01-01"},
            reason="date misread",
        )
    assert "divorce_date" in info.value.fields
    assert str(Union.objects.get(pk=union.pk).dissolved_on) == "2010-10-10"


def test_a_registered_marriage_cannot_be_corrected_to_another_spouse(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    place = birth_data()
    a, b, c = _adults(registrar, birth_data, 3)
    marriage = _marry(registrar, profile, place, a, b, "2001-02-03")
    with pytest.raises(ValidationFailed) as info:
        services.record_correct(
            actor=registrar,
            record_id=marriage.pk,
            changes={"spouse_b": str(c.pk)},
            reason="the wrong spouse was chosen",
        )
    assert info.value.code == "person_changed"
    assert "spouse_b" in info.value.fields
    union = Union.objects.get(marriage_record=marriage)
    assert union.spouse_b_id == b.pk
    marriage.refresh_from_db()
    assert marriage.data["spouse_b"] == str(b.pk)


def test_a_widow_may_marry_again(registrar: User, birth_data: BirthData, profile: Any) -> None:
    place = birth_data()
    widow, late_husband, new_husband = _adults(registrar, birth_data, 3)
    _marry(registrar, profile, place, widow, late_husband, "2005-06-07")
    with pytest.raises(ValidationFailed) as info:
        _marry(registrar, profile, place, widow, new_husband, "2016-01-02")
    assert info.value.code == "already_married"
    _register(
        registrar,
        profile,
        "death",
        {
            "deceased": str(late_husband.pk),
            "death_date": "2015-09-10",
            "death_state": place["birth_state"],
            "death_municipality": place["birth_municipality"],
        },
    )
    record = _marry(registrar, profile, place, widow, new_husband, "2020-01-02")
    assert record.status == "registered"


def test_a_reinstated_marriage_binds_again_unless_a_spouse_remarried(
    office_head: User, registrar: User, birth_data: BirthData, profile: Any
) -> None:
    place = birth_data()
    a, b, c, d = _adults(registrar, birth_data, 4)
    first = _marry(registrar, profile, place, a, b, "2001-02-03")
    services.record_revoke(actor=office_head, record_id=first.pk, reason="court order")
    services.record_reinstate(actor=office_head, record_id=first.pk, reason="appeal")
    with pytest.raises(ValidationFailed) as info:
        _marry(registrar, profile, place, a, c, "2010-01-01")
    assert info.value.code == "already_married"
    services.record_revoke(actor=office_head, record_id=first.pk, reason="court order")
    _marry(registrar, profile, place, b, d, "2012-05-05")
    with pytest.raises(ValidationFailed) as refused:
        services.record_reinstate(actor=office_head, record_id=first.pk, reason="appeal")
    assert refused.value.code == "already_married"
    assert VitalRecord.objects.get(pk=first.pk).status == "revoked"


def _adopt(registrar: User, profile: Any, child: Person, adopter: Person, kind: str) -> VitalRecord:
    known: dict[str, Any] = {
        "child": str(child.pk),
        "adoptive_parent_a": str(adopter.pk),
        "adoption_date": "2016-04-05",
        "court_order_number": "123/2016",
    }
    if profile.code == "kr":
        known["adoption_kind"] = kind
    return _register(registrar, profile, "adoption", known)


def _links(child: Person) -> dict[str, bool]:
    """Parent id -> whether the link is in force."""
    return {
        str(link.parent_id): link.ended_by_id is None
        for link in ParentLink.objects.filter(child=child)
    }


def test_a_full_adoption_by_a_step_father_ends_only_the_other_parent(
    office_head: User, registrar: User, birth_data: BirthData, profile: Any
) -> None:
    place = birth_data()
    mother, father, step_father = _adults(registrar, birth_data, 3)
    child = _subject(
        _register_birth(
            registrar,
            birth_data(5, birth_date="2010-01-02", mother=str(mother.pk), father=str(father.pk)),
        )
    )
    _marry(registrar, profile, place, mother, step_father, "2014-02-03")
    adoption = _adopt(registrar, profile, child, step_father, "full")
    assert _links(child) == {str(mother.pk): True, str(father.pk): False, str(step_father.pk): True}
    last = adoption.actions.order_by("-seq").first()
    assert last is not None and last.payload["ended_parents"] == [str(father.pk)]
    services.record_revoke(actor=office_head, record_id=adoption.pk, reason="annulled")
    assert _links(child) == {str(mother.pk): True, str(father.pk): True, str(step_father.pk): False}
    services.record_reinstate(actor=office_head, record_id=adoption.pk, reason="appeal")
    assert _links(child) == {str(mother.pk): True, str(father.pk): False, str(step_father.pk): True}


def test_a_general_adoption_in_korea_keeps_the_birth_parents(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    if profile.code != "kr":
        pytest.skip("only Korea's law has a general adoption that keeps the birth family")
    mother, adopter = _adults(registrar, birth_data, 2)
    child = _subject(
        _register_birth(registrar, birth_data(5, birth_date="2010-01-02", mother=str(mother.pk)))
    )
    _adopt(registrar, profile, child, adopter, "general")
    assert _links(child) == {str(mother.pk): True, str(adopter.pk): True}


def test_a_correction_needs_a_reason(registrar: User, birth_data: BirthData) -> None:
    record = _register_birth(registrar, birth_data())
    with pytest.raises(ValidationFailed) as info:
        services.record_correct(
            actor=registrar, record_id=record.pk, changes={"sex": "M"}, reason=" "
        )
    assert "reason" in info.value.fields


def test_revoke_and_reinstate_return_to_registered(
    office_head: User, registrar: User, birth_data: BirthData
) -> None:
    record = _register_birth(registrar, birth_data())
    record = services.record_revoke(actor=office_head, record_id=record.pk, reason="court order")
    assert record.status == "revoked"
    assert _subject(record).status == "void"
    record = services.record_reinstate(actor=office_head, record_id=record.pk, reason="appeal")
    assert record.status == "registered"
    assert _subject(record).status == "alive"


def test_a_registrar_cannot_act_outside_their_jurisdiction_and_the_attempt_is_logged(
    registrar: User, registrar_b: User, birth_data: BirthData
) -> None:
    record = services.record_declare(actor=registrar, event_type="birth", data=birth_data())
    with pytest.raises(PermissionDenied) as info:
        services.record_register(actor=registrar_b, record_id=record.pk)
    assert info.value.status == 403
    assert VitalRecord.objects.get(pk=record.pk).status == "declared"
    denied = AccessLogEntry.objects.filter(actor=registrar_b, kind=AccessKind.DENIED)
    assert denied.count() == 1
    assert verify_chain().intact


def test_an_agent_may_declare_but_not_register(agent: User, birth_data: BirthData) -> None:
    record = services.record_declare(actor=agent, event_type="birth", data=birth_data())
    with pytest.raises(PermissionDenied):
        services.record_register(actor=agent, record_id=record.pk)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"birth_date": "2999-01-01"}, "birth_date"),
        ({"birth_date": "2023-02-30"}, "birth_date"),
        ({"given_names": "A" * 500}, "given_names"),
        ({"given_names": None}, "given_names"),
        ({"sex": "Q"}, "sex"),
        ({"given_names": "Ana\x00"}, "given_names"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
    ],
)
def test_bad_declarations_are_refused_field_by_field_and_leave_nothing(
    registrar: User, birth_data: BirthData, overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationFailed) as info:
        services.record_declare(actor=registrar, event_type="birth", data=birth_data(**overrides))
    assert field in info.value.fields
    assert VitalRecord.objects.count() == 0


NAMES_KEPT_EXACTLY = {
    "mx": [("José María", "O'Brien-Núñez"), ("Ñandú", "Peña"), ("서준", "남궁")],
    "kr": [("서준", "남궁"), ("하윤", "제갈"), ("Ana", "Kim")],
}


def test_names_with_accents_apostrophes_and_hangul_are_kept_exactly(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    for given, first in NAMES_KEPT_EXACTLY[profile.code]:
        record = _register_birth(registrar, birth_data(given_names=given, first_surname=first))
        person = _subject(record)
        assert (person.given_names, person.first_surname) == (given, first)


def test_a_death_before_the_birth_is_refused(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    record = _register_birth(registrar, birth_data(birth_date="2000-05-05"))
    municipality = record.office.parent
    assert municipality is not None and municipality.parent is not None
    death = {
        "deceased": str(record.subject_id),
        "death_date": "1999-01-01",
        "death_state": municipality.parent.official_code,
        "death_municipality": municipality.official_code,
    }
    spec = profile.event_type("death")
    for field in ("death_place_type", "manner", "declarant_relationship"):
        death[field] = spec.field_spec(field).choices[0]
    with pytest.raises(ValidationFailed) as info:
        services.record_declare(actor=registrar, event_type="death", data=death)
    assert "death_date" in info.value.fields
    death["death_date"] = "2020-01-01"
    registered = services.record_declare(actor=registrar, event_type="death", data=death)
    services.record_register(actor=registrar, record_id=registered.pk)
    person = _subject(record)
    assert person.status == "deceased"
    with pytest.raises(ValidationFailed) as again:
        services.record_declare(actor=registrar, event_type="death", data=death)
    assert again.value.code == "already_deceased"


def test_homonyms_get_different_national_ids(registrar: User, birth_data: BirthData) -> None:
    data = birth_data()
    first = _register_birth(registrar, data)
    second_record = services.record_declare(actor=registrar, event_type="birth", data=data)
    for flag in second_record.duplicate_flags.all():
        services.duplicate_decide(
            actor=registrar,
            record_id=second_record.pk,
            candidate_id=flag.candidate_id,
            is_duplicate=False,
        )
    second = services.record_register(actor=registrar, record_id=second_record.pk)
    a = _subject(first).national_id
    b = _subject(second).national_id
    assert a and b and a != b


def test_korean_names_carry_a_romanised_form(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    if profile.code != "kr":
        pytest.skip("only profiles that write names in another script romanise them")
    derived = _subject(
        _register_birth(registrar, birth_data(given_names="민준", first_surname="이"))
    )
    assert derived.romanised_name == "I Minjun"
    given = _subject(
        _register_birth(
            registrar,
            birth_data(
                1,
                given_names="서연",
                first_surname="이",
                first_surname_roman="Lee",
                given_names_roman="Seoyeon",
            ),
        )
    )
    assert given.romanised_name == "Lee Seoyeon"


@pytest.mark.django_db(transaction=True)
def test_a_national_id_taken_by_another_registration_at_the_last_moment_is_skipped(
    offices: dict[str, Any], profile: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime as dt
    import threading

    from django.db import connection, connections

    from ventanilla.core import rows
    from ventanilla.registry import identity
    from ventanilla.registry.tests.factories import imported_person

    if connection.vendor != "postgresql":
        pytest.skip("two registrations writing at once need PostgreSQL")
    state = profile.states[0].code
    born = dt.date(1990, 5, 7)
    mine = imported_person(offices["a"], "Ana", "Lopez", "Ruiz", born=born)
    rival = imported_person(offices["a"], "Ana", "Lopez", "Ruiz", born=born)

    def rival_registers(proposal: str) -> None:
        rival.national_id = proposal
        rival.save(force_insert=True)
        connections.close_all()

    real_insert = rows.insert

    def insert_after_the_rival(instance: Any, *, skip_if_taken: str | None = None) -> bool:
        # Between our check of the taken IDs and our insert, another registration commits
        # the same proposal (once); then we insert ours.
        if rival.national_id is None:
            other = threading.Thread(target=rival_registers, args=(instance.national_id,))
            other.start()
            other.join()
        return real_insert(instance, skip_if_taken=skip_if_taken)

    monkeypatch.setattr(rows, "insert", insert_after_the_rival)
    assigned = identity.insert_with_national_id(mine, birth_state=state)
    rival.refresh_from_db()
    assert rival.national_id and assigned != rival.national_id
    assert Person.objects.get(pk=mine.pk).national_id == assigned
