"""Write a synthetic population (see `registry.synthetic`) straight into the register, in bulk.

``seed_population --size N --seed S [--skip-existing] [--duplicates-fraction F]
[--truth-file PATH]``

Persons, their national IDs, parent links, marriages and divorces (with their registered
records), deaths and duplicate-lookup keys are written a batch at a time, in one transaction
per batch, with ``COPY`` on PostgreSQL and ``bulk_create`` elsewhere; no service is called
per person, and nothing is written to the access log (nobody read these persons).

Every synthetic person carries ``source_reference = "SYN-<seed>-<n>"``. Batches are committed
in stream order, so the persons of a seed already in the register are always the first ones:
a second run with the same seed continues where the first stopped, or does nothing. With
``--skip-existing`` a run does nothing at all once any person of the seed exists.

The near-duplicate declarations of the population are declared through
`services.record_declare` (so they wait in the review queue with their duplicate flags) when
the population is small enough for a demo (at most 20 000 persons); larger populations only
write them to the truth file, for benchmarks.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import time
import uuid
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, TextIO

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.core.country import current_profile
from ventanilla.core.errors import DomainError
from ventanilla.core.jurisdictions import ensure_country, ensure_office, import_municipalities
from ventanilla.core.models import Jurisdiction, JurisdictionLevel, Role, RoleAssignment, User
from ventanilla.core.profiles import CountryProfile, demo_municipalities
from ventanilla.core.progress import progress as show_progress
from ventanilla.registry import identity, services
from ventanilla.registry.bulk import (
    ACTION_COLUMNS,
    PERSON_COLUMNS,
    RECORD_COLUMNS,
    BulkWriter,
    Unassigned,
    WritePipeline,
    allocate_national_ids,
    settle_register,
    taken_national_ids,
)
from ventanilla.registry.idschemes import IdSubject
from ventanilla.registry.matching import MatchRecord, blocking_keys
from ventanilla.registry.models import (
    ParentKind,
    ParentLink,
    Person,
    PersonMatchKey,
    PersonParticipation,
    PersonSource,
    PersonStatus,
    RecordAction,
    Union,
    VitalRecord,
)
from ventanilla.registry.people import search_name
from ventanilla.registry.synthetic import (
    DEFAULT_DUPLICATES_FRACTION,
    NearDuplicate,
    SyntheticPerson,
    SyntheticUnion,
    generate,
    person_reference,
    record_uuid,
)

#: Populations up to this size get their near-duplicates declared through the services.
DECLARE_LIMIT: Final = 20_000
BATCH: Final = 5000
#: A family never spans more persons than this, so parents are always this close.
_RECENT: Final = 1000

UNION_COLUMNS: Final = (
    "married_on",
    "dissolved_on",
    "spouse_a_id",
    "spouse_b_id",
    "marriage_record_id",
    "divorce_record_id",
)
TRUTH_COLUMNS: Final = (
    "duplicate_reference",
    "original_reference",
    "original_person_id",
    "kinds",
    "record_id",
    "given_names",
    "first_surname",
    "second_surname",
    "sex",
    "birth_date",
    "birth_state",
    "birth_municipality",
)


@dataclass
class SeedOutcome:
    seed: int
    size: int
    existing: int = 0
    persons: int = 0
    unions: int = 0
    duplicates: int = 0
    declared: int = 0
    not_declared: int = 0
    seconds: float = 0.0
    skipped: bool = False
    truth_rows: int = 0
    errors: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Places:
    """Jurisdiction ids by official municipality code: the municipality and its office 01."""

    municipality: dict[str, int]
    office: dict[str, int]
    office_code: dict[str, str]


def prepare_places(profile: CountryProfile) -> Places:
    """The country, its demo municipalities and one registry office in each (created once)."""
    catalogue = demo_municipalities(profile.code)
    existing = set(
        Jurisdiction.objects.filter(level=JurisdictionLevel.MUNICIPALITY).values_list(
            "official_code", flat=True
        )
    )
    if not Jurisdiction.objects.filter(code=profile.country_iso).exists():
        ensure_country(profile)
    missing = [m for m in catalogue if m.code not in existing]
    if missing:
        import_municipalities(profile, missing)
    municipalities = {
        j.official_code: j
        for j in Jurisdiction.objects.filter(
            level=JurisdictionLevel.MUNICIPALITY, official_code__in=[m.code for m in catalogue]
        )
    }
    offices = {
        j.code: j
        for j in Jurisdiction.objects.filter(
            level=JurisdictionLevel.OFFICE,
            code__in=[f"{m.code}-O01" for m in municipalities.values()],
        )
    }
    office: dict[str, int] = {}
    office_code: dict[str, str] = {}
    for code, municipality in municipalities.items():
        found = offices.get(f"{municipality.code}-O01")
        if found is None:
            found = ensure_office(municipality, 1, f"{municipality.name} · 01")
        office[code] = found.pk
        office_code[code] = found.code
    return Places(
        municipality={code: j.pk for code, j in municipalities.items()},
        office=office,
        office_code=office_code,
    )


def existing_count(seed: int) -> int:
    """How many persons of `seed` are in the register (they are always the first ones)."""

    def exists(n: int) -> bool:
        return Person.objects.filter(source_reference=person_reference(seed, n)).exists()

    if not exists(0):
        return 0
    low, high = 0, 1
    while exists(high):
        low, high = high, high * 2
    while high - low > 1:  # exists(low) and not exists(high)
        middle = (low + high) // 2
        if exists(middle):
            low = middle
        else:
            high = middle
    return high


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def _form_data(profile: CountryProfile, event_type: str, known: dict[str, Any]) -> dict[str, Any]:
    """`known` restricted to the profile's form, plus the first option of required choices."""
    spec = profile.event_type(event_type)
    data: dict[str, Any] = {}
    for f in spec.fields:
        if f.name in known and known[f.name] not in (None, ""):
            data[f.name] = known[f.name]
        elif f.required and f.type == "choice" and f.choices:
            data[f.name] = f.choices[0]
        elif f.required and f.type == "bool":
            data[f.name] = False
    return data


