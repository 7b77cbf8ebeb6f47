"""A synthetic population for demos, tests and benchmarks. Pure Python and Faker; no database.

The population is a stream of *families*: a founding couple, their children, the spouses those
children marry and the grandchildren that follow, over the decades up to :data:`DEFAULT_AS_OF`.
Each person is born in one of the profile's demo municipalities, may die (ages drawn from a
simple life table), may marry and divorce. Names follow the country's rules and frequencies:

* Mexico: Faker's ``es_MX`` lists, with the commonest names and surnames weighted by their
  real share; a child takes the father's first surname and the mother's first surname.
* Korea: Faker's ``ko_KR`` lists, whose surnames carry their census share; a child takes the
  father's family name; given names are two Hangul syllables, and the romanised name is kept.

A known fraction of near-duplicate *declarations* of persons already born is mixed in (typos,
swapped surnames, day/month swaps, accents dropped, a missing second surname, a Hangul name
written in Latin letters), each carrying the index of the person it copies: the truth a
deduplication engine is measured against.

Everything is a function of ``seed``: the same seed gives the same persons, with the same
person UUIDs. The stream of a larger size begins with the stream of a smaller one, so a
population can be written in batches, stopped and continued. Families are generated one at a
time, so memory stays small however long the stream.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import math
import random
import unicodedata
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate
from typing import Any, Final

from faker import Faker

from ventanilla.core.profiles import CountryProfile, Municipality, demo_municipalities, load_profile
from ventanilla.registry.matching import romanise_hangul
from ventanilla.registry.matching.korean import KOREAN_SURNAMES

__all__ = [
    "DEFAULT_AS_OF",
    "DEFAULT_DUPLICATES_FRACTION",
    "LOCALES",
    "NearDuplicate",
    "SyntheticItem",
    "SyntheticPerson",
    "SyntheticUnion",
    "duplicate_reference",
    "generate",
    "near_duplicate_of",
    "person_reference",
    "person_uuid",
    "record_uuid",
]

#: The "today" of every synthetic population: fixed, so that a seed gives the same population
#: whatever the day it is generated on (and a stopped seeding can continue another day).
DEFAULT_AS_OF: Final = dt.date(2026, 1, 1)
DEFAULT_DUPLICATES_FRACTION: Final = 0.05
LOCALES: Final[dict[str, str]] = {"mx": "es_MX", "kr": "ko_KR"}

# Nobody is born before 1900: the CURP cannot encode earlier births.
_EARLIEST_BIRTH: Final = dt.date(1900, 1, 1)
_EARLIEST_FOUNDER: Final = dt.date(1905, 1, 1)
_LATEST_FOUNDER: Final = dt.date(1972, 12, 31)
_MAX_GENERATIONS: Final = 4
_MAX_FAMILY: Final = 240
_DAYS_PER_YEAR: Final = 365.2425


# --------------------------------------------------------------------------------------------
# What the stream carries
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SyntheticPerson:
    """A person of the register. ``n`` is the 0-based position in the seed's stream."""

    n: int
    id: uuid.UUID
    reference: str
    given_names: str
    first_surname: str
    second_surname: str
    romanised_name: str
    sex: str
    birth_date: dt.date
    birth_state: str
    birth_municipality: str
    mother: int | None
    father: int | None
    death_date: dt.date | None
    generation: int

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_names, self.first_surname, self.second_surname) if p)


@dataclass(frozen=True, slots=True)
class SyntheticUnion:
    """A marriage between two persons already in the stream; ``dissolved_on`` is a divorce."""

    n: int
    spouse_a: int
    spouse_b: int
    married_on: dt.date
    dissolved_on: dt.date | None
    state: str
    municipality: str


@dataclass(frozen=True, slots=True)
class NearDuplicate:
    """A second declaration of the birth of person ``original``, as a clerk might write it.

    ``kinds`` says what differs (``typo``, ``swapped_surnames``, ``day_month_swap``,
    ``accent_drop``, ``missing_second_surname``, ``romanised``). When the original has no
    mother in the register, the mother is named inline (``mother_*`` fields).
    """

    n: int
    reference: str
    original: int
    original_id: uuid.UUID
    original_reference: str
    kinds: tuple[str, ...]
    given_names: str
    first_surname: str
    second_surname: str
    sex: str
    birth_date: dt.date
    birth_state: str
    birth_municipality: str
    mother: int | None
    father: int | None
    mother_given_names: str = ""
    mother_first_surname: str = ""
    mother_second_surname: str = ""


