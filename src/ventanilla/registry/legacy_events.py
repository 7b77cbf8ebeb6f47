"""Legacy marriages, divorces, recognitions and adoptions: checked row by row, written in bulk.

`registry.legacy` reads the file, runs the batches and imports births and deaths; it hands
the rows of these four event types to this module. Each accepted row becomes a registered
`VitalRecord` whose action log folds to "registered" (create, declare, register), written
as `seed_population` writes marriages, with the effect registering the event online has on
the population register (`people.apply_registration`):

* marriage: a `Union` of the two spouses;
* divorce: the union of the named marriage is dissolved on the divorce date;
* recognition and adoption: a `ParentLink` of that kind from each parent to the child.

Each record carries ``source_reference = "LEG-<event type>-<legacy_id>"`` and its register
action keeps the legacy row as read, so a row imported before is recognised: skipped when its
data are the same, refused otherwise. Rules that need the register see what is committed
plus what earlier rows of the file accepted (in this batch or in a batch still being written).
A batch is written under the lock online registration takes on the persons it changes, and
checked again under it: what another import or a registration changed meanwhile makes the
batch conflict and be prepared again (`EventBatch._lock_and_recheck`). Its rows take effect
in file order, as registering them one by one would: the result does not depend on the batch
size.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import uuid
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, TypeAlias

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from ventanilla.core.access import log_access
from ventanilla.core.jurisdictions import ensure_office
from ventanilla.core.models import AccessKind, Jurisdiction
from ventanilla.core.profiles import CountryProfile, FieldSpec, load_profile
from ventanilla.registry import events
from ventanilla.registry.bulk import ACTION_COLUMNS, RECORD_COLUMNS, BulkWriter, uuid7
from ventanilla.registry.legacy import (
    LEGACY_PREFIX,
    MAX_LEGACY_ID,
    MAX_TEXT,
    RowError,
    ValidationContext,
    _Checker,
    _Importer,
    _Prepared,
    _years,
    legacy_reference,
)
from ventanilla.registry.models import (
    ParentKind,
    ParentLink,
    Person,
    PersonParticipation,
    PersonStatus,
    RecordAction,
    RecordStatus,
    RegistrationCounter,
    Union,
    VitalRecord,
)
from ventanilla.registry.people import adoption_ends_prior_parentage, end_prior_parentage

__all__ = [
    "EVENT_TYPES",
    "AdoptionRow",
    "DivorceRow",
    "EventBatch",
    "EventRow",
    "MarriageRow",
    "RecognitionRow",
    "legacy_values",
    "prepare_events",
    "record_reference",
    "validate_event_row",
]

#: The event types this module imports.
EVENT_TYPES: Final = ("marriage", "divorce", "recognition", "adoption")

_CHUNK: Final = 5000

# --------------------------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MarriageRow:
    legacy_id: str
    spouse_a_legacy_id: str
    spouse_b_legacy_id: str
    marriage_date: dt.date
    marriage_state: str
    marriage_municipality: str
    property_regime: str  # "" where the profile's form has no such field
    registered_on: dt.date
    office_code: str


@dataclass(frozen=True, slots=True)
class DivorceRow:
    legacy_id: str
    marriage_legacy_id: str
    divorce_date: dt.date
    divorce_kind: str
    court_order_number: str
    divorce_municipality: str
    registered_on: dt.date
    office_code: str


@dataclass(frozen=True, slots=True)
class RecognitionRow:
    legacy_id: str
    child_legacy_id: str
    parent_legacy_id: str
    recognition_date: dt.date
    recognition_kind: str
    recognition_municipality: str
    registered_on: dt.date
    office_code: str


@dataclass(frozen=True, slots=True)
class AdoptionRow:
    legacy_id: str
    child_legacy_id: str
    parent_a_legacy_id: str
    parent_b_legacy_id: str
    adoption_date: dt.date
    adoption_kind: str
    court_order_number: str
    adoption_municipality: str
    registered_on: dt.date
    office_code: str


EventRow: TypeAlias = MarriageRow | DivorceRow | RecognitionRow | AdoptionRow


def record_reference(event_type: str, legacy_id: str) -> str:
    """``VitalRecord.source_reference`` of the record imported from legacy row `legacy_id`."""
    return f"{LEGACY_PREFIX}{event_type}-{legacy_id}"


def legacy_values(row: EventRow) -> dict[str, str]:
    """The row as read (dates in ISO form): kept with the record to recognise it later."""
    values: dict[str, str] = {}
    for f in dataclasses.fields(row):
        value = getattr(row, f.name)
        values[f.name] = value.isoformat() if isinstance(value, dt.date) else str(value)
    return values


# --------------------------------------------------------------------------------------------
# Validating rows (pure: no database)
# --------------------------------------------------------------------------------------------


@functools.cache
def _form_field(profile_code: str, event_type: str, name: str) -> FieldSpec | None:
    try:
        return load_profile(profile_code).event_type(event_type).field_spec(name)
    except KeyError:
        return None


def _detail(check: _Checker, event_type: str, name: str) -> str:
    """A column that is a field of the profile's form for this event: required, choices and
    length as the form has them; it must stay empty where the form has no such field."""
    spec = _form_field(check.ctx.profile_code, event_type, name)
    if spec is None:
        if check.text(name, required=False):
            check.fail(name, "not_in_profile")
        return ""
    value = check.text(name, required=spec.required, limit=spec.max_length or MAX_TEXT)
    if value and spec.choices:
        # Codes are matched whatever their case, and stored as the profile writes them.
        choice = {c.lower(): c for c in spec.choices}.get(value.lower())
        if choice is None:
            check.fail(name, "invalid_choice")
            return ""
        return choice
    return value


def _municipality(check: _Checker, name: str) -> str:
    """An optional municipality code (these forms name no state)."""
    value = check.text(name, required=False, limit=12)
    if value and value not in check.ctx.municipalities:
        check.fail(name, "unknown_municipality")
        return ""
    return value


def _reference(check: _Checker, name: str, *, required: bool = True) -> str:
    return check.text(name, required=required, limit=MAX_LEGACY_ID)


def _registered(check: _Checker, event_date: dt.date | None) -> dt.date | None:
    registered = check.date("registered_on")
    if registered and event_date and registered < event_date:
        check.fail("registered_on", "registered_before_event")
    return registered


def validate_marriage_row(
    cells: dict[str, str], ctx: ValidationContext
) -> MarriageRow | list[RowError]:
    """A typed marriage row, or every error found in it. Never raises."""
    check = _Checker(cells, ctx)
    legacy_id = check.text("legacy_id", required=True, limit=MAX_LEGACY_ID)
    spouse_a = _reference(check, "spouse_a_legacy_id")
    spouse_b = _reference(check, "spouse_b_legacy_id")
    if spouse_a and spouse_a == spouse_b:
        check.fail("spouse_b_legacy_id", "same_person")
    married = check.date("marriage_date")
    state, municipality = check.place("marriage_state", "marriage_municipality")
    regime = _detail(check, "marriage", "property_regime")
    registered = _registered(check, married)
    office = check.office("office_code")
    if check.errors:
        return check.errors
    assert married is not None
    assert registered is not None
    return MarriageRow(
        legacy_id=legacy_id,
        spouse_a_legacy_id=spouse_a,
        spouse_b_legacy_id=spouse_b,
        marriage_date=married,
        marriage_state=state,
        marriage_municipality=municipality,
        property_regime=regime,
        registered_on=registered,
        office_code=office,
    )


def validate_divorce_row(
    cells: dict[str, str], ctx: ValidationContext
) -> DivorceRow | list[RowError]:
    """A typed divorce row, or every error found in it. Never raises."""
    check = _Checker(cells, ctx)
    legacy_id = check.text("legacy_id", required=True, limit=MAX_LEGACY_ID)
    marriage = _reference(check, "marriage_legacy_id")
    divorced = check.date("divorce_date")
    kind = _detail(check, "divorce", "divorce_kind")
    court_order = _detail(check, "divorce", "court_order_number")
    municipality = _municipality(check, "divorce_municipality")
    registered = _registered(check, divorced)
    office = check.office("office_code")
    if check.errors:
        return check.errors
    assert divorced is not None
    assert registered is not None
    return DivorceRow(
        legacy_id=legacy_id,
        marriage_legacy_id=marriage,
        divorce_date=divorced,
        divorce_kind=kind,
        court_order_number=court_order,
        divorce_municipality=municipality,
        registered_on=registered,
        office_code=office,
    )


def validate_recognition_row(
    cells: dict[str, str], ctx: ValidationContext
) -> RecognitionRow | list[RowError]:
    """A typed recognition row, or every error found in it. Never raises."""
    check = _Checker(cells, ctx)
    legacy_id = check.text("legacy_id", required=True, limit=MAX_LEGACY_ID)
    child = _reference(check, "child_legacy_id")
    parent = _reference(check, "parent_legacy_id")
    if parent and parent == child:
        check.fail("parent_legacy_id", "self_reference")
    recognised = check.date("recognition_date")
    kind = _detail(check, "recognition", "recognition_kind")
    municipality = _municipality(check, "recognition_municipality")
    registered = _registered(check, recognised)
    office = check.office("office_code")
    if check.errors:
        return check.errors
    assert recognised is not None
    assert registered is not None
    return RecognitionRow(
        legacy_id=legacy_id,
        child_legacy_id=child,
        parent_legacy_id=parent,
        recognition_date=recognised,
        recognition_kind=kind,
        recognition_municipality=municipality,
        registered_on=registered,
        office_code=office,
    )


def validate_adoption_row(
    cells: dict[str, str], ctx: ValidationContext
) -> AdoptionRow | list[RowError]:
    """A typed adoption row, or every error found in it. Never raises."""
    check = _Checker(cells, ctx)
    legacy_id = check.text("legacy_id", required=True, limit=MAX_LEGACY_ID)
    child = _reference(check, "child_legacy_id")
    parent_a = _reference(check, "parent_a_legacy_id")
    parent_b = _reference(check, "parent_b_legacy_id", required=False)
    for name, value in (("parent_a_legacy_id", parent_a), ("parent_b_legacy_id", parent_b)):
        if value and value == child:
            check.fail(name, "self_reference")
    if parent_b and parent_b == parent_a and parent_b != child:
        check.fail("parent_b_legacy_id", "same_person")
    adopted = check.date("adoption_date")
    kind = _detail(check, "adoption", "adoption_kind")
    court_order = _detail(check, "adoption", "court_order_number")
    municipality = _municipality(check, "adoption_municipality")
    registered = _registered(check, adopted)
    office = check.office("office_code")
    if check.errors:
        return check.errors
    assert adopted is not None
    assert registered is not None
    return AdoptionRow(
        legacy_id=legacy_id,
        child_legacy_id=child,
        parent_a_legacy_id=parent_a,
        parent_b_legacy_id=parent_b,
        adoption_date=adopted,
        adoption_kind=kind,
        court_order_number=court_order,
        adoption_municipality=municipality,
        registered_on=registered,
        office_code=office,
    )


def validate_event_row(
    event_type: str, cells: dict[str, str], ctx: ValidationContext
) -> EventRow | list[RowError]:
    """Validate the named cells of a marriage, divorce, recognition or adoption row."""
    if event_type == "marriage":
        return validate_marriage_row(cells, ctx)
    if event_type == "divorce":
        return validate_divorce_row(cells, ctx)
    if event_type == "recognition":
        return validate_recognition_row(cells, ctx)
    if event_type == "adoption":
        return validate_adoption_row(cells, ctx)
    raise ValueError(f"not an event type of this module: {event_type!r}")


# --------------------------------------------------------------------------------------------
# What the register knows
# --------------------------------------------------------------------------------------------


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


@dataclass(frozen=True, slots=True)
class _Person:
    id: uuid.UUID
    birth_date: dt.date | None
    status: str
    death_date: dt.date | None
    jurisdiction_id: int
    sex: str


_PERSON_FIELDS: Final = ("id", "birth_date", "status", "death_date", "jurisdiction_id", "sex")


def _persons(references: Collection[str]) -> dict[str, _Person]:
    """The persons with these source references (revoked ones included)."""
    found: dict[str, _Person] = {}
    for chunk in _chunks(sorted(references)):
        # The exclusion is the partial unique index's own predicate, so PostgreSQL uses it.
        rows = (
            Person.objects.filter(source_reference__in=chunk)
            .exclude(source_reference="")
            .values_list("source_reference", *_PERSON_FIELDS)
        )
        for reference, *values in rows:
            found[reference] = _Person(*values)
    return found


def _persons_by_id(ids: Collection[uuid.UUID]) -> dict[uuid.UUID, _Person]:
    found: dict[uuid.UUID, _Person] = {}
    for chunk in _chunks(sorted(ids)):
        for values in Person.objects.filter(pk__in=chunk).values_list(*_PERSON_FIELDS):
            person = _Person(*values)
            found[person.id] = person
    return found


def _imported(references: Collection[str]) -> dict[str, dict[str, Any] | None]:
    """The legacy row each record already imported under one of `references` was read from."""
    ids: dict[uuid.UUID, str] = {}
    for chunk in _chunks(sorted(references)):
        ids.update(
            (pk, reference)
            for reference, pk in VitalRecord.objects.filter(source_reference__in=chunk)
            .exclude(source_reference="")
            .values_list("source_reference", "id")
        )
    found: dict[str, dict[str, Any] | None] = dict.fromkeys(ids.values())
    for chunk in _chunks(sorted(ids)):
        actions = RecordAction.objects.filter(record_id__in=chunk, action="register")
        for record_id, payload in actions.values_list("record_id", "payload"):
            row = payload.get("legacy_row") if isinstance(payload, dict) else None
            found[ids[record_id]] = row if isinstance(row, dict) else None
    return found


@dataclass(frozen=True, slots=True)
class _Span:
    """A marriage as the overlap check sees it: from `start` until `end` (exclusive; the
    divorce or the first death), or still open (`end` None)."""

    record_id: uuid.UUID
    spouses: tuple[uuid.UUID, uuid.UUID]
    start: dt.date
    end: dt.date | None


def _earliest(*days: dt.date | None) -> dt.date | None:
    known = [d for d in days if d is not None]
    return min(known) if known else None


def _spans_of(person_ids: Collection[uuid.UUID]) -> list[_Span]:
    """Every union (marriage) in the register of one of these persons."""
    spans: list[_Span] = []
    ids = sorted(person_ids)
    for chunk in _chunks(ids):
        rows = Union.objects.filter(Q(spouse_a_id__in=chunk) | Q(spouse_b_id__in=chunk))
        for record, a, b, married, dissolved, a_died, b_died in rows.values_list(
            "marriage_record_id",
            "spouse_a_id",
            "spouse_b_id",
            "married_on",
            "dissolved_on",
            "spouse_a__death_date",
            "spouse_b__death_date",
        ):
            spans.append(_Span(record, (a, b), married, _earliest(dissolved, a_died, b_died)))
    return spans


@dataclass(frozen=True, slots=True)
class _Marriage:
    """A registered marriage record and its union, as a divorce needs it."""

    record_id: uuid.UUID
    status: str
    number: str
    office_id: int
    union_id: int | None = None
    spouse_a: uuid.UUID | None = None
    spouse_b: uuid.UUID | None = None
    married_on: dt.date | None = None
    dissolved_on: dt.date | None = None


def _marriages(references: Collection[str]) -> dict[str, _Marriage]:
    found: dict[str, _Marriage] = {}
    for chunk in _chunks(sorted(references)):
        records = (
            VitalRecord.objects.filter(source_reference__in=chunk, event_type="marriage")
            .exclude(source_reference="")
            .values_list("source_reference", "id", "status", "registration_number", "office_id")
        )
        for reference, pk, status, number, office in records:
            found[reference] = _Marriage(pk, status, number or "", office)
    by_record = {m.record_id: reference for reference, m in found.items()}
    for chunk in _chunks(sorted(by_record)):
        unions = Union.objects.filter(marriage_record_id__in=chunk).values_list(
            "marriage_record_id", "id", "spouse_a_id", "spouse_b_id", "married_on", "dissolved_on"
        )
        for record, union, a, b, married, dissolved in unions:
            reference = by_record[record]
            found[reference] = dataclasses.replace(
                found[reference],
                union_id=union,
                spouse_a=a,
                spouse_b=b,
                married_on=married,
                dissolved_on=dissolved,
            )
    return found


_Pair: TypeAlias = tuple[uuid.UUID, uuid.UUID]  # (child, parent)


def _links(kind: ParentKind, child_ids: Collection[uuid.UUID]) -> dict[_Pair, dt.date | None]:
    """(child, parent) -> the date of the record that made the link, for links of `kind`."""
    found: dict[_Pair, dt.date | None] = {}
    for chunk in _chunks(sorted(child_ids)):
        rows = ParentLink.objects.filter(child_id__in=chunk, kind=kind).values_list(
            "child_id", "parent_id", "record__event_date"
        )
        for child, parent, day in rows:
            found[(child, parent)] = day
    return found


# --------------------------------------------------------------------------------------------
# A prepared batch
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _NewRecord:
    id: uuid.UUID
    line: int
    reference: str
    data: dict[str, Any]
    event_date: dt.date
    registered_on: dt.date
    late: bool
    office_id: int
    subject_id: uuid.UUID
    participants: tuple[tuple[uuid.UUID, str], ...]
    legacy_row: dict[str, str]


UNION_COLUMNS: Final = (
    "married_on",
    "dissolved_on",
    "spouse_a_id",
    "spouse_b_id",
    "marriage_record_id",
)
LINK_COLUMNS: Final = ("child_id", "parent_id", "kind", "record_id")


@dataclass
class EventBatch:
    """The records of one batch and what they change; also what later batches must know
    while this one is on its way to the database."""

    run_id: int
    event_type: str
    accepted: dict[str, EventRow] = field(default_factory=dict)  # legacy ID -> row
    records: list[_NewRecord] = field(default_factory=list)
    unions: list[_Span] = field(default_factory=list)  # marriages
    dissolved: dict[int, tuple[dt.date, uuid.UUID]] = field(default_factory=dict)  # divorces
    links: dict[_Pair, dt.date] = field(default_factory=dict)  # recognitions, adoptions
    office_codes: dict[int, str] = field(default_factory=dict)
    # The persons the records change, as the checks saw them: checked again under their lock.
    persons: dict[uuid.UUID, _Person] = field(default_factory=dict)

    @property
    def imported(self) -> int:
        return len(self.records)

    @property
    def changed(self) -> list[str]:
        """The persons whose place in the register these records change."""
        return sorted({str(p) for r in self.records for p, _role in r.participants})

    def write(self, writer: BulkWriter) -> None:
        """Write the batch; call inside the batch's transaction."""
        if not self.records:
            return
        # First of all, as registering online does before it takes a registration number.
        self._lock_and_recheck(writer)
        numbers = self._numbers(writer)
        now = timezone.now()
        records: list[tuple[Any, ...]] = []
        actions: list[tuple[Any, ...]] = []
        participants: list[tuple[Any, ...]] = []
        for r in self.records:
            number = numbers[r.id]
            at = dt.datetime.combine(r.registered_on, dt.time(12), tzinfo=dt.UTC)
            records.append(
                (
                    r.id,
                    self.event_type,
                    RecordStatus.REGISTERED.value,
                    3,
                    writer.json(r.data),
                    r.event_date,
                    number,
                    at,
                    r.late,
                    False,
                    now,
                    now,
                    r.office_id,
                    r.subject_id,
                    r.reference,
                )
            )
            # The log the services would have written: create, declare, register.
            register: dict[str, Any] = {
                "registration_number": number,
                "source_reference": r.reference,
                "import_run": self.run_id,
                "row": r.line,
                "legacy_row": r.legacy_row,
            }
            log: tuple[tuple[str, RecordStatus, dict[str, Any]], ...] = (
                ("create", RecordStatus.DRAFT, {"data": r.data}),
                ("declare", RecordStatus.DECLARED, {"warnings": []}),
                ("register", RecordStatus.REGISTERED, register),
            )
            for seq, (action, status, payload) in enumerate(log, start=1):
                actions.append(
                    (
                        r.id,
                        seq,
                        action,
                        "",
                        at,
                        "",
                        "",
                        status.value,
                        writer.json(payload),
                        r.office_id,
                    )
                )
            participants.extend((r.id, person, role) for person, role in r.participants)
        writer.insert(VitalRecord, RECORD_COLUMNS, records)
        writer.insert(RecordAction, ACTION_COLUMNS, actions)
        writer.insert(PersonParticipation, ("record_id", "person_id", "role"), participants)
        writer.insert(
            Union,
            UNION_COLUMNS,
            [(s.start, None, s.spouses[0], s.spouses[1], s.record_id) for s in self.unions],
        )
        _dissolve(writer, self.dissolved)
        self._write_links(writer)
        # Every person concerned can see, like any other change, that the record arrived.
        log_access(
            actor=None,
            grant=None,
            kind=AccessKind.CHANGE,
            purpose="legacy.import",
            subject_ids=self.changed,
        )

    def _lock_and_recheck(self, writer: BulkWriter) -> None:
        """Lock the persons the records change, then make sure the register still holds what
        the batch was checked against; else raise `IntegrityError` (the batch conflicts and
        is prepared again, against the register as it is now).

        The lock is online registration's (`people._lock_changed_persons`): ``SELECT … FOR
        UPDATE`` of those persons in id order, before anything else is written. So this batch
        and an online registration, or another import, changing one person wait for each
        other and never for each other's locks: the second to get them sees what the first
        wrote (two imports marrying one woman to two men at once made her a bigamist).
        """
        ids = sorted({p for r in self.records for p, _role in r.participants})
        persons = Person.objects.using(writer.using).select_for_update()
        for chunk in _chunks(ids):
            list(persons.filter(pk__in=chunk).order_by("pk").values_list("pk", flat=True))
        now = _persons_by_id(ids)
        if any(now.get(pid) != seen for pid, seen in self.persons.items()):
            raise IntegrityError("a person of the batch changed while it was prepared")
        if self.unions:
            # The batch's own marriages were checked against each other; the register may
            # have gained others since (this batch's are not written yet).
            by_person: dict[uuid.UUID, list[_Span]] = {}
            for span in _spans_of(ids):
                for spouse in span.spouses:
                    by_person.setdefault(spouse, []).append(span)
            for new in self.unions:
                if any(_overlap(by_person.get(s, ()), new.start, new.end) for s in new.spouses):
                    raise IntegrityError("a spouse married while the batch was prepared")
        if self.links:
            present = _links(self._link_kind, {child for child, _parent in self.links})
            if any(pair in present for pair in self.links):
                raise IntegrityError("a parent link appeared while the batch was prepared")
        # Unions dissolved meanwhile: `_dissolve` finds them.

    @property
    def _link_kind(self) -> ParentKind:
        if self.event_type == "recognition":
            return ParentKind.RECOGNITION
        return ParentKind.ADOPTION

    def _write_links(self, writer: BulkWriter) -> None:
        """The recognitions' or adoptions' parent links. An adoption that ends the child's
        earlier parentage (`people.adoption_ends_prior_parentage`) ends, as registering the
        rows one by one online would, the links of the records before it in the file, not
        those of the records after it: so the result does not depend on the batch size."""
        if not self.links:
            return
        kind = self._link_kind
        # Links not written yet, by child: only a link of the same child can be ended.
        waiting: dict[uuid.UUID, list[tuple[Any, ...]]] = {}
        for r in self.records:
            parents = [p for p, role in r.participants if role == "parent"]
            if kind == ParentKind.ADOPTION and adoption_ends_prior_parentage(r.data):
                earlier = waiting.pop(r.subject_id, [])
                if earlier:
                    writer.insert(ParentLink, LINK_COLUMNS, earlier)
                end_prior_parentage(
                    record_id=r.id, child_id=r.subject_id, adopters=parents, on=r.event_date
                )
            waiting.setdefault(r.subject_id, []).extend(
                (r.subject_id, p, kind.value, r.id) for p in parents
            )
        writer.insert(ParentLink, LINK_COLUMNS, [row for rs in waiting.values() for row in rs])

    def _numbers(self, writer: BulkWriter) -> dict[uuid.UUID, str]:
        """Registration numbers from each office's yearly counter, as registering online
        gives them; the year is the year of registration."""
        groups: dict[tuple[int, int], list[_NewRecord]] = {}
        for r in self.records:
            groups.setdefault((r.office_id, r.registered_on.year), []).append(r)
        numbers: dict[uuid.UUID, str] = {}
        # Always in the same order, so that two writers never wait for each other's counters.
        for (office, year), group in sorted(groups.items()):
            last = _reserve(writer, office, year, len(group))
            code = self.office_codes[office]
            for n, r in enumerate(group, start=last - len(group) + 1):
                numbers[r.id] = f"{code}-{year}-{n:07d}"
        return numbers


