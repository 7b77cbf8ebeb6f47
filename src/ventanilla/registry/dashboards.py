"""Read functions for the officials' dashboards.

Dashboards show counts, never persons, so they read no personal data and write
no access log; they are still scoped to the jurisdictions where the official
holds a role that may see them. Every figure is aggregated by the database
(one grouped query), so the page costs the same for a hundred or a million
registrations, on SQLite and on PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from django.db.models import (
    Case,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import TruncDate

from ventanilla.core.country import current_profile
from ventanilla.core.models import User
from ventanilla.core.permissions import Action, authorise, scope_paths
from ventanilla.registry.models import EventType, RecordStatus, VitalRecord

GroupLevel = Literal["state", "municipality"]
GROUP_LEVELS: tuple[GroupLevel, ...] = ("state", "municipality")

#: Registered within this many days of the birth counts as "within a month".
PROMPT_DAYS = 30
#: Registered within this many days counts as "within a year".
YEAR_DAYS = 365

# Offices sit under municipalities, which sit under states (core.jurisdictions).
_GROUP_FIELD: dict[GroupLevel, str] = {
    "state": "office__parent__parent",
    "municipality": "office__parent",
}


@dataclass(frozen=True)
class TimelinessRow:
    """Registered births of one jurisdiction, by how long after the birth they were registered."""

    code: str
    name: str
    total: int
    within_month: int
    within_year: int
    later: int
    late: int

    @property
    def late_share(self) -> float:
        """Share of births registered after the legal period (0 when there are none)."""
        return self.late / self.total if self.total else 0.0

    def share(self, count: int) -> float:
        return count / self.total if self.total else 0.0


@dataclass(frozen=True)
class TimelinessReport:
    level: GroupLevel
    timely_days: int
    rows: list[TimelinessRow]
    totals: TimelinessRow


def default_level(actor: User) -> GroupLevel:
    """States for a national view; municipalities for anyone whose scope is one state or less."""
    paths = scope_paths(actor, Action.DASHBOARD_VIEW)
    national = any(path.count(".") == 1 for path in paths)
    return "state" if national else "municipality"


def _after(days: int) -> ExpressionWrapper[CombinedExpression]:
    return ExpressionWrapper(F("event_date") + dt.timedelta(days=days), output_field=DateField())


def _count_when(condition: Q) -> Sum:
    return Sum(Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField()))


def birth_registration_timeliness(*, actor: User, level: GroupLevel) -> TimelinessReport:
    """Registered births per state or municipality inside the actor's scope, by delay.

    The delay is the local calendar date of `registered_at` minus `event_date`:
    within 30 days, within a year, later; "late" means after the country's legal
    period for birth registration (the profile's `birth_timely_days`).
    """
    authorise(actor, Action.DASHBOARD_VIEW, None)
    if level not in _GROUP_FIELD:
        raise ValueError(f"unknown level {level!r}")
    timely_days = current_profile().registration.birth_timely_days
    scope = Q(pk__in=[])
    for path in scope_paths(actor, Action.DASHBOARD_VIEW):
        scope |= Q(office__path__startswith=path)
    group = _GROUP_FIELD[level]
    grouped = (
        VitalRecord.objects.filter(
            scope,
            event_type=EventType.BIRTH,
            status=RecordStatus.REGISTERED,
            registered_at__isnull=False,
            event_date__isnull=False,
        )
        .annotate(registered_on=TruncDate("registered_at"))
        .values(code=F(f"{group}__official_code"), name=F(f"{group}__name"))
        .annotate(
            total=Count("pk"),
            within_month=_count_when(Q(registered_on__lte=_after(PROMPT_DAYS))),
            within_year=_count_when(
                Q(registered_on__gt=_after(PROMPT_DAYS), registered_on__lte=_after(YEAR_DAYS))
            ),
            later=_count_when(Q(registered_on__gt=_after(YEAR_DAYS))),
            late=_count_when(Q(registered_on__gt=_after(timely_days))),
        )
        .order_by("code")
    )
    rows = [
        TimelinessRow(
            code=str(row["code"] or ""),
            name=str(row["name"] or ""),
            total=int(row["total"]),
            within_month=int(row["within_month"] or 0),
            within_year=int(row["within_year"] or 0),
            later=int(row["later"] or 0),
            late=int(row["late"] or 0),
        )
        for row in grouped
    ]
    totals = TimelinessRow(
        code="",
        name="",
        total=sum(r.total for r in rows),
        within_month=sum(r.within_month for r in rows),
        within_year=sum(r.within_year for r in rows),
        later=sum(r.later for r in rows),
        late=sum(r.late for r in rows),
    )
    return TimelinessReport(level=level, timely_days=timely_days, rows=rows, totals=totals)
