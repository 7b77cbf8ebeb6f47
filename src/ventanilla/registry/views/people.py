"""Searching the register and a person's history."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from ventanilla.core.errors import ValidationFailed
from ventanilla.core.models import User
from ventanilla.core.permissions import (
    Action,
    authorise,
)
from ventanilla.registry import selectors
from ventanilla.registry.forms import (
    SearchForm,
)
from ventanilla.registry.models import (
    Person,
    VitalRecord,
)

if TYPE_CHECKING:
    from ventanilla.registry.selectors import PersonDetail
from ventanilla.registry.views._common import (
    _format_id,
    _id_label,
    _journal_rows,
    may_at,
    official_page,
)

# --------------------------------------------------------------------------------------------
# Search and persons
# --------------------------------------------------------------------------------------------


@official_page
@require_http_methods(["GET", "POST"])
def search(request: HttpRequest, actor: User) -> HttpResponse:
    # Searches are POSTed so national IDs and names never appear in URLs, histories or logs.
    form = SearchForm(request.POST if request.method == "POST" else None, id_label=_id_label())
    results: list[Person] | None = None
    incomplete = False
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            criteria = form.cleaned_data
            try:
                found = selectors.person_search(
                    actor=actor,
                    national_id=str(criteria.get("national_id") or "").strip(),
                    name=str(criteria.get("name") or "").strip(),
                    born_from=criteria.get("born_from"),
                    born_to=criteria.get("born_to"),
                    place_code=str(criteria.get("place") or ""),
                )
            except ValidationFailed as exc:
                form.add_domain_errors(exc)
            else:
                results, incomplete = found.persons, found.incomplete
                status = 200
    else:
        authorise(actor, Action.PERSON_SEARCH, None)
    rows = [(p, _format_id(p.national_id)) for p in results or []]
    return render(
        request,
        "office/search.html",
        {"form": form, "results": results, "rows": rows, "incomplete": incomplete},
        status=status,
    )


@official_page
@require_http_methods(["GET"])
def person(request: HttpRequest, actor: User, person_id: uuid.UUID) -> HttpResponse:
    detail = selectors.person_detail(actor=actor, person_id=person_id)
    readable_persons, readable_records = _followable(actor, detail)
    context = {
        "detail": detail,
        "person": detail.person,
        "national_id": _format_id(detail.person.national_id),
        "journal": _journal_rows(detail.journal),
        "readable_persons": readable_persons,
        "readable_records": readable_records,
    }
    return render(request, "office/person.html", context)


def _followable(actor: User, detail: PersonDetail) -> tuple[set[uuid.UUID], set[uuid.UUID]]:
    """The relatives and records the page names that `actor` may open: those registered in
    another jurisdiction are named without a link."""
    persons = {link.parent_id: link.parent.jurisdiction_id for link in detail.parents}
    persons |= {link.child_id: link.child.jurisdiction_id for link in detail.children}
    for union in detail.unions:
        persons[union.spouse_a_id] = union.spouse_a.jurisdiction_id
        persons[union.spouse_b_id] = union.spouse_b.jurisdiction_id
    offices = {record.pk: record.office_id for record in detail.records}
    named = {link.ended_by_id for link in (*detail.parents, *detail.children) if link.ended_by_id}
    named |= {union.marriage_record_id for union in detail.unions}
    if unknown := named - set(offices):
        offices |= dict(VitalRecord.objects.filter(pk__in=unknown).values_list("pk", "office_id"))
    return (
        {pk for pk, where in persons.items() if may_at(actor, Action.PERSON_READ, where)},
        {pk for pk, where in offices.items() if may_at(actor, Action.RECORD_READ, where)},
    )
