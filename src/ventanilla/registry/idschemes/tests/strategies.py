"""Hypothesis strategies shared by the scheme tests."""

from __future__ import annotations

import datetime

from hypothesis import settings
from hypothesis import strategies as st

from .._base import IdSubject

# No example database: the test run must not write outside the package.
SETTINGS = settings(database=None, deadline=None, max_examples=150)

_LETTERS = "abcdefghijklmnopqrstuvwxyzáéíóúüñÁÉÍÓÚÜÑABCDEFGHIJKLMNOPQRSTUVWXYZ"
_TAIL = _LETTERS + "'-./"
# fmt: off
_SPECIAL_WORDS = [
    "de", "DE", "la", "del", "DEL", "los", "las", "y", "Y", "Mc", "mac", "van", "von",
    "María", "MARIA", "José", "JOSE", "Ma.", "MA", "M.", "J.", "J",
]
# fmt: on

word = st.builds(
    lambda head, tail: head + tail,
    st.sampled_from(_LETTERS),
    st.text(alphabet=_TAIL, max_size=9),
)
name = st.lists(st.one_of(word, st.sampled_from(_SPECIAL_WORDS)), min_size=1, max_size=4).map(
    " ".join
)
optional_name = st.one_of(st.just(""), name)

# fmt: off
CURP_STATES = [
    "AS", "BC", "BS", "CC", "CL", "CM", "CS", "CH", "DF", "DG", "GT", "GR", "HG", "JC", "MC",
    "MN", "MS", "NT", "NL", "OC", "PL", "QT", "QR", "SP", "SL", "SR", "TC", "TS", "TL", "VZ",
    "YN", "ZS", "NE",
]
# fmt: on


def curp_subjects() -> st.SearchStrategy[IdSubject]:
    return st.builds(
        IdSubject,
        given_names=name,
        first_surname=name,
        second_surname=optional_name,
        birth_date=st.dates(datetime.date(1900, 1, 1), datetime.date(2099, 12, 31)),
        sex=st.sampled_from(["F", "M", "X"]),
        birth_state=st.sampled_from(CURP_STATES),
        foreign=st.booleans(),
    )


@st.composite
def rrn_subjects(draw: st.DrawFn) -> IdSubject:
    born = draw(st.dates(datetime.date(1800, 1, 1), datetime.date(2099, 12, 31)))
    # Foreigner registration numbers have no 1800s digit.
    foreign = born.year >= 1900 and draw(st.booleans())
    return IdSubject(
        given_names=draw(name),
        first_surname=draw(name),
        second_surname="",
        birth_date=born,
        sex=draw(st.sampled_from(["F", "M"])),
        birth_state="",
        foreign=foreign,
    )
