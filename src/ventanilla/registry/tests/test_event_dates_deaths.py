"""No event of a person after their death, judged by the dates the register holds rather than
by today's status: a child is born no later than its mother's death and at most 300 days after
its father's; no one marries, divorces, adopts or is adopted after their death (a recognition
may follow the parent's death, of a child they could have had); a death is not dated before an
event the register holds of that person's life. A marriage or divorce dated before a death and
declared after it is a late registration, and is registered. Each refusal names the field,
carries a stable code and leaves the register as it was, at declaration, registration,
correction and reinstatement alike."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.test import Client

from ventanilla.core.errors import ValidationFailed
from ventanilla.core.models import User
from ventanilla.registry import services
from ventanilla.registry.models import ParentLink, Person, Union, VitalRecord
from ventanilla.registry.tests.test_event_dates import (
    DEATH_BEFORE,
    RECORDS,
    _child_of,
    _correct,
    _declare,
    _died,
    _divorce,
    _in,
    _post,
    _refused,
    _said,
)
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

MOTHER_DIED = "The mother died before this birth."
FATHER_DIED = "The father died more than 300 days before this birth."
PERSON_DIED = "This person had died before the date of this event."
DIED_ON_DATE = "On this date, a person named in the record had already died."
MARRIED_AFTER = "This person married after this date of death."
DIVORCED_AFTER = "This person divorced after this date of death."
CHILD_AFTER = (
    "A child of this person was born after this date of death (for a father, more than 300 "
    "days after)."
)
ADOPTION_AFTER = "An adoption by or of this person is dated after this date of death."
SPOUSE_REMARRIED = "The surviving spouse married someone else before this date of death."
ALREADY_MARRIED = "This person is already married."
LATER_MARRIAGE = "This person married someone else later, while this marriage would still be open."
SPOUSE_LATER_MARRIAGE = (
    "A spouse married someone else later, while this marriage would still be open."
)
POSTHUMOUS = dt.timedelta(days=300)


def _death(person: Person, on: str, place: dict[str, Any]) -> dict[str, Any]:
    return {"deceased": str(person.pk), "death_date": on} | _place_of("death", place)


def _wedding(a: Person, b: Person, on: str, place: dict[str, Any]) -> dict[str, Any]:
    return {"spouse_a": str(a.pk), "spouse_b": str(b.pk), "marriage_date": on} | _place_of(
        "marriage", place
    )


def _adoption(child: Person, adopter: Person, on: str) -> dict[str, Any]:
    return {
        "child": str(child.pk),
        "adoptive_parent_a": str(adopter.pk),
        "adoption_date": on,
        "court_order_number": "77/2016",
    }


def _recognition(child: Person, parent: Person, on: str) -> dict[str, Any]:
    return {"child": str(child.pk), "recognising_parent": str(parent.pk), "recognition_date": on}


def _refused_declaration(
    registrar: User, profile: Any, event_type: str, known: dict[str, Any]
) -> ValidationFailed:
    return _refused(lambda: _declare(registrar, profile, event_type, known))


def _still_alive(person: Person) -> None:
    now = Person.objects.get(pk=person.pk)
    assert (now.status, now.death_date) == ("alive", None)


def _died_on(person: Person) -> dt.date | None:
    return Person.objects.get(pk=person.pk).death_date


def _count(event_type: str) -> int:
    return VitalRecord.objects.filter(event_type=event_type).count()


# --------------------------------------------------------------------------------------------
# A birth after a parent's death
# --------------------------------------------------------------------------------------------


def test_a_birth_more_than_300_days_after_the_fathers_death_is_refused(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    mother, father = _adults(registrar, birth_data, 2)
    died = dt.date(2015, 1, 10)
    _died(registrar, profile, father, died.isoformat(), birth_data())
    births = _count("birth")

    def child(born: dt.date) -> dict[str, Any]:
        return birth_data(
            5, birth_date=born.isoformat(), mother=str(mother.pk), father=str(father.pk)
        )

    refused = _refused(
        lambda: services.record_declare(
            actor=registrar, event_type="birth", data=child(died + POSTHUMOUS + dt.timedelta(1))
        )
    )
    assert refused.code == "father_died_before_birth"
    assert refused.fields == {"father": [_said(FATHER_DIED)]}
    assert _count("birth") == births
    assert not ParentLink.objects.filter(parent=father).exists()
    # 300 days after his death the child may still be his: a posthumous child.
    born = _subject(_register_birth(registrar, child(died + POSTHUMOUS)))
    assert set(ParentLink.objects.filter(child=born).values_list("parent_id", flat=True)) == {
        mother.pk,
        father.pk,
    }


def test_a_birth_after_the_mothers_death_is_refused_with_its_own_code(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    (mother,) = _adults(registrar, birth_data, 1)
    _died(registrar, profile, mother, "2015-01-10", birth_data())
    refused = _refused(
        lambda: services.record_declare(
            actor=registrar,
            event_type="birth",
            data=birth_data(5, birth_date="2015-01-11", mother=str(mother.pk)),
        )
    )
    assert refused.code == "mother_died_before_birth"
    assert refused.fields == {"mother": [_said(MOTHER_DIED)]}
    assert not ParentLink.objects.filter(parent=mother).exists()


# --------------------------------------------------------------------------------------------
# A death dated before an event of the person's life
# --------------------------------------------------------------------------------------------


def test_a_death_dated_before_the_persons_marriage_or_divorce_is_refused(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    place = birth_data()
    a, b = _adults(registrar, birth_data, 2)
    _marry(registrar, profile, place, a, b, "2000-05-05")
    refused = _refused_declaration(registrar, profile, "death", _death(a, "2000-05-04", place))
    assert refused.code == "death_before_marriage"
    assert refused.fields == {"death_date": [_said(MARRIED_AFTER)]}
    assert _count("death") == 0
    _still_alive(a)

    _register(registrar, profile, "divorce", _divorce(a, b, "2010-01-01"))
    refused = _refused_declaration(registrar, profile, "death", _death(b, "2009-12-31", place))
    assert refused.code == "death_before_divorce"
    assert refused.fields == {"death_date": [_said(DIVORCED_AFTER)]}
    assert _count("death") == 0
    _still_alive(b)
    # On the day of the divorce itself, the death is possible.
    _died(registrar, profile, b, "2010-01-01", place)
    assert _died_on(b) == dt.date(2010, 1, 1)


def test_the_api_answers_a_death_before_the_marriage_with_422_in_the_callers_language(
    registrar: User, birth_data: BirthData, profile: Any, api_client: ClientFor
) -> None:
    place = birth_data()
    a, b = _adults(registrar, birth_data, 2)
    _marry(registrar, profile, place, a, b, "2000-05-05")
    body = {
        "event_type": "death",
        "data": _event_data(profile, "death", _death(b, "1999-01-01", place)),
    }
    client = api_client(registrar)
    for language in ("es-mx", "ko", "en"):
        response = _post(client, RECORDS, body, language)
        assert response.status_code == 422, response.content
        error = response.json()["error"]
        assert error["code"] == "death_before_marriage"
        assert error["fields"] == {"death_date": [_in(language, MARRIED_AFTER)]}
    assert _count("death") == 0
    _still_alive(b)


def test_a_death_dated_before_the_birth_of_a_child_is_refused_a_father_300_days_before(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    place = birth_data()
    mother, father = _adults(registrar, birth_data, 2)
    born = dt.date(2012, 4, 4)
    _register_birth(
        registrar,
        birth_data(5, birth_date=born.isoformat(), mother=str(mother.pk), father=str(father.pk)),
    )
    for parent, died in (
        (mother, born - dt.timedelta(1)),
        (father, born - POSTHUMOUS - dt.timedelta(1)),
    ):
        refused = _refused_declaration(
            registrar, profile, "death", _death(parent, str(died), place)
        )
        assert refused.code == "death_before_child_birth"
        assert refused.fields == {"death_date": [_said(CHILD_AFTER)]}
        _still_alive(parent)
    assert _count("death") == 0
    # The mother on the day of the birth, the father 300 days before it: possible.
    _died(registrar, profile, mother, born.isoformat(), place)
    _died(registrar, profile, father, (born - POSTHUMOUS).isoformat(), place)
    assert (_died_on(mother), _died_on(father)) == (born, born - POSTHUMOUS)


def test_a_death_dated_before_an_adoption_by_or_of_the_person_is_refused(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    place = birth_data()
    mother, adopter = _adults(registrar, birth_data, 2)
    child = _child_of(registrar, birth_data, mother, "2010-01-02")
    _register(registrar, profile, "adoption", _adoption(child, adopter, "2016-04-05"))
    for person in (adopter, child):
        refused = _refused_declaration(
            registrar, profile, "death", _death(person, "2016-04-04", place)
        )
        assert refused.code == "death_before_adoption"
        assert refused.fields == {"death_date": [_said(ADOPTION_AFTER)]}
        _still_alive(person)
    assert _count("death") == 0
    _died(registrar, profile, adopter, "2016-04-05", place)
    assert _died_on(adopter) == dt.date(2016, 4, 5)


def test_a_death_before_a_recognition_is_refused_only_if_the_child_could_not_be_theirs(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    place = birth_data()
    mother, father = _adults(registrar, birth_data, 2)
    child = _child_of(registrar, birth_data, mother, "2012-04-04")
    _register(registrar, profile, "recognition", _recognition(child, father, "2013-01-01"))
    early = (dt.date(2012, 4, 4) - POSTHUMOUS - dt.timedelta(1)).isoformat()
    refused = _refused_declaration(registrar, profile, "death", _death(father, early, place))
    assert refused.code == "death_before_child_birth"
    assert refused.fields == {"death_date": [_said(CHILD_AFTER)]}
    _still_alive(father)
    # Dead before the recognition but after the child's birth: recognised by will or by a court.
    _died(registrar, profile, father, "2012-12-01", place)
    assert _died_on(father) == dt.date(2012, 12, 1)


def test_a_death_before_the_birth_is_refused_with_the_same_code_as_a_birth_after_the_death(
    registrar: User, birth_data: BirthData, profile: Any, api_client: ClientFor
) -> None:
    place = birth_data()
    (person,) = _adults(registrar, birth_data, 1)
    body = {
        "event_type": "death",
        "data": _event_data(profile, "death", _death(person, "1969-01-01", place)),
    }
    client = api_client(registrar)
    for language in ("es-mx", "ko", "en"):
        response = _post(client, RECORDS, body, language)
        assert response.status_code == 422, response.content
        error = response.json()["error"]
        assert error["code"] == "death_before_birth"
        assert error["fields"] == {"death_date": [_in(language, DEATH_BEFORE)]}
    _still_alive(person)
    death = _register(registrar, profile, "death", _death(person, "2015-09-10", place))
    actions = death.actions.count()
    refused = _refused(lambda: _correct(registrar, death, death_date="1969-01-01"))
    assert refused.code == "death_before_birth"
    assert refused.fields == {"death_date": [_said(DEATH_BEFORE)]}
    assert _died_on(person) == dt.date(2015, 9, 10)
    assert death.actions.count() == actions


# --------------------------------------------------------------------------------------------
# A recognition or an adoption after a death
# --------------------------------------------------------------------------------------------


def test_an_adoption_after_the_adopters_death_is_refused_a_late_registration_is_not(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    place = birth_data()
    mother, adopter = _adults(registrar, birth_data, 2)
    child = _child_of(registrar, birth_data, mother, "2010-01-02")
    _died(registrar, profile, adopter, "2015-01-01", place)
    refused = _refused_declaration(
        registrar, profile, "adoption", _adoption(child, adopter, "2016-04-05")
    )
    assert refused.code == "died_before_event"
    assert refused.fields == {"adoptive_parent_a": [_said(PERSON_DIED)]}
    assert _count("adoption") == 0
    assert not ParentLink.objects.filter(parent=adopter).exists()
    # Dated before the death, declared after it: a late registration.
    adoption = _register(registrar, profile, "adoption", _adoption(child, adopter, "2014-06-01"))
    assert adoption.status == "registered"


def test_the_adoption_of_a_child_who_had_died_is_refused(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    place = birth_data()
    mother, adopter = _adults(registrar, birth_data, 2)
    child = _child_of(registrar, birth_data, mother, "2010-01-02")
    _died(registrar, profile, child, "2012-01-01", place)
    refused = _refused_declaration(
        registrar, profile, "adoption", _adoption(child, adopter, "2013-01-01")
    )
    assert refused.code == "died_before_event"
    assert refused.fields == {"child": [_said(PERSON_DIED)]}
    assert _count("adoption") == 0
    assert _register(
        registrar, profile, "adoption", _adoption(child, adopter, "2011-11-11")
    ).status == ("registered")


def test_a_recognition_after_the_parents_death_only_of_a_child_they_could_have_had(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    place = birth_data()
    mother, father, _other, late = _adults(registrar, birth_data, 4)
    child = _child_of(registrar, birth_data, mother, "2010-01-02")
    _died(registrar, profile, father, "2008-01-01", place)
    refused = _refused_declaration(
        registrar, profile, "recognition", _recognition(child, father, "2011-01-01")
    )
    assert refused.code == "father_died_before_birth"
    assert refused.fields == {"recognising_parent": [_said(FATHER_DIED)]}
    assert _count("recognition") == 0
    # Died after the child's birth: a recognition by will or by a court comes after the death.
    _died(registrar, profile, late, "2010-06-01", place)
    recognition = _register(
        registrar, profile, "recognition", _recognition(child, late, "2012-01-01")
    )
    assert recognition.status == "registered"


# --------------------------------------------------------------------------------------------
# A marriage or a divorce after a spouse's death
# --------------------------------------------------------------------------------------------


def test_a_marriage_after_a_spouses_death_is_refused_one_dated_before_it_is_registered(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    place = birth_data()
    widow, husband, _other, suitor = _adults(registrar, birth_data, 4)
    _died(registrar, profile, husband, "2010-01-01", place)
    refused = _refused_declaration(
        registrar, profile, "marriage", _wedding(widow, husband, "2011-01-01", place)
    )
    assert refused.code == "died_before_event"
    assert refused.fields == {"spouse_b": [_said(PERSON_DIED)]}
    assert _count("marriage") == 0
    # Dated before his death and declared after it: a late registration.
    _marry(registrar, profile, place, widow, husband, "2005-06-07")
    assert Union.objects.filter(spouse_a=widow, spouse_b=husband).exists()
    # She was married until his death: not before it, but after it she may marry again.
    refused = _refused_declaration(
        registrar, profile, "marriage", _wedding(widow, suitor, "2009-06-01", place)
    )
    assert refused.code == "already_married"
    assert refused.fields == {"spouse_a": [_said(ALREADY_MARRIED)]}
    assert _marry(registrar, profile, place, widow, suitor, "2011-01-01").status == "registered"


def test_a_late_marriage_that_would_still_bind_at_a_later_marriage_is_refused(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    place = birth_data()
    a, b, _other, c = _adults(registrar, birth_data, 4)
    _marry(registrar, profile, place, a, b, "2010-01-01")
    refused = _refused_declaration(
        registrar, profile, "marriage", _wedding(a, c, "2005-01-01", place)
    )
    assert refused.code == "overlapping_marriage"
    assert refused.fields == {"spouse_a": [_said(LATER_MARRIAGE)]}
    assert _count("marriage") == 1


def test_a_divorce_after_a_spouses_death_is_refused_one_dated_before_it_is_registered(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    place = birth_data()
    a, b = _adults(registrar, birth_data, 2)
    marriage = _marry(registrar, profile, place, a, b, "2000-01-01")
    _died(registrar, profile, b, "2010-01-01", place)
    refused = _refused_declaration(registrar, profile, "divorce", _divorce(a, b, "2011-01-01"))
    assert refused.code == "died_before_event"
    assert refused.fields == {"spouse_b": [_said(PERSON_DIED)]}
    assert _count("divorce") == 0
    union = Union.objects.get(marriage_record=marriage)
    assert (union.dissolved_on, union.divorce_record_id) == (None, None)
    _register(registrar, profile, "divorce", _divorce(a, b, "2009-01-01"))
    assert Union.objects.get(pk=union.pk).dissolved_on == dt.date(2009, 1, 1)


def test_a_divorce_declared_before_a_spouses_earlier_death_was_registered_is_not_registered(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    place = birth_data()
    a, b = _adults(registrar, birth_data, 2)
    marriage = _marry(registrar, profile, place, a, b, "2000-01-01")
    divorce = _declare(registrar, profile, "divorce", _divorce(a, b, "2011-01-01"))
    _died(registrar, profile, b, "2010-01-01", place)
    refused = _refused(lambda: services.record_register(actor=registrar, record_id=divorce.pk))
    assert refused.code == "died_before_event"
    assert VitalRecord.objects.get(pk=divorce.pk).status == "declared"
    assert Union.objects.get(marriage_record=marriage).dissolved_on is None


# --------------------------------------------------------------------------------------------
# Corrections and reinstatements
# --------------------------------------------------------------------------------------------


def test_a_death_cannot_be_corrected_to_before_the_marriage_nor_the_marriage_to_after_it(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    place = birth_data()
    a, b = _adults(registrar, birth_data, 2)
    marriage = _marry(registrar, profile, place, a, b, "2005-05-05")
    _died(registrar, profile, a, "2010-01-01", place)
    death = VitalRecord.objects.get(event_type="death", subject=a)
    refused = _refused(lambda: _correct(registrar, death, death_date="2004-01-01"))
    assert refused.code == "death_before_marriage"
    assert refused.fields == {"death_date": [_said(MARRIED_AFTER)]}
    assert _died_on(a) == dt.date(2010, 1, 1)

    actions = marriage.actions.count()
    refused = _refused(lambda: _correct(registrar, marriage, marriage_date="2011-01-01"))
    assert refused.code == "died_before_event"
    assert refused.fields == {"marriage_date": [_said(DIED_ON_DATE)]}
    assert Union.objects.get(marriage_record=marriage).married_on == dt.date(2005, 5, 5)
    assert marriage.actions.count() == actions


def test_a_divorce_cannot_be_corrected_to_after_a_spouses_death(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    place = birth_data()
    a, b = _adults(registrar, birth_data, 2)
    _marry(registrar, profile, place, a, b, "2000-01-01")
    divorce = _register(registrar, profile, "divorce", _divorce(a, b, "2008-01-01"))
    _died(registrar, profile, b, "2012-01-01", place)
    refused = _refused(lambda: _correct(registrar, divorce, divorce_date="2013-01-01"))
    assert refused.code == "died_before_event"
    assert refused.fields == {"divorce_date": [_said(DIED_ON_DATE)]}
    assert Union.objects.get(divorce_record=divorce).dissolved_on == dt.date(2008, 1, 1)


def test_a_divorce_cannot_be_corrected_to_after_a_spouses_next_marriage(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    place = birth_data()
    a, b, _other, c = _adults(registrar, birth_data, 4)
    _marry(registrar, profile, place, a, b, "2000-01-01")
    divorce = _register(registrar, profile, "divorce", _divorce(a, b, "2005-01-01"))
    _marry(registrar, profile, place, a, c, "2006-01-01")
    refused = _refused(lambda: _correct(registrar, divorce, divorce_date="2007-01-01"))
    assert refused.code == "overlapping_marriage"
    assert refused.fields == {"divorce_date": [_said(SPOUSE_LATER_MARRIAGE)]}
    assert Union.objects.get(divorce_record=divorce).dissolved_on == dt.date(2005, 1, 1)
    _correct(registrar, divorce, divorce_date="2006-01-01")
    assert Union.objects.get(divorce_record=divorce).dissolved_on == dt.date(2006, 1, 1)


def test_a_death_cannot_be_corrected_to_after_the_surviving_spouse_remarried(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    place = birth_data()
    widow, husband, _other, second = _adults(registrar, birth_data, 4)
    _marry(registrar, profile, place, widow, husband, "2000-01-01")
    _died(registrar, profile, husband, "2005-01-01", place)
    _marry(registrar, profile, place, widow, second, "2008-01-01")
    death = VitalRecord.objects.get(event_type="death", subject=husband)
    refused = _refused(lambda: _correct(registrar, death, death_date="2009-01-01"))
    assert refused.code == "spouse_married_again"
    assert refused.fields == {"death_date": [_said(SPOUSE_REMARRIED)]}
    assert _died_on(husband) == dt.date(2005, 1, 1)


def test_an_adoption_cannot_be_corrected_to_after_the_adopters_death(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    place = birth_data()
    mother, adopter = _adults(registrar, birth_data, 2)
    child = _child_of(registrar, birth_data, mother, "2010-01-02")
    adoption = _register(registrar, profile, "adoption", _adoption(child, adopter, "2014-06-01"))
    _died(registrar, profile, adopter, "2015-01-01", place)
    refused = _refused(lambda: _correct(registrar, adoption, adoption_date="2016-04-05"))
    assert refused.code == "died_before_event"
    assert refused.fields == {"adoption_date": [_said(DIED_ON_DATE)]}
    adoption.refresh_from_db()
    assert adoption.data["adoption_date"] == "2014-06-01"


def test_a_childs_birth_date_cannot_be_corrected_past_300_days_after_the_fathers_death(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    place = birth_data()
    mother, father = _adults(registrar, birth_data, 2)
    born = dt.date(2012, 4, 4)
    record = _register_birth(
        registrar,
        birth_data(5, birth_date=born.isoformat(), mother=str(mother.pk), father=str(father.pk)),
    )
    child = _subject(record)
    died = born - dt.timedelta(days=100)
    _died(registrar, profile, father, died.isoformat(), place)
    actions = record.actions.count()
    too_late = (died + POSTHUMOUS + dt.timedelta(1)).isoformat()
    refused = _refused(lambda: _correct(registrar, record, birth_date=too_late))
    assert refused.code == "father_died_before_birth"
    assert refused.fields == {"father": [_said(FATHER_DIED)]}
    assert Person.objects.get(pk=child.pk).birth_date == born
    assert record.actions.count() == actions
    _correct(registrar, record, birth_date=(died + POSTHUMOUS).isoformat())
    assert Person.objects.get(pk=child.pk).birth_date == died + POSTHUMOUS


def test_a_recognised_childs_birth_date_is_held_to_the_recognising_fathers_death(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    place = birth_data()
    mother, father = _adults(registrar, birth_data, 2)
    born = dt.date(2012, 4, 4)
    child = _child_of(registrar, birth_data, mother, born.isoformat())
    _register(registrar, profile, "recognition", _recognition(child, father, "2013-01-01"))
    died = dt.date(2012, 1, 1)  # after the recognition was declared, dated before it
    _died(registrar, profile, father, died.isoformat(), place)
    record = _subject_record(child)
    too_late = (died + POSTHUMOUS + dt.timedelta(1)).isoformat()
    refused = _refused(lambda: _correct(registrar, record, birth_date=too_late))
    assert refused.code == "father_died_before_birth"
    assert refused.fields == {"birth_date": [_said(FATHER_DIED)]}
    assert Person.objects.get(pk=child.pk).birth_date == born
    _correct(registrar, record, birth_date=(died + POSTHUMOUS).isoformat())
    assert Person.objects.get(pk=child.pk).birth_date == died + POSTHUMOUS


def test_a_death_whose_person_married_after_its_revocation_cannot_be_reinstated(
    office_head: User, registrar: User, birth_data: BirthData, profile: Any
) -> None:
    place = birth_data()
    a, b = _adults(registrar, birth_data, 2)
    _died(registrar, profile, a, "2010-01-01", place)
    death = VitalRecord.objects.get(event_type="death", subject=a)
    services.record_revoke(actor=office_head, record_id=death.pk, reason="not them")
    _marry(registrar, profile, place, a, b, "2012-01-01")
    refused = _refused(
        lambda: services.record_reinstate(actor=office_head, record_id=death.pk, reason="appeal")
    )
    assert refused.code == "death_before_marriage"
    assert VitalRecord.objects.get(pk=death.pk).status == "revoked"
    _still_alive(a)
