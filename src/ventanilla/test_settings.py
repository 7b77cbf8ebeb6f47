"""Settings for the test suite: the real settings with test-friendly environment defaults."""

import os

os.environ.setdefault("VENTANILLA_ENV", "test")
os.environ.setdefault("VENTANILLA_LOG_LEVEL", "WARNING")

from ventanilla.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, tests only

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not shared memory, so that concurrent tests see real SQLite locking.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405
