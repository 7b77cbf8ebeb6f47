#!/usr/bin/env python3
"""Django's command-line entry point for Ventanilla."""

import os
import sys
from pathlib import Path


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
    # Without DATABASE_URL this is the local SQLite demo; a deployment always names its
    # database, so there the settings keep failing closed unless VENTANILLA_ENV is given.
    if not os.environ.get("DATABASE_URL"):
        os.environ.setdefault("VENTANILLA_ENV", "development")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
