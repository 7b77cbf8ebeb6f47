from __future__ import annotations

import dataclasses
import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from .. import (
    DEFAULT_THRESHOLD,
    MatchRecord,
    NameFrequencies,
    ScoringModel,
    compare,
    compare_features,
    compare_own_fields,
    features_of,
    fit_weights,
    match_score,
)
from .strategies import SETTINGS, records, related_pairs

D = datetime.date


def person(**kw: object) -> MatchRecord:
    base: dict[str, object] = {
        "id": "a",
        "given_names": "JUAN CARLOS",
        "first_surname": "HERNÁNDEZ",
        "second_surname": "PEÑA",
        "birth_date": D(1987, 4, 9),
        "sex": "M",
        "place_code": "09015",
        "mother_name": "ROSA PEÑA LÓPEZ",
        "father_name": "",
    }
    base.update(kw)
    return MatchRecord(**base)  # type: ignore[arg-type]


def other(r: MatchRecord, **kw: object) -> MatchRecord:
    return dataclasses.replace(r, id="b", **kw)  # type: ignore[arg-type]


def score(a: MatchRecord, b: MatchRecord) -> float:
    return compare(a, b).score


def test_accents_and_enye_are_ignored() -> None:
    a = person()
    b = other(a, first_surname="HERNANDEZ", second_surname="PENA", mother_name="ROSA PENA LOPEZ")
    result = compare(a, b)
    assert result.score >= DEFAULT_THRESHOLD
    assert result.fields["second_surname"].level == "exact"


def test_swapped_surnames_match() -> None:
    a = person()
    b = other(a, first_surname="PEÑA", second_surname="HERNÁNDEZ")
    result = compare(a, b)
    assert result.score >= DEFAULT_THRESHOLD
    assert result.fields["first_surname"].swapped


def test_abbreviated_maria_and_particles() -> None:
    a = person(given_names="MARÍA DE LOS ÁNGELES", sex="F")
    b = other(a, given_names="MA. DE LOS ANGELES")
    result = compare(a, b)
    assert result.score >= DEFAULT_THRESHOLD
    assert result.fields["given_names"].level == "exact"
    assert result.fields["given_names"].detail == "equivalent"


def test_maria_omitted_before_second_given_name() -> None:
    a = person(given_names="MARÍA GUADALUPE", sex="F")
    b = other(a, given_names="GUADALUPE")
    assert score(a, b) >= DEFAULT_THRESHOLD


@pytest.mark.parametrize(
    ("field", "x", "y"),
    [
        ("first_surname", "VALDÉS", "BALDEZ"),
        ("first_surname", "GONZÁLEZ", "GONSALEZ"),
        ("first_surname", "VÁZQUEZ", "BASQUES"),
        ("given_names", "ISABEL", "YSABEL"),
        ("given_names", "JAVIER", "XAVIER"),
    ],
)
def test_phonetic_typos_match(field: str, x: str, y: str) -> None:
    a = person(**{field: x})
    b = other(a, **{field: y})
    result = compare(a, b)
    assert result.score >= DEFAULT_THRESHOLD
    assert result.fields[field].level == "close"


@pytest.mark.parametrize(("x", "y"), [("ANA", "AA"), ("EVA", "EA"), ("ANA", "ANE")])
def test_a_slip_in_a_three_letter_given_name_still_matches(x: str, y: str) -> None:
    a = person(given_names=x, sex="F")
    result = compare(a, other(a, given_names=y))
    assert result.score >= DEFAULT_THRESHOLD
    assert result.fields["given_names"].level == "close"


def test_a_different_short_given_name_does_not_match() -> None:
    a = person(given_names="ANA", sex="F", mother_name="", place_code="")
    assert score(a, other(a, given_names="EVA", birth_date=D(1987, 4, 19))) < DEFAULT_THRESHOLD


def test_compound_surname_with_particles() -> None:
    a = person(first_surname="DE LA CRUZ")
    b = other(a, first_surname="CRUZ")
    result = compare(a, b)
    assert result.score >= DEFAULT_THRESHOLD
    assert result.fields["first_surname"].detail == "equivalent"


def test_both_surnames_in_first_field() -> None:
    a = person()
    b = other(a, first_surname="HERNÁNDEZ PEÑA", second_surname="")
    assert score(a, b) >= DEFAULT_THRESHOLD


def test_missing_second_surname() -> None:
    a = person()
    b = other(a, second_surname="")
    result = compare(a, b)
    assert result.score >= DEFAULT_THRESHOLD
    assert result.fields["second_surname"].level == "missing"


