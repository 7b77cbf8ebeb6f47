"""Seeding a synthetic population, as a demo or a benchmark uses it."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import translation

from ventanilla.core.models import (
    AccessLogSubject,
    Jurisdiction,
    JurisdictionLevel,
    Role,
    RoleAssignment,
)
from ventanilla.core.profiles import CountryProfile
from ventanilla.registry.bulk import BulkWriter
from ventanilla.registry.dedup import match_record_for_person, parent_names
from ventanilla.registry.idschemes import get_scheme
from ventanilla.registry.management.commands.seed_population import seed_population
from ventanilla.registry.matching import blocking_keys
from ventanilla.registry.models import (
    DuplicateFlag,
    ParentLink,
    Person,
    PersonMatchKey,
    Union,
    VitalRecord,
)
from ventanilla.registry.synthetic import SyntheticPerson, generate
from ventanilla.registry.workflow import RECORD_WORKFLOW

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in English, whatever the profile's language."""
    with translation.override("en"):
        yield


def _synthetic(seed: int) -> list[tuple[str, str | None]]:
    return list(
        Person.objects.filter(source_reference__startswith=f"SYN-{seed}-")
        .order_by("source_reference")
        .values_list("source_reference", "national_id")
    )


def test_seeding_writes_persons_with_valid_unique_ids_in_offices(profile: CountryProfile) -> None:
    outcome = seed_population(size=400, seed=1, duplicates_fraction=0)
    assert outcome.persons == 400
    persons = list(Person.objects.select_related("jurisdiction", "birth_place"))
    assert len(persons) == 400
    scheme = get_scheme(profile.id_scheme)
    ids = [p.national_id for p in persons]
    assert all(i is not None and scheme.is_valid(i) for i in ids)
    assert len(set(ids)) == 400
    for p in persons:
        assert p.jurisdiction.level == JurisdictionLevel.OFFICE
        assert p.birth_place is not None and p.jurisdiction.parent_id == p.birth_place.pk
        assert (p.status == "deceased") == (p.death_date is not None)
    assert ParentLink.objects.count() > 100


def test_stored_match_keys_are_those_the_registry_computes(profile: CountryProfile) -> None:
    seed_population(size=300, seed=2, duplicates_fraction=0)
    persons = list(Person.objects.select_related("birth_place"))
    parents = parent_names([str(p.pk) for p in persons])
    for p in persons:
        expected = blocking_keys(match_record_for_person(p, *parents.get(str(p.pk), ("", ""))))
        stored = set(PersonMatchKey.objects.filter(person=p).values_list("key", flat=True))
        assert stored == expected


def test_marriages_are_registered_records_with_their_journal(profile: CountryProfile) -> None:
    seed_population(size=400, seed=3, duplicates_fraction=0)
    unions = list(Union.objects.select_related("marriage_record", "divorce_record"))
    assert unions
    for union in unions:
        for record in (union.marriage_record, union.divorce_record):
            if record is None:
                continue
            actions = list(record.actions.order_by("seq").values_list("action", flat=True))
            assert RECORD_WORKFLOW.status_of(actions) == record.status == "registered"
            assert record.subject_id == union.spouse_a_id
            assert record.participants.count() == 2
    assert VitalRecord.objects.filter(event_type="marriage").count() == len(unions)


def test_seeding_twice_adds_nothing(profile: CountryProfile) -> None:
    seed_population(size=250, seed=4, duplicates_fraction=0.04)
    before = (
        Person.objects.count(),
        Union.objects.count(),
        VitalRecord.objects.count(),
        PersonMatchKey.objects.count(),
    )
    again = seed_population(size=250, seed=4, duplicates_fraction=0.04)
    assert again.persons == 0
    assert again.existing == 250
    after = (
        Person.objects.count(),
        Union.objects.count(),
        VitalRecord.objects.count(),
        PersonMatchKey.objects.count(),
    )
    assert after == before


def test_skip_existing_does_nothing_once_the_seed_is_there(profile: CountryProfile) -> None:
    out = StringIO()
    call_command("seed_population", size=50, seed=5, stdout=out)
    call_command("seed_population", size=80, seed=5, skip_existing=True, stdout=out)
    assert Person.objects.count() == 50
    assert "nothing to do" in out.getvalue()


def test_a_complete_population_is_recognised_without_being_generated_again(
    profile: CountryProfile,
) -> None:
    seed_population(size=120, seed=7, duplicates_fraction=0, declare=False)
    again = seed_population(size=120, seed=7, duplicates_fraction=0, declare=False)
    assert again.skipped
    assert (again.existing, again.persons) == (120, 0)
    smaller = seed_population(size=60, seed=7, duplicates_fraction=0, declare=False)
    assert smaller.skipped
    assert Person.objects.count() == 120