def _reserve(writer: BulkWriter, office: int, year: int, count: int) -> int:
    """Take `count` numbers from a counter (held until the batch commits); the last one."""
    table = RegistrationCounter._meta.db_table
    for _attempt in range(2):
        with writer.connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET last = last + %s "  # noqa: S608 - table name from the model
                "WHERE office_id = %s AND year = %s RETURNING last",
                [count, office, year],
            )
            row = cursor.fetchone()
        if row is not None:
            return int(row[0])
        try:
            with transaction.atomic(using=writer.using):
                RegistrationCounter.objects.using(writer.using).create(
                    office_id=office, year=year, last=count
                )
        except IntegrityError:
            continue  # another registration created the counter first
        return count
    raise IntegrityError("registration counter")


def _dissolve(writer: BulkWriter, dissolved: dict[int, tuple[dt.date, uuid.UUID]]) -> None:
    """Close the unions; a union dissolved meanwhile by someone else makes the batch conflict
    (and be prepared again)."""
    if not dissolved:
        return
    items = sorted(dissolved.items())
    if writer.postgres:
        table = writer.connection.ops.quote_name(Union._meta.db_table)
        with writer.connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS u SET dissolved_on = s.day, divorce_record_id = s.record "  # noqa: S608
                "FROM unnest(%s::bigint[], %s::date[], %s::uuid[]) AS s(id, day, record) "
                "WHERE u.id = s.id AND u.dissolved_on IS NULL",
                [
                    [union for union, _v in items],
                    [day for _u, (day, _r) in items],
                    [record for _u, (_d, record) in items],
                ],
            )
            changed = cursor.rowcount
    else:
        changed = sum(
            Union.objects.using(writer.using)
            .filter(pk=union, dissolved_on__isnull=True)
            .update(dissolved_on=day, divorce_record_id=record)
            for union, (day, record) in items
        )
    if changed != len(items):
        raise IntegrityError("a union was dissolved while the batch was prepared")


