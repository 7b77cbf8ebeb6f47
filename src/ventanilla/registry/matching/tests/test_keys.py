from __future__ import annotations

import dataclasses
import datetime

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from .. import MAX_KEYS, MatchRecord, blocking_keys
from .strategies import LETTERS, SETTINGS, dates, name, records

D = datetime.date


def person(**kw: object) -> MatchRecord:
    base: dict[str, object] = {
        "id": "a",
        "given_names": "MARÍA GUADALUPE",
        "first_surname": "HERNÁNDEZ",
        "second_surname": "GARCÍA",
        "birth_date": D(1990, 5, 7),
        "sex": "F",
        "place_code": "09015",
        "mother_name": "ROSA GARCÍA LÓPEZ",
        "father_name": "",
    }
    base.update(kw)
    return MatchRecord(**base)  # type: ignore[arg-type]


def shares_key(a: MatchRecord, b: MatchRecord) -> bool:
    return bool(blocking_keys(a) & blocking_keys(b))


def test_keys_are_prefixed_short_strings() -> None:
    keys = blocking_keys(person())
    assert 1 <= len(keys) <= MAX_KEYS
    for key in keys:
        assert ":" in key
        assert len(key) <= 64


@pytest.mark.parametrize(
    "change",
    [
        {"first_surname": "GARCÍA", "second_surname": "HERNÁNDEZ"},
        {"birth_date": D(1990, 7, 5)},
        {"birth_date": D(1991, 5, 7)},
        {"birth_date": D(1989, 5, 7)},
        {"birth_date": D(1990, 5, 17)},
        {"birth_date": D(1990, 6, 7)},
        {"second_surname": ""},
        {"given_names": "GUADALUPE"},
        {"given_names": "MA. GUADALUPE"},
        {"first_surname": "ERNANDES"},
        {"second_surname": "GARSIA"},
        {"sex": ""},
        {"mother_name": "", "given_names": "MARIA GUADALUPE"},
    ],
)
def test_realistic_errors_share_a_key(change: dict[str, object]) -> None:
    a = person()
    b = dataclasses.replace(a, id="b", **change)  # type: ignore[arg-type]
    assert shares_key(a, b)


def test_hangul_and_romanised_share_a_key() -> None:
    a = person(given_names="민준", first_surname="김", second_surname="", sex="M", mother_name="")
    b = dataclasses.replace(a, id="b", given_names="MINJUN", first_surname="KIM")
    assert shares_key(a, b)


def test_unrelated_people_share_no_key() -> None:
    a = person()
    b = person(
        id="b",
        given_names="JUAN",
        first_surname="LÓPEZ",
        second_surname="RUIZ",
        birth_date=D(1975, 1, 30),
        sex="M",
        mother_name="ANA RUIZ",
    )
    assert not shares_key(a, b)


def test_same_surnames_other_birthday_share_no_key() -> None:
    a = person()
    b = person(id="b", given_names="ANA SOFÍA", birth_date=D(1993, 2, 21))
    assert not shares_key(a, b)


def test_records_without_birth_date_get_name_keys() -> None:
    a = person(birth_date=None)
    keys = blocking_keys(a)
    assert keys
    assert all(k.split(":")[0] in {"ng", "ns", "np", "gp"} for k in keys)
    assert shares_key(a, dataclasses.replace(a, id="b", first_surname="HERNANDES"))


def _with_name(r: MatchRecord, field: str, value: str) -> MatchRecord:
    if field == "given_names":
        return dataclasses.replace(r, id="typo", given_names=value)
    if field == "first_surname":
        return dataclasses.replace(r, id="typo", first_surname=value)
    return dataclasses.replace(r, id="typo", second_surname=value)


def _one_substitution(draw: st.DrawFn, r: MatchRecord) -> MatchRecord:
    """`r` with one character of one of its name fields replaced by another letter."""
    field = draw(st.sampled_from(("given_names", "first_surname", "second_surname")))
    value: str = getattr(r, field)
    assume(value)
    pos = draw(st.integers(min_value=0, max_value=len(value) - 1))
    char = draw(st.sampled_from(LETTERS))
    assume(char != value[pos])
    return _with_name(r, field, value[:pos] + char + value[pos + 1 :])


@st.composite
def record_and_typo(draw: st.DrawFn) -> tuple[MatchRecord, MatchRecord]:
    r = draw(records(complete=True))
    return r, _one_substitution(draw, r)


@SETTINGS
@given(record_and_typo())
def test_one_substitution_keeps_a_shared_key(pair: tuple[MatchRecord, MatchRecord]) -> None:
    original, typo = pair
    assert shares_key(original, typo)


@st.composite
def undated_record_and_typo(draw: st.DrawFn) -> tuple[MatchRecord, MatchRecord]:
    r = dataclasses.replace(draw(records(complete=True)), birth_date=None)
    return r, _one_substitution(draw, r)


@SETTINGS
@given(undated_record_and_typo())
def test_one_substitution_without_birth_date(pair: tuple[MatchRecord, MatchRecord]) -> None:
    original, typo = pair
    assert shares_key(original, typo)


@SETTINGS
@given(records())
def test_key_count_is_bounded(r: MatchRecord) -> None:
    assert len(blocking_keys(r)) <= MAX_KEYS


@SETTINGS
@given(records(complete=True), dates)
def test_day_month_swap_shares_a_key(r: MatchRecord, d: datetime.date) -> None:
    assume(d.day <= 12)
    a = dataclasses.replace(r, birth_date=d)
    b = dataclasses.replace(a, id="b", birth_date=D(d.year, d.day, d.month))
    assert shares_key(a, b)


@SETTINGS
@given(records(complete=True), name, name)
def test_swapped_surnames_share_a_key(r: MatchRecord, s1: str, s2: str) -> None:
    a = dataclasses.replace(r, first_surname=s1, second_surname=s2)
    b = dataclasses.replace(a, id="b", first_surname=s2, second_surname=s1)
    assert shares_key(a, b)
