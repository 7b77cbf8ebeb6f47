"""Country profiles load and carry the official codes."""

from __future__ import annotations

import tomllib
import zoneinfo
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from .. import (
    FIELD_TYPES,
    CountryProfile,
    ProfileFormatError,
    UnknownProfileError,
    _build_profile,  # private: the validator is tested directly
    _Table,
    available_profiles,
    demo_municipalities,
    load_profile,
)

EVENT_TYPES = ("birth", "death", "marriage", "divorce", "recognition", "adoption")

MX_STATES = {
    "01": ("Aguascalientes", "Ags.", "AS"),
    "02": ("Baja California", "BC", "BC"),
    "03": ("Baja California Sur", "BCS", "BS"),
    "04": ("Campeche", "Camp.", "CC"),
    "05": ("Coahuila de Zaragoza", "Coah.", "CL"),
    "06": ("Colima", "Col.", "CM"),
    "07": ("Chiapas", "Chis.", "CS"),
    "08": ("Chihuahua", "Chih.", "CH"),
    "09": ("Ciudad de México", "CDMX", "DF"),
    "10": ("Durango", "Dgo.", "DG"),
    "11": ("Guanajuato", "Gto.", "GT"),
    "12": ("Guerrero", "Gro.", "GR"),
    "13": ("Hidalgo", "Hgo.", "HG"),
    "14": ("Jalisco", "Jal.", "JC"),
    "15": ("México", "Mex.", "MC"),
    "16": ("Michoacán de Ocampo", "Mich.", "MN"),
    "17": ("Morelos", "Mor.", "MS"),
    "18": ("Nayarit", "Nay.", "NT"),
    "19": ("Nuevo León", "NL", "NL"),
    "20": ("Oaxaca", "Oax.", "OC"),
    "21": ("Puebla", "Pue.", "PL"),
    "22": ("Querétaro", "Qro.", "QT"),
    "23": ("Quintana Roo", "Q. Roo", "QR"),
    "24": ("San Luis Potosí", "SLP", "SP"),
    "25": ("Sinaloa", "Sin.", "SL"),
    "26": ("Sonora", "Son.", "SR"),
    "27": ("Tabasco", "Tab.", "TC"),
    "28": ("Tamaulipas", "Tamps.", "TS"),
    "29": ("Tlaxcala", "Tlax.", "TL"),
    "30": ("Veracruz de Ignacio de la Llave", "Ver.", "VZ"),
    "31": ("Yucatán", "Yuc.", "YN"),
    "32": ("Zacatecas", "Zac.", "ZS"),
}

KR_STATES = {
    "11": "서울특별시",
    "26": "부산광역시",
    "27": "대구광역시",
    "28": "인천광역시",
    "29": "광주광역시",
    "30": "대전광역시",
    "31": "울산광역시",
    "36": "세종특별자치시",
    "41": "경기도",
    "43": "충청북도",
    "44": "충청남도",
    "46": "전라남도",
    "47": "경상북도",
    "48": "경상남도",
    "50": "제주특별자치도",
    "51": "강원특별자치도",
    "52": "전북특별자치도",
}


@pytest.fixture(params=["mx", "kr"])
def profile(request: pytest.FixtureRequest) -> CountryProfile:
    code: str = request.param
    return load_profile(code)


def test_available_profiles() -> None:
    assert available_profiles() == ["kr", "mx"]


def test_load_profile_is_cached_and_case_insensitive() -> None:
    assert load_profile("mx") is load_profile("MX") is load_profile(" mx ")


@pytest.mark.parametrize("code", ["xx", "", "../mx", "mx.toml", "mx_municipalities_demo"])
def test_unknown_profile(code: str) -> None:
    with pytest.raises(UnknownProfileError):
        load_profile(code)
    with pytest.raises(UnknownProfileError):
        demo_municipalities(code)