# --------------------------------------------------------------------------------------------
# Preparing a batch (the rules that need the register)
# --------------------------------------------------------------------------------------------


def prepare_events(
    importer: _Importer, rows: Iterable[tuple[int, object]], out: _Prepared
) -> EventBatch:
    """Check a batch's valid rows against the register and earlier rows; rejections and
    skips go to `out`, the records to write to the returned batch."""
    return _Preparation(importer, rows, out).run()


class _Preparation:
    def __init__(
        self, importer: _Importer, rows: Iterable[tuple[int, object]], out: _Prepared
    ) -> None:
        self.importer = importer
        self.profile: CountryProfile = importer.profile
        self.event_type = importer.event_type
        self.rows: list[tuple[int, EventRow]] = [
            (line, r)
            for line, r in rows
            if isinstance(r, MarriageRow | DivorceRow | RecognitionRow | AdoptionRow)
        ]
        self.out = out
        self.batch = EventBatch(run_id=importer.run.pk, event_type=self.event_type)
        # Batches handed to the writer and maybe not committed yet, oldest first.
        self.in_flight = [p.events for p in importer.pending if p.events is not None]
        self.imported = _imported(
            {record_reference(self.event_type, r.legacy_id) for _line, r in self.rows}
        )
        self._descendants: set[uuid.UUID] | None = None

    def run(self) -> EventBatch:
        if self.event_type == "marriage":
            self._marriages()
        elif self.event_type == "divorce":
            self._divorces()
        else:
            self._parent_links()
        used = {r.office_id for r in self.batch.records}
        self.batch.office_codes = dict(
            Jurisdiction.objects.filter(pk__in=used).values_list("pk", "code")
        )
        return self.batch

    # -- shared rules ----------------------------------------------------------------------

    def _reject(self, line: int, errors: Iterable[RowError]) -> None:
        self.out.rejections.extend((line, e) for e in errors)

    def _seen(self, line: int, row: EventRow) -> bool:
        """Settle a row whose legacy ID came before (in the file or an earlier import):
        skipped if the data are the same, refused otherwise. False for a new legacy ID."""
        earlier = self.batch.accepted.get(row.legacy_id)
        for batch in reversed(self.in_flight):
            earlier = earlier or batch.accepted.get(row.legacy_id)
        if earlier is not None:
            if earlier == row:
                self.out.skipped += 1
            else:
                self._reject(line, [RowError("legacy_id", "duplicate_legacy_id")])
            return True
        reference = record_reference(self.event_type, row.legacy_id)
        if reference not in self.imported:
            return False
        if self.imported[reference] == legacy_values(row):
            self.out.skipped += 1
        else:
            self._reject(line, [RowError("legacy_id", "legacy_id_conflict")])
        return True

    def _person(
        self, name: str, legacy_id: str, persons: dict[str, _Person], errors: list[RowError]
    ) -> _Person | None:
        person = persons.get(legacy_reference(legacy_id))
        if person is None:
            errors.append(RowError(name, "unknown_person"))
            return None
        if person.status == PersonStatus.VOID:
            errors.append(RowError(name, "person_revoked"))
            return None
        return person

    def _has_descendants(self, person_id: uuid.UUID, persons: dict[str, _Person]) -> bool:
        """Whether the register knows a child of this person (asked once per batch, for the
        children of its rows who have died)."""
        if self._descendants is None:
            dead = [p.id for p in persons.values() if p.death_date is not None]
            self._descendants = set(
                ParentLink.objects.filter(parent_id__in=dead)
                .exclude(child__status=PersonStatus.VOID)
                .values_list("parent_id", flat=True)
            )
        return person_id in self._descendants

    def _office(self, code: str, municipality: str, fallback: int) -> int:
        """The office named in the row; else office 01 of the event's municipality (created if
        needed, as for births); else `fallback` (the office of the subject or the marriage)."""
        if code:
            return self.importer.offices[code]
        if not municipality:
            return fallback
        cache = self.importer.default_office
        office = cache.get(municipality)
        if office is None:
            place = Jurisdiction.objects.get(pk=self.importer.municipality_ids[municipality])
            found = Jurisdiction.objects.filter(code=f"{place.code}-O01").first()
            if found is None:
                found = ensure_office(place, 1, f"{place.name} · 01")
            office = found.pk
            cache[municipality] = office
        return office

    def _form_data(self, values: dict[str, Any]) -> dict[str, Any]:
        """The record's data: the values that are fields of the profile's form."""
        names = {f.name for f in self.profile.event_type(self.event_type).fields}
        return {k: v for k, v in values.items() if k in names and v not in (None, "")}

    def _accept(
        self,
        line: int,
        row: EventRow,
        *,
        record_id: uuid.UUID,
        values: dict[str, Any],
        event_date: dt.date,
        office: int,
        participants: Sequence[tuple[uuid.UUID, str]],
        seen: Iterable[_Person | None],
    ) -> None:
        """`seen`: the persons as the row's checks saw them (checked again when written)."""
        self.batch.accepted[row.legacy_id] = row
        self.batch.persons.update((p.id, p) for p in seen if p is not None)
        self.batch.records.append(
            _NewRecord(
                id=record_id,
                line=line,
                reference=record_reference(self.event_type, row.legacy_id),
                data=self._form_data(values),
                event_date=event_date,
                registered_on=row.registered_on,
                late=events.is_late(self.event_type, event_date, row.registered_on),
                office_id=office,
                subject_id=participants[0][0],
                participants=tuple(participants),
                legacy_row=legacy_values(row),
            )
        )

    # -- marriages -------------------------------------------------------------------------

    def _marriages(self) -> None:
        rows = [(line, r) for line, r in self.rows if isinstance(r, MarriageRow)]
        persons = _persons(
            {
                legacy_reference(x)
                for _line, r in rows
                for x in (r.spouse_a_legacy_id, r.spouse_b_legacy_id)
            }
        )
        # Each person's marriages by record: the register's, then those of earlier rows.
        spans: dict[uuid.UUID, dict[uuid.UUID, _Span]] = {}

        def add(span: _Span) -> None:
            for spouse in span.spouses:
                spans.setdefault(spouse, {})[span.record_id] = span

        for span in _spans_of({p.id for p in persons.values()}):
            add(span)
        for batch in self.in_flight:
            for span in batch.unions:
                add(span)
        min_age = self.profile.registration.min_marriage_age
        for line, r in rows:
            if self._seen(line, r):
                continue
            errors: list[RowError] = []
            spouses: list[tuple[str, _Person]] = []
            for name, legacy_id in (
                ("spouse_a_legacy_id", r.spouse_a_legacy_id),
                ("spouse_b_legacy_id", r.spouse_b_legacy_id),
            ):
                person = self._person(name, legacy_id, persons, errors)
                if person is None:
                    continue
                code = _marriage_problem(person, r.marriage_date, min_age)
                if code:
                    errors.append(RowError(name, code))
                else:
                    spouses.append((name, person))
            if errors:
                self._reject(line, errors)
                continue
            (_na, a), (_nb, b) = spouses
            # The new marriage lasts until the first death (its divorce is not known yet).
            end = _earliest(a.death_date, b.death_date)
            for name, person in spouses:
                code = _overlap(spans.get(person.id, {}).values(), r.marriage_date, end)
                if code:
                    errors.append(RowError(name, code))
            if errors:
                self._reject(line, errors)
                continue
            record_id = uuid7()
            span = _Span(record_id, (a.id, b.id), r.marriage_date, end)
            add(span)
            self.batch.unions.append(span)
            self._accept(
                line,
                r,
                record_id=record_id,
                values={
                    "spouse_a": str(a.id),
                    "spouse_b": str(b.id),
                    "marriage_date": r.marriage_date.isoformat(),
                    "marriage_state": r.marriage_state,
                    "marriage_municipality": r.marriage_municipality,
                    "property_regime": r.property_regime,
                },
                event_date=r.marriage_date,
                office=self._office(r.office_code, r.marriage_municipality, a.jurisdiction_id),
                participants=[(a.id, "subject"), (b.id, "spouse")],
                seen=(a, b),
            )

    # -- divorces --------------------------------------------------------------------------

    def _divorces(self) -> None:
        rows = [(line, r) for line, r in self.rows if isinstance(r, DivorceRow)]
        marriages = _marriages(
            {record_reference("marriage", r.marriage_legacy_id) for _l, r in rows}
        )
        spouses = _persons_by_id(
            {s for m in marriages.values() for s in (m.spouse_a, m.spouse_b) if s is not None}
        )
        # Unions dissolved by earlier rows, newest last (the register's come from `marriages`).
        dissolved: dict[int, dt.date] = {}
        for batch in self.in_flight:
            dissolved.update((union, day) for union, (day, _r) in batch.dissolved.items())
        for line, r in rows:
            if self._seen(line, r):
                continue
            m = marriages.get(record_reference("marriage", r.marriage_legacy_id))
            if m is None or m.union_id is None or m.spouse_a is None or m.spouse_b is None:
                self._reject(line, [RowError("marriage_legacy_id", "unknown_marriage")])
                continue
            if m.status != RecordStatus.REGISTERED:
                self._reject(line, [RowError("marriage_legacy_id", "marriage_revoked")])
                continue
            if m.married_on is not None and r.divorce_date < m.married_on:
                self._reject(line, [RowError("divorce_date", "divorce_before_marriage")])
                continue
            ended = dissolved.get(m.union_id) or m.dissolved_on
            if ended is not None:
                # The same divorce again (maybe under another legacy ID) changes nothing.
                if ended == r.divorce_date:
                    self.out.skipped += 1
                else:
                    self._reject(line, [RowError("divorce_date", "already_divorced")])
                continue
            a, b = spouses.get(m.spouse_a), spouses.get(m.spouse_b)
            if any(
                p is not None and p.death_date is not None and p.death_date < r.divorce_date
                for p in (a, b)
            ):
                self._reject(line, [RowError("divorce_date", "died_before_event")])
                continue
            record_id = uuid7()
            dissolved[m.union_id] = r.divorce_date
            self.batch.dissolved[m.union_id] = (r.divorce_date, record_id)
            self._accept(
                line,
                r,
                record_id=record_id,
                values={
                    "spouse_a": str(m.spouse_a),
                    "spouse_b": str(m.spouse_b),
                    "marriage_record_ref": m.number,
                    "divorce_date": r.divorce_date.isoformat(),
                    "divorce_kind": r.divorce_kind,
                    "court_order_number": r.court_order_number,
                    "divorce_municipality": r.divorce_municipality,
                },
                event_date=r.divorce_date,
                office=self._office(r.office_code, r.divorce_municipality, m.office_id),
                participants=[(m.spouse_a, "subject"), (m.spouse_b, "spouse")],
                seen=(a, b),
            )

    # -- recognitions and adoptions --------------------------------------------------------

    def _parent_links(self) -> None:
        kind = ParentKind.RECOGNITION if self.event_type == "recognition" else ParentKind.ADOPTION
        rows = [(line, _LinkRow.of(r)) for line, r in self.rows]
        persons = _persons(
            {
                legacy_reference(x)
                for _line, r in rows
                for x in (r.child, *[p for _n, p in r.parents])
            }
        )
        links = _links(kind, {p.id for p in persons.values()})
        for batch in self.in_flight:
            links.update(batch.links)
        for line, link in rows:
            r = link.row
            if self._seen(line, r):
                continue
            errors: list[RowError] = []
            child = self._person("child_legacy_id", link.child, persons, errors)
            parents: list[tuple[str, _Person]] = []
            for name, legacy_id in link.parents:
                parent = self._person(name, legacy_id, persons, errors)
                if parent is not None:
                    parents.append((name, parent))
            if child is None or errors:
                self._reject(line, errors)
                continue
            if (
                kind == ParentKind.ADOPTION
                and child.birth_date is not None
                and child.birth_date > link.date
            ):
                errors.append(RowError("child_legacy_id", "born_after_event"))
            for name, parent in parents:
                if (
                    parent.birth_date is not None
                    and child.birth_date is not None
                    and parent.birth_date >= child.birth_date
                ):
                    errors.append(RowError(name, "parent_born_after_child"))
                elif _parent_died_before(kind, link.date, child, parent):
                    errors.append(RowError(name, "died_before_event"))
            # A child who has died may still be recognised if they left descendants (Código
            # Civil Federal art. 364, 민법 §857); never adopted.
            if (
                child.death_date is not None
                and child.death_date < link.date
                and (kind == ParentKind.ADOPTION or not self._has_descendants(child.id, persons))
            ):
                errors.append(RowError("child_legacy_id", "died_before_event"))
            if errors:
                self._reject(line, errors)
                continue
            existing = {
                name: links[(child.id, parent.id)]
                for name, parent in parents
                if (child.id, parent.id) in links
            }
            if existing:
                # Every link already there from a record of the same date: the same event,
                # registered before under another number. Anything else contradicts it.
                if len(existing) == len(parents) and all(
                    day == link.date for day in existing.values()
                ):
                    self.out.skipped += 1
                else:
                    self._reject(line, [RowError(name, "link_exists") for name in existing])
                continue
            record_id = uuid7()
            for _name, parent in parents:
                links[(child.id, parent.id)] = link.date
                self.batch.links[(child.id, parent.id)] = link.date
            office = self._office(r.office_code, link.municipality, child.jurisdiction_id)
            self._accept(
                line,
                r,
                record_id=record_id,
                values=link.values(child.id, [p.id for _n, p in parents]),
                event_date=link.date,
                office=office,
                participants=[(child.id, "subject"), *[(p.id, "parent") for _n, p in parents]],
                seen=(child, *[p for _n, p in parents]),
            )


