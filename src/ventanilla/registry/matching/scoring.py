"""Pairwise scoring: Fellegi-Sunter weights with a sibling hypothesis.

Each field of a pair is put in a *level* (exact, close, ... missing). For each
level the model holds

* ``m`` - its probability when both records are the same person,
* ``u`` - its probability for two unrelated people,
* ``s`` - its probability for two *siblings* (person-level fields only:
  given names, birth date, sex).

Classic Fellegi-Sunter compares "same person" with "unrelated" only and
multiplies the field likelihood ratios as if the fields were independent.
In a civil registry they are not: surnames are inherited from the parents,
so brothers and sisters agree on surnames, parents' names and birth place,
and twins on the birth date as well. Summing all that agreement would make
twins look like one person. The model therefore weighs three hypotheses:

* same person:       prior ``pi_s``, likelihood  prod m
* siblings:          prior ``pi_f``, likelihood  prod m (family fields) * prod s (person fields)
* unrelated people:  prior ``pi_n``, likelihood  prod u

and the score is the posterior probability of "same person". Family fields
(surnames, parents, birth place) agree among siblings as among duplicates,
so they only separate duplicates from unrelated people; given names and
birth date separate duplicates from siblings. The priors come from the
population size and the expected rates of duplicates and siblings.

``u`` for an exact agreement on a given name, surname or place can come from
:class:`NameFrequencies` (term-frequency adjustment: agreeing on a rare surname
says more than agreeing on HERNANDEZ).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Final, NamedTuple

from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from .features import (
    DateParts,
    GivenFeatures,
    ParentFeatures,
    RecordFeatures,
    SurnameFeatures,
    features_of,
    surname_features,
)
from .record import MatchRecord

__all__ = [
    "DEFAULT_MODEL",
    "FIELD_NAMES",
    "FieldComparison",
    "LevelProbabilities",
    "MatchResult",
    "NameFrequencies",
    "ScoringModel",
    "compare",
    "compare_features",
    "OwnFields",
    "compare_own_fields",
    "fit_weights",
    "match_score",
]

FIELD_NAMES: Final = (
    "given_names",
    "first_surname",
    "second_surname",
    "birth_date",
    "sex",
    "place_code",
    "mother_name",
    "father_name",
)
# Fields on which siblings agree as a person agrees with themself.
_FAMILY_FIELDS: Final = frozenset(
    {"first_surname", "second_surname", "place_code", "mother_name", "father_name"}
)
_SKIPPABLE: Final = frozenset({"MARIA", "JOSE"})

# Fine level -> level shown to users.
_DISPLAY: Final[Mapping[str, str]] = MappingProxyType(
    {
        "exact": "exact",
        "equivalent": "exact",
        "close": "close",
        "partial": "close",
        "subset": "close",
        "similar": "close",
        "near": "close",
        "swap": "close",
        "typo": "close",
        "year": "close",
        "different": "different",
        "missing": "missing",
    }
)


@dataclass(frozen=True, slots=True)
class LevelProbabilities:
    """P(level | same person), P(level | unrelated), P(level | siblings)."""

    m: float
    u: float
    s: float | None = None  # None: siblings behave like the same person (family field)


def _levels(**kw: tuple[float, ...]) -> Mapping[str, LevelProbabilities]:
    return MappingProxyType({k: LevelProbabilities(*v) for k, v in kw.items()})


_GIVEN: Final = _levels(
    exact=(0.86, 0.01, 0.002),
    equivalent=(0.86, 0.01, 0.002),
    close=(0.06, 0.002, 0.006),
    subset=(0.04, 0.004, 0.01),
    partial=(0.01, 0.02, 0.08),
    similar=(0.015, 0.01, 0.02),
    different=(0.015, 0.954, 0.882),
)
_SURNAME: Final = _levels(
    exact=(0.90, 0.01),
    equivalent=(0.90, 0.01),
    close=(0.06, 0.003),
    partial=(0.015, 0.005),
    different=(0.025, 0.982),
)
_DATE: Final = _levels(
    exact=(0.90, 3.5e-5, 0.015),
    swap=(0.02, 1.5e-5, 5e-5),
    typo=(0.04, 9e-4, 0.003),
    year=(0.02, 7e-5, 2e-4),
    near=(0.01, 0.012, 0.03),
    different=(0.01, 0.98695, 0.95175),
)
_SEX: Final = _levels(exact=(0.98, 0.5, 0.5), different=(0.02, 0.5, 0.5))
_PLACE: Final = _levels(exact=(0.85, 0.01), different=(0.15, 0.99))
_PARENT: Final = _levels(
    exact=(0.80, 1e-4),
    equivalent=(0.80, 1e-4),
    close=(0.14, 1e-3),
    different=(0.06, 0.9989),
)


@dataclass(frozen=True, slots=True)
class ScoringModel:
    """Level probabilities and priors of the scorer.

    ``population_size`` is the number of records any record could be compared
    with; ``duplicate_rate`` the expected share of records that duplicate
    another; ``siblings_per_person`` the mean number of full siblings a person
    has in the same register. ``swap_probability`` is the chance that a record
    has its two surnames in the wrong order.
    """

    levels: Mapping[str, Mapping[str, LevelProbabilities]] = field(
        default_factory=lambda: MappingProxyType(
            {
                "given_names": _GIVEN,
                "first_surname": _SURNAME,
                "second_surname": _SURNAME,
                "birth_date": _DATE,
                "sex": _SEX,
                "place_code": _PLACE,
                "mother_name": _PARENT,
                "father_name": _PARENT,
            }
        )
    )
    population_size: int = 10_000_000
    duplicate_rate: float = 0.02
    siblings_per_person: float = 1.5
    swap_probability: float = 0.02
    min_frequency: float = 1e-6

    def with_population(self, n: int) -> ScoringModel:
        """The same model for a population of `n` records (at least 1,000)."""
        return replace(self, population_size=max(int(n), 1000))

    @property
    def log_priors(self) -> tuple[float, float, float]:
        """Natural-log priors of (same person, siblings, unrelated) for a random pair."""
        pairs_per_record = max(self.population_size - 1, 1)
        same = min(2.0 * self.duplicate_rate / pairs_per_record, 0.25)
        sib = min(self.siblings_per_person / pairs_per_record, 0.25)
        return math.log(same), math.log(sib), math.log(1.0 - same - sib)


DEFAULT_MODEL: Final = ScoringModel()


@dataclass(frozen=True, slots=True)
class NameFrequencies:
    """Value counts for term-frequency adjusted ``u`` of exact agreements."""

    given: Mapping[str, int]
    surnames: Mapping[str, int]
    places: Mapping[str, int]
    given_total: int
    surname_total: int
    place_total: int

    @classmethod
    def from_records(cls, records: Iterable[MatchRecord]) -> NameFrequencies:
        """Count given names, surnames (both positions) and places of `records`."""
        return cls.from_features(features_of(r) for r in records)

    @classmethod
    def from_features(cls, features: Iterable[RecordFeatures]) -> NameFrequencies:
        """:meth:`from_records` on precomputed record features."""
        given: Counter[str] = Counter()
        surnames: Counter[str] = Counter()
        places: Counter[str] = Counter()
        for f in features:
            if f.given.joined:
                given[f.given.joined] += 1
            for s in (f.first, f.second):
                if s.freq_key:
                    surnames[s.freq_key] += 1
            if f.place:
                places[f.place] += 1
        return cls(
            given=dict(given),
            surnames=dict(surnames),
            places=dict(places),
            given_total=sum(given.values()),
            surname_total=sum(surnames.values()),
            place_total=sum(places.values()),
        )

    @staticmethod
    def _share(table: Mapping[str, int], total: int, key: str, floor: float) -> float | None:
        count = table.get(key, 0)
        if count <= 0 or total <= 0:
            return None
        return max(count / total, floor)

    def given_share(self, key: str, floor: float) -> float | None:
        return self._share(self.given, self.given_total, key, floor)

    def surname_share(self, key: str, floor: float) -> float | None:
        return self._share(self.surnames, self.surname_total, key, floor)

    def place_share(self, key: str, floor: float) -> float | None:
        return self._share(self.places, self.place_total, key, floor)


@dataclass(frozen=True, slots=True)
class FieldComparison:
    """One field of a pair, for side-by-side display.

    ``score`` is the similarity of the two values in [0, 1]; ``level`` one of
    "exact", "close", "different", "missing"; ``detail`` the finer level that
    set the weight ("exact", "equivalent" - same name in another spelling
    convention, "close", "partial", "swap" - day and month swapped, "typo",
    "year" - one year apart, "different", "missing"); ``swapped`` is true for
    surnames matched crosswise (first against second); ``weight`` is the log2
    likelihood ratio same-person/unrelated this field contributed.
    """

    score: float
    level: str
    detail: str = ""
    swapped: bool = False
    weight: float = 0.0


@dataclass(frozen=True)
class MatchResult:
    """Posterior probability that two records are the same person, with per-field detail."""

    score: float
    fields: dict[str, FieldComparison]
    match_weight: float = 0.0  # log2 Bayes factor, same person vs unrelated


# --- field levels -----------------------------------------------------------------------------


def _jw(a: str, b: str) -> float:
    return float(JaroWinkler.normalized_similarity(a, b))


def _one_edit(a: str, b: str) -> bool:
    # A name of three letters or more, with one slip: ANA/ANE, and ANA/AA, a letter dropped.
    return (
        max(len(a), len(b)) >= 3
        and min(len(a), len(b)) >= 2
        and DamerauLevenshtein.distance(a, b, score_cutoff=1) <= 1
    )


def _two_edits(a: str, b: str) -> bool:
    return min(len(a), len(b)) >= 6 and DamerauLevenshtein.distance(a, b, score_cutoff=2) <= 2


def _token_close(a: str, ca: str, b: str, cb: str) -> bool:
    return a == b or (bool(ca) and ca == cb) or _jw(a, b) >= 0.88 or _one_edit(a, b)


def _pairwise_close(
    xs: tuple[str, ...], cxs: tuple[str, ...], ys: tuple[str, ...], cys: tuple[str, ...]
) -> bool:
    return len(xs) == len(ys) and all(
        _token_close(x, cx, y, cy) for x, cx, y, cy in zip(xs, cxs, ys, cys, strict=True)
    )


def _covered(
    xs: tuple[str, ...], cxs: tuple[str, ...], ys: tuple[str, ...], cys: tuple[str, ...]
) -> bool:
    """Every word of xs is close to some word of ys."""
    return all(
        any(_token_close(x, cx, y, cy) for y, cy in zip(ys, cys, strict=True))
        for x, cx in zip(xs, cxs, strict=True)
    )


def given_level(a: GivenFeatures, b: GivenFeatures, korean: bool) -> tuple[str, float]:
    """(fine level, similarity) of two given names."""
    if not a.norm or not b.norm:
        return "missing", 0.0
    if a.norm == b.norm:
        return "exact", 1.0
    if a.joined == b.joined:
        return "equivalent", 1.0
    sim = _jw(a.joined, b.joined)
    a_sig_codes = a.token_codes[len(a.tokens) - len(a.significant_tokens) :]
    b_sig_codes = b.token_codes[len(b.tokens) - len(b.significant_tokens) :]
    if (
        a.significant == b.significant
        or a.code == b.code
        or (korean and a.fold == b.fold)
        or sim >= 0.94
        or _one_edit(a.joined, b.joined)
        or _pairwise_close(a.tokens, a.token_codes, b.tokens, b.token_codes)
        or _pairwise_close(a.significant_tokens, a_sig_codes, b.significant_tokens, b_sig_codes)
    ):
        return "close", max(sim, 0.9)
    # One name left out ("JOSE LUIS" / "LUIS", "ROSA FERNANDA" / "ROSA"), maybe misspelt.
    if len(a.tokens) != len(b.tokens):
        short, long_ = (a, b) if len(a.tokens) < len(b.tokens) else (b, a)
        if _covered(short.tokens, short.token_codes, long_.tokens, long_.token_codes):
            return "subset", sim
    # A shared name other than MARIA/JOSE ("JUAN CARLOS" / "JUAN PABLO").
    for x, cx in zip(a.tokens, a.token_codes, strict=True):
        if x in _SKIPPABLE:
            continue
        for y, cy in zip(b.tokens, b.token_codes, strict=True):
            if y not in _SKIPPABLE and _token_close(x, cx, y, cy):
                return "partial", sim
    # Two slips in one name ("SILVIA" / "ZIKVIA"), judged without a shared MARIA/JOSE.
    if _jw(a.significant, b.significant) >= 0.8 or _two_edits(a.significant, b.significant):
        return "similar", sim
    return "different", sim


def surname_level(a: SurnameFeatures, b: SurnameFeatures) -> tuple[str, float]:
    """(fine level, similarity) of two surnames."""
    if not a.norm or not b.norm:
        return "missing", 0.0
    if a.norm == b.norm:
        return "exact", 1.0
    if a.joined == b.joined or (a.korean and a.korean == b.korean):
        return "equivalent", 1.0
    sim = _jw(a.joined, b.joined)
    if a.code == b.code or sim >= 0.9 or _one_edit(a.joined, b.joined):
        return "close", sim
    if set(a.tokens) & set(b.tokens):
        return "partial", sim
    return "different", sim


def _digits_one_off(a: str, b: str) -> bool:
    diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(diffs) == 1:
        return True
    return (
        len(diffs) == 2
        and diffs[1] == diffs[0] + 1
        and a[diffs[0]] == b[diffs[1]]
        and a[diffs[1]] == b[diffs[0]]
    )


def date_level(a: DateParts | None, b: DateParts | None) -> tuple[str, float]:
    """(fine level, similarity) of two birth dates."""
    if a is None or b is None:
        return "missing", 0.0
    if a.digits == b.digits:
        return "exact", 1.0
    if a.year == b.year and a.month == b.day and a.day == b.month:
        return "swap", 0.9
    if a.month == b.month and a.day == b.day and abs(a.year - b.year) == 1:
        return "year", 0.85
    if _digits_one_off(a.digits, b.digits):
        return "typo", 0.85
    # Two slips: two digits, or a swap or year slip plus one digit.
    swapped = f"{a.year:04d}{a.day:02d}{a.month:02d}"
    if (
        sum(x != y for x, y in zip(a.digits, b.digits, strict=True)) == 2
        or _digits_one_off(swapped, b.digits)
        or (a.month == b.month and abs(a.year - b.year) == 1 and abs(a.day - b.day) < 10)
    ):
        return "near", 0.7
    days = abs((a.date - b.date).days)
    return "different", max(0.0, 1.0 - days / 3650.0) * 0.5


def parent_level(a: ParentFeatures, b: ParentFeatures) -> tuple[str, float]:
    """(fine level, similarity) of two parents' full names."""
    if not a.norm or not b.norm:
        return "missing", 0.0
    if a.norm == b.norm:
        return "exact", 1.0
    if a.tokens == b.tokens:
        return "equivalent", 1.0
    sim = _jw(a.joined, b.joined)
    if a.code == b.code or sim >= 0.92:
        return "close", sim

    # One name lacks a word of the other (a surname left out), the rest agreeing.
    def covered(xs: tuple[str, ...], ys: tuple[str, ...]) -> bool:
        return len(xs) >= 2 and all(any(_token_close(x, "", y, "") for y in ys) for x in xs)

    if len(a.tokens) < len(b.tokens):
        near = covered(a.tokens, b.tokens)
    elif len(b.tokens) < len(a.tokens):
        near = covered(b.tokens, a.tokens)
    else:
        near = covered(a.tokens, b.tokens) and covered(b.tokens, a.tokens)
    if near:
        return "close", sim
    return "different", sim


