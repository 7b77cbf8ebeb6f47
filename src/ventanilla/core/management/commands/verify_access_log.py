"""Walk the access log's hash chain and report the first broken link."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ventanilla.core.access import verify_chain


class Command(BaseCommand):
    help = "Verify the access log's hash chain; exits non-zero at the first broken link."

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if not report.intact:
            where = f" at entry {report.first_broken_id}" if report.first_broken_id else ""
            raise CommandError(
                f"Access log chain broken{where} after {report.checked} intact entries: "
                f"{report.reason}"
            )
        self.stdout.write(f"Access log intact: {report.checked} entries verified")