SyntheticItem = SyntheticPerson | SyntheticUnion | NearDuplicate


def person_reference(seed: int, n: int) -> str:
    """``Person.source_reference`` of the ``n``-th synthetic person of ``seed``."""
    return f"SYN-{seed}-{n}"


def duplicate_reference(seed: int, n: int) -> str:
    return f"SYN-{seed}-D{n}"


def _seed_prefix(seed: int, salt: str) -> int:
    digest = hashlib.blake2b(f"ventanilla/synthetic/{salt}/{seed}".encode(), digest_size=4)
    return int.from_bytes(digest.digest(), "big")


def _ordered_uuid(seed: int, salt: str, n: int) -> uuid.UUID:
    """A UUID that grows with ``n`` (so B-tree inserts append) and differs per seed.

    Layout: 32 bits of the seed's hash, 48 bits of ``n``, 48 bits of hash of both; the
    version nibble says 8 ("custom", RFC 9562) and the variant bits are RFC 4122's.
    """
    tail = hashlib.blake2b(f"{salt}/{seed}/{n}".encode(), digest_size=8).digest()
    value = (_seed_prefix(seed, salt) << 96) | ((n & (2**48 - 1)) << 48)
    value |= int.from_bytes(tail[:6], "big")
    value &= ~(0xF << 76)
    value |= 0x8 << 76  # version 8
    value &= ~(0xC << 60)
    value |= 0x8 << 60  # variant 10xx
    return uuid.UUID(int=value)


def person_uuid(seed: int, n: int) -> uuid.UUID:
    """The UUID of the ``n``-th synthetic person of ``seed`` (stable across runs)."""
    return _ordered_uuid(seed, "person", n)


def record_uuid(seed: int, kind: str, n: int) -> uuid.UUID:
    """A stable UUID for the ``n``-th synthetic vital record of a ``kind`` (marriage, divorce)."""
    return _ordered_uuid(seed, f"record-{kind}", n)


# --------------------------------------------------------------------------------------------
# Name pools
# --------------------------------------------------------------------------------------------


class _Pool:
    """Names with weights; `pick` draws one with a uniform number from the caller's RNG."""

    __slots__ = ("_cumulative", "_total", "names")

    def __init__(self, weighted: dict[str, float]) -> None:
        self.names: tuple[str, ...] = tuple(weighted)
        self._cumulative: list[float] = list(accumulate(weighted.values()))
        self._total = self._cumulative[-1]

    def pick(self, rng: random.Random) -> str:
        return self.names[bisect.bisect_right(self._cumulative, rng.random() * self._total)]


