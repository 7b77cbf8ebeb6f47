"""What a registered event does to the population register.

Called only from `registry.services`, inside the transaction of the action
that causes it; each function returns what it changed, for the journal.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from ventanilla.core import jurisdictions
from ventanilla.core.country import current_profile
from ventanilla.core.errors import ValidationFailed
from ventanilla.core.models import Jurisdiction
from ventanilla.registry import events, identity
from ventanilla.registry.dedup import person_name, rebuild_match_keys_of, store_match_keys
from ventanilla.registry.matching import normalise_name, romanise_hangul
from ventanilla.registry.models import (
    ParentKind,
    ParentLink,
    Person,
    PersonSource,
    PersonStatus,
    RecordStatus,
    Sex,
    Union,
    VitalRecord,
)

#: A child born up to this many days after the father's death may be his: the presumption of
#: paternity of both profiles' civil codes (Mexico, Código Civil Federal art. 324; Korea,
#: 민법 §844) runs 300 days from the end of the marriage. The legacy import holds the same.
POSTHUMOUS_BIRTH = dt.timedelta(days=300)


def search_name(given: str, first: str, second: str) -> str:
    return normalise_name(" ".join(p for p in (given, first, second) if p))


def romanised_name(data: dict[str, Any]) -> str:
    """The name in Latin letters where the profile writes names in another script.

    Taken from the declaration when given; otherwise derived by Revised Romanization.
    """
    names = current_profile().names
    if not names.romanisation:
        return ""
    given = names.display_romanised(data)
    if given:
        return given
    derived = {
        roman: romanise_hangul(str(data.get(field, ""))).title()
        for field, roman in names.romanised_fields.items()
    }
    return names.display_romanised(derived)


def require_existing(person_ids: Iterable[str]) -> None:
    wanted = {str(p) for p in person_ids}
    if not wanted:
        return
    found = {str(p) for p in Person.objects.filter(pk__in=wanted).values_list("pk", flat=True)}
    missing = wanted - found
    if missing:
        raise ValidationFailed(
            _("A person named in the declaration is not in the register."),
            code="unknown_person",
        )


def _person(data: dict[str, Any], field: str) -> Person | None:
    value = data.get(field)
    return Person.objects.filter(pk=value).first() if value else None


def _date(data: dict[str, Any], field: str) -> dt.date | None:
    value = data.get(field)
    return dt.date.fromisoformat(value) if value else None


def _years_between(earlier: dt.date, later: dt.date) -> int:
    return later.year - earlier.year - ((later.month, later.day) < (earlier.month, earlier.day))


def _fail(field: str, message: str, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed(fields={field: [message]}, code=code)


def check_event_against_register(record: VitalRecord) -> list[str]:
    """Rules that need the register. Raises on what cannot be true; returns warnings.

    Among them, no event of a person after their death, judged by the dates the register
    holds rather than by the person's status today (a marriage declared after a spouse's
    death but dated before it is a late registration, not a wedding of the dead)."""
    data = record.data
    rules = current_profile().registration
    warnings: list[str] = []
    if record.late:
        warnings.append("late_registration")
    kind = record.event_type
    if kind == "birth":
        born = _date(data, "birth_date")
        for field in ("mother", "father"):
            parent = _person(data, field)
            if parent is None or born is None:
                continue
            if parent.birth_date and parent.birth_date >= born:
                raise _fail(field, _("A parent must be born before the child."))
            if _died_too_early(parent.death_date, born, mother=field == "mother"):
                raise _parent_died_before_birth(field, mother=field == "mother")
            if field == "mother" and parent.birth_date:
                warnings.extend(_mother_age(field, parent.birth_date, born))
        # A mother named in the declaration rather than chosen from the register: her
        # declared birth date is held to the same rules.
        declared = _date(data, "mother_birth_date")
        if declared is not None and born is not None:
            if declared >= born:
                raise _fail("mother_birth_date", _("A parent must be born before the child."))
            for warning in _mother_age("mother_birth_date", declared, born):
                if warning not in warnings:
                    warnings.append(warning)
        # The profiles set no minimum age for a father: only his birth before the child's.
        declared_father = _date(data, "father_birth_date")
        if declared_father is not None and born is not None and declared_father >= born:
            raise _fail("father_birth_date", _("A parent must be born before the child."))
    elif kind == "death":
        person = _person(data, "deceased")
        died = _date(data, "death_date")
        if person is not None:
            if person.status == PersonStatus.DECEASED:
                raise _fail(
                    "deceased",
                    _("This person is already registered as deceased."),
                    code="already_deceased",
                )
            if died is not None:
                _check_death_date(person, died)
    elif kind == "marriage":
        married = _date(data, "marriage_date")
        spouses = {field: _person(data, field) for field in ("spouse_a", "spouse_b")}
        # The marriage binds until the first death of a spouse, if the register holds one.
        ends = _earliest(*(p.death_date for p in spouses.values() if p is not None))
        for field, person in spouses.items():
            if person is None:
                continue
            if person.status == PersonStatus.VOID or (
                person.status == PersonStatus.DECEASED and person.death_date is None
            ):
                raise _fail(
                    field, _("This person cannot marry: they are not alive in the register.")
                )
            if married is None:
                continue  # a required field
            if person.death_date is not None and person.death_date < married:
                raise _died_before_event(field)
            if (
                person.birth_date
                and _years_between(person.birth_date, married) < rules.min_marriage_age
            ):
                raise _fail(field, _("This person is under the minimum age to marry."))
            _check_no_other_marriage(person, field, married, ends)
    elif kind == "divorce":
        a, b = _person(data, "spouse_a"), _person(data, "spouse_b")
        divorced = _date(data, "divorce_date")
        for field, spouse in (("spouse_a", a), ("spouse_b", b)):
            if spouse and spouse.death_date and divorced and spouse.death_date < divorced:
                raise _died_before_event(field)
        union = _union_between(a, b) if a is not None and b is not None else None
        if a is not None and b is not None and union is None:
            raise _fail(
                "spouse_b",
                _("These two persons are not married to each other."),
                code="not_married",
            )
        if union is not None and divorced is not None and divorced < union.married_on:
            raise _divorce_before_marriage()
    elif kind in ("recognition", "adoption"):
        child = _person(data, "child")
        _check_after_child_birth(kind, data, child)
        for field in _parent_fields(kind):
            parent = _person(data, field)
            if (
                child
                and parent
                and child.birth_date
                and parent.birth_date
                and parent.birth_date >= child.birth_date
            ):
                raise _fail(field, _("A parent must be born before the child."))
        _check_alive_for_parentage(kind, data, child)
    return warnings


def _divorce_before_marriage() -> ValidationFailed:
    return _fail(
        "divorce_date",
        _("The divorce date is before the date of the marriage."),
        code="divorce_before_marriage",
    )


def _check_after_child_birth(kind: str, data: dict[str, Any], child: Person | None) -> None:
    """A recognition or an adoption dated before the child was born is refused."""
    field = events.EVENT_DATE_FIELD[kind]
    dated = _date(data, field)
    if child is not None and child.birth_date and dated and dated < child.birth_date:
        raise _fail(field, _("The child was not yet born on this date."), code="before_child_birth")


def _died_too_early(died: dt.date | None, born: dt.date, *, mother: bool) -> bool:
    """Whether a parent who died on `died` cannot have a child born on `born`: a child is born
    no later than its mother's death, and at most `POSTHUMOUS_BIRTH` after its father's."""
    return died is not None and born > died + (dt.timedelta(0) if mother else POSTHUMOUS_BIRTH)


def _parent_died_before_birth(field: str, *, mother: bool) -> ValidationFailed:
    if mother:
        return _fail(
            field, _("The mother died before this birth."), code="mother_died_before_birth"
        )
    return _fail(
        field,
        _("The father died more than 300 days before this birth."),
        code="father_died_before_birth",
    )


def _is_date_field(field: str) -> bool:
    return field in events.EVENT_DATE_FIELD.values()


def _died_before_event(field: str) -> ValidationFailed:
    """A person named in the record had died before its date. `field` is the person's, or the
    date's when a correction of the date is refused."""
    if _is_date_field(field):
        message = _("On this date, a person named in the record had already died.")
    else:
        message = _("This person had died before the date of this event.")
    return _fail(field, message, code="died_before_event")


