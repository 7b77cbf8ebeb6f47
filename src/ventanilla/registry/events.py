"""Vital event forms: the profile's field list, the canonical keys services rely on,
and the cross-field rules (a death after the birth, a mother old enough…).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.core.country import current_profile
from ventanilla.core.errors import ValidationFailed
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

MAX_TEXT = 200


@dataclass
class Problems:
    fields: dict[str, list[str]]

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, []).append(message)

    def raise_if_any(self) -> None:
        if self.fields:
            raise ValidationFailed(fields=self.fields)


def field_specs(event_type: str) -> tuple[FieldSpec, ...]:
    return current_profile().event_type(event_type).fields


def _clean_text(value: Any) -> str:
    text = unicodedata.normalize("NFC", str(value)).strip()
    return " ".join(text.split())


def _parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def clean(event_type: str, raw: dict[str, Any]) -> dict[str, Any]:
    """Validate a declaration against the profile's form; return JSON-ready cleaned data."""
    problems = Problems({})
    data: dict[str, Any] = {}
    known = set()
    for spec in field_specs(event_type):
        known.add(spec.name)
        value = raw.get(spec.name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if spec.required:
                problems.add(spec.name, _("This field is required."))
            continue
        try:
            data[spec.name] = _clean_value(spec, value)
        except ValueError as exc:
            problems.add(spec.name, str(exc))
    for name in sorted(set(raw) - known):
        problems.add(name, _("This field is not part of the form."))
    for group in current_profile().event_type(event_type).require_one_of:
        if not any(name in data for name in group):
            problems.add(
                group[0],
                _("Give at least one of these: %(fields)s.") % {"fields": ", ".join(group)},
            )
    problems.raise_if_any()
    _check_rules(event_type, data, problems)
    problems.raise_if_any()
    return data


def _clean_value(spec: FieldSpec, value: Any) -> Any:
    if spec.type in ("text", "state", "municipality", "choice"):
        text = _clean_text(value)
        limit = spec.max_length or MAX_TEXT
        if len(text) > limit:
            raise ValueError(_("Use at most %(limit)d characters.") % {"limit": limit})
        if any(unicodedata.category(ch).startswith("C") for ch in text):
            raise ValueError(_("Remove control characters."))
        if spec.type == "choice" and spec.choices and text not in spec.choices:
            raise ValueError(_("Choose one of the listed options."))
        return text
    if spec.type == "date":
        try:
            return _parse_date(value).isoformat()
        except ValueError:
            raise ValueError(_("Enter a real date as YYYY-MM-DD.")) from None
    if spec.type == "time":
        try:
            return dt.time.fromisoformat(str(value)).isoformat(timespec="minutes")
        except ValueError:
            raise ValueError(_("Enter a time as HH:MM.")) from None
    if spec.type == "person_ref":
        import uuid

        try:
            return str(uuid.UUID(str(value)))
        except ValueError:
            raise ValueError(_("Choose a person from the register.")) from None
    if spec.type == "bool":
        if isinstance(value, bool):
            return value
        return str(value).lower() in ("1", "true", "on", "yes")
    if spec.type == "int":
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ValueError(_("Enter a whole number.")) from None
    return _clean_text(value)


def _check_rules(event_type: str, data: dict[str, Any], problems: Problems) -> None:
    today = timezone.localdate()
    date_field = EVENT_DATE_FIELD[event_type]
    if date_field in data:
        event_date = dt.date.fromisoformat(data[date_field])
        if event_date > today:
            problems.add(date_field, _("The date cannot be in the future."))
        if event_date.year < 1850:
            problems.add(date_field, _("The date is too far in the past."))
    refs = PERSON_REFS[event_type]
    ids = [data[f] for f in refs if f in data]
    if len(ids) != len(set(ids)):
        problems.add(next(iter(refs)), _("The same person cannot appear twice in one record."))


def is_late(event_type: str, event_date: dt.date, declared_on: dt.date) -> bool:
    rules = current_profile().registration
    limit_days = {
        "birth": rules.birth_timely_days,
        "death": rules.death_timely_days,
    }.get(event_type)
    return limit_days is not None and (declared_on - event_date).days > limit_days