def test_common_shape(profile: CountryProfile) -> None:
    assert profile.default_language in profile.languages
    assert profile.languages[0] == profile.default_language
    assert {"en", "ko", "es-mx"} == set(profile.languages)
    assert tuple(e.code for e in profile.event_types) == EVENT_TYPES
    for event in profile.event_types:
        assert {"es", "en", "ko"} <= set(event.labels)
        assert all(f.type in FIELD_TYPES for f in event.fields)
        for spec in event.fields:
            assert (spec.max_length is not None) == (spec.type == "text")
            assert bool(spec.choices) == (spec.type == "choice")
    assert hash(profile) == hash(profile)


def test_time_zones_exist(profile: CountryProfile) -> None:
    for name in profile.time_zones:
        zoneinfo.ZoneInfo(name)


def test_mexico() -> None:
    mx = load_profile("mx")
    assert (mx.name, mx.name_en, mx.country_iso, mx.currency) == ("México", "Mexico", "MX", "MXN")
    assert (mx.id_scheme, mx.phone_prefix, mx.default_language) == ("curp", "+52", "es-mx")
    assert mx.default_time_zone == "America/Mexico_City"
    assert len(mx.time_zones) == 12
    assert mx.foreign_state_id_code == "NE"
    assert len(mx.states) == 32
    assert [s.code for s in mx.states] == [f"{n:02d}" for n in range(1, 33)]
    assert len({s.id_code for s in mx.states}) == 32
    assert {s.code: (s.name, s.abbr, s.id_code) for s in mx.states} == MX_STATES
    assert mx.state("09").name_en == "Mexico City"
    assert mx.state_by_id_code("DF").code == "09"
    assert mx.state_by_id_code("MC").name == "México"
    with pytest.raises(KeyError):
        mx.state_by_id_code("NE")
    with pytest.raises(KeyError):
        mx.state("33")
    assert mx.names.uses_second_surname
    assert (
        mx.names.display(
            {"given_names": "Ana María", "first_surname": "López", "second_surname": "Pérez"}
        )
        == "Ana María López Pérez"
    )
    assert mx.names.display({"given_names": "Ana", "first_surname": "López"}) == "Ana López"
    birth = mx.event_type("birth")
    assert birth.field_spec("sex").choices == ("F", "M", "X")
    assert not birth.field_spec("second_surname").required
    assert birth.label("es-mx") == "Nacimiento"
    assert mx.event_type("marriage").field_spec("property_regime").choices == (
        "sociedad_conyugal",
        "separacion_de_bienes",
    )
    rules = mx.registration
    assert (rules.birth_timely_days, rules.min_marriage_age, rules.min_mother_age_warning) == (
        180,
        18,
        10,
    )
    assert rules.late_birth_registration_allowed
    assert rules.is_birth_registration_timely(date(2024, 1, 31), date(2024, 7, 31))
    assert not rules.is_birth_registration_timely(date(2024, 1, 31), date(2024, 8, 1))
    assert rules.death_deadline(date(2024, 3, 1)) == date(2024, 3, 8)


def test_korea() -> None:
    kr = load_profile("kr")
    assert (kr.name, kr.country_iso, kr.currency, kr.id_scheme) == ("대한민국", "KR", "KRW", "rrn")
    assert kr.time_zones == ("Asia/Seoul",)
    assert kr.default_language == "ko"
    assert kr.foreign_state_id_code is None
    assert len(kr.states) == 17
    assert {s.code: s.name for s in kr.states} == KR_STATES
    assert all(s.id_code == s.code for s in kr.states)
    assert kr.state("51").name_en == "Gangwon State"
    names = kr.names
    assert not names.uses_second_surname
    assert names.aliases["family_name"] == "first_surname"
    assert names.display({"first_surname": "홍", "given_names": "길동"}) == "홍길동"
    assert (
        names.display_romanised({"first_surname_roman": "Hong", "given_names_roman": "Gildong"})
        == "Hong Gildong"
    )
    birth = kr.event_type("birth")
    assert birth.field_spec("sex").choices == ("F", "M")
    assert not birth.field_spec("clan_origin").required
    with pytest.raises(KeyError):
        birth.field_spec("second_surname")
    rules = kr.registration
    assert (rules.birth_timely_days, rules.death_timely_days, rules.min_marriage_age) == (
        30,
        30,
        18,
    )
    # One calendar month, first day not counted; a missing day is the month's last day.
    assert rules.birth_deadline(date(2024, 1, 15)) == date(2024, 2, 15)
    assert rules.birth_deadline(date(2023, 1, 31)) == date(2023, 2, 28)
    assert rules.birth_deadline(date(2024, 12, 10)) == date(2025, 1, 10)


