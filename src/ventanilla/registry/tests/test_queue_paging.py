"""The review queue pages through every declaration waiting, oldest first (those with
possible duplicates before the rest), says how many are waiting, and offers to declare
only to those who may."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone, translation

from ventanilla.core.models import AccessLogEntry, Jurisdiction, Role, User
from ventanilla.core.paging import PAGE_SIZE
from ventanilla.registry.models import VitalRecord
from ventanilla.registry.tests.test_pages import page, signed_in

MakeUser = Callable[..., User]
RECORD_LINK = re.compile(r'href="/office/records/([0-9a-f-]{36})/"')
DECLARE_LINK = 'href="/office/declare/"'


def _waiting(
    office: Jurisdiction, count: int, *, flagged: frozenset[int] = frozenset()
) -> list[str]:
    """`count` declarations at `office`, one a minute, oldest first; their IDs in that order.
    Those at the positions in `flagged` have possible duplicates."""
    records = VitalRecord.objects.bulk_create(
        VitalRecord(
            event_type="birth",
            status="declared" if i % 3 else "validated",
            office=office,
            data={},
            duplicates_pending=i in flagged,
        )
        for i in range(count)
    )
    start = timezone.now() - dt.timedelta(days=30)
    for i, record in enumerate(records):
        record.created_at = start + dt.timedelta(minutes=i)
    VitalRecord.objects.bulk_update(records, ["created_at"])
    return [str(r.pk) for r in records]


def _link(html: str, rel: str) -> str | None:
    found = re.search(rf'<a [^>]*href="([^"]+)"[^>]*rel="{rel}"', html)
    return found[1].replace("&amp;", "&") if found else None


def _walk(client: Client, start: str = "/office/") -> list[list[str]]:
    """The record IDs of each page, following the "next" links from `start`."""
    pages: list[list[str]] = []
    url: str | None = start
    while url is not None:
        response = client.get(url)
        assert response.status_code == 200
        html = page(response)
        pages.append(RECORD_LINK.findall(html))
        url = _link(html, "next")
        assert len(pages) < 20, "the pages do not end"
    return pages


def test_every_waiting_declaration_is_reached_oldest_first(
    registrar: User, offices: dict[str, Jurisdiction]
) -> None:
    ids = _waiting(offices["a"], 214)
    pages = _walk(signed_in(registrar))
    assert [len(p) for p in pages] == [PAGE_SIZE] * 4 + [214 - 4 * PAGE_SIZE]
    assert [i for p in pages for i in p] == ids
    # Each page shown is a read of the queue in the access log.
    assert AccessLogEntry.objects.filter(actor=registrar, purpose="record.queue").count() == 5


def test_declarations_with_possible_duplicates_come_first_across_pages(
    registrar: User, offices: dict[str, Jurisdiction]
) -> None:
    flagged = frozenset({3, 150, 213})
    ids = _waiting(offices["a"], 214, flagged=flagged)
    shown = [i for p in _walk(signed_in(registrar)) for i in p]
    first = [ids[i] for i in sorted(flagged)]
    assert shown == first + [i for i in ids if i not in first]


def test_the_previous_link_goes_back_to_the_page_before(
    registrar: User, offices: dict[str, Jurisdiction]
) -> None:
    _waiting(offices["a"], PAGE_SIZE * 2 + 5)
    client = signed_in(registrar)
    first = page(client.get("/office/"))
    assert _link(first, "prev") is None
    second_url = _link(first, "next")
    assert second_url is not None
    second = page(client.get(second_url))
    third_url = _link(second, "next")
    assert third_url is not None
    third = page(client.get(third_url))
    assert _link(third, "next") is None
    back_url = _link(third, "prev")
    assert back_url is not None
    assert RECORD_LINK.findall(page(client.get(back_url))) == RECORD_LINK.findall(second)
    back_to_first = _link(second, "prev")
    assert back_to_first is not None
    assert RECORD_LINK.findall(page(client.get(back_to_first))) == RECORD_LINK.findall(first)


def test_a_declaration_leaving_the_queue_does_not_lose_the_next_page(
    registrar: User, offices: dict[str, Jurisdiction]
) -> None:
    ids = _waiting(offices["a"], PAGE_SIZE + 10)
    client = signed_in(registrar)
    next_url = _link(page(client.get("/office/")), "next")
    assert next_url is not None
    # Someone registers the last declaration of the first page meanwhile.
    VitalRecord.objects.filter(pk=ids[PAGE_SIZE - 1]).update(status="registered")
    assert RECORD_LINK.findall(page(client.get(next_url))) == ids[PAGE_SIZE:]


@pytest.mark.parametrize("cursor", ["after=garbage", "before=%00%FF", "after=" + "A" * 5000])
def test_a_mangled_page_link_shows_the_start_of_the_queue(
    registrar: User, offices: dict[str, Jurisdiction], cursor: str
) -> None:
    ids = _waiting(offices["a"], 3)
    response = signed_in(registrar).get(f"/office/?{cursor}")
    assert response.status_code == 200
    assert RECORD_LINK.findall(page(response)) == ids


def _waiting_text(language: str, count: int) -> str:
    with translation.override(language):
        return translation.ngettext(
            "One declaration is waiting for review.",
            "%(count)s declarations are waiting for review.",
            count,
        ) % {"count": count}


@pytest.mark.parametrize("language", ["en", "es-mx", "ko"])
def test_the_queue_says_how_many_declarations_are_waiting(
    registrar: User, offices: dict[str, Jurisdiction], language: str
) -> None:
    ids = _waiting(offices["a"], PAGE_SIZE + 7)
    _waiting(offices["b"], 4)  # another office's: not the registrar's to count
    client = signed_in(registrar, language)
    assert _waiting_text(language, PAGE_SIZE + 7) in page(client.get("/office/"))
    VitalRecord.objects.filter(pk__in=ids[1:]).update(status="registered")
    assert _waiting_text(language, 1) in page(client.get("/office/"))


@pytest.mark.parametrize("persona", ["registrar", "agent", "office_head"])
def test_those_who_may_declare_are_offered_to(persona: str, request: pytest.FixtureRequest) -> None:
    actor: User = request.getfixturevalue(persona)
    html = page(signed_in(actor).get("/office/"))
    assert DECLARE_LINK in html


@pytest.mark.parametrize("role", [Role.STATE_SUPERVISOR, Role.NATIONAL_ADMIN])
def test_those_who_may_not_declare_are_not_offered_to(
    role: Role, offices: dict[str, Jurisdiction], make_user: MakeUser
) -> None:
    state = offices["a"].parent.parent  # type: ignore[union-attr]
    where = offices["country"] if role == Role.NATIONAL_ADMIN else state
    actor = make_user(f"{role}_persona", role, where)
    client = signed_in(actor)
    response = client.get("/office/")
    assert response.status_code == 200
    assert DECLARE_LINK not in page(response)
    # The link would have led to a refusal.
    assert client.get("/office/declare/").status_code == 403
