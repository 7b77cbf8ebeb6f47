#!/usr/bin/env python
"""Legacy import throughput against a raw PostgreSQL COPY of the same rows.

Writes a legacy births CSV of N rows (synthetic families, parents before children, no
national IDs so the import assigns them), imports it with the `import_legacy` path
(validation, ID assignment, match keys, parent links, the access log and the duplicate check
included), then, in the same run, times two raw COPYs of the same rows:

* into an unindexed table with the CSV's columns (the parsing and disk limit), and
* into the register's own person table, with its indexes and constraints checked at once,
  in a transaction that is rolled back (the limit of writing these persons into a live
  register, with nothing computed: no validation, no IDs, no keys, no duplicate check).

and, third, the import's **write floor**: the rows the import itself wrote (the persons with
their national IDs, their duplicate-lookup keys, their parent links and their access-log
index rows), copied again under fresh identities into the same tables with nothing computed,
in a transaction that is rolled back. No import that writes those rows can be faster than
that floor, however little it computes, so its ratio to the person-table COPY is the
ceiling of the import's own ratio on this machine.

Prints rows/s for each and the import's ratio to all three.

    .venv/bin/python bench/registry/import_throughput.py --size 200000
    .venv/bin/python bench/registry/import_throughput.py --smoke
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import secrets
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import line, setup  # noqa: E402

if TYPE_CHECKING:
    from django.db.models import Model

SMOKE_SIZE = 5000
RAW_TABLE = "bench_raw_births"


def write_csv(path: Path, size: int, seed: int, tag: str) -> int:
    from ventanilla.core.country import current_profile
    from ventanilla.registry.legacy import BIRTH_COLUMNS
    from ventanilla.registry.synthetic import SyntheticPerson, generate

    today = dt.date.today()
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(BIRTH_COLUMNS)
        for p in generate(current_profile().code, seed=seed, size=size, duplicates_fraction=0):
            if not isinstance(p, SyntheticPerson):
                continue
            registered = min(p.birth_date + dt.timedelta(days=15), today)
            writer.writerow(
                [
                    f"{tag}-{p.n}",
                    p.given_names,
                    p.first_surname,
                    p.second_surname,
                    p.sex,
                    p.birth_date.isoformat(),
                    p.birth_state,
                    p.birth_municipality,
                    "",
                    f"{tag}-{p.mother}" if p.mother is not None else "",
                    f"{tag}-{p.father}" if p.father is not None else "",
                    registered.isoformat(),
                    "",
                ]
            )
            rows += 1
    return rows


def raw_copy(path: Path) -> float:
    """Seconds to COPY the file into a plain table with the same columns."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {RAW_TABLE}")
        cursor.execute(
            f"CREATE TABLE {RAW_TABLE} (legacy_id text, given_names text, first_surname text, "
            "second_surname text, sex text, birth_date date, birth_state text, "
            "birth_municipality text, national_id text, mother_legacy_id text, "
            "father_legacy_id text, registered_on date, office_code text)"
        )
        started = time.perf_counter()
        with (
            cursor.cursor.copy(f"COPY {RAW_TABLE} FROM STDIN (FORMAT csv, HEADER true)") as copy,
            path.open("rb") as data,
        ):
            while chunk := data.read(1 << 20):
                copy.write(chunk)
        seconds = time.perf_counter() - started
        cursor.execute(f"DROP TABLE {RAW_TABLE}")
    return seconds


def raw_copy_into_register(path: Path) -> float:
    """Seconds to COPY the file's persons, as they are, into the register's person table.

    Each row gets what the table requires and the file lacks (an id, the municipality's
    jurisdiction, a search name); everything is made before the clock starts, so only the
    database's work is timed. Foreign keys are checked during the COPY, not skipped at the
    rollback.
    """
    import uuid

    from ventanilla.core.models import Jurisdiction, JurisdictionLevel
    from ventanilla.registry.bulk import PERSON_COLUMNS
    from ventanilla.registry.models import Person
    from ventanilla.registry.people import search_name

    places = dict(
        Jurisdiction.objects.filter(level=JurisdictionLevel.MUNICIPALITY).values_list(
            "official_code", "id"
        )
    )
    now = dt.datetime.now(dt.UTC)
    rows: list[tuple[object, ...]] = []
    with path.open(encoding="utf-8", newline="") as data:
        reader = csv.DictReader(data)
        for r in reader:
            place = places[r["birth_municipality"]]
            rows.append(
                (
                    uuid.uuid4(),
                    None,
                    r["given_names"],
                    r["first_surname"],
                    r["second_surname"],
                    "",
                    r["sex"],
                    dt.date.fromisoformat(r["birth_date"]),
                    place,
                    place,
                    "alive",
                    None,
                    "import",
                    f"RAW-{r['legacy_id']}",
                    search_name(r["given_names"], r["first_surname"], r["second_surname"]),
                    now,
                    dt.date.fromisoformat(r["registered_on"]),
                )
            )
    return sum(copies_rolled_back([(Person, PERSON_COLUMNS, rows)]).values())