def _check_alive_for_parentage(
    kind: str, data: dict[str, Any], child: Person | None, *, on_field: str | None = None
) -> None:
    """No one adopts, nor is adopted, after their death. A recognition may come after the
    recognising parent's death (by will or by a court: Código Civil Federal arts. 369, 388;
    민법 §859, §864), but only of a child they could have had: born no later than the
    mother's death, or at most 300 days after the father's. A dead child may be recognised
    (arts. 364, §857). A refusal names `on_field` if given (the corrected date), else the
    person's field."""
    dated = _date(data, events.EVENT_DATE_FIELD[kind])
    for field in _parent_fields(kind):
        parent = _person(data, field)
        if parent is None or parent.death_date is None:
            continue
        if kind == "adoption":
            if dated is not None and parent.death_date < dated:
                raise _died_before_event(on_field or field)
        elif child is not None and child.birth_date is not None:
            mother = parent.sex == Sex.FEMALE
            if _died_too_early(parent.death_date, child.birth_date, mother=mother):
                raise _parent_died_before_birth(on_field or field, mother=mother)
    if kind == "adoption" and child and child.death_date and dated and child.death_date < dated:
        raise _died_before_event(on_field or "child")


def _is_mother(link: ParentLink, parent: Person) -> bool:
    """Whether `parent` bore the link's child: as the birth record names them; for another
    link (a recognition, an imported birth), a woman."""
    if link.kind == ParentKind.BIRTH and link.record is not None:
        return bool(link.record.data.get("mother") == str(parent.pk))
    return parent.sex == Sex.FEMALE


