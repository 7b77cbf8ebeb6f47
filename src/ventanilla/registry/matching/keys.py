"""Blocking keys: short indexable strings that true duplicates share.

The registry stores every key of every person in an indexed ``(key) -> person``
table and fetches candidates with ``WHERE key IN (...)``; only those candidates
are scored. Each key is prefixed by its kind.

With a birth date (``D`` is the date with month and day sorted, so a
day/month swap keeps it; ``S1``/``S2`` are surname codes, ``G`` the given-name
code):

==========  ================================  =========================================
kind        made of                           survives
==========  ================================  =========================================
``ds:``     D + sex + S1                      typo in given name or second surname,
``ds:``     D + sex + S2                      swapped surnames (same kind for both),
                                              missing second surname, day/month swap
``dg:``     D + G                             typo in either surname, sex error
``md:``     month/day + G[:3] + {S1, S2}[:3]  birth year wrong (off by one or a typo),
                                              with a late typo in a name as well
``yn:``     year + G[:3] + {S1, S2}[:3]       month or day wrong (digit typo), likewise
``m:``      D + parent's name code            given name changed, both surnames wrong
``mg:``     parent's name code + G            any birth-date error, surname errors
==========  ================================  =========================================

G is the given name's blocking code: its Spanish phonetic code, or for a given name written
in Hangul a code that keeps the vowels (`hangul_sound_code`: 지우 → JIU, where the Spanish
code of JIU is only J). A Hangul given name also gets ``dg:`` with its Spanish code, which
the same name in its Revised Romanization (JI-U, MINJUN) shares, and its ``md:``/``yn:``
keys take its whole code, not the first three symbols (one syllable, shared by siblings).

The parent is the mother, or the father when the mother is unknown.
``{S1, S2}`` is the sorted pair, so swapped surnames keep those keys too.

Without a birth date the keys are name-and-place combinations (``ng:``,
``ns:``, ``np:``, ``gp:``), each leaving out one name field.

Sizes at 10 million people with Mexican name frequencies: about 27,000
people share a month/day, ~270 a full date (x1.4 with the swap folding);
HERNANDEZ, the commonest surname (~3-5 % of each surname slot), then leaves
about a dozen per ``ds:`` key once sex is added, and the other keys are
narrower still. Korean surnames are more concentrated (김 ~21 %), so ``ds:``
keys for 김/이/박 hold a few hundred people in a national Korean register;
``dg:`` keys stay small there.
"""

from __future__ import annotations

from .features import RecordFeatures, features_of
from .korean import korean_surname_key, split_korean_name
from .normalise import canonical_tokens
from .phonetic import spanish_phonetic
from .record import MatchRecord

__all__ = ["MAX_KEYS", "blocking_keys", "keys_from_features", "name_key"]

MAX_KEYS = 8
_CODE_LEN = 10  # phonetic codes are cut to keep keys short and indexable
_PREFIX = 3
_PARENT_LEN = 24  # a parent's whole name (four words) is more telling than a given name


def _c(code: str) -> str:
    return code[:_CODE_LEN]


def _unordered(x: str, y: str) -> str:
    """The two codes in a fixed order, so swapped surnames give the same string."""
    if not y:
        return x
    if not x:
        return y
    return f"{x}+{y}" if x <= y else f"{y}+{x}"


def keys_from_features(f: RecordFeatures) -> set[str]:
    """Blocking keys of a record's derived values (see the module docstring)."""
    g = _c(f.given.block)
    s1 = _c(f.first.block)
    s2 = _c(f.second.block)
    pair = _unordered(s1, s2)
    # Code prefixes: most typos fall after the third symbol, so keys made of
    # prefixes also survive a typo on top of the error they are built for.
    short = _unordered(s1[:_PREFIX], s2[:_PREFIX])
    parent = (f.mother.code or f.father.code)[:_PARENT_LEN]
    keys: set[str] = set()
    if f.date is not None:
        d = f.date.canonical
        if s1:
            keys.add(f"ds:{d}{f.sex}:{s1}")
        if s2:
            keys.add(f"ds:{d}{f.sex}:{s2}")
        if g:
            keys.add(f"dg:{d}:{g}")
            hangul = f.given.block != f.given.code
            if hangul and f.given.code:
                keys.add(f"dg:{d}:{_c(f.given.code)}")
            if short:
                # A Hangul code's first three symbols are its first syllable, which siblings
                # and a whole generation of namesakes share; its sound classes already
                # absorb the usual typos, so it is kept whole.
                gp = g if hangul else g[:_PREFIX]
                keys.add(f"md:{f.date.month_day}:{gp}:{short}")
                keys.add(f"yn:{f.date.year}:{gp}:{short}")
        if parent:
            keys.add(f"m:{d}:{parent}")
            if g:
                keys.add(f"mg:{parent}:{g}")
        return keys
    place = f.place
    if g and pair:
        keys.add(f"ng:{g}:{pair}")
    for s in (s1, s2):
        if s and g:
            keys.add(f"ns:{s}:{g}:{place}")
    if pair:
        keys.add(f"np:{pair}:{place}")
    if g:
        keys.add(f"gp:{g}:{place}:{f.sex}")
    return keys


def blocking_keys(r: MatchRecord) -> set[str]:
    """The blocking keys of a record (at most :data:`MAX_KEYS`)."""
    return keys_from_features(features_of(r))


def name_key(s: str) -> str:
    """A script- and spelling-independent key of a full name.

    Korean names (Hangul, or Latin starting with a known Korean surname
    spelling) give ``<surname key> <given-name code>``: "김민준", "KIM MINJUN"
    and "Kim Min-jun" all give "GIM MNJN"; "이서연" and "LEE SEOYEON" give
    "I SYN". Other names give the Spanish phonetic code of each word, particles
    dropped and MA./FCO./GPE. expanded: "José Peña" and "JOSE PENA" give "JS PN".
    """
    parts = split_korean_name(s)
    if parts is not None:
        surname, given = parts
        code = spanish_phonetic(given).replace(" ", "")
        return f"{korean_surname_key(surname)} {code}".strip()
    return " ".join(spanish_phonetic(t) for t in canonical_tokens(s, given=True))
