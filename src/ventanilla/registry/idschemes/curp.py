"""CURP, Mexico's Clave Única de Registro de Población.

Built following RENAPO's *Instructivo Normativo para la Asignación de la CURP*:

====  ==================================================================
1     first letter of the first surname
2     first internal vowel of the first surname (X if none)
3     first letter of the second surname (X if none)
4     first letter of the given name (the second one after MARIA/JOSE)
5-10  birth date, YYMMDD
11    H (man), M (woman), X (non-binary, issued since 2023)
12-13 state of birth, NE if born abroad
14-16 first internal consonant of first surname, second surname, given name
17    homonym differentiator: 0-9 if born before 2000, A-Z from 2000
18    check digit
====  ==================================================================

Name handling:

* Upper-case, accents dropped (Á→A, Ü→U); Ñ becomes X.
* Apostrophes, dots and hyphens are removed (O'HIGGINS → OHIGGINS).
* Any other character that is not A-Z (e.g. the "/" of D/AMICO) is a
  "special character": it becomes X and, like the Instructivo's example
  JUAN JOSE D/AMICO ALVAREZ → DXAJ, it ends the search for an internal vowel
  or consonant when reached first.
* Particles (DE, DEL, LA, MC, VAN, Y, ...) are dropped unless nothing else
  is left; of a compound surname only the first remaining word counts
  (RIVA PALACIO → RIVA).
* If the first given name is MARIA/MA/M or JOSE/J and there is another one,
  the next one counts (MA. DE LOS ANGELES → ANGELES).
* If letters 1-4 spell a word on RENAPO's list of inconvenient words, the
  second letter becomes X (PEDRERO DOMINGUEZ OFELIA → PXDO).

`is_valid` is stricter than python-stdnum about structure (position 2 must be
a vowel or X, positions 14-16 consonants or X) and, unlike stdnum 2.2, accepts
sex X; stdnum still vets every other part of such a CURP.
"""

from __future__ import annotations

import datetime
import re
import string
import unicodedata
from functools import lru_cache
from typing import Final

from stdnum.mx import curp as stdnum_curp

from ._base import DecodedId, IdSubject, InvalidIdError, check_variant, compact

# fmt: off
_PARTICLES: Final = frozenset([
    "DA", "DAS", "DE", "DEL", "DER", "DI", "DIE", "DD", "EL", "LA",
    "LOS", "LAS", "LE", "LES", "MAC", "MC", "VAN", "VON", "Y",
])
# Abbreviations lose their dot during normalisation, so "MA." arrives as "MA".
_SKIPPED_GIVEN_NAMES: Final = frozenset(["MARIA", "MA", "M", "JOSE", "J"])

# RENAPO's catalogue of "palabras inconvenientes".
_INCONVENIENT_WORDS: Final = frozenset([
    "BACA", "BAKA", "BUEI", "BUEY", "CACA", "CACO", "CAGA", "CAGO", "CAKA", "CAKO", "COGE", "COGI",
    "COJA", "COJE", "COJI", "COJO", "COLA", "CULO", "FALO", "FETO", "GETA", "GUEI", "GUEY", "JETA",
    "JOTO", "KACA", "KACO", "KAGA", "KAGO", "KAKA", "KAKO", "KOGE", "KOGI", "KOJA", "KOJE", "KOJI",
    "KOJO", "KOLA", "KULO", "LILO", "LOCA", "LOCO", "LOKA", "LOKO", "MAME", "MAMO", "MEAR", "MEAS",
    "MEON", "MIAR", "MION", "MOCO", "MOKO", "MULA", "MULO", "NACA", "NACO", "PEDA", "PEDO", "PENE",
    "PIPI", "PITO", "POPO", "PUTA", "PUTO", "QULO", "RATA", "ROBA", "ROBE", "ROBO", "RUIN", "SENO",
    "TETA", "VACA", "VAGA", "VAGO", "VAKA", "VUEI", "VUEY", "WUEI", "WUEY",
])