def copies_rolled_back(
    tables: Sequence[tuple[type[Model], Sequence[str], Sequence[Sequence[object]]]],
) -> dict[str, float]:
    """Seconds to COPY each table's rows, in one transaction that is then rolled back; the
    foreign keys are checked during each COPY, not skipped at the rollback."""
    from django.db import connection, transaction

    quote = connection.ops.quote_name
    seconds: dict[str, float] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for model, columns, rows in tables:
            column_list = ", ".join(quote(c) for c in columns)
            started = time.perf_counter()
            with cursor.cursor.copy(
                f"COPY {quote(model._meta.db_table)} ({column_list}) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
            seconds[f"{model._meta.db_table} ({len(rows):,} rows)"] = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def write_floor(tag: str) -> dict[str, float]:
    """Seconds to COPY again, with nothing computed, every row the import wrote for its
    persons: the person rows, their match keys, their parent links and their access-log
    index rows, each person under a fresh id, legacy reference and national ID so that no
    unique index refuses it. Rolled back like `raw_copy_into_register`. Returns the seconds
    per table, in the order written."""
    import uuid

    from django.db import connection

    from ventanilla.core.models import AccessLogSubject
    from ventanilla.registry.bulk import PERSON_COLUMNS
    from ventanilla.registry.legacy import legacy_reference
    from ventanilla.registry.models import ParentLink, Person, PersonMatchKey

    quote = connection.ops.quote_name
    prefix = legacy_reference(f"{tag}-")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(quote(c) for c in PERSON_COLUMNS)} "  # noqa: S608 - model names
            f"FROM {quote(Person._meta.db_table)} WHERE source_reference LIKE %s",
            [prefix + "%"],
        )
        persons = cursor.fetchall()
        fresh = {row[0]: uuid.uuid4() for row in persons}
        ids = list(fresh)
        cursor.execute(
            f"SELECT key, person_id FROM {quote(PersonMatchKey._meta.db_table)} "  # noqa: S608
            "WHERE person_id = ANY(%s)",
            [ids],
        )
        keys = [(key, fresh[pid]) for key, pid in cursor.fetchall()]
        cursor.execute(
            f"SELECT child_id, parent_id, kind FROM {quote(ParentLink._meta.db_table)} "  # noqa: S608
            "WHERE child_id = ANY(%s)",
            [ids],
        )
        links = [(fresh[c], fresh.get(p, p), kind) for c, p, kind in cursor.fetchall()]
        cursor.execute(
            f"SELECT entry_id, person_id FROM {quote(AccessLogSubject._meta.db_table)} "  # noqa: S608
            "WHERE person_id = ANY(%s)",
            [ids],
        )
        subjects = [(entry, fresh[pid]) for entry, pid in cursor.fetchall()]
    person_rows = [
        (fresh[row[0]], f"F{n:017d}", *row[2:13], f"FLOOR-{row[13]}", *row[14:])
        for n, row in enumerate(persons)
    ]
    tables = [
        (Person, PERSON_COLUMNS, person_rows),
        (PersonMatchKey, ("key", "person_id"), keys),
        (ParentLink, ("child_id", "parent_id", "kind"), links),
        (AccessLogSubject, ("entry_id", "person_id"), subjects),
    ]
    return copies_rolled_back(tables)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help=f"{SMOKE_SIZE} rows")
    parser.add_argument("--size", type=int, default=200_000)
    parser.add_argument("--seed", type=int, help="population seed (default: a new one per run)")
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--no-dedupe", action="store_true", help="skip the duplicate check")
    args = parser.parse_args()
    size = SMOKE_SIZE if args.smoke else args.size

    vendor = setup("import_throughput")
    from ventanilla.core.country import current_profile
    from ventanilla.registry.legacy import import_legacy_file
    from ventanilla.registry.management.commands.seed_population import prepare_places

    prepare_places(current_profile())
    # Fresh legacy IDs and, unless asked otherwise, fresh people: each run imports every row.
    tag = f"B{secrets.token_hex(4)}"
    seed = args.seed if args.seed is not None else secrets.randbelow(10**9)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "births.csv"
        started = time.perf_counter()
        rows = write_csv(path, size, seed, tag)
        line("profile", current_profile().code)
        line("database", vendor)
        line("rows", rows)
        line("csv bytes", path.stat().st_size)
        line("csv generation", time.perf_counter() - started, "s")

        started = time.perf_counter()
        outcome = import_legacy_file(
            path, "birth", batch_size=args.batch, dedupe=not args.no_dedupe, progress=False
        )
        import_seconds = time.perf_counter() - started
        line("import imported", outcome.imported)
        line("import rejected", outcome.rejected)
        line("import suspected duplicate pairs", len(outcome.pairs))
        line("import dedupe", "off" if args.no_dedupe else "on")
        line("import seconds", import_seconds, "s")
        line("of which settling the server (VACUUM, CHECKPOINT)", outcome.settle_seconds, "s")
        import_rate = rows / import_seconds
        line("import throughput", import_rate, "rows/s")

        if vendor != "postgresql":
            line("raw COPY", "skipped (needs PostgreSQL)")
            return
        copy_seconds = raw_copy(path)
        copy_rate = rows / copy_seconds
        line("raw COPY into a bare table seconds", copy_seconds, "s")
        line("raw COPY into a bare table throughput", copy_rate, "rows/s")
        register_seconds = raw_copy_into_register(path)
        register_rate = rows / register_seconds
        line("raw COPY into the person table seconds", register_seconds, "s")
        line("raw COPY into the person table throughput", register_rate, "rows/s")
        floor = write_floor(tag)
        for table, seconds in floor.items():
            line(f"write floor: {table}", seconds, "s")
        floor_seconds = sum(floor.values())
        floor_rate = rows / floor_seconds
        line("write floor (the import's rows, copied again) seconds", floor_seconds, "s")
        line("write floor throughput", floor_rate, "rows/s")
        line("ratio write floor/raw COPY (person table)", f"{floor_rate / register_rate:.4f}")
        line("ratio import/write floor", f"{import_rate / floor_rate:.4f}")
        bare_ratio = f"{import_rate / copy_rate:.4f}"
        line("ratio import/raw COPY (bare table)", bare_ratio, "(goal >= 0.5)")
        line(
            "ratio import/raw COPY (person table)",
            f"{import_rate / register_rate:.4f}",
            "(goal >= 0.5)",
        )


if __name__ == "__main__":
    main()
