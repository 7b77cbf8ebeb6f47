"""Building the jurisdiction tree from the country profile and official catalogues."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

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