def _check_death_date(person: Person, died: dt.date) -> None:
    """A death on `died` against what the register holds of the person's life: they were born
    by then; married, divorced, adopted a child or were adopted no later; their children, by
    birth or recognised, were born by then (a father's up to `POSTHUMOUS_BIRTH` after); and
    no surviving spouse married someone else while still married to them."""
    if person.birth_date is not None and died < person.birth_date:
        raise _fail(
            "death_date",
            _("The date of death is before the date of birth."),
            code="death_before_birth",
        )
    unions = (
        Union.objects.filter(Q(spouse_a=person) | Q(spouse_b=person))
        .exclude(marriage_record__status=RecordStatus.REVOKED)
        .select_related("spouse_a", "spouse_b")
    )
    for union in unions:
        if union.married_on > died:
            raise _fail(
                "death_date",
                _("This person married after this date of death."),
                code="death_before_marriage",
            )
        if union.dissolved_on is not None and union.dissolved_on > died:
            raise _fail(
                "death_date",
                _("This person divorced after this date of death."),
                code="death_before_divorce",
            )
        survivor = union.spouse_b if union.spouse_a_id == person.pk else union.spouse_a
        bound_until = _earliest(union.dissolved_on, died, survivor.death_date)
        # Only a marriage made while this one still bound: an older overlap is not this death's.
        overlap = _marriage_overlap(survivor, union.married_on, bound_until, exclude=union.pk)
        if overlap == "overlapping_marriage":
            raise _fail(
                "death_date",
                _("The surviving spouse married someone else before this date of death."),
                code="spouse_married_again",
            )
    links = (
        ParentLink.objects.filter(Q(parent=person) | Q(child=person, kind=ParentKind.ADOPTION))
        .exclude(child__status=PersonStatus.VOID)
        .select_related("child", "record")
    )
    for link in links:
        if link.ended_by_id is not None and link.ended_by_id == link.record_id:
            continue  # a revoked recognition or adoption: it never took place
        if link.kind == ParentKind.ADOPTION:
            adopted = link.record.event_date if link.record is not None else None
            if adopted is not None and adopted > died:
                raise _fail(
                    "death_date",
                    _("An adoption by or of this person is dated after this date of death."),
                    code="death_before_adoption",
                )
        elif link.child.birth_date is not None and _died_too_early(
            died, link.child.birth_date, mother=_is_mother(link, person)
        ):
            raise _fail(
                "death_date",
                _(
                    "A child of this person was born after this date of death (for a father, "
                    "more than 300 days after)."
                ),
                code="death_before_child_birth",
            )


def _check_corrected_birth_date(person: Person, born: dt.date) -> None:
    """A registered person's corrected date of birth against what the register holds of their
    life: their own death, their children (born after them; a mother old enough, where a
    registered birth names them as mother) and their marriages (the profile's minimum age on
    the marriage date)."""
    rules = current_profile().registration
    if person.death_date is not None and person.death_date < born:
        raise _fail(
            "birth_date",
            _("The date of death is before the date of birth."),
            code="death_before_birth",
        )
    children = (
        ParentLink.objects.filter(parent=person, child__birth_date__isnull=False)
        .exclude(child__status=PersonStatus.VOID)
        .select_related("child", "record")
    )
    for link in children:
        if link.ended_by_id is not None and link.ended_by_id == link.record_id:
            continue  # a revoked recognition or adoption: it never made them a parent
        child_born = link.child.birth_date
        assert child_born is not None  # filtered above
        if born >= child_born:
            raise _fail(
                "birth_date", _("A parent must be born before the child."), code="born_after_child"
            )
        named_mother = (
            link.kind == ParentKind.BIRTH
            and link.record is not None
            and link.record.data.get("mother") == str(person.pk)
        )
        if named_mother and _years_between(born, child_born) < rules.min_mother_age_warning:
            raise _fail(
                "birth_date",
                _("The mother is too young to be the mother of this child."),
                code="mother_too_young",
            )
    marriages = Union.objects.filter(Q(spouse_a=person) | Q(spouse_b=person)).exclude(
        marriage_record__status=RecordStatus.REVOKED
    )
    for married_on in marriages.values_list("married_on", flat=True):
        if _years_between(born, married_on) < rules.min_marriage_age:
            raise _fail(
                "birth_date",
                _(
                    "With this date of birth, the person would be under the minimum age to "
                    "marry on the date of their marriage."
                ),
                code="under_marriage_age",
            )
    # A parent who recognised them must have been able to have a child born on this date.
    recognitions = ParentLink.objects.filter(
        child=person, kind=ParentKind.RECOGNITION, parent__death_date__isnull=False
    ).select_related("parent")
    for link in recognitions:
        if link.ended_by_id is not None and link.ended_by_id == link.record_id:
            continue  # a revoked recognition
        mother = link.parent.sex == Sex.FEMALE
        if _died_too_early(link.parent.death_date, born, mother=mother):
            raise _parent_died_before_birth("birth_date", mother=mother)


