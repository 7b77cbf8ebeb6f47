"""Read functions for the officials' dashboards.

Dashboards show counts, never persons, so they read no personal data and write
no access log; they are still scoped to the jurisdictions where the official
holds a role that may see them. A registered birth is either a birth registered
here (a registered birth record) or one the old register had registered, brought
in by the legacy import (an imported person with its `registered_on`). Every
figure is aggregated by the database (one grouped query per source, added up by
place), so the page costs the same for a hundred or a million registrations, on
SQLite and on PostgreSQL alike; completeness reads the year's estimates of
expected births (`BirthEstimate`) besides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from django.db import NotSupportedError
from django.db.models import (
    Aggregate,
    Case,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import TruncDate

from ventanilla.core.country import current_profile
from ventanilla.core.models import JurisdictionLevel, User
from ventanilla.core.permissions import Action, authorise, scope_paths
from ventanilla.core.profiles import RegistrationRules
from ventanilla.registry.birth_estimates import source_label
from ventanilla.registry.models import (
    BirthEstimate,
    EventType,
    Person,
    PersonSource,
    PersonStatus,
    RecordStatus,
    VitalRecord,
)

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler, _AsSqlType

GroupLevel = Literal["state", "municipality"]
GROUP_LEVELS: tuple[GroupLevel, ...] = ("state", "municipality")

#: Registered within this many days of the birth counts as "within a month".
PROMPT_DAYS = 30
#: Registered within this many days counts as "within a year".
YEAR_DAYS = 365

# Offices sit under municipalities, which sit under states (core.jurisdictions): the place
# of a birth, from the registry office that registered it.
_GROUP_FIELD: dict[GroupLevel, str] = {
    "state": "parent__parent",
    "municipality": "parent",
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
    year: int | None = None  # the births of this year only; None: every birth
    #: The legal period in calendar months, when the profile counts it so (else in days).
    timely_months: int | None = None


def default_level(actor: User) -> GroupLevel:
    """States for a national view; municipalities for anyone whose scope is one state or less."""
    paths = scope_paths(actor, Action.DASHBOARD_VIEW)
    national = any(path.count(".") == 1 for path in paths)
    return "state" if national else "municipality"


def _after(born: str, days: int) -> ExpressionWrapper[CombinedExpression]:
    return ExpressionWrapper(F(born) + dt.timedelta(days=days), output_field=DateField())


class AddMonths(Func):
    """A date plus whole calendar months, as `RegistrationRules.birth_deadline` counts them:
    the day with the same number in the last month, or that month's last day if it has none
    (31 August + 6 months: 28 or 29 February).

    PostgreSQL's `date + interval` clamps to the month's end by itself; SQLite's
    `date(x, '+N months')` overflows into the next month instead (31 August + 6 months:
    2 or 3 March), so there the day is added to the month's first day and held to its last.
    """

    output_field = DateField()

    def __init__(self, date: Any, months: int) -> None:
        super().__init__(date, Value(months))

    def _parts(self, compiler: SQLCompiler) -> tuple[str, list[Any], str, list[Any]]:
        date, months = (compiler.compile(e) for e in self.get_source_expressions())
        return date[0], list(date[1]), months[0], list(months[1])

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> _AsSqlType:
        raise NotSupportedError(f"AddMonths is not written for {connection.vendor}")

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> _AsSqlType:
        date, date_params, months, months_params = self._parts(compiler)
        sql = f"CAST(({date}) + make_interval(months => CAST({months} AS integer)) AS date)"
        return sql, [*date_params, *months_params]

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> _AsSqlType:
        date, date_params, months, months_params = self._parts(compiler)
        # The same day number in the month N months on, or that month's last day.
        same_day = (
            f"date({date}, 'start of month', '+' || ({months}) || ' months', "
            f"'+' || (CAST(substr(date({date}), 9, 2) AS INTEGER) - 1) || ' days')"
        )
        last_day = f"date({date}, 'start of month', '+' || (({months}) + 1) || ' months', '-1 day')"
        params = [*date_params, *months_params, *date_params]
        params += [*date_params, *months_params]
        return f"min({same_day}, {last_day})", params


def _deadline(born: str, rules: RegistrationRules) -> Any:
    """The last timely day for registering a birth on `born`, in SQL: the profile's own
    deadline (`RegistrationRules.birth_deadline`), in calendar months where its law counts
    them so, else in days, so that the dashboards count late exactly the records marked late.
    """
    if rules.birth_timely_months is not None:
        return AddMonths(F(born), rules.birth_timely_months)
    return _after(born, rules.birth_timely_days)


def _count_when(condition: Q) -> Sum:
    return Sum(Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField()))


def _scoped(actor: User, field: str) -> Q:
    scope = Q(pk__in=[])
    for path in scope_paths(actor, Action.DASHBOARD_VIEW):
        scope |= Q(**{f"{field}__startswith": path})
    return scope


@dataclass(frozen=True)
class _Births:
    """Registered births from one source, each with a `registered_on` date."""

    queryset: QuerySet[Any]
    #: The registry office that registered the birth.
    office: str
    #: The date of birth.
    born: str


def _registered_births(actor: User) -> tuple[_Births, _Births]:
    """The registered births inside the actor's scope: those registered here and those the
    old register had registered, brought in by the legacy import.

    The two are disjoint, so no birth counts twice: registering a birth here creates its
    child as a new person of source "birth" (`people.apply_registration`), while the legacy
    import creates persons of source "import" and no birth record.
    """
    online = VitalRecord.objects.filter(
        _scoped(actor, "office__path"),
        event_type=EventType.BIRTH,
        status=RecordStatus.REGISTERED,
        registered_at__isnull=False,
        event_date__isnull=False,
    ).alias(registered_on=TruncDate("registered_at"))
    # An imported person's office is their `jurisdiction`; persons imported before the
    # register kept the old register's date have none and are left out.
    imported = Person.objects.filter(
        ~Q(status=PersonStatus.VOID),
        _scoped(actor, "jurisdiction__path"),
        source=PersonSource.IMPORT,
        registered_on__isnull=False,
        birth_date__isnull=False,
    )
    return (
        _Births(online, office="office", born="event_date"),
        _Births(imported, office="jurisdiction", born="birth_date"),
    )


def _counted_by_place(
    sources: tuple[_Births, ...],
    level: GroupLevel,
    counts: Callable[[str], dict[str, Aggregate]],
) -> dict[Any, dict[str, Any]]:
    """`counts(born)` of each source's births per place at `level`, added up by place: one
    grouped query per source. Each value holds the place's `code` and `name` and every count
    as a whole number."""
    counted: dict[Any, dict[str, Any]] = {}
    for births in sources:
        group = f"{births.office}__{_GROUP_FIELD[level]}"
        aggregates = counts(births.born)
        grouped = (
            births.queryset.values(
                place=F(group), code=F(f"{group}__official_code"), name=F(f"{group}__name")
            )
            .annotate(**aggregates)
            .order_by()
        )
        for row in grouped:
            place = counted.setdefault(
                row["place"],
                {"code": row["code"], "name": row["name"], **dict.fromkeys(aggregates, 0)},
            )
            for name in aggregates:
                place[name] += int(row[name] or 0)
    return counted


def _born_in(sources: tuple[_Births, ...], year: int) -> tuple[_Births, ...]:
    """The births of `year` only, from each source."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return tuple(
        replace(
            births,
            queryset=births.queryset.filter(
                **{f"{births.born}__gte": first, f"{births.born}__lte": last}
            ),
        )
        for births in sources
    )