# RENAPO's state catalogue. Mexico City kept DF; CM is Colima, MC Estado de México.
_STATES: Final = frozenset([
    "AS", "BC", "BS", "CC", "CL", "CM", "CS", "CH", "DF", "DG", "GT", "GR",
    "HG", "JC", "MC", "MN", "MS", "NT", "NL", "OC", "PL", "QT", "QR", "SP",
    "SL", "SR", "TC", "TS", "TL", "VZ", "YN", "ZS", "NE",
])
# fmt: on
FOREIGN_STATE: Final = "NE"

_VOWELS: Final = frozenset("AEIOU")
# Stand-in for a character RENAPO cannot encode; it is written out as X.
_SPECIAL: Final = "*"
_DROPPED: Final = frozenset("'\u2018\u2019\u02bc`\u00b4.-\u2010\u2011\u2013\u2014")
_ASCII_UPPER: Final = frozenset(string.ascii_uppercase)

# Ñ sits between N and O, so O..Z weigh one more than their plain A-Z index.
_CHECK_ALPHABET: Final = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"
_CHECK_VALUE: Final = {c: i for i, c in enumerate(_CHECK_ALPHABET)}
_HOMONYMS_20TH: Final = string.digits
_HOMONYMS_21ST: Final = string.ascii_uppercase

_SEX_TO_CODE: Final = {"M": "H", "F": "M", "X": "X"}
_CODE_TO_SEX: Final = {code: sex for sex, code in _SEX_TO_CODE.items()}

_SHAPE: Final = re.compile(
    r"[A-Z][AEIOUX][A-Z]{2}[0-9]{6}[HMX][A-Z]{2}[B-DF-HJ-NP-TV-Z]{3}[0-9A-Z][0-9]"
)


def _words(raw: str) -> list[str]:
    """Split a name into words of A-Z plus `_SPECIAL`."""
    # NFC first so a decomposed "N + combining tilde" is still caught as Ñ;
    # apostrophes go before NFKD, which would turn "´" into a space.
    text = unicodedata.normalize("NFC", raw).upper().replace("Ñ", "X")
    text = "".join(c for c in text if c not in _DROPPED)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    words = []
    for word in text.split():
        # Filter again: NFKD turns a full-width apostrophe into a plain one.
        kept = "".join(c if c in _ASCII_UPPER else _SPECIAL for c in word if c not in _DROPPED)
        if kept:
            words.append(kept)
    return words


def _without_particles(words: list[str]) -> list[str]:
    kept = [w for w in words if w not in _PARTICLES]
    return kept or words


# Names repeat (a few thousand surnames cover most of a country): each is analysed once.
@lru_cache(maxsize=65_536)
def _surname_word(raw: str) -> str | None:
    words = _without_particles(_words(raw))
    return words[0] if words else None


@lru_cache(maxsize=65_536)
def _given_name_word(raw: str) -> str | None:
    words = _without_particles(_words(raw))
    if not words:
        return None
    if len(words) > 1 and words[0] in _SKIPPED_GIVEN_NAMES:
        return words[1]
    return words[0]


def _x(char: str) -> str:
    return "X" if char == _SPECIAL else char


def _internal(word: str | None, *, vowel: bool) -> str:
    """First vowel (or consonant) after the first letter; X if there is none.

    A special character reached first also gives X (the Instructivo's D/AMICO → DX).
    """
    if word is None:
        return "X"
    for char in word[1:]:
        if char == _SPECIAL or (char in _VOWELS) == vowel:
            return _x(char)
    return "X"


def _check_digit(first17: str) -> str:
    total = sum(_CHECK_VALUE[c] * (18 - i) for i, c in enumerate(first17))
    return str((10 - total % 10) % 10)


def _homonyms(year: int) -> str:
    if 1900 <= year <= 1999:
        return _HOMONYMS_20TH
    if 2000 <= year <= 2099:
        return _HOMONYMS_21ST
    raise InvalidIdError("unsupported_date", "a CURP encodes births from 1900 to 2099 only")


