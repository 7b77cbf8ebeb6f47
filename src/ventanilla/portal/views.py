"""Citizen portal pages: thin views over `registry.selectors` and `core.signin`; and the
platform's pages for errors no view answered (400, 500), in the user's language."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.http import require_POST

from ventanilla.core.context import current_request_id
from ventanilla.core.errors import DomainError, InternalError
from ventanilla.core.models import User
from ventanilla.core.paging import Cursor, page_links
from ventanilla.core.signin import sign_in as do_sign_in
from ventanilla.portal.forms import SignInForm
from ventanilla.registry import identity, selectors
from ventanilla.registry.models import Person
from ventanilla.registry.views._common import purpose_label


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            do_sign_in(
                request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                token=form.cleaned_data["token"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc.message))
            status = exc.status
        else:
            target = request.GET.get("next", "")
            if target.startswith("/") and not target.startswith("//"):
                return redirect(target)
            return redirect("portal:home")
    return render(request, "portal/sign_in.html", {"form": form}, status=status)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("portal:home")


def _own_person(user: User) -> Person | None:
    return Person.objects.filter(account=user).first()


@login_required
def my_records(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    person = _own_person(request.user)
    records = selectors.citizen_records(actor=request.user, person=person) if person else []
    national_id = (
        identity.scheme().format(person.national_id) if person and person.national_id else ""
    )
    context = {"person": person, "records": records, "national_id": national_id}
    return render(request, "portal/my_records.html", context)


@login_required
def my_access_log(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    person = _own_person(request.user)
    context: dict[str, Any] = {"person": person, "entries": []}
    if person is not None:
        page = selectors.citizen_access_log(person=person, cursor=Cursor.from_request(request))
        rows = [(entry, purpose_label(entry.purpose, for_subject=True)) for entry in page.rows]
        context.update(entries=page.rows, rows=rows, **page_links(request.path, page))
    return render(request, "portal/my_access_log.html", context)


def _error_page(request: HttpRequest, template: str, status: int, **context: Any) -> HttpResponse:
    """The page with the request's context (the user's navigation, the language form) when
    it can be built; without it when that fails too, as it may when the database is what
    broke: the user still gets the page in their language."""
    try:
        body = loader.render_to_string(template, context, request)
    except Exception:  # noqa: BLE001 - whatever broke the request may break this too
        body = loader.render_to_string(template, context)
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """`handler400`: Django's own renders its template without the request."""
    return _error_page(request, "400.html", 400, code="bad_request")


def server_error(request: HttpRequest) -> HttpResponse:
    """`handler500`: the bug is logged under the request ID; the user gets the ID to quote."""
    request_id = getattr(request, "request_id", "") or current_request_id()
    message = str(InternalError.default_message) % {"request_id": request_id}
    return _error_page(request, "500.html", 500, code=InternalError.code, message=message)