def _mother_age(field: str, mother_born: dt.date, child_born: dt.date) -> list[str]:
    """Refuse a mother younger at the birth than the profile's minimum; warn of a minor."""
    rules = current_profile().registration
    age = _years_between(mother_born, child_born)
    if age < rules.min_mother_age_warning:
        raise _fail(field, _("The mother is too young to be the mother of this child."))
    return ["minor_mother"] if age < rules.age_of_majority else []


def _earliest(*days: dt.date | None) -> dt.date | None:
    known = [d for d in days if d is not None]
    return min(known) if known else None


def _marriage_overlap(
    person: Person, start: dt.date, end: dt.date | None, *, exclude: int | None = None
) -> str:
    """Whether a marriage of `person` from `start` until `end` (None: not ended) overlaps
    another of their marriages: one still binding on `start` ("already_married"), or one made
    later while it still bound ("overlapping_marriage"); "" if neither.

    Judged by the register's dates, not by today's status: a marriage binds from its date
    until its divorce or the first death of a spouse (a widow's later marriage is free, a
    late-registered one dated before the death is not). One whose registration was revoked
    never bound; one ended by a death of unknown date binds no longer."""
    unions = (
        Union.objects.filter(Q(spouse_a=person) | Q(spouse_b=person))
        .exclude(marriage_record__status=RecordStatus.REVOKED)
        .select_related("spouse_a", "spouse_b")
    )
    if exclude is not None:
        unions = unions.exclude(pk=exclude)
    later = False
    for union in unions:
        spouses = (union.spouse_a, union.spouse_b)
        if any(s.status == PersonStatus.DECEASED and s.death_date is None for s in spouses):
            continue
        ended = _earliest(union.dissolved_on, *(s.death_date for s in spouses))
        if ended is not None and ended <= max(start, union.married_on):
            continue  # ended by then, or never bound (dissolved on its own day)
        if union.married_on <= start:
            return "already_married"
        if end is None or union.married_on < end:
            later = True
    return "overlapping_marriage" if later else ""


def _check_no_other_marriage(
    person: Person, field: str, start: dt.date, end: dt.date | None, *, exclude: int | None = None
) -> None:
    """Refuse a marriage of `person` from `start` to `end` that overlaps another of theirs.
    `field` is the spouse's, or the marriage date's when a correction of it is refused."""
    overlap = _marriage_overlap(person, start, end, exclude=exclude)
    on_date = _is_date_field(field)
    if overlap == "already_married":
        message = (
            _("On this date a spouse was still married to someone else.")
            if on_date
            else _("This person is already married.")
        )
        raise _fail(field, message, code="already_married")
    if overlap:
        message = (
            _("A spouse married someone else later, while this marriage would still be open.")
            if on_date
            else _(
                "This person married someone else later, while this marriage would still be open."
            )
        )
        raise _fail(field, message, code="overlapping_marriage")


def _union_between(a: Person, b: Person) -> Union | None:
    return Union.objects.filter(
        Q(spouse_a=a, spouse_b=b) | Q(spouse_a=b, spouse_b=a), dissolved_on__isnull=True
    ).first()


def adoption_ends_prior_parentage(data: dict[str, Any]) -> bool:
    """Whether an adoption with these form data ends the child's earlier parentage."""
    rules = current_profile().registration
    return rules.adoption_ends_prior_parentage(str(data.get("adoption_kind", "")))


def end_prior_parentage(
    *, record_id: uuid.UUID, child_id: uuid.UUID, adopters: Iterable[uuid.UUID], on: dt.date
) -> list[str]:
    """End, by the adoption `record_id`, the child's parent links other than to the adopters
    and to a parent married to an adopter on the adoption date (a step-parent adoption
    keeps that parent). Returns the ids of the parents whose link it ended."""
    adopter_ids = set(adopters)
    spouses_of_adopters = {
        spouse
        for a, b in Union.objects.filter(
            Q(spouse_a_id__in=adopter_ids) | Q(spouse_b_id__in=adopter_ids),
            married_on__lte=on,
        )
        .exclude(marriage_record__status=RecordStatus.REVOKED)
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=on))
        .values_list("spouse_a_id", "spouse_b_id")
        for spouse in (a, b)
    }
    ending = ParentLink.objects.filter(child_id=child_id, ended_by__isnull=True).exclude(
        parent_id__in=adopter_ids | spouses_of_adopters
    )
    ended = sorted({str(pid) for pid in ending.values_list("parent_id", flat=True)})
    ending.update(ended_by_id=record_id)
    return ended


