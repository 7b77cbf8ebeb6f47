"""The access log for auditors: who read, searched or changed personal data, when and why.

Filters travel in the URL (dates, an official's username, a purpose, a kind), so an
auditor can bookmark or share a view of the log; none of them names a person of the
register. The rows give how many persons each access returned, never which.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_http_methods

from ventanilla.core import audit
from ventanilla.core.errors import ValidationFailed
from ventanilla.core.models import AccessKind, User
from ventanilla.core.paging import Cursor, page_links
from ventanilla.core.permissions import Action, authorise
from ventanilla.registry.forms import DateInput, UswdsForm
from ventanilla.registry.views._common import (
    PURPOSE_LABELS,
    ROLE_LABELS,
    official_page,
    purpose_label,
)


class AccessLogFilterForm(UswdsForm):
    date_from = forms.DateField(
        label=pgettext_lazy("date range", "From"),
        required=False,
        widget=DateInput(),
        input_formats=["%Y-%m-%d"],
    )
    date_to = forms.DateField(
        label=pgettext_lazy("date range", "To"),
        required=False,
        widget=DateInput(),
        input_formats=["%Y-%m-%d"],
    )
    actor = forms.CharField(
        label=_("Official (username)"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    purpose = forms.ChoiceField(label=_("Purpose"), required=False)
    kind = forms.ChoiceField(label=pgettext_lazy("access log", "Kind of access"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        purpose = cast(forms.ChoiceField, self.fields["purpose"])
        purpose.choices = [("", _("Any purpose")), *PURPOSE_LABELS.items()]
        kind = cast(forms.ChoiceField, self.fields["kind"])
        kind.choices = [("", _("Any kind")), *AccessKind.choices]

    def filters(self) -> audit.AccessLogFilters:
        data = self.cleaned_data
        return audit.AccessLogFilters(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            actor=str(data.get("actor") or "").strip(),
            purpose=str(data.get("purpose") or ""),
            kind=str(data.get("kind") or ""),
        )

    def query(self) -> dict[str, str]:
        """The filters as URL parameters, for the links to other pages of the same view."""
        data = self.cleaned_data
        return {
            name: value.isoformat() if hasattr(value, "isoformat") else str(value)
            for name, value in data.items()
            if value not in (None, "")
        }


@official_page
@require_http_methods(["GET"])
def access_log(request: HttpRequest, actor: User) -> HttpResponse:
    # Always bound: no parameters is a valid view (the newest rows, unfiltered).
    form = AccessLogFilterForm(request.GET)
    context: dict[str, Any] = {"form": form, "rows": None}
    if not form.is_valid():
        authorise(actor, Action.ACCESS_LOG_READ, None)
        return render(request, "office/access_log.html", context, status=422)
    cursor = Cursor.from_request(request)
    try:
        found = audit.access_log(
            actor=actor,
            filters=form.filters(),
            before=cursor.before,
            after=cursor.after,
        )
    except ValidationFailed as exc:
        form.add_domain_errors(exc)
        return render(request, "office/access_log.html", context, status=422)
    query = form.query()
    context.update(
        rows=[
            (
                row,
                ROLE_LABELS.get(row.entry.actor_role, row.entry.actor_role),
                purpose_label(row.entry.purpose),
            )
            for row in found.rows
        ],
        filtered=bool(query),
        **page_links(request.path, found, query),
    )
    return render(request, "office/access_log.html", context)
