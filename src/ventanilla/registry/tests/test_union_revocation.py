"""A marriage whose divorce is revoked binds again, and a revoked marriage binds no more: in the
register (who may marry, divorce, keep a child at an adoption) and on the person page. And a
father named in a birth declaration must be born before the child."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import translation
from django.utils.formats import date_format

from ventanilla.core.errors import ValidationFailed
from ventanilla.core.models import User
from ventanilla.registry import services
from ventanilla.registry.models import ParentLink, Person, Union, VitalRecord
from ventanilla.registry.tests.test_pages import form_data, page, signed_in
from ventanilla.registry.tests.test_workflow_services import (
    _adults,
    _marry,
    _place_of,
    _register,
    _subject,
)

BirthData = Callable[..., dict[str, Any]]

NOT_MARRIED = "These two persons are not married to each other."
DIVORCED_SINCE = (
    "This marriage has been dissolved by another divorce since; this divorce cannot return."
)
REVOKED = "registration of the marriage revoked"
IN_FORCE = "in force"
BORN_AFTER = "A parent must be born before the child."


def _divorce(registrar: User, profile: Any, a: Person, b: Person, on: str) -> VitalRecord:
    return _register(
        registrar,
        profile,
        "divorce",
        {"spouse_a": str(a.pk), "spouse_b": str(b.pk), "divorce_date": on},
    )


def _payload(record: VitalRecord, action: str) -> dict[str, Any]:
    entry = record.actions.filter(action=action).order_by("-seq").first()
    assert entry is not None
    return dict(entry.payload)


def _marriage_line(viewer: User, person: Person, spouse: Person, language: str = "en") -> str:
    """The person page's line for the marriage to `spouse`."""
    html = page(signed_in(viewer, language=language).get(f"/office/persons/{person.pk}/"))
    marriages = html.split("<h2>", 3)[2]  # the "Family" section
    lines = [li for li in marriages.split("<li>") if f"/office/persons/{spouse.pk}/" in li]
    assert len(lines) == 1, marriages
    return lines[0].split("</li>")[0]


def _said(message: str) -> str:
    """The message as the user reads it, in the active language."""
    return translation.gettext(message)


