"""Record matching (deduplication) for the civil registry.

Pure Python, no Django: the registry persists :func:`blocking_keys` in an
indexed ``(key) -> person`` table, fetches candidates with ``WHERE key IN
(...)`` and scores them with :func:`compare` / :func:`find_candidates`.
"""

from .engine import (
    DEFAULT_THRESHOLD,
    MAX_BLOCK_SIZE,
    MatchCandidate,
    dedupe_batch,
    find_candidates,
)
from .features import RecordFeatures, compute_features, features_of
from .keys import MAX_KEYS, blocking_keys, keys_from_features, name_key
from .korean import korean_fold, korean_surname_key, romanise_hangul
from .normalise import normalise_name
from .phonetic import spanish_phonetic
from .record import MatchRecord
from .scoring import (
    DEFAULT_MODEL,
    FieldComparison,
    LevelProbabilities,
    MatchResult,
    NameFrequencies,
    OwnFields,
    ScoringModel,
    compare,
    compare_features,
    compare_own_fields,
    fit_weights,
    match_score,
)

__all__ = [
    "DEFAULT_MODEL",
    "DEFAULT_THRESHOLD",
    "MAX_BLOCK_SIZE",
    "MAX_KEYS",
    "FieldComparison",
    "LevelProbabilities",
    "MatchCandidate",
    "MatchRecord",
    "MatchResult",
    "NameFrequencies",
    "OwnFields",
    "RecordFeatures",
    "ScoringModel",
    "blocking_keys",
    "compare",
    "compare_features",
    "compare_own_fields",
    "compute_features",
    "dedupe_batch",
    "features_of",
    "find_candidates",
    "fit_weights",
    "keys_from_features",
    "match_score",
    "korean_fold",
    "korean_surname_key",
    "name_key",
    "normalise_name",
    "romanise_hangul",
    "spanish_phonetic",
]
