"""Log lines as the deployment writes them: JSON, under the request's ID, without personal data."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

import pytest
from django.test import Client

from ventanilla.core.logging import JsonFormatter, RequestIdFilter
from ventanilla.core.models import User
from ventanilla.core.tests.conftest import LogLines


def test_a_requests_log_line_carries_the_request_id_of_its_response(
    db: Any, log_lines: LogLines, caplog: pytest.LogCaptureFixture
) -> None:
    User.objects.create_user(username="ana.ramirez", password="correct-horse-battery")
    caplog.set_level(logging.INFO, logger="ventanilla.core.signin")

    response = Client().post(
        "/sign-in/",
        {"username": "ana.ramirez", "password": "wrong-password-typed"},
        HTTP_X_REQUEST_ID="trace-0123456789",
    )

    assert response["X-Request-ID"] == "trace-0123456789"
    refused = [line for line in log_lines.all() if line["message"] == "sign-in refused"]
    assert len(refused) == 1
    assert refused[0]["request_id"] == "trace-0123456789"
    assert refused[0]["event"] == "sign_in_refused"
    assert "ana.ramirez" not in log_lines.text()
    assert "wrong-password-typed" not in log_lines.text()


def test_a_generated_request_id_is_the_one_logged(
    db: Any, log_lines: LogLines, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="ventanilla.core.signin")
    response = Client().post("/sign-in/", {"username": "nobody", "password": "x" * 12})
    lines = [line for line in log_lines.all() if line["message"] == "sign-in refused"]
    assert [line["request_id"] for line in lines] == [response["X-Request-ID"]]


def _format(**extra: Any) -> dict[str, Any]:
    record = logging.getLogger("ventanilla.test").makeRecord(
        "ventanilla.test", logging.INFO, __file__, 1, "person updated", (), None, extra=extra
    )
    RequestIdFilter().filter(record)
    parsed: dict[str, Any] = json.loads(JsonFormatter().format(record))
    return parsed


def test_only_allow_listed_extra_fields_reach_the_line() -> None:
    line = _format(
        user_id="42",
        event="signed_in",
        status_code=500,
        given_names="Ana Sofía",
        national_id="RANA010101MDFMXN09",
        request="<WSGIRequest: POST '/office/search/?name=Ana'>",
    )
    assert line["user_id"] == "42"
    assert line["event"] == "signed_in"
    assert line["status_code"] == 500
    assert line["message"] == "person updated"
    for dropped in ("given_names", "national_id", "request"):
        assert dropped not in line
    assert "Ana" not in json.dumps(line, ensure_ascii=False)


def test_an_exception_is_logged_by_type_and_stack_without_its_text() -> None:
    national_id = "RANA010101" + "MDFMXN09"
    try:
        try:
            raise KeyError(national_id)
        except KeyError as inner:
            raise ValueError(f"duplicate key: national_id={national_id}") from inner
    except ValueError:
        record = logging.getLogger("ventanilla.test").makeRecord(
            "ventanilla.test", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )
    line = json.loads(JsonFormatter().format(record))
    assert "builtins.ValueError (message withheld)" in line["exception"]
    assert "builtins.KeyError (message withheld)" in line["exception"]
    # The stack still says where it happened.
    assert "test_an_exception_is_logged_by_type_and_stack_without_its_text" in line["exception"]
    assert national_id not in json.dumps(line)
