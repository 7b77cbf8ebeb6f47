"""Country profiles: the data that makes a deployment Mexican or Korean.

A deployment runs one country profile. A profile is data, not code: ``<code>.toml`` next to
this module (read with :mod:`tomllib`) plus a municipality catalogue in the country's official
published layout. This module turns that data into frozen dataclasses and checks it on the way
in, so a typo in a profile fails at start-up instead of in a citizen's record.

Pure Python (standard library only); no Django.
"""

from __future__ import annotations

import calendar
import csv
import re
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Final

__all__ = [
    "FIELD_TYPES",
    "CatalogueFormatError",
    "CatalogueSource",
    "CountryProfile",
    "EventTypeSpec",
    "FieldSpec",
    "Municipality",
    "NameConvention",
    "ProfileFormatError",
    "RegistrationRules",
    "State",
    "UnknownProfileError",
    "available_profiles",
    "demo_municipalities",
    "load_profile",
    "parse_inegi_municipalities",
    "parse_kr_legal_dong",
]

#: The field types an event-type form may use.
FIELD_TYPES: Final[frozenset[str]] = frozenset(
    {"text", "date", "choice", "state", "municipality", "person_ref", "bool", "int"}
)

_PROFILE_CODE = re.compile(r"[a-z][a-z0-9_]*")


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


class UnknownProfileError(LookupError):
    """No profile file exists for the requested code."""

    def __init__(self, code: str) -> None:
        super().__init__(
            f"unknown country profile {code!r}; available: {', '.join(available_profiles())}"
        )
        self.code = code


class ProfileFormatError(ValueError):
    """A profile file exists but its content is invalid."""


class CatalogueFormatError(ValueError):
    """A municipality catalogue line is malformed. ``line_number`` is 1-based."""

    def __init__(self, line_number: int, reason: str) -> None:
        super().__init__(f"line {line_number}: {reason}")
        self.line_number = line_number
        self.reason = reason


# --------------------------------------------------------------------------------------------
# Data model
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class State:
    """A first-level division (Mexican entidad federativa, Korean 시·도).

    ``code`` is the statistical code (INEGI CVE_ENT / first two digits of the 법정동코드);
    ``id_code`` is the code the national ID uses (CURP entity code; equal to ``code`` in Korea).
    """

    code: str
    name: str
    name_en: str
    abbr: str
    id_code: str


