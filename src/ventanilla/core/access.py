"""The personal-data access log: append-only, hash-chained, written by services.

Each row's hash covers its content and the previous row's hash, so removing
or editing any row breaks every later link; `verify_chain` finds the first, and
the first row whose persons index disagrees with the subjects it hashed.
Appends are serialised on one head row; the critical section is a few
microseconds of hashing and two inserts.
"""

from __future__ import annotations

import functools
import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

from django.db import connection, connections, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from ventanilla.core import rows
from ventanilla.core.bulkcopy import copy_rows
from ventanilla.core.context import current_request_id
from ventanilla.core.errors import PermissionDenied
from ventanilla.core.models import (
    AccessKind,
    AccessLogEntry,
    AccessLogHead,
    AccessLogSubject,
    RoleAssignment,
    User,
)

GENESIS = "0" * 64


def _entry_hash(entry: AccessLogEntry) -> str:
    content = {
        "prev": entry.prev_hash,
        "at": entry.at.isoformat(),
        "actor": str(entry.actor_id) if entry.actor_id else None,
        "role": entry.actor_role,
        "office": entry.office_id,
        "kind": entry.kind,
        "purpose": entry.purpose,
        "subjects": entry.subject_ids,
        "request": entry.request_id,
    }
    encoded = json.dumps(content, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()


#: Subjects up to this many go in the entry's own statement; more (a bulk import's batch)
#: travel with ``COPY``.
_INLINE_SUBJECTS = 200


def log_access(
    *,
    actor: User | None,
    grant: RoleAssignment | None,
    kind: AccessKind,
    purpose: str,
    subject_ids: Iterable[str],
) -> AccessLogEntry:
    """Append one row. Call inside the transaction that serves the data, so both or neither land.

    Every service that touches personal data calls this, so it is written as plain
    statements (lock the head, insert the entry, its subjects, move the head; on PostgreSQL
    the last three are one statement) rather than through the ORM's query building, which
    cost several times the statements themselves."""
    entry = AccessLogEntry(
        at=timezone.now(),
        actor=actor,
        actor_role=grant.role if grant else "",
        office_id=grant.jurisdiction_id if grant else None,
        kind=kind,
        purpose=purpose,
        subject_ids=sorted({str(s) for s in subject_ids}),
        request_id=current_request_id(),
    )
    return _append(entry)


def _append(entry: AccessLogEntry) -> AccessLogEntry:
    """Link `entry` to the chain's head and write it with its subjects."""
    subjects: list[str] = entry.subject_ids
    # Inside the caller's transaction when there is one; no savepoint, both land or neither.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        last_hash, length = _locked_head(cursor)
        entry.prev_hash = last_hash
        entry.entry_hash = _entry_hash(entry)
        entry._state.adding = False
        entry._state.db = connection.alias
        person_ids = [uuid.UUID(s) for s in subjects]
        if connection.vendor == "postgresql" and len(person_ids) <= _INLINE_SUBJECTS:
            values = rows.values(entry)
            cursor.execute(_append_sql(), [*values, person_ids, entry.entry_hash, length + 1])
            entry.pk = int(cursor.fetchone()[0])
            return entry
        rows.insert(entry)
        if len(person_ids) > _INLINE_SUBJECTS:
            copy_rows(
                AccessLogSubject, ("entry_id", "person_id"), [(entry.pk, p) for p in person_ids]
            )
        elif person_ids:
            prep = AccessLogSubject._meta.get_field("person_id").get_db_prep_value
            cursor.execute(
                _SUBJECTS_SQL.format(values=", ".join(["(%s, %s)"] * len(person_ids))),
                [v for p in person_ids for v in (entry.pk, prep(p, connection))],
            )
        cursor.execute(_MOVE_HEAD_SQL, [entry.entry_hash, length + 1])
    return entry


_HEAD: Final = AccessLogHead._meta.db_table
_ENTRY: Final = AccessLogEntry._meta.db_table
_SUBJECTS_SQL: Final = (
    f"INSERT INTO {AccessLogSubject._meta.db_table} (entry_id, person_id) VALUES {{values}}"  # noqa: S608 - model names
)
_MOVE_HEAD_SQL: Final = f"UPDATE {_HEAD} SET last_hash = %s, length = %s WHERE id = 1"  # noqa: S608


@functools.cache
def _append_sql() -> str:
    """PostgreSQL: the entry, its subjects and the head's move in one statement."""
    return (
        f"WITH entry AS (INSERT INTO {_ENTRY} ({rows.columns(AccessLogEntry)}) "  # noqa: S608 - model names
        f"VALUES ({rows.placeholders(AccessLogEntry)}) RETURNING id), "
        f"subjects AS (INSERT INTO {AccessLogSubject._meta.db_table} (entry_id, person_id) "
        "SELECT entry.id, person FROM entry, unnest(%s::uuid[]) AS person), "
        f"head AS ({_MOVE_HEAD_SQL}) SELECT id FROM entry"
    )


def _locked_head(cursor: CursorWrapper) -> tuple[str, int]:
    """The chain's last hash and length, with the head row locked until the transaction ends
    (on SQLite the write transaction itself serialises appends). Created on first use."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    select = f"SELECT last_hash, length FROM {_HEAD} WHERE id = 1{lock}"  # noqa: S608
    cursor.execute(select)
    row = cursor.fetchone()
    if row is None:
        cursor.execute(
            f"INSERT INTO {_HEAD} (id, last_hash, length) VALUES (1, %s, 0) "  # noqa: S608
            "ON CONFLICT (id) DO NOTHING",
            [GENESIS],
        )
        cursor.execute(select)
        row = cursor.fetchone()
    return str(row[0]), int(row[1])


class RefusalLogged(PermissionDenied):
    """A refusal, with the access-log entry that records it.

    The entry is written in the caller's transaction, so a caller that handles the refusal
    and commits keeps it; a block that rolls back because of it writes it again on the way
    out (`atomic_keeping_refusals`)."""

    def __init__(self, entry: AccessLogEntry, **details: Any) -> None:
        super().__init__(**details)
        self.entry = entry


def log_refusal(*, actor: User, purpose: str, subject_ids: Iterable[str] = ()) -> AccessLogEntry:
    """Record a refused attempt. Raise the refusal as `RefusalLogged` with the entry returned,
    so that the entry survives a rollback of the caller's transaction."""
    return log_access(
        actor=actor, grant=None, kind=AccessKind.DENIED, purpose=purpose, subject_ids=subject_ids
    )


@contextmanager
def atomic_keeping_refusals() -> Iterator[None]:
    """`transaction.atomic()`, except that a refusal which rolls it back stays in the log.

    Django runs no hook on rollback (``on_commit`` callbacks are discarded), so the refusal
    travels in its exception and is written again here, once the block is undone."""
    try:
        with transaction.atomic():
            yield
    except RefusalLogged as refused:
        refused.entry = _restored(refused.entry)
        raise


def _restored(entry: AccessLogEntry) -> AccessLogEntry:
    """`entry` as the log holds it now: appended again, at the head, if a rollback took it."""
    if connection.needs_rollback:
        return entry  # an enclosing block is failing as well; nothing can be written yet
    if AccessLogEntry.objects.filter(entry_hash=entry.entry_hash).exists():
        return entry  # an enclosing transaction still holds it
    again = AccessLogEntry(
        at=entry.at,
        actor_id=entry.actor_id,
        actor_role=entry.actor_role,
        office_id=entry.office_id,
        kind=entry.kind,
        purpose=entry.purpose,
        subject_ids=entry.subject_ids,
        request_id=entry.request_id,
    )
    return _append(again)


_APPEND_ONLY_TABLES: Final = (_ENTRY, AccessLogSubject._meta.db_table)


@contextmanager
def append_only_lifted(using: str = "default") -> Iterator[None]:
    """The block may delete access-log rows on SQLite: for emptying a whole database only.

    PostgreSQL empties tables with ``TRUNCATE``, which row triggers do not see; SQLite
    deletes row by row, so its append-only triggers are dropped for the block and created
    again, in one transaction (SQLite rolls schema changes back too)."""
    db = connections[using]
    if db.vendor != "sqlite":
        yield
        return
    with transaction.atomic(using=using), db.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (%s, %s)",
            list(_APPEND_ONLY_TABLES),
        )
        triggers = cursor.fetchall()
        for name, _sql in triggers:
            cursor.execute(f"DROP TRIGGER {db.ops.quote_name(name)}")
        yield
        for _name, sql in triggers:
            cursor.execute(sql)


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_id: int | None
    reason: str

    @property
    def intact(self) -> bool:
        return not self.reason