# --- likelihoods -------------------------------------------------------------------------------

_LOG2: Final = math.log(2.0)


def _log(p: float) -> float:
    return math.log(p) if p > 0 else -math.inf


@dataclass(frozen=True, slots=True)
class _Tables:
    """A model's likelihoods as logs, computed once per model: a lookup scores tens of
    candidates, and a batch millions of pairs."""

    logs: Mapping[str, Mapping[str, tuple[float, float, float]]]  # field, level: m, u, sibling
    priors: tuple[float, float, float]
    order: tuple[float, float]  # log P(surnames in order), log P(crosswise)
    parent_gain: float  # the most both parents' names can add to log m - log u


_TABLES: dict[int, tuple[ScoringModel, _Tables]] = {}
_MAX_TABLES: Final = 64


def _tables(model: ScoringModel) -> _Tables:
    entry = _TABLES.get(id(model))
    if entry is not None and entry[0] is model:
        return entry[1]
    logs = {
        name: {
            level: (
                _log(p.m),
                _log(p.u),
                _log(p.m) if name in _FAMILY_FIELDS or p.s is None else _log(p.s),
            )
            for level, p in levels.items()
        }
        for name, levels in model.levels.items()
    }
    gain = sum(
        max(0.0, *(m - u for m, u, _f in logs[name].values()))
        for name in ("mother_name", "father_name")
    )
    p = model.swap_probability
    tables = _Tables(logs, model.log_priors, (math.log1p(-p), _log(p)), gain)
    if len(_TABLES) >= _MAX_TABLES:
        _TABLES.clear()
    _TABLES[id(model)] = (model, tables)
    return tables


