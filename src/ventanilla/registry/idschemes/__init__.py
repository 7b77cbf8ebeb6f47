"""Pluggable national ID schemes (CURP, RRN, ...): propose, validate, decode, show.

Pure Python so that imports, data migrations and benchmarks can use it without
Django. The registry picks a scheme with `get_scheme(country_scheme_code)` and
calls ``propose(subject, variant)`` from ``first_variant(subject)`` on, wrapping
round, until the database's unique constraint accepts one.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from ._base import DecodedId, IdScheme, IdSpaceExhaustedError, IdSubject, InvalidIdError
from .curp import CurpScheme
from .rrn import RrnScheme

__all__ = [
    "CurpScheme",
    "DecodedId",
    "IdScheme",
    "IdSpaceExhaustedError",
    "IdSubject",
    "InvalidIdError",
    "RrnScheme",
    "get_scheme",
    "scheme_codes",
]

_SCHEMES: Final[Mapping[str, IdScheme]] = MappingProxyType(
    {scheme.code: scheme for scheme in (CurpScheme(), RrnScheme())}
)


def get_scheme(code: str) -> IdScheme:
    """The scheme registered under `code`; KeyError if there is none."""
    try:
        return _SCHEMES[code]
    except KeyError:
        raise KeyError(f"unknown ID scheme: {code!r}") from None


def scheme_codes() -> tuple[str, ...]:
    return tuple(_SCHEMES)
