"""Pages by position rather than by offset: a page deep in a long list then costs no
more than the first, and a row added while someone reads does not shift the pages they
have not opened yet.

- `newest_first`: an append-only log, by row ID. The auditor's view of the access log and
  the citizen's "who looked at my data" page through it alike.
- `in_order`: any selection in a fixed order of non-null columns ending with a unique one
  (the review queue: possible duplicates first, then oldest first), by the sort key of
  the row a page ends at, carried in the links as an opaque token.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Generic, TypeVar
from urllib.parse import urlencode

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest

PAGE_SIZE: Final = 50
MAX_PAGE_SIZE: Final = 200
_MAX_CURSOR_DIGITS: Final = 18  # a bigint
_MAX_TOKEN_LENGTH: Final = 400  # a sort key of a few columns, encoded

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
    by: str = "pk",
    limit: int = PAGE_SIZE,
    bounds: QuerySet[RowT] | None = None,
) -> Page[RowT]:
    """One page of `rows`, newest first by the field `by`, then by ID; the cursors stay row
    IDs. `by` is a non-null field that grows with the ID all but always (the time a log row
    was written): an index on (`by`, id) then serves any page, and a filter on `by` (a date
    range) starts the page where the range does rather than after every newer row. A cursor
    naming no row gives the newest rows. `bounds` is the same selection without its
    annotations, for the cheaper checks of whether older or newer rows exist."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    plain = rows if bounds is None else bounds
    row_id = cursor.after or cursor.before
    anchor = _sort_value(rows, by, row_id) if row_id else None
    if anchor is not None and row_id is not None and row_id == cursor.after:
        newer = _past(by, anchor, row_id, newer=True)
        found = list(rows.filter(newer).order_by(by, "pk")[: limit + 1])
        newer_exists = len(found) > limit
        page = list(reversed(found[:limit]))
        at_or_older = _past(by, anchor, row_id, newer=False, inclusive=True)
        older_exists = plain.filter(at_or_older).exists()
    else:
        if anchor is not None and row_id is not None:
            rows = rows.filter(_past(by, anchor, row_id, newer=False))
        found = list(rows.order_by(f"-{by}", "-pk")[: limit + 1])
        older_exists = len(found) > limit
        page = found[:limit]
        newer_exists = (
            anchor is not None
            and row_id is not None
            and plain.filter(_past(by, anchor, row_id, newer=True, inclusive=True)).exists()
        )
    return Page(
        rows=page,
        older=page[-1].pk if page and older_exists else None,
        newer=page[0].pk if page and newer_exists else None,
    )


def _sort_value(rows: QuerySet[RowT], by: str, row_id: int) -> Any:
    """Row `row_id`'s value of `by`, or None if there is no such row."""
    if by == "pk":
        return row_id
    return rows.model._default_manager.filter(pk=row_id).values_list(by, flat=True).first()


def _past(by: str, anchor: Any, row_id: int, *, newer: bool, inclusive: bool = False) -> Q:
    """The rows newer (or older) than the row (`anchor`, `row_id`) in the order by (`by`,
    id), and with `inclusive` that row too. Written so that `by` bounds an index scan and
    the ID only breaks ties."""
    beyond, reached = ("gt", "gte") if newer else ("lt", "lte")
    tie = Q(**{f"pk__{reached if inclusive else beyond}": row_id})
    return Q(**{f"{by}__{reached}": anchor}) & (Q(**{f"{by}__{beyond}": anchor}) | tie)


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


# --------------------------------------------------------------------------------------------
# Any fixed order, by sort key
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyCursor:
    """Where a page of an ordered selection starts: just after the row whose sort key is the
    token `after`, just before the one of `before`, or (neither) at the start."""

    after: str = ""
    before: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest) -> KeyCursor:
        return cls(after=_token_param(request, "after"), before=_token_param(request, "before"))

    def __bool__(self) -> bool:
        return bool(self.after or self.before)


@dataclass(frozen=True)
class KeyPage(Generic[T]):
    """Rows in the selection's order; `next` and `previous` are the tokens of the
    neighbouring pages (to pass as `after` or `before`), None where there is none."""

    rows: list[T]
    next: str | None
    previous: str | None


