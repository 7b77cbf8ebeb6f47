"""Pages of an append-only log, newest first, by row ID rather than by offset.

A page deep in a long log then costs no more than the first, and a row appended while
someone reads does not shift the pages they have not opened yet. The auditor's view of
the access log and the citizen's "who looked at my data" page through it alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Generic, TypeVar
from urllib.parse import urlencode

from django.db.models import Model, QuerySet
from django.http import HttpRequest

PAGE_SIZE: Final = 50
MAX_PAGE_SIZE: Final = 200
_MAX_CURSOR_DIGITS: Final = 18  # a bigint

T = TypeVar("T")
RowT = TypeVar("RowT", bound=Model)


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: just older than row `before`, just newer than row `after`,
    or (neither) the newest rows."""

    before: int | None = None
    after: int | None = None

    @classmethod
    def from_request(cls, request: HttpRequest) -> Cursor:
        return cls(before=_cursor_param(request, "before"), after=_cursor_param(request, "after"))


@dataclass(frozen=True)
class Page(Generic[T]):
    """Rows newest first; `older` and `newer` are the cursors of the neighbouring pages
    (a row ID to pass as `before` or `after`), None where there is none."""

    rows: list[T]
    older: int | None
    newer: int | None


def newest_first(
    rows: QuerySet[RowT],
    cursor: Cursor,
    *,
    limit: int = PAGE_SIZE,
    bounds: QuerySet[RowT] | None = None,
) -> Page[RowT]:
    """One page of `rows`. `bounds` is the same selection without its annotations, for the
    cheaper checks of whether older or newer rows exist (`rows` itself when omitted)."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    plain = rows if bounds is None else bounds
    if cursor.after is not None:
        found = list(rows.filter(pk__gt=cursor.after).order_by("pk")[: limit + 1])
        newer_exists = len(found) > limit
        page = list(reversed(found[:limit]))
        older_exists = plain.filter(pk__lte=cursor.after).exists()
    else:
        if cursor.before is not None:
            rows = rows.filter(pk__lt=cursor.before)
        found = list(rows.order_by("-pk")[: limit + 1])
        older_exists = len(found) > limit
        page = found[:limit]
        newer_exists = cursor.before is not None and plain.filter(pk__gte=cursor.before).exists()
    return Page(
        rows=page,
        older=page[-1].pk if page and older_exists else None,
        newer=page[0].pk if page and newer_exists else None,
    )


def page_links(path: str, page: Page[T], query: dict[str, str] | None = None) -> dict[str, str]:
    """The template's `older_url`, `newer_url` and `newest_url` (empty where there is no
    such page), keeping the view's other parameters (its filters) in `query`."""
    query = query or {}
    return {
        "older_url": _page_url(path, query, before=page.older) if page.older else "",
        "newer_url": _page_url(path, query, after=page.newer) if page.newer else "",
        "newest_url": _page_url(path, query) if page.newer else "",
    }


def _cursor_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    if not (value.isascii() and value.isdigit() and len(value) <= _MAX_CURSOR_DIGITS):
        return None  # a mangled link shows the newest rows rather than an error
    return int(value) or None


def _page_url(path: str, query: dict[str, str], **cursor: int | None) -> str:
    params = {**query, **{k: str(v) for k, v in cursor.items() if v is not None}}
    return f"{path}?{urlencode(params)}" if params else path
