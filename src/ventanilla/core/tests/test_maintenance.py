"""After a bulk load the server is brought up to date before the registrations resume."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from ventanilla.core.maintenance import settle
from ventanilla.core.models import AccessLogEntry, Jurisdiction, JurisdictionLevel


def _planner_rows(table: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        return float(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_the_planner_knows_the_loaded_rows_once_settled() -> None:
    if connection.vendor != "postgresql":
        assert not settle([Jurisdiction])
        return
    Jurisdiction.objects.bulk_create(
        Jurisdiction(
            code=f"LOAD-{n}",
            name=f"Oficina {n}",
            level=JurisdictionLevel.OFFICE,
            official_code=f"L{n}",
            path=f"load-{n}",
        )
        for n in range(317)
    )
    total = Jurisdiction.objects.count()
    assert settle([Jurisdiction, AccessLogEntry])
    assert _planner_rows(Jurisdiction._meta.db_table) == total
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT last_vacuum IS NOT NULL AND last_analyze IS NOT NULL "
            "FROM pg_stat_user_tables WHERE relname = %s",
            [Jurisdiction._meta.db_table],
        )
        assert cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_nothing_is_attempted() -> None:
    with transaction.atomic():
        Jurisdiction.objects.create(
            code="LOAD-T", name="Oficina T", level=JurisdictionLevel.OFFICE, official_code="LT"
        )
        assert not settle([Jurisdiction])
        assert Jurisdiction.objects.filter(code="LOAD-T").exists()
