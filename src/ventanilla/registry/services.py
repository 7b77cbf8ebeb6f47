"""Every change to the civil registry goes through one of these functions.

Each takes a required `actor`, checks permission in `core.permissions`,
runs in one transaction, appends exactly one journal action, updates the
cached status with a conditional UPDATE (so two registrars racing on one
record cannot both win), and writes the access log in that transaction.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.core import jurisdictions, rows
from ventanilla.core.access import log_access
from ventanilla.core.context import current_client_ip, current_request_id
from ventanilla.core.errors import (
    Conflict,
    DomainError,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from ventanilla.core.models import AccessKind, Jurisdiction, JurisdictionLevel, RoleAssignment, User
from ventanilla.core.permissions import Action, authorise, granting_assignment, scope_paths
from ventanilla.core.workflow import TransitionNotAllowed
from ventanilla.registry import events, people
from ventanilla.registry.dedup import (
    duplicate_candidates,
    flag_duplicates,
    undecided_candidates_at_registration,
)
from ventanilla.registry.models import (
    DuplicateDecision,
    DuplicateFlag,
    EventType,
    PersonParticipation,
    RecordAction,
    RegistrationCounter,
    VitalRecord,
)
from ventanilla.registry.workflow import RECORD_WORKFLOW


class DuplicatesPending(Conflict):
    code = "duplicates_pending"

    def __init__(self) -> None:
        super().__init__(_("Possible duplicates must be reviewed before registration."))


def _office_for(
    actor: User, office_code: str | None, action: Action
) -> tuple[Jurisdiction, RoleAssignment]:
    if office_code:
        office = jurisdictions.by_code(office_code)
        if office is None:
            raise ValidationFailed(fields={"office": [_("Unknown registry office.")]})
    else:
        if not scope_paths(actor, action):
            # No role allows this anywhere: a refusal to log, not an office to choose.
            authorise(actor, action, None)
        candidates = [
            a.jurisdiction
            for a in actor.roles.select_related("jurisdiction")
            if a.jurisdiction.level == JurisdictionLevel.OFFICE
        ]
        if not candidates:
            raise ValidationFailed(fields={"office": [_("Choose the registry office.")]})
        office = candidates[0]
    grant = authorise(actor, action, office)
    return office, grant


def _journal_entry(
    record: VitalRecord,
    *,
    seq: int,
    action: str,
    actor: User,
    grant: RoleAssignment,
    status_after: str,
    reason: str = "",
    payload: dict[str, Any] | None = None,
) -> RecordAction:
    """One action of the record's journal, not saved yet."""
    return RecordAction(
        record=record,
        seq=seq,
        action=action,
        actor=actor,
        actor_role=grant.role,
        office_id=grant.jurisdiction_id,
        at=timezone.now(),
        client_ip=current_client_ip(),
        request_id=current_request_id(),
        reason=reason,
        status_after=status_after,
        payload=payload or {},
    )


def _participants(record: VitalRecord) -> list[str]:
    ids = [str(pid) for pid in record.participants.values_list("person_id", flat=True)]
    if record.subject_id:
        ids.append(str(record.subject_id))
    return ids


def _subject_from(event_type: str, data: dict[str, Any]) -> uuid.UUID | None:
    refs = events.PERSON_REFS[event_type]
    field = next((f for f, role in refs.items() if role == "subject"), None)
    return uuid.UUID(data[field]) if field and data.get(field) else None


def _set_participants(record: VitalRecord, *, fresh: bool) -> list[str]:
    """Write who the record concerns; returns their IDs (the subject included)."""
    refs = events.PERSON_REFS[record.event_type]
    rows = [
        PersonParticipation(record=record, person_id=record.data[field], role=role)
        for field, role in refs.items()
        if field in record.data
    ]
    people.require_existing([str(r.person_id) for r in rows])
    if not fresh:
        record.participants.all().delete()
    PersonParticipation.objects.bulk_create(rows)
    if record.event_type != "birth":
        record.subject_id = _subject_from(record.event_type, record.data)
    ids = sorted({str(r.person_id) for r in rows})
    if record.subject_id and str(record.subject_id) not in ids:
        ids.append(str(record.subject_id))
    return ids