class _Scored(NamedTuple):  # a tuple: built eight times or more per pair
    level: str
    sim: float
    log_m: float
    log_u: float
    log_f: float
    swapped: bool = False


_MISSING: Final = _Scored("missing", 0.0, 0.0, 0.0, 0.0)


def _level_logs(
    tables: _Tables, name: str, level: str, u_override: float | None, order: float
) -> tuple[float, float, float]:
    """Log m, u and sibling likelihoods of one field level, `order` added to m and sibling."""
    if level == "missing":
        return order, 0.0, order
    log_m, log_u, log_f = tables.logs[name][level]
    if u_override is not None:
        log_u = math.log(u_override)
    return log_m + order, log_u, log_f + order


def _score_level(
    tables: _Tables,
    name: str,
    level: str,
    sim: float,
    u_override: float | None = None,
    swapped: bool | None = None,
) -> _Scored:
    """Log m, u and sibling likelihoods of one field level.

    `swapped` is given for surnames only: the order of the two surnames is
    itself evidence (a record has them crosswise with ``swap_probability``),
    booked on the first surname.
    """
    order = 0.0
    if swapped is not None and name == "first_surname":
        order = tables.order[swapped]
    return _Scored(level, sim, *_level_logs(tables, name, level, u_override, order), bool(swapped))


