"""The access log: appended by every read, chained, and tamper-evident."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from ventanilla.core.access import log_access, verify_chain
from ventanilla.core.models import AccessKind, AccessLogEntry, User

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
    """Change the log as a database superuser could, bypassing the append-only trigger."""
    with connection.cursor() as cursor:
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


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="database trigger")
def test_postgresql_itself_refuses_to_change_the_log(outsider: User) -> None:
    from django.db import DatabaseError, transaction

    _append(outsider, 1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLogEntry.objects.update(purpose="nothing")


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
    import uuid

    from ventanilla.core.models import AccessLogSubject

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
