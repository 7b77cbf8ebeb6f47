"""The plain-statement writes (`core.rows`) land exactly what the ORM would write."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.forms.models import model_to_dict

from ventanilla.core import rows
from ventanilla.core.models import Jurisdiction, User
from ventanilla.registry.models import Person, PersonMatchKey, RecordAction, VitalRecord
from ventanilla.registry.tests.factories import imported_person

pytestmark = pytest.mark.django_db

DATA = {"given_names": "José Ñoño", "first_surname": "O'Brien", "note": "서연 " + "x" * 500}


def _record(office: Jurisdiction) -> VitalRecord:
    return VitalRecord(
        event_type="birth",
        status="declared",
        version=1,
        office=office,
        data=DATA,
        event_date=dt.date(2024, 2, 29),
        late=True,
        duplicates_pending=True,
    )


def _comparable(record: VitalRecord) -> dict[str, Any]:
    fields = model_to_dict(record)
    for name in ("id", "created_at", "updated_at"):
        fields.pop(name, None)
    return fields


def test_an_insert_writes_what_save_writes(offices: dict[str, Jurisdiction]) -> None:
    saved = _record(offices["a"])
    saved.save(force_insert=True)
    inserted = _record(offices["a"])
    assert rows.insert(inserted) is True
    assert inserted._state.adding is False
    again = VitalRecord.objects.get(pk=inserted.pk)
    assert _comparable(again) == _comparable(VitalRecord.objects.get(pk=saved.pk))
    assert again.data == DATA
    assert again.created_at is not None
    assert again.created_at == inserted.created_at  # auto_now_add was applied once


def test_a_taken_value_is_skipped_and_the_transaction_goes_on(
    offices: dict[str, Jurisdiction],
) -> None:
    born = dt.date(1990, 1, 1)
    first = imported_person(offices["a"], "Ana", "López", born=born)
    first.national_id = "LOAA900101MDFPNN09"
    assert rows.insert(first, skip_if_taken="national_id") is True
    with transaction.atomic():
        second = imported_person(offices["a"], "Ana", "López", born=born)
        second.national_id = first.national_id
        assert rows.insert(second, skip_if_taken="national_id") is False
        assert second._state.adding is True
        # Still usable, with no savepoint: the next statement works.
        assert Person.objects.filter(national_id=first.national_id).count() == 1
    assert not Person.objects.filter(pk=second.pk).exists()


def test_another_constraint_still_fails(offices: dict[str, Jurisdiction]) -> None:
    born = dt.date(1990, 1, 1)
    first = imported_person(offices["a"], "Ana", "López", born=born)
    first.source_reference = "LEGACY-1"
    rows.insert(first)
    twin = imported_person(offices["a"], "Ana", "López", born=born)
    twin.source_reference = "LEGACY-1"
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.insert(twin, skip_if_taken="national_id")


def test_insert_all_writes_every_row(offices: dict[str, Jurisdiction]) -> None:
    person = imported_person(offices["a"], "Ana", "López", born=dt.date(1990, 1, 1))
    person.save()
    keys = [PersonMatchKey(key=f"k:{n}", person_id=person.pk) for n in range(7)]
    rows.insert_all(keys)
    rows.insert_all([])
    assert sorted(person.match_keys.values_list("key", flat=True)) == [f"k:{n}" for n in range(7)]


def _action(record: VitalRecord, actor: User, action: str) -> RecordAction:
    return RecordAction(
        record=record,
        seq=0,
        action=action,
        actor=actor,
        actor_role="registrar",
        office_id=record.office_id,
        at=dt.datetime.now(dt.UTC),
        status_after="declared",
        payload={"ñ": "ü"},
    )


def test_insert_next_numbers_each_journal_from_one(
    offices: dict[str, Jurisdiction], registrar: User
) -> None:
    one, two = _record(offices["a"]), _record(offices["a"])
    rows.insert(one)
    rows.insert(two)
    numbers = [
        rows.insert_next(_action(record, registrar, name), number="seq", within="record")
        for record, name in [(one, "create"), (one, "declare"), (two, "create"), (one, "register")]
    ]
    assert numbers == [1, 2, 1, 3]
    journal = list(one.actions.order_by("seq").values_list("seq", "action", "payload"))
    assert journal == [
        (1, "create", {"ñ": "ü"}),
        (2, "declare", {"ñ": "ü"}),
        (3, "register", {"ñ": "ü"}),
    ]
    last = one.actions.get(seq=3)
    assert last.pk is not None


def test_update_only_while_the_version_holds(offices: dict[str, Jurisdiction]) -> None:
    record = _record(offices["a"])
    rows.insert(record)
    written_at = VitalRecord.objects.get(pk=record.pk).updated_at

    record.status = "rejected"
    stale = rows.update(record, ["status"], expect={"version": 7}, increment=["version"])
    assert stale == 0
    assert VitalRecord.objects.get(pk=record.pk).status == "declared"

    changed = rows.update(
        record, ["status", "updated_at"], expect={"version": 1}, increment=["version"]
    )
    assert changed == 1
    again = VitalRecord.objects.get(pk=record.pk)
    assert (again.status, again.version) == ("rejected", 2)
    assert again.updated_at > written_at


def test_a_selected_row_reads_back_as_the_orm_reads_it(offices: dict[str, Jurisdiction]) -> None:
    from django.db import connection

    record = _record(offices["a"])
    record.registered_at = dt.datetime(2024, 3, 1, 12, 30, tzinfo=dt.UTC)
    rows.insert(record)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {rows.select_list(VitalRecord, 'r')} "  # noqa: S608 - model names
            f"FROM {VitalRecord._meta.db_table} AS r WHERE r.id = %s",
            [VitalRecord._meta.pk.get_db_prep_value(record.pk, connection)],
        )
        loaded = rows.from_row(VitalRecord, cursor.fetchone())
    assert isinstance(loaded, VitalRecord)
    by_orm = VitalRecord.objects.get(pk=record.pk)
    assert model_to_dict(loaded) == model_to_dict(by_orm)
    assert loaded.pk == by_orm.pk
    assert loaded.registered_at == by_orm.registered_at
    assert loaded.created_at == by_orm.created_at
    assert loaded._state.adding is False


@pytest.mark.django_db(transaction=True)
def test_values_planned_each_time_only_for_the_transaction() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("plans are PostgreSQL's")

    def mode() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW plan_cache_mode")
            return str(cursor.fetchone()[0])

    with transaction.atomic():
        rows.plan_with_values()
        assert mode() == "force_custom_plan"
    assert mode() == "auto"
    with pytest.raises(RuntimeError):
        rows.plan_with_values()
