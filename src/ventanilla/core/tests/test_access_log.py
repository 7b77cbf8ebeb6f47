"""The access log: appended by every read, chained, and tamper-evident."""

from __future__ import annotations

import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from ventanilla.core.access import append_only_lifted, log_access, verify_chain
from ventanilla.core.models import AccessKind, AccessLogEntry, AccessLogSubject, User

PERSON = "5b7c6c1e-2f0e-4a57-9a4e-0d7a8a0c1f11"


def _append(actor: User, n: int) -> None:
    for _ in range(n):
        log_access(
            actor=actor,
            grant=None,
            kind=AccessKind.READ,
            purpose="person.read",
            subject_ids=[PERSON],
        )


def _tamper(sql: str, params: list[int | str]) -> None:
    """Change the log as a database superuser (or whoever holds the SQLite file) could,
    bypassing the append-only triggers."""
    with append_only_lifted(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def test_an_untouched_chain_verifies(outsider: User) -> None:
    _append(outsider, 5)
    report = verify_chain()
    assert report.intact and report.checked == 5
    call_command("verify_access_log")


def test_an_edited_row_is_found_by_the_verifier(outsider: User) -> None:
    _append(outsider, 5)
    third = AccessLogEntry.objects.order_by("id")[2]
    _tamper("UPDATE core_accesslogentry SET purpose = %s WHERE id = %s", ["export", third.id])
    report = verify_chain()
    assert not report.intact
    assert report.first_broken_id == third.id
    with pytest.raises(CommandError, match=str(third.id)):
        call_command("verify_access_log")


def test_a_removed_row_breaks_the_next_link(outsider: User) -> None:
    _append(outsider, 4)
    second, third = AccessLogEntry.objects.order_by("id")[1:3]
    _tamper("DELETE FROM core_accesslogsubject WHERE entry_id = %s", [second.id])
    _tamper("DELETE FROM core_accesslogentry WHERE id = %s", [second.id])
    assert verify_chain().first_broken_id == third.id


CHANGES: dict[str, tuple[str, type[AccessLogEntry] | type[AccessLogSubject]]] = {
    "edit an entry": ("UPDATE core_accesslogentry SET purpose = 'export'", AccessLogEntry),
    "delete an entry": ("DELETE FROM core_accesslogentry", AccessLogEntry),
    "edit a person index row": (
        "UPDATE core_accesslogsubject SET person_id = person_id",
        AccessLogSubject,
    ),
    "delete a person index row": ("DELETE FROM core_accesslogsubject", AccessLogSubject),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_the_database_itself_refuses_to_change_the_log(outsider: User, change: str) -> None:
    _append(outsider, 2)
    sql, model = CHANGES[change]
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert model.objects.count() == 2
    assert verify_chain().intact


def test_the_orm_cannot_change_the_log_either(outsider: User) -> None:
    _append(outsider, 1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLogEntry.objects.update(purpose="nothing")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLogSubject.objects.all().delete()
    assert AccessLogEntry.objects.get().purpose == "person.read"


@pytest.mark.django_db(transaction=True)
def test_emptying_the_database_still_works_and_the_log_stays_append_only(
    outsider: User,
) -> None:
    # As every test that commits is cleaned up.
    _append(outsider, 2)
    call_command("flush", interactive=False)
    assert not AccessLogEntry.objects.exists()
    user = User.objects.create_user(username="after-flush")
    _append(user, 1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLogEntry.objects.update(purpose="nothing")
    assert verify_chain().checked == 1


def test_a_person_hidden_from_the_index_is_found_by_the_verifier(outsider: User) -> None:
    _append(outsider, 4)
    third = AccessLogEntry.objects.order_by("id")[2]
    # The citizen's "who looked at my data" page would no longer show this access.
    _tamper("DELETE FROM core_accesslogsubject WHERE entry_id = %s", [third.id])
    report = verify_chain()
    assert report.first_broken_id == third.id
    assert "persons index" in report.reason
    with pytest.raises(CommandError, match=f"entry {third.id} "):
        call_command("verify_access_log")


def test_a_person_added_to_the_index_is_found_by_the_verifier(outsider: User) -> None:
    _append(outsider, 3)
    second = AccessLogEntry.objects.order_by("id")[1]
    # Inserting is allowed by the triggers: a forged access to someone else's data.
    AccessLogSubject.objects.create(entry=second, person_id=uuid.uuid4())
    report = verify_chain(batch=2)
    assert report.first_broken_id == second.id
    assert report.checked == 1


def test_subjects_are_checked_across_batches(outsider: User) -> None:
    _append(outsider, 7)
    assert verify_chain(batch=3).intact
    last = AccessLogEntry.objects.order_by("id").last()
    assert last is not None
    _tamper("DELETE FROM core_accesslogsubject WHERE entry_id = %s", [last.id])
    assert verify_chain(batch=3).first_broken_id == last.id


def test_the_log_keeps_ids_not_names(outsider: User) -> None:
    entry = log_access(
        actor=outsider,
        grant=None,
        kind=AccessKind.SEARCH,
        purpose="person.search",
        subject_ids=[PERSON, PERSON],
    )
    assert entry.subject_ids == [PERSON]
    assert entry.subjects.count() == 1


def test_an_entry_with_many_persons_indexes_each_of_them(outsider: User) -> None:
    few = [str(uuid.uuid4()) for _ in range(3)]
    many = [str(uuid.uuid4()) for _ in range(450)]  # as a bulk import's batch
    for persons in (few, many):
        entry = log_access(
            actor=outsider,
            grant=None,
            kind=AccessKind.CHANGE,
            purpose="legacy.import",
            subject_ids=persons,
        )
        indexed = AccessLogSubject.objects.filter(entry=entry).values_list("person_id", flat=True)
        assert sorted(str(p) for p in indexed) == sorted(persons)
    assert verify_chain().checked == 2
