"""Vital event forms: the profile's field list, the canonical keys services rely on,
and the cross-field rules (a death after the birth, a mother old enough…).

`clean` is the one gate every declaration and correction passes (the API and the pages
alike): each value must have its field's type (text is a string, a date an ISO
``YYYY-MM-DD`` string, a time ``HH:MM``), a name must read as a name, and a state or
municipality must be one of the jurisdiction catalogue's, the municipality inside the state.
Each refusal names its field, with a stable code (`ValidationFailed.details["field_codes"]`)
and a message in the user's language.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from typing import Any, Final

from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.core import jurisdictions
from ventanilla.core.country import current_profile
from ventanilla.core.errors import ValidationFailed
from ventanilla.core.models import Jurisdiction, JurisdictionLevel
from ventanilla.core.profiles import FieldSpec

#: The field holding each event's date (used for timeliness and sorting).
EVENT_DATE_FIELD = {
    "birth": "birth_date",
    "death": "death_date",
    "marriage": "marriage_date",
    "divorce": "divorce_date",
    "recognition": "recognition_date",
    "adoption": "adoption_date",
}
#: Fields that name an existing person, and the role that person plays in the record.
PERSON_REFS = {
    "birth": {"mother": "mother", "father": "father"},
    "death": {"deceased": "subject"},
    "marriage": {"spouse_a": "subject", "spouse_b": "spouse"},
    "divorce": {"spouse_a": "subject", "spouse_b": "spouse"},
    "recognition": {"child": "subject", "recognising_parent": "parent"},
    "adoption": {"child": "subject", "adoptive_parent_a": "parent", "adoptive_parent_b": "parent"},
}
#: Times of day. The profiles declare them as five-character text (the pages show a text
#: box); they are held to HH:MM here, as fields of type ``time`` would be.
TIME_FIELDS: Final = frozenset({"birth_time", "death_time"})

MAX_TEXT = 200
#: No civil-registry date is older than this, nor later than today.
EARLIEST: Final = dt.date(1850, 1, 1)

_ISO_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_HH_MM: Final = re.compile(r"[0-9]{2}:[0-9]{2}")
#: What a name may hold besides letters (any script) and their combining marks: spaces,
#: apostrophes (ASCII, typographic, modifier letter), dots and dashes. As the legacy import.
_NAME_PUNCTUATION: Final = frozenset(" '\u2019\u02bc-.")
_TRUE: Final = frozenset({"1", "true", "on", "yes"})
_FALSE: Final = frozenset({"0", "false", "off", "no"})


@dataclass
class Problems:
    fields: dict[str, list[str]]
    codes: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, message: str, code: str = "invalid") -> None:
        self.fields.setdefault(name, []).append(message)
        self.codes.setdefault(name, []).append(code)

    def raise_if_any(self) -> None:
        if self.fields:
            raise ValidationFailed(fields=self.fields, field_codes=self.codes)


class _Refused(ValueError):
    """A value its field cannot take: a stable code and the message for the user."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def field_specs(event_type: str) -> tuple[FieldSpec, ...]:
    return current_profile().event_type(event_type).fields


def _clean_text(value: str) -> str:
    text = unicodedata.normalize("NFC", value).strip()
    return " ".join(text.split())


def _name_fields() -> frozenset[str]:
    """The profile's name parts; a form field is a name if it is one, or ends with one
    (``mother_given_names``, ``father_first_surname``)."""
    return frozenset(current_profile().names.fields)


def _is_name_field(name: str, parts: frozenset[str]) -> bool:
    return name in parts or any(name.endswith("_" + part) for part in parts)