@dataclass(frozen=True, slots=True)
class Municipality:
    """A second-level division. ``code`` is 5 digits and starts with ``state_code``.

    Mexico: INEGI CVEGEO (CVE_ENT + CVE_MUN). Korea: the si/gun/gu code, i.e. the first five
    digits of the 10-digit 법정동코드 (a gu inside a general city has its own code).
    """

    code: str
    state_code: str
    name: str


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of a vital-event form."""

    name: str
    type: str
    required: bool
    max_length: int | None = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EventTypeSpec:
    """A vital event type (birth, death, ...) and the fields its record carries.

    ``labels`` is keyed by language (``"es"``, ``"en"``, ``"ko"``). ``require_one_of`` lists
    groups of field names of which at least one must be filled (e.g. the mother as a register
    reference *or* inline).
    """

    code: str
    labels: dict[str, str] = field(hash=False)
    fields: tuple[FieldSpec, ...]
    require_one_of: tuple[tuple[str, ...], ...] = ()

    def field_spec(self, name: str) -> FieldSpec:
        """The field called ``name``; ``KeyError`` if this event type has none."""
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(f"event type {self.code!r} has no field {name!r}")

    @property
    def required_fields(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.fields if spec.required)

    def label(self, language: str) -> str:
        """The label for a language tag such as ``"es-mx"`` (falls back to ``"es"``, then en)."""
        tag = language.lower()
        for key in (tag, tag.split("-", 1)[0], "en"):
            if key in self.labels:
                return self.labels[key]
        return self.code


@dataclass(frozen=True, slots=True)
class NameConvention:
    """How personal names are recorded and displayed.

    Field names are those of the platform's person model (``given_names``, ``first_surname``,
    ``second_surname``, ...). ``aliases`` maps the country's own terms (``family_name``,
    ``primer_apellido``) to those fields; ``romanised_fields`` maps a native-script field to its
    romanised counterpart.
    """

    fields: tuple[str, ...]
    required: tuple[str, ...]
    display_order: tuple[str, ...]
    display_separator: str
    uses_second_surname: bool
    script: str
    aliases: dict[str, str] = field(hash=False)
    romanisation: str | None = None
    romanised_fields: dict[str, str] = field(default_factory=dict, hash=False)
    romanised_display_order: tuple[str, ...] = ()
    romanised_display_separator: str = " "

    def display(self, parts: Mapping[str, str | None]) -> str:
        """The full name in the country's order, skipping empty parts.

        Mexico: ``Ana María López Pérez``; Korea: ``홍길동``.
        """
        return _join(parts, self.display_order, self.display_separator)

    def display_romanised(self, parts: Mapping[str, str | None]) -> str:
        """The romanised full name ("" if the convention has no romanised form)."""
        return _join(parts, self.romanised_display_order, self.romanised_display_separator)


def _join(parts: Mapping[str, str | None], order: Iterable[str], separator: str) -> str:
    values = ((parts.get(name) or "").strip() for name in order)
    return separator.join(value for value in values if value)


@dataclass(frozen=True, slots=True)
class RegistrationRules:
    """Legal registration periods and plausibility limits.

    ``*_timely_days`` is a day count; when the law states the period in months
    (``*_timely_months`` set) the deadline helpers count calendar months instead, which is what
    a registrar does. ``legal_basis`` cites the source of each rule.
    """

    birth_timely_days: int
    late_birth_registration_allowed: bool
    late_registration_flag: str
    death_timely_days: int
    death_period_statutory: bool
    min_mother_age_warning: int
    min_marriage_age: int
    age_of_majority: int
    legal_basis: dict[str, str] = field(hash=False)
    birth_timely_months: int | None = None
    death_timely_months: int | None = None
    #: Adoption kinds (values of the form's ``adoption_kind``; ``"*"`` for every adoption)
    #: that end the child's earlier parentage, save a parent married to an adopter.
    adoption_ending_kinds: tuple[str, ...] = ()

    def adoption_ends_prior_parentage(self, adoption_kind: str) -> bool:
        return "*" in self.adoption_ending_kinds or adoption_kind in self.adoption_ending_kinds

    def birth_deadline(self, birth_date: date) -> date:
        """The last day on which a birth registration is still timely."""
        return _deadline(birth_date, self.birth_timely_days, self.birth_timely_months)

    def death_deadline(self, start: date) -> date:
        """The last timely day for a death registration counted from ``start``.

        ``start`` is the date of death, or in Korea the date the reporter learned of it.
        """
        return _deadline(start, self.death_timely_days, self.death_timely_months)

    def is_birth_registration_timely(self, birth_date: date, registered_on: date) -> bool:
        return registered_on <= self.birth_deadline(birth_date)

    def is_death_registration_timely(self, start: date, registered_on: date) -> bool:
        return registered_on <= self.death_deadline(start)


def _deadline(start: date, days: int, months: int | None) -> date:
    # The day of the event is not counted; a period of months ends on the day with the same
    # number in the last month, or that month's last day if it has no such day.
    if months is None:
        return start + timedelta(days=days)
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True, slots=True)
class CatalogueSource:
    """Where a profile's municipality catalogue comes from and its layout."""

    format: str
    demo_file: str
    source: str


