"""Reading the access log, for the officials who audit it (`Action.ACCESS_LOG_READ`).

An auditor sees the rows of their jurisdiction: those written under an office inside it,
and those written without an office (refused attempts) by officials who hold a role
inside it. A national auditor sees every row, citizens' own reads included.

Rows say how many persons were returned, never which: the auditor reads the log, not the
register. Reading the log therefore shows no one's personal data and is not itself
logged; a refused attempt to read it is (by `authorise`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.core.country import current_profile
from ventanilla.core.errors import ValidationFailed
from ventanilla.core.models import (
    AccessLogEntry,
    AccessLogSubject,
    RoleAssignment,
    User,
)
from ventanilla.core.paging import PAGE_SIZE, Cursor, Page, newest_first
from ventanilla.core.permissions import Action, authorise, scope_paths


@dataclass(frozen=True)
class AccessLogFilters:
    """What the auditor narrows the log by; nothing here names a person of the register."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    actor: str = ""  # the official's username
    purpose: str = ""
    kind: str = ""


@dataclass(frozen=True)
class AccessLogRow:
    entry: AccessLogEntry
    persons: int  # how many persons the access returned


AccessLogPage = Page[AccessLogRow]
"""Rows newest first, with the cursors of the neighbouring pages."""


def _scope(actor: User) -> Q:
    paths = scope_paths(actor, Action.ACCESS_LOG_READ)
    if f"{current_profile().country_iso}." in paths:
        return Q()
    condition = Q(pk__in=[])
    for path in paths:
        officials = RoleAssignment.objects.filter(jurisdiction__path__startswith=path)
        condition |= Q(office__path__startswith=path)
        condition |= Q(office__isnull=True, actor_id__in=officials.values("user_id"))
    return condition


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _filtered(actor: User, filters: AccessLogFilters) -> QuerySet[AccessLogEntry]:
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise ValidationFailed(fields={"date_to": [_("The end date is before the start date.")]})
    query = AccessLogEntry.objects.filter(_scope(actor))
    # The first and last representable days bound nothing (a bound at either end, moved to
    # UTC, would fall outside the calendar).
    if filters.date_from and filters.date_from > dt.date.min:
        query = query.filter(at__gte=_day_start(filters.date_from))
    if filters.date_to and filters.date_to < dt.date.max:
        query = query.filter(at__lt=_day_start(filters.date_to + dt.timedelta(days=1)))
    if filters.actor:
        query = query.filter(actor__username=filters.actor)
    if filters.purpose:
        query = query.filter(purpose=filters.purpose)
    if filters.kind:
        query = query.filter(kind=filters.kind)
    return query


def access_log(
    *,
    actor: User,
    filters: AccessLogFilters,
    before: int | None = None,
    after: int | None = None,
    limit: int = PAGE_SIZE,
) -> AccessLogPage:
    """One page of the log inside the actor's jurisdiction, newest first: the newest rows,
    or those just older than entry `before`, or just newer than entry `after`.

    Pages by entry ID rather than by offset, so a page deep in a long log costs no more
    than the first; each row carries `persons` (how many persons it returned)."""
    authorise(actor, Action.ACCESS_LOG_READ, None)
    query = _filtered(actor, filters)
    persons = (
        AccessLogSubject.objects.filter(entry=OuterRef("pk"))
        .values("entry")
        .annotate(n=Count("*"))
        .values("n")
    )
    rows = (
        query.select_related("actor", "office")
        .defer("subject_ids", "prev_hash", "entry_hash")
        .annotate(persons=Coalesce(Subquery(persons, output_field=IntegerField()), 0))
    )
    page = newest_first(
        rows, Cursor(before=before, after=after), by="at", limit=limit, bounds=query
    )
    return AccessLogPage(
        rows=[AccessLogRow(e, int(getattr(e, "persons", 0))) for e in page.rows],
        older=page.older,
        newer=page.newer,
    )
