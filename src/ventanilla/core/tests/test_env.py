from __future__ import annotations

import hashlib
import shutil
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


def test_manage_py_without_a_database_url_stays_in_production() -> None:
    """A server whose DATABASE_URL went missing must not start on SQLite with a known key."""
    result = _start({}, str(ROOT / "manage.py"), "check")
    assert result.returncode != 0
    assert "VENTANILLA_SECRET_KEY" in result.stderr
    development = _start({"VENTANILLA_ENV": "development"}, str(ROOT / "manage.py"), "check")
    assert development.returncode == 0, development.stderr


@pytest.fixture
def script_checkout(tmp_path: Path) -> Path:
    """The `ventanilla` script in a checkout whose Python only reports its environment."""
    shutil.copy(ROOT / "ventanilla", tmp_path / "ventanilla")
    pyproject = b"[project]\nname = 'x'\n"
    (tmp_path / "pyproject.toml").write_bytes(pyproject)
    venv = tmp_path / ".venv"
    (venv / "bin").mkdir(parents=True)
    python = venv / "bin" / "python"
    python.write_text('#!/bin/sh\necho "VENTANILLA_ENV=${VENTANILLA_ENV-unset} $*"\n')
    python.chmod(0o755)
    (venv / f".installed-{hashlib.sha256(pyproject).hexdigest()[:16]}-app").touch()
    return tmp_path


def _script(checkout: Path, environment: dict[str, str], *argv: str) -> str:
    result = subprocess.run(  # noqa: S603 - fixed arguments
        ["/bin/bash", str(checkout / "ventanilla"), *argv],
        env={"PATH": "/usr/bin:/bin", **environment},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout.strip()


def test_the_script_runs_commands_in_development_only_in_a_demo_checkout(
    script_checkout: Path,
) -> None:
    # Production documents `./ventanilla manage db_worker`: no guess there.
    assert _script(script_checkout, {}, "manage", "check") == "VENTANILLA_ENV=unset manage.py check"
    (script_checkout / "var").mkdir()
    (script_checkout / "var" / "demo-checkout").touch()  # what `./ventanilla demo` leaves
    assert _script(script_checkout, {}, "manage", "demo_totp") == (
        "VENTANILLA_ENV=development manage.py demo_totp"
    )
    said = _script(script_checkout, {"VENTANILLA_ENV": "production"}, "manage", "check")
    assert said == "VENTANILLA_ENV=production manage.py check"
