"""Shared set-up of the registry benchmarks: Django on a benchmark database, and figures.

Each benchmark uses ``DATABASE_URL`` when it is set (CI points it at its PostgreSQL
database); otherwise it creates its own PostgreSQL database ``vt_bench_<name>_<profile>`` on
127.0.0.1 (user ``postgres``, or ``VT_BENCH_PG_USER``) and migrates it. One database per
country profile, as one deployment runs one profile: a register seeded for Mexico and then
for Korea would hold both countries and measure neither.
"""

from __future__ import annotations

import os
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

_HERE = Path(__file__).resolve().parent
_SRC = _HERE.parents[1] / "src"
if str(_SRC) not in sys.path:
    sys.path.insert(0, str(_SRC))


def _ensure_database(name: str) -> str:
    import psycopg

    user = os.environ.get("VT_BENCH_PG_USER", "postgres")
    host = os.environ.get("VT_BENCH_PG_HOST", "127.0.0.1")
    profile = os.environ.get("VENTANILLA_PROFILE", "mx")
    database = f"vt_bench_{name}_{profile}"
    with psycopg.connect(host=host, user=user, dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if exists is None:
            conn.execute(f'CREATE DATABASE "{database}"')
    return f"postgres://{user}@{host}:5432/{database}"


def setup(name: str) -> str:
    """Configure and start Django for benchmark `name`, migrate; returns the database vendor."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "ventanilla.settings"
    os.environ["VENTANILLA_ENV"] = "development"
    os.environ.setdefault("VENTANILLA_LOG_LEVEL", "WARNING")
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = _ensure_database(name)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from ventanilla.core.country import current_profile
    from ventanilla.core.models import Jurisdiction, JurisdictionLevel

    country = current_profile().country_iso
    others = sorted(
        Jurisdiction.objects.filter(level=JurisdictionLevel.COUNTRY)
        .exclude(code=country)
        .values_list("code", flat=True)
    )
    if others:
        sys.exit(
            f"this database holds the register of {', '.join(others)}, not {country}: "
            "give each profile a database of its own"
        )
    if connection.vendor == "postgresql":
        # Figures depend on the server's memory settings: print them with the figures.
        with connection.cursor() as cursor:
            shown = []
            for name in ("server_version", "shared_buffers", "max_wal_size", "work_mem"):
                cursor.execute(f"SHOW {name}")
                shown.append(f"{name}={cursor.fetchone()[0]}")
        line("postgresql", ", ".join(shown))
    return connection.vendor


#: The tables a lookup or a search reads: their statistics must be fresh after a bulk load
#: (the jurisdictions too: with none, the planner takes a whole country for one row).
REGISTER_TABLES = (
    "registry_person",
    "registry_personmatchkey",
    "registry_parentlink",
    "core_jurisdiction",
)


def analyse(tables: Sequence[str] = REGISTER_TABLES) -> None:
    """Refresh the planner's statistics after a bulk load (PostgreSQL only)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100) by linear interpolation; 0 for no values."""
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    if p >= 100:
        return max(values)
    if p <= 0:
        return min(values)
    index = int(p) - 1
    return cuts[index] if p == int(p) else cuts[index] + (cuts[index + 1] - cuts[index]) * (p % 1)


def line(label: str, value: float | int | str, unit: str = "") -> None:
    """One figure per line: ``label: value unit``."""
    if isinstance(value, float):
        text = f"{value:,.2f}"
    elif isinstance(value, int):
        text = f"{value:,}"
    else:
        text = value
    print(f"{label}: {text}{(' ' + unit) if unit else ''}", flush=True)


#: The synthetic population every registry benchmark seeds (so one register serves them all).
BENCH_SEED = 20_260_101
