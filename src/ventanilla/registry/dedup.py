"""Duplicate lookup against the register.

Each person's blocking keys live in `PersonMatchKey` (one indexed row per
key), so a lookup is one `key IN (...)` index probe whatever the size of the
register; only that small candidate set is scored in Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from ventanilla.registry.matching import (
    DEFAULT_THRESHOLD,
    MatchRecord,
    blocking_keys,
    compare,
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

MAX_CANDIDATES = 200


def _full_name(person: Person | None) -> str:
    if person is None:
        return ""
    return " ".join(
        p for p in (person.given_names, person.first_surname, person.second_surname) if p
    )


def _parents(person_ids: Iterable[Any]) -> dict[str, tuple[str, str]]:
    """Mother's and father's full names per child, for the persons given."""
    names: dict[str, list[str]] = {}
    links = ParentLink.objects.filter(child_id__in=list(person_ids), kind=ParentKind.BIRTH)
    for link in links.select_related("parent"):
        parent = link.parent
        slot = names.setdefault(str(link.child_id), ["", ""])
        slot[0 if parent.sex == "F" else 1] = _full_name(parent)
    return {k: (v[0], v[1]) for k, v in names.items()}


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
        _full_name(mother)
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
        father_name=_full_name(father),
    )


def store_match_keys(person: Person, *, new_with_parents: tuple[str, str] | None = None) -> None:
    """Write the person's blocking keys. A person just created, whose parents' names the
    caller already has, needs no look-up and no clean-up of older keys."""
    if new_with_parents is not None:
        keys = blocking_keys(match_record_for_person(person, *new_with_parents))
        PersonMatchKey.objects.bulk_create(
            PersonMatchKey(key=k, person=person) for k in sorted(keys)
        )
        return
    parents = _parents([person.pk]).get(str(person.pk), ("", ""))
    keys = blocking_keys(match_record_for_person(person, *parents))
    PersonMatchKey.objects.filter(person=person).exclude(key__in=keys).delete()
    existing = set(PersonMatchKey.objects.filter(person=person).values_list("key", flat=True))
    PersonMatchKey.objects.bulk_create(
        PersonMatchKey(key=k, person=person) for k in sorted(keys - existing)
    )


def candidates_for(
    probe: MatchRecord, threshold: float = DEFAULT_THRESHOLD
) -> list[tuple[Person, Any]]:
    """Persons in the register who may be `probe`, best first, with their comparison."""
    keys = sorted(blocking_keys(probe))
    person_ids = list(
        PersonMatchKey.objects.filter(key__in=keys)
        .values_list("person_id", flat=True)
        .distinct()[:MAX_CANDIDATES]
    )
    if not person_ids:
        return []
    persons = list(
        Person.objects.filter(pk__in=person_ids)
        .exclude(status=PersonStatus.VOID)
        .select_related("birth_place")
    )
    parents = _parents(person_ids)
    scored = []
    for person in persons:
        mother, father = parents.get(str(person.pk), ("", ""))
        result = compare(probe, match_record_for_person(person, mother, father))
        if result.score >= threshold:
            scored.append((person, result))
    scored.sort(key=lambda pair: pair[1].score, reverse=True)
    return scored


def comparison_payload(result: Any) -> dict[str, Any]:
    return {
        name: {"score": round(field.score, 3), "level": field.level}
        for name, field in result.fields.items()
    }


def flag_duplicates(record: VitalRecord) -> list[DuplicateFlag]:
    """Check a birth declaration against the register; earlier decisions are kept."""
    if record.event_type != "birth":
        return []
    found: list[DuplicateFlag] = []
    for person, result in candidates_for(match_record_for_birth(record)):
        flag, created = DuplicateFlag.objects.get_or_create(
            record=record,
            candidate=person,
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
