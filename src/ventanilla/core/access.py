"""The personal-data access log: append-only, hash-chained, written by services.

Each row's hash covers its content and the previous row's hash, so removing
or editing any row breaks every later link; `verify_chain` finds the first.
Appends are serialised on one head row; the critical section is a few
microseconds of hashing and two inserts.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

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


def log_access(
    *,
    actor: User | None,
    grant: RoleAssignment | None,
    kind: AccessKind,
    purpose: str,
    subject_ids: Iterable[str],
) -> AccessLogEntry:
    """Append one row. Call inside the transaction that serves the data, so both or neither land."""
    subjects = sorted({str(s) for s in subject_ids})
    # Inside the caller's transaction when there is one; no savepoint, both land or neither.
    with transaction.atomic(savepoint=False):
        head, _created = AccessLogHead.objects.select_for_update().get_or_create(
            id=1, defaults={"last_hash": GENESIS}
        )
        entry = AccessLogEntry(
            at=timezone.now(),
            actor=actor,
            actor_role=grant.role if grant else "",
            office=grant.jurisdiction if grant else None,
            kind=kind,
            purpose=purpose,
            subject_ids=subjects,
            request_id=current_request_id(),
            prev_hash=head.last_hash,
        )
        entry.entry_hash = _entry_hash(entry)
        entry.save()
        copy_rows(
            AccessLogSubject,
            ("entry_id", "person_id"),
            [(entry.pk, uuid.UUID(s)) for s in subjects],
        )
        AccessLogHead.objects.filter(id=1).update(
            last_hash=entry.entry_hash, length=head.length + 1
        )
    return entry


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
