"""Import expected births per state or municipality and year (see docs/birth-estimates.md).

``import_birth_estimates FILE [--report PATH]``

The whole file is checked first: if any row is wrong nothing is written, every error is
listed (and written to the report), and the command fails. Safe to run again: rows already
stored as they are change nothing; a changed figure replaces the stored one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ventanilla.registry.birth_estimates import (
    EstimateFormatError,
    import_estimates_file,
    write_report,
)

#: Errors listed one by one in the printed report; the rest are in the report file.
SHOWN = 50


class Command(BaseCommand):
    help = "Import expected births per state or municipality and year from a CSV file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--report", type=Path, help="write the validation report as CSV")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("No such file: %(file)s") % {"file": path.name})
        try:
            outcome = import_estimates_file(path)
        except EstimateFormatError as exc:
            raise CommandError(str(exc)) from None
        report: Path | None = options.get("report")
        if report is not None:
            write_report(report, outcome.errors)
        if outcome.errors:
            for error in outcome.errors[:SHOWN]:
                self.stderr.write(
                    _("  row %(row)d, %(field)s: %(code)s — %(message)s")
                    % {
                        "row": error.row,
                        "field": error.field or _("(row)"),
                        "code": error.code,
                        "message": error.message,
                    }
                )
            raise CommandError(
                _(
                    "%(errors)d errors in %(rows)d rows read; nothing was imported. "
                    "Correct the file and run the command again."
                )
                % {"errors": len(outcome.errors), "rows": outcome.rows_read}
            )
        self.stdout.write(
            _(
                "%(rows)d rows read: %(created)d estimates added, %(updated)d changed, "
                "%(unchanged)d already as stored."
            )
            % {
                "rows": outcome.rows_read,
                "created": outcome.created,
                "updated": outcome.updated,
                "unchanged": outcome.unchanged,
            }
        )
