"""The synthetic population as someone preparing a demo or a benchmark relies on it."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from ventanilla.core.profiles import CountryProfile, demo_municipalities
from ventanilla.registry.matching.normalise import has_hangul
from ventanilla.registry.synthetic import (
    DEFAULT_AS_OF,
    NearDuplicate,
    SyntheticItem,
    SyntheticPerson,
    SyntheticUnion,
    generate,
)


def _items(
    profile: CountryProfile, size: int, seed: int = 11, duplicates_fraction: float = 0.05
) -> list[SyntheticItem]:
    return list(
        generate(profile.code, seed=seed, size=size, duplicates_fraction=duplicates_fraction)
    )


def _persons(items: list[SyntheticItem]) -> list[SyntheticPerson]:
    return [i for i in items if isinstance(i, SyntheticPerson)]


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def test_the_same_seed_gives_the_same_population(profile: CountryProfile) -> None:
    assert _items(profile, 800, seed=5) == _items(profile, 800, seed=5)
    other = _persons(_items(profile, 800, seed=6))
    assert [p.given_names for p in other] != [
        p.given_names for p in _persons(_items(profile, 800, seed=5))
    ]


def test_a_larger_population_begins_with_the_smaller_one(profile: CountryProfile) -> None:
    small = _items(profile, 300)
    large = _items(profile, 900)
    assert large[: len(small)] == small
    assert len(_persons(large)) == 900
    assert [p.n for p in _persons(large)] == list(range(900))


def test_families_follow_the_country_naming_rules(profile: CountryProfile) -> None:
    persons = _persons(_items(profile, 3000))
    by_n = {p.n: p for p in persons}
    children = [p for p in persons if p.mother is not None and p.father is not None]
    assert len(children) > 1000
    for child in children:
        mother, father = by_n[child.mother], by_n[child.father]  # type: ignore[index]
        assert mother.sex == "F"
        assert father.sex == "M"
        assert child.first_surname == father.first_surname
        if profile.code == "mx":
            assert child.second_surname == mother.first_surname
        else:
            assert child.second_surname == ""
    if profile.code == "kr":
        assert all(has_hangul(p.given_names + p.first_surname) for p in persons)
        assert all(p.romanised_name and p.romanised_name.isascii() for p in persons)


def test_lives_are_plausible(profile: CountryProfile) -> None:
    items = _items(profile, 4000)
    persons = _persons(items)
    by_n = {p.n: p for p in persons}
    places = {m.code: m.state_code for m in demo_municipalities(profile.code)}
    for p in persons:
        assert dt.date(1900, 1, 1) <= p.birth_date <= DEFAULT_AS_OF
        assert places[p.birth_municipality] == p.birth_state
        if p.death_date is not None:
            assert p.birth_date <= p.death_date <= DEFAULT_AS_OF
            assert _age(p.birth_date, p.death_date) < 115
        if p.mother is not None:
            mother = by_n[p.mother]
            assert 16 <= _age(mother.birth_date, p.birth_date) <= 45
            assert mother.death_date is None or mother.death_date >= p.birth_date
    unions = [i for i in items if isinstance(i, SyntheticUnion)]
    assert unions
    for u in unions:
        a, b = by_n[u.spouse_a], by_n[u.spouse_b]
        assert {a.sex, b.sex} == {"F", "M"}
        assert min(_age(a.birth_date, u.married_on), _age(b.birth_date, u.married_on)) >= 18
        for spouse in (a, b):
            assert spouse.death_date is None or spouse.death_date > u.married_on
        if u.dissolved_on is not None:
            assert u.married_on < u.dissolved_on <= DEFAULT_AS_OF
    deceased = sum(p.death_date is not None for p in persons) / len(persons)
    divorced = sum(u.dissolved_on is not None for u in unions) / len(unions)
    assert 0.05 < deceased < 0.5
    assert 0.02 < divorced < 0.4
    decades = Counter(p.birth_date.year // 10 for p in persons)
    assert len(decades) >= 10  # births spread over a century


def test_name_frequencies_are_realistic(profile: CountryProfile) -> None:
    persons = _persons(_items(profile, 6000))
    surnames = Counter(p.first_surname for p in persons)
    top, count = surnames.most_common(1)[0]
    if profile.code == "mx":
        assert top in {"Hernández", "García", "Martínez", "López", "González"}
        assert 0.015 < count / len(persons) < 0.12
    else:
        assert top == "김"
        assert 0.12 < count / len(persons) < 0.35
    assert len(surnames) > 40


def test_a_known_fraction_are_near_duplicates_of_earlier_persons(profile: CountryProfile) -> None:
    items = _items(profile, 2000, duplicates_fraction=0.05)
    duplicates = [i for i in items if isinstance(i, NearDuplicate)]
    assert len(duplicates) == 100
    seen: dict[int, SyntheticPerson] = {}
    kinds: Counter[str] = Counter()
    for item in items:
        if isinstance(item, SyntheticPerson):
            seen[item.n] = item
        elif isinstance(item, NearDuplicate):
            original = seen[item.original]  # the original is already in the stream
            assert item.original_id == original.id
            assert item.original_reference == original.reference
            assert item.sex == original.sex
            assert item.birth_municipality == original.birth_municipality
            declared = (item.given_names, item.first_surname, item.second_surname, item.birth_date)
            actual = (
                original.given_names,
                original.first_surname,
                original.second_surname,
                original.birth_date,
            )
            assert declared != actual or item.kinds == ("exact",)
            assert item.mother is not None or item.mother_given_names
            kinds.update(item.kinds)
    expected = (
        {"typo", "swapped_surnames", "day_month_swap", "accent_drop", "missing_second_surname"}
        if profile.code == "mx"
        else {"typo", "day_month_swap", "romanised"}
    )
    assert expected <= set(kinds)
    none = _items(profile, 500, duplicates_fraction=0.0)
    assert not any(isinstance(i, NearDuplicate) for i in none)


def test_duplicate_declarations_fit_the_birth_form(profile: CountryProfile) -> None:
    limits = {f.name: f.max_length for f in profile.event_type("birth").fields if f.max_length}
    for item in _items(profile, 3000, duplicates_fraction=0.2):
        if isinstance(item, NearDuplicate):
            for name in ("given_names", "first_surname", "second_surname"):
                if name in limits:
                    assert len(getattr(item, name)) <= limits[name]
            assert item.birth_date <= DEFAULT_AS_OF


@pytest.mark.parametrize("size", [0, 1, 7])
def test_tiny_sizes(profile: CountryProfile, size: int) -> None:
    assert len(_persons(_items(profile, size))) == size
