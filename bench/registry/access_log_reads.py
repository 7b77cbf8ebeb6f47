#!/usr/bin/env python
"""Reading and writing the access log when it holds years of a country's reads.

Fills the log (PostgreSQL only) with `--entries` rows spread evenly over three years, each
naming one of `--persons` persons, then times, over `--probes` random days each:

* the auditor's first page: the newest rows; the rows of one day long ago; every row up to
  a day long ago; one purpose on one day (`core.audit.access_log`, national scope);
* the citizen's "who looked at my data": the newest page and the next older one
  (`registry.selectors.citizen_access_log`);
* appending a row in its own transaction (`core.access.log_access`), as every read does.

Prints p50/p95 in milliseconds and appends per second. The fill is resumable: rows already
there count, and only the missing ones are added.

    .venv/bin/python bench/registry/access_log_reads.py --entries 5000000
    .venv/bin/python bench/registry/access_log_reads.py --smoke
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import line, percentile, setup  # noqa: E402

SMOKE_ENTRIES = 20_000
SMOKE_PERSONS = 200
YEARS = 3
FILL_CHUNK = 500_000
BENCH_PURPOSE = "bench.read"


def fill(entries: int, persons: int) -> None:
    """Add bench rows until the log holds `entries` of them (hash chain not kept: the rows
    stand for volume; `verify_access_log` is not meant to pass on this database)."""
    from django.db import connection, transaction

    from ventanilla.core.models import AccessLogEntry

    have = AccessLogEntry.objects.filter(purpose=BENCH_PURPOSE).count()
    span = dt.timedelta(days=365 * YEARS).total_seconds()
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=365 * YEARS)
    started = time.perf_counter()
    while have < entries:
        count = min(FILL_CHUNK, entries - have)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                """
                WITH added AS (
                    INSERT INTO core_accesslogentry (at, actor_id, actor_role, office_id, kind,
                        purpose, subject_ids, request_id, prev_hash, entry_hash)
                    SELECT %(start)s + make_interval(secs => (%(have)s + i) * %(step)s),
                        NULL, 'registrar', NULL, 'search', %(purpose)s, '[]'::jsonb, '',
                        repeat('0', 64),
                        md5(%(salt)s || (%(have)s + i)::text) || md5((%(have)s + i)::text)
                    FROM generate_series(1, %(count)s) AS i
                    RETURNING id
                )
                INSERT INTO core_accesslogsubject (entry_id, person_id)
                SELECT id, md5(%(salt)s || (id %% %(persons)s)::text)::uuid FROM added
                """,
                {
                    "start": start,
                    "have": have,
                    "step": span / entries,
                    "purpose": BENCH_PURPOSE,
                    "salt": "bench-person",
                    "count": count,
                    "persons": persons,
                },
            )
        have += count
        line("filled", have, f"rows ({time.perf_counter() - started:.0f} s)")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE core_accesslogentry")
        cursor.execute("ANALYZE core_accesslogsubject")


def _timed(run: Callable[[], object], probes: int) -> list[float]:
    times = []
    for _ in range(probes):
        begun = time.perf_counter()
        run()
        times.append((time.perf_counter() - begun) * 1000)
    return times


def _report(label: str, times: list[float]) -> None:
    line(f"{label} p50", percentile(times, 50), "ms")
    line(f"{label} p95", percentile(times, 95), "ms")


def measure(persons: int, probes: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from ventanilla.core import audit
    from ventanilla.core.access import log_access
    from ventanilla.core.country import current_profile
    from ventanilla.core.jurisdictions import ensure_country
    from ventanilla.core.models import AccessKind, Role, RoleAssignment, User
    from ventanilla.core.paging import Cursor
    from ventanilla.registry import selectors
    from ventanilla.registry.models import Person

    country = ensure_country(current_profile())
    auditor, _ = User.objects.get_or_create(username="bench_auditor")
    RoleAssignment.objects.get_or_create(user=auditor, role=Role.AUDITOR, jurisdiction=country)
    rng = random.Random(7)
    today = timezone.localdate()

    def long_ago() -> dt.date:
        return today - dt.timedelta(days=rng.randint(200, 365 * YEARS - 10))

    def one_day() -> audit.AccessLogFilters:
        day = long_ago()
        return audit.AccessLogFilters(date_from=day, date_to=day)

    def one_purpose_on_one_day() -> audit.AccessLogFilters:
        day = long_ago()
        return audit.AccessLogFilters(date_from=day, date_to=day, purpose="person.read")

    cases: dict[str, Callable[[], audit.AccessLogFilters]] = {
        "auditor newest": audit.AccessLogFilters,
        "auditor one day long ago": one_day,
        "auditor up to a day long ago": lambda: audit.AccessLogFilters(date_to=long_ago()),
        "auditor one purpose on one day": one_purpose_on_one_day,
    }
    for label, filters in cases.items():

        def page(make: Callable[[], audit.AccessLogFilters] = filters) -> object:
            return audit.access_log(actor=auditor, filters=make())

        _report(label, _timed(page, probes))

    def someone() -> Person:
        number = rng.randrange(persons)
        with connection.cursor() as cursor:
            cursor.execute("SELECT md5(%s || %s::text)::uuid", ["bench-person", number])
            (person_id,) = cursor.fetchone()
        return Person(pk=person_id)

    def citizen_pages() -> None:
        person = someone()
        first = selectors.citizen_access_log(person=person)
        if first.older is not None:
            selectors.citizen_access_log(person=person, cursor=Cursor(before=first.older))

    _report("citizen newest and next page", _timed(citizen_pages, probes))

    subject = [str(uuid.uuid4())]

    def append() -> None:
        with transaction.atomic():
            log_access(
                actor=auditor,
                grant=None,
                kind=AccessKind.READ,
                purpose="bench.append",
                subject_ids=subject,
            )

    appends = _timed(append, probes * 10)
    _report("append", appends)
    line("appends per second, one writer", 1000 * len(appends) / sum(appends))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=5_000_000)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--probes", type=int, default=100)
    parser.add_argument("--smoke", action="store_true", help="a small run for CI")
    args = parser.parse_args()
    if args.smoke:
        args.entries, args.persons, args.probes = SMOKE_ENTRIES, SMOKE_PERSONS, 10
    vendor = setup("access_log")
    if vendor != "postgresql":
        sys.exit("this benchmark fills the log with PostgreSQL's generate_series: set DATABASE_URL")
    line("entries", args.entries)
    line("persons", args.persons)
    fill(args.entries, args.persons)
    measure(args.persons, args.probes)


if __name__ == "__main__":
    main()
