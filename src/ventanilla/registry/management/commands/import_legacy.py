"""Import a legacy register CSV file (see docs/legacy-import.md for the layouts).

``import_legacy FILE --event-type birth [--batch 5000] [--report PATH] [--stop-after N]``

Event types: birth, death, marriage, divorce, recognition and adoption; import births first
(the other rows name persons by the legacy ID of their birth), see the documented order.

Safe to run again: a finished file imports nothing, an interrupted one continues after its
last committed batch, and rows already in the register are skipped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count
from django.utils.translation import gettext as _

from ventanilla.registry.legacy import (
    LAYOUTS,
    ImportOutcome,
    LegacyFormatError,
    import_legacy_file,
    write_report,
)
from ventanilla.registry.models import EventType

#: Rejections listed one by one in the printed report; the rest are counted.
SHOWN = 20


class Command(BaseCommand):
    help = (
        "Import a legacy CSV file of birth, death, marriage, divorce, recognition or adoption "
        "records into the register."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--event-type", required=True, choices=EventType.values)
        parser.add_argument("--batch", type=int, default=5000, help="rows per transaction")
        parser.add_argument("--report", type=Path, help="write the validation report as CSV")
        parser.add_argument(
            "--stop-after",
            type=int,
            help="stop after the batch that reaches this many rows (as an interruption would)",
        )
        parser.add_argument(
            "--no-dedupe", action="store_true", help="skip the duplicate check of imported persons"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        event_type: str = options["event_type"]
        if event_type not in LAYOUTS:
            raise CommandError(
                _("Importing %(event)s records is not supported yet (see docs/legacy-import.md).")
                % {"event": event_type}
            )
        if not path.is_file():
            raise CommandError(_("No such file: %(file)s") % {"file": path.name})
        if options["batch"] < 1:
            raise CommandError(_("--batch must be at least 1."))
        try:
            outcome = import_legacy_file(
                path,
                event_type,
                batch_size=options["batch"],
                stop_after=options.get("stop_after"),
                dedupe=not options["no_dedupe"],
            )
        except LegacyFormatError as exc:
            raise CommandError(str(exc)) from None
        self._print(outcome)
        report: Path | None = options.get("report")
        if report is not None:
            rows = write_report(report, outcome.run, outcome.pairs)
            self.stdout.write(_("Report written: %(rows)d rows.") % {"rows": rows})

    def _print(self, outcome: ImportOutcome) -> None:
        run = outcome.run
        if outcome.already_finished:
            self.stdout.write(
                _("This file was already imported (run %(run)d); nothing to do.") % {"run": run.pk}
            )
        else:
            self.stdout.write(
                _(
                    "Run %(run)d: %(read)d rows read, %(imported)d imported, %(skipped)d already "
                    "in the register, %(rejected)d rejected, in %(seconds).1f s "
                    "(%(rate).0f rows/s)."
                )
                % {
                    "run": run.pk,
                    "read": outcome.rows_read,
                    "imported": outcome.imported,
                    "skipped": outcome.skipped,
                    "rejected": outcome.rejected,
                    "seconds": outcome.seconds,
                    "rate": outcome.rows_per_second,
                }
            )
        self.stdout.write(
            _("File total: %(done)d rows done, %(imported)d imported, %(rejected)d rejected.")
            % {"done": run.rows_done, "imported": run.rows_imported, "rejected": run.rows_rejected}
        )
        if outcome.stopped:
            self.stdout.write(
                _("Stopped as asked after %(done)d rows; run the command again to continue.")
                % {"done": run.rows_done}
            )
        by_code = run.rejections.values("error").annotate(n=Count("id")).order_by("-n", "error")
        for entry in by_code:
            self.stdout.write(f"  {entry['n']:>8} × {entry['error']}")
        for rejection in run.rejections.order_by("row_number", "field")[:SHOWN]:
            self.stdout.write(
                _("  row %(row)d, %(field)s: %(code)s — %(message)s")
                % {
                    "row": rejection.row_number,
                    "field": rejection.field or _("(row)"),
                    "code": rejection.error,
                    "message": rejection.message,
                }
            )
        if outcome.pairs:
            self.stdout.write(
                _("%(pairs)d suspected duplicate pairs (see the report).")
                % {"pairs": len(outcome.pairs)}
            )
        elif not outcome.already_finished:
            self.stdout.write(_("No suspected duplicates."))
