from __future__ import annotations

import dataclasses
import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.kr import rrn as stdnum_rrn

from .. import IdSpaceExhaustedError, IdSubject, InvalidIdError, RrnScheme, get_scheme
from ..rrn import RANDOM_TAILS_FROM
from .strategies import SETTINGS, rrn_subjects

SCHEME = RrnScheme()
ONE_DAY = datetime.timedelta(days=1)


def subject(born: datetime.date, sex: str = "F", *, foreign: bool = False) -> IdSubject:
    return IdSubject("지은", "김", "", born, sex, "", foreign)


def with_check_digit(first12: str) -> str:
    # stdnum's own implementation is the independent oracle here.
    return first12 + str(stdnum_rrn.calc_check_digit(first12))


def test_registered() -> None:
    scheme = get_scheme("rrn")
    assert isinstance(scheme, RrnScheme)
    assert scheme.max_variants == 97_000


@pytest.mark.parametrize(
    ("born", "sex", "foreign", "digit"),
    [
        (datetime.date(1850, 6, 1), "M", False, "9"),
        (datetime.date(1850, 6, 1), "F", False, "0"),
        (datetime.date(1985, 1, 31), "M", False, "1"),
        (datetime.date(1985, 1, 31), "F", False, "2"),
        (datetime.date(2003, 2, 28), "M", False, "3"),
        (datetime.date(2003, 2, 28), "F", False, "4"),
        (datetime.date(1970, 7, 7), "M", True, "5"),
        (datetime.date(1970, 7, 7), "F", True, "6"),
        (datetime.date(2010, 12, 1), "M", True, "7"),
        (datetime.date(2010, 12, 1), "F", True, "8"),
    ],
)
def test_seventh_digit(born: datetime.date, sex: str, foreign: bool, digit: str) -> None:
    rrn = SCHEME.propose(subject(born, sex, foreign=foreign))
    assert rrn[:6] == f"{born.year % 100:02d}{born.month:02d}{born.day:02d}"
    assert rrn[6] == digit
    assert stdnum_rrn.is_valid(rrn)
    assert stdnum_rrn.get_birth_date(rrn) == born
    decoded = SCHEME.decode(rrn)
    assert (decoded.birth_date, decoded.sex, decoded.state_code) == (born, sex, None)


def test_stdnum_example_decodes() -> None:
    decoded = SCHEME.decode("971013-9019902")
    assert decoded.birth_date == datetime.date(1897, 10, 13)
    assert decoded.sex == "M"


def test_proposals_are_stable() -> None:
    # Re-running the registry must re-propose the same numbers in the same order.
    person = subject(datetime.date(1985, 1, 1), "M")
    assert [SCHEME.propose(person, v) for v in range(3)] == [
        RrnScheme().propose(person, v) for v in range(3)
    ]


def test_whole_serial_space_is_a_permutation() -> None:
    person = subject(datetime.date(2001, 9, 11), "M")
    rrns = [SCHEME.propose(person, v) for v in range(SCHEME.variants_for(person))]
    serials = {int(r[7:12]) for r in rrns}
    assert serials == set(range(97_000))
    assert all(stdnum_rrn.is_valid(r) for r in rrns)
    with pytest.raises(IdSpaceExhaustedError):
        SCHEME.propose(person, 97_000)
    with pytest.raises(ValueError, match="variant"):
        SCHEME.propose(person, -1)


@SETTINGS
@given(rrn_subjects(), st.binary(min_size=16, max_size=64), st.binary(min_size=16, max_size=64))
def test_serials_depend_on_the_deployment_key(person: IdSubject, key: bytes, other: bytes) -> None:
    # Without the key the serial of a birth date cannot be guessed; with it nothing else changes.
    keyed = SCHEME.keyed(key)
    mine = [keyed.propose(person, v) for v in range(40)]
    assert len(set(mine)) == 40
    assert all(
        stdnum_rrn.is_valid(r) and keyed.decode(r).birth_date == person.birth_date for r in mine
    )
    if key != other:
        assert mine != [SCHEME.keyed(other).propose(person, v) for v in range(40)]
    assert mine == [RrnScheme(serial_key=key).propose(person, v) for v in range(40)]