def municipality(code: str | None) -> Jurisdiction | None:
    return jurisdictions.municipality(code) if code else None


def create_person(
    *,
    given_names: str,
    first_surname: str,
    second_surname: str,
    sex: str,
    birth_date: dt.date | None,
    birth_state: str,
    birth_place: Jurisdiction | None,
    jurisdiction: Jurisdiction,
    source: str,
    source_reference: str = "",
    romanised_name: str = "",
    mother: Person | None = None,
    father: Person | None = None,
    record: VitalRecord | None = None,
    assign_id: bool = True,
) -> Person:
    person = Person(
        given_names=given_names,
        first_surname=first_surname,
        second_surname=second_surname,
        romanised_name=romanised_name,
        sex=sex,
        birth_date=birth_date,
        birth_place=birth_place,
        jurisdiction=jurisdiction,
        source=source,
        source_reference=source_reference,
        search_name=search_name(given_names, first_surname, second_surname),
    )
    if assign_id:
        # Written once, with its ID: an update would rewrite every index of the row.
        identity.insert_with_national_id(person, birth_state=birth_state)
    else:
        person.save(force_insert=True)
    for parent in (mother, father):
        if parent is not None:
            ParentLink.objects.create(
                child=person, parent=parent, kind=ParentKind.BIRTH, record=record
            )
    store_match_keys(
        person,
        new_with_parents=(person_name(mother), person_name(father)),
    )
    return person


#: The persons in the register an event changes, by event type.
_CHANGED_PERSONS: dict[str, tuple[str, ...]] = {
    "death": ("deceased",),
    "marriage": ("spouse_a", "spouse_b"),
    "divorce": ("spouse_a", "spouse_b"),
    "recognition": ("child", "recognising_parent"),
    "adoption": ("child", "adoptive_parent_a", "adoptive_parent_b"),
}


def _lock_changed_persons(record: VitalRecord) -> None:
    """Make two registrations changing one person wait for each other, so the second checks
    the register as the first left it: otherwise two marriages of one person, or two divorces
    of one couple, registered at once both pass their checks. In the persons' id order, so
    that two of them never wait for each other's lock."""
    ids = sorted(
        {str(v) for f in _CHANGED_PERSONS.get(record.event_type, ()) if (v := record.data.get(f))}
    )
    if ids:
        list(Person.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))


def apply_registration(record: VitalRecord) -> dict[str, Any]:
    _lock_changed_persons(record)
    check_event_against_register(record)
    data = record.data
    kind = record.event_type
    if kind == "birth":
        child = create_person(
            given_names=data["given_names"],
            first_surname=data["first_surname"],
            second_surname=data.get("second_surname", ""),
            romanised_name=romanised_name(data),
            sex=data["sex"],
            birth_date=_date(data, "birth_date"),
            birth_state=data.get("birth_state", ""),
            birth_place=municipality(data.get("birth_municipality")),
            jurisdiction=record.office,
            source=PersonSource.BIRTH,
            mother=_person(data, "mother"),
            father=_person(data, "father"),
            record=record,
        )
        record.subject = child
        return {"person": str(child.pk), "national_id": child.national_id}
    if kind == "death":
        person = _person(data, "deceased")
        assert person is not None  # checked at declaration
        person.status = PersonStatus.DECEASED
        person.death_date = _date(data, "death_date")
        person.save(update_fields=["status", "death_date"])
        return {"person": str(person.pk)}
    if kind == "marriage":
        a, b = _person(data, "spouse_a"), _person(data, "spouse_b")
        assert a is not None and b is not None
        married_on = _date(data, "marriage_date")
        assert married_on is not None
        union = Union.objects.create(
            spouse_a=a, spouse_b=b, married_on=married_on, marriage_record=record
        )
        return {"union": union.pk}
    if kind == "divorce":
        a, b = _person(data, "spouse_a"), _person(data, "spouse_b")
        assert a is not None and b is not None
        open_union = _union_between(a, b)
        assert open_union is not None
        open_union.dissolved_on = _date(data, "divorce_date")
        open_union.divorce_record = record
        open_union.save(update_fields=["dissolved_on", "divorce_record"])
        return {"union": open_union.pk}
    adopted = _person(data, "child")
    assert adopted is not None
    link_kind = ParentKind.RECOGNITION if kind == "recognition" else ParentKind.ADOPTION
    linked = []
    for field in _parent_fields(kind):
        parent = _person(data, field)
        if parent is not None:
            ParentLink.objects.get_or_create(
                child=adopted, parent=parent, kind=link_kind, defaults={"record": record}
            )
            linked.append(str(parent.pk))
    effect: dict[str, Any] = {"child": str(adopted.pk), "parents": linked}
    if kind == "adoption" and adoption_ends_prior_parentage(data):
        adopted_on = _date(data, "adoption_date")
        assert adopted_on is not None  # a required field
        effect["ended_parents"] = end_prior_parentage(
            record_id=record.pk,
            child_id=adopted.pk,
            adopters=[uuid.UUID(p) for p in linked],
            on=adopted_on,
        )
    return effect