@pytest.mark.parametrize(
    ("date", "detail"),
    [
        (D(1987, 9, 4), "swap"),
        (D(1988, 4, 9), "year"),
        (D(1987, 4, 8), "typo"),
        (D(1978, 4, 9), "typo"),
    ],
)
def test_birth_date_errors(date: datetime.date, detail: str) -> None:
    a = person()
    b = other(a, birth_date=date)
    result = compare(a, b)
    assert result.fields["birth_date"].detail == detail
    assert result.fields["birth_date"].level == "close"
    assert result.score >= DEFAULT_THRESHOLD


@pytest.mark.parametrize(
    ("hangul", "latin"),
    [(("민준", "김"), ("MINJUN", "KIM")), (("서연", "이"), ("SEOYEON", "LEE"))],
)
def test_hangul_against_romanisation(hangul: tuple[str, str], latin: tuple[str, str]) -> None:
    base = {"second_surname": "", "place_code": "11680", "mother_name": "", "father_name": ""}
    a = person(given_names=hangul[0], first_surname=hangul[1], **base)
    b = other(a, given_names=latin[0], first_surname=latin[1])
    result = compare(a, b)
    assert result.score >= DEFAULT_THRESHOLD
    assert result.fields["given_names"].level == "exact"
    assert result.fields["first_surname"].level == "exact"


def test_korean_full_name_in_one_field_and_spelling_variants() -> None:
    a = person(given_names="", first_surname="김민준", second_surname="", mother_name="")
    b = other(a, given_names="MIN-JOON", first_surname="KIM")
    assert score(a, b) >= DEFAULT_THRESHOLD


def test_twins_score_below_threshold() -> None:
    a = person(father_name="JUAN HERNÁNDEZ RUIZ")
    twin = other(a, given_names="LUIS ALBERTO")
    assert score(a, twin) < DEFAULT_THRESHOLD
    sister = other(a, given_names="ANA SOFÍA", sex="F")
    assert score(a, sister) < 0.05


def test_siblings_born_years_apart_score_low() -> None:
    a = person(father_name="JUAN HERNÁNDEZ RUIZ")
    brother = other(a, given_names="MIGUEL ÁNGEL", birth_date=D(1990, 1, 22))
    assert score(a, brother) < 0.01


def test_unrelated_people_score_low() -> None:
    a = person()
    b = MatchRecord(
        id="b",
        given_names="ANA SOFÍA",
        first_surname="GARCÍA",
        second_surname="LÓPEZ",
        birth_date=D(1992, 11, 30),
        sex="F",
        place_code="14039",
        mother_name="MARTHA LÓPEZ RUIZ",
        father_name="",
    )
    result = compare(a, b)
    assert result.score < 0.001
    assert result.fields["given_names"].level == "different"


def test_same_common_name_different_birth_date_scores_low() -> None:
    a = person(mother_name="")
    b = other(a, birth_date=D(1961, 10, 23), place_code="19039")
    assert score(a, b) < 0.01


def test_fields_cover_every_attribute() -> None:
    result = compare(person(), other(person()))
    assert set(result.fields) == {
        "given_names",
        "first_surname",
        "second_surname",
        "birth_date",
        "sex",
        "place_code",
        "mother_name",
        "father_name",
    }
    assert result.fields["father_name"].level == "missing"
    for fc in result.fields.values():
        assert fc.level in {"exact", "close", "different", "missing"}
        assert 0.0 <= fc.score <= 1.0


def test_rare_names_weigh_more_with_frequencies() -> None:
    a = person(given_names="JUAN", mother_name="", place_code="")
    b = other(a, birth_date=D(1987, 4, 19))
    crowd = [person(id=str(i), given_names="JUAN") for i in range(50)]
    crowd += [person(id=f"r{i}", given_names=f"NOMBRE{i}") for i in range(200)]
    freq = NameFrequencies.from_records(crowd)
    rare_a = person(given_names="NOMBRE7", mother_name="", place_code="")
    rare_b = other(rare_a, birth_date=D(1987, 4, 19))
    assert compare(rare_a, rare_b, frequencies=freq).score > compare(a, b, frequencies=freq).score


def test_larger_population_lowers_scores() -> None:
    a = person(mother_name="")
    b = other(a, birth_date=D(1987, 4, 19))
    small = ScoringModel().with_population(10_000)
    big = ScoringModel().with_population(100_000_000)
    assert compare(a, b, small).score > compare(a, b, big).score


def test_fit_weights_learns_from_labels() -> None:
    a = person()
    pairs = [
        (a, other(a, birth_date=D(1987, 9, 4)), True),
        (a, other(a, given_names="JUAN CARLOS"), True),
        (a, person(id="z", given_names="ROSA", birth_date=D(1950, 1, 1)), False),
    ]
    model = fit_weights(pairs)
    date = model.levels["birth_date"]
    assert date["swap"].m > date["swap"].u
    assert abs(sum(p.m for p in date.values()) - 1.0) < 1e-9