def _batches(batch: int) -> Iterator[tuple[list[AccessLogEntry], dict[int, set[str]]]]:
    """The entries in order, `batch` at a time, each batch with its persons index."""
    last_id = 0
    while True:
        entries = list(AccessLogEntry.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not entries:
            return
        indexed: dict[int, set[str]] = {}
        subjects = AccessLogSubject.objects.filter(
            entry_id__gte=entries[0].id, entry_id__lte=entries[-1].id
        ).values_list("entry_id", "person_id")
        # As many as the batch's entries list already, so no more memory than they take.
        for entry_id, person_id in subjects:
            indexed.setdefault(entry_id, set()).add(str(person_id))
        yield entries, indexed
        last_id = entries[-1].id


def verify_chain(batch: int = 5000) -> ChainReport:
    """Walk the chain from the start; report the first row whose link or content does not hold,
    or whose persons index (the citizen's "who looked at my data") differs from its hashed
    subjects."""
    previous = GENESIS
    checked = 0
    for entries, indexed in _batches(batch):
        for entry in entries:
            if entry.prev_hash != previous:
                return ChainReport(checked, entry.id, "previous hash does not match")
            if _entry_hash(entry) != entry.entry_hash:
                return ChainReport(checked, entry.id, "content does not match its hash")
            if indexed.get(entry.id, set()) != set(entry.subject_ids):
                return ChainReport(checked, entry.id, "persons index does not match its subjects")
            previous = entry.entry_hash
            checked += 1
    head = AccessLogHead.objects.filter(id=1).first()
    if head is not None and head.last_hash != previous:
        return ChainReport(checked, None, "rows missing at the end of the chain")
    return ChainReport(checked, None, "")
