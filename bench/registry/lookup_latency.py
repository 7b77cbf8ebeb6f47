#!/usr/bin/env python
"""Duplicate-lookup latency against registers of growing size.

For each size, seeds the synthetic population up to that many persons (bulk, through
`seed_population`; the same seed continues, so a larger size only adds persons), then times
`registry.dedup.candidates_for` on two kinds of probes: near-duplicates of persons drawn at
random from the whole register (typos, swapped surnames, day/month swaps...; the original
should come back) and persons who are not in it. Prints p50/p95/p99 in milliseconds, the
recall of the originals, the seeding time, and the ratio p95(largest) / p95(smallest). Also
times the officials' search by full name (`selectors.person_search`, access log included)
for persons of the register, and how often the person is among the results.

Lookups are timed twice, on two sets of probes. First as the register is left by the
seeding ("first touch"): a register larger than the server's memory for its cache has most
of a probe's pages on disk. Then "warm": once the pages a lookup reads (the relations and
indexes of its plan, `pg_prewarm`) are in the operating system's cache, as they are on a
server sized for its register after its first hours of work.

    .venv/bin/python bench/registry/lookup_latency.py --sizes 1000000,10000000
    .venv/bin/python bench/registry/lookup_latency.py --smoke
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import BENCH_SEED, analyse, line, percentile, setup  # noqa: E402

SMOKE_SIZE = 20_000
FRESH_SEED_OFFSET = 1_000_003


def _parent_names(person_ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[str, str]]:
    from ventanilla.registry.models import ParentKind, ParentLink

    names: dict[uuid.UUID, list[str]] = {}
    links = ParentLink.objects.filter(child_id__in=person_ids, kind=ParentKind.BIRTH).values_list(
        "child_id",
        "parent__sex",
        "parent__given_names",
        "parent__first_surname",
        "parent__second_surname",
    )
    for child, sex, given, first, second in links:
        slot = names.setdefault(child, ["", ""])
        slot[0 if sex == "F" else 1] = " ".join(p for p in (given, first, second) if p)
    return {k: (v[0], v[1]) for k, v in names.items()}


def perturbed_probes(
    profile_code: str, size: int, count: int, batch: int = 0
) -> list[tuple[object, str]]:
    """(probe, id of the person it copies) for `count` persons drawn from the whole register;
    each `batch` draws other persons."""
    from ventanilla.registry.matching import MatchRecord
    from ventanilla.registry.models import Person
    from ventanilla.registry.synthetic import SyntheticPerson, near_duplicate_of, person_reference

    rng = random.Random(size + batch * FRESH_SEED_OFFSET)
    wanted = sorted({rng.randrange(size) for _ in range(count * 2)})[: count * 2]
    rng.shuffle(wanted)
    refs = [person_reference(BENCH_SEED, n) for n in wanted[:count]]
    # In the order drawn, so that each person gets the same slips on every run.
    persons = sorted(
        Person.objects.filter(source_reference__in=refs).select_related("birth_place__parent"),
        key=lambda p: refs.index(p.source_reference),
    )
    parents = _parent_names([p.pk for p in persons])
    probes: list[tuple[object, str]] = []
    for i, p in enumerate(persons):
        assert p.birth_date is not None and p.birth_place is not None
        assert p.birth_place.parent is not None
        original = SyntheticPerson(
            n=int(p.source_reference.rsplit("-", 1)[1]),
            id=p.pk,
            reference=p.source_reference,
            given_names=p.given_names,
            first_surname=p.first_surname,
            second_surname=p.second_surname,
            romanised_name=p.romanised_name,
            sex=p.sex,
            birth_date=p.birth_date,
            birth_state=p.birth_place.parent.official_code,
            birth_municipality=p.birth_place.official_code,
            mother=None,
            father=None,
            death_date=p.death_date,
            generation=0,
        )
        dup = near_duplicate_of(profile_code, original, seed=BENCH_SEED, n=i + batch * count)
        mother, father = parents.get(p.pk, ("", ""))
        probe = MatchRecord(
            id=f"probe-{i}",
            given_names=dup.given_names,
            first_surname=dup.first_surname,
            second_surname=dup.second_surname,
            birth_date=dup.birth_date,
            sex=dup.sex,
            place_code=dup.birth_municipality,
            mother_name=mother,
            father_name=father,
        )
        probes.append((probe, str(p.pk)))
    return probes


def fresh_probes(profile_code: str, count: int, batch: int = 0) -> list[object]:
    """Persons of another synthetic population: not in the register (another one for each
    `batch`)."""
    from ventanilla.registry.matching import MatchRecord
    from ventanilla.registry.synthetic import SyntheticPerson, generate

    by_n: dict[int, SyntheticPerson] = {}
    probes: list[object] = []
    for item in generate(
        profile_code,
        seed=BENCH_SEED + FRESH_SEED_OFFSET * (batch + 1),
        size=count * 3,
        duplicates_fraction=0,
    ):
        if not isinstance(item, SyntheticPerson):
            continue
        by_n[item.n] = item
        mother = by_n.get(item.mother) if item.mother is not None else None
        father = by_n.get(item.father) if item.father is not None else None
        probes.append(
            MatchRecord(
                id=f"fresh-{item.n}",
                given_names=item.given_names,
                first_surname=item.first_surname,
                second_surname=item.second_surname,
                birth_date=item.birth_date,
                sex=item.sex,
                place_code=item.birth_municipality,
                mother_name=mother.full_name if mother else "",
                father_name=father.full_name if father else "",
            )
        )
    random.Random(count).shuffle(probes)
    return probes[:count]


def name_searches(size: int, count: int) -> tuple[list[float], int, int]:
    """Milliseconds of `person_search` by full name for `count` persons of the register, as
    a national administrator; how many of them were among the results, and how many of the
    other searches said that more persons match than are shown (too many namesakes: the
    official is asked to narrow by date or place)."""
    from ventanilla.core.models import Jurisdiction, JurisdictionLevel, Role, RoleAssignment, User
    from ventanilla.registry.models import Person
    from ventanilla.registry.selectors import person_search
    from ventanilla.registry.synthetic import person_reference

    actor, _created = User.objects.get_or_create(username="bench-national-administrator")
    country = Jurisdiction.objects.get(level=JurisdictionLevel.COUNTRY)
    RoleAssignment.objects.get_or_create(user=actor, role=Role.NATIONAL_ADMIN, jurisdiction=country)
    rng = random.Random(size + 1)
    refs = [person_reference(BENCH_SEED, rng.randrange(size)) for _ in range(count)]
    # Typed as the country writes names: "Juan Hernández López", "김민준".
    wanted = Person.objects.filter(source_reference__in=refs).only(
        "id", "given_names", "first_surname", "second_surname"
    )
    timings: list[float] = []
    found = crowded = 0
    for person in wanted:
        pk = person.pk
        t = time.perf_counter()
        results = person_search(actor=actor, name=person.full_name)
        timings.append((time.perf_counter() - t) * 1000)
        hit = any(p.pk == pk for p in results.persons)
        found += hit
        crowded += not hit and results.incomplete
    return timings, found, crowded


def prewarm_lookup() -> list[str]:
    """Read into the operating system's cache the relations and indexes a duplicate lookup's
    plan reads (PostgreSQL's `pg_prewarm`); returns their names, none where the extension
    cannot be had."""
    from django.db import connection
    from django.db.utils import DatabaseError

    from ventanilla.registry.bulk import array_literal
    from ventanilla.registry.dedup import LOOKUP_SQL

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        try:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        except DatabaseError:
            return []
        cursor.execute("EXPLAIN (FORMAT JSON) " + LOOKUP_SQL, [array_literal(["ds:", "dg:"])])
        names: set[str] = set()
        nodes = [cursor.fetchone()[0][0]["Plan"]]
        while nodes:
            node = nodes.pop()
            if "Index Name" in node:
                names.add(node["Index Name"])
            if "Relation Name" in node and node["Node Type"] != "Index Only Scan":
                names.add(node["Relation Name"])  # an index-only scan reads no table page
            nodes.extend(node.get("Plans", ()))
        for name in sorted(names):
            cursor.execute("SELECT pg_prewarm(%s, 'read')", [name])
    return sorted(names)


def time_lookups(
    perturbed: list[tuple[object, str]], fresh: list[object], label: str
) -> tuple[float, float]:
    """Time each probe's lookup and print the percentiles; returns the p95 of all lookups
    and the share of originals found."""
    from ventanilla.registry.dedup import candidates_for
    from ventanilla.registry.matching import MatchRecord

    timings: dict[str, list[float]] = {"perturbed": [], "fresh": []}
    found = 0
    for i in range(max(len(perturbed), len(fresh))):
        if i < len(perturbed):
            probe, original = perturbed[i]
            assert isinstance(probe, MatchRecord)
            t = time.perf_counter()
            result = candidates_for(probe)
            timings["perturbed"].append((time.perf_counter() - t) * 1000)
            found += any(person_id == original for person_id, _r in result)
        if i < len(fresh):
            probe_fresh = fresh[i]
            assert isinstance(probe_fresh, MatchRecord)
            t = time.perf_counter()
            candidates_for(probe_fresh)
            timings["fresh"].append((time.perf_counter() - t) * 1000)
    everything = timings["perturbed"] + timings["fresh"]
    for kind, values in (*timings.items(), ("all", everything)):
        line(
            f"lookup {label}, {kind} ({len(values)} probes) p50/p95/p99",
            f"{percentile(values, 50):.2f} / {percentile(values, 95):.2f} / "
            f"{percentile(values, 99):.2f}",
            "ms",
        )
    recall = found / max(1, len(perturbed)) * 100
    line(f"originals found among candidates, {label}", recall, "%")
    return percentile(everything, 95), recall


def measure(size: int, probes_count: int) -> tuple[float, float]:
    """Seed up to `size` persons and time lookups and name searches; returns the lookups'
    p95 at first touch and warm."""
    from ventanilla.core.country import current_profile
    from ventanilla.registry.dedup import candidates_for
    from ventanilla.registry.management.commands.seed_population import seed_population
    from ventanilla.registry.matching import MatchRecord
    from ventanilla.registry.models import Person

    profile = current_profile()
    started = time.perf_counter()
    outcome = seed_population(
        size=size, seed=BENCH_SEED, duplicates_fraction=0, declare=False, progress=None
    )
    seeding = time.perf_counter() - started
    analyse()
    print(f"--- register of {size:,} synthetic persons", flush=True)
    line("persons seeded now", outcome.persons)
    line("seeding time", seeding, "s")
    if outcome.persons:
        line("seeding rate", outcome.persons / seeding, "persons/s")
    line("persons in the register", Person.objects.count())

    first = perturbed_probes(profile.code, size, probes_count)
    for probe, _original in first[:25]:  # warm the connection and the statements
        assert isinstance(probe, MatchRecord)
        candidates_for(probe)
    first_touch, _recall = time_lookups(
        first, fresh_probes(profile.code, probes_count), "first touch"
    )
    started = time.perf_counter()
    warmed = prewarm_lookup()
    if warmed:
        line("pages read into the cache", ", ".join(warmed))
        line("prewarm time", time.perf_counter() - started, "s")
    warm, _recall = time_lookups(
        perturbed_probes(profile.code, size, probes_count, batch=1),
        fresh_probes(profile.code, probes_count, batch=1),
        "warm",
    )
    searches, named, crowded = name_searches(size, max(20, probes_count // 5))
    line(
        f"name search ({len(searches)} full names) p50/p95/p99",
        f"{percentile(searches, 50):.2f} / {percentile(searches, 95):.2f} / "
        f"{percentile(searches, 99):.2f}",
        "ms",
    )
    line("persons found by their full name", named / max(1, len(searches)) * 100, "%")
    line(
        "not found, the page asking to narrow (namesakes)",
        crowded / max(1, len(searches)) * 100,
        "%",
    )
    return first_touch, warm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help=f"one register of {SMOKE_SIZE:,}")
    parser.add_argument("--sizes", default="1000000", help="comma-separated register sizes")
    parser.add_argument("--size", type=int, help="a single register size")
    parser.add_argument("--probes", type=int, default=1000, help="probes of each kind")
    args = parser.parse_args()
    if args.smoke:
        sizes, probes = [SMOKE_SIZE], 200
    elif args.size:
        sizes, probes = [args.size], args.probes
    else:
        sizes, probes = sorted(int(s) for s in args.sizes.split(",") if s.strip()), args.probes

    vendor = setup("lookup_latency")
    from ventanilla.core.country import current_profile

    line("profile", current_profile().code)
    line("database", vendor)
    p95: dict[int, tuple[float, float]] = {}
    for size in sizes:
        p95[size] = measure(size, probes)
    smallest, largest = min(p95), max(p95)
    for index, label in enumerate(("first touch", "warm")):
        if len(p95) > 1:
            line(
                f"p95 ratio {largest:,} / {smallest:,}, {label}",
                p95[largest][index] / p95[smallest][index],
                "(goal <= 2)",
            )
        line(f"p95 at the largest size, {label}", p95[largest][index], "ms (goal <= 10)")


if __name__ == "__main__":
    main()
