"""The access log over the API (`/api/v1/access-log`), for auditors: the same rows as the
office page, filtered by date, official and purpose, never by a person."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from ventanilla.core import audit, paging
from ventanilla.core.errors import NotAuthenticated
from ventanilla.core.models import AccessKind, User

router = Router(tags=["access log"])


class ErrorOut(Schema):
    error: dict[str, Any]


class AccessLogQuery(Schema):
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    actor: str = Field(default="", max_length=150, description="The official's username")
    purpose: str = Field(default="", max_length=80)
    kind: AccessKind | None = None
    before: int | None = Field(default=None, ge=1, description="Rows older than this entry")
    after: int | None = Field(default=None, ge=1, description="Rows newer than this entry")
    limit: int = Field(default=paging.PAGE_SIZE, ge=1, le=paging.MAX_PAGE_SIZE)


class AccessLogEntryOut(Schema):
    id: int
    at: dt.datetime
    actor: str | None
    role: str
    office: str | None
    office_name: str | None
    kind: str
    purpose: str
    request_id: str
    persons: int


class AccessLogPageOut(Schema):
    entries: list[AccessLogEntryOut]
    older: int | None
    newer: int | None


def _actor(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user


def row_out(row: audit.AccessLogRow) -> dict[str, Any]:
    entry = row.entry
    return {
        "id": entry.pk,
        "at": entry.at,
        "actor": entry.actor.username if entry.actor else None,
        "role": entry.actor_role,
        "office": entry.office.code if entry.office else None,
        "office_name": entry.office.name if entry.office else None,
        "kind": entry.kind,
        "purpose": entry.purpose,
        "request_id": entry.request_id,
        "persons": row.persons,
    }


@router.get(
    "",
    response={200: AccessLogPageOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Read the access log (scoped to the caller's jurisdiction), newest first",
)
def access_log(request: HttpRequest, criteria: Query[AccessLogQuery]) -> dict[str, Any]:
    """Each entry says how many persons it returned, not which. Page with `older`
    (as `before`) and `newer` (as `after`)."""
    found = audit.access_log(
        actor=_actor(request),
        filters=audit.AccessLogFilters(
            date_from=criteria.date_from,
            date_to=criteria.date_to,
            actor=criteria.actor.strip(),
            purpose=criteria.purpose.strip(),
            kind=criteria.kind.value if criteria.kind else "",
        ),
        before=criteria.before,
        after=criteria.after,
        limit=criteria.limit,
    )
    return {
        "entries": [row_out(r) for r in found.rows],
        "older": found.older,
        "newer": found.newer,
    }