def _surname_alternatives(
    first: SurnameFeatures, second: SurnameFeatures
) -> list[tuple[SurnameFeatures, SurnameFeatures]]:
    alts = [(first, second)]
    if not second.norm and len(first.tokens) >= 2:
        # Both surnames written in the first field: "GARCIA LOPEZ" / "".
        alts.append(
            (surname_features(first.tokens[0]), surname_features(" ".join(first.tokens[1:])))
        )
    return alts


def _surname_u(
    model: ScoringModel, s: SurnameFeatures, level: str, freq: NameFrequencies | None
) -> float | None:
    if freq is None or level not in ("exact", "equivalent"):
        return None
    return freq.surname_share(s.freq_key, model.min_frequency)


def _score_surnames(
    model: ScoringModel,
    tables: _Tables,
    a: RecordFeatures,
    b: RecordFeatures,
    freq: NameFrequencies | None,
) -> tuple[_Scored, _Scored]:
    """Best alignment of the two surnames: straight, crosswise, or split from one field."""
    side = tuple[str, float, float, float, float]  # level, similarity, log m, u, sibling
    best: tuple[tuple[float, float, float], side, side, bool] | None = None
    for a1, a2 in _surname_alternatives(a.first, a.second):
        for b1, b2 in _surname_alternatives(b.first, b.second):
            for crossed in (False, True):
                x1, x2 = (b2, b1) if crossed else (b1, b2)
                lvl1, sim1 = surname_level(a1, x1)
                lvl2, sim2 = surname_level(a2, x2)
                u1 = _surname_u(model, a1, lvl1, freq)
                u2 = _surname_u(model, a2, lvl2, freq)
                # The order of the two surnames is booked on the first (see `_score_level`).
                m1, lu1, f1 = _level_logs(tables, "first_surname", lvl1, u1, tables.order[crossed])
                m2, lu2, f2 = _level_logs(tables, "second_surname", lvl2, u2, 0.0)
                rank = (m1 + m2 - lu1 - lu2, m1 + m2, f1 + f2)
                if best is None or rank > best[0]:
                    best = (rank, (lvl1, sim1, m1, lu1, f1), (lvl2, sim2, m2, lu2, f2), crossed)
    assert best is not None
    _rank, (lvl1, sim1, m1, lu1, f1), (lvl2, sim2, m2, lu2, f2), crossed = best
    return _Scored(lvl1, sim1, m1, lu1, f1, crossed), _Scored(lvl2, sim2, m2, lu2, f2, crossed)


