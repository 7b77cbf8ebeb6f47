"""Side-by-side review of a declaration and the persons it may duplicate."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from ventanilla.core.country import current_profile
from ventanilla.core.models import Jurisdiction, JurisdictionLevel, User
from ventanilla.core.permissions import (
    Action,
    granting_assignment,
)
from ventanilla.registry import selectors, services
from ventanilla.registry.forms import (
    DuplicateDecisionForm,
    field_label,
)
from ventanilla.registry.models import (
    DuplicateDecision,
    DuplicateFlag,
    VitalRecord,
)
from ventanilla.registry.workflow import IN_REVIEW

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise
from ventanilla.registry.views._common import (
    _is_htmx,
    _shown,
    may_at,
    official_page,
)
from ventanilla.registry.views.records import _submit_once

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
    #: The actor may open the candidate's page (registered in their jurisdiction).
    may_open: bool


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
                may_open=may_at(actor, Action.PERSON_READ, flag.candidate.jurisdiction_id),
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
        is_duplicate = form.is_duplicate
        reason = str(form.cleaned_data.get("reason") or "")

        def perform() -> tuple[int, dict[str, Any]]:
            decided = services.duplicate_decide(
                actor=actor,
                record_id=record_id,
                candidate_id=candidate_id,
                is_duplicate=is_duplicate,
                reason=reason,
            )
            # What the answer shows, so that a repeated submission can be answered alike.
            return 200, {
                "pk": str(decided.pk),
                "status": decided.status,
                "duplicates_pending": decided.duplicates_pending,
            }

        outcome = _submit_once(
            form,
            actor=actor,
            scope="page.duplicate_decide",
            payload={
                "record": str(record_id),
                "candidate": str(candidate_id),
                "duplicate": is_duplicate,
                "reason": reason,
            },
            perform=perform,
        )
        if outcome is not None:
            decision = (
                DuplicateDecision.DUPLICATE if is_duplicate else DuplicateDecision.NOT_DUPLICATE
            )
            if htmx:
                return render(
                    request,
                    "office/_decision_done.html",
                    {
                        "record": outcome.body,
                        "decision_label": DECISION_LABELS[decision],
                        "is_duplicate": is_duplicate,
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
