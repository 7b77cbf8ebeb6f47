"""Django's ``flush``, able to empty the append-only access log on SQLite as well."""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS

from ventanilla.core.access import append_only_lifted


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        # Test teardown flushes too: without this, a test that logged anything on SQLite
        # could not be cleaned up.
        with append_only_lifted(options.get("database", DEFAULT_DB_ALIAS)):
            super().handle(**options)
