"""Importing the official municipality catalogue builds the jurisdiction tree."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from ventanilla.core.models import Jurisdiction, JurisdictionLevel
from ventanilla.core.profiles import CountryProfile

INEGI = (
    "CVEGEO,CVE_ENT,NOM_ENT,NOM_ABR,CVE_MUN,NOM_MUN,CVE_CAB,NOM_CAB,PTOT,PMAS,PFEM,VTOT\n"
    "09015,09,Ciudad de México,CDMX,015,Cuauhtémoc,0001,Cuauhtémoc,545884,1,1,1\n"
    "14039,14,Jalisco,Jal.,039,Guadalajara,0001,Guadalajara,1385629,1,1,1\n"
)
LEGAL_DONG = (
    "법정동코드\t법정동명\t폐지여부\n"
    "1100000000\t서울특별시\t존재\n"
    "1111000000\t서울특별시 종로구\t존재\n"
    "2611000000\t부산광역시 중구\t존재\n"
    "4200000000\t강원도\t폐지\n"
)


def _catalogue(tmp_path: Path, profile: CountryProfile) -> Path:
    path = tmp_path / "catalogue.txt"
    path.write_text(INEGI if profile.code == "mx" else LEGAL_DONG, encoding="utf-8")
    return path


def test_the_official_catalogue_creates_municipalities_under_their_states(
    db: Any, tmp_path: Path, profile: CountryProfile
) -> None:
    call_command("import_municipalities", _catalogue(tmp_path, profile))
    municipalities = Jurisdiction.objects.filter(level=JurisdictionLevel.MUNICIPALITY)
    assert municipalities.count() == 2
    first = municipalities.order_by("official_code").first()
    assert first is not None and first.parent is not None
    assert first.official_code[:2] == first.parent.official_code
    assert Jurisdiction.objects.filter(level=JurisdictionLevel.STATE).count() == len(profile.states)


def test_importing_twice_changes_nothing(db: Any, tmp_path: Path, profile: CountryProfile) -> None:
    path = _catalogue(tmp_path, profile)
    call_command("import_municipalities", path)
    before = list(Jurisdiction.objects.values_list("code", "path").order_by("code"))
    call_command("import_municipalities", path)
    assert list(Jurisdiction.objects.values_list("code", "path").order_by("code")) == before


def test_a_malformed_catalogue_is_refused_with_its_line(
    db: Any, tmp_path: Path, profile: CountryProfile
) -> None:
    path = tmp_path / "broken.csv"
    good = INEGI if profile.code == "mx" else LEGAL_DONG
    path.write_text(good + "not,a,valid,row\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line"):
        call_command("import_municipalities", path)
