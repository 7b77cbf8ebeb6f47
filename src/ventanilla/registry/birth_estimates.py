"""Expected births per state or municipality and year: the denominator of completeness.

The figures come from a CSV file (layout in ``docs/birth-estimates.md``) of official
estimates or projections. A file is checked whole before anything is written: one bad row
refuses the file, with a report of every error (row, field, code, message). A valid file is
written in one transaction; a row that matches what is stored changes nothing, a changed
figure or source replaces the stored one for that jurisdiction and year.

A source is stored as the file gives it: the name of a publication (CONAPO, KOSTAT…) is a
proper name and is shown as it is. The one source this platform writes itself, the demo's
made-up figures, is stored untranslated (`DEMO_SOURCE`) and shown in the reader's language
(`source_label`).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Final

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from ventanilla.core.models import Jurisdiction, JurisdictionLevel
from ventanilla.registry.legacy import RawRecord, RowError, parse_record, read_records
from ventanilla.registry.models import BirthEstimate

COLUMNS: Final = ("official_code", "year", "expected_births", "source")
FIRST_YEAR: Final = 1900
LAST_YEAR: Final = 2100
MAX_SOURCE: Final = 200
#: The largest count the column holds.
MAX_BIRTHS: Final = 2_147_483_647

_YEAR: Final = re.compile(r"[0-9]{4}")
_WHOLE: Final = re.compile(r"[+-]?[0-9]+")

MESSAGES: Final[dict[str, Promise]] = {
    "required": _("This field is required."),
    "unknown_code": _("No state or municipality has this official code."),
    "ambiguous_code": _("More than one state or municipality has this official code."),
    "invalid_year": _("Enter the year as four digits, from 1900 to 2100."),
    "not_a_whole_number": _("Enter a whole number of births, digits only."),
    "not_positive": _("The number of expected births must be greater than zero."),
    "too_large": _("The number is too large."),
    "too_long": _("The value is too long."),
    "control_characters": _("Remove control characters."),
    "duplicate_row": _("An earlier row has the same jurisdiction and year."),
}


#: The source of the demo's estimates, stored untranslated (never in the language of whoever
#: ran the demo) and translated where it is shown.
DEMO_SOURCE: Final = gettext_noop(
    "Demo estimate: made up from the demo population, not an official figure"
)
#: Stored sources shown through the translations: only those the platform writes itself.
_TRANSLATED_SOURCES: Final[dict[str, Promise]] = {DEMO_SOURCE: _(DEMO_SOURCE)}


def source_label(source: str) -> str:
    """A stored source as the reader sees it: in their language if the platform wrote it,
    else as the estimates file gave it (a publication's name stays as it is)."""
    translated = _TRANSLATED_SOURCES.get(source)
    return source if translated is None else str(translated)


class EstimateFormatError(ValueError):
    """The file as a whole cannot be read (empty, or a header without the layout's columns)."""


@dataclass(frozen=True, slots=True)
class EstimateRow:
    """A checked row: `row` is its line in the file (0 when it comes from no file)."""

    jurisdiction_id: int
    year: int
    expected_births: int
    source: str
    row: int = 0


@dataclass(frozen=True, slots=True)
class EstimateError:
    """Why a row was refused: its line, the field ("" for the whole row) and a code."""

    row: int
    field: str
    code: str

    @property
    def message(self) -> str:
        known = MESSAGES.get(self.code)
        return str(known) if known is not None else RowError(self.field, self.code).message


@dataclass
class EstimateOutcome:
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[EstimateError] = field(default_factory=list)

    @property
    def imported(self) -> bool:
        return not self.errors


def _codes() -> dict[str, list[int]]:
    """Jurisdiction ids by official code, for states and municipalities."""
    found: dict[str, list[int]] = {}
    for pk, code in Jurisdiction.objects.filter(
        level__in=[JurisdictionLevel.STATE, JurisdictionLevel.MUNICIPALITY]
    ).values_list("pk", "official_code"):
        if code:
            found.setdefault(code, []).append(pk)
    return found


def _read_header(first: RawRecord | None) -> list[int]:
    if first is None:
        raise EstimateFormatError(str(_("The file is empty.")))
    cells = parse_record(
        RawRecord(first.line, first.data.removeprefix(b"\xef\xbb\xbf")), len(COLUMNS)
    )
    names = [] if isinstance(cells, RowError) else [c.strip().lower() for c in cells]
    if sorted(names) != sorted(COLUMNS):
        raise EstimateFormatError(
            str(_("The header must list these columns: %(columns)s."))
            % {"columns": ", ".join(COLUMNS)}
        )
    return [names.index(c) for c in COLUMNS]


def _check_row(
    line: int, cells: dict[str, str], codes: dict[str, list[int]]
) -> EstimateRow | list[EstimateError]:
    errors: list[EstimateError] = []

    def fail(name: str, code: str) -> None:
        errors.append(EstimateError(line, name, code))

    code = cells["official_code"].strip()
    jurisdiction_id = 0
    if not code:
        fail("official_code", "required")
    elif len(codes.get(code, [])) > 1:
        fail("official_code", "ambiguous_code")
    elif code not in codes:
        fail("official_code", "unknown_code")
    else:
        jurisdiction_id = codes[code][0]

    raw_year = cells["year"].strip()
    year = 0
    if not raw_year:
        fail("year", "required")
    elif not _YEAR.fullmatch(raw_year) or not FIRST_YEAR <= int(raw_year) <= LAST_YEAR:
        fail("year", "invalid_year")
    else:
        year = int(raw_year)

    raw_count = cells["expected_births"].strip()
    expected = 0
    if not raw_count:
        fail("expected_births", "required")
    elif not _WHOLE.fullmatch(raw_count):
        fail("expected_births", "not_a_whole_number")
    elif int(raw_count) <= 0:
        fail("expected_births", "not_positive")
    elif int(raw_count) > MAX_BIRTHS:
        fail("expected_births", "too_large")
    else:
        expected = int(raw_count)

    source = " ".join(unicodedata.normalize("NFC", cells["source"]).split())
    if not source:
        fail("source", "required")
    elif any(unicodedata.category(ch) == "Cc" for ch in source):
        fail("source", "control_characters")
    elif len(source) > MAX_SOURCE:
        fail("source", "too_long")

    if errors:
        return errors
    return EstimateRow(jurisdiction_id, year, expected, source, line)


def read_estimates(stream: BinaryIO) -> tuple[list[EstimateRow], list[EstimateError], int]:
    """The checked rows of a CSV stream, every error found, and how many rows were read."""
    records = read_records(stream)
    positions = _read_header(next(records, None))
    codes = _codes()
    rows: list[EstimateRow] = []
    errors: list[EstimateError] = []
    first_line: dict[tuple[str, str], int] = {}
    in_file_order = [COLUMNS[positions.index(i)] for i in range(len(COLUMNS))]
    read = 0
    for record in records:
        read += 1
        cells = parse_record(record, len(COLUMNS), in_file_order)
        if isinstance(cells, RowError):
            errors.append(EstimateError(record.line, cells.field, cells.code))
            continue
        named = {name: cells[positions[i]] for i, name in enumerate(COLUMNS)}
        key = (named["official_code"].strip(), named["year"].strip())
        if key in first_line:
            errors.append(EstimateError(record.line, "", "duplicate_row"))
            continue
        first_line[key] = record.line
        checked = _check_row(record.line, named, codes)
        if isinstance(checked, list):
            errors.extend(checked)
        else:
            rows.append(checked)
    return rows, errors, read


@transaction.atomic
def save_estimates(rows: Iterable[EstimateRow]) -> tuple[int, int, int]:
    """Write checked rows: returns how many were created, updated and already as stored."""
    wanted = {(r.jurisdiction_id, r.year): r for r in rows}
    if not wanted:
        return 0, 0, 0
    stored = {
        (e.jurisdiction_id, e.year): e
        for e in BirthEstimate.objects.select_for_update().filter(
            jurisdiction_id__in={j for j, _y in wanted}, year__in={y for _j, y in wanted}
        )
    }
    created: list[BirthEstimate] = []
    changed: list[BirthEstimate] = []
    for key, row in wanted.items():
        existing = stored.get(key)
        if existing is None:
            created.append(
                BirthEstimate(
                    jurisdiction_id=row.jurisdiction_id,
                    year=row.year,
                    expected_births=row.expected_births,
                    source=row.source,
                )
            )
        elif (existing.expected_births, existing.source) != (row.expected_births, row.source):
            existing.expected_births = row.expected_births
            existing.source = row.source
            changed.append(existing)
    BirthEstimate.objects.bulk_create(created)
    for estimate in changed:
        estimate.save(update_fields=["expected_births", "source", "updated_at"])
    return len(created), len(changed), len(wanted) - len(created) - len(changed)


def import_estimates_file(path: Path) -> EstimateOutcome:
    """Check the whole file, then write all of it or, if any row is wrong, none of it."""
    with path.open("rb") as stream:
        rows, errors, read = read_estimates(stream)
    outcome = EstimateOutcome(rows_read=read, errors=errors)
    if not errors:
        outcome.created, outcome.updated, outcome.unchanged = save_estimates(rows)
    return outcome


def write_report(path: Path, errors: Sequence[EstimateError]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        report = csv.writer(out)
        report.writerow(["row", "field", "error", "message"])
        for error in errors:
            report.writerow([error.row, error.field, error.code, error.message])