def _parent_fields(kind: str) -> tuple[str, ...]:
    if kind == "recognition":
        return ("recognising_parent",)
    return ("adoptive_parent_a", "adoptive_parent_b")


_PERSON_FIELDS = ("given_names", "first_surname", "second_surname", "sex", "birth_date")
_NAME_FIELDS = frozenset({"given_names", "first_surname", "second_surname"})
_BIRTH_PARENTS = ("mother", "father")


def apply_correction(
    record: VitalRecord, before: dict[str, Any], after: dict[str, Any]
) -> dict[str, Any]:
    """Carry an amendment of a registered record into the register. A birth: the person's
    fields, birth place and parents, a new ID if its data changed, and the blocking keys of the
    person and of their children (whose keys carry their parents' names). Another event: its
    date (`_correct_other_event`)."""
    if record.event_type != "birth":
        return _correct_other_event(record, after)
    if record.subject is None:
        return {}
    person = record.subject
    if {"birth_date", "mother_birth_date", "father_birth_date", *_BIRTH_PARENTS} & after.keys():
        # The parents against the corrected birth: a parent born after the child is refused.
        check_event_against_register(record)
    corrected_birth = _date(after, "birth_date")
    if corrected_birth is not None:
        _check_corrected_birth_date(person, corrected_birth)
    result: dict[str, Any] = _relink_parents(record, person, before)
    touched = [f for f in _PERSON_FIELDS if f in after]
    placed = "birth_municipality" in after
    if touched or placed or "birth_state" in after:
        for field in touched:
            value = after[field]
            setattr(person, field, _date(after, field) if field == "birth_date" else (value or ""))
        if placed:
            person.birth_place = municipality(after["birth_municipality"])
        person.search_name = search_name(
            person.given_names, person.first_surname, person.second_surname
        )
        person.romanised_name = romanised_name(record.data)
        person.save()
        old_id = person.national_id
        identity.reassign_if_changed(person, birth_state=record.data.get("birth_state", ""))
        if person.national_id != old_id:
            result.update(national_id_before=old_id, national_id_after=person.national_id)
    if touched or placed or result:
        store_match_keys(person)
    if _NAME_FIELDS.intersection(touched) or "sex" in touched:
        # A child's keys hold the mother's name, or the father's when no mother is known.
        children = ParentLink.objects.filter(parent=person, kind=ParentKind.BIRTH)
        rebuild_match_keys_of([str(c) for c in children.values_list("child_id", flat=True)])
    return result