def clean(event_type: str, raw: dict[str, Any]) -> dict[str, Any]:
    """Validate a declaration against the profile's form; return JSON-ready cleaned data."""
    problems = Problems({})
    data: dict[str, Any] = {}
    known = set()
    names = _name_fields()
    for spec in field_specs(event_type):
        known.add(spec.name)
        value = raw.get(spec.name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if spec.required:
                problems.add(spec.name, _("This field is required."), "required")
            continue
        try:
            data[spec.name] = _clean_value(spec, value, is_name=_is_name_field(spec.name, names))
        except _Refused as refused:
            problems.add(spec.name, refused.message, refused.code)
    for name in sorted(set(raw) - known):
        problems.add(name, _("This field is not part of the form."), "not_in_form")
    for group in current_profile().event_type(event_type).require_one_of:
        # A member refused above already says what is wrong with it.
        if not any(name in data or name in problems.fields for name in group):
            problems.add(
                group[0],
                _("Give at least one of these: %(fields)s.") % {"fields": ", ".join(group)},
                "required",
            )
    problems.raise_if_any()
    _check_places(event_type, data, problems)
    _check_rules(event_type, data, problems)
    problems.raise_if_any()
    return data


def _clean_value(spec: FieldSpec, value: Any, *, is_name: bool = False) -> Any:
    if spec.name in TIME_FIELDS or spec.type == "time":
        return _clean_time(value)
    if spec.type in ("text", "state", "municipality", "choice"):
        if not isinstance(value, str):
            raise _Refused("not_text", _("Enter this as text, not as a number, list or object."))
        text = _clean_text(value)
        limit = spec.max_length or MAX_TEXT
        if len(text) > limit:
            raise _Refused("too_long", _("Use at most %(limit)d characters.") % {"limit": limit})
        if any(unicodedata.category(ch).startswith("C") for ch in text):
            raise _Refused("control_characters", _("Remove control characters."))
        if spec.type == "choice" and spec.choices and text not in spec.choices:
            raise _Refused("invalid_choice", _("Choose one of the listed options."))
        if is_name and spec.type == "text":
            _check_name(text)
        return text
    if spec.type == "date":
        return _clean_date(value).isoformat()
    if spec.type == "person_ref":
        if not isinstance(value, str | uuid.UUID):
            raise _Refused("invalid_person", _("Choose a person from the register."))
        try:
            return str(uuid.UUID(str(value)))
        except ValueError:
            raise _Refused("invalid_person", _("Choose a person from the register.")) from None
    if spec.type == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise _Refused("invalid_bool", _("Answer yes or no."))
    if spec.type == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and re.fullmatch(r"[+-]?[0-9]+", value.strip()):
            return int(value)
        raise _Refused("invalid_number", _("Enter a whole number."))
    raise _Refused("invalid", _("This field is not part of the form."))  # pragma: no cover


def _check_name(text: str) -> None:
    """Letters of any script (with their marks), spaces, apostrophes, dots and dashes, and
    at least one letter: ``José María``, ``O'Farrill``, ``Peña-Nieto``, ``서연``."""
    if not all(unicodedata.category(c)[0] in "LM" or c in _NAME_PUNCTUATION for c in text):
        raise _Refused(
            "invalid_characters",
            _("A name may only hold letters, spaces, apostrophes, dots and dashes."),
        )
    if not any(c.isalpha() for c in text):
        raise _Refused("no_letters", _("A name needs at least one letter."))


def _clean_date(value: Any) -> dt.date:
    """A date object (the pages' forms) or an ISO ``YYYY-MM-DD`` string (the API): not a
    number, nor the other forms ``date.fromisoformat`` reads (``20240101``, ``2024-W01-1``)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _Refused("invalid_date", _("Enter a real date as YYYY-MM-DD."))


def _clean_time(value: Any) -> str:
    if isinstance(value, dt.time):
        return value.isoformat(timespec="minutes")
    if isinstance(value, str) and _HH_MM.fullmatch(value.strip()):
        try:
            return dt.time.fromisoformat(value.strip()).isoformat(timespec="minutes")
        except ValueError:
            pass
    raise _Refused("invalid_time", _("Enter a time as HH:MM."))


def _check_places(event_type: str, data: dict[str, Any], problems: Problems) -> None:
    """States and municipalities from the jurisdiction catalogue, by official code; a
    municipality inside the state given with it (``birth_state`` with ``birth_municipality``).
    """
    country = current_profile().country_iso
    states: dict[str, Jurisdiction] = {}
    for spec in field_specs(event_type):
        if spec.type != "state" or spec.name not in data:
            continue
        state = jurisdictions.by_code(f"{country}-{data[spec.name]}")
        if state is None or state.level != JurisdictionLevel.STATE:
            problems.add(spec.name, _("Unknown state code."), "unknown_state")
        else:
            states[spec.name] = state
    for spec in field_specs(event_type):
        if spec.type != "municipality" or spec.name not in data:
            continue
        municipality = jurisdictions.municipality(data[spec.name])
        if municipality is None:
            problems.add(spec.name, _("Unknown municipality code."), "unknown_municipality")
            continue
        state = states.get(spec.name.removesuffix("municipality") + "state")
        if state is not None and municipality.parent_id != state.pk:
            problems.add(
                spec.name,
                _("The municipality is not in the given state."),
                "municipality_not_in_state",
            )


def _check_rules(event_type: str, data: dict[str, Any], problems: Problems) -> None:
    today = timezone.localdate()
    for spec in field_specs(event_type):
        if spec.type != "date" or spec.name not in data:
            continue
        day = dt.date.fromisoformat(data[spec.name])
        if day > today:
            problems.add(spec.name, _("The date cannot be in the future."), "future_date")
        if day < EARLIEST:
            problems.add(spec.name, _("The date is too far in the past."), "too_old")
    refs = PERSON_REFS[event_type]
    ids = [data[f] for f in refs if f in data]
    if len(ids) != len(set(ids)):
        problems.add(
            next(iter(refs)),
            _("The same person cannot appear twice in one record."),
            "same_person",
        )


def is_late(event_type: str, event_date: dt.date, declared_on: dt.date) -> bool:
    """Whether a declaration made on `declared_on` is past the legal period: the profile's
    deadline, counted as its law counts it (calendar months in Mexico and Korea)."""
    rules = current_profile().registration
    if event_type == "birth":
        return not rules.is_birth_registration_timely(event_date, declared_on)
    if event_type == "death":
        return not rules.is_death_registration_timely(event_date, declared_on)
    return False