# Approximate shares (per cent) of the commonest surnames and given names in Mexico's
# population register; every other name of Faker's list shares what is left evenly.
# fmt: off
_MX_SURNAMES_HEAD: Final[dict[str, float]] = {
    "Hernández": 3.6, "García": 2.5, "Martínez": 2.2, "López": 2.0, "González": 1.9,
    "Pérez": 1.4, "Rodríguez": 1.4, "Sánchez": 1.3, "Ramírez": 1.2, "Cruz": 0.9,
    "Flores": 0.9, "Gómez": 0.8, "Morales": 0.6, "Vázquez": 0.6, "Reyes": 0.6,
    "Jiménez": 0.55, "Torres": 0.55, "Díaz": 0.5, "Gutiérrez": 0.5, "Ruiz": 0.45,
    "Mendoza": 0.45, "Aguilar": 0.45, "Ortiz": 0.4, "Moreno": 0.4, "Castillo": 0.4,
    "Romero": 0.38, "Álvarez": 0.37, "Méndez": 0.36, "Chávez": 0.35, "Rivera": 0.35,
    "Juárez": 0.34, "Ramos": 0.33, "Domínguez": 0.3, "Herrera": 0.3, "Medina": 0.3,
    "Castro": 0.3, "Vargas": 0.28, "Guzmán": 0.27, "Velázquez": 0.27, "Muñoz": 0.26,
    "Rojas": 0.25, "de la Cruz": 0.22, "Contreras": 0.22, "Salazar": 0.21, "Luna": 0.21,
    "Ortega": 0.2, "Santiago": 0.2, "Guerrero": 0.2, "Bautista": 0.19, "Estrada": 0.18,
}
_MX_MALE_HEAD: Final[dict[str, float]] = {
    "José": 4.0, "Juan": 3.5, "Luis": 2.5, "Miguel": 2.0, "Francisco": 1.8, "Jesús": 1.6,
    "Antonio": 1.5, "Alejandro": 1.4, "Carlos": 1.3, "Jorge": 1.2, "Pedro": 1.0,
    "Manuel": 1.0, "Ricardo": 0.8, "Fernando": 0.8, "Roberto": 0.8, "Eduardo": 0.7,
    "Javier": 0.7, "Daniel": 0.7, "Rafael": 0.6, "Arturo": 0.6, "Mario": 0.6, "Sergio": 0.6,
    "Raúl": 0.5, "Martín": 0.5, "Santiago": 0.5, "Mateo": 0.4, "Sebastián": 0.4,
    "Leonardo": 0.4, "Emiliano": 0.4, "Diego": 0.4,
}
_MX_FEMALE_HEAD: Final[dict[str, float]] = {
    "María": 5.0, "Guadalupe": 2.5, "Juana": 1.2, "Margarita": 1.0, "Verónica": 0.9,
    "Rosa": 0.9, "Leticia": 0.8, "Elizabeth": 0.8, "Gabriela": 0.8, "Patricia": 0.8,
    "Alejandra": 0.8, "Adriana": 0.7, "Silvia": 0.7, "Ana": 0.7, "Laura": 0.7,
    "Claudia": 0.6, "Sofía": 0.6, "Valentina": 0.5, "Regina": 0.4, "Camila": 0.4,
    "Ximena": 0.4, "Fernanda": 0.4, "Daniela": 0.5, "Mariana": 0.5, "Andrea": 0.5,
    "Isabella": 0.3, "Teresa": 0.5, "Carmen": 0.5, "Martha": 0.5, "Yolanda": 0.5,
}
# fmt: on


def _weighted(head: dict[str, float], vocabulary: Sequence[str], tail_share: float) -> _Pool:
    tail = sorted({name for name in vocabulary if name not in head})
    weights = dict(head)
    head_total = sum(head.values())
    each = head_total * tail_share / (1 - tail_share) / max(1, len(tail))
    for name in tail:
        weights[name] = each
    return _Pool(weights)


def _person_provider(locale: str) -> Any:
    faker = Faker(locale)
    for provider in faker.get_providers():
        if hasattr(provider, "first_names_male") and hasattr(provider, "last_names"):
            return provider
    raise LookupError(f"Faker locale {locale} has no person provider")  # pragma: no cover


def _as_weights(values: object) -> dict[str, float]:
    """Faker lists are tuples (equal weights) or ordered mappings name -> weight."""
    if isinstance(values, dict):
        pairs = [(str(k), float(v)) for k, v in values.items()]
    else:
        assert isinstance(values, (tuple, list))
        pairs = [(str(v), 1.0) for v in values]
    weights: dict[str, float] = {}
    for name, weight in pairs:
        clean = " ".join(name.split())  # a few entries carry a double space
        weights[clean] = weights.get(clean, 0.0) + weight
    return weights


@dataclass(frozen=True)
class _Names:
    surnames: _Pool
    male: _Pool
    female: _Pool
    # Korea: the syllables of given names, to combine beyond Faker's short lists.
    male_syllables: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
    female_syllables: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())


