"""What a declaration's fields may hold, through the API and the services alike (both pass
`events.clean`): a late registration judged by the country's own deadline, and judged again
when the record is corrected or declared again; states and municipalities from the
jurisdiction catalogue, the municipality inside the state; values of the field's type (text
as a string, a date as YYYY-MM-DD, a time as HH:MM) and names made of letters. Each refusal
is a 422 naming the field, with a stable code and a message in the caller's language, and
leaves nothing written."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from ventanilla.core.errors import ValidationFailed
from ventanilla.core.models import Jurisdiction, User
from ventanilla.core.profiles import CountryProfile
from ventanilla.registry import services
from ventanilla.registry.models import Person, RecordAction, VitalRecord

BirthData = Callable[..., dict[str, Any]]
ClientFor = Callable[[User], Client]
RECORDS = "/api/v1/registry/records"
LANGUAGES = ("es-mx", "ko", "en")

UNKNOWN_STATE = "Unknown state code."
UNKNOWN_MUNICIPALITY = "Unknown municipality code."
NOT_IN_STATE = "The municipality is not in the given state."
NOT_TEXT = "Enter this as text, not as a number, list or object."
BAD_DATE = "Enter a real date as YYYY-MM-DD."
BAD_TIME = "Enter a time as HH:MM."
TOO_OLD = "The date is too far in the past."
FUTURE = "The date cannot be in the future."
NOT_A_NAME = "A name may only hold letters, spaces, apostrophes, dots and dashes."
NO_LETTER = "A name needs at least one letter."


def _in(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def _post(client: Client, url: str, body: dict[str, Any], language: str = "en") -> Any:
    return client.post(
        url,
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
        HTTP_ACCEPT_LANGUAGE=language,
    )


def _declare(client: Client, data: dict[str, Any], language: str = "en") -> Any:
    return _post(client, RECORDS, {"event_type": "birth", "data": data}, language)


def _refused_field(response: Any, field: str, code: str, message: str, language: str) -> None:
    """A 422 naming only `field`, with `code` and `message` in `language`."""
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["fields"] == {field: [_in(language, message)]}
    assert error["details"]["field_codes"] == {field: [code]}


def _today_is(monkeypatch: pytest.MonkeyPatch, day: dt.date) -> None:
    """Make `day` the local date of the services (a date or time given still converts)."""
    real = timezone.localdate

    def localdate(value: dt.datetime | None = None, timezone: Any = None) -> dt.date:
        return day if value is None else real(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)


def _journal(record_id: Any, action: str) -> RecordAction:
    return RecordAction.objects.filter(record_id=record_id, action=action).latest("seq")


def _other_state_and_municipality(offices: dict[str, Jurisdiction]) -> tuple[str, str]:
    municipality = offices["b"].parent
    assert municipality is not None and municipality.parent is not None
    return municipality.parent.official_code, municipality.official_code


# --------------------------------------------------------------------------------------------
# Late registration: the country's deadline, in calendar months
# --------------------------------------------------------------------------------------------

# (birth date, the last timely declaration day, the first late one): six calendar months in
# Mexico (181 days here, past the 180-day approximation), one in Korea (28 days here, inside
# the 30-day one).
DEADLINES = {
    "mx": (dt.date(2025, 1, 1), dt.date(2025, 7, 1), dt.date(2025, 7, 2)),
    "kr": (dt.date(2025, 2, 1), dt.date(2025, 3, 1), dt.date(2025, 3, 2)),
}


def test_a_birth_is_late_only_after_the_countrys_deadline_in_calendar_months(
    registrar: User,
    birth_data: BirthData,
    api_client: ClientFor,
    profile: CountryProfile,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    born, last_timely, first_late = DEADLINES[profile.code]
    client = api_client(registrar)
    for index, (today, late) in enumerate(((last_timely, False), (first_late, True))):
        _today_is(monkeypatch, today)
        data = birth_data(index, birth_date=born.isoformat())
        response = _declare(client, data)
        assert response.status_code == 201, response.content
        assert response.json()["late"] is late
        warnings = _journal(response.json()["id"], "declare").payload["warnings"]
        assert ("late_registration" in warnings) is late


def test_correcting_the_birth_date_decides_again_whether_the_registration_is_late(
    registrar: User, birth_data: BirthData, api_client: ClientFor
) -> None:
    client = api_client(registrar)
    record = services.record_declare(actor=registrar, event_type="birth", data=birth_data())
    assert not record.late  # born ten days ago
    three_years_ago = timezone.localdate() - dt.timedelta(days=3 * 365)
    body = {"changes": {"birth_date": three_years_ago.isoformat()}, "reason": "date misread"}
    response = _post(client, f"{RECORDS}/{record.pk}/correct", body)
    assert response.status_code == 200, response.content
    assert response.json()["late"] is True
    assert _journal(record.pk, "correct").payload["warnings"] == ["late_registration"]
    registered = services.record_register(actor=registrar, record_id=record.pk)
    assert registered.late
    assert VitalRecord.objects.get(pk=record.pk).late
    # Corrected back inside the period, it is timely again.
    recent = (timezone.localdate() - dt.timedelta(days=5)).isoformat()
    body = {"changes": {"birth_date": recent}, "reason": "the first date was right"}
    response = _post(client, f"{RECORDS}/{record.pk}/correct", body)
    assert response.status_code == 200, response.content
    assert response.json()["late"] is False
    assert not VitalRecord.objects.get(pk=record.pk).late


def test_a_draft_declared_after_the_deadline_is_late(
    registrar: User,
    birth_data: BirthData,
    api_client: ClientFor,
    profile: CountryProfile,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    born, last_timely, first_late = DEADLINES[profile.code]
    _today_is(monkeypatch, last_timely)
    draft = services.record_declare(
        actor=registrar,
        event_type="birth",
        data=birth_data(birth_date=born.isoformat()),
        submit=False,
    )
    assert not draft.late
    _today_is(monkeypatch, first_late)
    response = _post(api_client(registrar), f"{RECORDS}/{draft.pk}/resubmit", {})
    assert response.status_code == 200, response.content
    assert response.json()["late"] is True
    assert "late_registration" in _journal(draft.pk, "declare").payload["warnings"]


def test_a_declaration_refused_and_resubmitted_after_the_deadline_stays_timely(
    registrar: User, birth_data: BirthData, api_client: ClientFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The declarant came in time; the office's round trip must not make the birth late."""
    born = timezone.localdate() - dt.timedelta(days=5)
    record = services.record_declare(
        actor=registrar, event_type="birth", data=birth_data(birth_date=born.isoformat())
    )
    services.record_reject(actor=registrar, record_id=record.pk, reason="illegible signature")
    _today_is(monkeypatch, born + dt.timedelta(days=2 * 365))
    response = _post(api_client(registrar), f"{RECORDS}/{record.pk}/resubmit", {})
    assert response.status_code == 200, response.content
    assert response.json()["late"] is False