@dataclass(frozen=True, slots=True)
class _LinkRow:
    """A recognition or an adoption row, seen the same way."""

    row: RecognitionRow | AdoptionRow
    child: str
    parents: tuple[tuple[str, str], ...]  # (column, legacy ID) of each parent named
    date: dt.date
    municipality: str

    @classmethod
    def of(cls, row: EventRow) -> _LinkRow:
        if isinstance(row, RecognitionRow):
            return cls(
                row,
                row.child_legacy_id,
                (("parent_legacy_id", row.parent_legacy_id),),
                row.recognition_date,
                row.recognition_municipality,
            )
        assert isinstance(row, AdoptionRow)
        parents = [("parent_a_legacy_id", row.parent_a_legacy_id)]
        if row.parent_b_legacy_id:
            parents.append(("parent_b_legacy_id", row.parent_b_legacy_id))
        return cls(
            row, row.child_legacy_id, tuple(parents), row.adoption_date, row.adoption_municipality
        )

    def values(self, child: uuid.UUID, parents: Sequence[uuid.UUID]) -> dict[str, Any]:
        r = self.row
        if isinstance(r, RecognitionRow):
            return {
                "child": str(child),
                "recognising_parent": str(parents[0]),
                "recognition_date": r.recognition_date.isoformat(),
                "recognition_kind": r.recognition_kind,
                "recognition_municipality": r.recognition_municipality,
            }
        return {
            "child": str(child),
            "adoptive_parent_a": str(parents[0]),
            "adoptive_parent_b": str(parents[1]) if len(parents) > 1 else "",
            "adoption_date": r.adoption_date.isoformat(),
            "adoption_kind": r.adoption_kind,
            "court_order_number": r.court_order_number,
            "adoption_municipality": r.adoption_municipality,
        }