def _logsumexp(*xs: float) -> float:
    top = max(xs)
    return top + math.log(sum(math.exp(x - top) for x in xs))


def _own_fields(
    a: RecordFeatures,
    b: RecordFeatures,
    model: ScoringModel,
    tables: _Tables,
    frequencies: NameFrequencies | None,
) -> dict[str, _Scored]:
    """Level and likelihoods of each of the persons' own fields (all but the parents)."""
    korean = a.korean or b.korean
    scored: dict[str, _Scored] = {}

    lvl, sim = given_level(a.given, b.given, korean)
    u_given = None
    if frequencies is not None and lvl in ("exact", "equivalent"):
        u_given = frequencies.given_share(a.given.joined, model.min_frequency)
    scored["given_names"] = _score_level(tables, "given_names", lvl, sim, u_given)

    scored["first_surname"], scored["second_surname"] = _score_surnames(
        model, tables, a, b, frequencies
    )

    lvl, sim = date_level(a.date, b.date)
    scored["birth_date"] = _score_level(tables, "birth_date", lvl, sim)

    if not a.sex or not b.sex or ((a.sex == "X") != (b.sex == "X")):
        scored["sex"] = _MISSING
    else:
        same = a.sex == b.sex
        scored["sex"] = _score_level(tables, "sex", "exact" if same else "different", float(same))

    if not a.place or not b.place:
        scored["place_code"] = _MISSING
    elif a.place == b.place:
        u_place = frequencies.place_share(a.place, model.min_frequency) if frequencies else None
        scored["place_code"] = _score_level(tables, "place_code", "exact", 1.0, u_place)
    else:
        scored["place_code"] = _score_level(tables, "place_code", "different", 0.0)
    return scored


