from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from ventanilla.registry.bulk import allocate_national_ids, any_of, array_literal
from ventanilla.registry.idschemes import IdSubject, get_scheme

# PostgreSQL text holds any character but NUL.
# Any text a request can carry: no NUL, which PostgreSQL refuses, and no lone surrogate,
# which is not UTF-8.
_TEXT = st.text(st.characters(exclude_characters="\x00", exclude_categories=["Cs"]), max_size=12)


def test_an_empty_array_is_written_as_such() -> None:
    assert array_literal([]) == "{}"


@pytest.mark.django_db
@settings(max_examples=60, deadline=None)
@given(values=st.lists(_TEXT, max_size=8))
def test_any_value_survives_the_array_literal(values: list[str]) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("array literals are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::text[]", [array_literal(values)])
        assert cursor.fetchone()[0] == values


@pytest.mark.django_db
def test_any_of_finds_values_with_quotes_commas_and_braces() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("array literals are PostgreSQL's")
    wanted = ['O"Brien', "a,b", "{x}", "back\\slash", "NULL", ""]
    rows = any_of("SELECT v FROM unnest(%s::text[]) AS v", wanted)
    assert [r[0] for r in rows] == wanted


@pytest.mark.django_db
def test_any_of_takes_uuids() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("array literals are PostgreSQL's")
    ids = [uuid.uuid4(), uuid.uuid4()]
    rows = any_of("SELECT v FROM unnest(%s::uuid[]) AS v", ids)
    assert sorted(r[0] for r in rows) == sorted(ids)


def _same_day(count: int, scheme_code: str) -> list[IdSubject | None]:
    born = dt.date(2021, 5, 5)
    if scheme_code == "rrn":
        return [IdSubject(f"지{n}", "김", "", born, "F", "") for n in range(count)]
    return [IdSubject("María", "López", "García", born, "F", "DF") for _ in range(count)]


def test_korean_children_born_the_same_day_are_numbered_in_few_rounds() -> None:
    """A busy birth date must not make each child walk past every number already given."""
    scheme = get_scheme("rrn")
    subjects = _same_day(400, "rrn")
    register = {
        scheme.propose(s, (scheme.first_variant(s) + 1) % scheme.max_variants)
        for s in subjects[:200]
        if s is not None
    }
    rounds: list[int] = []

    def taken(values: Collection[str]) -> set[str]:
        rounds.append(len(values))
        return register & set(values)

    ids = allocate_national_ids(subjects, scheme, taken)
    assert all(isinstance(i, str) and scheme.is_valid(i) for i in ids)
    assert len(set(ids)) == 400 and not register & set(map(str, ids))
    assert len(rounds) <= 3


def test_mexican_homonyms_take_the_homonym_characters_in_order() -> None:
    scheme = get_scheme("curp")
    ids = allocate_national_ids(_same_day(3, "curp"), scheme, lambda values: set())
    assert [str(i)[16] for i in ids] == ["A", "B", "C"]
