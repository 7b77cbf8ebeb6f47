"""Every refusal of the API is JSON with a stable code and a message in the caller's language:
a body that does not parse, an unknown address or ID, a wrong method, no session, and a bug."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from ventanilla.core.models import User
from ventanilla.core.tests.conftest import LogLines
from ventanilla.registry import selectors
from ventanilla.registry.models import VitalRecord

ClientFor = Callable[[User], Client]
RECORDS = "/api/v1/registry/records"

MESSAGES: dict[str, dict[str, str]] = {
    "malformed_body": {
        "en": "The request body is not valid JSON.",
        "es-mx": "El cuerpo de la solicitud no es JSON válido.",
        "ko": "요청 본문이 올바른 JSON이 아닙니다.",
    },
    "control_characters": {
        "en": "Remove the control characters from this text.",
        "es-mx": "Quite los caracteres de control de este texto.",
        "ko": "이 텍스트에서 제어 문자를 지우십시오.",
    },
    "body_too_large": {
        "en": "The request is too large.",
        "es-mx": "La solicitud es demasiado grande.",
        "ko": "요청이 너무 큽니다.",
    },
    "not_found": {"en": "Not found.", "es-mx": "No se encontró.", "ko": "찾을 수 없습니다."},
    "not_authenticated": {
        "en": "Sign in first.",
        "es-mx": "Primero inicie sesión.",
        "ko": "먼저 로그인하십시오.",
    },
    "method_not_allowed": {
        "en": "This address does not accept this method.",
        "es-mx": "Esta dirección no acepta este método.",
        "ko": "이 주소는 이 메서드를 허용하지 않습니다.",
    },
}
LANGUAGES = ["en", "es-mx", "ko"]


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    return error


@pytest.fixture(autouse=True)
def _catalogue_is_what_the_test_expects() -> None:
    # Guards the table above against a retranslation, so a failure points at the handler.
    for code in ("not_found", "not_authenticated"):
        for language, text in MESSAGES[code].items():
            with translation.override(language):
                assert translation.gettext(MESSAGES[code]["en"]) == text, (code, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_body_that_is_not_json_is_a_400_in_the_callers_language(
    registrar: User, api_client: ClientFor, language: str
) -> None:
    response = api_client(registrar).post(
        RECORDS,
        '{"event_type": "birth", "data": {',
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
        HTTP_ACCEPT_LANGUAGE=language,
    )
    error = _error(response, 400)
    assert error["code"] == "malformed_body"
    assert error["message"] == MESSAGES["malformed_body"][language]
    assert "parse" not in response.content.decode()  # not ninja's English default


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_control_character_in_any_text_is_a_422_naming_the_field(
    registrar: User, api_client: ClientFor, birth_data: Callable[..., dict[str, Any]], language: str
) -> None:
    """PostgreSQL cannot store NUL: it must be refused as input, not fail as a 500."""
    client = api_client(registrar)
    data = {**birth_data(), "given_names": "Ana\x00"}
    for body, field in (
        ({"event_type": "birth", "data": data}, "data.given_names"),
        ({"event_type": "birth", "office": "A\x00", "data": birth_data()}, "office"),
        ({"event_type": "birth", "data": {**birth_data(), "x\x1b": "1"}}, "data"),
    ):
        response = client.post(
            RECORDS,
            body,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
            HTTP_ACCEPT_LANGUAGE=language,
        )
        error = _error(response, 422)
        assert error["fields"] == {field: [MESSAGES["control_characters"][language]]}
    search = client.post(
        "/api/v1/registry/persons/search",
        {"place": "09\x00"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert _error(search, 422)["fields"] == {"place": [MESSAGES["control_characters"][language]]}
    log = client.get("/api/v1/access-log", {"purpose": "x\x00"}, HTTP_ACCEPT_LANGUAGE=language)
    assert _error(log, 422)["fields"] == {"purpose": [MESSAGES["control_characters"][language]]}
    assert VitalRecord.objects.count() == 0
    # A tab or a line break is text, not a control character.
    tab = client.post(
        "/api/v1/registry/persons/search",
        {"name": "Ana\tLópez\n"},
        content_type="application/json",
    )
    assert tab.status_code == 200


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_body_over_the_size_limit_is_a_413(
    registrar: User, api_client: ClientFor, birth_data: Callable[..., dict[str, Any]], language: str
) -> None:
    body = {
        "event_type": "birth",
        "data": birth_data(),
        "pad": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
    }
    response = api_client(registrar).post(
        RECORDS,
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
        HTTP_ACCEPT_LANGUAGE=language,
    )
    error = _error(response, 413)
    assert error == {"code": "body_too_large", "message": MESSAGES["body_too_large"][language]}


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_unknown_record_and_an_unknown_address_are_404(
    registrar: User, api_client: ClientFor, language: str
) -> None:
    client = api_client(registrar)
    error = _error(client.get(f"{RECORDS}/{uuid.uuid4()}", HTTP_ACCEPT_LANGUAGE=language), 404)
    assert error["code"] == "not_found"
    with translation.override(language):
        assert error["message"] == translation.gettext("No such record.")
    for url in ("/api/v1/registry/nowhere", "/api/v2/records", "/api/v1/registry/queue/"):
        error = _error(client.get(url, HTTP_ACCEPT_LANGUAGE=language), 404)
        assert error["code"] == "not_found", url
        assert error["message"] == MESSAGES["not_found"][language], url


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_method_the_address_does_not_take_is_a_405(
    registrar: User, api_client: ClientFor, language: str
) -> None:
    response = api_client(registrar).delete("/api/v1/registry/queue", HTTP_ACCEPT_LANGUAGE=language)
    error = _error(response, 405)
    assert error["code"] == "method_not_allowed"
    assert error["message"] == MESSAGES["method_not_allowed"][language]
    assert response["Allow"] == "GET"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_call_without_a_session_is_a_401(db: Any, language: str) -> None:
    client = Client()
    for response in (
        client.get("/api/v1/registry/queue", HTTP_ACCEPT_LANGUAGE=language),
        client.post(
            RECORDS,
            {"event_type": "birth", "data": {}},
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE=language,
        ),
    ):
        error = _error(response, 401)
        assert error["code"] == "not_authenticated"
        assert error["message"] == MESSAGES["not_authenticated"][language]


def test_without_accept_language_the_deployments_language_answers(db: Any) -> None:
    error = _error(Client().get("/api/v1/registry/queue"), 401)
    assert error["message"] == MESSAGES["not_authenticated"][settings.LANGUAGE_CODE]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_bug_is_a_500_that_quotes_only_the_request_id(
    registrar: User,
    api_client: ClientFor,
    language: str,
    monkeypatch: pytest.MonkeyPatch,
    log_lines: LogLines,
) -> None:
    secret = "RANA010101" + "MDFMXN09"
    name = "Ana Sofía " + "Ramírez"

    def broken(**kwargs: Any) -> Any:
        raise RuntimeError(f"cannot read person {secret} ({name})")

    monkeypatch.setattr(selectors, "review_queue_page", broken)
    response = api_client(registrar).get(
        "/api/v1/registry/queue",
        HTTP_ACCEPT_LANGUAGE=language,
        HTTP_X_REQUEST_ID="bug-report-0042",
    )

    error = _error(response, 500)
    assert error["code"] == "internal_error"
    assert error["details"] == {"request_id": "bug-report-0042"}
    assert "bug-report-0042" in error["message"]
    with translation.override(language):
        assert error["message"] == translation.gettext(
            "Something went wrong on our side. Try again in a few minutes; if it keeps "
            "happening, give support the reference %(request_id)s."
        ) % {"request_id": "bug-report-0042"}
    assert secret not in response.content.decode()
    assert "RuntimeError" not in response.content.decode()

    logged = [line for line in log_lines.all() if line["logger"] == "ventanilla.api"]
    assert len(logged) == 1
    assert logged[0]["request_id"] == response["X-Request-ID"] == "bug-report-0042"
    assert logged[0]["error_type"] == "RuntimeError"
    assert logged[0]["route"] == "api/v1/registry/queue"
    assert "builtins.RuntimeError (message withheld)" in logged[0]["exception"]
    assert secret not in log_lines.text() and name not in log_lines.text()
    # Django's own line about the 500 is filed under the same request.
    django_lines = [line for line in log_lines.all() if line["logger"] == "django.request"]
    assert [line["request_id"] for line in django_lines] == ["bug-report-0042"]
