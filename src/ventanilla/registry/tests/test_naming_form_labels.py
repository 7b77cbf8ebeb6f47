"""Every field a form can report an error on has a label in the user's language, so that
nothing names a field by its internal name ("Token", "Candidate", "Decision")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import translation

from ventanilla.core.models import User
from ventanilla.registry import services
from ventanilla.registry.forms import ActionForm, DuplicateDecisionForm, UswdsForm
from ventanilla.registry.tests.test_pages import page, signed_in

BirthData = Callable[..., dict[str, Any]]
INTERNAL_NAMES = ("Token", "Candidate", "Decision")


@pytest.mark.parametrize(
    "make",
    [lambda: ActionForm(reason_required=True), DuplicateDecisionForm],
    ids=["action", "duplicate_decision"],
)
def test_every_field_of_the_record_forms_has_a_label(make: Callable[[], UswdsForm]) -> None:
    for name, field in make().fields.items():
        assert field.label, name


@pytest.mark.parametrize("language", ["en", "es-mx", "ko"])
def test_an_empty_duplicate_decision_names_its_fields_in_the_users_language(
    language: str,
) -> None:
    with translation.override(language):
        form = DuplicateDecisionForm({}, prefix_id="x")
        assert not form.is_valid()
        labels = {label for _anchor, label, _message in form.error_summary()}
        assert labels == {
            translation.gettext("Person compared"),
            translation.gettext("Decision"),
            translation.gettext("Form reference"),
        }
        reject = ActionForm({"reason": "Illegible"}, reason_required=True)
        assert not reject.is_valid()
        assert [label for _a, label, _m in reject.error_summary()] == [
            translation.gettext("Form reference")
        ]


def test_a_reject_form_without_its_token_names_no_internal_field(
    registrar: User, birth_data: BirthData
) -> None:
    record = services.record_declare(actor=registrar, event_type="birth", data=birth_data())
    client = signed_in(registrar, "es-mx")
    response = client.post(f"/office/records/{record.pk}/reject/", {"reason": "Ilegible"})
    assert response.status_code == 422
    html = page(response)
    assert not any(f"{name}:" in html for name in INTERNAL_NAMES)
    decision = client.post(f"/office/records/{record.pk}/duplicates/", {}, HTTP_HX_REQUEST="true")
    assert decision.status_code == 422
    assert not any(f"{name}:" in page(decision) for name in INTERNAL_NAMES)
