"""The source of an estimate is shown in the reader's language when the platform wrote it,
and as published otherwise (the name of a publication is a proper name)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from ventanilla.core.models import Jurisdiction, User
from ventanilla.registry.models import BirthEstimate
from ventanilla.registry.tests.test_pages import page, signed_in

pytestmark = pytest.mark.django_db

DEMO_SOURCE = "Demo estimate: made up from the demo population, not an official figure"
#: The demo source as each language shows it (the Korean and Spanish from the translations).
SHOWN = {
    "en": DEMO_SOURCE,
    "es-mx": "Estimación de demostración: inventada a partir de la población de demostración",
    "ko": "데모 추정치: 데모 인구로 꾸며 낸 수치이며 공식 통계가 아님",
}


def test_the_demo_s_estimates_are_shown_in_each_reader_s_language() -> None:
    call_command("setup_demo", persons=150, seed=5, stdout=StringIO())
    # Stored once, untranslated, whatever the deployment's language.
    assert set(BirthEstimate.objects.values_list("source", flat=True)) == {DEMO_SOURCE}
    supervisor = User.objects.get(username="supervisor")
    for language in ("en", "ko", "es-mx"):
        html = page(signed_in(supervisor, language).get("/office/dashboard/"))
        assert f">{SHOWN[language]}" in html, language
        others = {SHOWN[other] for other in SHOWN if other != language}
        assert not any(other in html for other in others), language


def test_a_published_source_is_shown_as_published_in_every_language(
    offices: dict[str, Jurisdiction], supervisor: User
) -> None:
    municipality = offices["a"].parent
    assert municipality is not None
    published = "CONAPO, Proyecciones de la Población de México 2020-2070"
    BirthEstimate.objects.create(
        jurisdiction=municipality, year=2024, expected_births=7012, source=published
    )
    for language in ("en", "ko"):
        html = page(signed_in(supervisor, language).get("/office/dashboard/"))
        assert f">{published}</td>" in html, language
