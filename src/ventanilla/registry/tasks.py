"""Background work for the registry, run by `manage.py db_worker`.

Tasks take plain JSON arguments, process one bounded batch, and enqueue
their own continuation, so a worker that dies loses at most one batch and a
re-run simply repeats idempotent work.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django_tasks import task

from ventanilla.registry.dedup import rebuild_match_keys_of
from ventanilla.registry.models import Person

logger = logging.getLogger(__name__)

DEFAULT_BATCH = 2000


def rebuild_match_keys_batch(*, after: str = "", batch: int = DEFAULT_BATCH) -> dict[str, Any]:
    """Recompute blocking keys for the next `batch` persons after the ID `after`."""
    query = Person.objects.order_by("pk")
    if after:
        query = query.filter(pk__gt=after)
    person_ids = [str(pk) for pk in query.values_list("pk", flat=True)[:batch]]
    with transaction.atomic():
        rebuild_match_keys_of(person_ids)
    last = person_ids[-1] if person_ids else after
    return {"done": len(person_ids), "last": last, "finished": len(person_ids) < batch}


@task()
def rebuild_match_keys(
    after: str = "", batch: int = DEFAULT_BATCH, total: int = 0
) -> dict[str, Any]:
    """Rebuild every person's blocking keys (after a change of key design), batch by batch."""
    progress = rebuild_match_keys_batch(after=after, batch=batch)
    total += progress["done"]
    logger.info("match keys rebuilt", extra={"persons": total, "last_id": progress["last"]})
    if not progress["finished"]:
        rebuild_match_keys.enqueue(after=progress["last"], batch=batch, total=total)
    return {**progress, "total": total}
