"""Reads of personal data. Each one is scoped to the reader's jurisdiction and written
to the access log in the same transaction as the data is read.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.utils.translation import gettext as _

from ventanilla.core import rows
from ventanilla.core.access import log_access
from ventanilla.core.country import current_profile
from ventanilla.core.errors import NotFound, ValidationFailed
from ventanilla.core.models import AccessKind, AccessLogEntry, Jurisdiction, User
from ventanilla.core.paging import (
    PAGE_SIZE,
    Cursor,
    KeyCursor,
    KeyPage,
    Page,
    in_order,
    newest_first,
)
from ventanilla.core.permissions import Action, authorise, granting_assignment, scope_paths
from ventanilla.registry import identity
from ventanilla.registry.matching import normalise_name
from ventanilla.registry.matching.korean import (
    KOREAN_SURNAMES,
    is_korean_surname,
    korean_surname_key,
    split_korean_name,
)
from ventanilla.registry.matching.normalise import has_hangul
from ventanilla.registry.models import (
    DuplicateFlag,
    ParentKind,
    ParentLink,
    Person,
    PersonParticipation,
    PersonStatus,
    RecordAction,
    RecordStatus,
    Union,
    VitalRecord,
)

SEARCH_LIMIT = 50
_NAME_PARTS = ("given_names", "first_surname", "second_surname")


def _scope(actor: User, action: Action) -> Q:
    paths = scope_paths(actor, action)
    if f"{current_profile().country_iso}." in paths:
        # The whole country: every jurisdiction of the deployment is under it. A condition on
        # the path would join the jurisdictions, and the join reads every person matching a
        # search before the search's limit applies (8,000 pages for a common Korean name in a
        # register of ten million).
        return Q()
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(jurisdiction__path__startswith=path)
    return condition


@dataclass(frozen=True)
class PersonDetail:
    person: Person
    parents: list[ParentLink]
    children: list[ParentLink]
    unions: list[Union]
    records: list[VitalRecord]
    journal: list[RecordAction]


#: The purpose of the access-log entry for the persons named on another person's entry.
RELATIVES_PURPOSE: Final = "person.relatives"


def person_detail(
    *, actor: User, person_id: uuid.UUID | str, purpose: str = "person.read"
) -> PersonDetail:
    person = (
        Person.objects.select_related("jurisdiction", "birth_place").filter(pk=person_id).first()
    )
    if person is None:
        raise NotFound(_("No such person."))
    pid = str(person.pk)
    grant = authorise(actor, Action.PERSON_READ, person.jurisdiction, subject_ids=[pid])
    with transaction.atomic():
        records = list(
            VitalRecord.objects.filter(Q(subject=person) | Q(participants__person=person))
            .distinct()
            .order_by("event_date")
        )
        detail = PersonDetail(
            person=person,
            parents=list(person.parent_links.select_related("parent")),
            children=list(person.child_links.select_related("child")),
            unions=_unions_of(person),
            records=records,
            journal=list(
                RecordAction.objects.filter(record__in=records)
                .select_related("actor", "record")
                .order_by("at", "seq")
            ),
        )
        log_access(
            actor=actor, grant=grant, kind=AccessKind.READ, purpose=purpose, subject_ids=[pid]
        )
        # A second entry, so that a relative's own log says their data came with someone
        # else's entry rather than that their own entry was read.
        if relatives := [i for i in _shown_with(detail) if i != pid]:
            log_access(
                actor=actor,
                grant=grant,
                kind=AccessKind.READ,
                purpose=RELATIVES_PURPOSE,
                subject_ids=relatives,
            )
    return detail


def _unions_of(person: Person) -> list[Union]:
    """The person's marriages, each marked `revoked` when its registration was revoked (it
    never bound, whatever its dates say) and `in_force` when it binds today."""
    revoked = Q(marriage_record__status=RecordStatus.REVOKED)
    binding = (
        Q(dissolved_on__isnull=True)
        & ~revoked
        & ~Q(spouse_a__status=PersonStatus.DECEASED)
        & ~Q(spouse_b__status=PersonStatus.DECEASED)
    )
    unions = list(
        Union.objects.filter(Q(spouse_a=person) | Q(spouse_b=person))
        .select_related("spouse_a", "spouse_b")
        .annotate(
            revoked=ExpressionWrapper(revoked, output_field=BooleanField()),
            in_force=ExpressionWrapper(binding, output_field=BooleanField()),
        )
        .order_by("married_on", "pk")
    )
    for union in unions:
        # A marriage neither revoked nor dissolved that no longer binds ended with the
        # first of the spouses to die.
        deceased = [
            s
            for s in (union.spouse_a, union.spouse_b)
            if s.status == PersonStatus.DECEASED and not union.revoked and not union.dissolved_on
        ]
        first_to_die = min(deceased, key=lambda s: s.death_date or dt.date.max, default=None)
        union.ended_by_death = first_to_die  # type: ignore[attr-defined]
    return [*unions]  # the annotated instances, as their model's


def _shown_with(detail: PersonDetail) -> list[str]:
    """The person and everyone whose data comes with them: parents, children and spouses
    (named on the page), and the other persons of their records (in the records' data), so
    that each sees the read in their own access log."""
    person = detail.person
    ids = {str(person.pk)}
    ids.update(str(link.parent_id) for link in detail.parents)
    ids.update(str(link.child_id) for link in detail.children)
    for union in detail.unions:
        ids.update((str(union.spouse_a_id), str(union.spouse_b_id)))
    ids.update(str(r.subject_id) for r in detail.records if r.subject_id)
    if detail.records:
        ids.update(
            str(p)
            for p in PersonParticipation.objects.filter(record__in=detail.records).values_list(
                "person_id", flat=True
            )
        )
    return sorted(ids)


@dataclass(frozen=True)
class PersonSearchResult:
    """The persons found, best first, and whether more match than were weighed or shown:
    then the official should narrow the search (by date or place of birth)."""

    persons: list[Person]
    incomplete: bool


def person_search(
    *,
    actor: User,
    national_id: str = "",
    name: str = "",
    born_from: dt.date | None = None,
    born_to: dt.date | None = None,
    place_code: str = "",
    limit: int = SEARCH_LIMIT,
) -> PersonSearchResult:
    """Search the register inside the actor's jurisdiction: by ID, fuzzy name, dates and place."""
    grant = authorise(actor, Action.PERSON_SEARCH, None)
    if not any((national_id, name, born_from, born_to, place_code)):
        raise ValidationFailed(_("Give at least one search criterion."), code="empty_search")
    if born_from and born_to and born_from > born_to:
        raise ValidationFailed(fields={"born_to": [_("The end date is before the start date.")]})
    query: QuerySet[Person] = Person.objects.filter(_scope(actor, Action.PERSON_SEARCH))
    if national_id:
        id_scheme = identity.scheme()
        if not id_scheme.is_valid(national_id):
            # Nobody can hold it: say so rather than answer "nobody found".
            message = _("This is not a valid %(scheme)s.") % {"scheme": id_scheme.label}
            raise ValidationFailed(
                message, code="invalid_national_id", fields={"national_id": [message]}
            )
        query = query.filter(national_id=id_scheme.normalise(national_id))
    if born_from:
        query = query.filter(birth_date__gte=born_from)
    if born_to:
        query = query.filter(birth_date__lte=born_to)
    if place_code:
        query = query.filter(birth_place__official_code=place_code)
    results: list[Person]
    with transaction.atomic():
        rows.plan_with_values()
        if name:
            results, incomplete = _fuzzy_name(query, name, limit)
        else:
            results = list(query.order_by("search_name")[: limit + 1])
            incomplete = len(results) > limit
            results = results[:limit]
        log_access(
            actor=actor,
            grant=grant,
            kind=AccessKind.SEARCH,
            purpose="person.search",
            subject_ids=[str(p.pk) for p in results],
        )
    return PersonSearchResult(results, incomplete)


#: The purpose of the access-log entry for the persons a declaration names.
PARTICIPANT_PURPOSE: Final = "declaration.participant"


def declaration_participants(
    *, actor: User, references: Mapping[str, str], office: Jurisdiction | None = None
) -> dict[str, str]:
    """The register ID of each person a declaration names, by field.

    `references` holds what was typed in each field: a register number (the person's UUID)
    or a national ID, matched exactly across the whole register, not only the actor's
    jurisdiction (a death is registered where it happens, for a person born anywhere). The
    actor must be allowed to declare at `office` (anywhere they may, when None). Nothing
    but the IDs is returned, and the persons found are written to the access log. A
    malformed ID or nobody found is a `ValidationFailed` naming the field; then nothing is
    returned nor logged.
    """
    grant = authorise(actor, Action.RECORD_DECLARE, office)
    id_scheme = identity.scheme()
    problems: dict[str, list[str]] = {}
    codes: dict[str, list[str]] = {}
    by_pk: dict[str, uuid.UUID] = {}
    by_national_id: dict[str, str] = {}
    for field, typed in references.items():
        value = typed.strip()
        try:
            by_pk[field] = uuid.UUID(value)
            continue
        except ValueError:
            pass
        if id_scheme.is_valid(value):
            by_national_id[field] = id_scheme.normalise(value)
            continue
        problems[field] = [_("This is not a valid %(scheme)s.") % {"scheme": id_scheme.label}]
        codes[field] = ["invalid_national_id"]
    with transaction.atomic():
        found = (
            list(
                Person.objects.filter(
                    Q(pk__in=by_pk.values()) | Q(national_id__in=by_national_id.values())
                ).values_list("pk", "national_id")
            )
            if by_pk or by_national_id
            else []
        )
        known = {str(pk) for pk, _national_id in found}
        holders = {national_id: str(pk) for pk, national_id in found if national_id}
        resolved: dict[str, str] = {}
        for field, pk in by_pk.items():
            if str(pk) in known:
                resolved[field] = str(pk)
            else:
                problems[field] = [_("Nobody in the register has this register number.")]
                codes[field] = ["unknown_person"]
        for field, national_id in by_national_id.items():
            if national_id in holders:
                resolved[field] = holders[national_id]
            else:
                problems[field] = [
                    _("Nobody in the register has this %(id)s.") % {"id": id_scheme.label}
                ]
                codes[field] = ["unknown_person"]
        if problems:
            raise ValidationFailed(fields=problems, field_codes=codes)
        if resolved:
            log_access(
                actor=actor,
                grant=grant,
                kind=AccessKind.SEARCH,
                purpose=PARTICIPANT_PURPOSE,
                subject_ids=resolved.values(),
            )
    return {field: resolved[field] for field in references if field in resolved}


def _as_stored(name: str) -> str:
    """The typed name normalised as `search_name` is stored: given names first. A Korean
    name is typed family name first, most often without a space ("김민준", "김 민준"). One
    word of two syllables is taken for a given name (민준): type "김 구" for 김구."""
    typed = normalise_name(name)
    whole_word = " " not in typed
    parts = split_korean_name(typed) if has_hangul(typed) else None
    if parts is not None and parts[1] and not (whole_word and len(typed) < 3):
        return normalise_name(f"{parts[1]} {parts[0]}")
    return typed


@dataclass(frozen=True)
class _RomanisedSearch:
    """A name typed in Latin letters where the profile writes names in Hangul: how it is
    also looked for in `romanised_name`, and how it is ranked there."""

    wanted: tuple[str, ...]  # the typed name as `_romanised_key`, for each family name
    every: Q  # the romanised names holding every word of it
    anyone: Q  # the romanised names holding any word of it


def _romanised_key(family: str, given: list[str]) -> str:
    """A romanised name for ranking: the family name as its surname key (Kim and Gim are
    GIM; Lee, Yi and I are I; Park and Bak are BAK), the given name in one word (Min-jun,
    Min Jun and Minjun are MINJUN)."""
    key = korean_surname_key(family) if is_korean_surname(family) else family
    return f"{key} {''.join(given)}".strip()


def _stored_romanised_key(romanised: str) -> str:
    words = normalise_name(romanised).split()
    return _romanised_key(words[0], words[1:]) if words else ""


def _romanised_search(wanted: str) -> _RomanisedSearch | None:
    """How to find `wanted` (typed, normalised) among the romanised names too; None where
    the profile does not romanise names (Mexico) or the name is typed in Hangul.

    A romanised name holds the family name first, as the declaration spelled it (Lee, Park)
    or else by Revised Romanization (I, Bak); passports and foreign documents mostly spell
    it Kim, Lee, Park, and often put it last. Each typed word that is a known Korean surname
    may be the family name ("Kim Minjun", "Min-jun Kim"): as the romanised name's first
    word, in any spelling of that surname, with the other words anywhere in it, whole, or
    by their first letters when that finds too few. A one-letter word (I, O) narrows only
    as a family name. Ranked on the family name's key and the given name in one word.
    """
    if not current_profile().names.romanisation or has_hangul(wanted):
        return None
    words = wanted.split()

    def holding(others: list[str], *, whole: bool) -> list[Q]:
        # Whole words first: romanised syllables are short and few ("Yeong" begins many
        # names), so their first letters alone would narrow to an arbitrary slice.
        return [
            Q(romanised_name__icontains=word if whole else word[:4])
            for word in others
            if len(word) >= 2
        ]

    families = [i for i, word in enumerate(words) if is_korean_surname(word)]
    every = Q(pk__in=[]) if families else Q()
    anyone = Q(pk__in=[])
    for i in families:
        spelled = Q(pk__in=[])
        for spelling in KOREAN_SURNAMES[korean_surname_key(words[i])][1]:
            spelled |= Q(romanised_name__istartswith=f"{spelling} ")
        others = words[:i] + words[i + 1 :]
        holds_all, holds_any = spelled, Q(pk__in=[])
        for condition in holding(others, whole=True):
            holds_all &= condition
        given = holding(others, whole=False)
        for condition in given:
            holds_any |= condition
        every |= holds_all
        anyone |= (spelled & holds_any) if given else spelled
    if not families:
        for condition in holding(words, whole=True):
            every &= condition
        for condition in holding(words, whole=False):
            anyone |= condition
    # Only names romanised are indexed (`registry_person_romanised_name_trgm`).
    named = ~Q(romanised_name="")
    ranked = [_romanised_key(words[i], words[:i] + words[i + 1 :]) for i in families]
    return _RomanisedSearch(
        wanted=tuple(ranked) if ranked else (wanted,), every=named & every, anyone=named & anyone
    )


def _fuzzy_name(query: QuerySet[Person], name: str, limit: int) -> tuple[list[Person], bool]:
    """The persons whose names are nearest `name`, and whether more hold every word of it
    than could be weighed, or more resemble it than are shown. A name typed in Latin letters
    where names are written in Hangul is looked for in the romanised names too."""
    from rapidfuzz import fuzz

    wanted = _as_stored(name)
    # A Hangul syllable is a whole name part (김, 이): only Latin needs two letters.
    tokens = [t for t in wanted.split() if len(t) >= 2 or has_hangul(t)]
    if not tokens:
        raise ValidationFailed(fields={"name": [_("Type at least two letters.")]})
    roman = _romanised_search(wanted)
    # Narrow in the database on the tokens' first letters (the trigram index serves these
    # substring tests), then rank by token-set similarity. Persons holding every token come
    # first: a common surname alone matches a good part of a national register, and an
    # arbitrary slice of it would hide the person asked for.
    pool_size = limit * 20
    every = Q()
    for token in tokens:
        every &= Q(search_name__contains=token[:4])
    if has_hangul(wanted) and len(tokens) > 1:
        # Hangul name parts are one to three syllables, too short for trigrams alone; the
        # whole name as stored ("민준 김") is not.
        every &= Q(search_name__contains=wanted)
    if roman is not None:
        every |= roman.every
    # Ranked on the names alone; only the persons shown are loaded whole.
    names = ("pk", "search_name") if roman is None else ("pk", "search_name", "romanised_name")
    pool = list(query.filter(every).values_list(*names)[:pool_size])
    crowded = len(pool) == pool_size
    if len(pool) < limit and len(tokens) > 1:
        # A typo in a token's first letters: fall back on any token.
        anyone = Q()
        for token in tokens:
            anyone |= Q(search_name__contains=token[:4])
        if roman is not None:
            anyone |= roman.anyone
        seen = {row[0] for row in pool}
        pool += [
            row
            for row in query.filter(anyone).values_list(*names)[:pool_size]
            if row[0] not in seen
        ]

    def nearness(row: tuple[object, ...]) -> float:
        near = fuzz.token_set_ratio(wanted, str(row[1]))
        if roman is not None and row[2]:
            stored = _stored_romanised_key(str(row[2]))
            near = max([near, *(fuzz.token_set_ratio(w, stored) for w in roman.wanted)])
        return float(near)

    scored = [(nearness(row), row[0]) for row in pool]
    scored.sort(key=lambda pair: pair[0], reverse=True)
    alike = [pk for score, pk in scored if score >= 60]
    chosen = alike[:limit]
    persons = Person.objects.in_bulk(chosen)
    return [persons[pk] for pk in chosen], crowded or len(alike) > limit


#: The review queue's order: declarations with possible duplicates first, then the oldest.
QUEUE_ORDER: Final = ("-duplicates_pending", "created_at", "pk")


@dataclass(frozen=True)
class ReviewQueue:
    """One page of the declarations waiting, and how many wait in all."""

    page: KeyPage[VitalRecord]
    waiting: int


def review_queue_page(*, actor: User, cursor: KeyCursor, limit: int = PAGE_SIZE) -> ReviewQueue:
    """A page of the declarations waiting for review in the actor's jurisdiction, with their
    data, in `QUEUE_ORDER`. The read is logged with the persons they name; declarations
    naming nobody still leave a row (an empty page reads nothing and leaves none). A page
    link that leads past the end (its declarations all decided meanwhile) gives the first
    page."""
    grant = authorise(actor, Action.RECORD_READ, None)
    paths = scope_paths(actor, Action.RECORD_READ)
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(office__path__startswith=path)
    waiting = VitalRecord.objects.filter(condition, status__in=["declared", "validated"])
    with transaction.atomic():
        page = in_order(
            waiting.select_related("office"), cursor, order=QUEUE_ORDER, limit=limit, bounds=waiting
        )
        if not page.rows and cursor:
            page = in_order(
                waiting.select_related("office"), KeyCursor(), order=QUEUE_ORDER, limit=limit
            )
        records = page.rows
        total = waiting.count() if cursor or page.next else len(records)
        if records:
            subjects = {str(r.subject_id) for r in records if r.subject_id}
            subjects.update(
                str(p)
                for p in PersonParticipation.objects.filter(record__in=records).values_list(
                    "person_id", flat=True
                )
            )
            log_access(
                actor=actor,
                grant=grant,
                kind=AccessKind.READ,
                purpose="record.queue",
                subject_ids=subjects,
            )
    return ReviewQueue(page=page, waiting=total)


@dataclass(frozen=True)
class RecordDetail:
    record: VitalRecord
    journal: list[RecordAction]
    flags: list[DuplicateFlag]


def require_record_action(*, actor: User, record_id: uuid.UUID | str, action: Action) -> None:
    """Raise `NotFound` or `PermissionDenied` (logged) unless `actor` may take `action` on the
    record; reads nothing of the record's data, so nothing is logged when allowed."""
    record = VitalRecord.objects.select_related("office").filter(pk=record_id).first()
    if record is None:
        raise NotFound(_("No such record."))
    subjects = [str(p) for p in record.participants.values_list("person_id", flat=True)]
    if record.subject_id:
        subjects.append(str(record.subject_id))
    authorise(actor, action, record.office, subject_ids=subjects)


def record_detail(*, actor: User, record_id: uuid.UUID | str) -> RecordDetail:
    record = VitalRecord.objects.select_related("office", "subject").filter(pk=record_id).first()
    if record is None:
        raise NotFound(_("No such record."))
    subjects = [str(p) for p in record.participants.values_list("person_id", flat=True)]
    if record.subject_id:
        subjects.append(str(record.subject_id))
    grant = authorise(actor, Action.RECORD_READ, record.office, subject_ids=subjects)
    with transaction.atomic():
        flags = list(record.duplicate_flags.select_related("candidate", "candidate__birth_place"))
        detail = RecordDetail(
            record=record,
            journal=list(record.actions.select_related("actor").order_by("seq")),
            flags=flags,
        )
        log_access(
            actor=actor,
            grant=grant,
            kind=AccessKind.READ,
            purpose="record.read",
            subject_ids=subjects + [str(f.candidate_id) for f in flags],
        )
    return detail


def citizen_records(*, actor: User, person: Person) -> list[VitalRecord]:
    """A citizen's own registered records; their own look is logged like anyone else's."""
    with transaction.atomic():
        records = list(
            VitalRecord.objects.filter(
                Q(subject=person) | Q(participants__person=person), status="registered"
            )
            .distinct()
            .order_by("event_date")
        )
        log_access(
            actor=actor,
            grant=None,
            kind=AccessKind.READ,
            purpose="citizen.own_records",
            subject_ids=[str(person.pk)],
        )
    return records


def citizen_access_log(
    *, person: Person, cursor: Cursor | None = None, limit: int = PAGE_SIZE
) -> Page[AccessLogEntry]:
    """One page of the accesses to this person's data, newest first (the person's own
    reads are not logged); the older pages reach back to the first access. In the order
    they were logged, which the person's index of the log keeps."""
    accesses = AccessLogEntry.objects.filter(subjects__person_id=person.pk)
    return newest_first(
        accesses.select_related("actor", "office"), cursor or Cursor(), limit=limit, bounds=accesses
    )


def candidate_mothers(
    *, actor: User, record: VitalRecord, flags: list[DuplicateFlag]
) -> dict[str, str]:
    """Mothers' names of the declaration and of each candidate, keyed "record" or candidate id.

    The candidates' mothers are persons of their own, so reading their names is logged
    like any read (the selector logged the record, its participants and the candidates).
    """
    names: dict[str, str] = {}
    data = record.data
    read: list[str] = []
    with transaction.atomic():
        if data.get("mother"):
            mother = Person.objects.filter(pk=data["mother"]).first()
            if mother is not None:
                names["record"] = mother.full_name
        else:
            names["record"] = current_profile().names.display(
                {k: data.get(f"mother_{k}", "") for k in _NAME_PARTS}
            )
        links = ParentLink.objects.filter(
            child_id__in=[f.candidate_id for f in flags], kind=ParentKind.BIRTH, parent__sex="F"
        ).select_related("parent")
        for link in links:
            names[str(link.child_id)] = link.parent.full_name
            read.append(str(link.parent_id))
        grant = granting_assignment(actor, Action.RECORD_READ, record.office)
        if read and grant is not None:
            log_access(
                actor=actor,
                grant=grant,
                kind=AccessKind.READ,
                purpose="record.duplicates",
                subject_ids=read,
            )
    return names
