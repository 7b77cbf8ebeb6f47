"""Recompute every person's deduplication keys, in the foreground or on the worker."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ventanilla.core.progress import progress as show_progress
from ventanilla.registry.models import Person
from ventanilla.registry.tasks import DEFAULT_BATCH, rebuild_match_keys, rebuild_match_keys_batch


class Command(BaseCommand):
    help = "Rebuild the blocking keys of every person (resumable with --after)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=DEFAULT_BATCH)
        parser.add_argument("--after", default="", help="resume after this person ID")
        parser.add_argument(
            "--background",
            action="store_true",
            help="enqueue for `manage.py db_worker` instead of running here",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["background"]:
            result = rebuild_match_keys.enqueue(after=options["after"], batch=options["batch"])
            self.stdout.write(f"Enqueued as task {result.id}")
            return
        after: str = options["after"]
        remaining = Person.objects.filter(pk__gt=after).count() if after else Person.objects.count()
        with show_progress(total=remaining, unit="persons", desc="keys") as bar:
            while True:
                progress = rebuild_match_keys_batch(after=after, batch=options["batch"])
                bar.update(progress["done"])
                after = progress["last"]
                if progress["finished"]:
                    break
        self.stdout.write(f"Keys rebuilt; last person {after or '-'}")
