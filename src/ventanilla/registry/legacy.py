"""Migrating an existing register: legacy CSV files, checked row by row and written in bulk.

The column layouts are documented in ``docs/legacy-import.md``. A file is read as bytes and
cut into records by the csv module (a quoted field may span lines); each record is decoded,
parsed and validated on its own, so one bad row never stops the file and is never partly
written: it goes to `ImportRejection` with its row (line) number, field, error code and
message. After a record that cannot be read and spans lines, every line up to the next
readable row is reported too (`read_records`): no line is dropped unreported.

Valid rows are written a batch at a time, in one transaction that also advances the
`ImportRun` (keyed by the file's SHA-256 and the event type): a crash loses at most the batch
being written, and running the same command again continues after the last committed batch.
Rows already in the register (``Person.source_reference = "LEG-<legacy_id>"``) are skipped,
so importing a file twice adds nothing.

On PostgreSQL rows are streamed with ``COPY`` into a session-local staging table and moved
with one ``INSERT … SELECT`` per table; national IDs and match keys are computed in Python
first, and a second thread writes one batch while the next is prepared (`WritePipeline`).
On SQLite the same rows go through ``bulk_create``. The bulk writing itself lives in
`registry.bulk`, shared with the synthetic population seeding.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import functools
import hashlib
import logging
import re
import threading
import time
import unicodedata
import uuid
from collections import Counter, deque
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Final

from django.db import IntegrityError, connections, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ventanilla.core.access import log_access
from ventanilla.core.country import current_profile
from ventanilla.core.jurisdictions import ensure_office
from ventanilla.core.models import AccessKind, Jurisdiction, JurisdictionLevel
from ventanilla.core.profiles import CountryProfile
from ventanilla.core.progress import progress as show_progress
from ventanilla.registry import identity
from ventanilla.registry.bulk import (
    PERSON_COLUMNS,
    BulkWriter,
    Unassigned,
    WritePipeline,
    allocate_national_ids,
    any_of,
    settle_register,
    taken_national_ids,
    uuid7,
)
from ventanilla.registry.dedup import admitted, full_name, match_records
from ventanilla.registry.idschemes import IdScheme, IdSubject, InvalidIdError, get_scheme
from ventanilla.registry.matching import (
    DEFAULT_THRESHOLD,
    MAX_BLOCK_SIZE,
    MatchRecord,
    RecordFeatures,
    compute_features,
    dedupe_batch,
    keys_from_features,
    match_score,
)
from ventanilla.registry.models import (
    ImportRejection,
    ImportRun,
    ParentKind,
    ParentLink,
    Person,
    PersonMatchKey,
    PersonSource,
    PersonStatus,
    RecordStatus,
    Union,
)
from ventanilla.registry.people import search_name

if TYPE_CHECKING:
    from ventanilla.registry.legacy_events import EventBatch, EventRow

logger = logging.getLogger(__name__)

__all__ = [
    "ADOPTION_COLUMNS",
    "BIRTH_COLUMNS",
    "DEATH_COLUMNS",
    "DIVORCE_COLUMNS",
    "LAYOUTS",
    "MARRIAGE_COLUMNS",
    "MAX_ROW_BYTES",
    "RECOGNITION_COLUMNS",
    "BirthRow",
    "BulkWriter",
    "DeathRow",
    "ImportOutcome",
    "LegacyFormatError",
    "RawRecord",
    "RowError",
    "SuspectedPair",
    "ValidationContext",
    "WritePipeline",
    "allocate_national_ids",
    "file_digest",
    "full_name",
    "import_legacy_file",
    "death_reference",
    "legacy_reference",
    "parse_record",
    "read_records",
    "taken_national_ids",
    "uuid7",
    "validate_birth_row",
    "validate_death_row",
    "validate_row",
    "write_report",
]

BIRTH_COLUMNS: Final = (
    "legacy_id",
    "given_names",
    "first_surname",
    "second_surname",
    "sex",
    "birth_date",
    "birth_state",
    "birth_municipality",
    "national_id",
    "mother_legacy_id",
    "father_legacy_id",
    "registered_on",
    "office_code",
)
DEATH_COLUMNS: Final = (
    "legacy_id",
    "person_legacy_id",
    "death_date",
    "death_state",
    "death_municipality",
    "registered_on",
    "office_code",
)
# Marriages, divorces, recognitions and adoptions are checked and written by
# `registry.legacy_events`; a column named like a form field holds that field.
MARRIAGE_COLUMNS: Final = (
    "legacy_id",
    "spouse_a_legacy_id",
    "spouse_b_legacy_id",
    "marriage_date",
    "marriage_state",
    "marriage_municipality",
    "property_regime",
    "registered_on",
    "office_code",
)
DIVORCE_COLUMNS: Final = (
    "legacy_id",
    "marriage_legacy_id",
    "divorce_date",
    "divorce_kind",
    "court_order_number",
    "divorce_municipality",
    "registered_on",
    "office_code",
)
RECOGNITION_COLUMNS: Final = (
    "legacy_id",
    "child_legacy_id",
    "parent_legacy_id",
    "recognition_date",
    "recognition_kind",
    "recognition_municipality",
    "registered_on",
    "office_code",
)
ADOPTION_COLUMNS: Final = (
    "legacy_id",
    "child_legacy_id",
    "parent_a_legacy_id",
    "parent_b_legacy_id",
    "adoption_date",
    "adoption_kind",
    "court_order_number",
    "adoption_municipality",
    "registered_on",
    "office_code",
)
#: Column layout of each event type (see docs/legacy-import.md).
LAYOUTS: Final[dict[str, tuple[str, ...]]] = {
    "birth": BIRTH_COLUMNS,
    "death": DEATH_COLUMNS,
    "marriage": MARRIAGE_COLUMNS,
    "divorce": DIVORCE_COLUMNS,
    "recognition": RECOGNITION_COLUMNS,
    "adoption": ADOPTION_COLUMNS,
}

MAX_ROW_BYTES: Final = 8 * 1024
KEPT_OVERSIZED: Final = 64 * 1024  # an oversized row is kept up to this, to name its field
MAX_TEXT: Final = 120  # the register's name columns
MAX_LEGACY_ID: Final = 64  # "LEG-" + this fits Person.source_reference (80)
EARLIEST: Final = dt.date(1850, 1, 1)
#: A child born up to this many days after the father's death may be his: the presumption of
#: paternity of both profiles' civil codes (Mexico, Código Civil Federal art. 324; Korea,
#: 민법 §844) runs 300 days from the end of the marriage.
POSTHUMOUS_BIRTH_DAYS: Final = 300
LEGACY_PREFIX: Final = "LEG-"

_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_NAME_PUNCTUATION: Final = frozenset(" '\u2019\u02bc-.")
# Latin letters with their accented forms, Hangul syllables and name punctuation: the fast
# path of the name check (anything else is checked character by character).
_COMMON_NAME: Final = re.compile(
    "[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\uac00-\ud7a3 '\u2019\u02bc.\\-]+"
)


def legacy_reference(legacy_id: str) -> str:
    """``Person.source_reference`` of the person imported from legacy row ``legacy_id``."""
    return f"{LEGACY_PREFIX}{legacy_id}"


def death_reference(legacy_id: str) -> str:
    """``Person.death_source_reference`` of a person whose death was imported from legacy death
    row ``legacy_id`` (named as the other events' records are: ``LEG-death-<legacy_id>``)."""
    return f"{LEGACY_PREFIX}death-{legacy_id}"


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------

MESSAGES: Final[dict[str, Promise]] = {
    "required": _("This field is required."),
    "too_long": _("The value is too long."),
    "control_characters": _("Remove control characters."),
    "invalid_characters": _("A name may only hold letters, spaces, apostrophes, dots and dashes."),
    "invalid_date": _("Enter a real date as YYYY-MM-DD."),
    "future_date": _("The date cannot be in the future."),
    "too_old": _("The date is too far in the past."),
    "invalid_choice": _("This value is not one of the allowed codes."),
    "unknown_state": _("Unknown state code."),
    "unknown_municipality": _("Unknown municipality code."),
    "municipality_not_in_state": _("The municipality is not in the given state."),
    "unknown_office": _("Unknown registry office code."),
    "not_used": _("This country's names have no second surname; leave it empty."),
    "invalid_national_id": _("The national ID is not valid."),
    "national_id_mismatch": _("The national ID does not match the birth date or sex."),
    "national_id_taken": _("The national ID already belongs to another person."),
    "self_reference": _("A person cannot be their own parent."),
    "registered_before_event": _("The registration date is before the event."),
    "unknown_parent": _("The parent is neither in the register nor in an earlier row."),
    "parent_born_after_child": _("A parent must be born before the child."),
    "parent_too_young": _("The mother is too young to be the mother of this child."),
    "mother_died_before_birth": _("The mother died before this birth."),
    "father_died_before_birth": _("The father died more than 300 days before this birth."),
    "duplicate_legacy_id": _("Another row of the file has this legacy ID with other data."),
    "legacy_id_conflict": _("This legacy ID was already imported with other data."),
    "unknown_person": _("No imported person has this legacy ID."),
    "death_before_birth": _("The date of death is before the date of birth."),
    "already_deceased": _("This person is already registered as deceased on another date."),
    "death_before_marriage": _("This person married after this date of death."),
    "death_before_divorce": _("This person divorced after this date of death."),
    "death_before_child_birth": _(
        "A child of this person was born after this date of death (for a father, more than "
        "300 days after)."
    ),
    "person_revoked": _("This person's registration was revoked."),
    "column_count": _("The row does not have the same number of columns as the header."),
    "encoding": _("The row is not valid UTF-8."),
    "row_too_large": _("The row is larger than 8 KiB."),
    "csv_format": _("The row is not valid CSV (check the quotes)."),
    "line_skipped": _(
        "This line was skipped: a row above it could not be read, and this line does not "
        "start a row of its own (check the quotes above it)."
    ),
    "id_space_exhausted": _("Every national ID for these data is taken."),
    # Marriages, divorces, recognitions and adoptions (`registry.legacy_events`).
    "not_in_profile": _("This country's records have no such field; leave it empty."),
    "same_person": _("The same person cannot appear twice in one record."),
    "born_after_event": _("This person was not born yet on the date of the event."),
    "died_before_event": _("A person named in this row had died before the date of the event."),
    "under_marriage_age": _("This person is under the minimum age to marry."),
    "already_married": _("This person is already married on this date."),
    "overlapping_marriage": _(
        "This person married someone else later, while this marriage would still be open."
    ),
    "unknown_marriage": _("No imported marriage has this legacy ID."),
    "marriage_revoked": _("The registration of this marriage was revoked."),
    "divorce_before_marriage": _("The divorce date is before the date of the marriage."),
    "already_divorced": _("This marriage was already dissolved on another date."),
    "link_exists": _("This person is already this child's parent by another record of this kind."),
}
_ID_ERROR: Final = _("The national ID cannot be formed from these data.")


@dataclass(frozen=True, slots=True)
class RowError:
    """Why a row was refused: the field ("" for the whole row) and a machine-readable code."""

    field: str
    code: str

    @property
    def message(self) -> str:
        return str(MESSAGES.get(self.code, _ID_ERROR))


class LegacyFormatError(ValueError):
    """The file as a whole cannot be imported (no header, wrong columns, unknown event type)."""


# --------------------------------------------------------------------------------------------
# Reading records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One CSV record; `line` is the file line it starts on (the header is line 1).

    `data` holds its bytes (up to :data:`KEPT_OVERSIZED`), `cells` its fields when the reader
    read them, and `error` the code of what made it unreadable ("" when nothing did).
    """

    line: int
    data: bytes
    oversized: bool = False
    cells: list[str] | None = None
    error: str = ""


#: Record-level codes the reader gives (`parse_record` turns them into `RowError`s).
_UNREADABLE: Final = frozenset({"csv_format", "row_too_large", "column_count", "line_skipped"})

_Line = tuple[int, bytes, int]  # (line number, bytes as read, size of the whole line)


class _TooLarge(Exception):
    """A record grew past the size the reader gives it."""


class _Lines:
    """The physical lines of a byte stream, numbered; lines given back are read again first.

    A line longer than `cap` bytes is read past, not kept: only its first bytes and its size.
    """

    def __init__(self, stream: BinaryIO, cap: int) -> None:
        self.stream, self.cap = stream, cap
        self.number = 0
        self.again: deque[_Line] = deque()

    def next(self) -> _Line | None:
        if self.again:
            return self.again.popleft()
        raw = self.stream.readline(self.cap + 1)
        if not raw:
            return None
        size = len(raw)
        if size > self.cap and not raw.endswith(b"\n"):
            while more := self.stream.readline(1 << 20):
                size += len(more)
                if more.endswith(b"\n"):
                    break
        self.number += 1
        return self.number, raw, size

    def give_back(self, lines: Sequence[_Line]) -> None:
        self.again.extendleft(reversed(lines))


class _Feed:
    """What `csv.reader` reads from: the lines of one record at a time, decoded, within a
    size limit. It notes which lines the record took and whether one was not UTF-8."""

    def __init__(self, lines: _Lines) -> None:
        self.lines = lines
        self.taken: list[_Line] = []
        self.size = 0
        self.limit = 0
        self.not_utf8 = False

    def start(self, limit: int) -> None:
        self.taken, self.size, self.limit, self.not_utf8 = [], 0, limit, False

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> str:
        line = self.lines.next()
        if line is None:
            raise StopIteration
        self.taken.append(line)
        self.size += line[2]
        if self.size > self.limit:
            raise _TooLarge
        try:
            return line[1].decode("utf-8")
        except UnicodeDecodeError:
            # Kept readable (the quotes and commas are ASCII); the row is refused for it.
            self.not_utf8 = True
            return line[1].decode("utf-8", "surrogateescape")


def _is_blank(line: _Line) -> bool:
    return not line[1].strip(b"\r\n")


def _reads_as_row(line: _Line, width: int) -> bool:
    """Whether the line, read on its own, is one whole record of `width` fields."""
    try:
        rows = list(csv.reader([line[1].decode("utf-8", "surrogateescape")], strict=True))
    except csv.Error:
        return False
    return len(rows) == 1 and len(rows[0]) == width


class _Reader:
    """Cuts a byte stream into records with the csv module, which knows where a quoted field
    starts and ends (a quote inside an unquoted field is only a character)."""

    def __init__(self, stream: BinaryIO, cap: int) -> None:
        self.lines = _Lines(stream, cap)
        self.feed = _Feed(self.lines)
        self.csv = csv.reader(self.feed, strict=True)

    def read(self, limit: int) -> tuple[list[_Line], list[str] | None, str] | None:
        """The next record within `limit` bytes: its lines, its fields (None when it cannot
        be read) and an error code; None at the end of the stream. Blank lines are passed."""
        while True:
            self.feed.start(limit)
            error = ""
            cells: list[str] | None = None
            try:
                cells = next(self.csv)
            except StopIteration:
                return None
            except csv.Error:
                error = "csv_format"
            except _TooLarge:
                error = "row_too_large"
            if error:
                # The reader's state is that of the failed record: start a new one.
                self.csv = csv.reader(self.feed, strict=True)
            elif not cells:
                continue  # a blank line
            elif self.feed.not_utf8:
                error = "encoding"
            return self.feed.taken, cells, error


def read_records(
    stream: BinaryIO,
    limit: int = MAX_ROW_BYTES,
    *,
    width: int | None = None,
    give_up: int = KEPT_OVERSIZED,
) -> Iterator[RawRecord]:
    """Cut a CSV byte stream into records; a quoted field may hold line breaks.

    Blank lines are skipped. A record longer than `limit` bytes is yielded with
    ``oversized=True``. `width` is the number of fields of a row, by default that of the first
    record (the header).

    A record that cannot be read, yet took several lines (a quote that opens a field and never
    closes, a record past `give_up` bytes, one whose fields do not come out as many as the
    header's or that swallowed a line reading as a whole row of its own), says nothing sure
    about where the next record starts. It is yielded as an error on its first line; then every
    following line is yielded as ``line_skipped`` until one starts a readable record of the
    header's width, where reading goes on. So every line of the file is either read or
    reported, and reading the same bytes again always yields the same records (a resumed
    import counts on that).
    """
    reader = _Reader(stream, max(limit, give_up))
    while (found := reader.read(max(limit, give_up))) is not None:
        taken, cells, error = found
        first = taken[0][0]
        if width is None and cells is not None and not error:
            width = len(cells)
        if len(taken) > 1 and width is not None and cells is not None:
            if len(cells) != width:
                error = "column_count"
            elif any(_reads_as_row(line, width) for line in taken[1:]):
                error = "csv_format"
        if error in _UNREADABLE and len(taken) > 1:
            yield RawRecord(first, b"", error=error)
            reader.lines.give_back(taken[1:])
            yield from _resynchronise(reader, limit, width)
            continue
        size = reader.feed.size
        data = b"".join(line[1] for line in taken).rstrip(b"\r\n") if size <= give_up else b""
        yield RawRecord(first, data, oversized=size > limit, cells=cells, error=error)


def _resynchronise(reader: _Reader, limit: int, width: int | None) -> Iterator[RawRecord]:
    """After a record that could not be read: each line up to the next one that starts a
    readable record of `width` fields (within `limit` bytes) is reported as skipped."""
    while (line := reader.lines.next()) is not None:
        if _is_blank(line):
            continue
        reader.lines.give_back([line])
        found = reader.read(limit)
        if found is None:
            return
        taken, cells, error = found
        readable = (
            cells is not None
            and error in ("", "encoding")
            and (width is None or len(cells) == width)
            and not (width is not None and any(_reads_as_row(t, width) for t in taken[1:]))
        )
        if readable:
            data = b"".join(t[1] for t in taken).rstrip(b"\r\n")
            yield RawRecord(taken[0][0], data, cells=cells, error=error)
            return
        yield RawRecord(taken[0][0], b"", error="line_skipped")
        reader.lines.give_back(taken[1:])


def parse_record(
    record: RawRecord, width: int, columns: Sequence[str] = ()
) -> list[str] | RowError:
    """The cells of a record, or why it cannot be read (size, encoding, CSV, column count).

    For an oversized row the error names its longest field when the row can still be read
    (`columns` gives the field names in file order).
    """
    if record.error in _UNREADABLE:
        return RowError("", record.error)
    if record.oversized or len(record.data) > MAX_ROW_BYTES:
        return RowError(_longest_field(record, width, columns), "row_too_large")
    if record.error:
        return RowError("", record.error)
    cells = record.cells
    if cells is None:
        try:
            text = record.data.decode("utf-8")
        except UnicodeDecodeError:
            return RowError("", "encoding")
        try:
            rows = list(csv.reader([text], strict=True))
        except csv.Error:
            return RowError("", "csv_format")
        cells = rows[0] if rows else []
    if len(cells) != width:
        return RowError("", "column_count")
    return cells


def _longest_field(record: RawRecord, width: int, columns: Sequence[str]) -> str:
    cells = record.cells
    if cells is None:
        try:
            cells = next(csv.reader([record.data.decode("utf-8")], strict=True), [])
        except (UnicodeDecodeError, csv.Error):
            return ""
    if record.error or len(cells) != width or len(columns) != width:
        return ""
    longest = max(range(width), key=lambda i: len(cells[i]))
    return columns[longest]


# --------------------------------------------------------------------------------------------
# Validating rows (pure: no database; the context carries what the register knows)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValidationContext:
    """What row validation needs to know, loaded once per file."""

    profile_code: str
    scheme: IdScheme
    today: dt.date
    states: frozenset[str]
    municipalities: dict[str, str]  # official code -> state code
    offices: frozenset[str]
    sexes: frozenset[str]
    uses_second_surname: bool
    min_mother_age: int

    @classmethod
    def for_profile(
        cls,
        profile: CountryProfile,
        *,
        municipalities: dict[str, str],
        offices: Iterable[str],
        today: dt.date,
    ) -> ValidationContext:
        try:
            sexes = frozenset(profile.event_type("birth").field_spec("sex").choices)
        except KeyError:
            sexes = frozenset({"F", "M"})
        return cls(
            profile_code=profile.code,
            scheme=get_scheme(profile.id_scheme),
            today=today,
            states=frozenset(s.code for s in profile.states),
            municipalities=dict(municipalities),
            offices=frozenset(offices),
            sexes=sexes or frozenset({"F", "M"}),
            uses_second_surname=profile.names.uses_second_surname,
            min_mother_age=profile.registration.min_mother_age_warning,
        )

    @classmethod
    def from_database(cls, profile: CountryProfile) -> ValidationContext:
        municipalities = dict(
            Jurisdiction.objects.filter(level=JurisdictionLevel.MUNICIPALITY)
            .exclude(official_code="")
            .values_list("official_code", "parent__official_code")
        )
        offices = Jurisdiction.objects.filter(level=JurisdictionLevel.OFFICE).values_list(
            "code", flat=True
        )
        return cls.for_profile(
            profile, municipalities=municipalities, offices=offices, today=timezone.localdate()
        )


@dataclass(frozen=True, slots=True)
class BirthRow:
    legacy_id: str
    given_names: str
    first_surname: str
    second_surname: str
    sex: str
    birth_date: dt.date
    birth_state: str
    birth_municipality: str
    national_id: str  # normalised; "" when the register is to assign one
    mother_legacy_id: str
    father_legacy_id: str
    registered_on: dt.date
    office_code: str


@dataclass(frozen=True, slots=True)
class DeathRow:
    legacy_id: str
    person_legacy_id: str
    death_date: dt.date
    death_state: str
    death_municipality: str
    registered_on: dt.date
    office_code: str


def _is_name(value: str) -> bool:
    """Letters (any script, with their marks), spaces, apostrophes, dots and dashes only."""
    if _COMMON_NAME.fullmatch(value):
        return any(c.isalpha() for c in value)
    return any(c.isalpha() for c in value) and all(
        unicodedata.category(c)[0] in "LM" or c in _NAME_PUNCTUATION for c in value
    )


def _clean(value: str) -> str:
    if not value.isascii():
        value = unicodedata.normalize("NFC", value)
    return " ".join(value.split())


class _Checker:
    """Collects errors while turning cells into typed values."""

    def __init__(self, cells: dict[str, str], ctx: ValidationContext) -> None:
        self.cells = cells
        self.ctx = ctx
        self.errors: list[RowError] = []

    def fail(self, name: str, code: str) -> None:
        self.errors.append(RowError(name, code))

    def text(self, name: str, *, required: bool, limit: int = MAX_TEXT) -> str:
        raw = self.cells.get(name, "")
        if len(raw) > 4 * limit:
            self.fail(name, "too_long")
            return ""
        value = _clean(raw)
        # Whitespace is folded already, so anything left unprintable is a control, format,
        # private-use or unassigned character (Unicode categories C*).
        if not value.isprintable():
            self.fail(name, "control_characters")
            return ""
        if len(value) > limit:
            self.fail(name, "too_long")
            return ""
        if required and not value:
            self.fail(name, "required")
        return value

    def name(self, name: str, *, required: bool) -> str:
        value = self.text(name, required=required)
        if value and not _is_name(value):
            self.fail(name, "invalid_characters")
            return ""
        return value

    def date(self, name: str, *, required: bool = True) -> dt.date | None:
        value = self.text(name, required=required, limit=10)
        if not value:
            return None
        if not _DATE.fullmatch(value):
            self.fail(name, "invalid_date")
            return None
        try:
            parsed = dt.date(int(value[:4]), int(value[5:7]), int(value[8:]))
        except ValueError:
            self.fail(name, "invalid_date")
            return None
        if parsed > self.ctx.today:
            self.fail(name, "future_date")
            return None
        if parsed < EARLIEST:
            self.fail(name, "too_old")
            return None
        return parsed

    def place(self, state_field: str, municipality_field: str) -> tuple[str, str]:
        state = self.text(state_field, required=True, limit=8)
        if state and state not in self.ctx.states:
            self.fail(state_field, "unknown_state")
            state = ""
        municipality = self.text(municipality_field, required=True, limit=12)
        if municipality:
            in_state = self.ctx.municipalities.get(municipality)
            if in_state is None:
                self.fail(municipality_field, "unknown_municipality")
                municipality = ""
            elif state and in_state != state:
                self.fail(municipality_field, "municipality_not_in_state")
                municipality = ""
        return state, municipality

    def office(self, name: str) -> str:
        value = self.text(name, required=False, limit=40)
        if value and value not in self.ctx.offices:
            self.fail(name, "unknown_office")
            return ""
        return value


def validate_birth_row(cells: dict[str, str], ctx: ValidationContext) -> BirthRow | list[RowError]:
    """A typed birth row, or every error found in it. Never raises."""
    check = _Checker(cells, ctx)
    legacy_id = check.text("legacy_id", required=True, limit=MAX_LEGACY_ID)
    given = check.name("given_names", required=True)
    first = check.name("first_surname", required=True)
    second = check.name("second_surname", required=False)
    if second and not ctx.uses_second_surname:
        check.fail("second_surname", "not_used")
    sex = check.text("sex", required=True, limit=1).upper()
    if sex and sex not in ctx.sexes:
        check.fail("sex", "invalid_choice")
    born = check.date("birth_date")
    state, municipality = check.place("birth_state", "birth_municipality")
    national_id = check.text("national_id", required=False, limit=40)
    if national_id:
        national_id = _checked_national_id(check, national_id, born, sex)
    mother = check.text("mother_legacy_id", required=False, limit=MAX_LEGACY_ID)
    father = check.text("father_legacy_id", required=False, limit=MAX_LEGACY_ID)
    for name, value in (("mother_legacy_id", mother), ("father_legacy_id", father)):
        if value and value == legacy_id:
            check.fail(name, "self_reference")
    registered = check.date("registered_on")
    if registered and born and registered < born:
        check.fail("registered_on", "registered_before_event")
    office = check.office("office_code")
    if check.errors:
        return check.errors
    assert born is not None
    assert registered is not None
    return BirthRow(
        legacy_id=legacy_id,
        given_names=given,
        first_surname=first,
        second_surname=second,
        sex=sex,
        birth_date=born,
        birth_state=state,
        birth_municipality=municipality,
        national_id=national_id,
        mother_legacy_id=mother,
        father_legacy_id=father,
        registered_on=registered,
        office_code=office,
    )


def _checked_national_id(check: _Checker, value: str, born: dt.date | None, sex: str) -> str:
    scheme = check.ctx.scheme
    try:
        normalised = scheme.normalise(value)
        if len(normalised) > 20 or not scheme.is_valid(normalised):
            check.fail("national_id", "invalid_national_id")
            return ""
        decoded = scheme.decode(normalised)
    except (InvalidIdError, ValueError, KeyError, IndexError):
        check.fail("national_id", "invalid_national_id")
        return ""
    if (born is not None and decoded.birth_date != born) or (sex and decoded.sex != sex):
        check.fail("national_id", "national_id_mismatch")
        return ""
    return normalised


def validate_death_row(cells: dict[str, str], ctx: ValidationContext) -> DeathRow | list[RowError]:
    """A typed death row, or every error found in it. Never raises."""
    check = _Checker(cells, ctx)
    legacy_id = check.text("legacy_id", required=True, limit=MAX_LEGACY_ID)
    person = check.text("person_legacy_id", required=True, limit=MAX_LEGACY_ID)
    died = check.date("death_date")
    state, municipality = check.place("death_state", "death_municipality")
    registered = check.date("registered_on")
    if registered and died and registered < died:
        check.fail("registered_on", "registered_before_event")
    office = check.office("office_code")
    if check.errors:
        return check.errors
    assert died is not None
    assert registered is not None
    return DeathRow(
        legacy_id=legacy_id,
        person_legacy_id=person,
        death_date=died,
        death_state=state,
        death_municipality=municipality,
        registered_on=registered,
        office_code=office,
    )


_VALIDATORS: Final[dict[str, Callable[[dict[str, str], ValidationContext], Any]]] = {
    "birth": validate_birth_row,
    "death": validate_death_row,
}


def validate_row(
    event_type: str, cells: Sequence[str], ctx: ValidationContext
) -> BirthRow | DeathRow | EventRow | list[RowError]:
    """Validate the cells of one row in the documented column order. Never raises."""
    columns = LAYOUTS[event_type]
    if len(cells) != len(columns):
        return [RowError("", "column_count")]
    if event_type not in _VALIDATORS:
        from ventanilla.registry.legacy_events import validate_event_row  # it imports this module

        return validate_event_row(event_type, dict(zip(columns, cells, strict=True)), ctx)
    result: BirthRow | DeathRow | list[RowError] = _VALIDATORS[event_type](
        dict(zip(columns, cells, strict=True)), ctx
    )
    return result


# --------------------------------------------------------------------------------------------
# Bulk writing (shared with `seed_population`)
# --------------------------------------------------------------------------------------------


def _id_subject(
    profile: CountryProfile,
    *,
    given: str,
    first: str,
    second: str,
    born: dt.date,
    sex: str,
    state: str,
) -> IdSubject | None:
    try:
        id_state = profile.state(state).id_code
    except KeyError:
        return None
    return IdSubject(
        given_names=given,
        first_surname=first,
        second_surname=second,
        birth_date=born,
        sex=sex,
        birth_state=id_state,
    )


# --------------------------------------------------------------------------------------------
# The import
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SuspectedPair:
    """An imported person and a person (imported or already registered) that may be the same."""

    row: int
    legacy_id: str
    person_id: str
    other_id: str
    other_reference: str
    score: float


@dataclass
class ImportOutcome:
    run: ImportRun
    rows_read: int = 0
    imported: int = 0
    skipped: int = 0
    rejected: int = 0
    stopped: bool = False
    already_finished: bool = False
    seconds: float = 0.0
    #: Of `seconds`, bringing the server up to date at the end (`bulk.settle_register`).
    settle_seconds: float = 0.0
    pairs: list[SuspectedPair] = field(default_factory=list)

    @property
    def rows_per_second(self) -> float:
        return self.rows_read / self.seconds if self.seconds > 0 else 0.0


@dataclass(slots=True)
class _Batch:
    rows: list[tuple[int, BirthRow | DeathRow | EventRow]] = field(default_factory=list)
    rejections: list[tuple[int, RowError]] = field(default_factory=list)
    size: int = 0


@dataclass(frozen=True, slots=True)
class _Known:
    """A person the batch refers to, as far as the checks need."""

    id: uuid.UUID
    given_names: str
    first_surname: str
    second_surname: str
    sex: str
    birth_date: dt.date | None
    status: str
    death_date: dt.date | None
    national_id: str | None = None
    birth_place_id: int | None = None
    jurisdiction_id: int | None = None
    registered_on: dt.date | None = None


_KNOWN_COLUMNS: Final = (
    "source_reference",
    "id",
    "given_names",
    "first_surname",
    "second_surname",
    "sex",
    "birth_date",
    "status",
    "death_date",
    "national_id",
    "birth_place_id",
    "jurisdiction_id",
    "registered_on",
)


def _known_persons(references: Collection[str]) -> dict[str, _Known]:
    found: dict[str, _Known] = {}
    values = sorted(references)
    if values and connections["default"].vendor == "postgresql":
        # The second condition is the partial unique index's own predicate, so it is used.
        rows: Iterable[tuple[Any, ...]] = any_of(
            f"SELECT {', '.join(_KNOWN_COLUMNS)} FROM registry_person "  # noqa: S608
            "WHERE source_reference = ANY(%s::text[]) AND NOT (source_reference = '')",
            values,
        )
        for ref, *columns in rows:
            found[ref] = _Known(*columns)
        return found
    for start in range(0, len(values), 5000):
        rows = Person.objects.filter(source_reference__in=values[start : start + 5000]).values_list(
            *_KNOWN_COLUMNS
        )
        for ref, *columns in rows:
            found[ref] = _Known(*columns)
    return found


def _birth_parents(person_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, set[str]]:
    """The legacy IDs of each person's parents by birth (as their births named them)."""
    found: dict[uuid.UUID, set[str]] = {pid: set() for pid in person_ids}
    ids = sorted(person_ids)
    for start in range(0, len(ids), 5000):
        links = ParentLink.objects.filter(
            child_id__in=ids[start : start + 5000], kind=ParentKind.BIRTH
        ).values_list("child_id", "parent__source_reference")
        for child, reference in links:
            found[child].add(reference.removeprefix(LEGACY_PREFIX) if reference else "")
    return found


def _death_references(references: Collection[str]) -> dict[str, tuple[uuid.UUID, dt.date | None]]:
    """The person each of these legacy death references closed, with the date of death."""
    found: dict[str, tuple[uuid.UUID, dt.date | None]] = {}
    values = sorted(references)
    for start in range(0, len(values), 5000):
        rows = (
            Person.objects.filter(death_source_reference__in=values[start : start + 5000])
            .exclude(death_source_reference="")
            .values_list("death_source_reference", "id", "death_date")
        )
        for reference, pid, died in rows:
            found[reference] = (pid, died)
    return found


@dataclass(frozen=True, slots=True)
class _Life:
    """What the register holds of a person's life after which they cannot have died."""

    last_marriage: dt.date | None = None
    last_divorce: dt.date | None = None
    last_child_born: dt.date | None = None

    def contradicted_by(self, died: dt.date, sex: str) -> list[str]:
        """The codes of what a death on `died` contradicts: a marriage or a divorce after it,
        a child born after it (for a father, more than `POSTHUMOUS_BIRTH_DAYS` after)."""
        codes: list[str] = []
        if self.last_marriage is not None and self.last_marriage > died:
            codes.append("death_before_marriage")
        if self.last_divorce is not None and self.last_divorce > died:
            codes.append("death_before_divorce")
        child = self.last_child_born
        if child is not None and (
            child > died if sex == "F" else (child - died).days > POSTHUMOUS_BIRTH_DAYS
        ):
            codes.append("death_before_child_birth")
        return codes


def _latest(*days: dt.date | None) -> dt.date | None:
    known = [d for d in days if d is not None]
    return max(known) if known else None


def _lives(person_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, _Life]:
    """For each of these persons: their last marriage and divorce (revoked marriages aside)
    and the birth of their last child by birth (revoked children aside)."""
    lives: dict[uuid.UUID, _Life] = {}
    ids = sorted(person_ids)
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        unions = (
            Union.objects.filter(Q(spouse_a_id__in=chunk) | Q(spouse_b_id__in=chunk))
            .exclude(marriage_record__status=RecordStatus.REVOKED)
            .values_list(
                "spouse_a_id", "spouse_b_id", "married_on", "dissolved_on", "divorce_record"
            )
        )
        for a, b, married, dissolved, divorce in unions:
            for pid in (a, b):
                if pid not in person_ids:
                    continue
                life = lives.get(pid, _Life())
                lives[pid] = dataclasses.replace(
                    life,
                    last_marriage=_latest(life.last_marriage, married),
                    last_divorce=_latest(life.last_divorce, dissolved if divorce else None),
                )
        children = (
            ParentLink.objects.filter(parent_id__in=chunk, kind=ParentKind.BIRTH)
            .exclude(child__status=PersonStatus.VOID)
            .values_list("parent_id", "child__birth_date")
        )
        for pid, born in children:
            life = lives.get(pid, _Life())
            lives[pid] = dataclasses.replace(
                life, last_child_born=_latest(life.last_child_born, born)
            )
    return lives


def _record_deaths(
    writer: BulkWriter,
    deaths: Sequence[tuple[uuid.UUID, dt.date]],
    references: dict[uuid.UUID, str],
) -> None:
    """Mark persons deceased on the given dates, each with the legacy death that closed them."""
    if not deaths:
        return
    if not writer.postgres:
        persons = [
            Person(
                pk=pid,
                status=PersonStatus.DECEASED,
                death_date=died,
                death_source_reference=references.get(pid, ""),
            )
            for pid, died in deaths
        ]
        Person.objects.using(writer.using).bulk_update(
            persons, ["status", "death_date", "death_source_reference"], batch_size=500
        )
        return
    with writer.connection.cursor() as cursor:
        cursor.execute(
            "UPDATE registry_person AS p SET status = %s, death_date = s.died, "
            "death_source_reference = s.reference "
            "FROM unnest(%s::uuid[], %s::date[], %s::text[]) AS s(id, died, reference) "
            "WHERE p.id = s.id",
            [
                PersonStatus.DECEASED.value,
                [pid for pid, _died in deaths],
                [died for _pid, died in deaths],
                [references.get(pid, "") for pid, _died in deaths],
            ],
        )


def file_digest(path: Path) -> tuple[str, int]:
    """The file's SHA-256 and its number of lines."""
    digest = hashlib.sha256()
    lines = 0
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
            lines += chunk.count(b"\n")
    return digest.hexdigest(), lines


Written = list[tuple[int, BirthRow, MatchRecord, RecordFeatures, set[str]]]


class _BatchConflict(Exception):
    """A unique constraint refused a batch (another registration took a national ID between
    check and write); the batch is prepared again."""


@dataclass
class _Prepared:
    """A batch ready to be written: every row accepted, skipped or refused, nothing half."""

    size: int
    rejections: list[tuple[int, RowError]]
    skipped: int = 0
    person_rows: list[tuple[Any, ...]] = field(default_factory=list)
    link_rows: list[tuple[Any, ...]] = field(default_factory=list)
    key_rows: list[tuple[Any, ...]] = field(default_factory=list)
    deaths: list[tuple[uuid.UUID, dt.date]] = field(default_factory=list)
    written: Written = field(default_factory=list)
    # What later batches must know before this one is committed.
    accepted: dict[str, tuple[BirthRow, uuid.UUID]] = field(default_factory=dict)
    national_ids: set[str] = field(default_factory=set)
    death_rows: dict[str, DeathRow] = field(default_factory=dict)  # legacy ID -> row read
    death_references: dict[uuid.UUID, str] = field(default_factory=dict)  # person -> reference
    # Marriages, divorces, recognitions and adoptions (`registry.legacy_events`).
    events: EventBatch | None = None

    @property
    def imported(self) -> int:
        if self.events is not None:
            return self.events.imported
        return len(self.person_rows) or len(self.deaths)


class _Importer:
    """Prepares batches in the caller's thread and writes them (possibly on a writer thread).

    Batches still being written are remembered (`remember`), so that a row may name a parent,
    or repeat a legacy ID, from a batch that is not committed yet.
    """

    def __init__(
        self,
        run: ImportRun,
        event_type: str,
        *,
        dedupe: bool,
        profile: CountryProfile,
        in_flight: int,
    ) -> None:
        self.run = run
        self.event_type = event_type
        self.dedupe = dedupe
        self.profile = profile
        self.writer = BulkWriter()
        self.ctx = ValidationContext.from_database(profile)
        self.scheme = identity.scheme()
        self.offices: dict[str, int] = dict(
            Jurisdiction.objects.filter(level=JurisdictionLevel.OFFICE).values_list("code", "id")
        )
        self.municipality_ids: dict[str, int] = dict(
            Jurisdiction.objects.filter(level=JurisdictionLevel.MUNICIPALITY)
            .exclude(official_code="")
            .values_list("official_code", "id")
        )
        self.default_office: dict[str, int] = {}
        self.pending: deque[_Prepared] = deque(maxlen=in_flight)
        self.lock = threading.Lock()

    def remember(self, prepared: _Prepared) -> None:
        self.pending.append(prepared)

    # -- offices -------------------------------------------------------------------------

    def _office_for(self, row: BirthRow) -> int:
        if row.office_code:
            return self.offices[row.office_code]
        office = self.default_office.get(row.birth_municipality)
        if office is None:
            municipality = Jurisdiction.objects.get(
                pk=self.municipality_ids[row.birth_municipality]
            )
            found = Jurisdiction.objects.filter(code=f"{municipality.code}-O01").first()
            if found is None:
                found = ensure_office(municipality, 1, f"{municipality.name} · 01")
            office = found.pk
            self.default_office[row.birth_municipality] = office
        return office

    def _pending_row(self, legacy_id: str) -> tuple[BirthRow, uuid.UUID] | None:
        for prepared in reversed(self.pending):
            found = prepared.accepted.get(legacy_id)
            if found is not None:
                return found
        return None

    # -- preparing -----------------------------------------------------------------------

    def prepare(self, batch: _Batch) -> _Prepared:
        prepared = _Prepared(size=batch.size, rejections=list(batch.rejections))
        if self.event_type == "birth":
            self._births(batch, prepared)
        elif self.event_type == "death":
            self._deaths(batch, prepared)
        else:
            from ventanilla.registry.legacy_events import prepare_events  # it imports this module

            prepared.events = prepare_events(self, batch.rows, prepared)
        return prepared

    def _births(self, batch: _Batch, out: _Prepared) -> None:
        rows = [(line, r) for line, r in batch.rows if isinstance(r, BirthRow)]
        for _line, r in rows:
            self._office_for(r)  # creates a missing default office now, outside any batch
        refs = {legacy_reference(r.legacy_id) for _line, r in rows}
        refs |= {
            legacy_reference(p)
            for _line, r in rows
            for p in (r.mother_legacy_id, r.father_legacy_id)
            if p
        }
        known = _known_persons(refs)
        parents_known = _birth_parents(
            [
                known[legacy_reference(r.legacy_id)].id
                for _line, r in rows
                if legacy_reference(r.legacy_id) in known
            ]
        )
        reserved = set().union(*(p.national_ids for p in self.pending))
        provided_taken = taken_national_ids({r.national_id for _line, r in rows if r.national_id})
        provided_taken |= reserved

        accepted: list[tuple[int, BirthRow, uuid.UUID]] = []
        in_batch = out.accepted
        parents_of: dict[uuid.UUID, list[tuple[uuid.UUID, str, str]]] = {}
        names: dict[uuid.UUID, str] = {
            k.id: full_name(k.given_names, k.first_surname, k.second_surname)
            for k in known.values()
        }
        for prepared in self.pending:
            for row, pid in prepared.accepted.values():
                names[pid] = full_name(row.given_names, row.first_surname, row.second_surname)
        for line, r in rows:
            earlier = in_batch.get(r.legacy_id) or self._pending_row(r.legacy_id)
            if earlier is not None:
                if earlier[0] == r:
                    out.skipped += 1
                else:
                    out.rejections.append((line, RowError("legacy_id", "duplicate_legacy_id")))
                continue
            existing = known.get(legacy_reference(r.legacy_id))
            if existing is not None:
                if self._same_birth(existing, r, parents_known.get(existing.id, set())):
                    out.skipped += 1
                else:
                    out.rejections.append((line, RowError("legacy_id", "legacy_id_conflict")))
                continue
            errors: list[RowError] = []
            if r.national_id and (
                r.national_id in provided_taken or r.national_id in out.national_ids
            ):
                errors.append(RowError("national_id", "national_id_taken"))
            links: list[tuple[uuid.UUID, str, str]] = []  # (parent, slot, full name)
            for field_name, parent_legacy, kind in (
                ("mother_legacy_id", r.mother_legacy_id, "mother"),
                ("father_legacy_id", r.father_legacy_id, "father"),
            ):
                if not parent_legacy:
                    continue
                parent = self._parent(parent_legacy, in_batch, known)
                if parent is None:
                    errors.append(RowError(field_name, "unknown_parent"))
                    continue
                pid, p_born, p_death, p_sex = parent
                if p_born is not None and p_born >= r.birth_date:
                    errors.append(RowError(field_name, "parent_born_after_child"))
                elif (
                    kind == "mother"
                    and p_born is not None
                    and _years(p_born, r.birth_date) < self.ctx.min_mother_age
                ):
                    errors.append(RowError(field_name, "parent_too_young"))
                elif kind == "mother" and p_death is not None and p_death < r.birth_date:
                    errors.append(RowError(field_name, "mother_died_before_birth"))
                elif (
                    kind == "father"
                    and p_death is not None
                    and (r.birth_date - p_death).days > POSTHUMOUS_BIRTH_DAYS
                ):
                    errors.append(RowError(field_name, "father_died_before_birth"))
                else:
                    # `dedup` files a parent's name by the parent's sex; the keys must agree.
                    links.append((pid, "mother" if p_sex == "F" else "father", names.get(pid, "")))
            if errors:
                out.rejections.extend((line, e) for e in errors)
                continue
            pid = uuid7()
            in_batch[r.legacy_id] = (r, pid)
            names[pid] = full_name(r.given_names, r.first_surname, r.second_surname)
            if r.national_id:
                out.national_ids.add(r.national_id)
            parents_of[pid] = links
            accepted.append((line, r, pid))

        # National IDs for the rows that bring none; a row the scheme cannot encode is refused,
        # and so is any later row of the batch whose parent it was.
        needing = [(i, r) for i, (_line, r, _pid) in enumerate(accepted) if not r.national_id]
        subjects = [
            _id_subject(
                self.profile,
                given=r.given_names,
                first=r.first_surname,
                second=r.second_surname,
                born=r.birth_date,
                sex=r.sex,
                state=r.birth_state,
            )
            for _i, r in needing
        ]
        assigned = allocate_national_ids(
            subjects, self.scheme, taken_national_ids, reserved | out.national_ids
        )
        national: dict[int, str] = {}
        refused: set[uuid.UUID] = set()
        refused_legacy: set[str] = set()
        for (i, _r), value in zip(needing, assigned, strict=True):
            if isinstance(value, Unassigned):
                line, refused_row, pid = accepted[i]
                out.rejections.append((line, RowError("national_id", value.code)))
                refused.add(pid)
                refused_legacy.add(refused_row.legacy_id)
            else:
                national[i] = value
                out.national_ids.add(value)
        now = timezone.now()
        for i, (line, r, pid) in enumerate(accepted):
            if pid in refused:
                continue
            links = parents_of[pid]
            if any(parent in refused for parent, _k, _n in links):
                which = (
                    "mother_legacy_id"
                    if r.mother_legacy_id in refused_legacy
                    else "father_legacy_id"
                )
                out.rejections.append((line, RowError(which, "unknown_parent")))
                refused.add(pid)
                refused_legacy.add(r.legacy_id)
                continue
            mother_name = next((n for _p, k, n in links if k == "mother"), "")
            father_name = next((n for _p, k, n in links if k == "father"), "")
            record = MatchRecord(
                id=str(pid),
                given_names=r.given_names,
                first_surname=r.first_surname,
                second_surname=r.second_surname,
                birth_date=r.birth_date,
                sex=r.sex,
                place_code=r.birth_municipality,
                mother_name=mother_name,
                father_name=father_name,
            )
            # Computed once: the keys, the batch's own deduplication and the comparison
            # with the register's candidates all read them.
            features = compute_features(record)
            keys = keys_from_features(features)
            out.person_rows.append(
                (
                    pid,
                    r.national_id or national[i],
                    r.given_names,
                    r.first_surname,
                    r.second_surname,
                    "",
                    r.sex,
                    r.birth_date,
                    self.municipality_ids[r.birth_municipality],
                    self._office_for(r),
                    PersonStatus.ALIVE.value,
                    None,
                    PersonSource.IMPORT.value,
                    legacy_reference(r.legacy_id),
                    search_name(r.given_names, r.first_surname, r.second_surname),
                    now,
                    r.registered_on,
                )
            )
            out.link_rows.extend((pid, parent, ParentKind.BIRTH.value) for parent, _k, _n in links)
            out.key_rows.extend((key, pid) for key in sorted(keys))
            out.written.append((line, r, record, features, keys))
        for legacy_id in refused_legacy:
            in_batch.pop(legacy_id, None)

    def _same_birth(self, known: _Known, r: BirthRow, parents: set[str]) -> bool:
        """Whether `r` is the row `known` was imported from, as far as the register keeps it:
        names, sex, date and place of birth, office, parents, the national ID when the row
        gives one, and the registration date (persons imported before it was kept have none).
        """
        return (
            (known.given_names, known.first_surname, known.second_surname, known.sex)
            == (r.given_names, r.first_surname, r.second_surname, r.sex)
            and known.birth_date == r.birth_date
            and known.birth_place_id == self.municipality_ids.get(r.birth_municipality)
            and known.jurisdiction_id == self._office_for(r)
            and (not r.national_id or known.national_id == r.national_id)
            and (known.registered_on is None or known.registered_on == r.registered_on)
            and parents == {p for p in (r.mother_legacy_id, r.father_legacy_id) if p}
        )

    def _parent(
        self,
        legacy_id: str,
        in_batch: dict[str, tuple[BirthRow, uuid.UUID]],
        known: dict[str, _Known],
    ) -> tuple[uuid.UUID, dt.date | None, dt.date | None, str] | None:
        found = in_batch.get(legacy_id) or self._pending_row(legacy_id)
        if found is not None:
            row, pid = found
            return pid, row.birth_date, None, row.sex
        person = known.get(legacy_reference(legacy_id))
        if person is None or person.status == PersonStatus.VOID:
            return None
        return person.id, person.birth_date, person.death_date, person.sex

    def _deaths(self, batch: _Batch, out: _Prepared) -> None:
        rows = [(line, r) for line, r in batch.rows if isinstance(r, DeathRow)]
        known = _known_persons({legacy_reference(r.person_legacy_id) for _line, r in rows})
        stored = _death_references({death_reference(r.legacy_id) for _line, r in rows})
        lives = _lives({p.id for p in known.values()})
        in_flight: dict[uuid.UUID, dt.date] = {}
        for prepared in self.pending:
            in_flight.update(prepared.deaths)
        updates: dict[uuid.UUID, dt.date] = {}
        seen = out.death_rows  # the legacy IDs of this batch, imported or skipped
        for line, r in rows:
            earlier = seen.get(r.legacy_id) or self._pending_death(r.legacy_id)
            if earlier is not None:
                if earlier == r:
                    out.skipped += 1
                else:
                    out.rejections.append((line, RowError("legacy_id", "duplicate_legacy_id")))
                continue
            person = known.get(legacy_reference(r.person_legacy_id))
            imported = stored.get(death_reference(r.legacy_id))
            if imported is not None:
                # This legacy death closed a person before: the same row again, or a conflict.
                if person is not None and imported == (person.id, r.death_date):
                    out.skipped += 1
                    seen[r.legacy_id] = r
                else:
                    out.rejections.append((line, RowError("legacy_id", "legacy_id_conflict")))
                continue
            if person is None:
                out.rejections.append((line, RowError("person_legacy_id", "unknown_person")))
                continue
            if person.status == PersonStatus.VOID:
                out.rejections.append((line, RowError("person_legacy_id", "person_revoked")))
                continue
            if person.birth_date is not None and r.death_date < person.birth_date:
                out.rejections.append((line, RowError("death_date", "death_before_birth")))
                continue
            recorded = (
                updates.get(person.id)
                or in_flight.get(person.id)
                or (person.death_date if person.status == PersonStatus.DECEASED else None)
            )
            if recorded is not None:
                if recorded == r.death_date:
                    out.skipped += 1  # the same death, under this number or another one
                    seen[r.legacy_id] = r
                else:
                    out.rejections.append((line, RowError("death_date", "already_deceased")))
                continue
            errors = lives.get(person.id, _Life()).contradicted_by(r.death_date, person.sex)
            if errors:
                out.rejections.extend((line, RowError("death_date", code)) for code in errors)
                continue
            updates[person.id] = r.death_date
            seen[r.legacy_id] = r
            out.death_references[person.id] = death_reference(r.legacy_id)
        out.deaths = sorted(updates.items())

    def _pending_death(self, legacy_id: str) -> DeathRow | None:
        for prepared in reversed(self.pending):
            found = prepared.death_rows.get(legacy_id)
            if found is not None:
                return found
        return None

    # -- writing -------------------------------------------------------------------------

    def write(self, prepared: _Prepared, outcome: ImportOutcome) -> None:
        """Write one batch with its rejections and the run's progress, all or nothing; then
        look for duplicates of the persons it added."""
        rejected_rows = {line for line, _e in prepared.rejections}
        holders: dict[str, list[str]] = {}
        try:
            with transaction.atomic():
                self.writer.begin_batch()
                if self.dedupe and prepared.written:
                    # Read before the batch's own keys are written, so they are not read back.
                    holders = _register_holders(
                        sorted({k for *_w, keys in prepared.written for k in keys})
                    )
                self.writer.insert(Person, PERSON_COLUMNS, prepared.person_rows, staged=True)
                self.writer.insert(
                    ParentLink, ("child_id", "parent_id", "kind"), prepared.link_rows, staged=True
                )
                self.writer.insert(
                    PersonMatchKey, ("key", "person_id"), prepared.key_rows, staged=True
                )
                _record_deaths(self.writer, prepared.deaths, prepared.death_references)
                if prepared.events is not None:
                    prepared.events.write(self.writer)  # with its own access-log entry
                ImportRejection.objects.bulk_create(
                    [
                        ImportRejection(
                            run_id=self.run.pk,
                            row_number=line,
                            field=e.field,
                            error=e.code,
                            message=e.message[:255],
                        )
                        for line, e in prepared.rejections
                    ],
                    ignore_conflicts=True,
                )
                ImportRun.objects.filter(pk=self.run.pk).update(
                    rows_done=F("rows_done") + prepared.size,
                    rows_imported=F("rows_imported") + prepared.imported,
                    rows_rejected=F("rows_rejected") + len(rejected_rows),
                )
                changed = [str(row[0]) for row in prepared.person_rows]
                changed += [str(person_id) for person_id, _died in prepared.deaths]
                if changed:
                    # Imported persons can see, like any other change, that their data arrived.
                    log_access(
                        actor=None,
                        grant=None,
                        kind=AccessKind.CHANGE,
                        purpose="legacy.import",
                        subject_ids=changed,
                    )
        except IntegrityError as exc:
            raise _BatchConflict(str(exc)) from exc
        with self.lock:
            outcome.rows_read += prepared.size
            outcome.imported += prepared.imported
            outcome.skipped += prepared.skipped
            outcome.rejected += len(rejected_rows)
        if self.dedupe and prepared.written:
            pairs = self.suspected_pairs(prepared.written, holders)
            with self.lock:
                outcome.pairs.extend(pairs)

    # -- deduplication -------------------------------------------------------------------

    def suspected_pairs(
        self, written: Written, holders: dict[str, list[str]]
    ) -> list[SuspectedPair]:
        """Pairs within the batch (`dedupe_batch`) and against the rest of the register, whose
        persons sharing a key with the batch are `holders` (see `_register_holders`)."""
        by_id = {rec.id: (line, row) for line, row, rec, _f, _k in written}
        pairs: list[SuspectedPair] = []
        refs = {rec.id: legacy_reference(row.legacy_id) for _l, row, rec, _f, _k in written}
        in_batch = dedupe_batch(
            [rec for _l, _r, rec, _f, _k in written], features=[f for *_w, f, _k in written]
        )
        for a, b, score in in_batch:
            line, row = by_id[a]
            pairs.append(SuspectedPair(line, row.legacy_id, a, b, refs[b], score))
        members = {
            key: [pid for pid in block if pid not in by_id] for key, block in holders.items()
        }
        wanted: dict[str, list[str]] = {}
        for _l, _r, rec, _f, keys in written:
            # As `dedup.candidates_for`: those sharing the most keys, then the rarest key.
            shared = Counter(pid for key in sorted(keys) for pid in members.get(key, ()))
            if shared:
                rarest: dict[str, int] = {}
                for key in keys:
                    crowd = len(holders.get(key, ()))
                    for pid in members.get(key, ()):
                        rarest[pid] = min(rarest.get(pid, crowd), crowd)
                ranked = sorted(shared, key=lambda pid: (-shared[pid], rarest[pid], pid))
                wanted[rec.id] = admitted(ranked, shared)
        if not wanted:
            return pairs
        candidate_ids = sorted({pid for found in wanted.values() for pid in found})
        records, references = match_records(candidate_ids)
        for _l, _r, rec, features, _k in written:
            for pid in wanted.get(rec.id, ()):
                other = records.get(pid)
                if other is None:
                    continue
                score = match_score(features, compute_features(other), floor=DEFAULT_THRESHOLD)
                if score >= DEFAULT_THRESHOLD:
                    line, row = by_id[rec.id]
                    pairs.append(
                        SuspectedPair(line, row.legacy_id, rec.id, pid, references[pid], score)
                    )
        return pairs


def _register_holders(keys: Sequence[str]) -> dict[str, list[str]]:
    """Person ids holding each of `keys`, leaving out keys held by more than
    `MAX_BLOCK_SIZE` persons (too common to tell anyone apart; the scorer skips them)."""
    holders: dict[str, list[str]] = {}
    rows: Iterable[tuple[Any, ...]]
    if not keys:
        return holders
    if connections["default"].vendor == "postgresql":
        # Counted in the database, so the persons of a crowded key never travel.
        rows = any_of(
            "SELECT key, person_id FROM (SELECT key, person_id, "  # noqa: S608 - a constant
            "count(*) OVER (PARTITION BY key) AS holders FROM registry_personmatchkey "
            f"WHERE key = ANY(%s::text[])) AS k WHERE holders <= {int(MAX_BLOCK_SIZE)}",
            keys,
        )
    else:
        rows = (
            row
            for start in range(0, len(keys), 5000)
            for row in PersonMatchKey.objects.filter(
                key__in=keys[start : start + 5000]
            ).values_list("key", "person_id")
        )
    for key, person_id in rows:
        holders.setdefault(key, []).append(str(person_id))
    return {k: v for k, v in holders.items() if len(v) <= MAX_BLOCK_SIZE}


def _years(earlier: dt.date, later: dt.date) -> int:
    return later.year - earlier.year - ((later.month, later.day) < (earlier.month, earlier.day))


def _read_header(records: Iterator[RawRecord], event_type: str) -> list[int]:
    """Positions of the layout's columns in the file; the header may order them freely."""
    first = next(records, None)
    expected = LAYOUTS[event_type]
    if first is None:
        raise LegacyFormatError(str(_("The file is empty.")))
    cells = parse_record(
        RawRecord(first.line, first.data.removeprefix(b"\xef\xbb\xbf")), len(expected)
    )
    if isinstance(cells, RowError):
        raise LegacyFormatError(
            str(_("The header must list these columns: %(columns)s."))
            % {"columns": ", ".join(expected)}
        )
    names = [c.strip().lower() for c in cells]
    if sorted(names) != sorted(expected):
        raise LegacyFormatError(
            str(_("The header must list these columns: %(columns)s."))
            % {"columns": ", ".join(expected)}
        )
    return [names.index(c) for c in expected]


def import_legacy_file(
    path: Path,
    event_type: str,
    *,
    batch_size: int = 5000,
    stop_after: int | None = None,
    dedupe: bool = True,
    progress: bool | None = None,
    pipeline: bool | None = None,
) -> ImportOutcome:
    """Import (or continue importing) a legacy CSV file of `event_type`.

    `stop_after` stops, as an interruption would, at the end of the first batch that brings
    the run to at least that many rows. ``progress=None`` shows a bar on a terminal and a line
    every half minute elsewhere (`core.progress`). `pipeline` (default: when
    `WritePipeline.usable`) writes each batch on a second thread while the next one is
    prepared.
    """
    if event_type not in LAYOUTS:
        raise LegacyFormatError(
            str(_("Importing %(event)s records is not supported yet.")) % {"event": event_type}
        )
    started = time.perf_counter()
    digest, lines = file_digest(path)
    run, _created = ImportRun.objects.get_or_create(
        file_digest=digest, event_type=event_type, defaults={"file_name": path.name[:255]}
    )
    outcome = ImportOutcome(run=run)
    if run.finished:
        outcome.already_finished = True
        return outcome
    threaded = WritePipeline.usable() if pipeline is None else pipeline
    try:
        _import(
            path, event_type, outcome, lines, batch_size, stop_after, dedupe, progress, threaded
        )
    except _BatchConflict:
        if not threaded:
            raise
        # Another registration took a national ID of a batch on its way to the database:
        # continue from the last committed batch, preparing and writing one batch at a time.
        logger.warning("import run %s: a batch conflicted; continuing without the pipeline", run.pk)
        run.refresh_from_db()
        _import(path, event_type, outcome, lines, batch_size, stop_after, dedupe, progress, False)
    run.refresh_from_db()
    if outcome.imported:
        settling = time.perf_counter()
        settle_register(show=progress)
        outcome.settle_seconds = time.perf_counter() - settling
    outcome.seconds = time.perf_counter() - started
    return outcome


def _import(
    path: Path,
    event_type: str,
    outcome: ImportOutcome,
    lines: int,
    batch_size: int,
    stop_after: int | None,
    dedupe: bool,
    progress: bool | None,
    threaded: bool,
) -> None:
    run = outcome.run
    run.refresh_from_db()
    writer = WritePipeline(enabled=threaded)
    importer = _Importer(
        run, event_type, dedupe=dedupe, profile=current_profile(), in_flight=writer.depth + 1
    )
    columns = LAYOUTS[event_type]
    submitted = run.rows_done
    with (
        writer,
        path.open("rb") as stream,
        show_progress(
            total=max(0, lines - 1),
            initial=run.rows_done,
            unit=str(_("rows")),
            desc=path.name,
            show=progress,
        ) as bar,
    ):
        records = read_records(stream)
        order = _read_header(records, event_type)
        file_columns = [""] * len(columns)
        for position, index in enumerate(order):
            file_columns[index] = columns[position]
        done = 0
        batch = _Batch()
        for record in records:
            if done < run.rows_done:
                done += 1
                continue
            done += 1
            batch.size += 1
            cells = parse_record(record, len(columns), file_columns)
            if isinstance(cells, RowError):
                batch.rejections.append((record.line, cells))
            else:
                checked = validate_row(event_type, [cells[i] for i in order], importer.ctx)
                if isinstance(checked, list):
                    batch.rejections.extend((record.line, e) for e in checked)
                else:
                    batch.rows.append((record.line, checked))
            if batch.size >= batch_size:
                _submit(importer, writer, batch, outcome)
                submitted += batch.size
                bar.update(batch.size)
                batch = _Batch()
                if stop_after is not None and submitted >= stop_after:
                    outcome.stopped = True
                    break
        else:
            if batch.size:
                _submit(importer, writer, batch, outcome)
                bar.update(batch.size)
    if not outcome.stopped:
        ImportRun.objects.filter(pk=run.pk).update(finished=True)


def _submit(
    importer: _Importer, writer: WritePipeline, batch: _Batch, outcome: ImportOutcome
) -> None:
    """Prepare a batch and hand it to the writer; inline, a conflict is prepared again."""
    for attempt in range(3):
        prepared = importer.prepare(batch)
        try:
            writer.submit(functools.partial(importer.write, prepared, outcome))
        except _BatchConflict:
            if writer.enabled or attempt == 2:
                raise
            logger.warning("import run %s: batch conflicted, retrying", importer.run.pk)
            continue
        importer.remember(prepared)
        return


def write_report(path: Path, run: ImportRun, pairs: Sequence[SuspectedPair]) -> int:
    """Write every rejection of the run and the suspected duplicates as CSV; returns the rows."""
    written = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        report = csv.writer(out)
        report.writerow(
            [
                "kind",
                "row",
                "field",
                "code",
                "message",
                "legacy_id",
                "person_id",
                "other_person_id",
                "other_reference",
                "score",
            ]
        )
        for rejection in run.rejections.order_by("row_number", "field", "error").iterator():
            report.writerow(
                [
                    "rejected",
                    rejection.row_number,
                    rejection.field,
                    rejection.error,
                    rejection.message,
                    "",
                    "",
                    "",
                    "",
                    "",
                ]
            )
            written += 1
        for pair in pairs:
            report.writerow(
                [
                    "suspected_duplicate",
                    pair.row,
                    "",
                    "",
                    "",
                    pair.legacy_id,
                    pair.person_id,
                    pair.other_id,
                    pair.other_reference,
                    f"{pair.score:.3f}",
                ]
            )
            written += 1
    return written