@dataclass(frozen=True)
class CountryProfile:
    """Everything country-specific a deployment needs."""

    code: str
    name: str
    name_en: str
    country_iso: str
    languages: tuple[str, ...]
    default_language: str
    time_zones: tuple[str, ...]
    currency: str
    id_scheme: str
    names: NameConvention
    states: tuple[State, ...]
    registration: RegistrationRules
    event_types: tuple[EventTypeSpec, ...]
    foreign_state_id_code: str | None = None
    phone_prefix: str = ""
    municipality_catalogue: CatalogueSource | None = None
    _states_by_code: dict[str, State] = field(
        init=False, repr=False, compare=False, hash=False, default_factory=dict
    )
    _states_by_id_code: dict[str, State] = field(
        init=False, repr=False, compare=False, hash=False, default_factory=dict
    )
    _event_types_by_code: dict[str, EventTypeSpec] = field(
        init=False, repr=False, compare=False, hash=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        self._states_by_code.update((s.code, s) for s in self.states)
        self._states_by_id_code.update((s.id_code, s) for s in self.states)
        self._event_types_by_code.update((e.code, e) for e in self.event_types)

    @property
    def default_time_zone(self) -> str:
        return self.time_zones[0]

    def state(self, code: str) -> State:
        """The state with statistical code ``code``; ``KeyError`` if none."""
        try:
            return self._states_by_code[code]
        except KeyError:
            raise KeyError(f"profile {self.code!r} has no state {code!r}") from None

    def state_by_id_code(self, id_code: str) -> State:
        """The state whose national-ID code is ``id_code`` (e.g. CURP "DF" -> 09).

        ``KeyError`` if none; the foreign-born code (``foreign_state_id_code``) is not a state.
        """
        try:
            return self._states_by_id_code[id_code]
        except KeyError:
            raise KeyError(f"profile {self.code!r} has no state with ID code {id_code!r}") from None

    def event_type(self, code: str) -> EventTypeSpec:
        """The event type ``code`` (birth, death, ...); ``KeyError`` if none."""
        try:
            return self._event_types_by_code[code]
        except KeyError:
            raise KeyError(f"profile {self.code!r} has no event type {code!r}") from None


# --------------------------------------------------------------------------------------------
# Loading profiles
# --------------------------------------------------------------------------------------------


def _package_files() -> Traversable:
    return resources.files(__name__)


def available_profiles() -> list[str]:
    """The codes of the profiles shipped with this package, sorted."""
    codes = (
        entry.name.removesuffix(".toml")
        for entry in _package_files().iterdir()
        if entry.name.endswith(".toml") and entry.is_file()
    )
    return sorted(code for code in codes if _PROFILE_CODE.fullmatch(code))


def load_profile(code: str) -> CountryProfile:
    """Load, validate and cache the profile ``code`` (case-insensitive, e.g. ``"mx"``).

    Raises :class:`UnknownProfileError` if there is no such profile and
    :class:`ProfileFormatError` if its file is invalid.
    """
    return _load_profile(code.strip().lower())


@cache
def _load_profile(code: str) -> CountryProfile:
    if code not in available_profiles():
        raise UnknownProfileError(code)
    filename = f"{code}.toml"
    try:
        data = tomllib.loads(_package_files().joinpath(filename).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProfileFormatError(f"{filename}: {exc}") from exc
    profile = _build_profile(_Table(data, filename))
    if profile.code != code:
        raise ProfileFormatError(f"{filename}: code is {profile.code!r}, expected {code!r}")
    return profile


class _Table:
    """Typed, checked access to one TOML table; errors name the table they come from."""

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, dict):
            raise ProfileFormatError(f"{where}: expected a table")
        self.data: dict[str, object] = data
        self.where = where

    def error(self, key: str, message: str) -> ProfileFormatError:
        return ProfileFormatError(f"{self.where}.{key}: {message}")

    def _get(self, key: str) -> object:
        if key not in self.data:
            raise ProfileFormatError(f"{self.where}: missing key {key!r}")
        return self.data[key]

    def has(self, key: str) -> bool:
        return key in self.data

    def only(self, *allowed: str) -> None:
        unknown = sorted(set(self.data) - set(allowed))
        if unknown:
            raise ProfileFormatError(f"{self.where}: unknown key(s) {', '.join(unknown)}")

    def text(self, key: str, default: str | None = None) -> str:
        if default is not None and key not in self.data:
            return default
        value = self._get(key)
        if not isinstance(value, str):
            raise self.error(key, "expected a string")
        return value

    def opt_text(self, key: str) -> str | None:
        return self.text(key) if key in self.data else None

    def integer(self, key: str) -> int:
        value = self._get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, "expected an integer")
        return value

    def opt_integer(self, key: str) -> int | None:
        return self.integer(key) if key in self.data else None

    def flag(self, key: str) -> bool:
        value = self._get(key)
        if not isinstance(value, bool):
            raise self.error(key, "expected true or false")
        return value

    def texts(self, key: str, default: tuple[str, ...] | None = None) -> tuple[str, ...]:
        if default is not None and key not in self.data:
            return default
        value = self._get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(key, "expected a list of strings")
        return tuple(str(v) for v in value)

    def text_map(self, key: str) -> dict[str, str]:
        if key not in self.data:
            return {}
        value = self._get(key)
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise self.error(key, "expected a table of strings")
        return {str(k): str(v) for k, v in value.items()}

    def table(self, key: str) -> _Table:
        return _Table(self._get(key), f"{self.where}.{key}")

    def tables(self, key: str) -> list[_Table]:
        value = self._get(key)
        if not isinstance(value, list):
            raise self.error(key, "expected an array of tables")
        return [_Table(item, f"{self.where}.{key}[{i}]") for i, item in enumerate(value)]