def _correct_other_event(record: VitalRecord, after: dict[str, Any]) -> dict[str, Any]:
    """A registered death, marriage or divorce: its corrected date reaches the register, unless
    the register holds what it contradicts (a death before the birth or before another event
    of the person's life, `_check_death_date`; a marriage after its divorce, of a spouse under
    age or already dead, or overlapping another marriage of a spouse; a divorce before the
    marriage or after a spouse's death). A recognition or an adoption: its date must not
    precede the child's birth, nor, for an adoption, the death of the child or of an adopter;
    an adoption's corrected date or kind decides again which earlier parents it ends
    (`_adoption_corrected`).
    Naming another person is refused: the register's links were made for the persons named
    at registration, and moving them is a revocation and a new declaration. Returns what
    changed in the register beyond the record, for the journal."""
    for field in events.PERSON_REFS[record.event_type]:
        if field in after:
            raise _fail(
                field,
                _(
                    "A registered record cannot be corrected to name another person: revoke "
                    "its registration and declare the event again."
                ),
                code="person_changed",
            )
    kind = record.event_type
    rules = current_profile().registration
    if kind == "death" and "death_date" in after:
        deceased = _person(record.data, "deceased")
        died = _date(after, "death_date")
        if deceased is not None and died is not None:
            _check_death_date(deceased, died)
        Person.objects.filter(pk=record.data["deceased"]).update(death_date=died)
    elif kind == "marriage" and "marriage_date" in after:
        married = _date(after, "marriage_date")
        union = Union.objects.filter(marriage_record=record).first()
        if union is not None and married is not None:
            if union.dissolved_on is not None and married > union.dissolved_on:
                raise _fail("marriage_date", _("The date of the marriage is after its end."))
            for spouse in (union.spouse_a, union.spouse_b):
                if (
                    spouse.birth_date
                    and _years_between(spouse.birth_date, married) < rules.min_marriage_age
                ):
                    raise _fail(
                        "marriage_date",
                        _("On this date a spouse would be under the minimum age to marry."),
                        code="under_marriage_age",
                    )
            spouses = (union.spouse_a, union.spouse_b)
            ends = _earliest(union.dissolved_on, *(s.death_date for s in spouses))
            for spouse in spouses:
                if spouse.death_date is not None and spouse.death_date < married:
                    raise _died_before_event("marriage_date")
                _check_no_other_marriage(spouse, "marriage_date", married, ends, exclude=union.pk)
            union.married_on = married
            union.save(update_fields=["married_on"])
    elif kind == "divorce" and "divorce_date" in after:
        divorced = _date(after, "divorce_date")
        union = Union.objects.filter(divorce_record=record).first()
        if union is not None and divorced is not None:
            if divorced < union.married_on:
                raise _divorce_before_marriage()
            spouses = (union.spouse_a, union.spouse_b)
            ends = _earliest(divorced, *(s.death_date for s in spouses))
            for spouse in spouses:
                if spouse.death_date is not None and spouse.death_date < divorced:
                    raise _died_before_event("divorce_date")
                # Dissolved later, the marriage may now reach into a spouse's next one.
                if (
                    _marriage_overlap(spouse, union.married_on, ends, exclude=union.pk)
                    == "overlapping_marriage"
                ):
                    raise _fail(
                        "divorce_date",
                        _(
                            "A spouse married someone else later, while this marriage would "
                            "still be open."
                        ),
                        code="overlapping_marriage",
                    )
            union.dissolved_on = divorced
            union.save(update_fields=["dissolved_on"])
    elif kind in ("recognition", "adoption") and events.EVENT_DATE_FIELD[kind] in after:
        child = _person(record.data, "child")
        _check_after_child_birth(kind, record.data, child)
        _check_alive_for_parentage(kind, record.data, child, on_field=events.EVENT_DATE_FIELD[kind])
    if kind == "adoption" and {"adoption_date", "adoption_kind"} & after.keys():
        return _adoption_corrected(record)
    return {}


def _adoption_corrected(adoption: VitalRecord) -> dict[str, Any]:
    """The earlier parentage a registered adoption ends depends on its kind and, for the
    step-parent married to an adopter, on its date: after a correction of either, the links
    it had ended come back and those the corrected adoption ends are ended again. Returns the
    parents whose link came back and those whose link it now ends, if they differ."""
    child_id = adoption.subject_id
    if child_id is None:
        return {}
    ended_before = ParentLink.objects.filter(ended_by=adoption).exclude(record=adoption)
    was = {str(pid) for pid in ended_before.values_list("parent_id", flat=True)}
    ended_before.update(ended_by=None)
    now: set[str] = set()
    if adoption_ends_prior_parentage(adoption.data):
        adopted_on = _date(adoption.data, "adoption_date")
        assert adopted_on is not None  # a required field
        now = set(
            end_prior_parentage(
                record_id=adoption.pk,
                child_id=child_id,
                adopters=ParentLink.objects.filter(record=adoption).values_list(
                    "parent_id", flat=True
                ),
                on=adopted_on,
            )
        )
    if was == now:
        return {}
    return {"parents_restored": sorted(was - now), "parents_ended": sorted(now - was)}


def _relink_parents(record: VitalRecord, child: Person, before: dict[str, Any]) -> dict[str, Any]:
    """Point the child's birth links at the parents the corrected record names (the journal
    keeps whom it named before); returns the parents added and removed, if any."""
    # `before` holds the changed fields only: the others named the same parent before.
    was = {field: before.get(field, record.data.get(field)) for field in _BIRTH_PARENTS}
    named_before = {str(value) for value in was.values() if value}
    named_now = {str(record.data[f]) for f in _BIRTH_PARENTS if record.data.get(f)}
    removed, added = sorted(named_before - named_now), sorted(named_now - named_before)
    if not removed and not added:
        return {}
    ParentLink.objects.filter(child=child, parent_id__in=removed, kind=ParentKind.BIRTH).delete()
    for parent_id in added:
        ParentLink.objects.get_or_create(
            child=child, parent_id=parent_id, kind=ParentKind.BIRTH, defaults={"record": record}
        )
    return {"parents_removed": removed, "parents_added": added}


