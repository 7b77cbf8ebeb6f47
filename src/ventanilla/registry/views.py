"""Back-office pages for registry officials.

Each view parses a form, calls one service (a change) or selector (a read that is
written to the access log), and renders. Domain errors become pages in the user's
language with the error's HTTP status: 403 for a refusal, 404 for nothing there,
409 when someone else acted first, 422 with the form and its field errors.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import wraps
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ventanilla.core.country import current_profile
from ventanilla.core.errors import DomainError, NotAuthenticated, ValidationFailed
from ventanilla.core.idempotency import IdempotencyKeyReused, run_once
from ventanilla.core.models import Jurisdiction, JurisdictionLevel, Role, User
from ventanilla.core.permissions import (
    ALLOWED_ROLES,
    Action,
    assignments,
    authorise,
    granting_assignment,
    is_official,
)
from ventanilla.core.profiles import EventTypeSpec
from ventanilla.registry import dashboards, identity, selectors, services
from ventanilla.registry.forms import (
    CHOICE_LABELS,
    ActionForm,
    CorrectionForm,
    DashboardForm,
    DeclarationForm,
    DuplicateDecisionForm,
    SearchForm,
    correction_initial,
    display_rows,
    field_label,
    new_token,
)
from ventanilla.registry.models import (
    DuplicateDecision,
    DuplicateFlag,
    Person,
    RecordAction,
    RecordStatus,
    VitalRecord,
)
from ventanilla.registry.workflow import IN_REVIEW, RECORD_WORKFLOW

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
    409: gettext_lazy("Someone else acted first"),
    422: gettext_lazy("This cannot be done"),
    429: gettext_lazy("Too many attempts"),
}


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
        "title": _ERROR_TITLES.get(exc.status, gettext_lazy("Something went wrong")),
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
# Review queue
# --------------------------------------------------------------------------------------------


@official_page
@require_http_methods(["GET"])
def queue(request: HttpRequest, actor: User) -> HttpResponse:
    records = selectors.review_queue(actor=actor)
    return render(request, "office/queue.html", {"records": records})


# --------------------------------------------------------------------------------------------
# Declaring
# --------------------------------------------------------------------------------------------


@official_page
@require_http_methods(["GET"])
def declare_choose(request: HttpRequest, actor: User) -> HttpResponse:
    authorise(actor, Action.RECORD_DECLARE, None)
    language = get_language() or ""
    event_types = [(spec.code, spec.label(language)) for spec in current_profile().event_types]
    return render(request, "office/declare_choose.html", {"event_types": event_types})


def _declaring_offices(actor: User) -> list[Jurisdiction]:
    allowed = ALLOWED_ROLES[Action.RECORD_DECLARE]
    found = {
        a.jurisdiction.pk: a.jurisdiction
        for a in assignments(actor)
        if a.role in allowed and a.jurisdiction.level == JurisdictionLevel.OFFICE
    }
    return sorted(found.values(), key=lambda j: j.path)


def _person_lookup(actor: User) -> Callable[[str], list[Person]]:
    def lookup(national_id: str) -> list[Person]:
        return selectors.person_search(actor=actor, national_id=national_id, limit=2)

    return lookup


def _fresh_token(form: DeclarationForm | ActionForm) -> None:
    """Give a re-rendered form a new idempotency token (the old one is spent)."""
    form.data = {**form.data, "token": new_token()}


@official_page
@require_http_methods(["GET", "POST"])
def declare(request: HttpRequest, actor: User, event_type: str) -> HttpResponse:
    spec = _spec(event_type)
    authorise(actor, Action.RECORD_DECLARE, None)
    form = DeclarationForm(
        request.POST if request.method == "POST" else None,
        spec=spec,
        person_lookup=_person_lookup(actor),
        id_label=_id_label(),
        offices=_declaring_offices(actor),
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.payload()
            office_code = form.office_code

            def perform() -> tuple[int, dict[str, Any]]:
                record = services.record_declare(
                    actor=actor, event_type=spec.code, data=data, office_code=office_code
                )
                return 201, {"id": str(record.pk)}

            try:
                outcome = run_once(
                    actor=actor,
                    key=form.cleaned_data["token"],
                    scope="page.declare",
                    payload={"event_type": spec.code, "office": office_code, "data": data},
                    perform=perform,
                )
            except IdempotencyKeyReused:
                _fresh_token(form)
                form.add_error(
                    None,
                    _(
                        "This form was already sent with other data. "
                        "Check the values and send it again."
                    ),
                )
            except ValidationFailed as exc:
                form.add_domain_errors(exc)
            else:
                messages.success(request, _("The declaration was saved."))
                return redirect("office:record", record_id=outcome.body["id"])
    label = spec.label(get_language() or "")
    return render(
        request,
        "office/declare.html",
        {"form": form, "event_type": spec.code, "event_label": label},
        status=status,
    )


# --------------------------------------------------------------------------------------------
# A record
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
        for name in sorted(set(before) | set(after)):
            details.append(
                _("%(field)s: %(before)s → %(after)s")
                % {
                    "field": field_label(name),
                    "before": _shown(before.get(name)),
                    "after": _shown(after.get(name)),
                }
            )
    if entry.action == "flag_duplicates" and isinstance(payload.get("candidates"), list):
        details.append(_("Candidates: %(count)d") % {"count": len(payload["candidates"])})
    return details


@dataclass(frozen=True)
class ActionButton:
    action: PageAction
    form: ActionForm | None
    url: str


def _available_actions(actor: User, record: VitalRecord) -> list[ActionButton]:
    buttons: list[ActionButton] = []
    allowed = set(RECORD_WORKFLOW.allowed_actions(record.status))
    for page_action in PAGE_ACTIONS.values():
        if page_action.workflow_action not in allowed:
            continue
        if page_action.name == "register" and record.duplicates_pending:
            continue
        if granting_assignment(actor, page_action.permission, record.office) is None:
            continue
        url = reverse("office:record_action", args=[record.pk, page_action.name])
        form = None
        if page_action.name == "correct":
            url = reverse("office:correct", args=[record.pk])
        else:
            form = ActionForm(
                reason_required=page_action.needs_reason, auto_id=f"id_{page_action.name}_%s"
            )
        buttons.append(ActionButton(page_action, form, url))
    return buttons


@official_page
@require_http_methods(["GET"])
def record(request: HttpRequest, actor: User, record_id: uuid.UUID) -> HttpResponse:
    detail = selectors.record_detail(actor=actor, record_id=record_id)
    vital = detail.record
    spec = _spec(vital.event_type)
    pending = [f for f in detail.flags if f.decision == DuplicateDecision.PENDING]
    context = {
        "record": vital,
        "event_label": spec.label(get_language() or ""),
        "rows": display_rows(spec, vital.data),
        "journal": _journal_rows(detail.journal),
        "buttons": _available_actions(actor, vital),
        "flags": detail.flags,
        "pending_flags": pending,
        "subject_national_id": _format_id(vital.subject.national_id) if vital.subject else "",
    }
    return render(request, "office/record.html", context)


@official_page
@require_http_methods(["GET", "POST"])
def record_action(
    request: HttpRequest, actor: User, record_id: uuid.UUID, action: str
) -> HttpResponse:
    page_action = PAGE_ACTIONS.get(action)
    if page_action is None or action == "correct":
        raise Http404
    if request.method == "GET":
        # The form is only for those who may send it, about a record that exists.
        selectors.require_record_action(
            actor=actor, record_id=record_id, action=page_action.permission
        )
    form = ActionForm(
        request.POST if request.method == "POST" else None,
        reason_required=page_action.needs_reason,
        auto_id=f"id_{action}_%s",
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            reason = form.reason_text

            def perform() -> tuple[int, dict[str, Any]]:
                done = _perform(actor, record_id, action, reason)
                return 200, {"id": str(done.pk), "message": _done_message(action, done)}

            try:
                outcome = run_once(
                    actor=actor,
                    key=form.cleaned_data["token"],
                    scope=f"page.{action}",
                    payload={"record": str(record_id), "reason": reason},
                    perform=perform,
                )
            except IdempotencyKeyReused:
                _fresh_token(form)
                form.add_error(
                    None,
                    _(
                        "This form was already sent with other data. "
                        "Check the values and send it again."
                    ),
                )
            except ValidationFailed as exc:
                form.add_domain_errors(exc)
            else:
                messages.success(request, str(outcome.body.get("message", "")))
                return redirect("office:record", record_id=record_id)
    context = {"form": form, "action": page_action, "record_id": record_id}
    return render(request, "office/action.html", context, status=status)


@official_page
@require_http_methods(["GET", "POST"])
def correct(request: HttpRequest, actor: User, record_id: uuid.UUID) -> HttpResponse:
    status = 200
    if request.method == "POST":
        spec = _spec(str(request.POST.get("event_type", "")))
        form = CorrectionForm(
            request.POST, spec=spec, person_lookup=_person_lookup(actor), id_label=_id_label()
        )
        status = 422
        if form.is_valid():
            try:
                services.record_correct(
                    actor=actor,
                    record_id=record_id,
                    changes=form.payload(keep_empty=True),
                    reason=str(form.cleaned_data["reason"]),
                )
            except ValidationFailed as exc:
                form.add_domain_errors(exc)
            else:
                messages.success(request, _done_message("correct"))
                return redirect("office:record", record_id=record_id)
    else:
        detail = selectors.record_detail(actor=actor, record_id=record_id)
        spec = _spec(detail.record.event_type)
        form = CorrectionForm(
            initial=correction_initial(detail.record.data),
            spec=spec,
            person_lookup=_person_lookup(actor),
            id_label=_id_label(),
        )
    context = {
        "form": form,
        "action": PAGE_ACTIONS["correct"],
        "record_id": record_id,
        "event_type": spec.code,
    }
    return render(request, "office/correct.html", context, status=status)


# --------------------------------------------------------------------------------------------
# Duplicate review
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComparisonRow:
    label: StrOrPromise
    declared: Any
    candidate: Any
    level: str
    level_label: StrOrPromise

    @property
    def differs(self) -> bool:
        """The matcher saw a difference, or the values are not written the same way."""
        if self.level in ("close", "different"):
            return True
        shown = [str(v).strip() for v in (self.declared, self.candidate) if v not in (None, "")]
        return len(shown) == 2 and shown[0] != shown[1]


@dataclass
class CandidateView:
    flag: DuplicateFlag
    percent: int
    rows: list[ComparisonRow]
    form: DuplicateDecisionForm | None
    decision_label: StrOrPromise


LEVEL_LABELS: dict[str, StrOrPromise] = {
    "exact": gettext_lazy("Same"),
    "close": gettext_lazy("Similar"),
    "different": gettext_lazy("Different"),
    "missing": gettext_lazy("Not known for both"),
}
DECISION_LABELS: dict[str, StrOrPromise] = {
    str(value): label for value, label in DuplicateDecision.choices
}


def _places(codes: Iterable[str]) -> dict[str, str]:
    return {
        j.official_code: j.name
        for j in Jurisdiction.objects.filter(
            level=JurisdictionLevel.MUNICIPALITY, official_code__in=[c for c in codes if c]
        )
    }


def _comparison(
    vital: VitalRecord, flag: DuplicateFlag, mothers: dict[str, str], places: dict[str, str]
) -> list[ComparisonRow]:
    data = vital.data
    person = flag.candidate
    levels = flag.comparison or {}
    declared_birth: Any = data.get("birth_date", "")
    with contextlib.suppress(ValueError):
        declared_birth = dt.date.fromisoformat(str(declared_birth))
    rows_spec: list[tuple[StrOrPromise, Any, Any, str]] = [
        (
            field_label("given_names"),
            data.get("given_names", ""),
            person.given_names,
            "given_names",
        ),
        (
            field_label("first_surname"),
            data.get("first_surname", ""),
            person.first_surname,
            "first_surname",
        ),
    ]
    if current_profile().names.uses_second_surname:
        rows_spec.append(
            (
                field_label("second_surname"),
                data.get("second_surname", ""),
                person.second_surname,
                "second_surname",
            )
        )
    rows_spec += [
        (field_label("sex"), _shown(data.get("sex")), person.get_sex_display(), "sex"),
        (field_label("birth_date"), declared_birth, person.birth_date, "birth_date"),
        (
            gettext_lazy("Place of birth"),
            places.get(str(data.get("birth_municipality", "")), ""),
            person.birth_place.name if person.birth_place else "",
            "place_code",
        ),
        (
            gettext_lazy("Mother"),
            mothers.get("record", ""),
            mothers.get(str(person.pk), ""),
            "mother_name",
        ),
    ]
    rows: list[ComparisonRow] = []
    for label, declared, candidate, key in rows_spec:
        level = str((levels.get(key) or {}).get("level", "missing"))
        rows.append(
            ComparisonRow(label, declared, candidate, level, LEVEL_LABELS.get(level, level))
        )
    return rows


def _can_decide(actor: User, vital: VitalRecord) -> bool:
    return (
        vital.status in IN_REVIEW
        and granting_assignment(actor, Action.DUPLICATE_DECIDE, vital.office) is not None
    )


def _decision_form(flag: DuplicateFlag, data: Any = None) -> DuplicateDecisionForm:
    return DuplicateDecisionForm(
        data, initial={"candidate": flag.candidate_id}, auto_id=f"id_{flag.candidate_id}_%s"
    )


def _duplicates_page(
    request: HttpRequest,
    actor: User,
    record_id: uuid.UUID,
    bound: DuplicateDecisionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    detail = selectors.record_detail(actor=actor, record_id=record_id)
    vital = detail.record
    mothers = selectors.candidate_mothers(actor=actor, record=vital, flags=detail.flags)
    places = _places([str(vital.data.get("birth_municipality", ""))])
    can_decide = _can_decide(actor, vital)
    candidates: list[CandidateView] = []
    for flag in detail.flags:
        form = None
        if can_decide and flag.decision == DuplicateDecision.PENDING:
            is_bound = bound is not None and bound.data.get("candidate") == str(flag.candidate_id)
            form = bound if is_bound and bound is not None else _decision_form(flag)
        candidates.append(
            CandidateView(
                flag=flag,
                percent=round(flag.score * 100),
                rows=_comparison(vital, flag, mothers, places),
                form=form,
                decision_label=DECISION_LABELS.get(flag.decision, flag.decision),
            )
        )
    context = {
        "record": vital,
        "candidates": candidates,
        "pending": any(f.decision == DuplicateDecision.PENDING for f in detail.flags),
        "bound": bound,
    }
    return render(request, "office/duplicates.html", context, status=status)


@official_page
@require_http_methods(["GET", "POST"])
def duplicates(request: HttpRequest, actor: User, record_id: uuid.UUID) -> HttpResponse:
    if request.method != "POST":
        return _duplicates_page(request, actor, record_id)
    form = DuplicateDecisionForm(request.POST, auto_id=f"id_{request.POST.get('candidate')}_%s")
    htmx = _is_htmx(request)
    if form.is_valid():
        candidate_id = form.cleaned_data["candidate"]
        try:
            decided = services.duplicate_decide(
                actor=actor,
                record_id=record_id,
                candidate_id=candidate_id,
                is_duplicate=form.is_duplicate,
                reason=str(form.cleaned_data.get("reason") or ""),
            )
        except ValidationFailed as exc:
            form.add_domain_errors(exc)
        else:
            decision = (
                DuplicateDecision.DUPLICATE
                if form.is_duplicate
                else DuplicateDecision.NOT_DUPLICATE
            )
            if htmx:
                return render(
                    request,
                    "office/_decision_done.html",
                    {
                        "record": decided,
                        "decision_label": DECISION_LABELS[decision],
                        "is_duplicate": form.is_duplicate,
                    },
                )
            messages.success(request, _("The decision was saved."))
            return redirect("office:duplicates", record_id=record_id)
    if htmx:
        return render(
            request,
            "office/_decision_form.html",
            {
                "form": form,
                "candidate_id": request.POST.get("candidate", ""),
                "record_id": record_id,
            },
            status=422,
        )
    return _duplicates_page(request, actor, record_id, bound=form, status=422)


# --------------------------------------------------------------------------------------------
# Search and persons
# --------------------------------------------------------------------------------------------


@official_page
@require_http_methods(["GET", "POST"])
def search(request: HttpRequest, actor: User) -> HttpResponse:
    # Searches are POSTed so national IDs and names never appear in URLs, histories or logs.
    form = SearchForm(request.POST if request.method == "POST" else None, id_label=_id_label())
    results: list[Person] | None = None
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            criteria = form.cleaned_data
            try:
                results = selectors.person_search(
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
                status = 200
    else:
        authorise(actor, Action.PERSON_SEARCH, None)
    rows = [(p, _format_id(p.national_id)) for p in results or []]
    return render(
        request,
        "office/search.html",
        {"form": form, "results": results, "rows": rows},
        status=status,
    )


@official_page
@require_http_methods(["GET"])
def person(request: HttpRequest, actor: User, person_id: uuid.UUID) -> HttpResponse:
    detail = selectors.person_detail(actor=actor, person_id=person_id)
    context = {
        "detail": detail,
        "person": detail.person,
        "national_id": _format_id(detail.person.national_id),
        "journal": _journal_rows(detail.journal),
    }
    return render(request, "office/person.html", context)


# --------------------------------------------------------------------------------------------
# Dashboard
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BarSegment:
    x: float
    width: float
    css: str
    count: int
    percent: float


@dataclass(frozen=True)
class Bar:
    row: dashboards.TimelinessRow
    y: float
    segments: list[BarSegment]


CHART_WIDTH = 640.0
ROW_HEIGHT = 48.0


def _bars(report: dashboards.TimelinessReport) -> list[Bar]:
    bars: list[Bar] = []
    for index, row in enumerate(report.rows):
        x = 0.0
        segments: list[BarSegment] = []
        for css, count in (
            ("vt-bar-month", row.within_month),
            ("vt-bar-year", row.within_year),
            ("vt-bar-later", row.later),
        ):
            width = CHART_WIDTH * row.share(count)
            segments.append(
                BarSegment(
                    round(x, 2), round(width, 2), css, count, round(100 * row.share(count), 1)
                )
            )
            x += width
        bars.append(Bar(row, index * ROW_HEIGHT, segments))
    return bars


_LEVELS: dict[str, dashboards.GroupLevel] = {level: level for level in dashboards.GROUP_LEVELS}


@official_page
@require_http_methods(["GET"])
def dashboard(request: HttpRequest, actor: User) -> HttpResponse:
    form = DashboardForm(request.GET or None)
    level = dashboards.default_level(actor)
    if form.is_valid():
        level = _LEVELS.get(str(form.cleaned_data.get("level") or ""), level)
    report = dashboards.birth_registration_timeliness(actor=actor, level=level)
    if not form.is_bound:
        form = DashboardForm(initial={"level": level})
    context = {
        "form": form,
        "report": report,
        "bars": _bars(report),
        "chart_width": CHART_WIDTH,
        "chart_height": max(ROW_HEIGHT, ROW_HEIGHT * len(report.rows)),
        "row_height": ROW_HEIGHT,
    }
    return render(request, "office/dashboard.html", context)