# --------------------------------------------------------------------------------------------
# States and municipalities from the catalogue
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_state_or_municipality_outside_the_catalogue_is_refused_at_declaration(
    registrar: User, birth_data: BirthData, api_client: ClientFor, language: str
) -> None:
    client = api_client(registrar)
    cases = (
        ({"birth_state": "ZZ"}, "birth_state", "unknown_state", UNKNOWN_STATE),
        ({"birth_state": "99"}, "birth_state", "unknown_state", UNKNOWN_STATE),
        ({"birth_municipality": "99999"}, "birth_municipality", "unknown_municipality",
         UNKNOWN_MUNICIPALITY),
        ({"birth_municipality": "00000"}, "birth_municipality", "unknown_municipality",
         UNKNOWN_MUNICIPALITY),
    )  # fmt: skip
    for overrides, field, code, message in cases:
        response = _declare(client, birth_data(**overrides), language)
        _refused_field(response, field, code, message, language)
    assert not VitalRecord.objects.exists()


def test_a_municipality_of_another_state_is_refused(
    registrar: User,
    birth_data: BirthData,
    api_client: ClientFor,
    offices: dict[str, Jurisdiction],
) -> None:
    """Mexico: Jalisco (14) with a municipality of Mexico City (09015), whose CURP would
    say JC while the place is Mexico City."""
    client = api_client(registrar)
    other_state, other_municipality = _other_state_and_municipality(offices)
    response = _declare(client, birth_data(birth_state=other_state), "es-mx")
    _refused_field(
        response, "birth_municipality", "municipality_not_in_state", NOT_IN_STATE, "es-mx"
    )
    assert not VitalRecord.objects.exists()
    # The same state with one of its own municipalities is a birthplace.
    data = birth_data(birth_state=other_state, birth_municipality=other_municipality)
    assert _declare(client, data).status_code == 201


