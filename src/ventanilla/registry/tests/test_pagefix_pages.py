"""The pages a user reaches when something is off: error pages in their language on the
design system, links only where they lead somewhere, and codes shown as words."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import formats, translation
from django.utils.translation import gettext

from ventanilla.core.access import log_refusal
from ventanilla.core.models import Jurisdiction, Role, User
from ventanilla.core.permissions import Action
from ventanilla.core.profiles import CountryProfile
from ventanilla.registry import identity, selectors, services
from ventanilla.registry.models import DuplicateFlag, Person, VitalRecord
from ventanilla.registry.tests.test_pages import (
    form_data,
    page,
    registered_birth,
    signed_in,
    subject_of,
)
from ventanilla.registry.tests.test_workflow_services import _marry
from ventanilla.registry.views._common import PURPOSE_LABELS, PURPOSE_LABELS_FOR_SUBJECT
from ventanilla.registry.workflow import RECORD_WORKFLOW

BirthData = Callable[..., dict[str, Any]]

REVOKED = "registration of the marriage revoked"

#: Django's own pages, in English whatever the user's language.
BARE_PAGES = (
    "The requested resource was not found on this server.",
    "Server Error (500)",
    "Bad Request (400)",
    "CSRF verification failed",
)


def citizen_client(user: User, language: str) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def anonymous(language: str, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def in_language(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


def assert_designed_page(html: str, language: str) -> None:
    """The page is one of ours: the user's language, the design system, a way home."""
    assert f'<html lang="{language}">' in html
    assert "uswds.min.css" in html
    assert 'href="/"' in html
    for bare in BARE_PAGES:
        assert bare not in html


# --------------------------------------------------------------------------------------------
# Error pages no view answers
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["es-mx", "en", "ko"])
def test_a_mistyped_address_answers_404_in_the_user_s_language(language: str) -> None:
    response = anonymous(language).get("/no-such-page/")
    assert response.status_code == 404
    html = page(response)
    assert_designed_page(html, language)
    assert in_language(language, "Page not found") in html
    assert 'data-error-code="not_found"' in html


def test_an_official_s_404_offers_the_review_queue(registrar: User) -> None:
    for address in ("/office/records/123/", "/office/declare/no-such-event/"):
        response = signed_in(registrar, "es-mx").get(address)
        assert response.status_code == 404
        html = page(response)
        assert_designed_page(html, "es-mx")
        assert 'href="/office/"' in html
        assert in_language("es-mx", "Go to the review queue") in html


def test_an_unknown_action_on_a_record_answers_the_designed_404(
    registrar: User, birth_data: BirthData
) -> None:
    record = services.record_declare(actor=registrar, event_type="birth", data=birth_data())
    response = signed_in(registrar, "ko").get(f"/office/records/{record.pk}/explode/")
    assert response.status_code == 404
    assert_designed_page(page(response), "ko")


def test_an_unexpected_error_answers_500_with_the_reference_to_quote(
    make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch
) -> None:
    citizen = make_user("citizen_unlucky")

    def broken(**_kwargs: Any) -> list[VitalRecord]:
        raise RuntimeError("a bug")

    monkeypatch.setattr(selectors, "citizen_records", broken)
    monkeypatch.setattr("ventanilla.portal.views._own_person", lambda _user: object())
    client = citizen_client(citizen, "es-mx")
    client.raise_request_exception = False
    response = client.get("/me/records/")
    assert response.status_code == 500
    html = page(response)
    assert_designed_page(html, "es-mx")
    assert response["X-Request-ID"] in html
    assert 'data-error-code="internal_error"' in html
    # Rendered with the request: the navigation knows who is signed in.
    assert 'action="/sign-out/"' in html


def test_a_bad_request_answers_400_in_the_user_s_language() -> None:
    response = anonymous("es-mx").get("/", HTTP_HOST="not-our-host.example")
    assert response.status_code == 400
    html = page(response)
    assert_designed_page(html, "es-mx")
    assert in_language("es-mx", "The request could not be processed.") in html


