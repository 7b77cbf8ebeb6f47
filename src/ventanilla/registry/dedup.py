"""Duplicate lookup against the register.

Each person's blocking keys live in `PersonMatchKey` (one indexed row per
key), so a lookup is one `key = ANY(...)` index probe whatever the size of the
register; only that small candidate set is scored in Python. On PostgreSQL the
probe, the candidates' own fields and their parents' names come back from one
statement, read as plain rows rather than model instances.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from django.db import connections

from ventanilla.core import jurisdictions, rows
from ventanilla.core.bulkcopy import copy_rows
from ventanilla.registry.bulk import any_of
from ventanilla.registry.matching import (
    DEFAULT_THRESHOLD,
    MatchRecord,
    MatchResult,
    blocking_keys,
    compare_features,
    compare_own_fields,
    compute_features,
    features_of,
    keys_from_features,
)
from ventanilla.registry.models import (
    DuplicateDecision,
    DuplicateFlag,
    ParentKind,
    ParentLink,
    Person,
    PersonMatchKey,
    PersonStatus,
    VitalRecord,
)

MAX_CANDIDATES = 10
"""Persons a lookup scores at most: those sharing the most keys with the probe, then those
whose rarest shared key is held by the fewest (a true duplicate shares several keys, or a
narrow one; the holders of a crowded key alone are rarely it), then by id. Without a cap, the
holders of crowded keys grow with the register: in Korea, where 김 is a fifth of the people,
a key of birth year, given-name and surname prefixes held ~400 persons at one million. Of
1,000 perturbed probes, none had its original outside the first 10 in a Korean register of
one million nor in a Mexican one of ten million; in a Korean one of ten million, 998 had it
among the first 5, and the two others shared a single crowded key (with 28 and 94 others)
and nothing else, where any cap draws lots. 20 found one of those two more, at half as much
again of the lookup's time (docs/decisions/0003)."""
SINGLE_KEY_CANDIDATES = 3
"""Of the persons sharing a single key with the probe, the first this many (by the order of
`MAX_CANDIDATES`) are candidates; those sharing two keys or more all are, up to the cap. The
holders of one crowded key grow with the register, and scoring them was most of a lookup's
time at ten million Mexicans (six candidates a probe against two at one million). With
1,000 perturbed probes there, the original was the first holder for 991 and among the first
three for 998, against 999 among the first ten; a duplicate sharing only one key, beyond
its third holder, is one where any cap draws lots (docs/decisions/0003)."""
_CHUNK: Final = 5000


def admitted(ranked: Sequence[str], shared: Mapping[str, int]) -> list[str]:
    """The candidates among `ranked` holders (best first, as `_HOLDERS` orders them), given how
    many keys each `shared` with the probe: the SQL of `_HOLDERS` in Python, for batches."""
    return [
        pid for rank, pid in enumerate(ranked) if shared[pid] >= 2 or rank < SINGLE_KEY_CANDIDATES
    ][:MAX_CANDIDATES]


def full_name(given: str, first: str, second: str) -> str:
    """A name as the matcher reads it for parents: given names, then surnames, whatever
    order the country writes names in (the stored keys were made from this form)."""
    return " ".join(p for p in (given, first, second) if p)


def person_name(person: Person | None) -> str:
    """`full_name` of a person of the register ("" for none)."""
    if person is None:
        return ""
    return full_name(person.given_names, person.first_surname, person.second_surname)


def _on_postgresql() -> bool:
    return connections["default"].vendor == "postgresql"


