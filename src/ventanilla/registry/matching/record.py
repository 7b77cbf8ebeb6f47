"""The person record the matching engine compares."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

__all__ = ["MatchRecord"]


@dataclass(frozen=True, slots=True)
class MatchRecord:
    """What the engine knows about one declared person.

    Empty strings mean "unknown" (``second_surname`` is "" for people with a
    single surname); ``sex`` is "F", "M", "X" or "". ``mother_name`` and
    ``father_name`` are full names in any order the registry keeps them.
    """

    id: str
    given_names: str
    first_surname: str
    second_surname: str = ""
    birth_date: datetime.date | None = None
    sex: str = ""
    place_code: str = ""
    mother_name: str = ""
    father_name: str = ""
