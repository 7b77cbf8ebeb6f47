"""RRN, Korea's resident registration number (주민등록번호).

``YYMMDD-GSSSSSC``: birth date; G the century and sex (9/0 1800s, 1/2 1900s,
3/4 2000s, 5/6 and 7/8 foreigners born in the 1900s/2000s, odd = male);
five serial digits; C the check digit, (11 - weighted sum mod 11) mod 10.

Since October 2020 the digits after G are issued at random. We map a variant
to a serial through a keyed permutation, so serials look random but two
variants of the same birth date and G never collide. The permutation's key
mixes the first seven digits with a deployment secret (`serial_key`, see
`registry.identity.scheme`), so the serials cannot be predicted from the birth
date alone.

Serials are limited to 00000-96999: python-stdnum rejects 97-99 in digits
8-9, which before 2020 held a region code. Hence 97 000 variants, not 100 000.

Numbers issued from October 2020 are random in *all* six trailing digits,
check digit included, so a genuine number of a child born since then fails the
checksum nine times in ten. The default (strict) scheme therefore checks the
region digits and the check digit only of numbers whose birth date is earlier
(`RANDOM_TAILS_FROM`); a number issued again since 2020 to someone born before
(a rare change of number) is refused by it. ``RrnScheme(strict=False)`` skips
both checks whatever the date.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Final

from stdnum.kr import rrn as stdnum_rrn

from ._base import DecodedId, IdSubject, InvalidIdError, check_variant, compact

_WEIGHTS: Final = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
_SERIALS: Final = 97_000
# Feistel halves: 312 * 312 = 97 344 is the smallest square >= _SERIALS, so
# cycle-walking back into range rarely takes more than one pass.
_HALF: Final = 312
_ROUNDS: Final = 6
_KEY_DOMAIN: Final = b"ventanilla/rrn/serial/v1:"

# (century, foreign, sex) -> seventh digit
_GENDER_DIGIT: Final = {
    (1800, False, "M"): "9",
    (1800, False, "F"): "0",
    (1900, False, "M"): "1",
    (1900, False, "F"): "2",
    (2000, False, "M"): "3",
    (2000, False, "F"): "4",
    (1900, True, "M"): "5",
    (1900, True, "F"): "6",
    (2000, True, "M"): "7",
    (2000, True, "F"): "8",
}
_DIGIT_MEANING: Final = {digit: key for key, digit in _GENDER_DIGIT.items()}

RANDOM_TAILS_FROM: Final = datetime.date(2020, 10, 1)
"""Births from this date get numbers with no region code and no check digit."""


def _check_digit(first12: str) -> str:
    total = sum(w * int(d) for w, d in zip(_WEIGHTS, first12, strict=True))
    return str((11 - total % 11) % 10)


def _round_value(key: bytes, round_no: int, right: int) -> int:
    digest = hashlib.blake2b(
        round_no.to_bytes(1, "big") + right.to_bytes(2, "big"), digest_size=8, key=key
    ).digest()
    return int.from_bytes(digest, "big") % _HALF


def _serial(prefix: str, variant: int, serial_key: bytes = b"") -> int:
    """A bijection of range(_SERIALS) keyed on the first seven digits and `serial_key`."""
    key = hashlib.blake2b(
        _KEY_DOMAIN + prefix.encode("ascii"), digest_size=32, key=serial_key
    ).digest()
    value = variant
    while True:
        left, right = divmod(value, _HALF)
        for round_no in range(_ROUNDS):
            left, right = right, (left + _round_value(key, round_no, right)) % _HALF
        value = left * _HALF + right
        # Cycle-walking: a permutation of the square, followed until it lands
        # back in range, is a permutation of the range.
        if value < _SERIALS:
            return value


class RrnScheme:
    """Korea's RRN; `strict=False` accepts post-2020 random tails (see module docstring)."""

    code: str = "rrn"
    label: str = "주민등록번호 (RRN)"
    max_variants: int = _SERIALS

    def __init__(self, *, strict: bool = True, serial_key: bytes = b"") -> None:
        if len(serial_key) > 64:
            raise ValueError("serial_key holds at most 64 bytes")
        self.strict = strict
        self.serial_key = serial_key

    def keyed(self, key: bytes) -> RrnScheme:
        return RrnScheme(strict=self.strict, serial_key=key)

    def variants_for(self, subject: IdSubject) -> int:
        return _SERIALS

    def propose(self, subject: IdSubject, variant: int = 0) -> str:
        check_variant(self.code, variant, _SERIALS)
        if subject.sex == "X":
            raise InvalidIdError("unsupported_sex", "an RRN only encodes male or female")
        if subject.sex not in ("M", "F"):
            raise InvalidIdError("invalid_sex", f"unknown sex {subject.sex!r}")
        born = subject.birth_date
        century = born.year - born.year % 100
        digit = _GENDER_DIGIT.get((century, subject.foreign, subject.sex))
        if digit is None:
            raise InvalidIdError(
                "unsupported_date", "RRNs encode births 1800-2099 (foreigners 1900-2099)"
            )
        prefix = f"{born.year % 100:02d}{born.month:02d}{born.day:02d}{digit}"
        first12 = f"{prefix}{_serial(prefix, variant, self.serial_key):05d}"
        return first12 + _check_digit(first12)

    def first_variant(self, subject: IdSubject) -> int:
        # From the names, so that a seeded register is the same on every run; keyed, so that
        # the serial says nothing about them. Persons born the same day then rarely meet.
        digest = hashlib.blake2b(
            "\x1f".join(
                (subject.given_names, subject.first_surname, subject.second_surname)
            ).encode("utf-8"),
            digest_size=8,
            key=self.serial_key,
            person=b"first-variant",
        ).digest()
        return int.from_bytes(digest, "big") % _SERIALS

    def encodes(self, subject: IdSubject, value: str) -> bool:
        rrn = self.normalise(value)
        return self.is_valid(rrn) and rrn[:7] == self.propose(subject)[:7]

    def is_valid(self, value: str) -> bool:
        try:
            decoded = self.decode(value)
        except InvalidIdError:
            return False
        if not self._has_check_digit(decoded.birth_date):
            return True
        return bool(stdnum_rrn.is_valid(self.normalise(value)))

    def _has_check_digit(self, born: datetime.date) -> bool:
        return self.strict and born < RANDOM_TAILS_FROM

    def normalise(self, value: str) -> str:
        return compact(value)

    def format(self, value: str) -> str:
        rrn = self.normalise(value)
        if len(rrn) == 13 and rrn.isascii() and rrn.isdigit():
            return f"{rrn[:6]}-{rrn[6:]}"
        return rrn

    def decode(self, value: str) -> DecodedId:
        rrn = self.normalise(value)
        if len(rrn) != 13:
            raise InvalidIdError("invalid_length", "an RRN has 13 digits")
        if not (rrn.isascii() and rrn.isdigit()):
            raise InvalidIdError("invalid_format", "an RRN has digits only")
        century, _foreign, sex = _DIGIT_MEANING[rrn[6]]
        try:
            born = datetime.date(century + int(rrn[:2]), int(rrn[2:4]), int(rrn[4:6]))
        except ValueError:
            raise InvalidIdError("invalid_date", "the birth date does not exist") from None
        if self._has_check_digit(born):
            if int(rrn[7:9]) > 96:
                raise InvalidIdError("invalid_region", "digits 8-9 are not a region code")
            if rrn[12] != _check_digit(rrn[:12]):
                raise InvalidIdError("invalid_check_digit", "the check digit does not match")
        return DecodedId(birth_date=born, sex=sex, state_code=None)

    def mask(self, value: str) -> str:
        """Korean practice: show the birth date and the sex digit, 900101-1******.

        Anything not 13 characters long is starred out entirely.
        """
        rrn = self.normalise(value)
        if len(rrn) != 13:
            return "*" * len(rrn)
        return f"{rrn[:6]}-{rrn[6]}******"