def _in(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


# --------------------------------------------------------------------------------------------
# A divorce revoked and reinstated
# --------------------------------------------------------------------------------------------


def test_revoking_a_divorce_reopens_the_marriage_and_reinstating_it_closes_it_again(
    office_head: User, registrar: User, birth_data: BirthData, profile: Any
) -> None:
    a, b, c = _adults(registrar, birth_data, 3)
    marriage = _marry(registrar, profile, birth_data(), a, b, "2001-02-03")
    divorce = _divorce(registrar, profile, a, b, "2009-09-09")

    services.record_revoke(actor=office_head, record_id=divorce.pk, reason="annulled")
    union = Union.objects.get(marriage_record=marriage)
    assert (union.dissolved_on, union.divorce_record_id) == (None, None)
    assert _payload(divorce, "revoke")["union"] == union.pk
    # Married again: neither may marry another.
    with pytest.raises(ValidationFailed) as info:
        _marry(registrar, profile, birth_data(), a, c, "2012-01-01")
    assert info.value.code == "already_married"

    services.record_reinstate(actor=office_head, record_id=divorce.pk, reason="appeal")
    union.refresh_from_db()
    assert union.dissolved_on == dt.date(2009, 9, 9)
    assert union.divorce_record_id == divorce.pk
    assert _marry(registrar, profile, birth_data(), a, c, "2012-01-01").status == "registered"


def test_after_a_divorce_is_revoked_the_couple_may_divorce_again_and_the_old_one_cannot_return(
    office_head: User, registrar: User, birth_data: BirthData, profile: Any
) -> None:
    a, b = _adults(registrar, birth_data, 2)
    marriage = _marry(registrar, profile, birth_data(), a, b, "2001-02-03")
    first = _divorce(registrar, profile, a, b, "2009-09-09")
    services.record_revoke(actor=office_head, record_id=first.pk, reason="annulled")

    second = _divorce(registrar, profile, b, a, "2011-11-11")
    assert second.status == "registered"
    union = Union.objects.get(marriage_record=marriage)
    assert (union.dissolved_on, union.divorce_record_id) == (dt.date(2011, 11, 11), second.pk)

    with pytest.raises(ValidationFailed) as refused:
        services.record_reinstate(actor=office_head, record_id=first.pk, reason="appeal")
    assert refused.value.code == "already_divorced"
    assert refused.value.fields == {"spouse_b": [_said(DIVORCED_SINCE)]}
    assert VitalRecord.objects.get(pk=first.pk).status == "revoked"
    union.refresh_from_db()
    assert (union.dissolved_on, union.divorce_record_id) == (dt.date(2011, 11, 11), second.pk)


def test_a_divorce_of_an_unmarried_couple_is_still_refused(
    registrar: User, birth_data: BirthData, profile: Any
) -> None:
    a, b = _adults(registrar, birth_data, 2)
    with pytest.raises(ValidationFailed) as info:
        _divorce(registrar, profile, a, b, "2009-09-09")
    assert info.value.code == "not_married"
    assert info.value.fields == {"spouse_b": [_said(NOT_MARRIED)]}


# --------------------------------------------------------------------------------------------
# A marriage revoked
# --------------------------------------------------------------------------------------------


def test_a_revoked_marriage_binds_no_one_even_when_its_divorce_is_revoked_after_it(
    office_head: User, registrar: User, birth_data: BirthData, profile: Any
) -> None:
    a, b, c, d = _adults(registrar, birth_data, 4)
    marriage = _marry(registrar, profile, birth_data(), a, b, "2001-02-03")
    divorce = _divorce(registrar, profile, a, b, "2009-09-09")
    services.record_revoke(actor=office_head, record_id=marriage.pk, reason="bigamy")
    assert _payload(marriage, "revoke")["union"] == Union.objects.get(marriage_record=marriage).pk
    # Its divorce revoked too: the marriage stays ended, as its revocation left it.
    services.record_revoke(actor=office_head, record_id=divorce.pk, reason="no marriage")
    union = Union.objects.get(marriage_record=marriage)
    assert union.divorce_record_id is None
    assert union.dissolved_on == union.married_on
    with pytest.raises(ValidationFailed) as info:
        _divorce(registrar, profile, a, b, "2010-10-10")
    assert info.value.code == "not_married"
    assert _marry(registrar, profile, birth_data(), a, c, "2012-01-01").status == "registered"
    assert _marry(registrar, profile, birth_data(), b, d, "2012-01-01").status == "registered"


def test_a_revoked_marriage_does_not_keep_a_parent_at_a_step_parent_adoption(
    office_head: User, registrar: User, birth_data: BirthData, profile: Any
) -> None:
    mother, step_father = _adults(registrar, birth_data, 2)
    child = _subject(
        _register(
            registrar,
            profile,
            "birth",
            birth_data(5, birth_date="2010-01-02", mother=str(mother.pk)),
        )
    )
    marriage = _marry(registrar, profile, birth_data(), mother, step_father, "2014-02-03")
    _divorce(registrar, profile, mother, step_father, "2020-02-03")
    services.record_revoke(actor=office_head, record_id=marriage.pk, reason="bigamy")
    adoption: dict[str, Any] = {
        "child": str(child.pk),
        "adoptive_parent_a": str(step_father.pk),
        "adoption_date": "2016-04-05",  # while the revoked marriage seemed to last
        "court_order_number": "123/2016",
    }
    if profile.code == "kr":
        adoption["adoption_kind"] = "full"
    _register(registrar, profile, "adoption", adoption)
    in_force = {
        str(link.parent_id): link.ended_by_id is None
        for link in ParentLink.objects.filter(child=child)
    }
    assert in_force == {str(mother.pk): False, str(step_father.pk): True}


# --------------------------------------------------------------------------------------------
# The person page
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "es-mx", "ko"])
def test_the_person_page_shows_a_marriage_in_force_dissolved_reopened_and_revoked(
    office_head: User, registrar: User, birth_data: BirthData, profile: Any, language: str
) -> None:
    a, b = _adults(registrar, birth_data, 2)
    marriage = _marry(registrar, profile, birth_data(), a, b, "2001-02-03")
    in_force, revoked = _in(language, IN_FORCE), _in(language, REVOKED)
    dissolved = _in(language, "dissolved on %(date)s") % {"date": ""}
    if language != "en":
        assert (in_force, revoked) != (IN_FORCE, REVOKED)  # translated

    line = _marriage_line(registrar, a, b, language)
    assert in_force in line and dissolved.strip() not in line

    divorce = _divorce(registrar, profile, a, b, "2009-09-09")
    line = _marriage_line(registrar, b, a, language)
    assert dissolved.strip() in line and in_force not in line

    services.record_revoke(actor=office_head, record_id=divorce.pk, reason="annulled")
    line = _marriage_line(registrar, a, b, language)
    assert in_force in line and dissolved.strip() not in line

    services.record_revoke(actor=office_head, record_id=marriage.pk, reason="bigamy")
    for person, spouse in ((a, b), (b, a)):
        line = _marriage_line(registrar, person, spouse, language)
        assert revoked in line
        assert f"/office/records/{marriage.pk}/" in line
        assert in_force not in line and dissolved.strip() not in line

    services.record_reinstate(actor=office_head, record_id=marriage.pk, reason="appeal")
    line = _marriage_line(registrar, a, b, language)
    assert in_force in line and revoked not in line


