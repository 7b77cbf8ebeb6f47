"""A phonetic key for Spanish names as spoken in Mexico (seseo, yeísmo, silent H)."""

from __future__ import annotations

from functools import lru_cache
from typing import Final

from .korean import romanise_hangul
from .normalise import has_hangul, normalise_name

__all__ = ["spanish_phonetic"]

_VOWELS: Final = frozenset("AEIOU")
_FRONT: Final = frozenset("EI")


def _encode_word(word: str) -> str:
    """Phonetic symbols of one normalised word, vowels still present as themselves."""
    out: list[str] = []
    n = len(word)
    i = 0
    while i < n:
        c = word[i]
        nxt = word[i + 1] if i + 1 < n else ""
        after = word[i + 2] if i + 2 < n else ""
        step = 1
        if c in _VOWELS:
            out.append(c)
        elif c in "BVW":
            out.append("B")
        elif c == "C":
            if nxt == "H":
                out.append("C")  # CH keeps its own symbol
                step = 2
            elif nxt in _FRONT:
                out.append("S")
            else:
                out.append("K")
        elif c in "SZ":
            if c == "S" and nxt == "H":
                step = 2  # SH (loan words, Nahuatl) -> S
            out.append("S")
        elif c in "KQ":
            out.append("K")
            if c == "Q" and nxt == "U":
                step = 2  # the U of QU is never sounded
        elif c == "G":
            if nxt in _FRONT:
                out.append("J")
            else:
                out.append("G")
                if nxt == "U" and after in _FRONT:
                    step = 2  # GUE, GUI: silent U
        elif c in "JX":
            out.append("J")  # X as in MEXICO, XIMENA, XAVIER
        elif c == "H":
            pass  # silent
        elif c == "L":
            if nxt == "L":
                out.append("Y")  # yeismo: LL and Y sound alike
                step = 2
            else:
                out.append("L")
        elif c == "Y":
            out.append("Y" if nxt in _VOWELS else "I")
        elif c == "N":
            out.append("M" if nxt in ("B", "V", "P") else "N")
        elif c.isalpha() and c.isascii():
            out.append(c)  # D F M P R T keep their sound
        # digits and any non-Latin letters are ignored
        i += step
    return "".join(out)


@lru_cache(maxsize=262_144)
def spanish_phonetic(s: str) -> str:
    """Phonetic key of a Spanish name, one code per word separated by spaces.

    The input is first normalised with :func:`normalise_name` (upper case, no
    accents, Ñ -> N, punctuation removed); Hangul is romanised first. Each word
    is then encoded left to right with these rules:

    * B, V and W -> ``B`` (betacismo).
    * C before E or I, S and Z -> ``S`` (seseo); SH -> ``S``.
    * C before anything else, K, Q and QU -> ``K`` (the U of QU is dropped).
    * CH -> ``C`` (its own sound).
    * G before E or I -> ``J``; J -> ``J``; the U of GUE/GUI is dropped (G stays ``G``).
    * X -> ``J`` (MEXICO, XIMENA/JIMENA, XAVIER/JAVIER, ALEXANDRO/ALEJANDRO).
    * H is silent and dropped (except inside CH).
    * LL -> ``Y``; Y before a vowel -> ``Y``; Y elsewhere is the vowel ``I``.
    * N before B, V or P -> ``M`` (nasal assimilation).
    * D, F, L, M, N, P, R, T keep their letter.
    * Runs of the same symbol collapse (RR -> R, SS -> S, CC when both are K).
    * Vowels are kept only when they are the first symbol of the word
      (HERNANDEZ -> ``ERNNDS``), so vowel typos do not change the key.

    Examples: "VALDÉS" and "BALDEZ" -> ``BLDS``; "GUILLERMO" -> ``GYRM``;
    "PEÑA" -> ``PN``; "XIMENA" and "JIMENA" -> ``JMN``.
    """
    text = normalise_name(s)
    if has_hangul(text):
        text = romanise_hangul(text)
    codes: list[str] = []
    for word in text.split():
        symbols = _encode_word(word)
        collapsed: list[str] = []
        for sym in symbols:
            if not collapsed or collapsed[-1] != sym:
                collapsed.append(sym)
        if not collapsed:
            continue
        head = collapsed[0]
        tail = [sym for sym in collapsed[1:] if sym not in _VOWELS]
        codes.append(head + "".join(tail))
    return " ".join(codes)
