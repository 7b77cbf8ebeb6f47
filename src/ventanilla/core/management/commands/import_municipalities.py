"""Import the official municipality catalogue (INEGI AGEEML CSV, or Korea's legal-dong codes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ventanilla.core.country import current_profile
from ventanilla.core.jurisdictions import ensure_country, import_municipalities
from ventanilla.core.profiles import (
    CatalogueFormatError,
    parse_inegi_municipalities,
    parse_kr_legal_dong,
)


class Command(BaseCommand):
    help = "Import municipalities from the official catalogue file of the deployment's country."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--encoding", default="utf-8-sig", help="INEGI publishes Latin-1 files too"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        profile = current_profile()
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        parser = parse_kr_legal_dong if profile.code == "kr" else parse_inegi_municipalities
        ensure_country(profile)
        with path.open(encoding=options["encoding"], newline="") as handle:
            try:
                written = import_municipalities(profile, parser(handle))
            except CatalogueFormatError as exc:
                raise CommandError(str(exc)) from exc
        self.stdout.write(f"{written} municipalities imported")
