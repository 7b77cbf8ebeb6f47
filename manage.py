#!/usr/bin/env python3
"""Django's command-line entry point for Ventanilla."""

import os
import sys
from pathlib import Path


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
    # Without DATABASE_URL this is the local SQLite checkout; a deployment always names its
    # database, and there the settings fail closed unless VENTANILLA_ENV is given. (The web
    # server does not come through here: it always starts in production unless told.)
    if not os.environ.get("DATABASE_URL"):
        os.environ.setdefault("VENTANILLA_ENV", "development")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.INSTALLED_APPS  # noqa: B018 - load the settings now, to report them plainly
    except ImproperlyConfigured as exc:
        # Django would go on and fail later with an unrelated "apps aren't loaded".
        sys.exit(f"Ventanilla's settings: {exc}")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
