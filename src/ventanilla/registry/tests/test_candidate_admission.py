"""Which holders of a probe's keys a lookup scores: everyone sharing two keys or more (up to
`MAX_CANDIDATES`), and of those sharing a single key only the first `SINGLE_KEY_CANDIDATES`.
The online lookup (SQL) and the legacy import's batch check (Python) choose alike."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ventanilla.core.models import Jurisdiction
from ventanilla.registry.dedup import (
    MAX_CANDIDATES,
    SINGLE_KEY_CANDIDATES,
    _candidate_rows,
    admitted,
)
from ventanilla.registry.models import Person, PersonMatchKey
from ventanilla.registry.tests.factories import imported_person


@pytest.mark.django_db
def test_the_lookup_scores_every_holder_of_two_keys_and_the_first_holders_of_one(
    offices: dict[str, Jurisdiction],
) -> None:
    probe_keys = ["k:both-1", "k:both-2", "k:rare", "k:crowded"]
    holdings: dict[int, list[str]] = {
        1: ["k:both-1", "k:both-2"],  # two keys: first
        2: ["k:rare"],  # one key, held by nobody else: next
        **{n: ["k:crowded"] for n in range(3, 9)},  # one key shared by six: by id
    }
    persons = [
        imported_person(offices["a"], "Ana", "Torres", "Vega", born=dt.date(1985, 3, 14), pk=pk)
        for pk in (uuid.UUID(int=n) for n in holdings)
    ]
    Person.objects.bulk_create(persons)
    PersonMatchKey.objects.bulk_create(
        PersonMatchKey(key=key, person_id=uuid.UUID(int=n))
        for n, keys in holdings.items()
        for key in keys
    )
    found = {str(row[0]) for row in _candidate_rows(probe_keys)}  # scored, then sorted
    ranked = [str(uuid.UUID(int=n)) for n in holdings]
    shared = Counter({str(uuid.UUID(int=n)): len(keys) for n, keys in holdings.items()})
    assert ranked[:SINGLE_KEY_CANDIDATES] == admitted(ranked, shared)
    assert found == set(ranked[:SINGLE_KEY_CANDIDATES])


@given(st.lists(st.integers(min_value=1, max_value=4), max_size=30))
def test_admission_keeps_the_order_and_every_holder_of_two_keys_up_to_the_cap(
    keys_shared: list[int],
) -> None:
    # Ranked as the lookup ranks: most keys shared first.
    ranked = [f"p{i}" for i, _ in sorted(enumerate(keys_shared), key=lambda x: -x[1])]
    shared = {f"p{i}": n for i, n in enumerate(keys_shared)}
    chosen = admitted(ranked, shared)
    assert chosen == [pid for pid in ranked if pid in chosen]  # best first, as ranked
    assert len(chosen) <= MAX_CANDIDATES
    several = [pid for pid in ranked if shared[pid] >= 2]
    assert chosen[: min(len(several), MAX_CANDIDATES)] == several[:MAX_CANDIDATES]
    assert sum(shared[pid] == 1 for pid in chosen) <= SINGLE_KEY_CANDIDATES