def test_a_form_sent_without_its_security_token_is_explained_in_the_user_s_language() -> None:
    client = anonymous("es-mx", enforce_csrf_checks=True)
    response = client.post("/sign-in/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    html = page(response)
    assert_designed_page(html, "es-mx")
    assert 'data-error-code="csrf_failed"' in html
    message = "The request lacks the security token of your session. Reload the page and try again."
    assert in_language("es-mx", message) in html


# --------------------------------------------------------------------------------------------
# Links only where they lead
# --------------------------------------------------------------------------------------------


def test_a_refused_auditor_and_citizen_are_not_sent_to_the_review_queue(
    auditor: User, outsider: User
) -> None:
    for user in (auditor, outsider):
        response = signed_in(user).get("/office/declare/")
        assert response.status_code == 403
        html = page(response)
        assert "Go to the review queue" not in html
        assert 'href="/office/"' not in html
        assert "Go to the home page" in html


def test_a_refused_registrar_is_still_offered_the_review_queue(
    registrar_b: User, registrar: User, birth_data: BirthData
) -> None:
    record = services.record_declare(actor=registrar, event_type="birth", data=birth_data())
    response = signed_in(registrar_b).get(f"/office/records/{record.pk}/")
    assert response.status_code == 403
    assert "Go to the review queue" in page(response)


def test_a_candidate_registered_elsewhere_is_compared_without_a_link_to_their_page(
    registrar: User, registrar_b: User, birth_data: BirthData
) -> None:
    elsewhere = subject_of(registered_birth(registrar_b, birth_data(0)))
    near = services.record_declare(actor=registrar, event_type="birth", data=birth_data(0))
    assert DuplicateFlag.objects.filter(record=near, candidate=elsewhere).exists()
    client = signed_in(registrar)
    html = page(client.get(f"/office/records/{near.pk}/duplicates/"))
    assert escape(elsewhere.full_name) in html
    assert f"/office/persons/{elsewhere.pk}/" not in html
    assert client.get(f"/office/persons/{elsewhere.pk}/").status_code == 403
    # A candidate of the registrar's own jurisdiction keeps its link.
    at_home = subject_of(registered_birth(registrar, birth_data(2)))
    again = services.record_declare(actor=registrar, event_type="birth", data=birth_data(2))
    assert DuplicateFlag.objects.filter(record=again, candidate=at_home).exists()
    html = page(client.get(f"/office/records/{again.pk}/duplicates/"))
    assert f"/office/persons/{at_home.pk}/" in html


def test_a_child_registered_elsewhere_is_named_without_links_on_the_parent_s_page(
    registrar: User, registrar_b: User, birth_data: BirthData
) -> None:
    mother = subject_of(registered_birth(registrar, birth_data(2)))
    Person.objects.filter(pk=mother.pk).update(birth_date=dt.date(1990, 1, 1))
    child_record = registered_birth(registrar_b, birth_data(1, mother=str(mother.pk)))
    child = subject_of(child_record)
    client = signed_in(registrar)
    html = page(client.get(f"/office/persons/{mother.pk}/"))
    assert escape(child.full_name) in html
    assert f"/office/persons/{child.pk}/" not in html
    assert f"/office/records/{child_record.pk}/" not in html
    assert client.get(f"/office/persons/{child.pk}/").status_code == 403
    assert client.get(f"/office/records/{child_record.pk}/").status_code == 403
    # The registrar of the child's office follows every link on the child's page.
    child_page = page(signed_in(registrar_b).get(f"/office/persons/{child.pk}/"))
    assert f"/office/records/{child_record.pk}/" in child_page


def test_a_spouse_and_marriage_registered_elsewhere_are_named_without_links(
    registrar: User,
    registrar_b: User,
    birth_data: BirthData,
    profile: CountryProfile,
    offices: dict[str, Jurisdiction],
    make_user: Callable[..., User],
) -> None:
    bride = subject_of(registered_birth(registrar, birth_data(0, birth_date="1980-03-01")))
    groom = subject_of(registered_birth(registrar_b, birth_data(1, birth_date="1981-03-02")))
    marriage = _marry(registrar_b, profile, birth_data(), bride, groom, "2001-02-03")
    head_b = make_user("head_b", Role.OFFICE_HEAD, offices["b"])
    services.record_revoke(actor=head_b, record_id=marriage.pk, reason="Married elsewhere before")
    html = page(signed_in(registrar).get(f"/office/persons/{bride.pk}/"))
    assert escape(groom.full_name) in html
    assert REVOKED in html
    assert f"/office/persons/{groom.pk}/" not in html
    assert f"/office/records/{marriage.pk}/" not in html
    home_page = page(signed_in(registrar_b).get(f"/office/persons/{groom.pk}/"))
    assert f"/office/records/{marriage.pk}/" in home_page
    assert f"/office/persons/{bride.pk}/" not in home_page


# --------------------------------------------------------------------------------------------
# Words, not codes
# --------------------------------------------------------------------------------------------


def test_the_journal_shows_a_corrected_place_by_name_and_date_as_the_record_does(
    registrar: User, birth_data: BirthData, offices: dict[str, Jurisdiction]
) -> None:
    data = birth_data()
    record = registered_birth(registrar, data)
    municipality = offices["b"].parent
    assert municipality is not None and municipality.parent is not None
    earlier = dt.date.fromisoformat(data["birth_date"]) - dt.timedelta(days=1)
    services.record_correct(
        actor=registrar,
        record_id=record.pk,
        changes={
            "birth_state": municipality.parent.official_code,
            "birth_municipality": municipality.official_code,
            "birth_date": earlier.isoformat(),
        },
        reason="Wrong place and date on the certificate",
    )
    html = page(signed_in(registrar).get(f"/office/records/{record.pk}/"))
    journal = html[html.index('class="usa-table usa-table--stacked usa-table--borderless') :]
    home = offices["a"].parent
    assert home is not None
    assert f"{home.name} → {municipality.name}" in journal
    with translation.override("en"):
        before = formats.date_format(dt.date.fromisoformat(data["birth_date"]), "SHORT_DATE_FORMAT")
        after = formats.date_format(earlier, "SHORT_DATE_FORMAT")
    assert f"{before} → {after}" in journal
    assert f"{home.official_code} → {municipality.official_code}" not in journal
    assert data["birth_date"] not in journal


def test_the_citizen_s_national_id_is_written_as_on_the_office_pages(
    registrar: User, birth_data: BirthData, make_user: Callable[..., User]
) -> None:
    person = subject_of(registered_birth(registrar, birth_data()))
    citizen = make_user("citizen_with_id")
    Person.objects.filter(pk=person.pk).update(account=citizen)
    assert person.national_id
    html = page(citizen_client(citizen, "en").get("/me/records/"))
    assert f'<dd class="vt-id">{identity.scheme().format(person.national_id)}</dd>' in html


def test_the_home_page_is_not_titled_as_a_place_of_birth() -> None:
    html = page(anonymous("es-mx").get("/"))
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    assert title is not None
    assert in_language("es-mx", "Home") not in title.group(1)


# --------------------------------------------------------------------------------------------
# Titles of 409 pages
# --------------------------------------------------------------------------------------------


def test_a_registration_waiting_for_the_duplicate_review_is_not_titled_as_a_race(
    registrar: User, birth_data: BirthData
) -> None:
    registered_birth(registrar, birth_data())
    record = services.record_declare(actor=registrar, event_type="birth", data=birth_data())
    response = signed_in(registrar).post(f"/office/records/{record.pk}/register/", {"token": "d"})
    assert response.status_code == 409
    assert '<h1 class="margin-top-4">Possible duplicates to review first</h1>' in page(response)


def test_an_action_the_status_does_not_allow_is_titled_by_the_status(
    registrar: User, birth_data: BirthData
) -> None:
    record = registered_birth(registrar, birth_data())
    response = signed_in(registrar).post(
        f"/office/records/{record.pk}/validate/", {"token": "late"}
    )
    assert response.status_code == 409
    html = page(response)
    assert "Not possible in the record&#x27;s current status" in html
    assert "Someone else acted first" not in html


# --------------------------------------------------------------------------------------------
# Error summaries
# --------------------------------------------------------------------------------------------


def test_a_decision_form_missing_its_hidden_fields_does_not_name_them(
    registrar: User, birth_data: BirthData
) -> None:
    registered_birth(registrar, birth_data(0))
    record = services.record_declare(actor=registrar, event_type="birth", data=birth_data(0))
    url = f"/office/records/{record.pk}/duplicates/"
    client = signed_in(registrar)
    for headers in ({"HX-Request": "true"}, {}):
        response = client.post(url, {"candidate": "not-a-person"}, headers=headers)
        assert response.status_code == 422
        html = page(response)
        for name in ("Candidate:", "Token:", "Decision:"):
            assert name not in html
        assert html.count("This form is out of date or incomplete.") == 1


def test_a_reject_form_missing_its_token_does_not_name_it(
    registrar: User, birth_data: BirthData
) -> None:
    record = services.record_declare(actor=registrar, event_type="birth", data=birth_data())
    response = signed_in(registrar).post(
        f"/office/records/{record.pk}/reject/", {"reason": "Illegible"}
    )
    assert response.status_code == 422
    html = page(response)
    assert "Token:" not in html
    assert "This form is out of date or incomplete." in html
    again = signed_in(registrar).post(
        f"/office/records/{record.pk}/reject/", form_data({}, reason="")
    )
    assert 'href="#id_reject_reason">Reason:' in page(again)


# --------------------------------------------------------------------------------------------
# Purposes of the access log
# --------------------------------------------------------------------------------------------

SOURCE = Path(__file__).resolve().parents[2]
_LITERAL = re.compile(r"""purpose(?:\s*:\s*str)?\s*=\s*(f?)"([^"]*)\"""")
_CONSTANT = re.compile(r"""^\w*PURPOSE\w*\s*(?::[^=]*)?=\s*"([^"]+)\"""", re.M)


def _purposes_written() -> set[str]:
    """Every purpose the code writes: the literals and constants it passes, the journaled
    actions of a record (``record.<action>``), and every `Action` (refusals are logged under
    the refused action)."""
    found = {str(action) for action in Action}
    actions = [RECORD_WORKFLOW.initial_action, *(t.action for t in RECORD_WORKFLOW.transitions)]
    found |= {f"record.{action}" for action in actions}
    for path in SOURCE.rglob("*.py"):
        if "tests" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for is_f, value in _LITERAL.findall(text):
            if is_f:
                assert value == "record.{action}", (path, value)
            elif value:
                found.add(value)
        found |= set(_CONSTANT.findall(text))
    return found


def test_every_purpose_the_code_writes_has_a_label() -> None:
    written = _purposes_written()
    assert {"legacy.import", "person.relatives", "duplicate.decide", "person.import"} <= written
    assert sorted(written - set(PURPOSE_LABELS)) == []
    assert set(PURPOSE_LABELS_FOR_SUBJECT) <= set(PURPOSE_LABELS)
    # The auditor filters by them: no two may read alike.
    assert len({str(label) for label in PURPOSE_LABELS.values()}) == len(PURPOSE_LABELS)


def test_the_citizen_reads_every_purpose_in_words_also_refusals(
    registrar: User, birth_data: BirthData, make_user: Callable[..., User]
) -> None:
    person = subject_of(registered_birth(registrar, birth_data()))
    citizen = make_user("citizen_refused_on")
    Person.objects.filter(pk=person.pk).update(account=citizen)
    for action in (Action.DUPLICATE_DECIDE, Action.PERSON_IMPORT):
        log_refusal(actor=registrar, purpose=str(action), subject_ids=[str(person.pk)])
    html = page(citizen_client(citizen, "en").get("/me/access-log/"))
    assert "Decided on a possible duplicate" in html
    assert "Imported persons into the register" in html
    assert "duplicate.decide" not in html and "person.import" not in html
    assert "Registered a vital record" in html
    auditor_words = {str(PURPOSE_LABELS[p]) for p in PURPOSE_LABELS}
    assert "Read a person's entry in the register" in auditor_words
