"""Hangul romanisation and Korean surname keys.

Romanisation follows the Revised Romanization of Korean syllable by syllable
(no sound-change rules across syllables), which is enough to compare a Hangul
name with the way its bearer spells it in Latin letters.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

from .normalise import has_hangul, normalise_name

__all__ = [
    "KOREAN_SURNAMES",
    "hangul_sound_code",
    "is_korean_surname",
    "korean_fold",
    "korean_surname_key",
    "romanise_hangul",
    "split_korean_name",
]

_SYLLABLE_BASE: Final = 0xAC00
_SYLLABLE_LAST: Final = 0xD7A3
_MEDIALS: Final = 21
_FINALS: Final = 28

# fmt: off
_INITIAL_RR: Final = (
    "G", "KK", "N", "D", "TT", "R", "M", "B", "PP", "S", "SS", "", "J", "JJ", "CH", "K", "T",
    "P", "H",
)
_MEDIAL_RR: Final = (
    "A", "AE", "YA", "YAE", "EO", "E", "YEO", "YE", "O", "WA", "WAE", "OE", "YO", "U", "WO",
    "WE", "WI", "YU", "EU", "UI", "I",
)
_FINAL_RR: Final = (
    "", "K", "K", "K", "N", "N", "N", "T", "L", "K", "M", "L", "L", "L", "P", "L", "M", "P",
    "P", "T", "T", "NG", "T", "T", "K", "T", "P", "T",
)

# Sound classes for `hangul_sound_code`: jamo that are easily confused in typing or hearing
# share a class (plain/aspirated/tense consonants; ㅐ/ㅔ, ㅓ/ㅗ, ㅕ/ㅛ, ㅙ/ㅚ/ㅞ, ㅜ/ㅡ, ㅢ/ㅣ).
_INITIAL_CLASS: Final = (
    "G", "G", "N", "D", "D", "R", "M", "B", "B", "S", "S", "", "J", "J", "J", "G", "D",
    "B", "H",
)
_MEDIAL_CLASS: Final = (
    "A", "E", "YA", "YE", "O", "E", "YO", "YE", "O", "WA", "WE", "WE", "YO", "U", "WO",
    "WE", "WI", "YU", "U", "I", "I",
)
# fmt: on

# Surname key -> (Hangul spellings, Latin spellings seen in passports and registries).
# The key is the Revised Romanization of the commonest Hangul spelling, except
# that 이/리 -> "I" and 류/유 -> "YU" share one key each.
# fmt: off
KOREAN_SURNAMES: Final[dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "GIM": (("김",), ("KIM", "GIM", "KHIM")),
    "I": (("이", "리"), ("LEE", "YI", "RHEE", "RHIE", "I", "LI", "RI", "YEE", "LIE")),
    "BAK": (("박",), ("PARK", "PAK", "BAK", "BARK", "PAKE")),
    "CHOE": (("최",), ("CHOI", "CHOE", "CHEY", "CHOY", "CHWE")),
    "JEONG": (("정",), ("JUNG", "JEONG", "CHUNG", "CHEONG", "JOUNG", "JEUNG", "CHONG")),
    "GANG": (("강",), ("KANG", "GANG")),
    "JO": (("조",), ("CHO", "JO", "CHOH", "JOH")),
    "YUN": (("윤",), ("YOON", "YUN", "YOUN")),
    "JANG": (("장",), ("JANG", "CHANG")),
    "IM": (("임", "림"), ("LIM", "IM", "RIM", "YIM", "LYM")),
    "HAN": (("한",), ("HAN", "HAHN")),
    "O": (("오",), ("OH", "O")),
    "SEO": (("서",), ("SEO", "SUH", "SUR", "SOH")),
    "SIN": (("신",), ("SHIN", "SIN", "SHEEN")),
    "GWON": (("권",), ("KWON", "GWON", "KUON")),
    "HWANG": (("황",), ("HWANG", "WHANG")),
    "AN": (("안",), ("AHN", "AN")),
    "SONG": (("송",), ("SONG",)),
    "YU": (("유", "류"), ("YOO", "YU", "RYU", "RHYU", "YOU", "LYU", "RYOO", "RYOU")),
    "JEON": (("전",), ("JEON", "JUN", "CHUN", "CHON", "JUHN")),
    "HONG": (("홍",), ("HONG",)),
    "GO": (("고",), ("KO", "GO", "KOH")),
    "MUN": (("문",), ("MOON", "MUN", "MOUN")),
    "YANG": (("양",), ("YANG",)),
    "SON": (("손",), ("SON", "SOHN")),
    "BAE": (("배",), ("BAE", "PAE", "BAI", "PAI")),
    "BAEK": (("백",), ("BAEK", "PAEK", "BAIK", "PAIK", "BACK")),
    "HEO": (("허",), ("HEO", "HUH", "HUR", "HEOH")),
    "NO": (("노", "로"), ("NOH", "NO", "ROH", "RHO", "RO")),
    "NAM": (("남",), ("NAM",)),
    "SIM": (("심",), ("SIM", "SHIM")),
    "HA": (("하",), ("HA", "HAH")),
    "GWAK": (("곽",), ("KWAK", "GWAK")),
    "SEONG": (("성",), ("SUNG", "SEONG")),
    "CHA": (("차",), ("CHA",)),
    "JU": (("주",), ("JOO", "JU", "CHOO", "CHU")),
    "U": (("우",), ("WOO", "WU", "U")),
    "GU": (("구",), ("KOO", "KU", "GU")),
    "MIN": (("민",), ("MIN",)),
    "NA": (("나", "라"), ("NA", "RA")),
    "JIN": (("진",), ("JIN", "CHIN")),
    "JI": (("지",), ("JI", "CHI")),
    "EOM": (("엄",), ("EOM", "UM", "EUM", "UHM")),
    "CHAE": (("채",), ("CHAE", "CHAI")),
    "WON": (("원",), ("WON", "WEON")),
    "BANG": (("방",), ("BANG", "PANG")),
    "GONG": (("공",), ("KONG", "GONG")),
    "HYEON": (("현",), ("HYUN", "HYEON")),
    "HAM": (("함",), ("HAM", "HAHM")),
    "YEOM": (("염",), ("YEOM", "YUM")),
    "YEO": (("여",), ("YEO", "YUH", "YEOH")),
    "DO": (("도",), ("DO", "DOH", "TOH")),
    "SEOK": (("석",), ("SEOK", "SUK")),
    "SEOL": (("설",), ("SEOL", "SUL")),
    "GIL": (("길",), ("KIL", "GIL")),
    "MA": (("마",), ("MA",)),
    "PYO": (("표",), ("PYO", "PYOH")),
    "MYEONG": (("명",), ("MYUNG", "MYEONG")),
    "NAMGUNG": (("남궁",), ("NAMGUNG", "NAMGOONG", "NAMKUNG")),
    "HWANGBO": (("황보",), ("HWANGBO", "HWANGBOH")),
    "JEGAL": (("제갈",), ("JEGAL", "CHEGAL")),
    "SEONU": (("선우",), ("SEONU", "SUNWOO", "SUNU")),
    "DOKGO": (("독고",), ("DOKGO", "TOKKO")),
    "SAGONG": (("사공",), ("SAGONG", "SAKONG")),
}
# fmt: on

_SURNAME_INDEX: Final[dict[str, str]] = {
    spelling: key
    for key, (hangul, latin) in KOREAN_SURNAMES.items()
    for spelling in (*hangul, *latin)
}
_DOUBLE_HANGUL_SURNAMES: Final = frozenset(
    h for hangul, _latin in KOREAN_SURNAMES.values() for h in hangul if len(h) == 2
)


def _romanise_syllable(ch: str) -> str:
    index = ord(ch) - _SYLLABLE_BASE
    initial, rest = divmod(index, _MEDIALS * _FINALS)
    medial, final = divmod(rest, _FINALS)
    return _INITIAL_RR[initial] + _MEDIAL_RR[medial] + _FINAL_RR[final]


@lru_cache(maxsize=65_536)
def romanise_hangul(s: str) -> str:
    """Revised Romanization (upper case) of every Hangul syllable in `s`.

    Each syllable is decomposed arithmetically (syllable = 0xAC00 +
    (initial * 21 + medial) * 28 + final) and its jamo romanised on their own:
    "김민준" -> "GIMMINJUN", "이서연" -> "ISEOYEON". Other characters, spaces
    included, pass through unchanged.
    """
    out: list[str] = []
    for ch in s:
        if _SYLLABLE_BASE <= ord(ch) <= _SYLLABLE_LAST:
            out.append(_romanise_syllable(ch))
        else:
            out.append(ch)
    return "".join(out)


@lru_cache(maxsize=65_536)
def hangul_sound_code(s: str) -> str:
    """A phonetic code of the Hangul syllables in `s` that keeps their vowels.

    The Spanish code of a romanised Korean given name keeps only its consonants, and Korean
    given names differ mostly by their vowels (지우/재이/주아 all give "J"). Here each
    syllable keeps the class of its initial consonant, of its vowel and of its final
    consonant, so easily confused jamo still agree (서연 and 소연 give "SOYON", 지우 "JIU",
    지유 "JIYU"). Characters that are not Hangul syllables are left out.
    """
    out: list[str] = []
    for ch in s:
        index = ord(ch) - _SYLLABLE_BASE
        if 0 <= index <= _SYLLABLE_LAST - _SYLLABLE_BASE:
            initial, rest = divmod(index, _MEDIALS * _FINALS)
            medial, final = divmod(rest, _FINALS)
            out.append(_INITIAL_CLASS[initial] + _MEDIAL_CLASS[medial] + _FINAL_RR[final])
    return "".join(out)


def is_korean_surname(s: str) -> bool:
    """True when `s` (any script) is a known spelling of a Korean surname."""
    return normalise_name(s).replace(" ", "") in _SURNAME_INDEX


@lru_cache(maxsize=65_536)
def korean_surname_key(s: str) -> str:
    """One key for all spellings of a Korean surname.

    이/Lee/Yi/Rhee/I -> "I", 박/Park/Pak/Bak -> "BAK", 김/Kim/Gim -> "GIM",
    최/Choi/Choe -> "CHOE", 정/Jung/Jeong/Chung -> "JEONG" and so on for the
    surnames in :data:`KOREAN_SURNAMES`. An unknown surname gets its
    normalised (and, if Hangul, romanised) spelling without spaces.
    """
    compact = normalise_name(s).replace(" ", "")
    known = _SURNAME_INDEX.get(compact)
    if known is not None:
        return known
    return romanise_hangul(compact) if has_hangul(compact) else compact


def split_korean_name(s: str) -> tuple[str, str] | None:
    """(surname, given) of a full Korean name in Korean order, or None if it is not one.

    Hangul without spaces splits after the first syllable, or the first two for
    the two-syllable surnames (남궁, 황보, 제갈, ...). Latin or spaced input is
    Korean when its first word is a known Korean surname spelling and at least
    one more word follows: "KIM MINJUN" -> ("KIM", "MINJUN").
    """
    text = normalise_name(s)
    if not text:
        return None
    words = text.split()
    if len(words) == 1:
        word = words[0]
        if not has_hangul(word) or len(word) < 2:
            return None
        cut = 2 if word[:2] in _DOUBLE_HANGUL_SURNAMES and len(word) > 2 else 1
        return word[:cut], word[cut:]
    if words[0] in _SURNAME_INDEX:
        return words[0], " ".join(words[1:])
    return None


@lru_cache(maxsize=65_536)
def korean_fold(s: str) -> str:
    """Fold the usual spelling variants of romanised Korean onto one string.

    Used to compare given names: MINJOON/MINJUN/민준, SEOYEON/SEO-YEON/서연,
    HYUN/HYEON. Hangul is romanised first; per word, a trailing H that closes a
    syllable is dropped (SUH -> SU); then voiced and voiceless consonants are
    merged (K/G, P/B, T/D, CH/J, R/L, SH/S) and the vowels EO, OO, OU, EU
    become U, AE becomes E; words are joined and doubled letters collapsed.
    """
    text = normalise_name(s)
    if has_hangul(text):
        text = romanise_hangul(text)
    parts: list[str] = []
    for word in text.split():
        w = word
        if len(w) > 1 and w.endswith("H") and w[-2] in "AEIOUY":
            w = w[:-1]
        for old, new in (
            ("SH", "S"),
            ("CH", "J"),
            ("EO", "U"),
            ("OO", "U"),
            ("OU", "U"),
            ("EU", "U"),
            ("AE", "E"),
            ("K", "G"),
            ("P", "B"),
            ("T", "D"),
            ("L", "R"),
        ):
            w = w.replace(old, new)
        parts.append(w)
    joined = "".join(parts)
    collapsed: list[str] = []
    for ch in joined:
        if not collapsed or collapsed[-1] != ch:
            collapsed.append(ch)
    return "".join(collapsed)