@cache
def _names(profile_code: str) -> _Names:
    provider = _person_provider(LOCALES[profile_code])
    last = _as_weights(provider.last_names)
    male = _as_weights(provider.first_names_male)
    female = _as_weights(provider.first_names_female)
    if profile_code == "mx":
        return _Names(
            surnames=_weighted(_MX_SURNAMES_HEAD, list(last), tail_share=0.55),
            male=_weighted(_MX_MALE_HEAD, list(male), tail_share=0.5),
            female=_weighted(_MX_FEMALE_HEAD, list(female), tail_share=0.5),
        )

    def syllables(names: dict[str, float]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        two = [n for n in names if len(n) == 2]
        return tuple(sorted({n[0] for n in two})), tuple(sorted({n[1] for n in two}))

    return _Names(
        surnames=_Pool(last),
        male=_Pool(male),
        female=_Pool(female),
        male_syllables=syllables(male),
        female_syllables=syllables(female),
    )


@cache
def _korean_latin_surnames() -> dict[str, str]:
    """Hangul surname -> its customary Latin spelling (김 -> Kim, 이 -> Lee, 박 -> Park)."""
    out: dict[str, str] = {}
    for hangul, latin in KOREAN_SURNAMES.values():
        for h in hangul:
            out.setdefault(h, latin[0].title())
    return out


def _korean_romanised(surname: str, given: str) -> str:
    latin = _korean_latin_surnames().get(surname) or romanise_hangul(surname).title()
    return f"{latin} {romanise_hangul(given).title()}"


# --------------------------------------------------------------------------------------------
# Families
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Draft:
    """A person while their family is being drawn; `local` indexes the family's list."""

    local: int
    given_names: str
    first_surname: str
    second_surname: str
    sex: str
    birth_date: dt.date
    municipality: Municipality
    mother: int | None
    father: int | None
    death_date: dt.date | None
    generation: int
    romanised_name: str = ""


@dataclass(slots=True)
class _DraftUnion:
    a: int
    b: int
    married_on: dt.date
    dissolved_on: dt.date | None
    municipality: Municipality


@dataclass(slots=True)
class _Family:
    persons: list[_Draft] = field(default_factory=list)
    unions: list[_DraftUnion] = field(default_factory=list)


def _add_years(d: dt.date, years: float) -> dt.date:
    return dt.date.fromordinal(d.toordinal() + round(years * _DAYS_PER_YEAR))


def _random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return dt.date.fromordinal(rng.randint(start.toordinal(), end.toordinal()))


class _FamilyMaker:
    """Draws one family from its own RNG; knows the profile's naming rules."""

    def __init__(
        self, profile: CountryProfile, municipalities: Sequence[Municipality], as_of: dt.date
    ) -> None:
        self.code = profile.code
        self.korean = not profile.names.uses_second_surname
        self.names = _names(profile.code)
        self.municipalities = tuple(municipalities)
        self.as_of = as_of

    # -- names ---------------------------------------------------------------------------

    def _given(self, rng: random.Random, sex: str) -> str:
        pool = self.names.female if sex == "F" else self.names.male
        if self.korean:
            firsts, seconds = (
                self.names.female_syllables if sex == "F" else self.names.male_syllables
            )
            if firsts and rng.random() < 0.4:
                return rng.choice(firsts) + rng.choice(seconds)
            return pool.pick(rng)
        first = pool.pick(rng)
        roll = rng.random()
        if sex == "F" and first != "María" and roll < 0.2:
            return f"María {first}"
        if sex == "M" and first != "José" and roll < 0.12:
            return f"José {first}"
        if roll > 0.7:
            second = pool.pick(rng)
            if second != first:
                return f"{first} {second}"
        return first

    def _lifespan_death(self, rng: random.Random, born: dt.date) -> dt.date | None:
        """A date of death drawn from a simple life table, or None if after `as_of`."""
        year = born.year
        infant = 0.09 if year < 1950 else 0.05 if year < 1975 else 0.025 if year < 2000 else 0.012
        if self.korean and year >= 1975:
            infant /= 3
        if rng.random() < infant:
            age = rng.random()  # within the first year
        else:
            # Gompertz mortality, hazard a*e^(b*age); the median age at death rises over time.
            b = 0.09
            median = 66.0 if year < 1940 else 72.0 if year < 1960 else 77.0
            a = math.log(2) * b / (math.exp(b * median) - 1)
            age = max(1.0, math.log(1 - b * math.log(1 - rng.random()) / a) / b)
        death = _add_years(born, age)
        return death if death <= self.as_of else None

    def _person(
        self,
        family: _Family,
        rng: random.Random,
        *,
        sex: str,
        born: dt.date,
        municipality: Municipality,
        generation: int,
        mother: _Draft | None = None,
        father: _Draft | None = None,
    ) -> _Draft:
        given = self._given(rng, sex)
        if self.korean:
            first = father.first_surname if father else self.names.surnames.pick(rng)
            second = ""
            romanised = _korean_romanised(first, given)
        else:
            first = father.first_surname if father else self.names.surnames.pick(rng)
            second = mother.first_surname if mother else self.names.surnames.pick(rng)
            romanised = ""
        draft = _Draft(
            local=len(family.persons),
            given_names=given,
            first_surname=first,
            second_surname=second,
            sex=sex,
            birth_date=born,
            municipality=municipality,
            mother=mother.local if mother else None,
            father=father.local if father else None,
            death_date=self._lifespan_death(rng, born),
            generation=generation,
            romanised_name=romanised,
        )
        family.persons.append(draft)
        return draft

    def _place(self, rng: random.Random, home: Municipality, stay: float = 0.8) -> Municipality:
        return home if rng.random() < stay else rng.choice(self.municipalities)

    def _children_wanted(self, rng: random.Random, mother_born: dt.date) -> int:
        year = mother_born.year
        mean = 4.8 if year < 1945 else 3.4 if year < 1960 else 2.4 if year < 1980 else 1.8
        if self.korean and year >= 1960:
            mean = 1.9 if year < 1980 else 1.2
        # A Poisson draw by inversion; families are small enough for the loop.
        limit, k, product = math.exp(-mean), 0, rng.random()
        while product > limit and k < 12:
            k += 1
            product *= rng.random()
        return k

    def make(self, rng: random.Random) -> _Family:
        family = _Family()
        home = rng.choice(self.municipalities)
        wife_born = _random_date(rng, _EARLIEST_FOUNDER, _LATEST_FOUNDER)
        husband_born = max(_add_years(wife_born, -max(-2.0, rng.gauss(3.0, 3.0))), _EARLIEST_BIRTH)
        husband = self._person(
            family,
            rng,
            sex="M",
            born=husband_born,
            municipality=self._place(rng, home, 0.6),
            generation=0,
        )
        wife = self._person(
            family,
            rng,
            sex="F",
            born=wife_born,
            municipality=self._place(rng, home, 0.6),
            generation=0,
        )
        self._marriage(family, rng, husband, wife, home)
        return family

    def _marriage(
        self,
        family: _Family,
        rng: random.Random,
        husband: _Draft,
        wife: _Draft,
        home: Municipality,
        blood: _Draft | None = None,
    ) -> None:
        """Marry two drafts (if both live to it), then draw their children and their lives."""
        older = max(husband.birth_date, wife.birth_date)
        married_on = _add_years(older, 18 + rng.random() * 12)
        married_on = max(married_on, _add_years(wife.birth_date, 18 + rng.random() * 8))
        if married_on > self.as_of:
            return
        for spouse in (husband, wife):
            if spouse.death_date is not None and spouse.death_date <= married_on:
                return
        first, second = (blood, wife if blood is husband else husband) if blood else (husband, wife)
        dissolved = self._divorce(rng, married_on, husband, wife)
        family.unions.append(_DraftUnion(first.local, second.local, married_on, dissolved, home))
        self._children(family, rng, husband, wife, married_on, dissolved, home)

    def _divorce(
        self, rng: random.Random, married_on: dt.date, husband: _Draft, wife: _Draft
    ) -> dt.date | None:
        share = (0.3 if self.korean else 0.2) if married_on.year >= 1980 else 0.05
        if rng.random() >= share:
            return None
        on = _add_years(married_on, 1.5 + rng.random() * 22)
        ends = [d for d in (husband.death_date, wife.death_date, self.as_of) if d is not None]
        return on if on < min(ends) else None

    def _children(
        self,
        family: _Family,
        rng: random.Random,
        husband: _Draft,
        wife: _Draft,
        married_on: dt.date,
        dissolved: dt.date | None,
        home: Municipality,
    ) -> None:
        wanted = self._children_wanted(rng, wife.birth_date)
        last_possible = min(
            d
            for d in (
                _add_years(wife.birth_date, 43),
                wife.death_date,
                husband.death_date + dt.timedelta(days=270) if husband.death_date else None,
                dissolved,
                self.as_of,
            )
            if d is not None
        )
        born = _add_years(married_on, 0.8 + rng.random() * 1.5)
        generation = max(husband.generation, wife.generation) + 1
        for _ in range(wanted):
            if born > last_possible or len(family.persons) >= _MAX_FAMILY:
                break
            sex = "M" if rng.random() < 0.512 else "F"
            child = self._person(
                family,
                rng,
                sex=sex,
                born=born,
                municipality=self._place(rng, home),
                generation=generation,
                mother=wife,
                father=husband,
            )
            if generation < _MAX_GENERATIONS and rng.random() < 0.72:
                self._spouse_for(family, rng, child, home)
            born = _add_years(born, 1.2 + rng.random() * 3.5)

    def _spouse_for(
        self, family: _Family, rng: random.Random, child: _Draft, home: Municipality
    ) -> None:
        if len(family.persons) >= _MAX_FAMILY:
            return
        # Husbands are a few years older than their wives, on average.
        gap = rng.gauss(3.0, 3.0) * (-1 if child.sex == "F" else 1)
        spouse_born = max(_add_years(child.birth_date, gap), _EARLIEST_BIRTH)
        if spouse_born > self.as_of:
            return
        # A spouse whose parents are not in the register (born elsewhere, or before it).
        spouse = self._person(
            family,
            rng,
            sex="F" if child.sex == "M" else "M",
            born=spouse_born,
            municipality=rng.choice(self.municipalities),
            generation=child.generation,
        )
        husband, wife = (child, spouse) if child.sex == "M" else (spouse, child)
        new_home = self._place(rng, home, 0.7)
        before = len(family.unions)
        self._marriage(family, rng, husband, wife, new_home, blood=child)
        if len(family.unions) == before:
            family.persons.pop()  # never married: the spouse never enters the register


# --------------------------------------------------------------------------------------------
# Near-duplicate declarations
# --------------------------------------------------------------------------------------------

_KEYBOARD_NEIGHBOURS: Final[dict[str, str]] = {
    "a": "sq",
    "b": "vn",
    "c": "xv",
    "d": "sf",
    "e": "wr",
    "f": "dg",
    "g": "fh",
    "h": "gj",
    "i": "uo",
    "j": "hk",
    "k": "jl",
    "l": "k",
    "m": "n",
    "n": "mb",
    "o": "ip",
    "p": "o",
    "q": "a",
    "r": "et",
    "s": "ad",
    "t": "ry",
    "u": "yi",
    "v": "cb",
    "w": "qe",
    "x": "zc",
    "y": "tu",
    "z": "x",
}
# Phonetic misspellings clerks make in Spanish names.
_SPANISH_SWAPS: Final = (
    ("v", "b"),
    ("b", "v"),
    ("s", "z"),
    ("z", "s"),
    ("y", "ll"),
    ("ll", "y"),
    ("j", "g"),
    ("h", ""),
    ("c", "s"),
    ("x", "j"),
)
# Hangul medial vowels that are easily confused (ㅐ/ㅔ, ㅓ/ㅗ, ㅕ/ㅛ, ㅚ/ㅙ/ㅞ, ㅡ/ㅜ, ㅢ/ㅣ).
_SIMILAR_MEDIALS: Final[dict[int, int]] = {
    1: 5,
    5: 1,
    4: 8,
    8: 4,
    6: 12,
    12: 6,
    3: 7,
    7: 3,
    11: 10,
    10: 15,
    15: 11,
    18: 13,
    13: 18,
    19: 20,
    20: 19,
}


def _latin_typo(rng: random.Random, text: str) -> str:
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    if len(letters) < 3:
        return text
    lowered = text.lower()
    if rng.random() < 0.35:
        for old, new in rng.sample(_SPANISH_SWAPS, len(_SPANISH_SWAPS)):
            at = lowered.find(old, 1)
            if at > 0:
                return text[:at] + new + text[at + len(old) :]
    i = rng.choice(letters[1:])
    op = rng.random()
    if op < 0.4:
        neighbours = _KEYBOARD_NEIGHBOURS.get(text[i].lower(), "")
        if neighbours:
            return text[:i] + rng.choice(neighbours) + text[i + 1 :]
    if op < 0.65:
        return text[:i] + text[i + 1 :]
    if op < 0.85 and i + 1 < len(text) and text[i + 1].isalpha():
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + text[i] + text[i:]


def _hangul_typo(rng: random.Random, text: str) -> str:
    positions = [i for i, c in enumerate(text) if 0xAC00 <= ord(c) <= 0xD7A3]
    rng.shuffle(positions)
    for i in positions:
        index = ord(text[i]) - 0xAC00
        initial, rest = divmod(index, 21 * 28)
        medial, final = divmod(rest, 28)
        if medial in _SIMILAR_MEDIALS:
            syllable = chr(0xAC00 + (initial * 21 + _SIMILAR_MEDIALS[medial]) * 28 + final)
            return text[:i] + syllable + text[i + 1 :]
    return text


def _drop_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


@dataclass(slots=True)
class _Declared:
    given_names: str
    first_surname: str
    second_surname: str
    birth_date: dt.date


class _Perturber:
    def __init__(self, profile: CountryProfile) -> None:
        self.korean = not profile.names.uses_second_surname
        birth = profile.event_type("birth")
        self.limits = {
            spec.name: spec.max_length for spec in birth.fields if spec.max_length is not None
        }
        self.kinds: tuple[str, ...] = (
            ("typo", "day_month_swap", "romanised")
            if self.korean
            else (
                "typo",
                "swapped_surnames",
                "day_month_swap",
                "accent_drop",
                "missing_second_surname",
            )
        )

    def _fits(self, name: str, value: str) -> bool:
        limit = self.limits.get(name)
        return bool(value.strip()) and (limit is None or len(value) <= limit)

    def apply(self, kind: str, d: _Declared, rng: random.Random) -> bool:
        """Change `d` in place the way `kind` says; False if it does not apply to it."""
        if kind == "typo":
            # Korean family names are one syllable: clerks rarely get them wrong.
            target = rng.choices(
                ("given_names", "first_surname", "second_surname"),
                weights=(8, 1, 0) if self.korean else (6, 3, 2),
            )[0]
            before = getattr(d, target)
            after = _hangul_typo(rng, before) if self.korean else _latin_typo(rng, before)
            if after == before or not self._fits(target, after):
                return False
            setattr(d, target, after)
            return True
        if kind == "swapped_surnames":
            if not d.second_surname or d.second_surname == d.first_surname:
                return False
            d.first_surname, d.second_surname = d.second_surname, d.first_surname
            return True
        if kind == "missing_second_surname":
            if not d.second_surname:
                return False
            d.second_surname = ""
            return True
        if kind == "accent_drop":
            changed = False
            for name in ("given_names", "first_surname", "second_surname"):
                before = getattr(d, name)
                after = _drop_accents(before)
                changed |= after != before
                setattr(d, name, after)
            return changed
        if kind == "day_month_swap":
            b = d.birth_date
            if b.day > 12 or b.day == b.month:
                return False
            d.birth_date = b.replace(month=b.day, day=b.month)
            return True
        if kind == "romanised":
            latin = _korean_latin_surnames().get(d.first_surname)
            if latin is None or not self._fits("first_surname", latin):
                return False
            d.first_surname = latin.upper() if rng.random() < 0.5 else latin
            given = romanise_hangul(d.given_names).title()
            if self._fits("given_names", given):
                d.given_names = given
            return True
        raise ValueError(f"unknown perturbation {kind!r}")

    def declare(
        self,
        n: int,
        seed: int,
        original: SyntheticPerson,
        mother: SyntheticPerson | None,
        rng: random.Random,
        as_of: dt.date,
    ) -> NearDuplicate:
        wanted = 2 if rng.random() < 0.25 else 1
        kinds: list[str] = []
        declared = _Declared(
            original.given_names,
            original.first_surname,
            original.second_surname,
            original.birth_date,
        )
        for kind in rng.sample(self.kinds, len(self.kinds)):
            if len(kinds) == wanted:
                break
            if self.apply(kind, declared, rng):
                kinds.append(kind)
        if not kinds:  # nothing applied (a very short name...): a clean second declaration
            kinds.append("exact")
        kinds.sort()
        if declared.birth_date > as_of:
            declared.birth_date = original.birth_date
        inline: dict[str, str] = {}
        if mother is None:
            names = _names("kr" if self.korean else "mx")
            # The child's second surname is the mother's first (Mexico).
            inline = {
                "mother_given_names": names.female.pick(rng),
                "mother_first_surname": original.second_surname or names.surnames.pick(rng),
                "mother_second_surname": "" if self.korean else names.surnames.pick(rng),
            }
        return NearDuplicate(
            n=n,
            reference=duplicate_reference(seed, n),
            original=original.n,
            original_id=original.id,
            original_reference=original.reference,
            kinds=tuple(kinds),
            given_names=declared.given_names,
            first_surname=declared.first_surname,
            second_surname=declared.second_surname,
            sex=original.sex,
            birth_date=declared.birth_date,
            birth_state=original.birth_state,
            birth_municipality=original.birth_municipality,
            mother=original.mother,
            father=original.father,
            **inline,
        )


# --------------------------------------------------------------------------------------------
# The stream
# --------------------------------------------------------------------------------------------


def generate(
    profile_code: str,
    *,
    seed: int,
    size: int,
    duplicates_fraction: float = DEFAULT_DUPLICATES_FRACTION,
    as_of: dt.date = DEFAULT_AS_OF,
    municipalities: Sequence[Municipality] | None = None,
) -> Iterator[SyntheticItem]:
    """The first `size` persons of the population of `seed`, with their unions and duplicates.

    Items come in an order a writer can follow: a person after their parents, a union after
    both spouses, a near-duplicate after the person it copies. Exactly
    ``floor(size * duplicates_fraction)`` near-duplicates are yielded.
    """
    if size < 0:
        raise ValueError("size must be >= 0")
    if not 0 <= duplicates_fraction <= 1:
        raise ValueError("duplicates_fraction must be between 0 and 1")
    profile = load_profile(profile_code)
    places = (
        tuple(municipalities)
        if municipalities is not None
        else tuple(demo_municipalities(profile.code))
    )
    if not places:
        raise ValueError(f"profile {profile.code!r} has no municipalities to be born in")
    maker = _FamilyMaker(profile, places, as_of)
    perturber = _Perturber(profile)
    emitted = 0
    unions = 0
    duplicates = 0
    family_no = 0
    while emitted < size:
        rng = random.Random(f"ventanilla/synthetic/{seed}/family/{family_no}")  # noqa: S311
        family = maker.make(rng)
        family_no += 1
        # Local index / stream position -> the emitted person (parents, spouses, duplicates).
        by_local: dict[int, SyntheticPerson] = {}
        by_n: dict[int, SyntheticPerson] = {}
        union_of: dict[int, list[_DraftUnion]] = {}
        for u in family.unions:
            union_of.setdefault(max(u.a, u.b), []).append(u)
        with_parents: list[SyntheticPerson] = []
        for draft in family.persons:
            if emitted >= size:
                return
            mother = by_local[draft.mother] if draft.mother is not None else None
            father = by_local[draft.father] if draft.father is not None else None
            person = SyntheticPerson(
                n=emitted,
                id=person_uuid(seed, emitted),
                reference=person_reference(seed, emitted),
                given_names=draft.given_names,
                first_surname=draft.first_surname,
                second_surname=draft.second_surname,
                romanised_name=draft.romanised_name,
                sex=draft.sex,
                birth_date=draft.birth_date,
                birth_state=draft.municipality.state_code,
                birth_municipality=draft.municipality.code,
                mother=mother.n if mother else None,
                father=father.n if father else None,
                death_date=draft.death_date,
                generation=draft.generation,
            )
            by_local[draft.local] = person
            by_n[person.n] = person
            if mother is not None:
                with_parents.append(person)
            yield person
            emitted += 1
            for u in union_of.get(draft.local, ()):
                yield SyntheticUnion(
                    n=unions,
                    spouse_a=by_local[u.a].n,
                    spouse_b=by_local[u.b].n,
                    married_on=u.married_on,
                    dissolved_on=u.dissolved_on,
                    state=u.municipality.state_code,
                    municipality=u.municipality.code,
                )
                unions += 1
            if math.floor(emitted * duplicates_fraction) > duplicates:
                dup_rng = random.Random(  # noqa: S311 - reproducible synthetic data, not secrets
                    f"ventanilla/synthetic/{seed}/duplicate/{duplicates}"
                )
                # Prefer someone whose mother is in the register: a child declared twice.
                original = dup_rng.choice(with_parents) if with_parents else person
                mother_of = by_n.get(original.mother) if original.mother is not None else None
                yield perturber.declare(duplicates, seed, original, mother_of, dup_rng, as_of)
                duplicates += 1


@cache
def _perturber(profile_code: str) -> _Perturber:
    return _Perturber(load_profile(profile_code))


def near_duplicate_of(
    profile_code: str,
    original: SyntheticPerson,
    *,
    seed: int,
    n: int,
    as_of: dt.date = DEFAULT_AS_OF,
) -> NearDuplicate:
    """A near-duplicate declaration of `original`, the `n`-th drawn for `seed` (for probes).

    The same arguments give the same declaration. The mother is named inline; callers that
    know the original's parents use those instead.
    """
    rng = random.Random(f"ventanilla/synthetic/{seed}/probe/{n}")  # noqa: S311
    return _perturber(profile_code).declare(n, seed, original, None, rng, as_of)
