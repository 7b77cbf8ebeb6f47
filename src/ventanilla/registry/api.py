"""Registry endpoints: parse typed input, call one service or selector, serialise."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from ventanilla.core import jurisdictions, paging
from ventanilla.core.country import current_profile
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


def _person_ref_fields(event_type: str | None = None) -> frozenset[str]:
    """The fields naming a person of the register: those of `event_type`, or of any event
    type (a correction does not say its record's type; `events.clean` refuses a field its
    form does not have)."""
    event_types = current_profile().event_types
    return frozenset(
        spec.name
        for event in event_types
        if event_type is None or event.code == event_type
        for spec in event.fields
        if spec.type == "person_ref"
    )


def _naming_register_ids(
    actor: User, values: dict[str, Any], fields: frozenset[str], office_code: str | None = None
) -> dict[str, Any]:
    """`values` with each person named in `fields` as the caller typed them (a national ID,
    formatted or not, or a register number) replaced by their register ID. The look-up is
    the pages' (`selectors.declaration_participants`: exact, across the whole register,
    logged, each unknown or malformed reference an error on its field), made before the
    write as the pages make it, so the look-up stays logged when the write then fails. The
    services take register IDs only; a value that is not text is left to them to refuse."""
    typed = {
        name: value.strip()
        for name, value in values.items()
        if name in fields and isinstance(value, str) and value.strip()
    }
    if not typed:
        return values
    office = jurisdictions.by_code(office_code) if office_code else None
    found = selectors.declaration_participants(actor=actor, references=typed, office=office)
    return {**values, **found}


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
    """A person the declaration names (`deceased`, `spouse_a`, `mother`, `child`…) is given
    by national ID (formatted or not) or register number, wherever in the country they were
    registered; the look-up is written to the access log."""
    actor = _actor(request)
    data = _naming_register_ids(
        actor, payload.data, _person_ref_fields(payload.event_type), payload.office
    )

    def perform() -> tuple[int, dict[str, Any]]:
        record = services.record_declare(
            actor=actor,
            event_type=payload.event_type,
            data=data,
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
    """A correction names persons as a declaration does: by national ID or register number."""
    actor = _actor(request)
    body = payload
    if action == "correct":
        changes = _naming_register_ids(actor, payload.changes, _person_ref_fields())
        body = payload.model_copy(update={"changes": changes})

    def perform() -> tuple[int, dict[str, Any]]:
        return 200, _jsonable(record_out(_dispatch(actor, record_id, action, body)))

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


class QueueQuery(Schema):
    after: str = Field(default="", description="The `next` token of the page before")
    before: str = Field(default="", description="The `previous` token of the page after")
    limit: int = Field(default=paging.PAGE_SIZE, ge=1, le=paging.MAX_PAGE_SIZE)


class QueuePageOut(Schema):
    records: list[RecordOut]
    next: str | None = Field(description="Pass as `after` for the next page; null on the last")
    previous: str | None = Field(
        description="Pass as `before` for the page before; null on the first"
    )
    waiting: int = Field(description="How many declarations wait for review in all")


@router.get(
    "/queue",
    response={200: QueuePageOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="The declarations waiting for review, possible duplicates first, then oldest first",
)
def queue(request: HttpRequest, criteria: Query[QueueQuery]) -> dict[str, Any]:
    """Page through the whole queue with the opaque tokens `next` (as `after`) and
    `previous` (as `before`); a token that cannot be read gives the first page. Each page
    read is written to the access log with the persons its declarations name."""
    found = selectors.review_queue_page(
        actor=_actor(request),
        cursor=paging.KeyCursor(after=criteria.after, before=criteria.before),
        limit=criteria.limit,
    )
    return {
        "records": [record_out(r) for r in found.page.rows],
        "next": found.page.next,
        "previous": found.page.previous,
        "waiting": found.waiting,
    }


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