def test_a_registered_persons_birthplace_cannot_be_corrected_to_a_code_outside_the_catalogue(
    registrar: User, birth_data: BirthData, api_client: ClientFor, offices: dict[str, Jurisdiction]
) -> None:
    declared = services.record_declare(actor=registrar, event_type="birth", data=birth_data())
    record = services.record_register(actor=registrar, record_id=declared.pk)
    assert record.subject_id is not None
    place = Person.objects.get(pk=record.subject_id).birth_place
    assert place is not None
    client = api_client(registrar)
    _, other_municipality = _other_state_and_municipality(offices)
    for municipality, code, message in (
        ("00000", "unknown_municipality", UNKNOWN_MUNICIPALITY),
        (other_municipality, "municipality_not_in_state", NOT_IN_STATE),
    ):
        body = {"changes": {"birth_municipality": municipality}, "reason": "moved"}
        response = _post(client, f"{RECORDS}/{record.pk}/correct", body, "ko")
        _refused_field(response, "birth_municipality", code, message, "ko")
    assert Person.objects.get(pk=record.subject_id).birth_place == place
    assert VitalRecord.objects.get(pk=record.pk).data == record.data


# --------------------------------------------------------------------------------------------
# Values of the field's type
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [{"a": 1}, ["Ana"], 12, 1.5, True])
def test_a_name_that_is_not_a_string_is_refused_not_stored_as_its_repr(
    registrar: User, birth_data: BirthData, api_client: ClientFor, value: Any
) -> None:
    response = _declare(api_client(registrar), birth_data(given_names=value), "es-mx")
    _refused_field(response, "given_names", "not_text", NOT_TEXT, "es-mx")
    assert not VitalRecord.objects.exists()


@pytest.mark.parametrize("field", ["birth_state", "birth_municipality", "sex"])
def test_a_code_sent_as_a_number_is_refused(
    registrar: User, birth_data: BirthData, api_client: ClientFor, field: str
) -> None:
    data = birth_data()
    data[field] = int(data[field]) if data[field].isdigit() else 1
    response = _declare(api_client(registrar), data)
    _refused_field(response, field, "not_text", NOT_TEXT, "en")


@pytest.mark.parametrize("value", [20240101, "20240101", "2024-W01-1", "2024-1-5", "2024-02-30"])
def test_a_date_must_be_written_yyyy_mm_dd(
    registrar: User, birth_data: BirthData, api_client: ClientFor, value: Any
) -> None:
    for field in ("birth_date", "mother_birth_date"):
        response = _declare(api_client(registrar), birth_data(**{field: value}), "ko")
        _refused_field(response, field, "invalid_date", BAD_DATE, "ko")
    assert not VitalRecord.objects.exists()


