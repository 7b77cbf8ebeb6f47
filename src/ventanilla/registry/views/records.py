"""The review queue, declaring, a record and the actions taken on it."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ventanilla.core.country import current_profile
from ventanilla.core.errors import ValidationFailed
from ventanilla.core.idempotency import IdempotencyKeyReused, Outcome, run_once
from ventanilla.core.models import Jurisdiction, JurisdictionLevel, User
from ventanilla.core.paging import KeyCursor, key_page_links
from ventanilla.core.permissions import (
    ALLOWED_ROLES,
    Action,
    assignments,
    authorise,
    granting_assignment,
)
from ventanilla.registry import selectors, services
from ventanilla.registry.forms import (
    ActionForm,
    CorrectionForm,
    DeclarationForm,
    PersonLookup,
    UswdsForm,
    correction_initial,
    display_rows,
    new_token,
)
from ventanilla.registry.models import (
    DuplicateDecision,
    VitalRecord,
)
from ventanilla.registry.views._common import (
    PAGE_ACTIONS,
    PageAction,
    _done_message,
    _format_id,
    _id_label,
    _journal_rows,
    _perform,
    _spec,
    official_page,
    readable_persons,
)
from ventanilla.registry.workflow import RECORD_WORKFLOW

# --------------------------------------------------------------------------------------------
# Review queue
# --------------------------------------------------------------------------------------------


@official_page
@require_http_methods(["GET"])
def queue(request: HttpRequest, actor: User) -> HttpResponse:
    found = selectors.review_queue_page(actor=actor, cursor=KeyCursor.from_request(request))
    context = {
        "records": found.page.rows,
        "waiting": found.waiting,
        **key_page_links(request.path, found.page),
    }
    return render(request, "office/queue.html", context)


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


def _person_lookup(actor: User) -> PersonLookup:
    def lookup(references: Mapping[str, str], office: Jurisdiction | None) -> dict[str, str]:
        return selectors.declaration_participants(actor=actor, references=references, office=office)

    return lookup


def _submit_once(
    form: UswdsForm,
    *,
    actor: User,
    scope: str,
    payload: dict[str, Any],
    perform: Callable[[], tuple[int, dict[str, Any]]],
) -> Outcome | None:
    """Run `perform` once for the form's token; None when the form must be shown again with
    its errors: domain errors on their fields, or a token already spent on other data (the
    form then gets a new one)."""
    try:
        return run_once(
            actor=actor,
            key=form.cleaned_data["token"],
            scope=scope,
            payload=payload,
            perform=perform,
        )
    except IdempotencyKeyReused:
        form.data = {**form.data, "token": new_token()}
        form.add_error(
            None,
            _("This form was already sent with other data. Check the values and send it again."),
        )
    except ValidationFailed as exc:
        form.add_domain_errors(exc)
    return None


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

            outcome = _submit_once(
                form,
                actor=actor,
                scope="page.declare",
                payload={"event_type": spec.code, "office": office_code, "data": data},
                perform=perform,
            )
            if outcome is not None:
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
    rows = display_rows(spec, vital.data)
    named = [r.value for r in rows if r.kind == "person_ref"] + [vital.subject_id]
    context = {
        "record": vital,
        "event_label": spec.label(get_language() or ""),
        "rows": rows,
        "readable_persons": readable_persons(actor, named),
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

            outcome = _submit_once(
                form,
                actor=actor,
                scope=f"page.{action}",
                payload={"record": str(record_id), "reason": reason},
                perform=perform,
            )
            if outcome is not None:
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
            changes = form.payload(keep_empty=True)
            reason = str(form.cleaned_data["reason"])

            def perform() -> tuple[int, dict[str, Any]]:
                done = services.record_correct(
                    actor=actor, record_id=record_id, changes=changes, reason=reason
                )
                return 200, {"id": str(done.pk)}

            outcome = _submit_once(
                form,
                actor=actor,
                scope="page.correct",
                payload={
                    "record": str(record_id),
                    "event_type": spec.code,
                    "changes": changes,
                    "reason": reason,
                },
                perform=perform,
            )
            if outcome is not None:
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
