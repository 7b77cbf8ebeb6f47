"""Recent births for the demo, and the demo's made-up birth estimates. No database.

The demo registers a few hundred births of the last three years *today*, so how long after
the birth each one is registered is set by its birth date: most within a month, some within a
year, a few later (those past the legal period are late registrations). They are spread over
the home state's municipalities and the three other states with the most demo
municipalities, so that a state supervisor and a national administrator both have something
to chart. Names come from the synthetic population's name source (`registry.synthetic`).
Everything is a function of the seed and of the day the demo is prepared.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final

from ventanilla.core.profiles import Municipality, demo_municipalities
from ventanilla.registry.synthetic import SyntheticPerson, generate

#: Delays, in days after the birth, that the planned births are registered at (registration
#: is today, so a delay is the child's age): the share of births in each, and its day range.
#: The ranges stay clear of the dashboard's 30-day and one-year marks.
DELAYS: Final[tuple[tuple[str, float, int, int], ...]] = (
    ("within_month", 0.70, 1, 27),
    ("within_year", 0.22, 35, 350),
    ("later", 0.08, 380, 1090),
)
#: Share of the births in the home state; the rest go to the other states.
HOME_STATE_SHARE: Final = 0.55
OTHER_STATES: Final = 3
NAMES_SEED_OFFSET: Final = 1_000_000
#: Inclusive range of the factor a place's demo estimate is its demo population's births times.
ESTIMATE_FACTOR_RANGE: Final = (0.90, 1.60)


@dataclass(frozen=True, slots=True)
class DemoBirth:
    """One birth to declare and register: `data` is the declaration (profile field names)."""

    n: int
    delay: str
    municipality: Municipality
    data: dict[str, Any]


def birth_places(
    municipalities: Sequence[Municipality], home_code: str
) -> tuple[list[Municipality], list[Municipality]]:
    """The home state's municipalities (the home one first) and those of the other states
    with the most demo municipalities (ties by state code)."""
    home = next(m for m in municipalities if m.code == home_code)
    in_home_state = [home] + [
        m for m in municipalities if m.state_code == home.state_code and m.code != home.code
    ]
    per_state = Counter(m.state_code for m in municipalities if m.state_code != home.state_code)
    ranked = sorted(per_state, key=lambda code: (-per_state[code], code))
    chosen = set(ranked[:OTHER_STATES])
    elsewhere = [m for m in municipalities if m.state_code in chosen]
    return in_home_state, elsewhere


class _People:
    """Men and women of a synthetic population, handed out one at a time for their names."""

    def __init__(self, profile_code: str, seed: int) -> None:
        # Sized far beyond any demo; persons are drawn lazily, a family at a time.
        self._stream: Iterator[Any] = generate(
            profile_code, seed=seed, size=1_000_000, duplicates_fraction=0.0
        )
        self._waiting: dict[str, deque[SyntheticPerson]] = {"F": deque(), "M": deque()}

    def next(self, sex: str) -> SyntheticPerson:
        while not self._waiting[sex]:
            item = next(self._stream)
            if isinstance(item, SyntheticPerson):
                self._waiting[item.sex].append(item)
        return self._waiting[sex].popleft()


def _birth_date(rng: random.Random, today: dt.date) -> tuple[str, dt.date]:
    roll = rng.random()
    for delay, share, first, last in DELAYS:
        if roll < share or delay == DELAYS[-1][0]:
            return delay, today - dt.timedelta(days=rng.randint(first, last))
        roll -= share
    raise AssertionError("unreachable")  # pragma: no cover


def plan(
    profile_code: str, *, seed: int, count: int, today: dt.date, home_code: str
) -> list[DemoBirth]:
    """`count` births to register on `today`, the same for the same arguments."""
    rng = random.Random(f"ventanilla/demo/births/{seed}")  # noqa: S311 - demo data, not secrets
    # Names from another population than the register's (seeded with `seed`), so that no
    # parent is named after someone the register holds.
    people = _People(profile_code, seed + NAMES_SEED_OFFSET)
    korean = profile_code == "kr"
    in_home_state, elsewhere = birth_places(demo_municipalities(profile_code), home_code)
    # The home municipality (the demo offices' own) draws three times its share.
    home_weights = [3] + [1] * (len(in_home_state) - 1)
    births: list[DemoBirth] = []
    for n in range(count):
        delay, born = _birth_date(rng, today)
        if not elsewhere or rng.random() < HOME_STATE_SHARE:
            place = rng.choices(in_home_state, weights=home_weights)[0]
        else:
            place = rng.choice(elsewhere)
        sex = "M" if rng.random() < 0.512 else "F"
        child = people.next(sex)
        mother = people.next("F")
        father = people.next("M") if rng.random() < 0.88 else None
        data: dict[str, Any] = {
            "given_names": child.given_names,
            "sex": sex,
            "birth_date": born.isoformat(),
            "birth_state": place.state_code,
            "birth_municipality": place.code,
            "birth_place_type": rng.choices(["hospital", "home", "other"], [94, 4, 2])[0],
            "mother_given_names": mother.given_names,
            "mother_first_surname": mother.first_surname,
            "mother_birth_date": (
                born - dt.timedelta(days=rng.randint(18 * 365, 40 * 365))
            ).isoformat(),
            # Choices both profiles offer.
            "declarant_relationship": "father" if father and rng.random() < 0.4 else "mother",
        }
        if korean:
            # The father's family name; the mother's where no father is declared.
            data["first_surname"] = (father or mother).first_surname
        else:
            data["mother_second_surname"] = mother.second_surname
            # The father's first surname then the mother's; the mother's two without a father.
            if father is None:
                data["first_surname"] = mother.first_surname
                data["second_surname"] = mother.second_surname
            else:
                data["first_surname"] = father.first_surname
                data["second_surname"] = mother.first_surname
        if father is not None:
            data["father_given_names"] = father.given_names
            data["father_first_surname"] = father.first_surname
            if not korean:
                data["father_second_surname"] = father.second_surname
        births.append(
            DemoBirth(
                n=n,
                delay=delay,
                municipality=place,
                data={k: v for k, v in data.items() if v != ""},
            )
        )
    return births


def estimate_factor(official_code: str) -> float:
    """Births a place's demo estimate counts for each birth of its demo population: fixed per
    place, so that completeness differs from place to place."""
    low, high = ESTIMATE_FACTOR_RANGE
    digest = hashlib.blake2b(f"ventanilla/demo/estimate/{official_code}".encode(), digest_size=4)
    steps = round((high - low) * 100)
    return low + (int.from_bytes(digest.digest(), "big") % (steps + 1)) / 100
