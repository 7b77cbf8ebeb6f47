"""Types shared by every national ID scheme. Pure Python: no Django here."""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

# Separators people type or paste into ID fields; NFKC has already folded
# full-width forms (common with Korean IMEs) to ASCII before this applies.
_SEPARATORS = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212")


@dataclass(frozen=True, slots=True)
class IdSubject:
    """What a scheme needs to know about a person to propose their ID."""

    given_names: str
    first_surname: str
    second_surname: str
    birth_date: datetime.date
    sex: str  # "F", "M" or "X"
    birth_state: str  # the scheme's own state code; ignored when it has none
    # CURP: born abroad (state NE). RRN: not a Korean national (digits 5-8).
    foreign: bool = False


@dataclass(frozen=True, slots=True)
class DecodedId:
    """What can be read back out of an ID."""

    birth_date: datetime.date
    sex: str  # "F", "M" or "X"
    state_code: str | None


class InvalidIdError(ValueError):
    """An ID or a subject the scheme cannot handle; `code` is machine-readable.

    Codes: invalid_length, invalid_format, invalid_date, invalid_state,
    invalid_region, invalid_check_digit, inconvenient_word, invalid_sex,
    unsupported_sex, unsupported_date, invalid_name.
    """

    def __init__(self, code: str, message: str = "") -> None:
        self.code = code
        super().__init__(message or code)


class IdSpaceExhaustedError(ValueError):
    """Every variant of an ID for this subject has been handed out.

    Deliberately not an InvalidIdError: the subject is fine, the registry
    simply has to escalate to a human.
    """

    code = "id_space_exhausted"

    def __init__(self, scheme: str, variant: int, available: int) -> None:
        self.scheme = scheme
        self.variant = variant
        self.available = available
        super().__init__(f"{scheme}: variant {variant} requested, only {available} exist")


@runtime_checkable
class IdScheme(Protocol):
    """A national ID scheme the registry can propose, check and show IDs with."""

    code: str
    label: str
    # Upper bound over all subjects; `variants_for` gives the subject's own bound.
    max_variants: int

    def variants_for(self, subject: IdSubject) -> int: ...

    def propose(self, subject: IdSubject, variant: int = 0) -> str: ...

    def first_variant(self, subject: IdSubject) -> int:
        """Where the search for a free variant starts; it goes on with the next ones, wrapping
        round. 0 where the order means something (the CURP's first homonym); elsewhere a
        point spread over the whole range, so that a crowded birth date costs no longer
        search than a quiet one."""
        ...

    def encodes(self, subject: IdSubject, value: str) -> bool:
        """Whether `value` is an ID this scheme could give `subject` (any variant), so a
        person whose data changed may keep it."""
        ...

    def is_valid(self, value: str) -> bool: ...

    def normalise(self, value: str) -> str: ...

    def format(self, value: str) -> str: ...

    def decode(self, value: str) -> DecodedId: ...

    def mask(self, value: str) -> str: ...

    def keyed(self, key: bytes) -> IdScheme:
        """This scheme with its free choices (such as random-looking serials) derived from
        `key`, a deployment secret of at most 64 bytes; schemes without such choices return
        themselves."""
        ...


def compact(value: str) -> str:
    """Fold compatibility forms, drop whitespace and dashes, upper-case."""
    folded = unicodedata.normalize("NFKC", value)
    # Category Cf covers zero-width spaces and direction marks pasted along.
    return "".join(
        c
        for c in folded
        if not c.isspace() and c not in _SEPARATORS and unicodedata.category(c) != "Cf"
    ).upper()


def check_variant(scheme: str, variant: int, available: int) -> None:
    if variant < 0:
        raise ValueError(f"variant must be >= 0, got {variant}")
    if variant >= available:
        raise IdSpaceExhaustedError(scheme, variant, available)