class _Writer:
    """Buffers one batch of the stream and writes it in one transaction."""

    def __init__(
        self, profile: CountryProfile, places: Places, seed: int, pipeline: WritePipeline
    ) -> None:
        self.profile = profile
        self.places = places
        self.seed = seed
        self.scheme = identity.scheme()
        self.bulk = BulkWriter()
        self.pipeline = pipeline
        self.persons: list[SyntheticPerson] = []
        self.unions: list[SyntheticUnion] = []
        self.recent: dict[int, SyntheticPerson] = {}
        self.errors: dict[str, int] = {}
        # National IDs of the batches handed to the writer and maybe not committed yet.
        self.in_flight: deque[set[str]] = deque(maxlen=pipeline.depth + 1)

    def remember(self, person: SyntheticPerson) -> None:
        """Keep the persons the pending batch may refer to (parents and spouses)."""
        self.recent[person.n] = person
        if len(self.recent) > len(self.persons) + 4 * _RECENT:
            oldest = self.persons[0].n if self.persons else person.n
            floor = oldest - _RECENT
            self.recent = {n: p for n, p in self.recent.items() if n >= floor}

    def _subject(self, p: SyntheticPerson) -> IdSubject | None:
        try:
            state = self.profile.state(p.birth_state).id_code
        except KeyError:
            return None
        return IdSubject(
            given_names=p.given_names,
            first_surname=p.first_surname,
            second_surname=p.second_surname,
            birth_date=p.birth_date,
            sex=p.sex,
            birth_state=state,
        )

    def _parent_names(self, p: SyntheticPerson) -> tuple[str, str]:
        # Filed by the parent's sex, as `dedup` does when it stores keys for a person.
        slots = ["", ""]
        for n in (p.mother, p.father):
            parent = self.recent.get(n) if n is not None else None
            if parent is not None:
                slots[0 if parent.sex == "F" else 1] = parent.full_name
        return slots[0], slots[1]

    def flush(self) -> None:
        if not self.persons and not self.unions:
            return
        ids = allocate_national_ids(
            [self._subject(p) for p in self.persons],
            self.scheme,
            taken_national_ids,
            set().union(*self.in_flight),
        )
        self.in_flight.append({i for i in ids if isinstance(i, str)})
        now = timezone.now()
        person_rows: list[tuple[Any, ...]] = []
        link_rows: list[tuple[Any, ...]] = []
        key_rows: list[tuple[Any, ...]] = []
        for p, national_id in zip(self.persons, ids, strict=True):
            if isinstance(national_id, Unassigned):
                self.errors[national_id.code] = self.errors.get(national_id.code, 0) + 1
            person_rows.append(
                (
                    p.id,
                    None if isinstance(national_id, Unassigned) else national_id,
                    p.given_names,
                    p.first_surname,
                    p.second_surname,
                    p.romanised_name,
                    p.sex,
                    p.birth_date,
                    self.places.municipality[p.birth_municipality],
                    self.places.office[p.birth_municipality],
                    PersonStatus.DECEASED.value if p.death_date else PersonStatus.ALIVE.value,
                    p.death_date,
                    PersonSource.IMPORT.value,
                    p.reference,
                    search_name(p.given_names, p.first_surname, p.second_surname),
                    now,
                    None,  # synthetic persons carry no registration date
                )
            )
            for parent in (p.mother, p.father):
                if parent is not None:
                    link_rows.append((p.id, self.recent[parent].id, ParentKind.BIRTH.value))
            mother, father = self._parent_names(p)
            keys = blocking_keys(
                MatchRecord(
                    id=str(p.id),
                    given_names=p.given_names,
                    first_surname=p.first_surname,
                    second_surname=p.second_surname,
                    birth_date=p.birth_date,
                    sex=p.sex,
                    place_code=p.birth_municipality,
                    mother_name=mother,
                    father_name=father,
                )
            )
            key_rows.extend((key, p.id) for key in sorted(keys))
        records, actions, participants, union_rows = self._union_rows(now)
        tables: list[tuple[type[Model], Sequence[str], list[tuple[Any, ...]]]] = [
            (Person, PERSON_COLUMNS, person_rows),
            (ParentLink, ("child_id", "parent_id", "kind"), link_rows),
            (VitalRecord, RECORD_COLUMNS, records),
            (RecordAction, ACTION_COLUMNS, actions),
            (PersonParticipation, ("record_id", "person_id", "role"), participants),
            (Union, UNION_COLUMNS, union_rows),
            (PersonMatchKey, ("key", "person_id"), key_rows),
        ]
        self.pipeline.submit(functools.partial(self._write, tables))
        self.persons = []
        self.unions = []

    def _write(
        self, tables: list[tuple[type[Model], Sequence[str], list[tuple[Any, ...]]]]
    ) -> None:
        """One batch, in one transaction (on the writer thread when there is one)."""
        with transaction.atomic():
            self.bulk.begin_batch()
            for model, columns, rows in tables:
                self.bulk.insert(model, columns, rows)

    def _union_rows(
        self, now: dt.datetime
    ) -> tuple[
        list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]
    ]:
        records: list[tuple[Any, ...]] = []
        actions: list[tuple[Any, ...]] = []
        participants: list[tuple[Any, ...]] = []
        unions: list[tuple[Any, ...]] = []
        for u in self.unions:
            a, b = self.recent[u.spouse_a], self.recent[u.spouse_b]
            office = self.places.office[u.municipality]
            marriage_id = record_uuid(self.seed, "marriage", u.n)
            marriage_number = f"SYN-{self.seed}-M{u.n}"
            marriage = _form_data(
                self.profile,
                "marriage",
                {
                    "spouse_a": str(a.id),
                    "spouse_b": str(b.id),
                    "marriage_date": u.married_on.isoformat(),
                    "marriage_state": u.state,
                    "marriage_municipality": u.municipality,
                },
            )
            self._record(
                records,
                actions,
                participants,
                now,
                marriage_id,
                "marriage",
                marriage,
                u.married_on,
                marriage_number,
                office,
                a.id,
                b.id,
            )
            divorce_id: uuid.UUID | None = None
            if u.dissolved_on is not None:
                divorce_id = record_uuid(self.seed, "divorce", u.n)
                divorce = _form_data(
                    self.profile,
                    "divorce",
                    {
                        "spouse_a": str(a.id),
                        "spouse_b": str(b.id),
                        "marriage_record_ref": marriage_number,
                        "divorce_date": u.dissolved_on.isoformat(),
                        "divorce_municipality": u.municipality,
                    },
                )
                self._record(
                    records,
                    actions,
                    participants,
                    now,
                    divorce_id,
                    "divorce",
                    divorce,
                    u.dissolved_on,
                    f"SYN-{self.seed}-V{u.n}",
                    office,
                    a.id,
                    b.id,
                )
            unions.append((u.married_on, u.dissolved_on, a.id, b.id, marriage_id, divorce_id))
        return records, actions, participants, unions

    def _record(
        self,
        records: list[tuple[Any, ...]],
        actions: list[tuple[Any, ...]],
        participants: list[tuple[Any, ...]],
        now: dt.datetime,
        record_id: uuid.UUID,
        event_type: str,
        data: dict[str, Any],
        day: dt.date,
        number: str,
        office: int,
        spouse_a: uuid.UUID,
        spouse_b: uuid.UUID,
    ) -> None:
        """A registered record whose action log folds to "registered" (create, declare,
        register), as if it had gone through the services on the day of the event."""
        at = _at(day)
        records.append(
            (
                record_id,
                event_type,
                "registered",
                3,
                self.bulk.json(data),
                day,
                number,
                at,
                False,
                False,
                now,
                now,
                office,
                spouse_a,
                "",  # no legacy reference: a synthetic record
            )
        )
        for seq, (action, status) in enumerate(
            (("create", "draft"), ("declare", "declared"), ("register", "registered")), start=1
        ):
            payload: dict[str, Any] = {}
            if action == "create":
                payload = {"data": data}
            elif action == "register":
                payload = {"registration_number": number, "synthetic": True}
            actions.append(
                (record_id, seq, action, "", at, "", "", status, self.bulk.json(payload), office)
            )
        participants.append((record_id, spouse_a, "subject"))
        participants.append((record_id, spouse_b, "spouse"))


