from __future__ import annotations

import uuid

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from ventanilla.registry.bulk import any_of, array_literal

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
