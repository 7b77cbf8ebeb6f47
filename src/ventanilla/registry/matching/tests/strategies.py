"""Hypothesis strategies for the matching tests."""

from __future__ import annotations

import dataclasses
import datetime

from hypothesis import settings
from hypothesis import strategies as st

from ..record import MatchRecord

# No example database: the test run must not write outside the package.
SETTINGS = settings(database=None, deadline=None, max_examples=200)

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZÁÉÍÓÚÜÑabcdefghijklmnopqrstuvwxyzáéíóúñ"
# fmt: off
_WORDS = [
    "María", "MARIA", "José", "JOSE", "Ma.", "DE", "la", "LOS", "Guadalupe", "Ángeles",
    "Hernández", "García", "Martínez", "López", "Peña", "Núñez", "Valdés", "De la Cruz",
    "김", "이", "박", "민준", "서연", "KIM", "LEE", "PARK", "Min-jun", "Seo-yeon",
]
# fmt: on

word = st.text(alphabet=LETTERS, min_size=1, max_size=10)
name = st.lists(st.one_of(word, st.sampled_from(_WORDS)), min_size=1, max_size=3).map(" ".join)
any_text = st.text(max_size=30)
dates = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2030, 12, 31))


@st.composite
def records(draw: st.DrawFn, *, complete: bool = False) -> MatchRecord:
    """A record; `complete` ones have given name, first surname, birth date and sex."""
    optional = st.one_of(st.just(""), name)
    return MatchRecord(
        id=str(draw(st.integers(min_value=0, max_value=10**9))),
        given_names=draw(name if complete else optional),
        first_surname=draw(name if complete else optional),
        second_surname=draw(optional),
        birth_date=draw(dates if complete else st.one_of(st.none(), dates)),
        sex=draw(st.sampled_from(["F", "M"]) if complete else st.sampled_from(["F", "M", "X", ""])),
        place_code=draw(st.one_of(st.just(""), st.sampled_from(["09015", "14039", "19039"]))),
        mother_name=draw(optional),
        father_name=draw(optional),
    )


@st.composite
def related_pairs(draw: st.DrawFn) -> tuple[MatchRecord, MatchRecord]:
    """A record and a re-declaration of it with a few random clerical changes."""
    r = draw(records(complete=True))
    other = dataclasses.replace(r, id="other")
    for change in draw(st.lists(st.integers(min_value=0, max_value=7), max_size=3)):
        if change == 0:
            other = dataclasses.replace(
                other, first_surname=other.second_surname, second_surname=other.first_surname
            )
        elif change == 1 and other.birth_date is not None:
            d = other.birth_date
            if d.day <= 12:
                other = dataclasses.replace(other, birth_date=datetime.date(d.year, d.day, d.month))
        elif change == 2:
            other = dataclasses.replace(other, second_surname="")
        elif change == 3:
            other = dataclasses.replace(other, given_names=draw(name))
        elif change == 4:
            other = dataclasses.replace(other, birth_date=draw(dates))
        elif change == 5:
            text = other.first_surname
            pos = draw(st.integers(min_value=0, max_value=max(len(text) - 1, 0)))
            other = dataclasses.replace(
                other, first_surname=text[:pos] + draw(st.sampled_from(LETTERS)) + text[pos + 1 :]
            )
        elif change == 6:
            other = dataclasses.replace(
                other, mother_name=draw(name), sex=draw(st.sampled_from("FMX"))
            )
        else:
            other = dataclasses.replace(other, given_names=other.given_names.split(" ")[0])
    return r, other