class CurpScheme:
    """Mexico's CURP; see the module docstring for the construction rules."""

    code: str = "curp"
    label: str = "CURP"
    # Letters A-Z plus digits 0-9; a given subject only ever gets one of the two.
    max_variants: int = 36

    def variants_for(self, subject: IdSubject) -> int:
        return len(_homonyms(subject.birth_date.year))

    def propose(self, subject: IdSubject, variant: int = 0) -> str:
        homonyms = _homonyms(subject.birth_date.year)
        check_variant(self.code, variant, len(homonyms))

        first = _surname_word(subject.first_surname)
        second = _surname_word(subject.second_surname)
        given = _given_name_word(subject.given_names)
        if first is None or given is None:
            raise InvalidIdError("invalid_name", "a first surname and a given name are required")

        letters = (
            _x(first[0])
            + _internal(first, vowel=True)
            + (_x(second[0]) if second else "X")
            + _x(given[0])
        )
        if letters in _INCONVENIENT_WORDS:
            letters = letters[0] + "X" + letters[2:]

        sex = _SEX_TO_CODE.get(subject.sex)
        if sex is None:
            raise InvalidIdError("invalid_sex", f"unknown sex {subject.sex!r}")
        state = FOREIGN_STATE if subject.foreign else subject.birth_state.strip().upper()
        if state not in _STATES:
            raise InvalidIdError("invalid_state", f"not a CURP state code: {state!r}")

        born = subject.birth_date
        first17 = (
            f"{letters}{born.year % 100:02d}{born.month:02d}{born.day:02d}{sex}{state}"
            + _internal(first, vowel=False)
            + _internal(second, vowel=False)
            + _internal(given, vowel=False)
            + homonyms[variant]
        )
        return first17 + _check_digit(first17)

    def first_variant(self, subject: IdSubject) -> int:
        return 0

    def encodes(self, subject: IdSubject, value: str) -> bool:
        curp = self.normalise(value)
        return any(self.propose(subject, v) == curp for v in range(self.variants_for(subject)))

    def is_valid(self, value: str) -> bool:
        try:
            self.decode(value)
        except InvalidIdError:
            return False
        curp = self.normalise(value)
        if curp[10] == "X":
            # stdnum 2.2 predates sex X: let it judge the rest with H in its
            # place; the check digit was already verified by decode().
            return bool(
                stdnum_curp.is_valid(curp[:10] + "H" + curp[11:], validate_check_digits=False)
            )
        return bool(stdnum_curp.is_valid(curp))

    def normalise(self, value: str) -> str:
        return compact(value)

    def format(self, value: str) -> str:
        return self.normalise(value)

    def decode(self, value: str) -> DecodedId:
        curp = self.normalise(value)
        if len(curp) != 18:
            raise InvalidIdError("invalid_length", "a CURP has 18 characters")
        if not _SHAPE.fullmatch(curp):
            raise InvalidIdError("invalid_format", "not shaped like a CURP")
        if curp[:4] in _INCONVENIENT_WORDS:
            raise InvalidIdError("inconvenient_word", "RENAPO never issues these letters")
        year = int(curp[4:6]) + (1900 if curp[16].isdigit() else 2000)
        try:
            born = datetime.date(year, int(curp[6:8]), int(curp[8:10]))
        except ValueError:
            raise InvalidIdError("invalid_date", "the birth date does not exist") from None
        state = curp[11:13]
        if state not in _STATES:
            raise InvalidIdError("invalid_state", f"not a CURP state code: {state!r}")
        if curp[17] != _check_digit(curp[:17]):
            raise InvalidIdError("invalid_check_digit", "the check digit does not match")
        return DecodedId(birth_date=born, sex=_CODE_TO_SEX[curp[10]], state_code=state)

    def keyed(self, key: bytes) -> CurpScheme:
        """The CURP leaves nothing to chance (the homonym character is the first free one)."""
        return self

    def mask(self, value: str) -> str:
        """Keep the four name letters and the last two characters: GOMA************07.

        Birth date, sex and state are hidden; initials plus the homonym and
        check characters still let a person recognise their own CURP.
        Anything not 18 characters long is starred out entirely.
        """
        curp = self.normalise(value)
        if len(curp) != 18:
            return "*" * len(curp)
        return curp[:4] + "*" * 12 + curp[16:]