@SETTINGS
@given(records(), records())
def test_compare_is_symmetric_and_bounded(a: MatchRecord, b: MatchRecord) -> None:
    ab, ba = compare(a, b), compare(b, a)
    assert 0.0 <= ab.score <= 1.0
    assert ab.score == pytest.approx(ba.score, rel=1e-9, abs=1e-12)
    surnames = ("first_surname", "second_surname")
    assert {k: v.level for k, v in ab.fields.items() if k not in surnames} == {
        k: v.level for k, v in ba.fields.items() if k not in surnames
    }
    # Surnames compared crosswise are reported per position of the first record.
    assert sorted(ab.fields[k].level for k in surnames) == sorted(
        ba.fields[k].level for k in surnames
    )


@SETTINGS
@given(related_pairs())
def test_compare_is_symmetric_on_related_records(pair: tuple[MatchRecord, MatchRecord]) -> None:
    a, b = pair
    ab, ba = compare(a, b), compare(b, a)
    assert 0.0 <= ab.score <= 1.0
    assert ab.score == pytest.approx(ba.score, rel=1e-9, abs=1e-12)


@SETTINGS
@given(records(complete=True))
def test_record_matches_itself(r: MatchRecord) -> None:
    assert compare(r, dataclasses.replace(r, id="copy")).score >= DEFAULT_THRESHOLD


def test_dropped_second_given_name_is_a_subset() -> None:
    a = person(given_names="ROSA FERNANDA", sex="F")
    b = other(a, given_names="ROSA")
    result = compare(a, b)
    assert result.fields["given_names"].detail == "subset"
    assert result.score >= DEFAULT_THRESHOLD


def test_twins_sharing_one_name_stay_below_threshold() -> None:
    a = person(given_names="JUAN CARLOS", father_name="JUAN HERNÁNDEZ RUIZ")
    twin = other(a, given_names="JUAN PABLO")
    result = compare(a, twin)
    assert result.fields["given_names"].detail == "partial"
    assert result.score < DEFAULT_THRESHOLD


def test_two_slips_in_birth_date_are_near() -> None:
    a = person()
    b = other(a, birth_date=D(1988, 4, 19))
    result = compare(a, b)
    assert result.fields["birth_date"].detail == "near"
    assert result.fields["birth_date"].level == "close"


def test_misspelt_given_name_twice_is_similar() -> None:
    a = person(given_names="SILVIA", sex="F")
    b = other(a, given_names="ZIKVIA")
    assert compare(a, b).fields["given_names"].detail == "similar"


@SETTINGS
@given(st.one_of(st.tuples(records(), records()), related_pairs()), st.floats(0.0, 1.0))
def test_score_alone_agrees_with_the_comparison(
    pair: tuple[MatchRecord, MatchRecord], floor: float
) -> None:
    a, b = features_of(pair[0]), features_of(pair[1])
    full = compare_features(a, b).score
    assert match_score(a, b) == full
    # Given a floor, a pair may be given up early, but only one that falls short of it,
    # and never with a value below its true score.
    quick = match_score(a, b, floor=floor)
    assert (quick >= floor) == (full >= floor)
    assert quick >= full


def test_a_pair_far_apart_is_given_up_before_its_parents() -> None:
    a = person(mother_name="ROSA PEÑA LÓPEZ", father_name="JUAN HERNÁNDEZ RUIZ")
    stranger = person(
        id="b",
        given_names="ALEJANDRA",
        first_surname="TORRES",
        second_surname="VEGA",
        birth_date=D(1961, 11, 30),
        sex="F",
        place_code="14039",
    )
    full = compare(a, stranger).score
    bound = match_score(features_of(a), features_of(stranger), floor=DEFAULT_THRESHOLD)
    assert full < bound < DEFAULT_THRESHOLD


@SETTINGS
@given(st.one_of(st.tuples(records(), records()), related_pairs()), st.floats(0.0, 1.0))
def test_a_pair_that_reaches_the_floor_could_reach_it_without_its_parents_known(
    pair: tuple[MatchRecord, MatchRecord], floor: float
) -> None:
    a, b = pair
    orphans = [dataclasses.replace(r, mother_name="", father_name="") for r in (a, b)]
    own = compare_own_fields(features_of(orphans[0]), features_of(orphans[1]))
    full = compare(a, b).score
    assert own.best >= full  # whatever the parents' names were
    # Told the parents afterwards, it gives the pair's score.
    assert own.score_with_parents(features_of(a), features_of(b)) == full
    if own.best < floor:
        assert match_score(features_of(a), features_of(b), floor=floor) < floor
