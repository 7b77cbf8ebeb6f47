from __future__ import annotations

import dataclasses
import datetime
import random
import time

import pytest

from .. import (
    DEFAULT_THRESHOLD,
    MatchCandidate,
    MatchRecord,
    blocking_keys,
    compute_features,
    dedupe_batch,
    find_candidates,
)

D = datetime.date

_GIVEN = ["JUAN", "JOSÉ LUIS", "MARÍA GUADALUPE", "ANA", "MIGUEL ÁNGEL", "ROSA", "PEDRO", "LUZ"]
_SURNAMES = ["HERNÁNDEZ", "GARCÍA", "MARTÍNEZ", "LÓPEZ", "PÉREZ", "RUIZ", "PEÑA", "DE LA CRUZ"]


def population(n: int, seed: int) -> list[MatchRecord]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        out.append(
            MatchRecord(
                id=f"p{i}",
                given_names=rng.choice(_GIVEN) + f" {i}",
                first_surname=rng.choice(_SURNAMES),
                second_surname=rng.choice(_SURNAMES),
                birth_date=D(1950, 1, 1) + datetime.timedelta(days=rng.randrange(25_000)),
                sex=rng.choice("FM"),
                place_code=f"{rng.randrange(1, 200):05d}",
                mother_name="",
                father_name="",
            )
        )
    return out


def test_find_candidates_ranks_and_filters() -> None:
    probe = MatchRecord("new", "JOSÉ LUIS", "PÉREZ", "RUIZ", D(1980, 2, 3), "M", "09015")
    same = dataclasses.replace(probe, id="p1", first_surname="PERES")
    closer = dataclasses.replace(probe, id="p2")
    unrelated = MatchRecord("p3", "ANA", "LÓPEZ", "", D(1999, 9, 9), "F", "14039")
    found = find_candidates(probe, [same, unrelated, closer, probe])
    assert [c.record_id for c in found] == ["p2", "p1"]
    assert all(isinstance(c, MatchCandidate) for c in found)
    assert found[0].result.score >= found[1].result.score >= DEFAULT_THRESHOLD
    assert find_candidates(probe, [unrelated], threshold=0.0)[0].record_id == "p3"


def test_dedupe_batch_finds_planted_duplicates() -> None:
    records = population(3000, seed=7)
    records[10] = dataclasses.replace(records[10], birth_date=D(1970, 3, 14))
    planted = {
        ("p10", "d1"): dataclasses.replace(records[10], id="d1", birth_date=D(1971, 3, 14)),
        ("p11", "d2"): dataclasses.replace(
            records[11],
            id="d2",
            first_surname=records[11].second_surname,
            second_surname=records[11].first_surname,
        ),
        ("p12", "d3"): dataclasses.replace(records[12], id="d3", second_surname=""),
    }
    batch = records + list(planted.values())
    pairs = dedupe_batch(batch)
    found = {(a, b) for a, b, _ in pairs}
    assert set(planted) <= found
    scores = [s for _, _, s in pairs]
    assert scores == sorted(scores, reverse=True)
    assert all(s >= DEFAULT_THRESHOLD for s in scores)
    # A caller holding the features already gets the same pairs without recomputing them.
    assert dedupe_batch(batch, features=[compute_features(r) for r in batch]) == pairs
    with pytest.raises(ValueError, match="one to one"):
        dedupe_batch(batch, features=[compute_features(r) for r in batch[1:]])


def test_dedupe_batch_is_fast() -> None:
    records = population(20_000, seed=3)
    start = time.perf_counter()
    dedupe_batch(records)
    assert time.perf_counter() - start < 20.0


def test_blocking_keys_are_deterministic() -> None:
    r = population(1, seed=1)[0]
    assert blocking_keys(r) == blocking_keys(dataclasses.replace(r))