def _declaration(
    profile: CountryProfile, dup: NearDuplicate, parents: dict[int, uuid.UUID]
) -> dict[str, Any]:
    known: dict[str, Any] = {
        "given_names": dup.given_names,
        "first_surname": dup.first_surname,
        "second_surname": dup.second_surname,
        "sex": dup.sex,
        "birth_date": dup.birth_date.isoformat(),
        "birth_state": dup.birth_state,
        "birth_municipality": dup.birth_municipality,
        "mother_given_names": dup.mother_given_names,
        "mother_first_surname": dup.mother_first_surname,
        "mother_second_surname": dup.mother_second_surname,
    }
    if dup.mother is not None and dup.mother in parents:
        known["mother"] = str(parents[dup.mother])
    if dup.father is not None and dup.father in parents:
        known["father"] = str(parents[dup.father])
    return _form_data(profile, "birth", known)


def declarant(seed: int, office_ids: Sequence[int]) -> User:
    """The account the synthetic declarations of `seed` are made by: it cannot sign in, and
    it may declare only at the offices given (those of the population's birthplaces)."""
    user, created = User.objects.get_or_create(username=f"synthetic-{seed}")
    if created:
        user.set_unusable_password()
        user.first_name = "Synthetic population"
        user.save()
    for office_id in sorted(set(office_ids)):
        RoleAssignment.objects.get_or_create(user=user, role=Role.AGENT, jurisdiction_id=office_id)
    return user