def test_demo_municipalities_belong_to_known_states(profile: CountryProfile) -> None:
    municipalities = demo_municipalities(profile.code)
    assert len(municipalities) >= 30
    assert len({m.code for m in municipalities}) == len(municipalities)
    state_codes = {s.code for s in profile.states}
    for m in municipalities:
        assert m.state_code in state_codes
        assert len(m.code) == 5
        assert m.code.isdigit()
        assert m.code.startswith(m.state_code)
        assert m.name


def test_mexico_demo_catalogue_matches_states() -> None:
    mx = load_profile("mx")
    text = (Path(__file__).parent.parent / "mx_municipalities_demo.csv").read_text("utf-8")
    header, *rows = text.splitlines()
    assert header == "CVEGEO,CVE_ENT,NOM_ENT,NOM_ABR,CVE_MUN,NOM_MUN"
    for row in rows:
        _, ent, nom_ent, nom_abr, _, _ = row.split(",")
        assert (mx.state(ent).name, mx.state(ent).abbr) == (nom_ent, nom_abr)
    by_code = {m.code: m.name for m in demo_municipalities("mx")}
    assert by_code["09007"] == "Iztapalapa"
    assert by_code["14039"] == "Guadalajara"
    assert by_code["23005"] == "Benito Juárez"
    assert len({m.state_code for m in demo_municipalities("mx")}) >= 8


def test_korea_demo_catalogue() -> None:
    by_code = {m.code: m.name for m in demo_municipalities("kr")}
    assert by_code["11110"] == "종로구"
    assert by_code["41110"] == "수원시"
    assert by_code["41111"] == "수원시 장안구"
    assert by_code["51110"] == "춘천시"
    assert "42110" not in by_code  # 강원도 춘천시, abolished in 2023
    assert "11000" not in by_code  # province rows are not municipalities


def _mx_data() -> dict[str, Any]:
    data: dict[str, Any] = tomllib.loads(
        (Path(__file__).parent.parent / "mx.toml").read_text("utf-8")
    )
    return data


def _break_field_type(data: dict[str, Any]) -> None:
    data["event_types"][0]["fields"][0]["type"] = "string"


def _duplicate_curp_code(data: dict[str, Any]) -> None:
    data["states"][1]["id_code"] = data["states"][0]["id_code"]


def _foreign_code_is_a_state(data: dict[str, Any]) -> None:
    data["foreign_state_id_code"] = "DF"


def _default_language_missing(data: dict[str, Any]) -> None:
    data["default_language"] = "fr"


def _choice_without_choices(data: dict[str, Any]) -> None:
    del data["event_types"][0]["fields"][3]["choices"]


def _typo_in_key(data: dict[str, Any]) -> None:
    data["registration"]["birth_timely_dayz"] = 1


def _display_unknown_name_field(data: dict[str, Any]) -> None:
    data["names"]["display_order"] = ["given_names", "surname"]


@pytest.mark.parametrize(
    "breakage",
    [
        _break_field_type,
        _duplicate_curp_code,
        _foreign_code_is_a_state,
        _default_language_missing,
        _choice_without_choices,
        _typo_in_key,
        _display_unknown_name_field,
    ],
)
def test_invalid_profile_data_is_rejected(breakage: Callable[[dict[str, Any]], None]) -> None:
    data = _mx_data()
    _build_profile(_Table(data, "mx.toml"))  # the shipped file is valid
    breakage(data)
    with pytest.raises(ProfileFormatError):
        _build_profile(_Table(data, "mx.toml"))