# --------------------------------------------------------------------------------------------
# A father named in a birth declaration
# --------------------------------------------------------------------------------------------

CHILD_BORN = dt.date(2024, 3, 15)


def _with_father_born(birth_data: BirthData, born: dt.date) -> dict[str, Any]:
    return birth_data(
        birth_date=CHILD_BORN.isoformat(),
        father_given_names="Pedro",
        father_first_surname="Soto",
        father_birth_date=born.isoformat(),
    )


@pytest.mark.parametrize("days_after", [0, 1, 40])
def test_a_father_declared_born_on_or_after_the_childs_birth_is_refused(
    registrar: User, birth_data: BirthData, days_after: int
) -> None:
    data = _with_father_born(birth_data, CHILD_BORN + dt.timedelta(days=days_after))
    with pytest.raises(ValidationFailed) as info:
        services.record_declare(actor=registrar, event_type="birth", data=data)
    assert info.value.fields == {"father_birth_date": [_said(BORN_AFTER)]}
    assert VitalRecord.objects.count() == 0


def test_a_father_declared_born_before_the_child_is_accepted_at_any_age(
    registrar: User, birth_data: BirthData
) -> None:
    # The profiles set no minimum age for a father: born the day before is not refused.
    for born in (CHILD_BORN - dt.timedelta(days=1), dt.date(1980, 1, 1)):
        record = services.record_declare(
            actor=registrar, event_type="birth", data=_with_father_born(birth_data, born)
        )
        assert record.status == "declared"
        assert record.data["father_birth_date"] == born.isoformat()


def test_a_registered_birth_cannot_be_corrected_to_a_father_born_after_the_child(
    registrar: User, birth_data: BirthData
) -> None:
    record = services.record_declare(
        actor=registrar, event_type="birth", data=_with_father_born(birth_data, dt.date(1990, 5, 6))
    )
    record = services.record_register(actor=registrar, record_id=record.pk)
    with pytest.raises(ValidationFailed) as info:
        services.record_correct(
            actor=registrar,
            record_id=record.pk,
            changes={"father_birth_date": (CHILD_BORN + dt.timedelta(days=2)).isoformat()},
            reason="the father's date was misread",
        )
    assert info.value.fields == {"father_birth_date": [_said(BORN_AFTER)]}
    record.refresh_from_db()
    assert record.data["father_birth_date"] == "1990-05-06"


def test_the_declaration_page_says_the_father_must_be_born_first_on_his_birth_date(
    registrar: User, birth_data: BirthData
) -> None:
    data = form_data(_with_father_born(birth_data, CHILD_BORN))
    response = signed_in(registrar, language="es-mx").post("/office/declare/birth/", data)
    assert response.status_code == 422
    html = page(response)
    assert 'id="id_father_birth_date-error"' in html
    assert _in("es-mx", BORN_AFTER) in html
    assert VitalRecord.objects.count() == 0


@pytest.mark.parametrize("language", ["en", "es-mx", "ko"])
def test_the_person_page_says_a_marriage_ended_with_a_spouses_death(
    registrar: User, birth_data: BirthData, profile: Any, language: str
) -> None:
    a, b = _adults(registrar, birth_data, 2)
    _marry(registrar, profile, birth_data(), a, b, "2001-02-03")
    death = {"deceased": str(b.pk), "death_date": "2015-09-10"}
    _register(registrar, profile, "death", death | _place_of("death", birth_data()))
    b.refresh_from_db()
    with translation.override(language):
        ended = translation.gettext("ended by the death of %(name)s on %(date)s") % {
            "name": b.full_name,
            "date": date_format(dt.date(2015, 9, 10), "SHORT_DATE_FORMAT"),
        }
    if language != "en":
        assert not ended.startswith("ended by")  # translated
    for person, spouse in ((a, b), (b, a)):
        line = _marriage_line(registrar, person, spouse, language)
        assert ended in html.unescape(line)
        assert _in(language, IN_FORCE) not in line
