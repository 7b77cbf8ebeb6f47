"""Writing many register rows at once, shared by the legacy import and the population seeding.

On PostgreSQL rows travel with ``COPY`` (straight into the table, or through a session-local
staging table and one ``INSERT … SELECT``); elsewhere with ``bulk_create``. A second thread
(`WritePipeline`) writes one batch while the caller prepares the next, and
`allocate_national_ids` gives each new person a national ID no one else holds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import queue
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from django.db import connections, models
from psycopg.types.json import Jsonb

from ventanilla.core import maintenance
from ventanilla.core.bulkcopy import copy_rows
from ventanilla.core.models import AccessLogEntry, AccessLogSubject
from ventanilla.registry.idschemes import IdScheme, IdSubject, InvalidIdError
from ventanilla.registry.models import (
    ParentLink,
    Person,
    PersonMatchKey,
    PersonParticipation,
    PersonStatus,
    RecordAction,
    Union,
    VitalRecord,
)

logger = logging.getLogger(__name__)

#: The columns of a vital record row, in the order the bulk writers send them.
RECORD_COLUMNS: Final = (
    "id",
    "event_type",
    "status",
    "version",
    "data",
    "event_date",
    "registration_number",
    "registered_at",
    "late",
    "duplicates_pending",
    "created_at",
    "updated_at",
    "office_id",
    "subject_id",
    "source_reference",
)

#: The columns of a record action row, in the order the bulk writers send them.
ACTION_COLUMNS: Final = (
    "record_id",
    "seq",
    "action",
    "actor_role",
    "at",
    "request_id",
    "reason",
    "status_after",
    "payload",
    "office_id",
)

#: The columns of a person row, in the order the bulk writer sends them.
PERSON_COLUMNS: Final = (
    "id",
    "national_id",
    "given_names",
    "first_surname",
    "second_surname",
    "romanised_name",
    "sex",
    "birth_date",
    "birth_place_id",
    "jurisdiction_id",
    "status",
    "death_date",
    "source",
    "source_reference",
    "search_name",
    "created_at",
    "registered_on",
)


#: What a bulk load writes: the tables `settle_register` brings up to date after one.
LOADED_MODELS: Final[tuple[type[models.Model], ...]] = (
    Person,
    PersonMatchKey,
    ParentLink,
    Union,
    VitalRecord,
    RecordAction,
    PersonParticipation,
    AccessLogEntry,
    AccessLogSubject,
)


def settle_register(show: bool | None = None) -> bool:
    """After a bulk load, statistics, visibility and a checkpoint (`core.maintenance.settle`)
    for the tables it wrote, so the registrations and lookups that follow run at full speed."""
    return maintenance.settle(LOADED_MODELS, show=show)


def uuid7() -> uuid.UUID:
    """A time-ordered UUID (RFC 9562 version 7): new rows land at the end of the B-tree."""
    millis = time.time_ns() // 1_000_000
    value = (millis & (2**48 - 1)) << 80 | secrets.randbits(80)
    value = (value & ~(0xF << 76)) | (0x7 << 76)
    value = (value & ~(0xC << 60)) | (0x8 << 60)
    return uuid.UUID(int=value)


@dataclass(frozen=True, slots=True)
class Unassigned:
    """Why no national ID could be given: ``id_<code>`` of the scheme's refusal,
    ``id_space_exhausted`` or ``id_invalid_name``."""

    code: str


class BulkWriter:
    """Insert many rows at once: PostgreSQL ``COPY``, elsewhere ``bulk_create``.

    Columns are database column names (``jurisdiction_id``, not ``jurisdiction``). With
    ``staged=True`` the rows are copied into a session-local staging table first and moved
    with ``INSERT … SELECT``, so the target table sees one set-based statement.
    """

    def __init__(self, using: str = "default") -> None:
        self.using = using
        self.postgres = connections[using].vendor == "postgresql"

    @property
    def connection(self) -> Any:
        """This thread's connection (a writer thread has its own)."""
        return connections[self.using]

    def begin_batch(self) -> None:
        """Call first inside each batch transaction: on PostgreSQL a bulk batch does not wait
        for the WAL flush (a crash loses at most the last batches, which a re-run redoes)."""
        if self.postgres:
            with self.connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")

    def insert(
        self,
        model: type[models.Model],
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        staged: bool = False,
    ) -> None:
        if not self.postgres or not staged:
            copy_rows(model, columns, rows, using=self.using)
            return
        if not rows:
            return
        table = model._meta.db_table
        quote = self.connection.ops.quote_name
        column_list = ", ".join(quote(c) for c in columns)
        with self.connection.cursor() as cursor:
            raw = cursor.cursor
            digest = hashlib.blake2b(column_list.encode(), digest_size=4).hexdigest()
            stage = quote(f"vt_stage_{table}_{digest}")
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {stage} ON COMMIT DELETE ROWS AS "  # noqa: S608
                f"SELECT {column_list} FROM {quote(table)} WITH NO DATA"
            )
            with raw.copy(f"COPY {stage} ({column_list}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO {quote(table)} ({column_list}) "  # noqa: S608 - names from the model
                f"SELECT {column_list} FROM {stage}"
            )
            cursor.execute(f"TRUNCATE {stage}")

    def update_deaths(self, rows: Sequence[tuple[uuid.UUID, dt.date]]) -> None:
        """Mark persons deceased on the given dates."""
        if not rows:
            return
        if not self.postgres:
            persons = [
                Person(pk=pid, status=PersonStatus.DECEASED, death_date=died) for pid, died in rows
            ]
            Person.objects.using(self.using).bulk_update(persons, ["status", "death_date"])
            return
        quote = self.connection.ops.quote_name
        table = quote(Person._meta.db_table)
        with self.connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS vt_stage_death "
                "(person_id uuid, death_date date) ON COMMIT DELETE ROWS"
            )
            with cursor.cursor.copy("COPY vt_stage_death (person_id, death_date) FROM STDIN") as c:
                for row in rows:
                    c.write_row(row)
            cursor.execute(
                f"UPDATE {table} AS p SET status = %s, death_date = s.death_date "  # noqa: S608
                "FROM vt_stage_death AS s WHERE p.id = s.person_id",
                [PersonStatus.DECEASED.value],
            )
            cursor.execute("TRUNCATE vt_stage_death")

    def json(self, value: dict[str, Any]) -> Any:
        """A JSON column value in the form `insert` needs."""
        return Jsonb(value) if self.postgres else value


