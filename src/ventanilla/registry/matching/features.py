"""Per-record derived values, computed once and shared by blocking and scoring."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import lru_cache

from .korean import (
    hangul_sound_code,
    is_korean_surname,
    korean_fold,
    korean_surname_key,
    romanise_hangul,
    split_korean_name,
)
from .normalise import (
    canonical_tokens,
    has_hangul,
    normalise_name,
    significant_given_tokens,
)
from .phonetic import spanish_phonetic
from .record import MatchRecord

__all__ = [
    "DateParts",
    "GivenFeatures",
    "ParentFeatures",
    "RecordFeatures",
    "SurnameFeatures",
    "compute_features",
    "features_of",
    "given_features",
    "parent_features",
    "surname_features",
]


def _latin_tokens(tokens: tuple[str, ...]) -> tuple[str, ...]:
    if all(t.isascii() for t in tokens):
        return tokens
    return tuple(romanise_hangul(t) if has_hangul(t) else t for t in tokens)


def _compact_code(text: str) -> str:
    # Names in scripts the Spanish code ignores (Cyrillic, Han, ...) keep their spelling.
    return spanish_phonetic(text).replace(" ", "") or text.replace(" ", "")


@dataclass(frozen=True, slots=True)
class GivenFeatures:
    norm: str
    tokens: tuple[str, ...]  # canonical, romanised, abbreviations expanded
    joined: str
    significant_tokens: tuple[str, ...]  # tokens after the CURP MARIA/JOSE skip
    significant: str  # `significant_tokens` joined
    token_codes: tuple[str, ...]
    code: str  # phonetic code of `significant`
    fold: str  # Korean variant fold of `joined`
    # The blocking code: `code`, except for a name written in Hangul, whose vowels tell it
    # apart (see `hangul_sound_code`); keys read it, scoring reads `code`.
    block: str


@lru_cache(maxsize=131_072)
def given_features(s: str) -> GivenFeatures:
    norm = normalise_name(s)
    tokens = _latin_tokens(canonical_tokens(norm, given=True))
    significant_tokens = significant_given_tokens(tokens)
    significant = "".join(significant_tokens)
    code = _compact_code(significant)
    return GivenFeatures(
        norm=norm,
        tokens=tokens,
        joined="".join(tokens),
        significant_tokens=significant_tokens,
        significant=significant,
        token_codes=tuple(_compact_code(t) for t in tokens),
        code=code,
        fold=korean_fold(" ".join(tokens)),
        block=(hangul_sound_code(norm) or code) if has_hangul(norm) else code,
    )


@dataclass(frozen=True, slots=True)
class SurnameFeatures:
    norm: str
    tokens: tuple[str, ...]
    joined: str
    code: str  # phonetic code of `joined`
    korean: str  # Korean surname key, "" when not a known Korean surname
    block: str  # code used in blocking keys
    freq_key: str  # key into surname frequency tables


@lru_cache(maxsize=131_072)
def surname_features(s: str) -> SurnameFeatures:
    norm = normalise_name(s)
    tokens = _latin_tokens(canonical_tokens(norm))
    joined = "".join(tokens)
    code = _compact_code(joined)
    # Decided on the canonical spelling, so "DE LA O" and "O" (오) agree, as 김 and KIM do.
    korean = korean_surname_key(joined) if joined and is_korean_surname(joined) else ""
    return SurnameFeatures(
        norm=norm,
        tokens=tokens,
        joined=joined,
        code=code,
        korean=korean,
        block=("K" + korean) if korean else code,
        freq_key=("K:" + korean) if korean else joined,
    )


@dataclass(frozen=True, slots=True)
class ParentFeatures:
    norm: str
    tokens: tuple[str, ...]  # canonical tokens, sorted
    joined: str  # sorted tokens joined by spaces
    code: str  # phonetic codes of the sorted tokens, concatenated


@lru_cache(maxsize=131_072)
def parent_features(s: str) -> ParentFeatures:
    norm = normalise_name(s)
    tokens = tuple(sorted(_latin_tokens(canonical_tokens(norm, given=True))))
    return ParentFeatures(
        norm=norm,
        tokens=tokens,
        joined=" ".join(tokens),
        code="".join(_compact_code(t) for t in tokens),
    )


@dataclass(frozen=True, slots=True)
class DateParts:
    date: datetime.date
    digits: str  # YYYYMMDD
    year: int
    month: int
    day: int
    canonical: str  # YYYY + month/day pair sorted when a day/month swap is possible
    month_day: str  # the month/day part of `canonical`


def _date_parts(d: datetime.date) -> DateParts:
    # Sorting month and day makes the key blind to a day/month swap; since months
    # are at most 12, only dates whose day is also at most 12 gain a twin.
    lo, hi = sorted((d.month, d.day))
    pair = f"{lo:02d}{hi:02d}"
    return DateParts(
        date=d,
        digits=f"{d.year:04d}{d.month:02d}{d.day:02d}",
        year=d.year,
        month=d.month,
        day=d.day,
        canonical=f"{d.year:04d}{pair}",
        month_day=pair,
    )


@dataclass(frozen=True, slots=True)
class RecordFeatures:
    given: GivenFeatures
    first: SurnameFeatures
    second: SurnameFeatures
    date: DateParts | None
    sex: str
    place: str
    mother: ParentFeatures
    father: ParentFeatures
    korean: bool  # Hangul or a known Korean surname: compare given names with Korean folding


def _split_full_names(r: MatchRecord) -> tuple[str, str, str]:
    """Given, first and second surname, splitting a whole Korean name written in one field."""
    given, first, second = r.given_names, r.first_surname, r.second_surname
    if (
        given.isascii()
        and first.isascii()
        and any(c.isalnum() for c in given)
        and any(c.isalnum() for c in first)
    ):
        return given, first, second  # the usual case: nothing to split
    if not normalise_name(given) and not normalise_name(second) and has_hangul(first):
        parts = split_korean_name(first)
        if parts is not None and parts[1]:
            return parts[1], parts[0], ""
    if not normalise_name(first) and not normalise_name(second):
        parts = split_korean_name(given)
        if parts is not None and parts[1]:
            return parts[1], parts[0], ""
    return given, first, second


@lru_cache(maxsize=4096)
def features_of(r: MatchRecord) -> RecordFeatures:
    """Derived values of a record (cached: records are immutable)."""
    return compute_features(r)


def compute_features(r: MatchRecord) -> RecordFeatures:
    """Derived values of a record, computed afresh (batch callers keep their own list)."""
    given, first, second = _split_full_names(r)
    sex = r.sex.strip().upper()[:1]
    return RecordFeatures(
        given=given_features(given),
        first=surname_features(first),
        second=surname_features(second),
        date=_date_parts(r.birth_date) if r.birth_date is not None else None,
        sex=sex if sex in ("F", "M", "X") else "",
        place=r.place_code.strip().upper(),
        mother=parent_features(r.mother_name),
        father=parent_features(r.father_name),
        korean=has_hangul(given) or bool(surname_features(first).korean),
    )
