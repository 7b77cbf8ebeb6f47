"""Shared by the back-office pages: access, errors, labels and the actions a record offers."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import wraps
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ventanilla.core import jurisdictions
from ventanilla.core.country import current_profile
from ventanilla.core.errors import DomainError, NotAuthenticated
from ventanilla.core.models import Jurisdiction, Role, User
from ventanilla.core.permissions import (
    Action,
    granting_assignment,
    is_official,
)
from ventanilla.core.profiles import EventTypeSpec
from ventanilla.registry import identity, services
from ventanilla.registry.forms import (
    CHOICE_LABELS,
    DisplayRow,
    display_rows,
    field_label,
)
from ventanilla.registry.models import (
    Person,
    RecordAction,
    RecordStatus,
    VitalRecord,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

P = ParamSpec("P")

# --------------------------------------------------------------------------------------------
# Access and errors
# --------------------------------------------------------------------------------------------


def _verified(request: HttpRequest) -> bool:
    check = getattr(request.user, "is_verified", None)
    return bool(check()) if callable(check) else False


def official_page(
    view: Callable[Concatenate[HttpRequest, User, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Signed in (officials with their second factor); domain errors become error pages."""

    @wraps(view)
    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        user = request.user
        if not isinstance(user, User) or not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if is_official(user) and not _verified(request):
            return redirect_to_login(request.get_full_path())
        try:
            return view(request, user, *args, **kwargs)
        except DomainError as exc:
            record_id = kwargs.get("record_id")
            return error_response(request, exc, record_id=record_id)

    return wrapper


_ERROR_TITLES: dict[int, StrOrPromise] = {
    403: gettext_lazy("You cannot do this here"),
    404: gettext_lazy("Not found"),
    409: gettext_lazy("This cannot be done now"),
    422: gettext_lazy("This cannot be done"),
    429: gettext_lazy("Too many attempts"),
}
#: Titles for the errors whose code says more than their status (409 has several causes).
_ERROR_TITLES_BY_CODE: dict[str, StrOrPromise] = {
    "conflict": gettext_lazy("Someone else acted first"),
    "action_not_allowed": gettext_lazy("Not possible in the record's current status"),
    "duplicates_pending": gettext_lazy("Possible duplicates to review first"),
    "already_decided": gettext_lazy("Already decided"),
}


def error_title(exc: DomainError) -> StrOrPromise:
    """The page's title for the error: by its code where known, else by its status."""
    if exc.code in _ERROR_TITLES_BY_CODE:
        return _ERROR_TITLES_BY_CODE[exc.code]
    return _ERROR_TITLES.get(exc.status, gettext_lazy("Something went wrong"))


def error_message(exc: DomainError) -> str:
    """The error in words for the page; for a refused transition, what the record is now."""
    if exc.code == "action_not_allowed":
        status = str(exc.details.get("status", ""))
        if status in RecordStatus.values:
            return _(
                "Someone may have acted on this record before you: it is now “%(status)s”, "
                "and this action is not possible in that status. Reload the record to see "
                "what changed."
            ) % {"status": RecordStatus(status).label}
    if exc.code == "conflict":
        return _(
            "Someone else changed this record while you were working on it. "
            "Reload the record and try again."
        )
    return str(exc.message)


def error_response(
    request: HttpRequest, exc: DomainError, *, record_id: Any = None
) -> HttpResponse:
    if isinstance(exc, NotAuthenticated):
        return redirect_to_login(request.get_full_path())
    context = {
        "title": error_title(exc),
        "message": error_message(exc),
        "code": exc.code,
        # Back to the record only where it may be opened (not after a refusal or for a
        # record that does not exist).
        "record_id": record_id if exc.status not in (403, 404) else None,
    }
    template = "office/_error_inline.html" if _is_htmx(request) else "office/error.html"
    return render(request, template, context, status=exc.status)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def may_at(actor: User, action: Action, jurisdiction_id: int | None) -> bool:
    """Whether `actor` may do `action` at the jurisdiction: a page that needs it is linked
    only then, as plain text otherwise (a link that answers 403 helps nobody)."""
    where = jurisdictions.by_id(jurisdiction_id) if jurisdiction_id is not None else None
    return where is not None and granting_assignment(actor, action, where) is not None