def _unique(values: Iterable[str], what: str, where: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ProfileFormatError(f"{where}: duplicate {what} {value!r}")
        seen.add(value)


def _build_profile(t: _Table) -> CountryProfile:
    t.only(
        "code", "name", "name_en", "country_iso", "languages", "default_language",
        "time_zones", "currency", "id_scheme", "phone_prefix", "foreign_state_id_code",
        "names", "registration", "municipality_catalogue", "states", "event_types",
    )  # fmt: skip
    languages = t.texts("languages")
    default_language = t.text("default_language")
    if default_language not in languages:
        raise t.error("default_language", f"{default_language!r} is not in languages")
    time_zones = t.texts("time_zones")
    if not time_zones:
        raise t.error("time_zones", "at least one time zone is needed (the first is the default)")
    _unique(time_zones, "time zone", t.where)

    states = tuple(_build_state(s) for s in t.tables("states"))
    _unique((s.code for s in states), "state code", t.where)
    _unique((s.id_code for s in states), "state id_code", t.where)
    foreign = t.opt_text("foreign_state_id_code")
    if foreign is not None and foreign in {s.id_code for s in states}:
        raise t.error("foreign_state_id_code", f"{foreign!r} is also a state's id_code")

    event_types = tuple(_build_event_type(e) for e in t.tables("event_types"))
    _unique((e.code for e in event_types), "event type", t.where)

    catalogue = None
    if t.has("municipality_catalogue"):
        c = t.table("municipality_catalogue")
        c.only("format", "demo_file", "source")
        fmt = c.text("format")
        if fmt not in _CATALOGUE_PARSERS:
            raise c.error("format", f"unknown catalogue format {fmt!r}")
        catalogue = CatalogueSource(
            format=fmt, demo_file=c.text("demo_file"), source=c.text("source")
        )

    return CountryProfile(
        code=t.text("code"),
        name=t.text("name"),
        name_en=t.text("name_en"),
        country_iso=t.text("country_iso"),
        languages=languages,
        default_language=default_language,
        time_zones=time_zones,
        currency=t.text("currency"),
        id_scheme=t.text("id_scheme"),
        names=_build_names(t.table("names")),
        states=states,
        registration=_build_registration(t.table("registration")),
        event_types=event_types,
        foreign_state_id_code=foreign,
        phone_prefix=t.text("phone_prefix", ""),
        municipality_catalogue=catalogue,
    )


def _build_state(t: _Table) -> State:
    t.only("code", "name", "name_en", "abbr", "id_code")
    return State(
        code=t.text("code"),
        name=t.text("name"),
        name_en=t.text("name_en"),
        abbr=t.text("abbr"),
        id_code=t.text("id_code"),
    )


def _build_names(t: _Table) -> NameConvention:
    t.only(
        "fields", "required", "display_order", "display_separator", "uses_second_surname",
        "script", "aliases", "romanisation", "romanised_fields", "romanised_display_order",
        "romanised_display_separator",
    )  # fmt: skip
    names = NameConvention(
        fields=t.texts("fields"),
        required=t.texts("required"),
        display_order=t.texts("display_order"),
        display_separator=t.text("display_separator"),
        uses_second_surname=t.flag("uses_second_surname"),
        script=t.text("script"),
        aliases=t.text_map("aliases"),
        romanisation=t.opt_text("romanisation"),
        romanised_fields=t.text_map("romanised_fields"),
        romanised_display_order=t.texts("romanised_display_order", ()),
        romanised_display_separator=t.text("romanised_display_separator", " "),
    )
    known = set(names.fields)
    for key, used in (
        ("required", names.required),
        ("display_order", names.display_order),
        ("aliases", tuple(names.aliases.values())),
        ("romanised_fields", (*names.romanised_fields, *names.romanised_fields.values())),
        ("romanised_display_order", names.romanised_display_order),
    ):
        stray = sorted(set(used) - known)
        if stray:
            raise t.error(key, f"not in fields: {', '.join(stray)}")
    if names.uses_second_surname != ("second_surname" in known):
        raise t.error("uses_second_surname", "disagrees with fields")
    return names


def _build_registration(t: _Table) -> RegistrationRules:
    t.only(
        "birth_timely_days", "birth_timely_months", "late_birth_registration_allowed",
        "late_registration_flag", "death_timely_days", "death_timely_months",
        "death_period_statutory", "min_mother_age_warning", "min_marriage_age",
        "age_of_majority", "adoption_ends_prior_parentage", "legal_basis",
    )  # fmt: skip
    rules = RegistrationRules(
        birth_timely_days=t.integer("birth_timely_days"),
        birth_timely_months=t.opt_integer("birth_timely_months"),
        late_birth_registration_allowed=t.flag("late_birth_registration_allowed"),
        late_registration_flag=t.text("late_registration_flag"),
        death_timely_days=t.integer("death_timely_days"),
        death_timely_months=t.opt_integer("death_timely_months"),
        death_period_statutory=t.flag("death_period_statutory"),
        min_mother_age_warning=t.integer("min_mother_age_warning"),
        min_marriage_age=t.integer("min_marriage_age"),
        age_of_majority=t.integer("age_of_majority"),
        legal_basis=t.text_map("legal_basis"),
        adoption_ending_kinds=t.texts("adoption_ends_prior_parentage", ()),
    )
    for key in ("birth_timely_days", "death_timely_days", "min_marriage_age", "age_of_majority"):
        if t.integer(key) <= 0:
            raise t.error(key, "must be positive")
    for key in ("birth_timely_months", "death_timely_months"):
        value = t.opt_integer(key)
        if value is not None and value <= 0:
            raise t.error(key, "must be positive")
    return rules


_LABEL_PREFIX = "label_"


def _build_event_type(t: _Table) -> EventTypeSpec:
    labels = {
        key.removeprefix(_LABEL_PREFIX): t.text(key)
        for key in t.data
        if key.startswith(_LABEL_PREFIX)
    }
    t.only("code", "fields", "require_one_of", *(_LABEL_PREFIX + lang for lang in labels))
    code = t.text("code")
    if "en" not in labels:
        raise t.error("label_en", "every event type needs an English label")
    fields = tuple(_build_field(f) for f in t.tables("fields"))
    _unique((f.name for f in fields), "field name", t.where)
    names = {f.name for f in fields}
    groups: list[tuple[str, ...]] = []
    raw_groups = t.data.get("require_one_of", [])
    if not isinstance(raw_groups, list):
        raise t.error("require_one_of", "expected a list of lists of field names")
    for group in raw_groups:
        if not isinstance(group, list) or not group or not all(g in names for g in group):
            raise t.error("require_one_of", f"{group!r} is not a non-empty list of field names")
        groups.append(tuple(str(g) for g in group))
    return EventTypeSpec(code=code, labels=labels, fields=fields, require_one_of=tuple(groups))


def _build_field(t: _Table) -> FieldSpec:
    t.only("name", "type", "required", "max_length", "choices")
    name, kind = t.text("name"), t.text("type")
    if kind not in FIELD_TYPES:
        raise t.error("type", f"{kind!r} is not one of {', '.join(sorted(FIELD_TYPES))}")
    max_length = t.opt_integer("max_length")
    if (kind == "text") != (max_length is not None):
        raise t.error("max_length", "text fields, and only text fields, need max_length")
    if max_length is not None and max_length <= 0:
        raise t.error("max_length", "must be positive")
    choices = t.texts("choices", ())
    if (kind == "choice") != bool(choices):
        raise t.error("choices", "choice fields, and only choice fields, need choices")
    _unique(choices, "choice", t.where)
    return FieldSpec(
        name=name, type=kind, required=t.flag("required"), max_length=max_length, choices=choices
    )


# --------------------------------------------------------------------------------------------
# Municipality catalogues
# --------------------------------------------------------------------------------------------

_BOM = "\ufeff"
_TWO_DIGITS = re.compile(r"[0-9]{2}")
_THREE_DIGITS = re.compile(r"[0-9]{3}")
_TEN_DIGITS = re.compile(r"[0-9]{10}")

_INEGI_REQUIRED: Final = ("CVE_ENT", "CVE_MUN", "NOM_MUN")


def _numbered_lines(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    """(1-based line number, text without line end and BOM) for the non-blank lines."""
    for number, raw in enumerate(lines, start=1):
        text = raw.removesuffix("\n").removesuffix("\r")
        if number == 1:
            text = text.removeprefix(_BOM)
        if text.strip():
            yield number, text


def parse_inegi_municipalities(lines: Iterable[str]) -> Iterator[Municipality]:
    """Municipalities from INEGI's AGEEML municipal catalogue in CSV (decoded text lines).

    The header must name at least CVE_ENT, CVE_MUN and NOM_MUN; other columns (CVEGEO,
    NOM_ENT, NOM_ABR, and the full file's CVE_CAB, NOM_CAB, PTOT, PMAS, PFEM, VTOT, ...) are
    accepted, and CVEGEO, when present, must equal CVE_ENT + CVE_MUN. A leading UTF-8 BOM is
    ignored and blank lines are skipped; decoding the file (INEGI also publishes Latin-1) is
    the caller's job. Codes must keep their leading zeros (CVE_ENT 2 digits, CVE_MUN 3).

    Raises :class:`CatalogueFormatError` on the first malformed line.
    """
    rows = _numbered_lines(lines)
    header_line = next(rows, None)
    if header_line is None:
        raise CatalogueFormatError(1, "empty catalogue: no header line")
    number, text = header_line
    header = [name.strip().upper() for name in _csv_cells(number, text)]
    missing = [name for name in _INEGI_REQUIRED if name not in header]
    if missing:
        hint = " (is the file Latin-1/UTF-8 mis-decoded?)" if "Ã" in text or "ï»¿" in text else ""
        raise CatalogueFormatError(
            number,
            f"unknown header: not an INEGI AGEEML municipal catalogue, "
            f"missing {', '.join(missing)}{hint}",
        )
    if len(set(header)) != len(header):
        raise CatalogueFormatError(number, "unknown header: repeated column names")
    index = {name: i for i, name in enumerate(header)}
    seen: set[str] = set()
    for number, text in rows:
        cells = _csv_cells(number, text)
        if len(cells) != len(header):
            raise CatalogueFormatError(number, f"expected {len(header)} columns, got {len(cells)}")
        state_code, mun_code = cells[index["CVE_ENT"]], cells[index["CVE_MUN"]]
        if not _TWO_DIGITS.fullmatch(state_code):
            raise CatalogueFormatError(number, f"CVE_ENT {state_code!r} is not a 2-digit code")
        if not "01" <= state_code <= "32":
            raise CatalogueFormatError(number, f"CVE_ENT {state_code!r} is not in 01..32")
        if not _THREE_DIGITS.fullmatch(mun_code) or mun_code == "000":
            raise CatalogueFormatError(number, f"CVE_MUN {mun_code!r} is not a 3-digit code")
        code = state_code + mun_code
        if "CVEGEO" in index and cells[index["CVEGEO"]] != code:
            raise CatalogueFormatError(
                number, f"CVEGEO {cells[index['CVEGEO']]!r} is not CVE_ENT+CVE_MUN {code!r}"
            )
        name = cells[index["NOM_MUN"]].strip()
        if not name:
            raise CatalogueFormatError(number, "empty NOM_MUN")
        if code in seen:
            raise CatalogueFormatError(number, f"duplicate municipality code {code}")
        seen.add(code)
        yield Municipality(code=code, state_code=state_code, name=name)


def _csv_cells(number: int, text: str) -> list[str]:
    try:
        rows = list(csv.reader([text], strict=True))
    except csv.Error as exc:
        raise CatalogueFormatError(number, f"invalid CSV: {exc}") from None
    if len(rows) != 1:  # pragma: no cover - one non-blank line is one row
        raise CatalogueFormatError(number, "invalid CSV: not a single row")
    return rows[0]


_KR_HEADER: Final = ("법정동코드", "법정동명", "폐지여부")
_KR_EXISTS, _KR_ABOLISHED = "존재", "폐지"


def parse_kr_legal_dong(lines: Iterable[str]) -> Iterator[Municipality]:
    """Si/gun/gu from the 법정동코드 전체자료 layout (tab-separated, decoded text lines).

    Header ``법정동코드, 법정동명, 폐지여부``; codes are 10 digits; 폐지여부 is 존재 or 폐지.
    Kept: existing (존재) rows at si/gun/gu level, i.e. code ending in 00000 but not a 시·도
    row (ending in 00000000); a gu inside a general city (수원시 장안구) is kept too. The
    Municipality code is the first five digits and the name drops the 시·도 prefix
    (``경기도 수원시 장안구`` -> ``수원시 장안구``; a name with no prefix, such as 세종특별자치시,
    is kept whole). 폐지 rows and eup/myeon/dong/ri rows are skipped. The official download is
    CP949; decoding is the caller's job. A leading BOM is ignored, blank lines are skipped.

    Raises :class:`CatalogueFormatError` on the first malformed line.
    """
    rows = _numbered_lines(lines)
    header_line = next(rows, None)
    if header_line is None:
        raise CatalogueFormatError(1, "empty catalogue: no header line")
    number, text = header_line
    if tuple(cell.strip() for cell in text.split("\t")) != _KR_HEADER:
        raise CatalogueFormatError(
            number, f"unknown header: expected {chr(9).join(_KR_HEADER)!r} (tab-separated)"
        )
    seen: set[str] = set()
    for number, text in rows:
        cells = text.split("\t")
        if len(cells) != len(_KR_HEADER):
            raise CatalogueFormatError(
                number, f"expected {len(_KR_HEADER)} tab-separated columns, got {len(cells)}"
            )
        code, full_name, status = (cell.strip() for cell in cells)
        if not _TEN_DIGITS.fullmatch(code):
            raise CatalogueFormatError(number, f"법정동코드 {code!r} is not a 10-digit code")
        if status not in (_KR_EXISTS, _KR_ABOLISHED):
            raise CatalogueFormatError(number, f"폐지여부 {status!r} is neither 존재 nor 폐지")
        if not full_name:
            raise CatalogueFormatError(number, "empty 법정동명")
        if status != _KR_EXISTS or not code.endswith("00000") or code.endswith("00000000"):
            continue
        short_code = code[:5]
        if short_code in seen:
            raise CatalogueFormatError(number, f"duplicate si/gun/gu code {short_code}")
        seen.add(short_code)
        parts = full_name.split(maxsplit=1)
        name = parts[1] if len(parts) == 2 else full_name
        yield Municipality(code=short_code, state_code=code[:2], name=name)


_CATALOGUE_PARSERS: Final[dict[str, Callable[[Iterable[str]], Iterator[Municipality]]]] = {
    "inegi-ageeml": parse_inegi_municipalities,
    "kr-legal-dong": parse_kr_legal_dong,
}


def demo_municipalities(profile_code: str) -> list[Municipality]:
    """The small demo municipality catalogue shipped with profile ``profile_code``."""
    return list(_demo_municipalities(load_profile(profile_code).code))


@cache
def _demo_municipalities(profile_code: str) -> tuple[Municipality, ...]:
    catalogue = load_profile(profile_code).municipality_catalogue
    if catalogue is None:
        return ()
    parse = _CATALOGUE_PARSERS[catalogue.format]
    resource = _package_files().joinpath(catalogue.demo_file)
    with resource.open("r", encoding="utf-8") as lines:
        return tuple(parse(lines))
