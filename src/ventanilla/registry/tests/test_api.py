"""The registry API as an integrating system sees it."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ventanilla.core.models import AccessKind, AccessLogEntry, Jurisdiction, Role, User
from ventanilla.core.profiles import CountryProfile
from ventanilla.registry import services
from ventanilla.registry.models import Person, VitalRecord
from ventanilla.registry.selectors import SEARCH_LIMIT, person_search
from ventanilla.registry.tests.factories import imported_person

BirthData = Callable[..., dict[str, Any]]
ClientFor = Callable[[User], Client]
RECORDS = "/api/v1/registry/records"


def _post(
    client: Client, url: str, body: dict[str, Any], key: str | None = None, **headers: Any
) -> Any:
    extra: dict[str, Any] = {"HTTP_IDEMPOTENCY_KEY": key or uuid.uuid4().hex, **headers}
    return client.post(url, body, content_type="application/json", **extra)


def _registered_birth(registrar: User, data: dict[str, Any]) -> VitalRecord:
    declared = services.record_declare(actor=registrar, event_type="birth", data=data)
    return services.record_register(actor=registrar, record_id=declared.pk)


def _search(client: Client, criteria: dict[str, Any]) -> Any:
    return client.post("/api/v1/registry/persons/search", criteria, content_type="application/json")


def test_declaring_over_the_api_returns_the_record(
    registrar: User, birth_data: BirthData, api_client: ClientFor
) -> None:
    response = _post(api_client(registrar), RECORDS, {"event_type": "birth", "data": birth_data()})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "declared"
    assert "register" in body["allowed_actions"]
    assert response["X-Request-ID"]


def test_the_same_idempotency_key_replays_the_first_answer(
    registrar: User, birth_data: BirthData, api_client: ClientFor
) -> None:
    client = api_client(registrar)
    payload = {"event_type": "birth", "data": birth_data()}
    first = _post(client, RECORDS, payload, key="declare-0001")
    again = _post(client, RECORDS, payload, key="declare-0001")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert VitalRecord.objects.count() == 1


def test_the_same_key_with_another_payload_is_refused_with_422(
    registrar: User, birth_data: BirthData, api_client: ClientFor
) -> None:
    client = api_client(registrar)
    _post(client, RECORDS, {"event_type": "birth", "data": birth_data()}, key="k-reused-1")
    response = _post(
        client, RECORDS, {"event_type": "birth", "data": birth_data(1)}, key="k-reused-1"
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert VitalRecord.objects.count() == 1


def test_a_write_without_an_idempotency_key_is_refused(
    registrar: User, birth_data: BirthData, api_client: ClientFor
) -> None:
    response = api_client(registrar).post(
        RECORDS, {"event_type": "birth", "data": birth_data()}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_invalid"


def test_errors_are_json_with_a_code_and_a_message_in_the_callers_language(
    registrar: User, birth_data: BirthData, api_client: ClientFor
) -> None:
    client = api_client(registrar)
    data = birth_data(birth_date="2999-01-01")
    english = _post(
        client, RECORDS, {"event_type": "birth", "data": data}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert english.status_code == 422
    error = english.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"]["birth_date"] == ["The date cannot be in the future."]
    spanish = _post(
        client, RECORDS, {"event_type": "birth", "data": data}, HTTP_ACCEPT_LANGUAGE="es-mx"
    )
    korean = _post(
        client, RECORDS, {"event_type": "birth", "data": data}, HTTP_ACCEPT_LANGUAGE="ko"
    )
    messages = {
        english.json()["error"]["message"],
        spanish.json()["error"]["message"],
        korean.json()["error"]["message"],
    }
    assert len(messages) == 3


def test_an_action_in_the_wrong_status_answers_409(
    registrar: User, birth_data: BirthData, api_client: ClientFor
) -> None:
    record = services.record_declare(actor=registrar, event_type="birth", data=birth_data())
    client = api_client(registrar)
    assert _post(client, f"{RECORDS}/{record.pk}/register", {}).status_code == 200
    response = _post(client, f"{RECORDS}/{record.pk}/validate", {})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "action_not_allowed"


def test_outside_the_jurisdiction_answers_403_and_is_logged(
    registrar: User, registrar_b: User, birth_data: BirthData, api_client: ClientFor
) -> None:
    record = services.record_declare(actor=registrar, event_type="birth", data=birth_data())
    response = api_client(registrar_b).get(f"{RECORDS}/{record.pk}")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert AccessLogEntry.objects.filter(actor=registrar_b, kind=AccessKind.DENIED).exists()


@pytest.mark.parametrize("who", ["auditor", "outsider"])
def test_declaring_with_no_role_that_declares_anywhere_is_a_logged_403(
    who: str, birth_data: BirthData, api_client: ClientFor, request: pytest.FixtureRequest
) -> None:
    actor: User = request.getfixturevalue(who)
    response = _post(api_client(actor), RECORDS, {"event_type": "birth", "data": birth_data()})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert AccessLogEntry.objects.filter(actor=actor, kind=AccessKind.DENIED).exists()
    assert not VitalRecord.objects.exists()


def test_a_duplicate_decision_without_a_candidate_says_so_in_the_callers_language(
    registrar: User, birth_data: BirthData, api_client: ClientFor
) -> None:
    record = services.record_declare(actor=registrar, event_type="birth", data=birth_data())
    response = _post(
        api_client(registrar),
        f"{RECORDS}/{record.pk}/mark_duplicate",
        {"reason": "x"},
        HTTP_ACCEPT_LANGUAGE="es-mx",
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"candidate_id": ["Este campo es obligatorio."]}


def test_anonymous_callers_get_401(client: Client, db: Any) -> None:
    response = client.get("/api/v1/registry/queue")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_reading_a_record_is_written_to_the_access_log(
    registrar: User, birth_data: BirthData, api_client: ClientFor
) -> None:
    record = _registered_birth(registrar, birth_data())
    response = api_client(registrar).get(f"/api/v1/registry/persons/{record.subject_id}")
    assert response.status_code == 200
    assert response.json()["national_id"]
    entry = AccessLogEntry.objects.filter(kind=AccessKind.READ).latest("id")
    assert entry.subject_ids == [str(record.subject_id)]
    assert entry.request_id == response["X-Request-ID"]


def test_search_is_scoped_to_the_officials_jurisdiction(
    registrar: User, registrar_b: User, birth_data: BirthData, api_client: ClientFor
) -> None:
    record = _registered_birth(registrar, birth_data())
    name = record.data["given_names"]
    mine = _search(api_client(registrar), {"name": name})
    theirs = _search(api_client(registrar_b), {"name": name})
    assert [p["id"] for p in mine.json()] == [str(record.subject_id)]
    assert theirs.json() == []


def test_a_national_search_reaches_every_office_without_reading_the_jurisdictions(
    registrar: User,
    registrar_b: User,
    supervisor: User,
    birth_data: BirthData,
    offices: dict[str, Jurisdiction],
    make_user: Any,
) -> None:
    here = _registered_birth(registrar, birth_data())
    there = _registered_birth(registrar_b, birth_data(1))
    national = make_user("national", Role.NATIONAL_ADMIN, offices["country"])
    with CaptureQueriesContext(connection) as queries:
        found = person_search(actor=national, born_from=dt.date(1900, 1, 1))
    assert {p.pk for p in found.persons} == {here.subject_id, there.subject_id}
    # A join on the jurisdictions would read every match before the search's limit applies.
    reads = [q["sql"] for q in queries if q["sql"].startswith('SELECT "registry_person"')]
    assert reads and not any('"core_jurisdiction"' in sql for sql in reads)
    # A state's supervisor still sees their state alone (office b is in another state).
    in_state = person_search(actor=supervisor, born_from=dt.date(1900, 1, 1))
    assert {p.pk for p in in_state.persons} == {here.subject_id}


def test_a_search_by_national_id_finds_exactly_that_person(
    registrar: User, birth_data: BirthData, api_client: ClientFor
) -> None:
    record = _registered_birth(registrar, birth_data())
    assert record.subject is not None
    found = _search(api_client(registrar), {"national_id": record.subject.national_id})
    assert [p["id"] for p in found.json()] == [str(record.subject_id)]


def test_a_name_typed_as_the_country_writes_it_finds_the_person(
    registrar: User, birth_data: BirthData, profile: CountryProfile
) -> None:
    person = _registered_birth(registrar, birth_data()).subject
    assert person is not None
    typed = [person.full_name]
    if profile.code == "kr":
        # 김민준 is written without a space, family name first; some type one.
        assert person.full_name == f"{person.first_surname}{person.given_names}"
        typed.append(f"{person.first_surname} {person.given_names}")
    else:
        assert person.full_name.startswith(person.given_names)
    for name in typed:
        found = person_search(actor=registrar, name=name)
        assert [p.pk for p in found.persons] == [person.pk], name


def test_a_search_matching_more_than_it_returns_says_so(
    registrar: User, offices: dict[str, Jurisdiction], api_client: ClientFor
) -> None:
    born = dt.date(1990, 1, 1)
    Person.objects.bulk_create(
        imported_person(offices["a"], f"P{n}", "Ruiz", born=born + dt.timedelta(days=n % 3))
        for n in range(SEARCH_LIMIT + 10)
    )
    client = api_client(registrar)
    wide = _search(client, {"born_from": "1990-01-01", "born_to": "1990-01-03"})
    assert len(wide.json()) == SEARCH_LIMIT
    assert wide["Results-Incomplete"] == "true"
    narrow = _search(client, {"born_from": "1990-01-02", "born_to": "1990-01-02"})
    assert 0 < len(narrow.json()) < SEARCH_LIMIT
    assert narrow["Results-Incomplete"] == "false"


def test_an_overlong_search_term_is_a_422(registrar: User, api_client: ClientFor) -> None:
    response = _search(api_client(registrar), {"name": "x" * 5000})
    assert response.status_code == 422
    assert "name" in response.json()["error"]["fields"]


def test_an_empty_search_is_a_clear_422(registrar: User, api_client: ClientFor) -> None:
    response = _search(api_client(registrar), {})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "empty_search"


def test_the_openapi_document_describes_the_registry(client: Client, db: Any) -> None:
    document = client.get("/api/openapi.json").json()
    assert "/api/v1/registry/records" in document["paths"]


def test_health_and_metrics(client: Client, db: Any) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "database": "up"}
    client.get("/healthz")
    metrics = client.get("/metrics").content.decode()
    assert "ventanilla_http_requests_total" in metrics


def test_a_callers_request_id_is_kept(client: Client, db: Any) -> None:
    response = client.get("/healthz", HTTP_X_REQUEST_ID="trace-abc-12345")
    assert response["X-Request-ID"] == "trace-abc-12345"
    hostile = client.get("/healthz", HTTP_X_REQUEST_ID="<script>")
    assert hostile["X-Request-ID"] != "<script>"


@pytest.mark.django_db(transaction=True)
def test_two_registrars_registering_at_once_one_wins_the_other_gets_409(
    registrar: User, office_head: User, birth_data: BirthData
) -> None:
    record = services.record_declare(actor=registrar, event_type="birth", data=birth_data())
    barrier = threading.Barrier(2)
    outcomes: list[int] = []

    def register(actor: User) -> None:
        client = Client()
        client.force_login(actor)
        barrier.wait()
        try:
            outcomes.append(_post(client, f"{RECORDS}/{record.pk}/register", {}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(u,)) for u in (registrar, office_head)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [200, 409]
    record.refresh_from_db()
    assert record.status == "registered"
    assert record.actions.filter(action="register").count() == 1


def test_a_name_search_finds_the_person_among_many_sharing_a_surname(
    registrar: User, offices: dict[str, Jurisdiction], profile: CountryProfile
) -> None:
    common, wanted = (
        (("Hernández", "Ruiz"), ("Juan", "Hernández", "López"))
        if profile.code == "mx"
        else (("남궁", ""), ("민준", "남궁", ""))
    )
    given_names = ["Ana", "Luis", "María", "Pedro", "Sofía", "Carlos"]
    if profile.code == "kr":
        given_names = ["서연", "지우", "도윤", "하은", "예준", "수아"]

    def person(given: str, first: str, second: str, n: int) -> Person:
        born = dt.date(1990, 1, 1) + dt.timedelta(days=n)
        return imported_person(offices["a"], given, first, second, born=born)

    # Many more namesakes than the search reads before ranking (20 x the limit), all first.
    Person.objects.bulk_create(
        person(f"{given_names[n % 6]} {given_names[(n // 6) % 6]}", *common, n) for n in range(80)
    )
    target = Person.objects.create(
        **{f.name: getattr(person(*wanted, 99), f.name) for f in Person._meta.concrete_fields}
    )
    found = person_search(actor=registrar, name=" ".join(p for p in wanted if p), limit=3)
    assert found.persons[0].pk == target.pk
    assert found.incomplete  # 80 namesakes resemble the name: more than the 3 shown


def test_a_registration_refused_for_a_new_duplicate_keeps_its_flags_for_review(
    registrar: User, birth_data: BirthData, api_client: ClientFor
) -> None:
    """The 409 reports duplicates it has journaled: they stay for the side-by-side review,
    and the same request succeeds once a registrar has decided."""
    client = api_client(registrar)
    first = services.record_declare(actor=registrar, event_type="birth", data=birth_data())
    second = services.record_declare(actor=registrar, event_type="birth", data=birth_data())
    assert _post(client, f"{RECORDS}/{first.pk}/register", {}).status_code == 200
    key = uuid.uuid4().hex
    refused = _post(client, f"{RECORDS}/{second.pk}/register", {}, key=key)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "duplicates_pending"
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.duplicates_pending
    flag = second.duplicate_flags.get()
    assert flag.candidate_id == first.subject_id
    services.duplicate_decide(
        actor=registrar,
        record_id=second.pk,
        candidate_id=first.subject_id,
        is_duplicate=False,
        reason="twins",
    )
    again = _post(client, f"{RECORDS}/{second.pk}/register", {}, key=key)
    assert again.status_code == 200
    assert again.json()["status"] == "registered"
