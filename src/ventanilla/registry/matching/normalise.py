"""Name normalisation shared by blocking and scoring.

Everything here is a pure function of its input string, so the keys a registry
stores today are reproduced exactly by a later lookup.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

__all__ = [
    "GIVEN_ABBREVIATIONS",
    "PARTICLES",
    "canonical_tokens",
    "has_hangul",
    "is_hangul_char",
    "normalise_name",
    "significant_given_tokens",
]

# Apostrophe-like marks are deleted outright (O'Brien -> OBRIEN, D'Angelo -> DANGELO);
# every other non-alphanumeric character separates words.
_APOSTROPHES: Final = frozenset("'\u2018\u2019\u02bc\u02bb\u0060\u00b4")

# Connecting words of compound names. They carry no identity: "DE LA CRUZ" and
# "CRUZ" are the same surname as written by different clerks.
PARTICLES: Final[frozenset[str]] = frozenset(
    {"DE", "DEL", "LA", "LAS", "LOS", "EL", "Y", "DA", "DAS", "DO", "DOS", "DI", "VAN", "VON"}
)

# Abbreviations clerks write for the commonest Mexican given names (after
# normalisation, so "Ma." is "MA").
GIVEN_ABBREVIATIONS: Final[dict[str, str]] = {
    "MA": "MARIA",
    "MARIA": "MARIA",
    "FCO": "FRANCISCO",
    "GPE": "GUADALUPE",
    "JSE": "JOSE",
    "J": "JOSE",  # "J. JESUS", "J. GUADALUPE"
}

# First given names that the CURP algorithm skips when another follows, because
# "MARIA GUADALUPE" is known and often written simply as "GUADALUPE".
_SKIPPABLE_FIRST_GIVEN: Final = frozenset({"MARIA", "JOSE"})

_HANGUL_CLASS: Final = "\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\ud7b0-\ud7ff"
# Precomposed syllables, conjoining jamo, compatibility jamo, jamo extended-A and -B.
_HANGUL_RE: Final = re.compile(f"[{_HANGUL_CLASS}]")


def is_hangul_char(ch: str) -> bool:
    """True for a Hangul syllable or jamo."""
    return _HANGUL_RE.fullmatch(ch) is not None


def has_hangul(s: str) -> bool:
    """True when `s` contains any Hangul syllable or jamo."""
    return _HANGUL_RE.search(s) is not None


@lru_cache(maxsize=16_384)
def _map_char(ch: str) -> str:
    """What one (NFC) character becomes: Hangul itself, letters/digits upper-cased
    without diacritics, apostrophes nothing, anything else a space."""
    if is_hangul_char(ch):
        return ch
    if ch in _APOSTROPHES:
        return ""
    out: list[str] = []
    for part in unicodedata.normalize("NFKD", ch.upper()):
        if unicodedata.combining(part):
            continue  # accents, tildes (Ñ -> N), diaereses (Ü -> U)
        if part.isalnum():
            out.append(part.upper())
        elif part not in _APOSTROPHES:
            out.append(" ")
    return "".join(out)


def _build_fast_table() -> dict[int, str]:
    """str.translate table for Latin characters whose mapping is plain ASCII."""
    table: dict[int, str] = {}
    for code in range(0x250):
        mapped = _map_char(chr(code))
        if mapped.isascii() and mapped == mapped.upper():
            table[code] = mapped
    return table


_FAST_TABLE: Final = _build_fast_table()
_FAST_LIMIT: Final = "\u0250"


def _normalise_fast(s: str) -> str | None:
    """Latin-script names (almost all of them) in one translate; None if another script occurs."""
    if max(s, default=" ") >= _FAST_LIMIT:
        return None
    out = s.translate(_FAST_TABLE)
    if not out.isascii():
        return None
    return " ".join(out.split())


def _normalise_once(s: str) -> str:
    if not s.isascii():
        # NFC first so that a decomposed Hangul syllable (jamo sequence) is one syllable.
        s = unicodedata.normalize("NFC", s)
    return " ".join("".join(map(_map_char, s)).split())


@lru_cache(maxsize=262_144)
def normalise_name(s: str) -> str:
    """Normalise a name for matching.

    Upper-cases, removes accents and diacritics (Ñ is folded to N, Ü to U, so
    "PEÑA" and "PENA" agree), deletes apostrophes ("O'HIGGINS" -> "OHIGGINS"),
    turns every other punctuation mark into a word break ("MA." -> "MA",
    "PÉREZ-GARCÍA" -> "PEREZ GARCIA") and collapses runs of spaces. Hangul is
    kept as Hangul (composed to syllables). The result is idempotent:
    ``normalise_name(normalise_name(s)) == normalise_name(s)``.
    """
    fast = _normalise_fast(s)
    if fast is not None:
        return fast  # ASCII upper-case letters, digits and single spaces: already a fixed point
    current = _normalise_once(s)
    # A few compatibility characters only settle after a second pass (a lower-case
    # letter that appears when a ligature or modifier letter is decomposed, jamo
    # that compose into a syllable); iterate to the fixed point.
    for _ in range(4):
        again = _normalise_once(current)
        if again == current:
            break
        current = again
    return current


@lru_cache(maxsize=262_144)
def canonical_tokens(s: str, *, given: bool = False) -> tuple[str, ...]:
    """Words of a normalised name without particles; given names get abbreviations expanded.

    "MA. DE LOS ÁNGELES" -> ("MARIA", "ANGELES") with ``given=True``;
    "DE LA CRUZ" -> ("CRUZ",). A name made only of particles keeps them, so that
    "DE LA" is not confused with an empty name.
    """
    words = normalise_name(s).split()
    kept = [w for w in words if w not in PARTICLES]
    if not kept:
        kept = words
    if given:
        kept = [GIVEN_ABBREVIATIONS.get(w, w) for w in kept]
    return tuple(kept)


def significant_given_tokens(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Given-name words without a leading MARIA or JOSE when another name follows (CURP rule)."""
    if len(tokens) >= 2 and tokens[0] in _SKIPPABLE_FIRST_GIVEN:
        return tokens[1:]
    return tokens
