"""The access log as an auditor reads it: on the office page and over the API, scoped to the
auditor's jurisdiction, filtered by date, official and purpose, newest first, in pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from ventanilla.core.access import log_access
from ventanilla.core.errors import PermissionDenied
from ventanilla.core.models import (
    AccessKind,
    AccessLogEntry,
    Jurisdiction,
    Role,
    RoleAssignment,
    User,
)
from ventanilla.registry import selectors, services
from ventanilla.registry.models import VitalRecord
from ventanilla.registry.tests.test_pages import page, signed_in

BirthData = Callable[..., dict[str, Any]]
ClientFor = Callable[[User], Client]
MakeUser = Callable[..., User]
API = "/api/v1/access-log"
PAGE = "/office/access-log/"


@pytest.fixture
def state_auditor(offices: dict[str, Jurisdiction], make_user: MakeUser) -> User:
    state = offices["a"].parent.parent  # type: ignore[union-attr]
    return make_user("auditor_state_a", Role.AUDITOR, state)


def _registered(actor: User, data: dict[str, Any]) -> VitalRecord:
    record = services.record_declare(actor=actor, event_type="birth", data=data)
    return services.record_register(actor=actor, record_id=record.pk)


@pytest.fixture
def activity(registrar: User, registrar_b: User, birth_data: BirthData) -> dict[str, Any]:
    """A registration and a search in office A and in office B, and a refused attempt by
    the registrar of B to read A's record."""
    in_a = _registered(registrar, birth_data(0))
    selectors.person_search(actor=registrar, name=str(birth_data(0)["given_names"]))
    in_b = _registered(registrar_b, birth_data(1))
    selectors.person_search(actor=registrar_b, name=str(birth_data(1)["given_names"]))
    with pytest.raises(PermissionDenied):
        selectors.record_detail(actor=registrar_b, record_id=in_a.pk)
    return {"a": in_a, "b": in_b}


def test_a_state_auditor_sees_the_rows_of_their_state_only(
    state_auditor: User, activity: dict[str, Any]
) -> None:
    response = signed_in(state_auditor).get(PAGE)
    assert response.status_code == 200
    html = page(response)
    assert "registrar_a" in html
    assert "registrar_b" not in html  # neither B's work nor B's refused attempt in A
    assert 'data-label="Purpose">Searched the register<' in html
    assert 'data-label="Role">Registrar<' in html
    # Counts, not persons: the page links to nobody's entry in the register.
    assert "/office/persons/" not in html
    assert str(activity["a"].subject_id) not in html


def test_a_national_auditor_sees_every_row_including_refusals(
    auditor: User, activity: dict[str, Any]
) -> None:
    html = page(signed_in(auditor).get(PAGE))
    assert "registrar_a" in html and "registrar_b" in html
    assert 'data-label="Access">Attempt refused<' in html


def test_the_page_filters_by_official_purpose_and_date(
    auditor: User, activity: dict[str, Any]
) -> None:
    client = signed_in(auditor)
    only_b = page(client.get(PAGE, {"actor": "registrar_b"}))
    assert "registrar_b" in only_b and "registrar_a" not in only_b
    searches = page(client.get(PAGE, {"purpose": "person.search"}))
    assert searches.count('data-label="Purpose">Searched the register<') == 2
    assert 'data-label="Purpose">Registered a vital record<' not in searches
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    later = page(client.get(PAGE, {"date_from": tomorrow}))
    assert "No access matches these filters." in later
    today = timezone.localdate().isoformat()
    assert "registrar_a" in page(client.get(PAGE, {"date_from": today, "date_to": today}))


def test_the_last_representable_day_bounds_nothing(
    auditor: User, activity: dict[str, Any], api_client: ClientFor
) -> None:
    everything = {"date_from": "0001-01-01", "date_to": "9999-12-31"}
    response = signed_in(auditor).get(PAGE, everything)
    assert response.status_code == 200
    assert "registrar_a" in page(response)
    assert api_client(auditor).get(API, everything).json()["entries"]


def test_an_inverted_date_range_is_refused_with_the_reason(auditor: User) -> None:
    response = signed_in(auditor).get(PAGE, {"date_from": "2025-02-01", "date_to": "2025-01-01"})
    assert response.status_code == 422
    assert "The end date is before the start date." in page(response)


def test_a_registrar_cannot_read_the_access_log_and_the_attempt_is_logged(
    registrar: User, api_client: ClientFor
) -> None:
    assert signed_in(registrar).get(PAGE).status_code == 403
    assert api_client(registrar).get(API).status_code == 403
    refused = AccessLogEntry.objects.filter(
        actor=registrar, kind=AccessKind.DENIED, purpose="access_log.read"
    )
    assert refused.count() == 2


