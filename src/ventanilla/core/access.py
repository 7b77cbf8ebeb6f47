"""The personal-data access log: append-only, hash-chained, written by services.

Each row's hash covers its content and the previous row's hash, so removing
or editing any row breaks every later link; `verify_chain` finds the first.
Appends are serialised on one head row; the critical section is a few
microseconds of hashing and two inserts.
"""

from __future__ import annotations

import functools
import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Final

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from ventanilla.core import rows
from ventanilla.core.bulkcopy import copy_rows
from ventanilla.core.context import current_request_id
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
    subjects = sorted({str(s) for s in subject_ids})
    entry = AccessLogEntry(
        at=timezone.now(),
        actor=actor,
        actor_role=grant.role if grant else "",
        office_id=grant.jurisdiction_id if grant else None,
        kind=kind,
        purpose=purpose,
        subject_ids=subjects,
        request_id=current_request_id(),
    )
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


def log_refusal(*, actor: User, purpose: str, subject_ids: Iterable[str] = ()) -> None:
    """Record a refused attempt; committed even if the caller's transaction rolls back later."""
    log_access(
        actor=actor, grant=None, kind=AccessKind.DENIED, purpose=purpose, subject_ids=subject_ids
    )


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_id: int | None
    reason: str

    @property
    def intact(self) -> bool:
        return not self.reason


def _entries(batch: int) -> Iterator[AccessLogEntry]:
    last_id = 0
    while True:
        rows = list(AccessLogEntry.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id


def verify_chain(batch: int = 5000) -> ChainReport:
    """Walk the chain from the start; report the first row whose link or content does not hold."""
    previous = GENESIS
    checked = 0
    for entry in _entries(batch):
        if entry.prev_hash != previous:
            return ChainReport(checked, entry.id, "previous hash does not match")
        if _entry_hash(entry) != entry.entry_hash:
            return ChainReport(checked, entry.id, "content does not match its hash")
        previous = entry.entry_hash
        checked += 1
    head = AccessLogHead.objects.filter(id=1).first()
    if head is not None and head.last_hash != previous:
        return ChainReport(checked, None, "rows missing at the end of the chain")
    return ChainReport(checked, None, "")
