from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from ventanilla.env import env_bool, env_choice, env_int, env_list, env_str


def test_a_required_setting_that_is_missing_stops_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VT_SECRET", raising=False)
    with pytest.raises(ImproperlyConfigured, match="VT_SECRET"):
        env_str("VT_SECRET")


def test_booleans_must_be_spelled_plainly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VT_FLAG", "yes")
    assert env_bool("VT_FLAG") is True
    monkeypatch.setenv("VT_FLAG", "perhaps")
    with pytest.raises(ImproperlyConfigured):
        env_bool("VT_FLAG")


def test_numbers_lists_and_choices_parse_or_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VT_N", "12")
    monkeypatch.setenv("VT_L", "a.example, b.example,")
    monkeypatch.setenv("VT_C", "staging")
    assert env_int("VT_N", 1) == 12
    assert env_list("VT_L") == ["a.example", "b.example"]
    with pytest.raises(ImproperlyConfigured):
        env_choice("VT_C", ("production", "development"), "production")
    monkeypatch.setenv("VT_N", "twelve")
    with pytest.raises(ImproperlyConfigured):
        env_int("VT_N", 1)


def test_production_without_a_secret_key_refuses_to_start() -> None:
    import subprocess
    import sys

    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", "import ventanilla.settings"],
        env={"VENTANILLA_ENV": "production", "PYTHONPATH": "src", "PATH": ""},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "VENTANILLA_SECRET_KEY" in result.stderr