def _marriage_problem(person: _Person, married: dt.date, min_age: int) -> str:
    """Why this person could not marry on that date ("" if they could)."""
    if person.birth_date is not None and person.birth_date > married:
        return "born_after_event"
    if person.death_date is not None and person.death_date < married:
        return "died_before_event"
    if min_age and person.birth_date is not None and _years(person.birth_date, married) < min_age:
        return "under_marriage_age"
    return ""


#: The longest a man's child is born after his death (the presumption of 민법 §844 and of the
#: Código Civil Federal, art. 324).
_POSTHUMOUS_BIRTH: Final = dt.timedelta(days=300)


def _parent_died_before(
    kind: ParentKind, event_date: dt.date, child: _Person, parent: _Person
) -> bool:
    """Whether `parent` had died too early for this recognition or adoption.

    No one adopts after their death. A child can be recognised after the parent's death, by
    will or by a court (민법 §859, §864; Código Civil Federal arts. 369, 388), but only a
    child the parent could have had: born before the mother's death, or at most 300 days
    after the father's.
    """
    died = parent.death_date
    if died is None or died >= event_date:
        return False
    if kind == ParentKind.ADOPTION:
        return True
    if child.birth_date is None:
        return False
    grace = dt.timedelta(0) if parent.sex == "F" else _POSTHUMOUS_BIRTH
    return child.birth_date > died + grace


def _overlap(spans: Iterable[_Span], start: dt.date, end: dt.date | None) -> str:
    """Whether a marriage from `start` to `end` (None: open) overlaps another one: open on
    that date (``already_married``), or a later one it would still be open for."""
    later = False
    for span in spans:
        if span.end is not None and (span.end <= start or span.end <= span.start):
            continue  # ended (divorce or death) by then, or revoked (it never lasted)
        if span.start <= start:
            return "already_married"
        if end is None or span.start < end:
            later = True
    return "overlapping_marriage" if later else ""