def birth_registration_timeliness(
    *, actor: User, level: GroupLevel, year: int | None = None
) -> TimelinessReport:
    """Registered births per state or municipality inside the actor's scope, by delay.

    The delay is the date the birth was registered minus the date of birth: for a birth
    registered here the local calendar date of its record's `registered_at`, for an imported
    one the old register's date (`Person.registered_on`). Within 30 days, within a year,
    later; "late" means after the country's legal period for birth registration (the
    profile's deadline, `RegistrationRules.birth_deadline`, as on the records). With `year`,
    only the births of that year: a national register's every birth is too many to count on
    each view of the page.
    """
    authorise(actor, Action.DASHBOARD_VIEW, None)
    if level not in _GROUP_FIELD:
        raise ValueError(f"unknown level {level!r}")
    rules = current_profile().registration

    def counts(born: str) -> dict[str, Aggregate]:
        return {
            "total": Count("pk"),
            "within_month": _count_when(Q(registered_on__lte=_after(born, PROMPT_DAYS))),
            "within_year": _count_when(
                Q(
                    registered_on__gt=_after(born, PROMPT_DAYS),
                    registered_on__lte=_after(born, YEAR_DAYS),
                )
            ),
            "later": _count_when(Q(registered_on__gt=_after(born, YEAR_DAYS))),
            "late": _count_when(Q(registered_on__gt=_deadline(born, rules))),
        }

    sources = _registered_births(actor)
    counted = _counted_by_place(sources if year is None else _born_in(sources, year), level, counts)
    rows = sorted(
        (
            TimelinessRow(
                code=str(row["code"] or ""),
                name=str(row["name"] or ""),
                total=row["total"],
                within_month=row["within_month"],
                within_year=row["within_year"],
                later=row["later"],
                late=row["late"],
            )
            for row in counted.values()
        ),
        key=lambda row: (row.code, row.name),
    )
    totals = TimelinessRow(
        code="",
        name="",
        total=sum(r.total for r in rows),
        within_month=sum(r.within_month for r in rows),
        within_year=sum(r.within_year for r in rows),
        later=sum(r.later for r in rows),
        late=sum(r.late for r in rows),
    )
    return TimelinessReport(
        level=level,
        timely_days=rules.birth_timely_days,
        timely_months=rules.birth_timely_months,
        rows=rows,
        totals=totals,
        year=year,
    )