def record_declare(
    *,
    actor: User,
    event_type: str,
    data: dict[str, Any],
    office_code: str | None = None,
    submit: bool = True,
) -> VitalRecord:
    """Create a record from a declaration; with `submit`, declare it and check for duplicates."""
    if event_type not in EventType.values:
        raise ValidationFailed(fields={"event_type": [_("Unknown event type.")]})
    office, grant = _office_for(actor, office_code, Action.RECORD_DECLARE)
    cleaned = events.clean(event_type, data)
    event_date = dt.date.fromisoformat(cleaned[events.EVENT_DATE_FIELD[event_type]])
    status = "declared" if submit else "draft"
    with transaction.atomic():
        record = VitalRecord(
            event_type=event_type,
            status=status,
            version=1,  # its creation was the first change
            office=office,
            data=cleaned,
            event_date=event_date,
            late=events.is_late(event_type, event_date, timezone.localdate()),
            subject_id=_subject_from(event_type, cleaned),
        )
        # Checked before the record is written, so it is written once, in its final state.
        candidates = duplicate_candidates(record) if submit else []
        record.duplicates_pending = bool(candidates)
        rows.insert(record)
        participants = _set_participants(record, fresh=True)
        events_rules = people.check_event_against_register(record)
        found = flag_duplicates(record, candidates) if candidates else []
        steps: list[tuple[str, dict[str, Any]]] = [("create", {"data": cleaned})]
        if submit:
            steps.append(("declare", {"warnings": events_rules}))
            if found:
                steps.append(
                    ("flag_duplicates", {"candidates": [str(f.candidate_id) for f in found]})
                )
        rows.insert_all(
            [
                _journal_entry(
                    record,
                    seq=seq,
                    action=action,
                    actor=actor,
                    grant=grant,
                    status_after="draft" if action == "create" else status,
                    payload=step_payload,
                )
                for seq, (action, step_payload) in enumerate(steps, start=1)
            ]
        )
        log_access(
            actor=actor,
            grant=grant,
            kind=AccessKind.CHANGE,
            purpose="record.declare",
            subject_ids=participants,
        )
    return record


@functools.cache
def _load_locked_sql(vendor: str) -> str:
    lock = (
        connection.ops.for_update_sql(of=("r",))
        if connection.features.has_select_for_update
        else ""
    )
    return (
        f"SELECT {rows.select_list(VitalRecord, 'r')}, p.person_id "  # noqa: S608 - model names
        f"FROM {VitalRecord._meta.db_table} AS r "
        f"LEFT JOIN {PersonParticipation._meta.db_table} AS p ON p.record_id = r.id "
        f"WHERE r.id = %s {lock}"
    )


def _load_locked(record_id: uuid.UUID | str) -> tuple[VitalRecord, list[str]]:
    """The record, locked until the transaction ends, with its office from the cache, and
    the persons it concerns (its subject included): one statement."""
    try:
        pk = VitalRecord._meta.pk.get_db_prep_value(record_id, connection)
    except (DjangoValidationError, ValueError, TypeError):
        raise NotFound(_("No such record.")) from None
    width = len(VitalRecord._meta.concrete_fields)
    with connection.cursor() as cursor:
        cursor.execute(_load_locked_sql(connection.vendor), [pk])
        found = cursor.fetchall()
    if not found:
        raise NotFound(_("No such record."))
    record = rows.from_row(VitalRecord, found[0][:width])
    assert isinstance(record, VitalRecord)
    person = PersonParticipation._meta.get_field("person")
    participants = [str(rows.converted(person, row[width])) for row in found if row[width]]
    if record.subject_id:
        participants.append(str(record.subject_id))
    office = jurisdictions.by_id(record.office_id)
    if office is not None:
        record.office = office
    return record, participants


class _Refused(Exception):
    """Raised inside a transition's transaction, so that it rolls back before the refusal
    is logged (`authorise` logs it, and that entry must stay)."""

    def __init__(self, office: Jurisdiction, participants: list[str]) -> None:
        super().__init__()
        self.office = office
        self.participants = participants