def test_a_larger_size_continues_the_same_population(profile: CountryProfile) -> None:
    seed_population(size=150, seed=6, duplicates_fraction=0)
    seed_population(size=420, seed=6, duplicates_fraction=0)
    continued = _synthetic(6)
    assert len(continued) == 420
    expected = [
        p
        for p in generate(profile.code, seed=6, size=420, duplicates_fraction=0)
        if isinstance(p, SyntheticPerson)
    ]
    assert {str(p.id) for p in expected} == {
        str(pk) for pk in Person.objects.values_list("pk", flat=True)
    }


def test_an_interrupted_seeding_resumes_where_it_stopped(
    profile: CountryProfile, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"n": 0}
    real_insert = BulkWriter.insert

    def failing(self: BulkWriter, model: Any, *args: Any, **kwargs: Any) -> None:
        if model is Person:
            calls["n"] += 1
            if calls["n"] == 2:
                raise RuntimeError("power cut")
        real_insert(self, model, *args, **kwargs)

    monkeypatch.setattr(BulkWriter, "insert", failing)
    with pytest.raises(RuntimeError):
        seed_population(size=300, seed=7, duplicates_fraction=0, batch_size=100)
    assert Person.objects.count() == 100  # the first batch was committed, the second not
    monkeypatch.setattr(BulkWriter, "insert", real_insert)
    outcome = seed_population(size=300, seed=7, duplicates_fraction=0, batch_size=100)
    assert outcome.existing == 100
    assert outcome.persons == 200
    assert Person.objects.count() == 300
    assert len({n for _r, n in _synthetic(7)}) == 300


def test_near_duplicates_wait_for_review_and_the_truth_file_names_the_original(
    profile: CountryProfile, tmp_path: Path
) -> None:
    truth = tmp_path / "truth.csv"
    outcome = seed_population(size=400, seed=8, duplicates_fraction=0.05, truth_file=truth)
    assert outcome.duplicates == 20
    assert outcome.declared + outcome.not_declared == 20
    assert outcome.declared >= 18
    rows = list(csv.DictReader(truth.open(encoding="utf-8")))
    assert len(rows) == 20
    found = 0
    for row in rows:
        assert Person.objects.filter(
            pk=row["original_person_id"], source_reference=row["original_reference"]
        ).exists()
        if not row["record_id"]:
            continue
        record = VitalRecord.objects.get(pk=row["record_id"])
        assert record.status == "declared"
        candidates = {
            str(c)
            for c in DuplicateFlag.objects.filter(record=record).values_list(
                "candidate_id", flat=True
            )
        }
        found += row["original_person_id"] in candidates
        assert record.duplicates_pending == bool(candidates)
    assert found >= 0.8 * outcome.declared
    # Running again declares nothing twice.
    again = seed_population(size=400, seed=8, duplicates_fraction=0.05, truth_file=truth)
    assert again.declared == outcome.declared
    assert VitalRecord.objects.filter(event_type="birth").count() == outcome.declared
    # The account that declared them may declare at those offices only, nowhere else.
    roles = RoleAssignment.objects.filter(user__username="synthetic-8")
    assert {r.jurisdiction.level for r in roles} == {JurisdictionLevel.OFFICE}
    assert {r.role for r in roles} == {Role.AGENT}
    offices = set(VitalRecord.objects.filter(event_type="birth").values_list("office", flat=True))
    assert {r.jurisdiction_id for r in roles} == offices


def test_seeded_persons_are_not_logged_as_read(profile: CountryProfile) -> None:
    seed_population(size=120, seed=9, duplicates_fraction=0)
    assert not AccessLogSubject.objects.exists()


def test_the_command_reports_what_it_wrote(profile: CountryProfile, tmp_path: Path) -> None:
    out = StringIO()
    call_command(
        "seed_population",
        "--size",
        "60",
        "--seed",
        "10",
        "--duplicates-fraction",
        "0.05",
        "--truth-file",
        str(tmp_path / "t.csv"),
        stdout=out,
    )
    text = out.getvalue()
    assert "60 persons written" in text
    assert "3 near-duplicates" in text
    assert Jurisdiction.objects.filter(level=JurisdictionLevel.OFFICE).exists()


@pytest.mark.django_db(transaction=True)
def test_the_threaded_writer_seeds_the_same_population(profile: CountryProfile) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the threaded writer runs on PostgreSQL only")
    from ventanilla.core.jurisdictions import ensure_country

    ensure_country(profile)
    seed_population(size=700, seed=12, duplicates_fraction=0, batch_size=100, pipeline=True)
    expected = {
        str(p.id)
        for p in generate(profile.code, seed=12, size=700, duplicates_fraction=0)
        if isinstance(p, SyntheticPerson)
    }
    assert {str(pk) for pk in Person.objects.values_list("pk", flat=True)} == expected
    ids = list(Person.objects.values_list("national_id", flat=True))
    assert len(set(ids)) == 700
    assert ParentLink.objects.count() > 100
