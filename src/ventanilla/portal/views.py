"""Citizen portal pages: thin views over `registry.selectors` and `core.signin`."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ventanilla.core.errors import DomainError
from ventanilla.core.models import User
from ventanilla.core.paging import Cursor, page_links
from ventanilla.core.signin import sign_in as do_sign_in
from ventanilla.portal.forms import SignInForm
from ventanilla.registry import selectors
from ventanilla.registry.models import Person


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
    return render(request, "portal/my_records.html", {"person": person, "records": records})


@login_required
def my_access_log(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    person = _own_person(request.user)
    context: dict[str, Any] = {"person": person, "entries": []}
    if person is not None:
        page = selectors.citizen_access_log(person=person, cursor=Cursor.from_request(request))
        context.update(entries=page.rows, **page_links(request.path, page))
    return render(request, "portal/my_access_log.html", context)