def readable_persons(actor: User, person_ids: Iterable[Any]) -> set[str]:
    """Which of the persons (by ID) `actor` may open the page of."""
    wanted = {str(p) for p in person_ids if p}
    if not wanted:
        return set()
    found = Person.objects.filter(pk__in=wanted).values_list("pk", "jurisdiction_id")
    return {str(pk) for pk, where in found if may_at(actor, Action.PERSON_READ, where)}


# --------------------------------------------------------------------------------------------
# Labels shared by the pages
# --------------------------------------------------------------------------------------------

ACTION_LABELS: dict[str, StrOrPromise] = {
    "create": gettext_lazy("Created"),
    "update": gettext_lazy("Draft updated"),
    "declare": gettext_lazy("Declared"),
    "validate": gettext_lazy("Validated"),
    "register": gettext_lazy("Registered"),
    "reject": gettext_lazy("Rejected"),
    "correct": gettext_lazy("Corrected"),
    "flag_duplicates": gettext_lazy("Possible duplicates found"),
    "mark_duplicate": gettext_lazy("Marked as a duplicate"),
    "mark_not_duplicate": gettext_lazy("Marked as not a duplicate"),
    "archive": gettext_lazy("Archived"),
    "revoke": gettext_lazy("Revoked"),
    "reinstate": gettext_lazy("Reinstated"),
}
ROLE_LABELS: dict[str, StrOrPromise] = {str(value): label for value, label in Role.choices}

#: What each purpose code of the access log means: the one table for the auditor's log and
#: the citizen's "who looked at my data". Refusals carry the refused action as their purpose
#: (every `Action`), and a record's journaled actions are logged as ``record.<action>``.
PURPOSE_LABELS: dict[str, StrOrPromise] = {
    "person.read": gettext_lazy("Read a person's entry in the register"),
    "person.relatives": gettext_lazy("Read the relatives named on a person's entry"),
    "person.search": gettext_lazy("Searched the register"),
    "person.import": gettext_lazy("Imported persons into the register"),
    "record.queue": gettext_lazy("Listed the declarations waiting for review"),
    "record.read": gettext_lazy("Read a vital record"),
    "record.duplicates": gettext_lazy("Compared a declaration with the register"),
    "record.create": gettext_lazy("Started a declaration"),
    "record.update": gettext_lazy("Changed a draft declaration"),
    "record.declare": gettext_lazy("Declared a vital event"),
    "declaration.participant": gettext_lazy("Looked up the persons a declaration names"),
    "record.resubmit": gettext_lazy("Resubmitted a declaration"),
    "record.validate": gettext_lazy("Validated a declaration"),
    "record.register": gettext_lazy("Registered a vital record"),
    "record.reject": gettext_lazy("Rejected a declaration"),
    "record.correct": gettext_lazy("Corrected a vital record"),
    "record.flag_duplicates": gettext_lazy("Found possible duplicates of a declaration"),
    "record.archive": gettext_lazy("Archived a vital record"),
    "record.revoke": gettext_lazy("Revoked a registration"),
    "record.reinstate": gettext_lazy("Reinstated a vital record"),
    "record.mark_duplicate": gettext_lazy("Marked a declaration as a duplicate"),
    "record.mark_not_duplicate": gettext_lazy("Decided a declaration is not a duplicate"),
    "duplicate.decide": gettext_lazy("Decided on a possible duplicate"),
    "dashboard.view": gettext_lazy("Viewed a dashboard"),
    "access_log.read": gettext_lazy("Read the access log"),
    "citizen.own_records": gettext_lazy("A citizen viewed their own records"),
    "legacy.import": gettext_lazy("Imported from the previous register"),
}
#: The same purposes as the person concerned reads them in their own log, where it differs.
PURPOSE_LABELS_FOR_SUBJECT: dict[str, StrOrPromise] = {
    "person.read": gettext_lazy("Read your entry in the register"),
    "person.relatives": gettext_lazy("Read a relative's entry, which names you"),
    "citizen.own_records": gettext_lazy("You viewed your own records"),
}


