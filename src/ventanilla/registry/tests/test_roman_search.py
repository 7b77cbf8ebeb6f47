"""The officials' search by a name typed in Latin letters, as foreign documents and
passports spell a Korean name ("Kim Seoyeon" for 김서연, romanised "Gim Seoyeon")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ventanilla.core.models import AccessKind, AccessLogEntry, Jurisdiction, User
from ventanilla.core.profiles import CountryProfile
from ventanilla.registry import services
from ventanilla.registry.models import Person
from ventanilla.registry.selectors import person_search
from ventanilla.registry.tests.factories import imported_person

BirthData = Callable[..., dict[str, Any]]


@pytest.fixture
def korea(profile: CountryProfile) -> None:
    if profile.code != "kr":
        pytest.skip("names written in Hangul and romanised: the Korean profile")


@pytest.fixture
def mexico(profile: CountryProfile) -> None:
    if profile.code != "mx":
        pytest.skip("names written in Latin letters: the Mexican profile")


def _born(registrar: User, data: dict[str, Any]) -> Person:
    declared = services.record_declare(actor=registrar, event_type="birth", data=data)
    person = services.record_register(actor=registrar, record_id=declared.pk).subject
    assert person is not None
    return person


def _found(actor: User, name: str) -> list[Person]:
    return person_search(actor=actor, name=name).persons


def test_the_romanised_full_name_finds_the_person(
    korea: None, registrar: User, birth_data: BirthData
) -> None:
    seoyeon = _born(registrar, birth_data(0))  # 김서연
    minjun = _born(registrar, birth_data(1))  # 이민준
    # Derived by Revised Romanization, as the person's page shows it.
    assert (seoyeon.romanised_name, minjun.romanised_name) == ("Gim Seoyeon", "I Minjun")
    assert _found(registrar, "Gim Seoyeon") == [seoyeon]
    # Given name first, as abroad, even with a syllable that is a surname too (민, Min).
    assert _found(registrar, "Seoyeon Gim") == [seoyeon]
    assert _found(registrar, "Min-jun I") == [minjun]


@pytest.mark.parametrize(
    ("index", "typed"),
    [
        (0, "Kim Seoyeon"),
        (1, "Lee Minjun"),
        (1, "Yi Minjun"),
        (1, "Rhee Minjun"),
        (2, "Park Jiu"),
        (2, "Pak Jiu"),
    ],
)
def test_a_family_name_in_its_customary_spelling_finds_the_person(
    korea: None, registrar: User, birth_data: BirthData, index: int, typed: str
) -> None:
    persons = [_born(registrar, birth_data(n)) for n in range(3)]  # 김서연, 이민준, 박지우
    assert [p.romanised_name for p in persons] == ["Gim Seoyeon", "I Minjun", "Bak Jiu"]
    assert _found(registrar, typed) == [persons[index]]


def test_a_family_name_declared_in_its_customary_spelling_is_found_by_any_other(
    korea: None, registrar: User, birth_data: BirthData
) -> None:
    minjun = _born(registrar, birth_data(1, first_surname_roman="Lee", given_names_roman="Minjun"))
    assert minjun.romanised_name == "Lee Minjun"
    for typed in ("Lee Minjun", "I Minjun", "Yi Minjun", "Minjun"):
        assert _found(registrar, typed) == [minjun], typed


def test_letter_case_does_not_matter(korea: None, registrar: User, birth_data: BirthData) -> None:
    seoyeon = _born(registrar, birth_data(0))
    for typed in ("kim seoyeon", "KIM SEOYEON", "gIM sEOYEON", "seoyeon KIM"):
        assert _found(registrar, typed) == [seoyeon], typed


def test_the_person_asked_for_comes_first_among_many_of_the_family_name(
    korea: None, registrar: User, offices: dict[str, Jurisdiction]
) -> None:
    givens = ["서연", "지우", "도윤", "하은", "예준", "수아", "서윤", "지호"]

    def kim(given: str, n: int) -> Person:
        person = imported_person(offices["a"], given, "김", born=dt.date(1990, 1, 1))
        person.romanised_name = f"Kim {given}"  # a romanised name without Hangul rules
        person.birth_date = dt.date(1990, 1, 1) + dt.timedelta(days=n)
        return person

    Person.objects.bulk_create(kim(f"{givens[n % 8]}{givens[n // 8 % 8]}", n) for n in range(80))
    target = imported_person(offices["a"], "민준", "김", born=dt.date(1991, 5, 5))
    target.romanised_name = "Gim Minjun"
    target.save()
    found = person_search(actor=registrar, name="Kim Minjun", limit=3)
    assert found.persons[0] == target


def test_the_search_stays_in_the_officials_jurisdiction_and_is_logged(
    korea: None, registrar: User, registrar_b: User, birth_data: BirthData
) -> None:
    seoyeon = _born(registrar, birth_data(0))
    assert _found(registrar_b, "Kim Seoyeon") == []  # office B is in another province
    theirs = AccessLogEntry.objects.filter(kind=AccessKind.SEARCH, actor=registrar_b).get()
    assert theirs.subject_ids == []
    assert _found(registrar, "Kim Seoyeon") == [seoyeon]
    mine = AccessLogEntry.objects.filter(kind=AccessKind.SEARCH, actor=registrar).get()
    assert mine.purpose == "person.search"
    assert mine.subject_ids == [str(seoyeon.pk)]


def test_a_name_held_in_latin_letters_is_still_found(
    korea: None, registrar: User, offices: dict[str, Jurisdiction]
) -> None:
    # A resident whose registered name is itself in Latin letters, with no romanised form.
    smith = imported_person(offices["a"], "John", "Smith", born=dt.date(1980, 2, 2))
    smith.save()
    assert _found(registrar, "John Smith") == [smith]


def test_in_mexico_the_romanised_name_is_not_searched(
    mexico: None, registrar: User, offices: dict[str, Jurisdiction]
) -> None:
    """Mexico does not romanise names: a Latin search reads the names as before, and a
    romanised name left on a person (an import) is neither searched nor ranked on."""
    juan = imported_person(offices["a"], "Juan", "Kim", "López", born=dt.date(1980, 2, 2))
    juan.romanised_name = "Gim Minjun"
    juan.save()
    with CaptureQueriesContext(connection) as queries:
        assert _found(registrar, "Gim Minjun") == []
        assert _found(registrar, "Juan Gim López") == [juan]  # a typo, as fuzzy as before
    narrowing = [q["sql"] for q in queries if " LIKE " in q["sql"]]
    assert narrowing and not any("romanised_name" in sql for sql in narrowing)
