"""The jurisdiction tree: built from the country profile and official catalogues, and read
through a short-lived cache.

Jurisdictions are reference data that only commands change, yet every registration reads
two of them (its office and the birthplace). The cache answers those reads without a
query. A change saved in this process empties it at once (signals, wired in the app's
`ready`); a change made by another process is seen when the entry expires.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Hashable, Iterable
from typing import Any, Final

from django.db import transaction
from django.db.models import QuerySet

from ventanilla.core.models import Jurisdiction, JurisdictionLevel
from ventanilla.core.profiles import CountryProfile, Municipality


def _path(parent: Jurisdiction | None, code: str) -> str:
    return f"{parent.path if parent else ''}{code}."


@transaction.atomic
def ensure_country(profile: CountryProfile) -> Jurisdiction:
    """Create (or update) the country and its states; safe to run again."""
    country, _created = Jurisdiction.objects.update_or_create(
        code=profile.country_iso,
        defaults={
            "level": JurisdictionLevel.COUNTRY,
            "name": profile.name,
            "parent": None,
            "path": _path(None, profile.country_iso),
        },
    )
    for state in profile.states:
        Jurisdiction.objects.update_or_create(
            code=f"{profile.country_iso}-{state.code}",
            defaults={
                "level": JurisdictionLevel.STATE,
                "name": state.name,
                "parent": country,
                "path": _path(country, state.code),
                "official_code": state.code,
                "id_code": state.id_code,
            },
        )
    return country


def import_municipalities(profile: CountryProfile, municipalities: Iterable[Municipality]) -> int:
    """Upsert municipalities under their states; returns how many were written."""
    states = {
        j.official_code: j
        for j in Jurisdiction.objects.filter(
            level=JurisdictionLevel.STATE, code__startswith=f"{profile.country_iso}-"
        )
    }
    written = 0
    with transaction.atomic():
        for municipality in municipalities:
            state = states.get(municipality.state_code)
            if state is None:
                raise ValueError(f"unknown state code {municipality.state_code!r}")
            Jurisdiction.objects.update_or_create(
                code=f"{profile.country_iso}-{municipality.code}",
                defaults={
                    "level": JurisdictionLevel.MUNICIPALITY,
                    "name": municipality.name,
                    "parent": state,
                    "path": _path(state, municipality.code),
                    "official_code": municipality.code,
                },
            )
            written += 1
    return written


def ensure_office(municipality: Jurisdiction, number: int, name: str) -> Jurisdiction:
    code = f"{municipality.code}-O{number:02d}"
    office, _created = Jurisdiction.objects.update_or_create(
        code=code,
        defaults={
            "level": JurisdictionLevel.OFFICE,
            "name": name,
            "parent": municipality,
            "path": _path(municipality, f"O{number:02d}"),
        },
    )
    return office


#: How long a cached jurisdiction is trusted, for changes made by other processes.
CACHE_SECONDS: Final = 60.0

_cache: dict[Hashable, tuple[float, Jurisdiction]] = {}


def _shared(key: Hashable, query: Callable[[], QuerySet[Jurisdiction]]) -> Jurisdiction | None:
    """The jurisdiction `query()` finds, from the cache while fresh (the query is built only
    on a miss: building it costs more than the lookup). A miss is not cached, so a
    jurisdiction created elsewhere is found at once. The cached instance itself: not for
    callers outside this module."""
    now = time.monotonic()
    hit = _cache.get(key)
    if hit is not None and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    found = query().first()
    if found is None:
        _cache.pop(key, None)
        return None
    _cache[key] = (now, found)
    return found


def _cached(key: Hashable, query: Callable[[], QuerySet[Jurisdiction]]) -> Jurisdiction | None:
    """`_shared`, a copy for each caller."""
    found = _shared(key, query)
    return None if found is None else copy.copy(found)


def _by_id_query(pk: int) -> Callable[[], QuerySet[Jurisdiction]]:
    return lambda: Jurisdiction.objects.filter(pk=pk)


def by_id(pk: int) -> Jurisdiction | None:
    return _cached(("id", pk), _by_id_query(pk))


def official_code_of(pk: int | None) -> str:
    """The official code of jurisdiction `pk` ("" for none): what a duplicate lookup compares
    of a birthplace, read for each candidate, so without a query nor a copy."""
    if pk is None:
        return ""
    found = _shared(("id", pk), _by_id_query(pk))
    return found.official_code if found is not None else ""


def by_code(code: str) -> Jurisdiction | None:
    return _cached(("code", code), lambda: Jurisdiction.objects.filter(code=code))


def municipality(official_code: str) -> Jurisdiction | None:
    """The municipality with this official (INEGI, or Korean administrative) code."""
    return _cached(
        ("municipality", official_code),
        lambda: Jurisdiction.objects.filter(
            level=JurisdictionLevel.MUNICIPALITY, official_code=official_code
        ),
    )


def forget_cached(**_signal: Any) -> None:
    """Empty the cache (connected to every save and delete of a jurisdiction)."""
    _cache.clear()
