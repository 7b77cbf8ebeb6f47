"""Background tasks run on the database worker and can resume."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command

from ventanilla.core.models import User
from ventanilla.registry import services
from ventanilla.registry.models import PersonMatchKey


@pytest.mark.django_db(transaction=True)
def test_rebuilding_keys_on_the_worker_restores_what_was_lost(
    registrar: User, birth_data: Callable[..., dict[str, Any]]
) -> None:
    for index in range(3):
        record = services.record_declare(
            actor=registrar,
            event_type="birth",
            data=birth_data(index, birth_date=f"201{index}-01-0{index + 1}"),
        )
        for flag in record.duplicate_flags.all():
            services.duplicate_decide(
                actor=registrar,
                record_id=record.pk,
                candidate_id=flag.candidate_id,
                is_duplicate=False,
            )
        services.record_register(actor=registrar, record_id=record.pk)
    expected = sorted(PersonMatchKey.objects.values_list("key", "person_id"))
    assert expected
    PersonMatchKey.objects.all().delete()
    call_command("rebuild_match_keys", "--background", "--batch", "2")
    call_command("db_worker", "--batch", "--no-startup-delay")
    assert sorted(PersonMatchKey.objects.values_list("key", "person_id")) == expected


@pytest.mark.django_db
def test_rebuilding_keys_replaces_keys_of_an_older_design(
    registrar: User, birth_data: Callable[..., dict[str, Any]]
) -> None:
    record = services.record_declare(actor=registrar, event_type="birth", data=birth_data(0))
    person_id = services.record_register(actor=registrar, record_id=record.pk).subject_id
    assert person_id is not None
    expected = sorted(PersonMatchKey.objects.filter(person_id=person_id).values_list("key"))
    PersonMatchKey.objects.create(key="old:design", person_id=person_id)
    PersonMatchKey.objects.filter(key=expected[0][0], person_id=person_id).delete()
    call_command("rebuild_match_keys", "--batch", "1")
    assert sorted(PersonMatchKey.objects.filter(person_id=person_id).values_list("key")) == expected
