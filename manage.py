#!/usr/bin/env python3
"""Django's command-line entry point for Ventanilla."""

import os
import sys
from pathlib import Path


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
    # VENTANILLA_ENV is left to the settings (production unless said otherwise): a server
    # whose DATABASE_URL went missing must stop, not start on SQLite with a public key.
    # `./ventanilla demo`, `test` and `manage` say which environment they mean.
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