def revoke_registration(record: VitalRecord) -> dict[str, Any]:
    if record.event_type == "birth" and record.subject_id:
        Person.objects.filter(pk=record.subject_id).update(status=PersonStatus.VOID)
    elif record.event_type == "death" and record.subject_id:
        Person.objects.filter(pk=record.subject_id).update(
            status=PersonStatus.ALIVE, death_date=None
        )
    elif record.event_type in ("recognition", "adoption"):
        # Its own links end with it; the links it had ended come back.
        ParentLink.objects.filter(ended_by=record).exclude(record=record).update(ended_by=None)
        ParentLink.objects.filter(record=record, ended_by__isnull=True).update(ended_by=record)
    elif record.event_type == "marriage":
        # Ended on the day it began; a union already ended by a divorce keeps the divorce's
        # date. Either way its revoked record says it never bound.
        union = Union.objects.filter(marriage_record=record).first()
        if union is not None:
            if union.dissolved_on is None:
                union.dissolved_on = union.married_on
                union.save(update_fields=["dissolved_on"])
            return {"union": union.pk}
    elif record.event_type == "divorce":
        return _reopen_union(record)
    return {}


def _reopen_union(divorce: VitalRecord) -> dict[str, Any]:
    """The marriage the revoked `divorce` had dissolved binds again, unless its own
    registration was revoked meanwhile: then it stays ended as that revocation left it.
    The journal keeps which union it was, for a reinstatement."""
    union = Union.objects.filter(divorce_record=divorce).select_related("marriage_record").first()
    if union is None:
        return {}
    revoked = union.marriage_record.status == RecordStatus.REVOKED
    union.dissolved_on = union.married_on if revoked else None
    union.divorce_record = None
    union.save(update_fields=["dissolved_on", "divorce_record"])
    return {"union": union.pk}


def reinstate_registration(record: VitalRecord) -> dict[str, Any]:
    _lock_changed_persons(record)
    if record.event_type == "birth" and record.subject_id:
        Person.objects.filter(pk=record.subject_id).update(status=PersonStatus.ALIVE)
    elif record.event_type == "death" and record.subject_id:
        # The register may have gained, since the revocation, an event of the living person.
        died = _date(record.data, "death_date")
        if died is not None and record.subject is not None:
            _check_death_date(record.subject, died)
        Person.objects.filter(pk=record.subject_id).update(
            status=PersonStatus.DECEASED, death_date=died
        )
    elif record.event_type in ("recognition", "adoption"):
        _check_alive_for_parentage(record.event_type, record.data, _person(record.data, "child"))
        ParentLink.objects.filter(record=record, ended_by=record).update(ended_by=None)
        if record.event_type == "adoption" and adoption_ends_prior_parentage(record.data):
            adopted_on = _date(record.data, "adoption_date")
            assert adopted_on is not None and record.subject_id is not None
            end_prior_parentage(
                record_id=record.pk,
                child_id=record.subject_id,
                adopters=ParentLink.objects.filter(record=record).values_list(
                    "parent_id", flat=True
                ),
                on=adopted_on,
            )
    elif record.event_type == "marriage":
        union = Union.objects.filter(marriage_record=record, divorce_record__isnull=True).first()
        if union is not None:
            ends = _earliest(union.spouse_a.death_date, union.spouse_b.death_date)
            for field, spouse in (("spouse_a", union.spouse_a), ("spouse_b", union.spouse_b)):
                if spouse.death_date is not None and spouse.death_date < union.married_on:
                    raise _died_before_event(field)
                if _marriage_overlap(spouse, union.married_on, ends, exclude=union.pk):
                    raise _fail(
                        field,
                        _("This person has married again since; the marriage cannot return."),
                        code="already_married",
                    )
            union.dissolved_on = None
            union.save(update_fields=["dissolved_on"])
    elif record.event_type == "divorce":
        return _close_union_again(record)
    return {}


def _close_union_again(divorce: VitalRecord) -> dict[str, Any]:
    """The reinstated `divorce` dissolves again the union its revocation reopened, unless
    another divorce has dissolved it since."""
    revocation = divorce.actions.filter(action="revoke").order_by("-seq").first()
    union_id = revocation.payload.get("union") if revocation is not None else None
    if union_id is None:
        # Revoked before revocations reopened the union: it is still dissolved by this divorce.
        return {}
    # Only a union no divorce holds: a divorce registered meanwhile wins, even one
    # committing now.
    closed = Union.objects.filter(pk=union_id, divorce_record__isnull=True).update(
        dissolved_on=_date(divorce.data, "divorce_date"), divorce_record=divorce
    )
    if closed != 1:
        raise _fail(
            "spouse_b",
            _(
                "This marriage has been dissolved by another divorce since; this divorce "
                "cannot return."
            ),
            code="already_divorced",
        )
    return {"union": union_id}


def person_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
