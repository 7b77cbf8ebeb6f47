"""The jurisdiction cache answers repeated reads without a query and never serves a stale row
that this process changed."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from ventanilla.core import jurisdictions
from ventanilla.core.models import Jurisdiction


def test_a_second_read_costs_no_query(offices: dict[str, Jurisdiction]) -> None:
    office = offices["a"]
    assert jurisdictions.by_code(office.code) == office
    with CaptureQueriesContext(connection) as queries:
        again = jurisdictions.by_code(office.code)
        by_id = jurisdictions.by_id(office.pk)
    assert again == office
    assert by_id == office  # by id is its own entry, read once
    assert len(queries) == 1


def test_a_saved_change_is_seen_at_once(offices: dict[str, Jurisdiction]) -> None:
    office = offices["a"]
    assert jurisdictions.by_code(office.code) is not None
    office.name = "Oficina renombrada"
    office.save()
    cached = jurisdictions.by_code(office.code)
    assert cached is not None
    assert cached.name == "Oficina renombrada"


def test_callers_get_their_own_copy(offices: dict[str, Jurisdiction]) -> None:
    office = offices["a"]
    first = jurisdictions.by_code(office.code)
    assert first is not None
    first.name = "changed by a caller, never saved"
    second = jurisdictions.by_code(office.code)
    assert second is not None
    assert second.name == office.name


def test_an_unknown_code_is_not_remembered(offices: dict[str, Jurisdiction]) -> None:
    code = f"{offices['a'].code}-NEW"
    assert jurisdictions.by_code(code) is None
    # Created without signals, as a bulk load from another process would.
    Jurisdiction.objects.bulk_create(
        [Jurisdiction(code=code, level="office", name="Nueva", path=f"{offices['a'].path}N.")]
    )
    found = jurisdictions.by_code(code)
    assert found is not None
    assert found.name == "Nueva"


def test_an_entry_expires(offices: dict[str, Jurisdiction], monkeypatch: Any) -> None:
    office = offices["a"]
    assert jurisdictions.by_code(office.code) is not None
    # Renamed without signals, as another process would.
    Jurisdiction.objects.filter(pk=office.pk).update(name="Renombrada fuera")
    cached = jurisdictions.by_code(office.code)
    assert cached is not None
    assert cached.name == office.name
    monkeypatch.setattr(jurisdictions, "CACHE_SECONDS", 0.0)
    fresh = jurisdictions.by_code(office.code)
    assert fresh is not None
    assert fresh.name == "Renombrada fuera"


def test_municipality_by_official_code(offices: dict[str, Jurisdiction]) -> None:
    home = offices["a"].parent
    assert home is not None
    found = jurisdictions.municipality(home.official_code)
    assert found == home
    assert jurisdictions.municipality("no-such-code") is None


def test_a_birthplace_code_is_read_once_and_follows_a_saved_change(
    offices: dict[str, Jurisdiction],
) -> None:
    municipality = offices["a"].parent
    assert municipality is not None
    assert jurisdictions.official_code_of(None) == ""
    assert jurisdictions.official_code_of(municipality.pk) == municipality.official_code
    with CaptureQueriesContext(connection) as queries:
        again = jurisdictions.official_code_of(municipality.pk)
    assert again == municipality.official_code
    assert len(queries) == 0
    municipality.official_code = "99999"
    municipality.save()
    assert jurisdictions.official_code_of(municipality.pk) == "99999"
