"""Registry endpoints: parse typed input, call one service or selector, serialise."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status

from ventanilla.core.errors import NotAuthenticated, ValidationFailed
from ventanilla.core.idempotency import run_once
from ventanilla.core.models import User
from ventanilla.registry import selectors, services
from ventanilla.registry.models import Person, VitalRecord

router = Router(tags=["registry"])


class ErrorOut(Schema):
    error: dict[str, Any]


class DeclarationIn(Schema):
    event_type: str = Field(max_length=16)
    office: str | None = Field(default=None, max_length=40)
    data: dict[str, Any]
    submit: bool = True


class ActionIn(Schema):
    reason: str = Field(default="", max_length=2000)
    changes: dict[str, Any] = Field(default_factory=dict)
    candidate_id: uuid.UUID | None = None


class JournalOut(Schema):
    seq: int
    action: str
    actor_role: str
    at: dt.datetime
    reason: str
    status_after: str
    payload: dict[str, Any]


class FlagOut(Schema):
    candidate_id: uuid.UUID
    score: float
    decision: str
    comparison: dict[str, Any]


class RecordOut(Schema):
    id: uuid.UUID
    event_type: str
    status: str
    version: int
    office: str
    data: dict[str, Any]
    subject_id: uuid.UUID | None
    registration_number: str | None
    late: bool
    duplicates_pending: bool
    allowed_actions: list[str]


class PersonOut(Schema):
    id: uuid.UUID
    national_id: str | None
    given_names: str
    first_surname: str
    second_surname: str
    sex: str
    birth_date: dt.date | None
    status: str
    death_date: dt.date | None


class PersonDetailOut(PersonOut):
    parents: list[dict[str, Any]]
    children: list[dict[str, Any]]
    records: list[RecordOut]
    journal: list[JournalOut]


class RecordDetailOut(RecordOut):
    journal: list[JournalOut]
    duplicate_candidates: list[FlagOut]


def _actor(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user


def record_out(record: VitalRecord) -> dict[str, Any]:
    from ventanilla.registry.workflow import RECORD_WORKFLOW

    return {
        "id": record.id,
        "event_type": record.event_type,
        "status": record.status,
        "version": record.version,
        "office": record.office.code,
        "data": record.data,
        "subject_id": record.subject_id,
        "registration_number": record.registration_number,
        "late": record.late,
        "duplicates_pending": record.duplicates_pending,
        "allowed_actions": RECORD_WORKFLOW.allowed_actions(record.status),
    }


def person_out(person: Person) -> dict[str, Any]:
    return {
        "id": person.id,
        "national_id": person.national_id,
        "given_names": person.given_names,
        "first_surname": person.first_surname,
        "second_surname": person.second_surname,
        "sex": person.sex,
        "birth_date": person.birth_date,
        "status": person.status,
        "death_date": person.death_date,
    }


def _journal_out(entries: Any) -> list[dict[str, Any]]:
    return [
        {
            "seq": e.seq,
            "action": e.action,
            "actor_role": e.actor_role,
            "at": e.at,
            "reason": e.reason,
            "status_after": e.status_after,
            "payload": e.payload,
        }
        for e in entries
    ]


def _jsonable(body: dict[str, Any]) -> dict[str, Any]:
    return RecordOut(**body).model_dump(mode="json")


@router.post(
    "/records",
    response={
        201: RecordOut,
        200: RecordOut,
        401: ErrorOut,
        403: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
    summary="Declare a vital event",
)
def declare(request: HttpRequest, payload: DeclarationIn) -> Status[dict[str, Any]]:
    actor = _actor(request)

    def perform() -> tuple[int, dict[str, Any]]:
        record = services.record_declare(
            actor=actor,
            event_type=payload.event_type,
            data=payload.data,
            office_code=payload.office,
            submit=payload.submit,
        )
        return 201, _jsonable(record_out(record))

    outcome = run_once(
        actor=actor,
        key=request.headers.get("Idempotency-Key", ""),
        scope="record.declare",
        payload=payload.model_dump(mode="json"),
        perform=perform,
    )
    return Status(outcome.status, outcome.body)


RecordActionName = Literal[
    "validate",
    "register",
    "reject",
    "correct",
    "archive",
    "revoke",
    "reinstate",
    "resubmit",
    "mark_duplicate",
    "mark_not_duplicate",
]


def _dispatch(actor: User, record_id: uuid.UUID, action: str, body: ActionIn) -> VitalRecord:
    if action in ("mark_duplicate", "mark_not_duplicate"):
        if body.candidate_id is None:
            raise ValidationFailed(fields={"candidate_id": [_("This field is required.")]})
        return services.duplicate_decide(
            actor=actor,
            record_id=record_id,
            candidate_id=body.candidate_id,
            is_duplicate=action == "mark_duplicate",
            reason=body.reason,
        )
    if action == "validate":
        return services.record_validate(actor=actor, record_id=record_id)
    if action == "register":
        return services.record_register(actor=actor, record_id=record_id)
    if action == "resubmit":
        return services.record_resubmit(actor=actor, record_id=record_id)
    if action == "correct":
        return services.record_correct(
            actor=actor, record_id=record_id, changes=body.changes, reason=body.reason
        )
    handlers = {
        "reject": services.record_reject,
        "archive": services.record_archive,
        "revoke": services.record_revoke,
        "reinstate": services.record_reinstate,
    }
    return handlers[action](actor=actor, record_id=record_id, reason=body.reason)


@router.post(
    "/records/{record_id}/{action}",
    response={
        200: RecordOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
    summary="Apply a workflow action to a record",
)
def act(
    request: HttpRequest, record_id: uuid.UUID, action: RecordActionName, payload: ActionIn
) -> Status[dict[str, Any]]:
    actor = _actor(request)

    def perform() -> tuple[int, dict[str, Any]]:
        return 200, _jsonable(record_out(_dispatch(actor, record_id, action, payload)))

    outcome = run_once(
        actor=actor,
        key=request.headers.get("Idempotency-Key", ""),
        scope=f"record.{action}",
        payload={"record": str(record_id), **payload.model_dump(mode="json")},
        perform=perform,
    )
    return Status(outcome.status, outcome.body)


@router.get("/records/{record_id}", response={200: RecordDetailOut, 403: ErrorOut, 404: ErrorOut})
def record_get(request: HttpRequest, record_id: uuid.UUID) -> dict[str, Any]:
    detail = selectors.record_detail(actor=_actor(request), record_id=record_id)
    return {
        **record_out(detail.record),
        "journal": _journal_out(detail.journal),
        "duplicate_candidates": [
            {
                "candidate_id": f.candidate_id,
                "score": f.score,
                "decision": f.decision,
                "comparison": f.comparison,
            }
            for f in detail.flags
        ],
    }


@router.get("/queue", response={200: list[RecordOut], 403: ErrorOut})
def queue(request: HttpRequest) -> list[dict[str, Any]]:
    return [record_out(r) for r in selectors.review_queue(actor=_actor(request))]


class PersonSearchIn(Schema):
    """Search criteria travel in the body, never in the URL, since they are personal data."""

    national_id: str = Field(default="", max_length=40)
    name: str = Field(default="", max_length=200)
    born_from: dt.date | None = None
    born_to: dt.date | None = None
    place: str = Field(default="", max_length=20)


@router.post(
    "/persons/search",
    response={200: list[PersonOut], 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Search the register (scoped to the caller's jurisdiction)",
)
def person_search(
    request: HttpRequest, response: HttpResponse, criteria: PersonSearchIn
) -> list[dict[str, Any]]:
    """`Results-Incomplete: true` says more persons match than are returned: narrow the
    search by date or place of birth."""
    found = selectors.person_search(
        actor=_actor(request),
        national_id=criteria.national_id,
        name=criteria.name,
        born_from=criteria.born_from,
        born_to=criteria.born_to,
        place_code=criteria.place,
    )
    response["Results-Incomplete"] = "true" if found.incomplete else "false"
    return [person_out(p) for p in found.persons]


@router.get("/persons/{person_id}", response={200: PersonDetailOut, 403: ErrorOut, 404: ErrorOut})
def person_get(request: HttpRequest, person_id: uuid.UUID) -> dict[str, Any]:
    detail = selectors.person_detail(actor=_actor(request), person_id=person_id)
    return {
        **person_out(detail.person),
        "parents": [{"id": str(link.parent_id), "kind": link.kind} for link in detail.parents],
        "children": [{"id": str(link.child_id), "kind": link.kind} for link in detail.children],
        "records": [record_out(r) for r in detail.records],
        "journal": _journal_out(detail.journal),
    }
