#!/usr/bin/env python
"""End-to-end birth registrations through `registry.services`, with concurrent workers.

Pre-seeds the register with N synthetic persons (bulk), then has W worker processes (two by
default: the machine's cores) each act as a registrar of their own office and, for every
birth: declare it (`record_declare`, which runs the duplicate check), clear any duplicate
flag as "not a duplicate", and register it (`record_register`, which creates the person and
assigns the national ID). Prints registrations per second and the latency percentiles of
one whole registration.

    .venv/bin/python bench/registry/e2e_registrations.py --size 1000000 --registrations 3000
    .venv/bin/python bench/registry/e2e_registrations.py --smoke
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import random
import sys
import time
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import BENCH_SEED, analyse, line, percentile, setup  # noqa: E402

SMOKE_SIZE = 20_000
SMOKE_REGISTRATIONS = 200
BIRTHS_SEED_OFFSET = 2_000_003


def births(count: int, run: int) -> list[dict[str, Any]]:
    """Declarations of newborns (recent dates, mother named inline), as an office types them."""
    from ventanilla.core.country import current_profile
    from ventanilla.registry.synthetic import SyntheticPerson, generate

    profile = current_profile()
    spec = profile.event_type("birth")
    fields = {f.name for f in spec.fields}
    today = dt.date.today()
    rng = random.Random(count)
    by_n: dict[int, SyntheticPerson] = {}
    out: list[dict[str, Any]] = []
    for item in generate(
        profile.code,
        seed=BIRTHS_SEED_OFFSET + BENCH_SEED + run,
        size=count * 4,
        duplicates_fraction=0,
    ):
        if not isinstance(item, SyntheticPerson):
            continue
        by_n[item.n] = item
        if item.mother is None or len(out) >= count:
            continue
        mother = by_n[item.mother]
        data: dict[str, Any] = {
            "given_names": item.given_names,
            "first_surname": item.first_surname,
            "second_surname": item.second_surname,
            "sex": item.sex,
            "birth_date": (today - dt.timedelta(days=rng.randint(1, 25))).isoformat(),
            "birth_state": item.birth_state,
            "birth_municipality": item.birth_municipality,
            "birth_place_type": "hospital",
            "mother_given_names": mother.given_names,
            "mother_first_surname": mother.first_surname,
            "mother_second_surname": mother.second_surname,
            "declarant_relationship": "mother",
        }
        out.append({k: v for k, v in data.items() if k in fields and v})
    return out


def _worker(
    index: int,
    office_code: str,
    username: str,
    work: list[dict[str, Any]],
    barrier: Barrier,
    results: Queue[Any],
) -> None:
    from django.db import connections

    from ventanilla.core.models import User
    from ventanilla.registry import services

    connections.close_all()  # never share the parent's connection
    actor = User.objects.get(username=username)
    latencies: list[float] = []
    errors: dict[str, int] = {}
    flagged = 0
    barrier.wait()
    started = time.time()
    for data in work:
        t = time.perf_counter()
        try:
            record = services.record_declare(
                actor=actor, event_type="birth", data=data, office_code=office_code
            )
            if record.duplicates_pending:
                flagged += 1
                for flag in record.duplicate_flags.all():
                    services.duplicate_decide(
                        actor=actor,
                        record_id=record.pk,
                        candidate_id=flag.candidate_id,
                        is_duplicate=False,
                    )
            record = services.record_register(actor=actor, record_id=record.pk)
            assert record.subject is not None and record.subject.national_id
        except Exception as exc:  # counted and reported, the run goes on
            name = type(exc).__name__
            errors[name] = errors.get(name, 0) + 1
            continue
        latencies.append((time.perf_counter() - t) * 1000)
    results.put((index, started, time.time(), latencies, errors, flagged))
    connections.close_all()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--smoke",
        action="store_true",
        help=f"{SMOKE_REGISTRATIONS} registrations on {SMOKE_SIZE:,} persons",
    )
    parser.add_argument("--size", type=int, default=100_000, help="persons pre-seeded")
    parser.add_argument("--registrations", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    size = SMOKE_SIZE if args.smoke else args.size
    count = SMOKE_REGISTRATIONS if args.smoke else args.registrations

    vendor = setup("e2e_registrations")
    from django.db import connections

    from ventanilla.core.country import current_profile
    from ventanilla.core.models import Jurisdiction, Role, RoleAssignment, User
    from ventanilla.registry.management.commands.seed_population import (
        prepare_places,
        seed_population,
    )
    from ventanilla.registry.models import Person, VitalRecord

    profile = current_profile()
    line("profile", profile.code)
    line("database", vendor)
    started = time.perf_counter()
    outcome = seed_population(size=size, seed=BENCH_SEED, duplicates_fraction=0, declare=False)
    line("persons seeded now", outcome.persons)
    line("seeding time", time.perf_counter() - started, "s")
    analyse()
    line("persons in the register", Person.objects.count())

    places = prepare_places(profile)
    # New births on every run: births already registered by an earlier run would all be
    # flagged as duplicates and measure the review path instead.
    run = VitalRecord.objects.filter(event_type="birth").count()
    work = births(count, run)
    # Each worker registers the births of its own office, as two offices would.
    municipalities = sorted({d["birth_municipality"] for d in work})
    assignments: list[tuple[str, str, list[dict[str, Any]]]] = []
    for w in range(args.workers):
        municipality = municipalities[w % len(municipalities)]
        office = Jurisdiction.objects.get(code=places.office_code[municipality])
        username = f"bench-registrar-{w}"
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_unusable_password()
            user.save()
        RoleAssignment.objects.get_or_create(user=user, role=Role.REGISTRAR, jurisdiction=office)
        assignments.append((office.code, username, work[w :: args.workers]))
    connections.close_all()

    context = mp.get_context("fork")
    barrier = context.Barrier(args.workers)
    results: Queue[Any] = context.Queue()
    processes = [
        context.Process(target=_worker, args=(i, office, user, share, barrier, results))
        for i, (office, user, share) in enumerate(assignments)
    ]
    for process in processes:
        process.start()
    reports = [results.get() for _ in processes]
    for process in processes:
        process.join()
    latencies = [ms for r in reports for ms in r[3]]
    errors: dict[str, int] = {}
    for r in reports:
        for name, n in r[4].items():
            errors[name] = errors.get(name, 0) + n
    wall = max(r[2] for r in reports) - min(r[1] for r in reports)
    line("workers", args.workers)
    line("registrations", len(latencies))
    line("declarations flagged as possible duplicates", sum(r[5] for r in reports))
    line("errors", ", ".join(f"{k}: {v}" for k, v in errors.items()) or "none")
    line("wall time", wall, "s")
    line("throughput", len(latencies) / wall if wall else 0.0, "registrations/s (goal >= 100)")
    line(
        "latency p50/p95/p99",
        f"{percentile(latencies, 50):.1f} / {percentile(latencies, 95):.1f} / "
        f"{percentile(latencies, 99):.1f}",
        "ms (goal p95 <= 150)",
    )


if __name__ == "__main__":
    main()