def parent_names(person_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
    """Mother's and father's full names per child (birth links, filed by the parent's sex),
    read as plain rows: much faster than model instances."""
    names: dict[str, list[str]] = {}
    rows: Iterable[tuple[Any, ...]]
    if not person_ids:
        return {}
    if _on_postgresql():
        rows = any_of(
            "SELECT l.child_id, p.sex, p.given_names, p.first_surname, p.second_surname "
            "FROM registry_parentlink AS l JOIN registry_person AS p ON p.id = l.parent_id "
            "WHERE l.child_id = ANY(%s::uuid[]) AND l.kind = 'birth'",
            person_ids,
        )
    else:
        rows = (
            row
            for start in range(0, len(person_ids), _CHUNK)
            for row in ParentLink.objects.filter(
                child_id__in=person_ids[start : start + _CHUNK], kind=ParentKind.BIRTH
            ).values_list(
                "child_id",
                "parent__sex",
                "parent__given_names",
                "parent__first_surname",
                "parent__second_surname",
            )
        )
    for child, sex, given, first, second in rows:
        slot = names.setdefault(str(child), ["", ""])
        slot[0 if sex == "F" else 1] = full_name(given, first, second)
    return {k: (v[0], v[1]) for k, v in names.items()}


_MATCH_COLUMNS: Final = (
    "id",
    "given_names",
    "first_surname",
    "second_surname",
    "birth_date",
    "sex",
    "birth_place_id",
    "source_reference",
)


# On PostgreSQL a person and their birth parents come in one statement: one row per parent.
# The birthplace's code comes from the jurisdiction cache (`_record`): joining the
# jurisdictions cost a tenth of a millisecond a lookup, a hash of the whole table each time.
_MATCH_ROWS_SQL: Final = (
    "SELECT p.id, p.given_names, p.first_surname, p.second_surname, p.birth_date, p.sex, "
    "p.birth_place_id, p.source_reference, q.sex, q.given_names, q.first_surname, "
    "q.second_surname FROM registry_person AS p "
    "LEFT JOIN registry_parentlink AS l ON l.child_id = p.id AND l.kind = 'birth' "
    "LEFT JOIN registry_person AS q ON q.id = l.parent_id "
    "WHERE p.status <> 'void' AND p.id = ANY("
)
_BY_IDS: Final = _MATCH_ROWS_SQL + "%s::uuid[])"
# The persons holding any of a probe's keys, best first (see `MAX_CANDIDATES` and
# `SINGLE_KEY_CANDIDATES`).
_HOLDERS: Final = (
    "SELECT person_id FROM (SELECT person_id, count(*) AS shared, row_number() OVER ("  # noqa: S608 - constants only
    "ORDER BY count(*) DESC, min(crowd), person_id) AS rank FROM (SELECT person_id, "
    "count(*) OVER (PARTITION BY key) AS crowd FROM registry_personmatchkey WHERE key {keys}) "
    f"AS held GROUP BY person_id) AS ranked WHERE shared >= 2 OR rank <= {SINGLE_KEY_CANDIDATES} "
    f"ORDER BY rank LIMIT {MAX_CANDIDATES}"
)
# A lookup's candidates with their parents, one row per parent (folded by `_joined`). Reading
# the parents of every candidate in the same statement costs less than a second statement for
# the few that could still reach the threshold: a lookup took half the time (decision 0003).
LOOKUP_SQL: Final = _MATCH_ROWS_SQL + "ARRAY(" + _HOLDERS.format(keys="= ANY(%s::text[])") + "))"


def _joined(rows: Iterable[tuple[Any, ...]]) -> list[list[Any]]:
    """The rows of `_MATCH_ROWS_SQL` folded into one per person, parents as names."""
    persons: dict[Any, list[Any]] = {}
    for *person, parent_sex, given, first, second in rows:
        entry = persons.setdefault(person[0], [*person, "", ""])
        if parent_sex is not None:
            entry[8 if parent_sex == "F" else 9] = full_name(given, first, second)
    return list(persons.values())


def _portable_rows(person_ids: Sequence[str]) -> list[list[Any]]:
    parents = parent_names(person_ids)
    return [
        [*row, *parents.get(str(row[0]), ("", ""))]
        for start in range(0, len(person_ids), _CHUNK)
        for row in Person.objects.filter(pk__in=person_ids[start : start + _CHUNK])
        .exclude(status=PersonStatus.VOID)
        .values_list(*_MATCH_COLUMNS)
    ]


def _record(row: Sequence[Any], mother: str = "", father: str = "") -> MatchRecord:
    """A `_MATCH_COLUMNS` row as the matcher reads it."""
    pid, given, first, second, born, sex, place = row[:7]
    return MatchRecord(
        id=str(pid),
        given_names=given,
        first_surname=first,
        second_surname=second,
        birth_date=born,
        sex=sex,
        place_code=jurisdictions.official_code_of(place),
        mother_name=mother,
        father_name=father,
    )


def _records(rows: list[list[Any]]) -> tuple[dict[str, MatchRecord], dict[str, str]]:
    """Rows of `_MATCH_COLUMNS` and the two parents' names, by person id; and the persons'
    source references."""
    records = {str(row[0]): _record(row, row[8], row[9]) for row in rows}
    return records, {str(row[0]): row[7] for row in rows}


def match_records(person_ids: Sequence[str]) -> tuple[dict[str, MatchRecord], dict[str, str]]:
    """The persons (not void) as `match_record_for_person` describes them, by id, and their
    source references; read as plain rows, much faster than model instances."""
    if not person_ids:
        return {}, {}
    if _on_postgresql():
        return _records(_joined(any_of(_BY_IDS, person_ids)))
    return _records(_portable_rows(person_ids))


def _candidate_rows(keys: Sequence[str]) -> list[list[Any]]:
    """The persons holding any of the blocking `keys`, as `_MATCH_COLUMNS` rows followed by
    their mother's and father's names: at most `MAX_CANDIDATES`, best first. A key can be
    crowded (a common surname and a birth date, in a country where one surname covers a fifth
    of the people), and an arbitrary slice of its holders could leave out the person who
    shares every other key."""
    if not keys:
        return []
    if _on_postgresql():
        return _joined(any_of(LOOKUP_SQL, keys))
    with connections["default"].cursor() as cursor:
        cursor.execute(_HOLDERS.format(keys=f"IN ({', '.join(['%s'] * len(keys))})"), keys)
        holders = [str(row[0]) for row in cursor.fetchall()]
    return _portable_rows(holders)


def match_record_for_person(person: Person, mother: str = "", father: str = "") -> MatchRecord:
    return MatchRecord(
        id=str(person.pk),
        given_names=person.given_names,
        first_surname=person.first_surname,
        second_surname=person.second_surname,
        birth_date=person.birth_date,
        sex=person.sex,
        place_code=person.birth_place.official_code if person.birth_place else "",
        mother_name=mother,
        father_name=father,
    )


def match_record_for_birth(record: VitalRecord) -> MatchRecord:
    data = record.data
    mother = Person.objects.filter(pk=data["mother"]).first() if data.get("mother") else None
    father = Person.objects.filter(pk=data["father"]).first() if data.get("father") else None
    mother_name = (
        person_name(mother)
        or " ".join(
            data.get(k, "")
            for k in ("mother_given_names", "mother_first_surname", "mother_second_surname")
        ).strip()
    )
    return MatchRecord(
        id=str(record.pk),
        given_names=data.get("given_names", ""),
        first_surname=data.get("first_surname", ""),
        second_surname=data.get("second_surname", ""),
        birth_date=dt.date.fromisoformat(data["birth_date"]) if data.get("birth_date") else None,
        sex=data.get("sex", ""),
        place_code=data.get("birth_municipality", ""),
        mother_name=mother_name,
        father_name=person_name(father),
    )


def store_match_keys(person: Person, *, new_with_parents: tuple[str, str] | None = None) -> None:
    """Write the person's blocking keys. A person just created, whose parents' names the
    caller already has, needs no look-up and no clean-up of older keys."""
    if new_with_parents is not None:
        keys = blocking_keys(match_record_for_person(person, *new_with_parents))
        rows.insert_all([PersonMatchKey(key=k, person_id=person.pk) for k in sorted(keys)])
        return
    parents = parent_names([str(person.pk)]).get(str(person.pk), ("", ""))
    keys = blocking_keys(match_record_for_person(person, *parents))
    PersonMatchKey.objects.filter(person=person).exclude(key__in=keys).delete()
    existing = set(PersonMatchKey.objects.filter(person=person).values_list("key", flat=True))
    PersonMatchKey.objects.bulk_create(
        PersonMatchKey(key=k, person=person) for k in sorted(keys - existing)
    )


def rebuild_match_keys_of(person_ids: Sequence[str]) -> int:
    """Recompute the blocking keys of many persons at once, in the caller's transaction: one
    read of their fields and parents' names, one delete and one bulk insert, instead of
    `store_match_keys`' three statements a person. Void persons are left without keys (no
    lookup reads them). Returns the number of keys written."""
    records, _references = match_records(person_ids)
    rows = [(key, pid) for pid, record in records.items() for key in sorted(blocking_keys(record))]
    for start in range(0, len(person_ids), _CHUNK):
        PersonMatchKey.objects.filter(person_id__in=person_ids[start : start + _CHUNK]).delete()
    copy_rows(PersonMatchKey, ("key", "person_id"), rows)
    return len(rows)


def candidates_for(
    probe: MatchRecord, threshold: float = DEFAULT_THRESHOLD
) -> list[tuple[str, MatchResult]]:
    """Ids of the persons in the register who may be `probe`, best first, with their
    comparison. On PostgreSQL one statement reads the key index, the candidates and their
    parents."""
    wanted = features_of(probe)
    kept: list[tuple[str, MatchResult]] = []
    for row in _candidate_rows(sorted(keys_from_features(wanted))):
        features = compute_features(_record(row, row[8], row[9]))
        # Most candidates fall short on their own fields: their parents are not compared.
        own = compare_own_fields(wanted, features)
        if own.best >= threshold and own.score_with_parents(wanted, features) >= threshold:
            # The per-field detail is for the few kept.
            kept.append((str(row[0]), compare_features(wanted, features)))
    kept.sort(key=lambda pair: pair[1].score, reverse=True)
    return kept


def comparison_payload(result: Any) -> dict[str, Any]:
    return {
        name: {"score": round(field.score, 3), "level": field.level}
        for name, field in result.fields.items()
    }


Candidates = list[tuple[str, MatchResult]]


def duplicate_candidates(record: VitalRecord) -> Candidates:
    """The persons of the register a birth declaration may be, best first (it reads only, so
    a declaration not yet saved can be checked)."""
    if record.event_type != "birth":
        return []
    return candidates_for(match_record_for_birth(record))


def _lock_id(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), signed=True)