def test_reading_the_log_shows_no_personal_data_and_is_not_logged(
    auditor: User, activity: dict[str, Any], api_client: ClientFor
) -> None:
    before = AccessLogEntry.objects.count()
    signed_in(auditor).get(PAGE)
    api_client(auditor).get(API)
    assert AccessLogEntry.objects.count() == before


def test_the_navigation_offers_the_log_to_those_who_may_read_it(
    auditor: User, registrar: User, make_user: MakeUser, offices: dict[str, Jurisdiction]
) -> None:
    admin = make_user("admin", Role.NATIONAL_ADMIN, offices["country"])
    link = f'href="{PAGE}"'
    assert link in page(signed_in(auditor).get("/"))
    assert link in page(signed_in(admin).get("/"))
    assert link not in page(signed_in(registrar).get("/"))


def test_an_auditor_is_offered_no_page_they_would_be_refused(
    auditor: User, registrar: User
) -> None:
    """The auditor reads logs only: no review queue, declaration or search links."""
    office_pages = ('href="/office/"', 'href="/office/declare/"', 'href="/office/search/"')
    auditor_home = page(signed_in(auditor).get("/"))
    registrar_home = page(signed_in(registrar).get("/"))
    for link in office_pages:
        assert link not in auditor_home
        assert link in registrar_home


def test_the_api_returns_the_rows_of_the_jurisdiction_with_counts(
    state_auditor: User, activity: dict[str, Any], api_client: ClientFor
) -> None:
    response = api_client(state_auditor).get(API)
    assert response.status_code == 200, response.content
    entries = response.json()["entries"]
    assert entries and {e["actor"] for e in entries} == {"registrar_a"}
    assert {e["office"] for e in entries} == {activity["a"].office.code}
    ids = [e["id"] for e in entries]
    assert ids == sorted(ids, reverse=True)  # newest first
    search = next(e for e in entries if e["purpose"] == "person.search")
    assert search["persons"] == 1 and search["role"] == "registrar"
    assert set(search) == {
        "id",
        "at",
        "actor",
        "role",
        "office",
        "office_name",
        "kind",
        "purpose",
        "request_id",
        "persons",
    }


def test_the_api_filters_and_refuses_an_inverted_range(
    auditor: User, activity: dict[str, Any], api_client: ClientFor
) -> None:
    client = api_client(auditor)
    refused = client.get(API, {"kind": "denied"}).json()["entries"]
    assert [(e["actor"], e["purpose"]) for e in refused] == [("registrar_b", "record.read")]
    assert refused[0]["office"] is None and refused[0]["persons"] >= 1
    mine = client.get(API, {"actor": "registrar_b", "purpose": "person.search"}).json()
    assert [e["actor"] for e in mine["entries"]] == ["registrar_b"]
    bad = client.get(API, {"date_from": "2025-02-01", "date_to": "2025-01-01"})
    assert bad.status_code == 422
    assert "date_to" in bad.json()["error"]["fields"]


def test_the_log_is_read_in_pages_newest_first(
    auditor: User, registrar: User, offices: dict[str, Jurisdiction], api_client: ClientFor
) -> None:
    grant = RoleAssignment.objects.get(user=registrar)
    written = [
        log_access(
            actor=registrar,
            grant=grant,
            kind=AccessKind.READ,
            purpose="record.read",
            subject_ids=[],
        ).pk
        for _ in range(5)
    ]
    client = api_client(auditor)
    first = client.get(API, {"limit": 2}).json()
    assert [e["id"] for e in first["entries"]] == [written[4], written[3]]
    assert first["newer"] is None
    second = client.get(API, {"limit": 2, "before": first["older"]}).json()
    assert [e["id"] for e in second["entries"]] == [written[2], written[1]]
    back = client.get(API, {"limit": 2, "after": second["newer"]}).json()
    assert back["entries"] == first["entries"]
    last = client.get(API, {"limit": 2, "before": second["older"]}).json()
    assert [e["id"] for e in last["entries"]] == [written[0]] and last["older"] is None

    # The page links to the newer rows and the newest with the filters and nothing else.
    html = page(signed_in(auditor).get(PAGE, {"purpose": "record.read", "before": str(written[3])}))
    assert html.count('data-label="Purpose">Read a vital record<') == 3
    assert f'href="{PAGE}?purpose=record.read&amp;after={written[2]}"' in html
    assert f'href="{PAGE}?purpose=record.read"' in html
    assert 'rel="next"' not in html  # nothing older
