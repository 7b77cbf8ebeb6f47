"""The back-office pages through Django's test client: what each page shows, what each form
does, and how refusals and conflicts come back (403, 409, 422) in the user's language."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from ventanilla.core.access import log_access
from ventanilla.core.models import AccessKind, AccessLogEntry, Jurisdiction, User
from ventanilla.core.paging import PAGE_SIZE
from ventanilla.core.profiles import CountryProfile, load_profile
from ventanilla.registry import dashboards, services
from ventanilla.registry.forms import CHOICE_LABELS, FIELD_LABELS
from ventanilla.registry.models import (
    DuplicateDecision,
    DuplicateFlag,
    Person,
    RecordAction,
    VitalRecord,
)
from ventanilla.registry.selectors import SEARCH_LIMIT
from ventanilla.registry.tests.factories import imported_person

BirthData = Callable[..., dict[str, Any]]


def signed_in(user: User, language: str = "en") -> Client:
    """A client signed in as `user`, with the second factor done as `sign_in` would."""
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def registered_birth(actor: User, data: dict[str, Any]) -> VitalRecord:
    record = services.record_declare(actor=actor, event_type="birth", data=data)
    return services.record_register(actor=actor, record_id=record.pk)


def subject_of(record: VitalRecord) -> Person:
    assert record.subject_id is not None
    return Person.objects.get(pk=record.subject_id)


def form_data(data: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {**data, "token": uuid.uuid4().hex, **extra}


def page(response: Any) -> str:
    return str(response.content.decode())


# --------------------------------------------------------------------------------------------
# Labels and access
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["mx", "kr"])
def test_every_profile_field_and_choice_has_a_translatable_label(code: str) -> None:
    profile = load_profile(code)
    for event_type in profile.event_types:
        for spec in event_type.fields:
            assert spec.name in FIELD_LABELS, spec.name
            for choice in spec.choices:
                assert choice in CHOICE_LABELS, (spec.name, choice)


@pytest.mark.django_db
def test_office_pages_send_strangers_to_sign_in() -> None:
    response = Client().get("/office/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=/office/")


def test_an_official_without_the_second_factor_is_sent_to_sign_in(registrar: User) -> None:
    client = Client()
    client.force_login(registrar)
    response = client.get("/office/")
    assert response.status_code == 302
    assert "/sign-in/" in response["Location"]


def test_a_citizen_is_refused_with_403_and_the_attempt_is_logged(outsider: User) -> None:
    response = signed_in(outsider).get("/office/")
    assert response.status_code == 403
    assert "You cannot do this here" in page(response)
    assert AccessLogEntry.objects.filter(actor=outsider, kind=AccessKind.DENIED).exists()


# --------------------------------------------------------------------------------------------
# Queue and declaring
# --------------------------------------------------------------------------------------------


def test_the_queue_lists_declarations_in_review_with_duplicates_first(
    registrar: User, birth_data: BirthData
) -> None:
    registered_birth(registrar, birth_data(0))
    plain = services.record_declare(actor=registrar, event_type="birth", data=birth_data(1))
    duplicate = services.record_declare(actor=registrar, event_type="birth", data=birth_data(0))
    assert duplicate.duplicates_pending
    response = signed_in(registrar).get("/office/")
    assert response.status_code == 200
    html = page(response)
    assert html.index(f"/office/records/{duplicate.pk}/") < html.index(
        f"/office/records/{plain.pk}/"
    )
    assert "Possible duplicates" in html


def test_the_queue_does_not_show_another_office_s_declarations(
    registrar: User, registrar_b: User, birth_data: BirthData
) -> None:
    record = services.record_declare(actor=registrar, event_type="birth", data=birth_data())
    html = page(signed_in(registrar_b).get("/office/"))
    assert str(record.pk) not in html


def test_the_declaration_form_has_every_profile_field_of_every_event_type(
    registrar: User, profile: CountryProfile
) -> None:
    client = signed_in(registrar)
    choose = page(client.get("/office/declare/"))
    for event_type in profile.event_types:
        assert f"/office/declare/{event_type.code}/" in choose
        html = page(client.get(f"/office/declare/{event_type.code}/"))
        for spec in event_type.fields:
            assert f'name="{spec.name}"' in html, (event_type.code, spec.name)
            assert f'for="id_{spec.name}"' in html or spec.type == "bool"
        assert 'name="token"' in html


def test_an_unknown_event_type_is_404(registrar: User) -> None:
    assert signed_in(registrar).get("/office/declare/coronation/").status_code == 404


def test_declaring_a_birth_saves_it_and_opens_the_record(
    registrar: User, birth_data: BirthData
) -> None:
    data = birth_data()
    response = signed_in(registrar).post("/office/declare/birth/", form_data(data))
    assert response.status_code == 302
    record = VitalRecord.objects.get()
    assert response["Location"] == f"/office/records/{record.pk}/"
    assert record.status == "declared"
    assert record.data["given_names"] == data["given_names"]


def test_sending_the_same_declaration_twice_creates_one_record(
    registrar: User, birth_data: BirthData
) -> None:
    client = signed_in(registrar)
    sent = form_data(birth_data())
    first = client.post("/office/declare/birth/", sent)
    second = client.post("/office/declare/birth/", sent)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert VitalRecord.objects.count() == 1


def test_reusing_a_form_token_for_other_data_is_refused_without_creating_a_record(
    registrar: User, birth_data: BirthData
) -> None:
    client = signed_in(registrar)
    sent = form_data(birth_data(0))
    client.post("/office/declare/birth/", sent)
    response = client.post("/office/declare/birth/", {**birth_data(1), "token": sent["token"]})
    assert response.status_code == 422
    assert "already sent" in page(response)
    assert VitalRecord.objects.count() == 1


def test_missing_fields_come_back_as_422_next_to_the_fields_in_the_user_s_language(
    registrar: User, birth_data: BirthData
) -> None:
    data = birth_data()
    del data["given_names"]
    response = signed_in(registrar, language="es-mx").post(
        "/office/declare/birth/", form_data(data, sex="Q")
    )
    assert response.status_code == 422
    html = page(response)
    assert 'role="alert"' in html
    assert 'id="id_given_names-error"' in html
    assert 'aria-describedby="id_given_names-error"' in html
    assert 'id="id_sex-error"' in html
    with translation.override("es-mx"):
        assert translation.gettext("Please check the form") in html
    assert VitalRecord.objects.count() == 0


def test_a_rule_of_the_services_is_shown_on_its_field(
    registrar: User, birth_data: BirthData
) -> None:
    future = (dt.date.today() + dt.timedelta(days=5)).isoformat()
    response = signed_in(registrar).post(
        "/office/declare/birth/", form_data(birth_data(birth_date=future))
    )
    assert response.status_code == 422
    assert 'id="id_birth_date-error"' in page(response)


def test_a_parent_can_be_given_by_national_id(registrar: User, birth_data: BirthData) -> None:
    mother = subject_of(registered_birth(registrar, birth_data(2)))
    assert mother.national_id
    child = birth_data(1, birth_date=dt.date.today().isoformat())
    for key in ("mother_given_names", "mother_first_surname"):
        child.pop(key, None)
    child["mother"] = mother.national_id.lower()
    # A mother born ten days ago is refused by the register rules; that proves the lookup.
    response = signed_in(registrar).post("/office/declare/birth/", form_data(child))
    assert response.status_code == 422
    assert 'id="id_mother-error"' in page(response)
    mother.birth_date = dt.date(1990, 1, 1)
    mother.save()
    response = signed_in(registrar).post("/office/declare/birth/", form_data(child))
    assert response.status_code == 302
    record = VitalRecord.objects.exclude(pk__in=mother.records.values("pk")).get()
    assert record.data["mother"] == str(mother.pk)


def test_an_unknown_national_id_is_a_field_error(registrar: User, birth_data: BirthData) -> None:
    data = birth_data(mother="XXXX000000XXXXXX00")
    response = signed_in(registrar).post("/office/declare/birth/", form_data(data))
    assert response.status_code == 422
    assert 'id="id_mother-error"' in page(response)


def test_an_auditor_cannot_declare(auditor: User) -> None:
    assert signed_in(auditor).get("/office/declare/birth/").status_code == 403


# --------------------------------------------------------------------------------------------
# A record and its actions
# --------------------------------------------------------------------------------------------


def test_the_record_page_shows_data_journal_and_the_actions_allowed(
    registrar: User, birth_data: BirthData
) -> None:
    data = birth_data()
    record = services.record_declare(actor=registrar, event_type="birth", data=data)
    response = signed_in(registrar).get(f"/office/records/{record.pk}/")
    assert response.status_code == 200
    html = page(response)
    assert data["given_names"] in html
    assert "Declared" in html and "registrar_a" in html
    for action in ("validate", "register", "reject", "archive"):
        assert f"/office/records/{record.pk}/{action}/" in html or action == "archive"
    assert f"/office/records/{record.pk}/correct/" in html
    # A registrar may not revoke: no button for it.
    assert f"/office/records/{record.pk}/revoke/" not in html
    assert AccessLogEntry.objects.filter(actor=registrar, purpose="record.read").exists()


def test_another_office_s_registrar_gets_403(
    registrar: User, registrar_b: User, birth_data: BirthData
) -> None:
    record = services.record_declare(actor=registrar, event_type="birth", data=birth_data())
    client = signed_in(registrar_b)
    assert client.get(f"/office/records/{record.pk}/").status_code == 403
    response = client.post(f"/office/records/{record.pk}/register/", {"token": "t1"})
    assert response.status_code == 403
    assert f"/office/records/{record.pk}/" not in response.content.decode().replace(
        f"/office/records/{record.pk}/register/", ""
    )
    assert VitalRecord.objects.get(pk=record.pk).status == "declared"


def test_a_missing_record_is_404(registrar: User) -> None:
    assert signed_in(registrar).get(f"/office/records/{uuid.uuid4()}/").status_code == 404
    assert signed_in(registrar).get(f"/office/records/{uuid.uuid4()}/reject/").status_code == 404


def test_an_action_form_is_refused_to_another_office_and_to_an_agent(
    registrar: User, registrar_b: User, agent: User, birth_data: BirthData
) -> None:
    record = services.record_declare(actor=registrar, event_type="birth", data=birth_data())
    assert signed_in(registrar_b).get(f"/office/records/{record.pk}/reject/").status_code == 403
    assert signed_in(agent).get(f"/office/records/{record.pk}/register/").status_code == 403
    assert signed_in(registrar).get(f"/office/records/{record.pk}/reject/").status_code == 200
    refusals = AccessLogEntry.objects.filter(kind="denied", actor__in=[registrar_b, agent])
    assert refusals.count() == 2


def test_registering_redirects_to_the_record_with_its_number(
    registrar: User, birth_data: BirthData
) -> None:
    record = services.record_declare(actor=registrar, event_type="birth", data=birth_data())
    client = signed_in(registrar)
    response = client.post(f"/office/records/{record.pk}/register/", {"token": "once"}, follow=True)
    assert response.status_code == 200
    record.refresh_from_db()
    assert record.status == "registered"
    assert record.registration_number and record.registration_number in page(response)
    subject = subject_of(record)
    assert subject.national_id


def test_a_double_click_replays_and_a_late_second_action_is_a_409(
    registrar: User, birth_data: BirthData
) -> None:
    record = services.record_declare(actor=registrar, event_type="birth", data=birth_data())
    client = signed_in(registrar)
    url = f"/office/records/{record.pk}/register/"
    assert client.post(url, {"token": "same"}).status_code == 302
    assert client.post(url, {"token": "same"}).status_code == 302
    assert RecordAction.objects.filter(record=record, action="register").count() == 1
    late = client.post(url, {"token": "other"})
    assert late.status_code == 409
    assert "Not possible in the record&#x27;s current status" in page(late)
    assert "Registered" in page(late)


def test_a_reason_is_required_to_reject(registrar: User, birth_data: BirthData) -> None:
    record = services.record_declare(actor=registrar, event_type="birth", data=birth_data())
    client = signed_in(registrar)
    url = f"/office/records/{record.pk}/reject/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"token": "r1", "reason": "  "})
    assert response.status_code == 422
    assert 'id="id_reject_reason-error"' in page(response)
    response = client.post(url, {"token": "r2", "reason": "Illegible hospital certificate"})
    assert response.status_code == 302
    journal = RecordAction.objects.get(record=record, action="reject")
    assert journal.reason == "Illegible hospital certificate"


def test_an_unknown_action_is_404(registrar: User, birth_data: BirthData) -> None:
    record = services.record_declare(actor=registrar, event_type="birth", data=birth_data())
    response = signed_in(registrar).post(f"/office/records/{record.pk}/explode/", {"token": "x"})
    assert response.status_code == 404


def test_registering_with_pending_duplicates_is_a_409_that_points_to_the_review(
    registrar: User, birth_data: BirthData
) -> None:
    registered_birth(registrar, birth_data())
    record = services.record_declare(actor=registrar, event_type="birth", data=birth_data())
    response = signed_in(registrar).post(f"/office/records/{record.pk}/register/", {"token": "d"})
    assert response.status_code == 409
    assert f"/office/records/{record.pk}/duplicates/" in page(response)


def test_the_correction_form_is_filled_and_keeps_before_and_after(
    registrar: User, birth_data: BirthData, profile: CountryProfile
) -> None:
    data = birth_data()
    new_name = "Renata" if profile.code == "mx" else "서윤"
    record = registered_birth(registrar, data)
    client = signed_in(registrar)
    form = page(client.get(f"/office/records/{record.pk}/correct/"))
    assert f'value="{data["given_names"]}"' in form
    changed = form_data(data, given_names=new_name, event_type="birth")
    response = client.post(f"/office/records/{record.pk}/correct/", changed)
    assert response.status_code == 422  # no reason
    changed["reason"] = "Typo in the given name"
    response = client.post(f"/office/records/{record.pk}/correct/", changed)
    assert response.status_code == 302
    action = RecordAction.objects.get(record=record, action="correct")
    assert action.payload["before"]["given_names"] == data["given_names"]
    assert action.payload["after"]["given_names"] == new_name
    assert new_name in page(client.get(f"/office/records/{record.pk}/"))


def test_a_correction_that_changes_nothing_is_422(registrar: User, birth_data: BirthData) -> None:
    data = birth_data()
    record = registered_birth(registrar, data)
    response = signed_in(registrar).post(
        f"/office/records/{record.pk}/correct/",
        form_data(data, event_type="birth", reason="checking"),
    )
    assert response.status_code == 422


# --------------------------------------------------------------------------------------------
# Duplicate review
# --------------------------------------------------------------------------------------------


@pytest.fixture
def near_duplicate(registrar: User, birth_data: BirthData, profile: CountryProfile) -> VitalRecord:
    registered_birth(registrar, birth_data(0))
    close_name = "Ana Sofia" if profile.code == "mx" else "서현"
    record = services.record_declare(
        actor=registrar, event_type="birth", data=birth_data(0, given_names=close_name)
    )
    assert record.duplicate_flags.exists()
    return record


def test_the_duplicate_page_compares_side_by_side_with_the_score(
    registrar: User, near_duplicate: VitalRecord, profile: CountryProfile
) -> None:
    flag = DuplicateFlag.objects.get(record=near_duplicate)
    response = signed_in(registrar).get(f"/office/records/{near_duplicate.pk}/duplicates/")
    assert response.status_code == 200
    html = page(response)
    assert f"{round(flag.score * 100)}%" in html
    assert "This declaration" in html and "Candidate person" in html
    assert 'hx-post="/office/records/' in html
    if profile.code == "kr":
        assert 'class="vt-differs"' in html  # 서현 against 서연
    assert 'name="decision" value="not_duplicate"' in html


def test_not_a_duplicate_with_htmx_answers_with_the_fragment(
    registrar: User, near_duplicate: VitalRecord
) -> None:
    flag = DuplicateFlag.objects.get(record=near_duplicate)
    response = signed_in(registrar).post(
        f"/office/records/{near_duplicate.pk}/duplicates/",
        form_data({"candidate": str(flag.candidate_id), "decision": "not_duplicate", "reason": ""}),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = page(response)
    assert "<html" not in html
    assert 'hx-swap-oob="innerHTML"' in html
    flag.refresh_from_db()
    assert flag.decision == DuplicateDecision.NOT_DUPLICATE
    near_duplicate.refresh_from_db()
    assert not near_duplicate.duplicates_pending


def test_a_duplicate_needs_a_reason_and_htmx_gets_the_form_back_with_422(
    registrar: User, near_duplicate: VitalRecord
) -> None:
    flag = DuplicateFlag.objects.get(record=near_duplicate)
    url = f"/office/records/{near_duplicate.pk}/duplicates/"
    client = signed_in(registrar)
    sent = form_data({"candidate": str(flag.candidate_id), "decision": "duplicate"})
    response = client.post(url, sent, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert 'role="alert"' in page(response) and "<html" not in page(response)
    fallback = client.post(url, sent)
    assert fallback.status_code == 422
    assert "<html" in page(fallback)
    response = client.post(
        url,
        form_data(
            {
                "candidate": str(flag.candidate_id),
                "decision": "duplicate",
                "reason": "Same child, declared twice",
            }
        ),
    )
    assert response.status_code == 302
    near_duplicate.refresh_from_db()
    assert near_duplicate.status == "rejected"


def test_deciding_twice_is_a_409(registrar: User, near_duplicate: VitalRecord) -> None:
    flag = DuplicateFlag.objects.get(record=near_duplicate)
    url = f"/office/records/{near_duplicate.pk}/duplicates/"
    client = signed_in(registrar)
    sent = {"candidate": str(flag.candidate_id), "decision": "not_duplicate"}
    assert client.post(url, form_data(sent)).status_code == 302
    # A second page's form (another token): the flag is already decided.
    again = client.post(url, form_data(sent), HTTP_HX_REQUEST="true")
    assert again.status_code == 409
    assert 'role="alert"' in page(again)


# --------------------------------------------------------------------------------------------
# Search and persons
# --------------------------------------------------------------------------------------------


def test_search_by_name_and_by_national_id(registrar: User, birth_data: BirthData) -> None:
    data = birth_data()
    person = subject_of(registered_birth(registrar, data))
    client = signed_in(registrar)
    assert client.get("/office/search/").status_code == 200
    by_name = client.post(
        "/office/search/", {"name": f"{data['given_names']} {data['first_surname']}"}
    )
    assert by_name.status_code == 200
    assert f"/office/persons/{person.pk}/" in page(by_name)
    assert person.national_id
    by_id = client.post("/office/search/", {"national_id": person.national_id})
    assert f"/office/persons/{person.pk}/" in page(by_id)
    assert AccessLogEntry.objects.filter(purpose="person.search", actor=registrar).count() == 2


def test_a_search_finding_more_than_it_shows_asks_to_narrow_it(
    registrar: User, offices: dict[str, Jurisdiction]
) -> None:
    # One more namesake than the page shows, all in the official's jurisdiction.
    born = dt.date(1990, 1, 1)
    Person.objects.bulk_create(
        imported_person(offices["a"], "Rosa", "Ruiz", born=born + dt.timedelta(days=n))
        for n in range(SEARCH_LIMIT + 1)
    )
    client = signed_in(registrar)
    wide = client.post("/office/search/", {"name": "Rosa Ruiz"})
    assert page(wide).count("/office/persons/") == SEARCH_LIMIT
    assert "Narrow the search by date or place of birth" in page(wide)
    narrow = client.post(
        "/office/search/", {"name": "Rosa Ruiz", "born_from": "1990-01-01", "born_to": "1990-01-05"}
    )
    assert page(narrow).count("/office/persons/") == 5
    assert "Narrow the search" not in page(narrow)


def test_an_empty_search_is_422(registrar: User) -> None:
    response = signed_in(registrar).post("/office/search/", {})
    assert response.status_code == 422
    assert 'role="alert"' in page(response)


def test_search_does_not_reach_outside_the_jurisdiction(
    registrar: User, registrar_b: User, birth_data: BirthData
) -> None:
    data = birth_data()
    registered_birth(registrar, data)
    html = page(signed_in(registrar_b).post("/office/search/", {"name": data["given_names"]}))
    assert "/office/persons/" not in html


def test_the_person_page_shows_identity_family_records_and_history(
    registrar: User, birth_data: BirthData
) -> None:
    mother = subject_of(registered_birth(registrar, birth_data(2)))
    Person.objects.filter(pk=mother.pk).update(birth_date=dt.date(1990, 1, 1))
    child_data = birth_data(1, mother=str(mother.pk))
    child_record = registered_birth(registrar, child_data)
    child = subject_of(child_record)
    response = signed_in(registrar).get(f"/office/persons/{child.pk}/")
    assert response.status_code == 200
    html = page(response)
    assert child.national_id and child.national_id[:6] in html
    assert f"/office/persons/{mother.pk}/" in html
    assert child_record.registration_number and child_record.registration_number in html
    assert "Registered" in html
    mother_page = page(signed_in(registrar).get(f"/office/persons/{mother.pk}/"))
    assert f"/office/persons/{child.pk}/" in mother_page


# --------------------------------------------------------------------------------------------
# Dashboard
# --------------------------------------------------------------------------------------------


def _registered_after(actor: User, data: dict[str, Any], days: int) -> None:
    record = registered_birth(actor, data)
    assert record.event_date is not None
    moment = dt.datetime.combine(record.event_date + dt.timedelta(days=days), dt.time(12))
    VitalRecord.objects.filter(pk=record.pk).update(registered_at=timezone.make_aware(moment))


def test_dashboard_counts_registrations_by_delay_in_the_database(
    registrar: User,
    supervisor: User,
    birth_data: BirthData,
    profile: CountryProfile,
    django_assert_max_num_queries: Any,
) -> None:
    timely = profile.registration.birth_timely_days
    # Six children: the last two would repeat the first two's names, born a few days apart
    # (a near-duplicate that blocks registration), so they get names of their own.
    own_names = {"mx": ("Lucía", "Mateo"), "kr": ("하은", "시우")}[profile.code]
    for index, days in enumerate((0, 30, 31, 365, 366, 900)):
        renamed = {"given_names": own_names[index - 4]} if index >= 4 else {}
        _registered_after(registrar, birth_data(index, **renamed), days)
    with django_assert_max_num_queries(3):
        report = dashboards.birth_registration_timeliness(actor=supervisor, level="municipality")
    [row] = report.rows
    assert (row.total, row.within_month, row.within_year, row.later) == (6, 2, 2, 2)
    expected_late = sum(1 for d in (0, 30, 31, 365, 366, 900) if d > timely)
    assert row.late == expected_late
    by_state = dashboards.birth_registration_timeliness(actor=supervisor, level="state")
    assert [r.total for r in by_state.rows] == [6]


def test_the_dashboard_page_has_a_chart_and_its_table(
    registrar: User, supervisor: User, birth_data: BirthData
) -> None:
    _registered_after(registrar, birth_data(0), 3)
    response = signed_in(supervisor).get("/office/dashboard/")
    assert response.status_code == 200
    html = page(response)
    assert '<svg class="vt-chart__svg" role="img"' in html
    assert '<title id="timeliness-chart-title">' in html
    assert "<table" in html and 'id="timeliness-table-caption"' in html
    assert signed_in(supervisor).get("/office/dashboard/?level=state").status_code == 200


def test_the_dashboard_is_scoped(
    registrar: User, registrar_b: User, office_head: User, birth_data: BirthData
) -> None:
    _registered_after(registrar_b, birth_data(0), 3)
    report = dashboards.birth_registration_timeliness(actor=office_head, level="municipality")
    assert report.rows == []


def test_a_registrar_may_not_see_the_dashboard(registrar: User) -> None:
    assert signed_in(registrar).get("/office/dashboard/").status_code == 403


# --------------------------------------------------------------------------------------------
# Portal pages
# --------------------------------------------------------------------------------------------


def test_the_citizen_sees_records_and_who_read_them(
    registrar: User, birth_data: BirthData, make_user: Callable[..., User]
) -> None:
    record = registered_birth(registrar, birth_data())
    citizen = make_user("citizen_ana")
    person = subject_of(record)
    Person.objects.filter(pk=person.pk).update(account=citizen)
    signed_in(registrar).get(f"/office/persons/{person.pk}/")
    client = Client()
    client.force_login(citizen)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    records = page(client.get("/me/records/"))
    assert record.registration_number and record.registration_number in records
    log = page(client.get("/me/access-log/"))
    assert "registrar_a" in log
    assert "Read your entry in the register" in log
    assert "Registrar" in log


def test_the_citizen_pages_back_to_the_first_access_to_their_data(
    registrar: User, make_user: Callable[..., User]
) -> None:
    grant = registrar.roles.get()
    [person] = Person.objects.bulk_create(
        [imported_person(grant.jurisdiction, "Ana", "López", born=dt.date(1990, 1, 1))]
    )
    citizen = make_user("citizen_many_reads")
    Person.objects.filter(pk=person.pk).update(account=citizen)
    first = log_access(
        actor=registrar,
        grant=grant,
        kind=AccessKind.READ,
        purpose="person.read",
        subject_ids=[str(person.pk)],
    )
    for _ in range(PAGE_SIZE + 4):
        log_access(
            actor=registrar,
            grant=grant,
            kind=AccessKind.SEARCH,
            purpose="person.search",
            subject_ids=[str(person.pk)],
        )
    client = Client()
    client.force_login(citizen)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    newest = client.get("/me/access-log/")
    assert page(newest).count("<time ") == PAGE_SIZE
    assert newest.context["newer_url"] == ""
    older = client.get(newest.context["older_url"])
    assert page(older).count("<time ") == 5
    assert older.context["older_url"] == ""
    assert older.context["entries"][-1] == first
    assert "Read your entry in the register" in page(older)
    back = client.get(older.context["newer_url"])
    assert page(back).count("<time ") == PAGE_SIZE
    assert client.get("/me/access-log/?before=x%27").status_code == 200


def test_a_name_pasted_with_decomposed_letters_is_measured_as_stored() -> None:
    from unicodedata import normalize

    from ventanilla.registry.forms import ComposedTextField

    field = ComposedTextField(max_length=2)
    decomposed = normalize("NFD", "민준")  # six jamo, two syllables
    assert len(decomposed) == 6
    assert field.clean(decomposed) == "민준"
    accented = normalize("NFD", "Ñu")
    assert ComposedTextField(max_length=2).clean(accented) == "Ñu"