def _declare(
    profile: CountryProfile,
    places: Places,
    seed: int,
    duplicates: Sequence[NearDuplicate],
    outcome: SeedOutcome,
) -> dict[int, str]:
    """Declare the near-duplicates not declared yet; the record id of each declared one."""
    user = declarant(seed, [places.office[d.birth_municipality] for d in duplicates])
    done = list(
        RecordAction.objects.filter(actor=user, action="create")
        .order_by("id")
        .values_list("record_id", flat=True)
    )
    wanted = {d.original for d in duplicates} | {
        n for d in duplicates for n in (d.mother, d.father) if n is not None
    }
    parents = {
        int(ref.rsplit("-", 1)[1]): pid
        for ref, pid in Person.objects.filter(
            source_reference__in=[person_reference(seed, n) for n in sorted(wanted)]
        ).values_list("source_reference", "id")
    }
    record_of: dict[int, str] = {}
    declared = 0
    for dup in duplicates:
        if declared < len(done):
            record_of[dup.n] = str(done[declared])
            declared += 1
            continue
        try:
            record = services.record_declare(
                actor=user,
                event_type="birth",
                data=_declaration(profile, dup, parents),
                office_code=places.office_code[dup.birth_municipality],
            )
        except DomainError as exc:
            outcome.not_declared += 1
            outcome.errors[exc.code] = outcome.errors.get(exc.code, 0) + 1
            continue
        record_of[dup.n] = str(record.pk)
        declared += 1
    outcome.declared = declared
    return record_of


