"""Bringing PostgreSQL up to date after a bulk load.

A load of millions of rows leaves the server behind in three ways: the planner's statistics
still describe the tables as they were (a lookup may then scan a whole country for one
row), the new pages are not marked all-visible (an index-only scan must visit the table for
each of them) and the load's pages are still to be written out by the next checkpoints,
which then slow the registrations that follow for minutes. `settle` catches up on all three
at the end of the load, while the operator is still watching it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from django.db import DatabaseError, connections
from django.db.models import Model

from ventanilla.core.progress import progress as show_progress

logger = logging.getLogger(__name__)


def settle(
    models: Sequence[type[Model]], *, using: str = "default", show: bool | None = None
) -> bool:
    """``VACUUM (ANALYZE)`` the tables of `models`, then ``CHECKPOINT``, on PostgreSQL.

    Runs only outside a transaction (``VACUUM`` cannot run in one): inside one, or on another
    database, it does nothing and returns False. A role that may not ask for a checkpoint
    (neither superuser nor ``pg_checkpoint``) skips that step and says so in the log.
    """
    connection = connections[using]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    started = time.perf_counter()
    tables = [model._meta.db_table for model in models]
    with (
        connection.cursor() as cursor,
        show_progress(total=len(tables) + 1, unit="steps", desc="settle", show=show) as bar,
    ):
        for table in tables:
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(table)}")
            bar.update(1)
        try:
            cursor.execute("CHECKPOINT")
        except DatabaseError:
            logger.info("settle: this role may not ask for a checkpoint; the server will do it")
        bar.update(1)
    logger.info(
        "settle: %d tables vacuumed and analysed in %.1f s",
        len(tables),
        time.perf_counter() - started,
    )
    return True
