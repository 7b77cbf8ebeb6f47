from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", "import ventanilla.settings"],
        env={"VENTANILLA_ENV": "production", "PYTHONPATH": "src", "PATH": ""},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "VENTANILLA_SECRET_KEY" in result.stderr


# --------------------------------------------------------------------------------------------
# The settings at start-up: each mistake stops the process before it serves anything
# --------------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[4]
PRODUCTION = {"VENTANILLA_ENV": "production", "VENTANILLA_SECRET_KEY": "k" * 50}


def _start(environment: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    """Run Python with only `environment` (no inherited VENTANILLA_* or DATABASE_URL)."""
    command = list(argv) or ["-c", "import django; django.setup(); print('started')"]
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, *command],
        env={
            "PYTHONPATH": str(ROOT / "src"),
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "ventanilla.settings",
            **environment,
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_a_complete_production_environment_starts() -> None:
    result = _start(PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_an_unknown_country_profile_stops_start_up() -> None:
    result = _start({**PRODUCTION, "VENTANILLA_PROFILE": "xx"})
    assert result.returncode != 0
    assert "VENTANILLA_PROFILE must be one of kr, mx, not 'xx'" in result.stderr


def test_an_unsupported_interface_language_stops_start_up() -> None:
    result = _start({**PRODUCTION, "VENTANILLA_LANGUAGE": "fr"})
    assert result.returncode != 0
    assert "VENTANILLA_LANGUAGE must be one of es-mx, en, ko, not 'fr'" in result.stderr
    assert _start({**PRODUCTION, "VENTANILLA_LANGUAGE": "en"}).returncode == 0


def test_production_refuses_debug() -> None:
    result = _start({**PRODUCTION, "VENTANILLA_DEBUG": "true"})
    assert result.returncode != 0
    assert "VENTANILLA_DEBUG cannot be true in production" in result.stderr
    development = _start({"VENTANILLA_ENV": "development", "VENTANILLA_DEBUG": "true"})
    assert development.returncode == 0, development.stderr


def test_production_refuses_a_blank_secret_key() -> None:
    # `.env.example` ships `VENTANILLA_SECRET_KEY=`: copying it unedited must not start.
    result = _start({**PRODUCTION, "VENTANILLA_SECRET_KEY": "  "})
    assert result.returncode != 0
    assert "VENTANILLA_SECRET_KEY" in result.stderr


def test_manage_py_in_a_deployment_fails_closed_and_says_why() -> None:
    """A deployment names its database: there `manage.py` stays in production, and a missing
    secret is reported as such (not as Django's later "apps aren't loaded")."""
    deployment = {"DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"}
    result = _start(deployment, str(ROOT / "manage.py"), "check")
    assert result.returncode != 0
    assert "Set the environment variable VENTANILLA_SECRET_KEY" in result.stderr
    assert "AppRegistryNotReady" not in result.stderr
    local = _start({}, str(ROOT / "manage.py"), "check")
    assert local.returncode == 0, local.stderr  # a checkout without a database: SQLite