class _Instead(Exception):
    """Raised by an effect that finds its action cannot be done and records `action` in its
    place: what the effect wrote so far is kept and journaled as that action, and `error`
    is raised to the caller once it is committed."""

    def __init__(self, action: str, payload: dict[str, Any], error: DomainError) -> None:
        super().__init__(action)
        self.action = action
        self.payload = payload
        self.error = error


def _transition(
    *,
    record_id: uuid.UUID | str,
    actor: User,
    action: str,
    permission: Action,
    reason: str = "",
    payload: dict[str, Any] | None = None,
    effect: Callable[[VitalRecord], dict[str, Any] | None] | None = None,
    needs_reason: bool = False,
    rewrites_participants: bool = False,
) -> VitalRecord:
    """Move a record on by one journaled `action`, with the `effect` it has on the register.

    The access log names everyone concerned before and after the action: a registration
    adds its subject, and an effect that `rewrites_participants` (a correction) may name
    other persons, which are read again."""
    if needs_reason and not reason.strip():
        raise ValidationFailed(fields={"reason": [_("Say why.")]})
    if len(reason) > 2000:
        raise ValidationFailed(fields={"reason": [_("Use at most 2000 characters.")]})
    if actor is None or not actor.is_authenticated:
        raise NotAuthenticated()
    try:
        return _transition_locked(
            record_id=record_id,
            actor=actor,
            action=action,
            permission=permission,
            reason=reason,
            payload=payload,
            effect=effect,
            rewrites_participants=rewrites_participants,
        )
    except _Refused as refused:
        # Logs the refusal, now that the transaction is rolled back, and raises.
        authorise(actor, permission, refused.office, subject_ids=refused.participants)
        raise PermissionDenied(action=str(permission)) from None  # a role granted meanwhile


def _transition_locked(
    *,
    record_id: uuid.UUID | str,
    actor: User,
    action: str,
    permission: Action,
    reason: str,
    payload: dict[str, Any] | None,
    effect: Callable[[VitalRecord], dict[str, Any] | None] | None,
    rewrites_participants: bool,
) -> VitalRecord:
    """`_transition` in one transaction: the record is locked, read and checked once."""
    with transaction.atomic():
        record, participants = _load_locked(record_id)
        grant = granting_assignment(actor, permission, record.office)
        if grant is None:
            raise _Refused(record.office, participants)
        # The status column is the journal's fold, kept with it in every transaction; the
        # journal itself is read only for an action whose target is an earlier status.
        if RECORD_WORKFLOW.needs_history(action):
            history = RECORD_WORKFLOW.fold(
                record.actions.order_by("seq").values_list("action", flat=True)
            )
        else:
            history = [record.status]
        try:
            new_status = RECORD_WORKFLOW.next_status(history, action)
        except TransitionNotAllowed:
            raise TransitionNotAllowed(
                _("You cannot %(action)s a record that is %(status)s.")
                % {"action": action.replace("_", " "), "status": record.get_status_display()},
                status=record.status,
                action=action,
            ) from None
        refusal: DomainError | None = None
        try:
            extra = effect(record) if effect else None
        except _Instead as instead:
            action, extra, refusal = instead.action, instead.payload, instead.error
            new_status = RECORD_WORKFLOW.next_status(history, action)
        record.status = new_status
        updated = rows.update(
            record,
            [
                "status",
                "data",
                "subject",
                "registration_number",
                "registered_at",
                "duplicates_pending",
                "event_date",
                "late",
                "updated_at",
            ],
            expect={"version": record.version},
            increment=["version"],
        )
        if updated != 1:
            raise Conflict()
        entry = _journal_entry(
            record,
            seq=0,  # the next in the journal, given by the insert
            action=action,
            actor=actor,
            grant=grant,
            status_after=new_status,
            reason=reason,
            payload={**(payload or {}), **(extra or {})},
        )
        try:
            # The record is locked: the journal's next number is ours. No savepoint, since a
            # clash would abandon the whole transaction anyway.
            rows.insert_next(entry, number="seq", within="record")
        except IntegrityError:
            raise Conflict() from None
        concerned = set(participants)
        if rewrites_participants:
            concerned |= set(_participants(record))
        elif record.subject_id:
            concerned.add(str(record.subject_id))
        participants = sorted(concerned)
        log_access(
            actor=actor,
            grant=grant,
            kind=AccessKind.CHANGE,
            purpose=f"record.{action}",
            subject_ids=participants,
        )
    record.version += 1
    if refusal is not None:
        refusal.recorded = True
        raise refusal
    return record


