"""Candidate search for one record and batch deduplication."""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Final

from .features import RecordFeatures, compute_features, features_of
from .keys import keys_from_features
from .record import MatchRecord
from .scoring import (
    DEFAULT_MODEL,
    MatchResult,
    NameFrequencies,
    ScoringModel,
    compare_features,
    match_score,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "MAX_BLOCK_SIZE",
    "MatchCandidate",
    "dedupe_batch",
    "find_candidates",
]

logger = logging.getLogger(__name__)

DEFAULT_THRESHOLD: Final = 0.5
"""Candidates scoring at or above this block a registration until a registrar reviews them."""

MAX_BLOCK_SIZE: Final = 2000
"""`dedupe_batch` skips a blocking key shared by more records than this (logged)."""


@dataclass(frozen=True, slots=True)
class MatchCandidate:
    """A record of the pool that may be the same person as the probe."""

    record_id: str
    result: MatchResult


def find_candidates(
    r: MatchRecord,
    pool: Iterable[MatchRecord],
    threshold: float = DEFAULT_THRESHOLD,
    *,
    model: ScoringModel = DEFAULT_MODEL,
    frequencies: NameFrequencies | None = None,
) -> list[MatchCandidate]:
    """Score `r` against every record of `pool` (other than itself), best first.

    `pool` is normally the small set fetched from the key index with
    :func:`blocking_keys`; records scoring below `threshold` are dropped.
    """
    probe = features_of(r)
    found: list[MatchCandidate] = []
    for other in pool:
        if other.id == r.id:
            continue
        features = features_of(other)
        if match_score(probe, features, model, frequencies, floor=threshold) >= threshold:
            found.append(
                MatchCandidate(other.id, compare_features(probe, features, model, frequencies))
            )
    found.sort(key=lambda c: (-c.result.score, c.record_id))
    return found


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: a batch allocates millions of small acyclic
    objects, and the collector's repeated scans of them would double the run time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def dedupe_batch(
    records: Sequence[MatchRecord],
    threshold: float = DEFAULT_THRESHOLD,
    *,
    model: ScoringModel | None = None,
    frequencies: NameFrequencies | None = None,
    features: Sequence[RecordFeatures] | None = None,
) -> list[tuple[str, str, float]]:
    """Pairs ``(id_a, id_b, score)`` of `records` scoring at or above `threshold`, best first.

    Records are blocked on :func:`blocking_keys` in an in-memory index and
    each candidate pair is scored once. Unless given, the model is the default
    one sized to the batch, and name frequencies are counted from the batch.
    ``id_a`` is the record that comes first in `records`. A caller that already holds the
    records' `features` (from :func:`compute_features`, in the same order) passes them.
    """
    with _gc_paused():
        return _dedupe(records, threshold, model, frequencies, features)


def _dedupe(
    records: Sequence[MatchRecord],
    threshold: float,
    model: ScoringModel | None,
    frequencies: NameFrequencies | None,
    features: Sequence[RecordFeatures] | None,
) -> list[tuple[str, str, float]]:
    n = len(records)
    if model is None:
        model = DEFAULT_MODEL.with_population(n)
    if features is not None and len(features) != n:
        raise ValueError("features must match records one to one")
    feats = list(features) if features is not None else [compute_features(r) for r in records]
    if frequencies is None:
        frequencies = NameFrequencies.from_features(feats)

    index: dict[str, list[int]] = {}
    for i, f in enumerate(feats):
        for key in keys_from_features(f):
            index.setdefault(key, []).append(i)

    seen: set[int] = set()
    out: list[tuple[str, str, float]] = []
    for key, members in index.items():
        size = len(members)
        if size < 2:
            continue
        if size > MAX_BLOCK_SIZE:
            # Only the kind: a key embeds a birth date and name codes.
            logger.warning(
                "blocking key of kind %r shared by %d records: skipped", key.split(":")[0], size
            )
            continue
        for pos, i in enumerate(members):
            fi = feats[i]
            for j in members[pos + 1 :]:
                pair = i * n + j
                if pair in seen:
                    continue
                seen.add(pair)
                if records[i].id == records[j].id:
                    continue
                score = match_score(fi, feats[j], model, frequencies, floor=threshold)
                if score >= threshold:
                    out.append((records[i].id, records[j].id, score))
    out.sort(key=lambda t: (-t[2], t[0], t[1]))
    return out
