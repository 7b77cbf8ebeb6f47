"""Reads that show personal data leave a row in the access log of every person they show:
the review queue (over the API and on the page) and a person's family on their page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.test import Client

from ventanilla.core.models import AccessKind, AccessLogEntry, Jurisdiction, User
from ventanilla.registry import services
from ventanilla.registry.models import Person, VitalRecord
from ventanilla.registry.selectors import citizen_access_log
from ventanilla.registry.tests.test_pages import signed_in

BirthData = Callable[..., dict[str, Any]]
ClientFor = Callable[[User], Client]


def _registered(actor: User, data: dict[str, Any]) -> Person:
    record = services.record_declare(actor=actor, event_type="birth", data=data)
    record = services.record_register(actor=actor, record_id=record.pk)
    assert record.subject_id is not None
    return Person.objects.get(pk=record.subject_id)


def _queue_reads(actor: User) -> list[AccessLogEntry]:
    return list(AccessLogEntry.objects.filter(actor=actor, purpose="record.queue"))


def test_reading_the_queue_over_the_api_is_logged_with_the_persons_it_names(
    registrar: User, birth_data: BirthData, api_client: ClientFor
) -> None:
    mother = _registered(registrar, birth_data(2))
    Person.objects.filter(pk=mother.pk).update(birth_date=dt.date(1990, 1, 1))
    services.record_declare(
        actor=registrar, event_type="birth", data=birth_data(1, mother=str(mother.pk))
    )
    response = api_client(registrar).get("/api/v1/registry/queue")
    assert response.status_code == 200
    assert len(response.json()["records"]) == 1
    [entry] = _queue_reads(registrar)
    assert entry.kind == AccessKind.READ and entry.actor_role == "registrar"
    assert entry.subject_ids == [str(mother.pk)]
    # The mother sees it among the accesses to her data.
    assert entry in citizen_access_log(person=mother).rows


def test_a_queue_of_declarations_naming_nobody_still_leaves_a_row(
    registrar: User, birth_data: BirthData, api_client: ClientFor
) -> None:
    services.record_declare(actor=registrar, event_type="birth", data=birth_data(0))
    assert api_client(registrar).get("/api/v1/registry/queue").status_code == 200
    [entry] = _queue_reads(registrar)
    assert entry.subject_ids == []


def test_the_queue_page_is_logged_and_an_empty_queue_is_not(
    registrar: User, birth_data: BirthData
) -> None:
    client = signed_in(registrar)
    assert client.get("/office/").status_code == 200
    assert _queue_reads(registrar) == []
    declared = services.record_declare(actor=registrar, event_type="birth", data=birth_data(0))
    assert client.get("/office/").status_code == 200
    assert len(_queue_reads(registrar)) == 1
    assert VitalRecord.objects.filter(pk=declared.pk, status="declared").exists()


def _person_reads(actor: User) -> tuple[AccessLogEntry, AccessLogEntry]:
    """The last read of a person's entry and of the relatives it named."""
    read = AccessLogEntry.objects.filter(actor=actor, purpose="person.read").latest("id")
    named = AccessLogEntry.objects.filter(actor=actor, purpose="person.relatives").latest("id")
    return read, named


def test_the_person_page_logs_the_relatives_it_names(
    registrar: User, birth_data: BirthData, api_client: ClientFor
) -> None:
    mother = _registered(registrar, birth_data(2))
    Person.objects.filter(pk=mother.pk).update(birth_date=dt.date(1990, 1, 1))
    child = _registered(registrar, birth_data(1, mother=str(mother.pk)))
    stranger = _registered(registrar, birth_data(3))

    assert signed_in(registrar).get(f"/office/persons/{child.pk}/").status_code == 200
    read, named = _person_reads(registrar)
    assert read.subject_ids == [str(child.pk)]
    assert named.subject_ids == [str(mother.pk)]
    assert (read.request_id, named.actor_role) == (named.request_id, read.actor_role)
    # The mother sees that her data came with her child's entry, not that hers was read.
    assert named in citizen_access_log(person=mother).rows
    assert read not in citizen_access_log(person=mother).rows
    assert read in citizen_access_log(person=child).rows
    assert named not in citizen_access_log(person=stranger).rows

    # The mother's page names her child: the child sees that read too (and over the API).
    assert api_client(registrar).get(f"/api/v1/registry/persons/{mother.pk}").status_code == 200
    read, named = _person_reads(registrar)
    assert (read.subject_ids, named.subject_ids) == ([str(mother.pk)], [str(child.pk)])
    assert named in citizen_access_log(person=child).rows


def test_the_citizen_reads_which_kind_of_read_it_was(
    registrar: User, birth_data: BirthData, make_user: Callable[..., User]
) -> None:
    mother = _registered(registrar, birth_data(2))
    Person.objects.filter(pk=mother.pk).update(birth_date=dt.date(1990, 1, 1))
    child = _registered(registrar, birth_data(1, mother=str(mother.pk)))
    citizen = make_user("the_mother")
    Person.objects.filter(pk=mother.pk).update(account=citizen)
    assert signed_in(registrar).get(f"/office/persons/{child.pk}/").status_code == 200
    client = Client()
    client.force_login(citizen)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/me/access-log/").content.decode()
    assert "Read a relative&#x27;s entry, which names you" in html
    assert "Read your entry in the register" not in html
    # A person without relatives on their page gets one entry.
    loner = _registered(registrar, birth_data(3))
    before = AccessLogEntry.objects.count()
    assert signed_in(registrar).get(f"/office/persons/{loner.pk}/").status_code == 200
    assert AccessLogEntry.objects.count() == before + 1


def test_the_person_page_logs_the_spouse_it_names(
    registrar: User, birth_data: BirthData, offices: dict[str, Jurisdiction], profile: Any
) -> None:
    wife = _registered(registrar, birth_data(0))
    husband = _registered(registrar, birth_data(1))
    Person.objects.filter(pk__in=[wife.pk, husband.pk]).update(birth_date=dt.date(1990, 1, 1))
    municipality = offices["a"].parent
    assert municipality is not None and municipality.parent is not None
    data = {
        "spouse_a": str(wife.pk),
        "spouse_b": str(husband.pk),
        "marriage_date": "2019-02-02",
        "marriage_state": municipality.parent.official_code,
        "marriage_municipality": municipality.official_code,
    }
    if profile.code == "mx":
        data["property_regime"] = "separacion_de_bienes"
    marriage = services.record_declare(actor=registrar, event_type="marriage", data=data)
    services.record_register(actor=registrar, record_id=marriage.pk)

    html = signed_in(registrar).get(f"/office/persons/{wife.pk}/").content.decode()
    assert f"/office/persons/{husband.pk}/" in html
    read, named = _person_reads(registrar)
    assert (read.subject_ids, named.subject_ids) == ([str(wife.pk)], [str(husband.pk)])
    assert named in citizen_access_log(person=husband).rows