def record_validate(*, actor: User, record_id: uuid.UUID | str) -> VitalRecord:
    return _transition(
        record_id=record_id, actor=actor, action="validate", permission=Action.RECORD_VALIDATE
    )


def _next_registration_number(record: VitalRecord) -> str:
    """One atomic increment per registration; the first of a year creates the counter."""
    year = timezone.localdate().year
    table = RegistrationCounter._meta.db_table
    for _attempt in range(2):
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET last = last + 1 WHERE office_id = %s AND year = %s "  # noqa: S608 - table name from the model
                "RETURNING last",
                [record.office_id, year],
            )
            row = cursor.fetchone()
        if row is not None:
            return f"{record.office.code}-{year}-{row[0]:07d}"
        try:
            with transaction.atomic():
                RegistrationCounter.objects.create(office=record.office, year=year, last=1)
        except IntegrityError:
            continue  # another registration created this year's counter first
        return f"{record.office.code}-{year}-{1:07d}"
    raise Conflict()


def _register_effect(record: VitalRecord) -> dict[str, Any]:
    if record.duplicates_pending:
        raise DuplicatesPending()
    # The register may have gained the same child since the declaration was checked. The
    # refusal keeps the new flags, so the record comes up for the side-by-side review.
    found = flag_duplicates(record, undecided_candidates_at_registration(record))
    if found:
        record.duplicates_pending = True
        raise _Instead(
            "flag_duplicates",
            {"candidates": [str(f.candidate_id) for f in found]},
            DuplicatesPending(),
        )
    outcome = people.apply_registration(record)
    record.registration_number = _next_registration_number(record)
    record.registered_at = timezone.now()
    return {"registration_number": record.registration_number, **outcome}


def record_register(*, actor: User, record_id: uuid.UUID | str) -> VitalRecord:
    return _transition(
        record_id=record_id,
        actor=actor,
        action="register",
        permission=Action.RECORD_REGISTER,
        effect=_register_effect,
    )


def record_reject(*, actor: User, record_id: uuid.UUID | str, reason: str) -> VitalRecord:
    return _transition(
        record_id=record_id,
        actor=actor,
        action="reject",
        permission=Action.RECORD_REJECT,
        reason=reason,
        needs_reason=True,
    )


def _declared_on(record: VitalRecord) -> dt.date:
    """The day the record was declared (today for a draft): timeliness counts to it."""
    declared = record.actions.filter(action="declare").order_by("seq").first()
    return timezone.localdate(declared.at) if declared else timezone.localdate()


def record_resubmit(*, actor: User, record_id: uuid.UUID | str) -> VitalRecord:
    def recheck(record: VitalRecord) -> dict[str, Any]:
        # Corrected since it was refused: the register's rules are checked anew, and its
        # timeliness still counts from the day it was first declared.
        if record.event_date is not None:
            record.late = events.is_late(record.event_type, record.event_date, _declared_on(record))
        warnings = people.check_event_against_register(record)
        found = flag_duplicates(record)
        record.duplicates_pending = any(f.decision == DuplicateDecision.PENDING for f in found)
        return {"candidates": [str(f.candidate_id) for f in found], "warnings": warnings}

    return _transition(
        record_id=record_id,
        actor=actor,
        action="declare",
        permission=Action.RECORD_DECLARE,
        effect=recheck,
    )