def test_a_serial_key_longer_than_blake2b_allows_is_refused() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        RrnScheme(serial_key=b"k" * 65)


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        (subject(datetime.date(1990, 1, 1), "X"), "unsupported_sex"),
        (subject(datetime.date(1990, 1, 1), "?"), "invalid_sex"),
        (subject(datetime.date(1899, 12, 31), foreign=True), "unsupported_date"),
        (subject(datetime.date(1799, 12, 31)), "unsupported_date"),
        (subject(datetime.date(2100, 1, 1)), "unsupported_date"),
    ],
)
def test_unusable_subjects(bad: IdSubject, code: str) -> None:
    with pytest.raises(InvalidIdError) as caught:
        SCHEME.propose(bad)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("971013-9019903", "invalid_check_digit"),
        ("971013-901990", "invalid_length"),
        ("971013-90199021", "invalid_length"),
        ("", "invalid_length"),
        ("97101a-9019902", "invalid_format"),
        (with_check_digit("850230101234"), "invalid_date"),
        (with_check_digit("851301101234"), "invalid_date"),
        (with_check_digit("000229101234"), "invalid_date"),  # 1900 was no leap year
        (with_check_digit("850101197000"), "invalid_region"),
    ],
)
def test_decode_rejects(value: str, code: str) -> None:
    with pytest.raises(InvalidIdError) as caught:
        SCHEME.decode(value)
    assert caught.value.code == code
    assert not SCHEME.is_valid(value)


def test_lenient_mode_skips_the_check_digit_whatever_the_birth_date() -> None:
    lenient = RrnScheme(strict=False)
    right = with_check_digit("850101123456")
    wrong = right[:12] + str((int(right[-1]) + 1) % 10)
    assert lenient.is_valid(wrong)
    assert not SCHEME.is_valid(wrong)
    with pytest.raises(InvalidIdError) as caught:
        lenient.decode("210230-4999999")
    assert caught.value.code == "invalid_date"


@SETTINGS
@given(
    st.dates(RANDOM_TAILS_FROM, datetime.date(2099, 12, 31)),
    st.sampled_from("34"),
    st.text("0123456789", min_size=6, max_size=6),
)
def test_numbers_issued_since_october_2020_have_random_tails(
    born: datetime.date, digit: str, tail: str
) -> None:
    """A child born since then holds six random digits: no region code, no check digit."""
    rrn = f"{born:%y%m%d}{digit}{tail}"
    assert SCHEME.is_valid(rrn)
    assert SCHEME.decode(rrn).birth_date == born


@SETTINGS
@given(st.dates(datetime.date(1900, 1, 1), RANDOM_TAILS_FROM - datetime.timedelta(days=1)))
def test_numbers_of_earlier_births_keep_their_check_digit(born: datetime.date) -> None:
    first12 = f"{born:%y%m%d}{'2' if born.year < 2000 else '4'}12345"
    right = with_check_digit(first12)
    wrong = first12 + str((int(right[-1]) + 1) % 10)
    assert SCHEME.is_valid(right)
    assert not SCHEME.is_valid(wrong)
    with pytest.raises(InvalidIdError) as caught:
        SCHEME.decode(wrong)
    assert caught.value.code == "invalid_check_digit"


def test_normalise_format_mask() -> None:
    assert SCHEME.normalise(" 971013 – 9019902 ") == "9710139019902"
    # Full-width digits from a Korean IME.
    assert SCHEME.normalise("９７１０１３－９０１９９０２") == "9710139019902"
    assert SCHEME.format("9710139019902") == "971013-9019902"
    assert SCHEME.format("12-34") == "1234"
    assert SCHEME.mask("971013-9019902") == "971013-9******"
    assert SCHEME.mask("123") == "***"


@SETTINGS
@given(rrn_subjects(), st.sets(st.integers(0, 1999), min_size=2, max_size=25))
def test_variants_are_valid_distinct_and_decode(person: IdSubject, variants: set[int]) -> None:
    proposals = {SCHEME.propose(person, v) for v in variants | {0, 96_999}}
    assert len(proposals) == len(variants | {0, 96_999})
    for rrn in proposals:
        assert stdnum_rrn.is_valid(rrn), rrn
        assert SCHEME.is_valid(rrn), rrn
        decoded = SCHEME.decode(rrn)
        assert decoded.birth_date == person.birth_date
        assert decoded.sex == person.sex
        assert SCHEME.normalise(SCHEME.format(rrn)) == rrn


@SETTINGS
@given(rrn_subjects(), st.integers(0, 96_999), st.binary(max_size=64))
def test_any_serial_of_the_subject_is_one_it_could_hold(
    person: IdSubject, variant: int, key: bytes
) -> None:
    scheme = RrnScheme(serial_key=key)
    assert 0 <= scheme.first_variant(person) < scheme.max_variants
    assert scheme.first_variant(person) == scheme.first_variant(person)
    assert scheme.encodes(person, scheme.propose(person, variant))
    other_day = dataclasses.replace(person, birth_date=person.birth_date + ONE_DAY)
    if other_day.birth_date.year < 2100:
        assert not scheme.encodes(other_day, scheme.propose(person, variant))


def test_namesakes_born_the_same_day_start_their_search_far_apart() -> None:
    born = datetime.date(2021, 5, 5)
    starts = {
        SCHEME.first_variant(IdSubject(f"지{n}", "김", "", born, "F", "")) for n in range(200)
    }
    assert len(starts) >= 195