def _best_with_parents(tables: _Tables, own: dict[str, _Scored]) -> float:
    """The highest score the pair can reach whatever its parents' names. Parents are family
    fields: they move "same person" against "unrelated" only, by at most `parent_gain`. A
    hair is added, so that rounding never puts the bound below the score."""
    return _posterior(tables, own.values(), tables.parent_gain) + 1e-9


@dataclass(frozen=True, slots=True)
class OwnFields:
    """A pair compared on the persons' own fields, before their parents' names are read."""

    scored: Mapping[str, _Scored]
    best: float  # the most the pair can score, whatever its parents' names
    model: ScoringModel

    def score_with_parents(self, a: RecordFeatures, b: RecordFeatures) -> float:
        """The pair's score once the parents' names (in `a` and `b`) are known: the
        ``score`` of :func:`compare_features`."""
        tables = _tables(self.model)
        return _posterior(tables, (*self.scored.values(), *_parent_fields(tables, a, b)))


def compare_own_fields(
    a: RecordFeatures,
    b: RecordFeatures,
    model: ScoringModel = DEFAULT_MODEL,
    frequencies: NameFrequencies | None = None,
) -> OwnFields:
    """The pair on its own fields: a lookup asks this first, and reads the parents only of
    the few candidates whose `best` reaches the threshold."""
    tables = _tables(model)
    own = _own_fields(a, b, model, tables, frequencies)
    return OwnFields(own, _best_with_parents(tables, own), model)


def _parent_fields(
    tables: _Tables, a: RecordFeatures, b: RecordFeatures
) -> tuple[_Scored, _Scored]:
    lvl, sim = parent_level(a.mother, b.mother)
    mother = _score_level(tables, "mother_name", lvl, sim)
    lvl, sim = parent_level(a.father, b.father)
    return mother, _score_level(tables, "father_name", lvl, sim)


def _scored_fields(
    a: RecordFeatures,
    b: RecordFeatures,
    model: ScoringModel,
    frequencies: NameFrequencies | None,
    floor: float,
) -> tuple[dict[str, _Scored], float | None]:
    """Each field's level and likelihoods, in `FIELD_NAMES` order, and None; or, when the
    pair cannot score `floor` whatever its parents' names, the fields so far and the bound
    on its score (below `floor`)."""
    tables = _tables(model)
    scored = _own_fields(a, b, model, tables, frequencies)
    if floor > 0.0:
        # Comparing the parents' names is the costliest part of a pair.
        best = _best_with_parents(tables, scored)
        if best < floor:
            return scored, best
    scored["mother_name"], scored["father_name"] = _parent_fields(tables, a, b)
    return scored, None