@pytest.mark.parametrize("value", ["ab:cd", "25:00", "7:30", "0730", 730])
def test_a_time_of_birth_must_be_hh_mm(
    registrar: User, birth_data: BirthData, api_client: ClientFor, value: Any
) -> None:
    response = _declare(api_client(registrar), birth_data(birth_time=value), "es-mx")
    _refused_field(response, "birth_time", "invalid_time", BAD_TIME, "es-mx")


def test_a_time_of_birth_is_kept_as_hh_mm_and_a_made_up_one_refused(
    registrar: User, birth_data: BirthData, api_client: ClientFor
) -> None:
    client = api_client(registrar)
    response = _declare(client, birth_data(birth_time="99:99"), "ko")
    _refused_field(response, "birth_time", "invalid_time", BAD_TIME, "ko")
    response = _declare(client, birth_data(birth_time="07:05"))
    assert response.status_code == 201, response.content
    assert response.json()["data"]["birth_time"] == "07:05"


def test_every_date_field_is_bounded_by_1850_and_today(
    registrar: User, birth_data: BirthData, api_client: ClientFor
) -> None:
    client = api_client(registrar)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    for field, value, code, message in (
        ("mother_birth_date", "1700-01-01", "too_old", TOO_OLD),
        ("father_birth_date", "1849-12-31", "too_old", TOO_OLD),
        ("mother_birth_date", tomorrow, "future_date", FUTURE),
        ("birth_date", "1800-05-05", "too_old", TOO_OLD),
    ):
        _refused_field(_declare(client, birth_data(**{field: value})), field, code, message, "en")
    assert not VitalRecord.objects.exists()
    response = _declare(client, birth_data(mother_birth_date="1990-04-30"))
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("12345", "invalid_characters", NOT_A_NAME),
        ("\U0001f600", "invalid_characters", NOT_A_NAME),
        ("Ana \U0001f600", "invalid_characters", NOT_A_NAME),
        ("Ana2", "invalid_characters", NOT_A_NAME),
        ("-", "no_letters", NO_LETTER),
        ("' .", "no_letters", NO_LETTER),
    ],
)
def test_a_name_needs_letters(
    registrar: User,
    birth_data: BirthData,
    api_client: ClientFor,
    value: str,
    code: str,
    message: str,
) -> None:
    client = api_client(registrar)
    for field in ("given_names", "first_surname", "mother_given_names"):
        response = _declare(client, birth_data(**{field: value}), "ko")
        _refused_field(response, field, code, message, "ko")
    assert not VitalRecord.objects.exists()
    assert not Person.objects.exists()


NAMES_KEPT = {
    "mx": [
        {"given_names": "José María", "first_surname": "Peña", "second_surname": "O'Farrill"},
        {"given_names": "Ma. Ñeli", "first_surname": "Núñez-Ávila", "second_surname": "D’Ángelo"},
    ],
    "kr": [
        {"given_names": "서연", "first_surname": "김", "given_names_roman": "Seo-yeon"},
        {"given_names": "하은", "first_surname": "남궁", "first_surname_roman": "Namgung"},
    ],
}


def test_names_of_letters_of_any_script_get_a_national_id_and_digits_do_not(
    registrar: User, birth_data: BirthData, profile: CountryProfile
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        services.record_declare(
            actor=registrar, event_type="birth", data=birth_data(3, given_names="007")
        )
    assert refused.value.details["field_codes"] == {"given_names": ["invalid_characters"]}
    # Accents, ñ, apostrophes, dots and dashes inside names, Hangul and its romanisation.
    for index, names in enumerate(NAMES_KEPT[profile.code]):
        declared = services.record_declare(
            actor=registrar, event_type="birth", data=birth_data(index, **names)
        )
        record = services.record_register(actor=registrar, record_id=declared.pk)
        assert record.subject_id is not None
        person = Person.objects.get(pk=record.subject_id)
        assert person.given_names == names["given_names"]
        assert person.first_surname == names["first_surname"]
        assert person.national_id