def purpose_label(purpose: str, *, for_subject: bool = False) -> str:
    """The purpose in words; `for_subject` as the person whose data it was reads it."""
    if for_subject and purpose in PURPOSE_LABELS_FOR_SUBJECT:
        return str(PURPOSE_LABELS_FOR_SUBJECT[purpose])
    return str(PURPOSE_LABELS.get(purpose, purpose))


STATUS_LABELS: dict[str, StrOrPromise] = {
    str(value): label for value, label in RecordStatus.choices
}


@dataclass(frozen=True)
class PageAction:
    name: str
    workflow_action: str
    permission: Action
    label: StrOrPromise
    title: StrOrPromise
    needs_reason: bool
    primary: bool = False


PAGE_ACTIONS: dict[str, PageAction] = {
    a.name: a
    for a in (
        PageAction(
            "validate",
            "validate",
            Action.RECORD_VALIDATE,
            gettext_lazy("Validate"),
            gettext_lazy("Validate the declaration"),
            needs_reason=False,
        ),
        PageAction(
            "register",
            "register",
            Action.RECORD_REGISTER,
            gettext_lazy("Register"),
            gettext_lazy("Register the record"),
            needs_reason=False,
            primary=True,
        ),
        PageAction(
            "reject",
            "reject",
            Action.RECORD_REJECT,
            gettext_lazy("Reject"),
            gettext_lazy("Reject the declaration"),
            needs_reason=True,
        ),
        PageAction(
            "correct",
            "correct",
            Action.RECORD_CORRECT,
            gettext_lazy("Correct"),
            gettext_lazy("Correct the record"),
            needs_reason=True,
        ),
        PageAction(
            "archive",
            "archive",
            Action.RECORD_ARCHIVE,
            gettext_lazy("Archive"),
            gettext_lazy("Archive the record"),
            needs_reason=True,
        ),
        PageAction(
            "revoke",
            "revoke",
            Action.RECORD_REVOKE,
            gettext_lazy("Revoke"),
            gettext_lazy("Revoke the registration"),
            needs_reason=True,
        ),
        PageAction(
            "reinstate",
            "reinstate",
            Action.RECORD_REINSTATE,
            gettext_lazy("Reinstate"),
            gettext_lazy("Reinstate the record"),
            needs_reason=True,
        ),
        PageAction(
            "resubmit",
            "declare",
            Action.RECORD_DECLARE,
            gettext_lazy("Resubmit"),
            gettext_lazy("Resubmit the declaration"),
            needs_reason=False,
        ),
    )
}


def _perform(actor: User, record_id: uuid.UUID, action: str, reason: str) -> VitalRecord:
    if action == "validate":
        return services.record_validate(actor=actor, record_id=record_id)
    if action == "register":
        return services.record_register(actor=actor, record_id=record_id)
    if action == "resubmit":
        return services.record_resubmit(actor=actor, record_id=record_id)
    with_reason: dict[str, Callable[..., VitalRecord]] = {
        "reject": services.record_reject,
        "archive": services.record_archive,
        "revoke": services.record_revoke,
        "reinstate": services.record_reinstate,
    }
    return with_reason[action](actor=actor, record_id=record_id, reason=reason)