class WritePipeline:
    """Runs write jobs, in order, on a second thread with its own database connection.

    While the database writes one batch, the caller prepares the next one in Python, so two
    cores are both kept busy. Jobs run inline instead when the pipeline is not `enabled`:
    on SQLite, and inside a caller's transaction (whose writes must stay in it, as in tests;
    see `usable`). A job's error is raised in the caller's thread by the next `submit` or by
    `close`; jobs already queued are then dropped, so what is committed is always a prefix.
    """

    def __init__(self, enabled: bool, depth: int = 1) -> None:
        self.enabled = enabled
        self.depth = depth
        self._error: BaseException | None = None
        # Set for good at the first error, unlike `_error`, which the caller takes: a job
        # queued behind the failed one must not run once the caller has taken the error, or
        # a later batch would be committed without the failed one.
        self._failed = False
        self._queue: queue.Queue[Callable[[], None] | None] = queue.Queue(maxsize=depth)
        self._thread: threading.Thread | None = None
        if enabled:
            self._thread = threading.Thread(target=self._work, name="bulk-writer", daemon=True)
            self._thread.start()

    @staticmethod
    def usable(using: str = "default") -> bool:
        connection = connections[using]
        return connection.vendor == "postgresql" and not connection.in_atomic_block

    def _work(self) -> None:
        try:
            while (job := self._queue.get()) is not None:
                if not self._failed:
                    try:
                        job()
                    except BaseException as exc:  # handed to the caller
                        self._failed = True
                        self._error = exc
        finally:
            connections.close_all()  # this thread's connections only

    def submit(self, job: Callable[[], None]) -> None:
        if not self.enabled:
            job()
            return
        self._raise()
        self._queue.put(job)

    def _raise(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def close(self) -> None:
        """Wait for the queued jobs; raise the first error one of them met."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        self._raise()

    def __enter__(self) -> WritePipeline:
        return self

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        if exc is None:
            self.close()
            return
        try:
            self.close()
        except Exception:  # the first error is the one that matters
            logger.warning("bulk writer also failed while stopping")


def array_literal(values: Iterable[object]) -> str:
    """A PostgreSQL array literal of the values' text forms (``{"a","b"}``)."""
    quoted = [str(v).replace("\\", "\\\\").replace('"', '\\"') for v in values]
    return '{"' + '","'.join(quoted) + '"}' if quoted else "{}"


def any_of(sql: str, values: Sequence[Any], using: str = "default") -> list[tuple[Any, ...]]:
    """Run ``sql`` (PostgreSQL) with one array parameter: a single placeholder however many
    values, which the driver and the planner handle much faster than a long ``IN`` list.

    The array travels as one literal, so ``sql`` casts its placeholder (``ANY(%s::text[])``):
    adapting a Python list costs the driver a few microseconds a value, which an import's
    batch of tens of thousands of keys notices."""
    if not values:
        return []
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [array_literal(values)])
        return list(cursor.fetchall())


