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


def _korean(given: str, **kw: object) -> MatchRecord:
    return person(given_names=given, first_surname="김", second_surname="", sex="F", **kw)


def _given_keys(r: MatchRecord) -> set[str]:
    """The keys that carry the given name's code without the full birth date, the ones a
    short code crowds (``dg:``, with the full date, is narrow whatever the code)."""
    return {k for k in blocking_keys(r) if k.split(":")[0] in {"md", "yn", "mg"}}


def test_korean_given_names_that_differ_by_their_vowels_get_other_keys() -> None:
    # Their Spanish codes agree (J, MNJ...): in a Korean register every 김 born in a year
    # with any of these names would share the year's key.
    for a, b in [("지우", "재이"), ("지우", "주아"), ("민준", "민재"), ("서연", "서윤")]:
        assert not _given_keys(_korean(a)) & _given_keys(_korean(b, id="b")), (a, b)


def test_easily_confused_hangul_keeps_its_given_name_keys() -> None:
    # ㅓ/ㅗ and ㅐ/ㅔ are typed and heard for each other.
    for a, b in [("서연", "소연"), ("민재", "민제")]:
        assert _given_keys(_korean(a)) == _given_keys(_korean(b, id="b")), (a, b)


def test_revised_romanization_of_a_hangul_given_name_shares_its_dated_key() -> None:
    a = _korean("지우", mother_name="")
    b = dataclasses.replace(a, id="b", given_names="JI U", first_surname="LEE")
    assert shares_key(a, b)  # the surname differs too: only ``dg:`` is left


# Medial jamo indexes typed or heard for each other:
# ㅐ/ㅔ, ㅓ/ㅗ, ㅕ/ㅛ, ㅙ/ㅚ, ㅚ/ㅞ, ㅜ/ㅡ, ㅢ/ㅣ.
_CONFUSED_VOWELS = [(1, 5), (4, 8), (6, 12), (10, 11), (11, 15), (13, 18), (19, 20)]


def _syllable(initial: int, medial: int, final: int) -> str:
    return chr(0xAC00 + (initial * 21 + medial) * 28 + final)


@given(
    others=st.lists(st.integers(0, 11171).map(lambda c: chr(0xAC00 + c)), max_size=3),
    at=st.integers(0, 3),
    initial=st.integers(0, 18),
    pair=st.sampled_from(_CONFUSED_VOWELS),
    final=st.integers(0, 27),
)
@SETTINGS
def test_hangul_sound_code_ignores_confused_vowels(
    others: list[str], at: int, initial: int, pair: tuple[int, int], final: int
) -> None:
    from ..korean import hangul_sound_code

    i = at % (len(others) + 1)
    one = "".join([*others[:i], _syllable(initial, pair[0], final), *others[i:]])
    other = "".join([*others[:i], _syllable(initial, pair[1], final), *others[i:]])
    assert hangul_sound_code(one) == hangul_sound_code(other)
    assert hangul_sound_code(one)  # every syllable gives a code


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