def _done_message(action: str, record: VitalRecord | None = None) -> str:
    if action == "register" and record is not None:
        return _("The record was registered with number %(number)s.") % {
            "number": record.registration_number
        }
    messages_by_action = {
        "validate": _("The declaration was validated."),
        "reject": _("The declaration was rejected."),
        "archive": _("The record was archived."),
        "revoke": _("The registration was revoked."),
        "reinstate": _("The record was reinstated."),
        "resubmit": _("The declaration was submitted again."),
        "correct": _("The correction was saved in the record's history."),
    }
    return messages_by_action.get(action, _("Done."))


def _spec(event_type: str) -> EventTypeSpec:
    try:
        return current_profile().event_type(event_type)
    except KeyError:
        raise Http404 from None


def _id_label() -> str:
    return identity.scheme().label


def _format_id(value: str | None) -> str:
    return identity.scheme().format(value) if value else ""


# --------------------------------------------------------------------------------------------
# A record's history, shown on the record and on its persons' pages
# --------------------------------------------------------------------------------------------


@dataclass
class JournalRow:
    entry: RecordAction
    action_label: StrOrPromise
    role_label: StrOrPromise
    status_label: StrOrPromise
    office_name: str
    details: list[str] = field(default_factory=list)


def _journal_rows(entries: Iterable[RecordAction]) -> list[JournalRow]:
    entries = list(entries)
    office_ids = {e.office_id for e in entries if e.office_id}
    offices = Jurisdiction.objects.in_bulk(list(office_ids))
    rows: list[JournalRow] = []
    for entry in entries:
        office = offices.get(entry.office_id) if entry.office_id else None
        rows.append(
            JournalRow(
                entry=entry,
                action_label=ACTION_LABELS.get(entry.action, entry.action),
                role_label=ROLE_LABELS.get(entry.actor_role, entry.actor_role),
                status_label=STATUS_LABELS.get(entry.status_after, entry.status_after),
                office_name=office.name if office else "",
                details=_journal_details(entry),
            )
        )
    return rows


def _shown(value: Any) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    text = str(value)
    return str(CHOICE_LABELS.get(text, text))


def _displayed(row: DisplayRow) -> str:
    """A value as the record page shows it (places by name, dates in the language's format)."""
    if row.kind == "date" and isinstance(row.value, dt.date):
        return formats.date_format(row.value, "SHORT_DATE_FORMAT")
    if row.kind in ("choice", "state", "municipality"):
        return str(row.value)
    return _shown(row.value)


def _display_values(event_type: str, data: Mapping[str, Any]) -> dict[str, str]:
    """The record display's words for the values of `data`, by field name."""
    try:
        spec = current_profile().event_type(event_type)
    except KeyError:
        return {}
    return {row.name: _displayed(row) for row in display_rows(spec, data)}


def _journal_details(entry: RecordAction) -> list[str]:
    payload = entry.payload or {}
    details: list[str] = []
    if payload.get("registration_number"):
        details.append(
            _("Registration number: %(number)s") % {"number": payload["registration_number"]}
        )
    if payload.get("national_id"):
        details.append(_("National ID: %(id)s") % {"id": _format_id(payload["national_id"])})
    if payload.get("national_id_after"):
        details.append(
            _("New national ID: %(id)s") % {"id": _format_id(payload["national_id_after"])}
        )
    before, after = payload.get("before"), payload.get("after")
    if isinstance(before, dict) and isinstance(after, dict):
        event_type = entry.record.event_type
        shown_before = _display_values(event_type, before)
        shown_after = _display_values(event_type, after)
        for name in sorted(set(before) | set(after)):
            details.append(
                _("%(field)s: %(before)s → %(after)s")
                % {
                    "field": field_label(name),
                    "before": shown_before.get(name) or _shown(before.get(name)),
                    "after": shown_after.get(name) or _shown(after.get(name)),
                }
            )
    if entry.action == "flag_duplicates" and isinstance(payload.get("candidates"), list):
        details.append(_("Candidates: %(count)d") % {"count": len(payload["candidates"])})
    return details
