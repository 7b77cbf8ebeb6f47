from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from .. import korean_surname_key, name_key, normalise_name, romanise_hangul, spanish_phonetic
from ..korean import korean_fold, split_korean_name
from ..normalise import canonical_tokens
from .strategies import SETTINGS, any_text, name


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Peña", "PENA"),
        ("  josé   LUIS ", "JOSE LUIS"),
        ("O'Higgins", "OHIGGINS"),
        ("Ma. de los Ángeles", "MA DE LOS ANGELES"),
        ("Pérez-García", "PEREZ GARCIA"),
        ("Agüero", "AGUERO"),
        ("김민준", "김민준"),
        ("", ""),
    ],
)
def test_normalise_name(raw: str, expected: str) -> None:
    assert normalise_name(raw) == expected


def test_decomposed_hangul_is_composed() -> None:
    decomposed = "\u1100\u1175\u11b7"  # 김 as conjoining jamo
    assert normalise_name(decomposed) == "김"


@SETTINGS
@given(st.one_of(any_text, name))
def test_normalise_name_is_idempotent(s: str) -> None:
    once = normalise_name(s)
    assert normalise_name(once) == once


@SETTINGS
@given(st.one_of(any_text, name))
def test_phonetic_is_stable_under_normalisation(s: str) -> None:
    assert spanish_phonetic(s) == spanish_phonetic(normalise_name(s))


def test_canonical_tokens_drop_particles_and_expand_abbreviations() -> None:
    assert canonical_tokens("MA. DE LOS ÁNGELES", given=True) == ("MARIA", "ANGELES")
    assert canonical_tokens("De la Cruz") == ("CRUZ",)
    assert canonical_tokens("de la") == ("DE", "LA")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("VALDÉS", "BALDEZ"),
        ("PEÑA", "PENA"),
        ("HERNÁNDEZ", "ERNANDES"),
        ("GONZÁLEZ", "GONSALES"),
        ("JIMÉNEZ", "XIMENEZ"),
        ("GUILLERMO", "GILLERMO".replace("GI", "GUI")),
        ("YOLANDA", "LLOLANDA"),
        ("QUINTERO", "KINTERO"),
        ("CECILIA", "SESILIA"),
        ("ROSSANA", "ROSANA"),
        ("HUGO", "UGO"),
        ("GERARDO", "JERARDO"),
        ("ELIZABETH", "ELISABET"),
    ],
)
def test_spanish_phonetic_equates_sound_alikes(a: str, b: str) -> None:
    assert spanish_phonetic(a) == spanish_phonetic(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [("GARCÍA", "MARTÍNEZ"), ("LÓPEZ", "LUNA"), ("CASA", "GASA"), ("CHAVEZ", "SAVEZ")],
)
def test_spanish_phonetic_separates_different_names(a: str, b: str) -> None:
    assert spanish_phonetic(a) != spanish_phonetic(b)


def test_spanish_phonetic_examples() -> None:
    assert spanish_phonetic("HERNÁNDEZ") == "ERNNDS"
    assert spanish_phonetic("Valdés") == "BLDS"
    assert spanish_phonetic("María Guadalupe") == "MR GDLP"
    assert spanish_phonetic("") == ""


def test_romanise_hangul() -> None:
    assert romanise_hangul("김민준") == "GIMMINJUN"
    assert romanise_hangul("이서연") == "ISEOYEON"
    assert romanise_hangul("박 지훈") == "BAK JIHUN"
    assert romanise_hangul("최") == "CHOE"
    assert romanise_hangul("정") == "JEONG"
    assert romanise_hangul("값") == "GAP"
    assert romanise_hangul("ABC") == "ABC"


@pytest.mark.parametrize(
    ("key", "spellings"),
    [
        ("I", ["이", "리", "Lee", "Yi", "Rhee", "Rhie", "I"]),
        ("BAK", ["박", "Park", "Pak", "Bak"]),
        ("GIM", ["김", "Kim", "Gim"]),
        ("CHOE", ["최", "Choi", "Choe", "Chey"]),
        ("JEONG", ["정", "Jung", "Jeong", "Chung"]),
        ("GANG", ["강", "Kang", "Gang"]),
        ("JO", ["조", "Cho", "Jo"]),
        ("YUN", ["윤", "Yoon", "Yun"]),
        ("JANG", ["장", "Jang", "Chang"]),
        ("IM", ["임", "Lim", "Im", "Rim"]),
        ("O", ["오", "Oh", "O"]),
        ("SEO", ["서", "Seo", "Suh"]),
        ("SIN", ["신", "Shin", "Sin"]),
        ("GWON", ["권", "Kwon", "Gwon"]),
        ("AN", ["안", "Ahn", "An"]),
        ("YU", ["류", "유", "Yoo", "Yu", "Ryu", "Rhyu"]),
        ("JEON", ["전", "Jeon", "Jun", "Chun"]),
        ("GO", ["고", "Ko", "Go"]),
        ("MUN", ["문", "Moon", "Mun"]),
        ("BAE", ["배", "Bae", "Pae"]),
        ("BAEK", ["백", "Baek", "Paek"]),
        ("HEO", ["허", "Heo", "Huh"]),
        ("NO", ["노", "Noh", "No", "Roh"]),
    ],
)
def test_korean_surname_key(key: str, spellings: list[str]) -> None:
    assert {korean_surname_key(s) for s in spellings} == {key}


def test_unknown_korean_surname_key_falls_back_to_spelling() -> None:
    assert korean_surname_key("Zuñiga") == "ZUNIGA"
    assert korean_surname_key("뷁") == romanise_hangul("뷁")


def test_split_korean_name() -> None:
    assert split_korean_name("김민준") == ("김", "민준")
    assert split_korean_name("남궁민수") == ("남궁", "민수")
    assert split_korean_name("KIM MIN JUN") == ("KIM", "MIN JUN")
    assert split_korean_name("JUAN PEREZ") is None


def test_korean_fold_merges_romanisation_variants() -> None:
    assert korean_fold("MINJOON") == korean_fold("MIN-JUN") == korean_fold("민준")
    assert korean_fold("SEO YEON") == korean_fold("서연") == korean_fold("SEOYUN")
    assert korean_fold("HYUN") == korean_fold("HYEON")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("김민준", "KIM MINJUN"),
        ("김민준", "Kim Min-jun"),
        ("이서연", "LEE SEOYEON"),
        ("이서연", "Yi Seo-yeon"),
        ("박지훈", "PARK JIHUN"),
        ("José Peña", "JOSE PENA"),
        ("Valdés", "Baldez"),
    ],
)
def test_name_key_is_comparable_across_scripts(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


def test_name_key_separates_people() -> None:
    assert name_key("김민준") != name_key("이서연")
    assert name_key("JUAN PÉREZ") != name_key("JUANA LÓPEZ")