def _lock_keys(keys: set[str]) -> None:
    """On PostgreSQL, a lock on each key until the transaction ends, taken in one order so
    that two transactions cannot deadlock on them."""
    if not _on_postgresql():
        return  # SQLite lets one transaction write at a time
    ids = sorted({_lock_id(k) for k in keys})
    with connections["default"].cursor() as cursor:
        # A function scan yields the array in order, and each lock is taken as its row is.
        cursor.execute("SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k", [ids])


def undecided_candidates_at_registration(record: VitalRecord) -> Candidates:
    """The persons of the register a birth declaration may be, looked up again as it is
    registered, less those a registrar has already decided on (either way).

    The register may have gained the same child since the declaration was checked. The
    lookup first locks every blocking key it reads and the new person will be written with:
    two registrations of one child share a key, so the second waits for the first to commit,
    and its lookup (a new snapshot per statement) then sees the first's person; otherwise
    each would miss the other's uncommitted person and both would be registered."""
    if record.event_type != "birth":
        return []
    probe = match_record_for_birth(record)
    # The person's keys carry the mother's name only when she is a person of the register.
    written = probe if record.data.get("mother") else dataclasses.replace(probe, mother_name="")
    _lock_keys(blocking_keys(probe) | blocking_keys(written))
    candidates = candidates_for(probe)
    if not candidates:
        return []
    decided = set(
        DuplicateFlag.objects.filter(record=record)
        .exclude(decision=DuplicateDecision.PENDING)
        .values_list("candidate_id", flat=True)
    )
    return [(pid, result) for pid, result in candidates if uuid.UUID(pid) not in decided]


def flag_duplicates(
    record: VitalRecord, candidates: Candidates | None = None
) -> list[DuplicateFlag]:
    """Check a birth declaration against the register (or take the `candidates` already
    found for it) and flag them; earlier decisions are kept."""
    if record.event_type != "birth":
        return []
    if candidates is None:
        candidates = duplicate_candidates(record)
    found: list[DuplicateFlag] = []
    for person_id, result in candidates:
        flag, created = DuplicateFlag.objects.get_or_create(
            record=record,
            candidate_id=uuid.UUID(person_id),
            defaults={
                "score": min(1.0, max(0.0, result.score)),
                "comparison": comparison_payload(result),
            },
        )
        if not created and flag.decision == DuplicateDecision.PENDING:
            flag.score = min(1.0, max(0.0, result.score))
            flag.comparison = comparison_payload(result)
            flag.save(update_fields=["score", "comparison"])
        found.append(flag)
    return found
