"""Inserting many rows of one model at once: ``COPY`` on PostgreSQL, ``bulk_create`` elsewhere.

The one low-level path every bulk writer of the platform goes through (the register's bulk
writer, the access log's subject index). Columns are database column names
(``jurisdiction_id``, not ``jurisdiction``); values are what the database stores.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections, models


def copy_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    using: str = "default",
) -> None:
    """Insert `rows` into `model`'s table, in the caller's transaction."""
    if not rows:
        return
    connection = connections[using]
    if connection.vendor != "postgresql":
        objects = [model(**dict(zip(columns, row, strict=True))) for row in rows]
        model._default_manager.using(using).bulk_create(objects, batch_size=500)
        return
    quote = connection.ops.quote_name
    column_list = ", ".join(quote(c) for c in columns)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            f"COPY {quote(model._meta.db_table)} ({column_list}) FROM STDIN"
        ) as copy,
    ):
        for row in rows:
            copy.write_row(row)