def _truth_row(dup: NearDuplicate, record_id: str) -> list[str]:
    return [
        dup.reference,
        dup.original_reference,
        str(dup.original_id),
        "+".join(dup.kinds),
        record_id,
        dup.given_names,
        dup.first_surname,
        dup.second_surname,
        dup.sex,
        dup.birth_date.isoformat(),
        dup.birth_state,
        dup.birth_municipality,
    ]


def seed_population(
    *,
    size: int,
    seed: int,
    duplicates_fraction: float = DEFAULT_DUPLICATES_FRACTION,
    truth_file: Path | None = None,
    skip_existing: bool = False,
    batch_size: int = BATCH,
    declare: bool | None = None,
    progress: bool | None = None,
    pipeline: bool | None = None,
) -> SeedOutcome:
    """Write the first `size` persons of `seed`'s population that are not in the register yet.

    `declare` (default: only for sizes up to :data:`DECLARE_LIMIT`) declares the
    near-duplicates through the services; otherwise they only go to `truth_file`.
    `pipeline` (default: when `WritePipeline.usable`) writes each batch on a second thread
    while the next one is generated.
    """
    started = time.perf_counter()
    profile = current_profile()
    outcome = SeedOutcome(seed=seed, size=size)
    outcome.existing = existing_count(seed)
    declaring = size <= DECLARE_LIMIT if declare is None else declare
    # Complete already, with nothing to declare or report: walking the stream again to find
    # that out would take minutes at national sizes.
    complete = outcome.existing >= size and not declaring and truth_file is None
    if (skip_existing and outcome.existing) or complete:
        outcome.skipped = True
        outcome.seconds = time.perf_counter() - started
        return outcome
    places = prepare_places(profile)
    threaded = WritePipeline.usable() if pipeline is None else pipeline
    duplicates: list[NearDuplicate] = []
    truth: TextIO | None = (
        truth_file.open("w", encoding="utf-8", newline="") if truth_file else None
    )
    truth_csv = csv.writer(truth) if truth is not None else None
    if truth_csv is not None:
        truth_csv.writerow(TRUTH_COLUMNS)
    try:
        with (
            WritePipeline(enabled=threaded) as writes,
            show_progress(
                total=size,
                initial=min(outcome.existing, size),
                unit="persons",
                desc=f"seed {seed}",
                show=progress,
            ) as bar,
        ):
            writer = _Writer(profile, places, seed, writes)
            for item in generate(
                profile.code, seed=seed, size=size, duplicates_fraction=duplicates_fraction
            ):
                if isinstance(item, SyntheticPerson):
                    writer.remember(item)
                    if item.n >= outcome.existing:
                        writer.persons.append(item)
                        outcome.persons += 1
                        if len(writer.persons) >= batch_size:
                            writer.flush()
                            bar.update(batch_size)
                elif isinstance(item, SyntheticUnion):
                    if max(item.spouse_a, item.spouse_b) >= outcome.existing:
                        writer.unions.append(item)
                        outcome.unions += 1
                else:
                    outcome.duplicates += 1
                    if declaring:
                        duplicates.append(item)
                    elif truth_csv is not None:
                        truth_csv.writerow(_truth_row(item, ""))
                        outcome.truth_rows += 1
            pending = len(writer.persons)
            writer.flush()
            bar.update(pending)
        outcome.errors.update(writer.errors)
        if declaring and duplicates:
            record_of = _declare(profile, places, seed, duplicates, outcome)
            if truth_csv is not None:
                for dup in duplicates:
                    truth_csv.writerow(_truth_row(dup, record_of.get(dup.n, "")))
                    outcome.truth_rows += 1
    finally:
        if truth is not None:
            truth.close()
    if outcome.persons:
        settle_register(show=progress)
    outcome.seconds = time.perf_counter() - started
    return outcome