def in_order(
    rows: QuerySet[RowT],
    cursor: KeyCursor,
    *,
    order: Sequence[str],
    limit: int = PAGE_SIZE,
    bounds: QuerySet[RowT] | None = None,
) -> KeyPage[RowT]:
    """One page of `rows` in `order` (field names, "-" for descending). The fields must not
    be null and the last must be unique (the primary key), so that each row has its own
    place. A token that cannot be read gives the first page, as a mangled link should.
    `bounds` is the same selection without annotations, for the existence checks."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    plain = rows if bounds is None else bounds
    fields = [(name.lstrip("-"), name.startswith("-")) for name in order]
    after = _decode_key(cursor.after, rows.model, fields)
    before = _decode_key(cursor.before, rows.model, fields) if after is None else None
    if before is not None:
        backwards = [name if desc else f"-{name}" for name, desc in fields]
        earlier = rows.filter(_beyond(fields, before, forward=False)).order_by(*backwards)
        found = list(earlier[: limit + 1])
        previous_exists = len(found) > limit
        page = list(reversed(found[:limit]))
        next_exists = plain.filter(_beyond(fields, before, forward=True, inclusive=True)).exists()
    else:
        if after is not None:
            rows = rows.filter(_beyond(fields, after, forward=True))
        found = list(rows.order_by(*order)[: limit + 1])
        next_exists = len(found) > limit
        page = found[:limit]
        previous_exists = after is not None and (
            plain.filter(_beyond(fields, after, forward=False, inclusive=True)).exists()
        )
    return KeyPage(
        rows=page,
        next=_encode_key(page[-1], fields) if page and next_exists else None,
        previous=_encode_key(page[0], fields) if page and previous_exists else None,
    )


def key_page_links(
    path: str, page: KeyPage[T], query: dict[str, str] | None = None
) -> dict[str, str]:
    """The template's `next_url`, `previous_url` and `first_url` (empty where there is no
    such page), keeping the view's other parameters (its filters) in `query`."""
    query = query or {}
    return {
        "next_url": _token_url(path, query, after=page.next) if page.next else "",
        "previous_url": _token_url(path, query, before=page.previous) if page.previous else "",
        "first_url": _token_url(path, query) if page.previous else "",
    }


def _beyond(
    fields: Sequence[tuple[str, bool]],
    key: Sequence[Any],
    *,
    forward: bool,
    inclusive: bool = False,
) -> Q:
    """The rows after (`forward`) or before the row with sort key `key`; with `inclusive`,
    that row too. Lexicographic: equal on the first fields, then beyond on the next."""
    condition = Q(pk__in=[])
    equal = Q()
    for (name, descending), value in zip(fields, key, strict=True):
        lookup = "gt" if forward != descending else "lt"
        condition |= equal & Q(**{f"{name}__{lookup}": value})
        equal &= Q(**{name: value})
    return condition | equal if inclusive else condition


def _encode_key(row: Model, fields: Sequence[tuple[str, bool]]) -> str:
    values = [getattr(row, "pk" if name == "pk" else name) for name, _desc in fields]
    text = json.dumps([v if isinstance(v, bool | int) else str(v) for v in values])
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode_key(
    token: str, model: type[Model], fields: Sequence[tuple[str, bool]]
) -> list[Any] | None:
    if not token:
        return None
    try:
        raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not isinstance(raw, list) or len(raw) != len(fields):
            return None
        meta = model._meta
        key = [
            (meta.pk if name == "pk" else meta.get_field(name)).to_python(value)  # type: ignore[union-attr]
            for (name, _desc), value in zip(fields, raw, strict=True)
        ]
    except (ValueError, TypeError, binascii.Error, ValidationError, FieldDoesNotExist):
        return None
    return None if any(v is None for v in key) else key


def _token_param(request: HttpRequest, name: str) -> str:
    value = request.GET.get(name, "")
    if len(value) > _MAX_TOKEN_LENGTH or not value.isascii():
        return ""
    return value


def _token_url(path: str, query: dict[str, str], **cursor: str | None) -> str:
    params = {**query, **{k: v for k, v in cursor.items() if v}}
    return f"{path}?{urlencode(params)}" if params else path