def taken_national_ids(candidates: Collection[str], using: str = "default") -> set[str]:
    """Which of `candidates` already belong to a person in the register."""
    found: set[str] = set()
    values = sorted(candidates)
    if values and connections[using].vendor == "postgresql":
        rows = any_of(
            "SELECT national_id FROM registry_person WHERE national_id = ANY(%s::text[])",
            values,
            using,
        )
        return {row[0] for row in rows}
    for start in range(0, len(values), 5000):
        chunk = values[start : start + 5000]
        found.update(
            value
            for value in Person.objects.using(using)
            .filter(national_id__in=chunk)
            .values_list("national_id", flat=True)
            if value is not None
        )
    return found


def allocate_national_ids(
    subjects: Sequence[IdSubject | None],
    scheme: IdScheme,
    taken: Callable[[Collection[str]], set[str]],
    reserved: Collection[str] = (),
) -> list[str | Unassigned]:
    """A unique national ID for each subject: its scheme's first variant, then the next ones
    (wrapping round) until one is free.

    Free means: not returned by `taken` (the register), not in `reserved` and not given to an
    earlier subject of the batch. A subject the scheme cannot encode gets a `Unassigned`
    (``id_<code>``); ``None`` subjects get one too (``id_invalid_name``).
    """
    result: list[str | Unassigned] = [Unassigned("id_invalid_name")] * len(subjects)
    used: set[str] = set(reserved)
    tried = [0] * len(subjects)
    first: dict[int, int] = {}
    pending = [i for i, s in enumerate(subjects) if s is not None]
    while pending:
        proposals: dict[int, str] = {}
        for i in pending:
            subject = subjects[i]
            assert subject is not None
            try:
                available = scheme.variants_for(subject)
                if tried[i] >= available:
                    result[i] = Unassigned("id_space_exhausted")
                    continue
                if i not in first:
                    first[i] = scheme.first_variant(subject)
                proposals[i] = scheme.propose(subject, (first[i] + tried[i]) % available)
            except InvalidIdError as exc:
                result[i] = Unassigned(f"id_{exc.code}")
        in_register = taken(set(proposals.values()) - used) if proposals else set()
        pending = []
        for i, proposal in proposals.items():
            if proposal in in_register or proposal in used:
                tried[i] += 1
                pending.append(i)
            else:
                used.add(proposal)
                result[i] = proposal
    return result