def record_correct(
    *, actor: User, record_id: uuid.UUID | str, changes: dict[str, Any], reason: str
) -> VitalRecord:
    """An amendment: a new action with before and after. Nothing already written is changed."""

    def amend(record: VitalRecord) -> dict[str, Any]:
        merged = {**record.data, **changes}
        cleaned = events.clean(record.event_type, merged)
        changed = sorted(
            k for k in set(cleaned) | set(record.data) if cleaned.get(k) != record.data.get(k)
        )
        if not changed:
            raise ValidationFailed(_("The correction changes nothing."), code="no_change")
        before = {k: record.data.get(k) for k in changed}
        after = {k: cleaned.get(k) for k in changed}
        record.data = cleaned
        _set_participants(record, fresh=False)
        record.event_date = dt.date.fromisoformat(
            cleaned[events.EVENT_DATE_FIELD[record.event_type]]
        )
        extra: dict[str, Any] = {"before": before, "after": after}
        late = events.is_late(record.event_type, record.event_date, _declared_on(record))
        if late != record.late:
            record.late = late
            extra["late"] = late
            if late:
                extra["warnings"] = ["late_registration"]
        if record.status == "registered":
            extra.update(people.apply_correction(record, before, after))
        else:
            found = flag_duplicates(record)
            record.duplicates_pending = any(f.decision == DuplicateDecision.PENDING for f in found)
        return extra

    return _transition(
        record_id=record_id,
        actor=actor,
        action="correct",
        permission=Action.RECORD_CORRECT,
        reason=reason,
        effect=amend,
        needs_reason=True,
        rewrites_participants=True,
    )


def record_archive(*, actor: User, record_id: uuid.UUID | str, reason: str) -> VitalRecord:
    return _transition(
        record_id=record_id,
        actor=actor,
        action="archive",
        permission=Action.RECORD_ARCHIVE,
        reason=reason,
        needs_reason=True,
    )


def record_revoke(*, actor: User, record_id: uuid.UUID | str, reason: str) -> VitalRecord:
    def undo(record: VitalRecord) -> dict[str, Any]:
        return people.revoke_registration(record)

    return _transition(
        record_id=record_id,
        actor=actor,
        action="revoke",
        permission=Action.RECORD_REVOKE,
        reason=reason,
        effect=undo,
        needs_reason=True,
    )


def record_reinstate(*, actor: User, record_id: uuid.UUID | str, reason: str) -> VitalRecord:
    def redo(record: VitalRecord) -> dict[str, Any]:
        if record.status == "revoked":
            return people.reinstate_registration(record)
        return {}

    return _transition(
        record_id=record_id,
        actor=actor,
        action="reinstate",
        permission=Action.RECORD_REINSTATE,
        reason=reason,
        effect=redo,
        needs_reason=True,
    )


def duplicate_decide(
    *,
    actor: User,
    record_id: uuid.UUID | str,
    candidate_id: uuid.UUID | str,
    is_duplicate: bool,
    reason: str = "",
) -> VitalRecord:
    """The registrar's verdict on one candidate, journaled. A duplicate rejects the declaration."""

    def decide(record: VitalRecord) -> dict[str, Any]:
        flag = DuplicateFlag.objects.filter(
            record=record, candidate_id=uuid.UUID(str(candidate_id))
        ).first()
        if flag is None:
            raise NotFound(_("This person is not a candidate duplicate of the record."))
        if flag.decision != DuplicateDecision.PENDING:
            raise Conflict(_("This candidate was already decided."), code="already_decided")
        flag.decision = (
            DuplicateDecision.DUPLICATE if is_duplicate else DuplicateDecision.NOT_DUPLICATE
        )
        flag.save(update_fields=["decision"])
        record.duplicates_pending = (
            record.duplicate_flags.filter(decision=DuplicateDecision.PENDING).exists()
            and not is_duplicate
        )
        return {"candidate": str(candidate_id), "score": flag.score}

    action = "mark_duplicate" if is_duplicate else "mark_not_duplicate"
    return _transition(
        record_id=record_id,
        actor=actor,
        action=action,
        permission=Action.DUPLICATE_DECIDE,
        reason=reason,
        effect=decide,
        needs_reason=is_duplicate,
    )
