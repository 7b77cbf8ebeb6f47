"""Back-office pages for registry officials."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ventanilla.core.models import User
from ventanilla.registry import selectors


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    records = selectors.review_queue(actor=request.user)
    return render(request, "office/queue.html", {"records": records})


@login_required
def declare_choose(request: HttpRequest) -> HttpResponse:
    return render(request, "office/queue.html", {"records": []})


@login_required
def search(request: HttpRequest) -> HttpResponse:
    return render(request, "office/queue.html", {"records": []})


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "office/queue.html", {"records": []})
