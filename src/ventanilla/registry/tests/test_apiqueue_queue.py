"""The review queue over the API pages through every declaration waiting, as the pages do:
opaque `next` / `previous` tokens, a bounded `limit`, and how many wait in all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from ventanilla.core.models import AccessLogEntry, Jurisdiction, User
from ventanilla.core.paging import MAX_PAGE_SIZE, PAGE_SIZE
from ventanilla.registry.tests.test_queue_paging import _waiting

ClientFor = Callable[[User], Client]
QUEUE = "/api/v1/registry/queue"


def _get(client: Client, **params: Any) -> dict[str, Any]:
    response = client.get(QUEUE, params)
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


def _ids(body: dict[str, Any]) -> list[str]:
    return [r["id"] for r in body["records"]]


def test_every_waiting_declaration_is_reached_over_the_pages(
    registrar: User, offices: dict[str, Jurisdiction], api_client: ClientFor
) -> None:
    ids = _waiting(offices["a"], 214)
    _waiting(offices["b"], 3)  # another office's: neither shown nor counted
    client = api_client(registrar)
    pages: list[dict[str, Any]] = [_get(client)]
    while pages[-1]["next"] is not None:
        pages.append(_get(client, after=pages[-1]["next"]))
        assert len(pages) < 20, "the pages do not end"
    assert [len(p["records"]) for p in pages] == [PAGE_SIZE] * 4 + [214 - 4 * PAGE_SIZE]
    assert [i for p in pages for i in _ids(p)] == ids
    assert {p["waiting"] for p in pages} == {214}
    assert pages[0]["previous"] is None and all(p["previous"] for p in pages[1:])
    # Each page read is in the access log, as before.
    assert AccessLogEntry.objects.filter(actor=registrar, purpose="record.queue").count() == 5


def test_the_previous_token_goes_back_to_the_page_before(
    registrar: User, offices: dict[str, Jurisdiction], api_client: ClientFor
) -> None:
    _waiting(offices["a"], 25)
    client = api_client(registrar)
    first = _get(client, limit=10)
    second = _get(client, after=first["next"], limit=10)
    third = _get(client, after=second["next"], limit=10)
    assert len(third["records"]) == 5 and third["next"] is None
    assert _ids(_get(client, before=third["previous"], limit=10)) == _ids(second)
    assert _ids(_get(client, before=second["previous"], limit=10)) == _ids(first)


@pytest.mark.parametrize("token", ["garbage", "ñandú", "A" * 5000, "W10", "WzEsMiwzXQ"])
@pytest.mark.parametrize("direction", ["after", "before"])
def test_a_mangled_token_gives_the_first_page(
    registrar: User,
    offices: dict[str, Jurisdiction],
    api_client: ClientFor,
    token: str,
    direction: str,
) -> None:
    ids = _waiting(offices["a"], 3)
    body = _get(api_client(registrar), **{direction: token})
    assert _ids(body) == ids
    assert body["previous"] is None and body["next"] is None and body["waiting"] == 3


@pytest.mark.parametrize("limit", [1, 7, MAX_PAGE_SIZE])
def test_the_limit_sets_the_page_size(
    registrar: User, offices: dict[str, Jurisdiction], api_client: ClientFor, limit: int
) -> None:
    ids = _waiting(offices["a"], MAX_PAGE_SIZE + 1)
    body = _get(api_client(registrar), limit=limit)
    assert _ids(body) == ids[:limit]
    assert body["next"] is not None and body["waiting"] == MAX_PAGE_SIZE + 1


@pytest.mark.parametrize("limit", ["0", "-1", str(MAX_PAGE_SIZE + 1), "many"])
def test_a_limit_out_of_bounds_is_refused_on_its_field(
    registrar: User, offices: dict[str, Jurisdiction], api_client: ClientFor, limit: str
) -> None:
    _waiting(offices["a"], 3)
    response = api_client(registrar).get(QUEUE, {"limit": limit})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == ["limit"]
    assert not AccessLogEntry.objects.filter(purpose="record.queue").exists()


def test_the_openapi_document_describes_the_queue_page(client: Client, db: Any) -> None:
    document = client.get("/api/openapi.json").json()
    operation = document["paths"]["/api/v1/registry/queue"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"after", "before", "limit"}
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    name = schema["$ref"].rsplit("/", 1)[-1]
    assert set(document["components"]["schemas"][name]["properties"]) == {
        "records",
        "next",
        "previous",
        "waiting",
    }
