"""Idempotency keys for writes: the same key with the same payload replays the first answer.

The same key with a different payload is refused (422): the client reused a
key by mistake and must not be told its new request succeeded.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError
from django.utils.translation import gettext_lazy as _

from ventanilla.core.access import atomic_keeping_refusals
from ventanilla.core.errors import DomainError, ValidationFailed
from ventanilla.core.models import IdempotencyRecord, User

MAX_KEY_LENGTH = 128


class IdempotencyKeyReused(ValidationFailed):
    code = "idempotency_key_reused"
    default_message = _("This idempotency key was already used for a different request.")


class IdempotencyKeyInvalid(ValidationFailed):
    code = "idempotency_key_invalid"
    default_message = _("Send an Idempotency-Key header of 1 to 128 visible characters.")


@dataclass(frozen=True)
class Outcome:
    status: int
    body: dict[str, Any]
    replayed: bool


def payload_hash(scope: str, payload: Any) -> str:
    encoded = json.dumps([scope, payload], sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


def check_key(key: str | None) -> str:
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable() or key.strip() != key:
        raise IdempotencyKeyInvalid()
    return key


def run_once(
    *,
    actor: User,
    key: str,
    scope: str,
    payload: Any,
    perform: Callable[[], tuple[int, dict[str, Any]]],
) -> Outcome:
    """Run `perform` at most once per (actor, key); its result is stored in the same transaction.

    A refusal rolls the transaction back but stays in the access log; an error that reports
    a journaled outcome (`DomainError.recorded`) commits what was written."""
    key = check_key(key)
    digest = payload_hash(scope, payload)
    existing = IdempotencyRecord.objects.filter(actor=actor, key=key).first()
    if existing is not None:
        return _replay(existing, digest)
    recorded: DomainError | None = None
    try:
        with atomic_keeping_refusals():
            try:
                status, body = perform()
            except DomainError as error:
                if not error.recorded:
                    raise
                # Committed, but not remembered for the key: once a registrar has decided,
                # the same request may be sent again and succeed.
                recorded = error
            else:
                IdempotencyRecord.objects.create(
                    actor=actor,
                    key=key,
                    scope=scope,
                    request_hash=digest,
                    response_status=status,
                    response_body=body,
                )
    except IntegrityError:
        # A concurrent request with the same key committed first: answer as it did.
        existing = IdempotencyRecord.objects.filter(actor=actor, key=key).first()
        if existing is None:
            raise
        return _replay(existing, digest)
    if recorded is not None:
        raise recorded
    return Outcome(status, body, replayed=False)


def _replay(record: IdempotencyRecord, digest: str) -> Outcome:
    if record.request_hash != digest:
        raise IdempotencyKeyReused()
    return Outcome(record.response_status, record.response_body, replayed=True)
