"""Django settings, read from the environment.

`VENTANILLA_ENV` is `production` unless said otherwise, so a forgotten
variable never turns a public server into a debugging one. Every value is
checked here, at start-up: a typo stops the process instead of surfacing
at the first request that reads it.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from ventanilla.core.profiles import ProfileFormatError, available_profiles, load_profile
from ventanilla.env import env_bool, env_choice, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent

ENVIRONMENT = env_choice("VENTANILLA_ENV", ("production", "development", "test"), "production")
DEBUG = env_bool("VENTANILLA_DEBUG", default=False)
if ENVIRONMENT == "production" and DEBUG:
    # Debug pages show settings, local variables and SQL to whoever triggers an error.
    raise ImproperlyConfigured(
        "VENTANILLA_DEBUG cannot be true in production; to debug, run a copy with "
        "VENTANILLA_ENV=development."
    )
if ENVIRONMENT == "production":
    # Blank counts as missing: `.env.example` ships the variable empty.
    SECRET_KEY = env_str("VENTANILLA_SECRET_KEY", "")
    if not SECRET_KEY.strip():
        raise ImproperlyConfigured(
            "Set the environment variable VENTANILLA_SECRET_KEY (VENTANILLA_ENV is "
            "production unless said otherwise; a local demo sets VENTANILLA_ENV=development)."
        )
else:
    # Outside production a throwaway key is acceptable; sessions simply end on restart.
    SECRET_KEY = env_str("VENTANILLA_SECRET_KEY", "development-only-" + "x" * 48)

ALLOWED_HOSTS = env_list("VENTANILLA_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("VENTANILLA_CSRF_TRUSTED_ORIGINS")

# One deployment runs one country profile (see core/profiles/*.toml).
VENTANILLA_PROFILE = env_choice("VENTANILLA_PROFILE", available_profiles(), "mx")
try:
    load_profile(VENTANILLA_PROFILE)  # a broken profile file stops start-up too
except ProfileFormatError as exc:
    raise ImproperlyConfigured(f"VENTANILLA_PROFILE={VENTANILLA_PROFILE}: {exc}") from exc

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "ventanilla.core",
    "ventanilla.registry",
    "ventanilla.portal",
]

MIDDLEWARE = [
    "ventanilla.core.middleware.RequestIdMiddleware",
    "ventanilla.core.middleware.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "ventanilla.urls"
WSGI_APPLICATION = "ventanilla.wsgi.application"
ASGI_APPLICATION = "ventanilla.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ventanilla.core.context_processors.platform",
            ],
        },
    },
]

VAR_DIR = BASE_DIR / "var"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'ventanilla.sqlite3'}"),
        conn_max_age=env_int("VENTANILLA_DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "VENTANILLA_DB_PREPARED_STATEMENTS", default=True
):
    # Parameters bound by the server, and statements run twice on a connection prepared:
    # the driver no longer quotes every value in Python, nor the server plans every query
    # again (a registration's twenty statements spent ~40 % of their server time planning).
    # Turn off behind a connection pooler in transaction mode, which cannot keep them.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=2
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    # WAL lets readers proceed while one writer commits; IMMEDIATE makes a
    # write transaction take the lock up front instead of failing half-way.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Column comments mark personal data for PostgreSQL catalogues; SQLite just has none.
SILENCED_SYSTEM_CHECKS = ["fields.W163"]

AUTH_USER_MODEL = "core.User"
LOGIN_URL = "portal:sign_in"
LOGIN_REDIRECT_URL = "portal:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SIGN_IN_FAILURE_LIMIT = env_int("VENTANILLA_SIGN_IN_FAILURE_LIMIT", 5)
SIGN_IN_FAILURE_WINDOW_SECONDS = env_int("VENTANILLA_SIGN_IN_FAILURE_WINDOW", 900)

_PROFILE_LANGUAGE = {"mx": "es-mx", "kr": "ko"}
LANGUAGES = [
    ("es-mx", _("Spanish (Mexico)")),
    ("en", _("English")),
    ("ko", _("Korean")),
]
LANGUAGE_CODE = env_choice(
    "VENTANILLA_LANGUAGE",
    [code for code, _name in LANGUAGES],
    _PROFILE_LANGUAGE.get(VENTANILLA_PROFILE, "es-mx"),
)
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
_PROFILE_TIME_ZONE = {"mx": "America/Mexico_City", "kr": "Asia/Seoul"}
TIME_ZONE = env_str("VENTANILLA_TIME_ZONE", _PROFILE_TIME_ZONE.get(VENTANILLA_PROFILE, "UTC"))
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("VENTANILLA_STATIC_ROOT", str(BASE_DIR / "var" / "static")))
ASSETS_DIR = Path(env_str("VENTANILLA_ASSETS_DIR", str(BASE_DIR / "node_modules")))
STATICFILES_DIRS = [
    ("uswds", ASSETS_DIR / "@uswds" / "uswds" / "dist"),
    ("htmx", ASSETS_DIR / "htmx.org" / "dist"),
    PACKAGE_DIR / "static",
]

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("VENTANILLA_SESSION_SECONDS", 8 * 3600)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if ENVIRONMENT == "production":
    SECURE_SSL_REDIRECT = env_bool("VENTANILLA_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("VENTANILLA_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "ventanilla.core.logging.RequestIdFilter"}},
    "formatters": {"json": {"()": "ventanilla.core.logging.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("VENTANILLA_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's request logger prints URLs, which may carry search terms.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
    },
}