# --------------------------------------------------------------------------------------------
# Completeness: registered births over the births expected for the place and year
# --------------------------------------------------------------------------------------------

_LEVEL: dict[GroupLevel, JurisdictionLevel] = {
    "state": JurisdictionLevel.STATE,
    "municipality": JurisdictionLevel.MUNICIPALITY,
}


@dataclass(frozen=True)
class CompletenessRow:
    """Births of one year in one jurisdiction: registered so far, registered within the legal
    period and within a year, and the births expected there (None: no estimate)."""

    code: str
    name: str
    registered: int
    timely: int
    within_year: int
    expected: int | None
    source: str = ""

    def _share(self, count: int) -> float | None:
        return count / self.expected if self.expected else None

    @property
    def source_label(self) -> str:
        """The estimate's source as shown, in the reader's language where it is not a name."""
        return source_label(self.source)

    @property
    def timely_completeness(self) -> float | None:
        return self._share(self.timely)

    @property
    def within_year_completeness(self) -> float | None:
        return self._share(self.within_year)

    @property
    def completeness(self) -> float | None:
        """Registered so far over expected births; may pass 1 (an estimate is an estimate)."""
        return self._share(self.registered)


@dataclass(frozen=True)
class CompletenessReport:
    level: GroupLevel
    year: int
    timely_days: int
    rows: list[CompletenessRow]
    #: The rows that have an estimate, added up (None when no row has one).
    totals: CompletenessRow | None
    #: The legal period in calendar months, when the profile counts it so (else in days).
    timely_months: int | None = None

    @property
    def estimated_rows(self) -> list[CompletenessRow]:
        return [row for row in self.rows if row.expected is not None]


def estimate_years(*, actor: User) -> list[int]:
    """Years with an estimate of expected births inside the actor's scope, latest first."""
    authorise(actor, Action.DASHBOARD_VIEW, None)
    return list(
        BirthEstimate.objects.filter(_scoped(actor, "jurisdiction__path"))
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    )


def birth_registration_completeness(
    *, actor: User, level: GroupLevel, year: int
) -> CompletenessReport:
    """Births of `year` per state or municipality inside the actor's scope, as registered so
    far, within the legal period (the profile's deadline) and within a year, each
    against the births expected there that year.

    Births count where they were registered (the office's municipality or state), as in the
    timeliness report; an imported birth, at the office its legacy row names. An estimate
    covers a whole jurisdiction, so it is shown only where the actor's scope covers the whole
    of it: an office head sees their office's births, with no estimate for the municipality.
    """
    authorise(actor, Action.DASHBOARD_VIEW, None)
    if level not in _GROUP_FIELD:
        raise ValueError(f"unknown level {level!r}")
    rules = current_profile().registration
    sources = _born_in(_registered_births(actor), year)

    def counts(born: str) -> dict[str, Aggregate]:
        return {
            "registered": Count("pk"),
            "timely": _count_when(Q(registered_on__lte=_deadline(born, rules))),
            "within_year": _count_when(Q(registered_on__lte=_after(born, YEAR_DAYS))),
        }

    counted = _counted_by_place(sources, level, counts)
    estimates = {
        e["place"]: e
        for e in BirthEstimate.objects.filter(
            _scoped(actor, "jurisdiction__path"),
            year=year,
            jurisdiction__level=_LEVEL[level],
        ).values(
            "expected_births",
            "source",
            place=F("jurisdiction_id"),
            code=F("jurisdiction__official_code"),
            name=F("jurisdiction__name"),
        )
    }
    rows: list[CompletenessRow] = []
    for place, row in counted.items():
        estimate = estimates.pop(place, None)
        rows.append(
            CompletenessRow(
                code=str(row["code"] or ""),
                name=str(row["name"] or ""),
                registered=row["registered"],
                timely=row["timely"],
                within_year=row["within_year"],
                expected=None if estimate is None else int(estimate["expected_births"]),
                source="" if estimate is None else str(estimate["source"]),
            )
        )
    # Jurisdictions with an estimate and not one registered birth: the least complete of all.
    rows.extend(
        CompletenessRow(
            code=str(e["code"]),
            name=str(e["name"]),
            registered=0,
            timely=0,
            within_year=0,
            expected=int(e["expected_births"]),
            source=str(e["source"]),
        )
        for e in estimates.values()
    )
    rows.sort(key=lambda row: (row.code, row.name))
    estimated = [row for row in rows if row.expected is not None]
    totals = (
        CompletenessRow(
            code="",
            name="",
            registered=sum(r.registered for r in estimated),
            timely=sum(r.timely for r in estimated),
            within_year=sum(r.within_year for r in estimated),
            expected=sum(r.expected or 0 for r in estimated),
        )
        if estimated
        else None
    )
    return CompletenessReport(
        level=level,
        year=year,
        timely_days=rules.birth_timely_days,
        timely_months=rules.birth_timely_months,
        rows=rows,
        totals=totals,
    )