def _posterior(tables: _Tables, scored: Iterable[_Scored], gain: float = 0.0) -> float:
    """P(same person) from the fields' likelihoods, with `gain` added to log m - log u."""
    log_m = log_u = log_f = 0.0
    for s in scored:
        log_m += s.log_m
        log_u += s.log_u
        log_f += s.log_f
    prior_s, prior_f, prior_n = tables.priors
    ls, lf, ln = prior_s + log_m + gain, prior_f + log_f + gain, prior_n + log_u
    return min(1.0, max(0.0, math.exp(ls - _logsumexp(ls, lf, ln))))


def match_score(
    a: RecordFeatures,
    b: RecordFeatures,
    model: ScoringModel = DEFAULT_MODEL,
    frequencies: NameFrequencies | None = None,
    *,
    floor: float = 0.0,
) -> float:
    """The ``score`` of :func:`compare_features`, without the per-field detail.

    With `floor`, a pair that cannot reach it whatever its parents' names is given up
    before they are compared, and the value returned is then an upper bound of its score,
    below `floor`: what callers keeping only the pairs at or above a threshold need.
    """
    scored, bound = _scored_fields(a, b, model, frequencies, floor)
    if bound is not None:
        return bound
    return _posterior(_tables(model), scored.values())


def compare_features(
    a: RecordFeatures,
    b: RecordFeatures,
    model: ScoringModel = DEFAULT_MODEL,
    frequencies: NameFrequencies | None = None,
) -> MatchResult:
    """:func:`compare` on precomputed :class:`RecordFeatures`."""
    scored, _bound = _scored_fields(a, b, model, frequencies, 0.0)
    log_m = sum(s.log_m for s in scored.values())
    log_u = sum(s.log_u for s in scored.values())
    fields = {
        name: FieldComparison(
            score=min(1.0, max(0.0, s.sim)),
            level=_DISPLAY[s.level],
            detail=s.level,
            swapped=s.swapped,
            weight=(s.log_m - s.log_u) / _LOG2,
        )
        for name, s in scored.items()
    }
    return MatchResult(
        score=_posterior(_tables(model), scored.values()),
        fields=fields,
        match_weight=(log_m - log_u) / _LOG2,
    )


def compare(
    a: MatchRecord,
    b: MatchRecord,
    model: ScoringModel = DEFAULT_MODEL,
    frequencies: NameFrequencies | None = None,
) -> MatchResult:
    """Compare two records; ``score`` is the probability that they are the same person."""
    return compare_features(features_of(a), features_of(b), model, frequencies)


def _field_levels(a: RecordFeatures, b: RecordFeatures) -> dict[str, str]:
    result = compare_features(a, b)
    return {name: fc.detail for name, fc in result.fields.items()}


def fit_weights(
    pairs: Iterable[tuple[MatchRecord, MatchRecord, bool]],
    base: ScoringModel = DEFAULT_MODEL,
    pseudo_count: float = 1.0,
) -> ScoringModel:
    """Estimate ``m`` and ``u`` of every level from labelled pairs ``(a, b, is_same_person)``.

    Counts how often each level occurs among true and false pairs, with
    `pseudo_count` added to every level (a level never seen keeps a small
    probability); sibling probabilities ``s`` and priors are kept from `base`.
    """
    counts: dict[bool, dict[str, Counter[str]]] = {
        True: {name: Counter() for name in FIELD_NAMES},
        False: {name: Counter() for name in FIELD_NAMES},
    }
    for a, b, same in pairs:
        for name, level in _field_levels(features_of(a), features_of(b)).items():
            if level != "missing":
                counts[bool(same)][name][level] += 1
    levels: dict[str, Mapping[str, LevelProbabilities]] = {}
    for name in FIELD_NAMES:
        known = base.levels[name]
        m_total = sum(counts[True][name].values()) + pseudo_count * len(known)
        u_total = sum(counts[False][name].values()) + pseudo_count * len(known)
        levels[name] = MappingProxyType(
            {
                level: LevelProbabilities(
                    m=(counts[True][name][level] + pseudo_count) / m_total,
                    u=(counts[False][name][level] + pseudo_count) / u_total,
                    s=p.s,
                )
                for level, p in known.items()
            }
        )
    return replace(base, levels=MappingProxyType(levels))