class Command(BaseCommand):
    help = "Write a synthetic population into the register (demos, tests and benchmarks)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", type=int, default=1000, help="number of persons")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--skip-existing",
            action="store_true",
            help="do nothing if persons of this seed already exist",
        )
        parser.add_argument(
            "--duplicates-fraction",
            type=float,
            default=DEFAULT_DUPLICATES_FRACTION,
            help="near-duplicate declarations per person (default 0.05)",
        )
        parser.add_argument(
            "--truth-file", type=Path, help="CSV of the near-duplicates and the persons they copy"
        )
        parser.add_argument("--batch", type=int, default=BATCH, help="persons per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.ENVIRONMENT == "production":
            raise CommandError(_("Synthetic persons never go into a production register."))
        size: int = options["size"]
        fraction: float = options["duplicates_fraction"]
        if size < 0:
            raise CommandError(_("--size must be 0 or more."))
        if not 0 <= fraction <= 1:
            raise CommandError(_("--duplicates-fraction must be between 0 and 1."))
        if options["batch"] < 1:
            raise CommandError(_("--batch must be at least 1."))
        outcome = seed_population(
            size=size,
            seed=options["seed"],
            duplicates_fraction=fraction,
            truth_file=options.get("truth_file"),
            skip_existing=options["skip_existing"],
            batch_size=options["batch"],
        )
        if outcome.skipped:
            self.stdout.write(
                _(
                    "Synthetic population %(seed)d already present (%(existing)d persons or "
                    "more); nothing to do."
                )
                % {"seed": outcome.seed, "existing": outcome.existing}
            )
            return
        self.stdout.write(
            _(
                "Synthetic population %(seed)d: %(persons)d persons written (%(existing)d "
                "already present), %(unions)d marriages, %(duplicates)d near-duplicates "
                "(%(declared)d declared) in %(seconds).1f s."
            )
            % {
                "seed": outcome.seed,
                "persons": outcome.persons,
                "existing": outcome.existing,
                "unions": outcome.unions,
                "duplicates": outcome.duplicates,
                "declared": outcome.declared,
                "seconds": outcome.seconds,
            }
        )
        for code, count in sorted(outcome.errors.items()):
            self.stdout.write(f"  {count} × {code}")
        if options.get("truth_file"):
            self.stdout.write(
                _("Truth file: %(rows)d near-duplicates.") % {"rows": outcome.truth_rows}
            )
