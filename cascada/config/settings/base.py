"""Settings shared by every environment. One environment variable per choice.

Environment variables (all optional for the embedded setup, see local.py):

- ``DATABASE_URL``: ``postgres://user:pass@host/db``; default SQLite under ``var/``.
- ``CASCADA_SECRET_KEY``: Django's signing key.
- ``CASCADA_FIELD_KEYS``: comma-separated Fernet keys for encryption at rest, newest
  first (S13). Kept apart from ``CASCADA_SECRET_KEY``; older keys still decrypt.
- ``CASCADA_HASH_KEY``: key of the keyed hash used to look people up by ID number.
- ``CASCADA_ALLOWED_HOSTS``: comma-separated host names.
- ``CASCADA_SMALL_NUMBER_K`` / ``CASCADA_SMALL_NUMBER_K_COURT``: small-number threshold (S17).
- ``CASCADA_DATA_DIR``: where the embedded database and local keys live (``var/``).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent  # the cascada package
PROJECT_DIR = BASE_DIR.parent
DATA_DIR = Path(os.environ.get("CASCADA_DATA_DIR", PROJECT_DIR / "var"))


def env_list(name: str, default: str = "") -> list[str]:
    return [v.strip() for v in os.environ.get(name, default).split(",") if v.strip()]


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("CASCADA_SECRET_KEY", "")
DEBUG = env_bool("CASCADA_DEBUG", False)
ALLOWED_HOSTS = env_list("CASCADA_ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_htmx",
    # Background work: Django's tasks API (backport) and its database backend (ADR 0007).
    "django_tasks",
    "django_tasks_db",
    # Cascada's domain apps
    "cascada.core",
    "cascada.accounts",
    "cascada.audit",
    "cascada.jobs",
    "cascada.registry",
    "cascada.curricula",
    "cascada.trainings",
    "cascada.imports",
    "cascada.cascade",
    "cascada.networks",
    "cascada.measurement",
    "cascada.commitments",
    "cascada.research",
    "cascada.safeguarding",
    "cascada.indicators",
    # Interfaces: they adapt and call the domain; the domain never imports them.
    "cascada.api",
    "cascada.web",
    "cascada.cli",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "cascada.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cascada.core.middleware.SessionIdleMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "cascada.core.middleware.RequestContextMiddleware",
    "cascada.accounts.middleware.DenyByDefaultMiddleware",  # S1
    "cascada.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "cascada.core.middleware.NoStoreMiddleware",
    # Axes last, as its docs require.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cascada.config.urls"
WSGI_APPLICATION = "cascada.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cascada.web.nav.navigation",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'cascada.sqlite3'}",
        conn_max_age=int(os.environ.get("CASCADA_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    # JIT off for Cascada's connections (issue 15, docs/performance.md "PostgreSQL
    # settings"): its statements run in milliseconds, and a plan whose estimated cost
    # passes ``jit_above_cost`` (the cascade of a trainer with 20,000 people downstream)
    # spent 58 ms compiling a 130 ms query. ``CASCADA_PG_OPTIONS`` adds or overrides.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = os.environ.get(
        "CASCADA_PG_OPTIONS", "-c jit=off"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# S7: at least 12 characters, checked against common passwords.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

# S5: lockout after 5 failures per username and address, for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "cascada.accounts.views_lockout.lockout_response"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
# S10/S11: axes keys attempts on the account, never on the typed text (a password typed
# into the username box): the same rule as the failed-login audit row.
AXES_USERNAME_CALLABLE = "cascada.accounts.signin.axes_username"

# S8: sessions expire after 60 idle minutes; Django rotates the id at login. API tokens
# end after the same idle time (cascada.accounts.tokens).
SESSION_COOKIE_AGE = 60 * 60
SESSION_SAVE_EVERY_REQUEST = False  # renewal by cascada.core.middleware.SessionIdleMiddleware
CASCADA_SESSION_RENEW_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# S20
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'self'; object-src 'none'"
)

LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("CASCADA_TIME_ZONE", "America/Lima")
USE_I18N = True
USE_TZ = True
# Numbers are localized in templates ("8,1" in Spanish); no thousands separator, so years
# and codes stay "2026" (docs/decisions/translations.md).
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Tokens end after an idle hour, like sessions (S8): cascada.accounts.tokens.
        "cascada.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Every operation documents its error responses (cascada.api.schema).
    "DEFAULT_SCHEMA_CLASS": "cascada.api.schema.AutoSchema",
    # limit/offset, checked like every integer in a query string (cascada.api.params).
    "DEFAULT_PAGINATION_CLASS": "cascada.api.params.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "cascada.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Cascada API",
    "DESCRIPTION": "Registry, curricula, trainings, attendance and the cascade.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No validator badge: it would call validator.swagger.io (no outside calls).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The path converters of cascada.core.converters, with their ranges.
    "PATH_CONVERTER_OVERRIDES": {
        "id": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
        "smallint": {"type": "integer", "minimum": 0, "maximum": 32767},
    },
    # Same field name, different choices: name each enum after its model's choices.
    "ENUM_NAME_OVERRIDES": {
        "OrganizationKindEnum": "cascada.registry.models.OrganizationKind",
        "CohortKindEnum": "cascada.trainings.models.CohortKind",
        "CohortStatusEnum": "cascada.trainings.models.CohortStatus",
        "EnrolmentStatusEnum": "cascada.trainings.models.EnrolmentStatus",
        "AttendanceStatusEnum": "cascada.trainings.models.AttendanceStatus",
        "ThemeEnum": "cascada.commitments.models.Theme",
        "CommitmentStatusEnum": "cascada.commitments.models.CommitmentStatus",
        "MilestoneStatusEnum": "cascada.commitments.models.MilestoneStatus",
        "StudyStatusEnum": "cascada.research.models.StudyStatus",
        "ResearchMethodEnum": "cascada.research.models.Method",
    },
}

# Encryption at rest (S13) and keyed look-up hash.
CASCADA_FIELD_KEYS = env_list("CASCADA_FIELD_KEYS")
CASCADA_HASH_KEY = os.environ.get("CASCADA_HASH_KEY", "")

# S17 small-number suppression.
CASCADA_SMALL_NUMBER_K = int(os.environ.get("CASCADA_SMALL_NUMBER_K", "5"))
CASCADA_SMALL_NUMBER_K_COURT = int(os.environ.get("CASCADA_SMALL_NUMBER_K_COURT", "10"))
# The cascade: trained trainers idle this many months, and generations whose completion (%)
# falls below the threshold, are shown as "where it thins".
CASCADA_CASCADE_IDLE_MONTHS = int(os.environ.get("CASCADA_CASCADE_IDLE_MONTHS", "6"))
CASCADA_CASCADE_COMPLETION_THRESHOLD = int(
    os.environ.get("CASCADA_CASCADE_COMPLETION_THRESHOLD", "60")
)
# Indicators (docs/decisions/indicators.md): the worker fills what is due every so many
# seconds (0: off, when cron runs `cascada indicators_fill`); organization-wide figures are
# refilled when older than so many minutes.
CASCADA_INDICATORS_FILL_SECONDS = int(os.environ.get("CASCADA_INDICATORS_FILL_SECONDS", "300"))
CASCADA_INDICATORS_REFRESH_MINUTES = int(os.environ.get("CASCADA_INDICATORS_REFRESH_MINUTES", "60"))

# Limits whose defaults live with the code that applies them (imports.parsers.Limits,
# imports_sweep, registry.selectors' ID look-up limit, core.idempotency's windows): each
# can be set from the environment here, e.g. CASCADA_IMPORT_MAX_ROWS=50000.
for _name in (
    "CASCADA_IMPORT_MAX_BYTES",
    "CASCADA_IMPORT_MAX_ROWS",
    "CASCADA_IMPORT_MAX_BLANK_ROWS",
    "CASCADA_IMPORT_MAX_COLUMNS",
    "CASCADA_IMPORT_MAX_CELL_CHARS",
    "CASCADA_IMPORT_MAX_EXPANDED_BYTES",
    "CASCADA_IMPORT_MAX_RATIO",
    "CASCADA_IMPORT_MAX_MEMBERS",
    "CASCADA_IMPORT_KEEP_HOURS",
    "CASCADA_ID_LOOKUP_LIMIT",
    "CASCADA_ID_LOOKUP_WINDOW_SECONDS",
    "CASCADA_IDEMPOTENCY_KEEP_HOURS",
    "CASCADA_IDEMPOTENCY_REPLAY_SECONDS",
):
    if os.environ.get(_name):
        globals()[_name] = int(os.environ[_name])

# Background jobs (ADR 0007): the database backend on SQLite and PostgreSQL alike; the
# worker is `cascada worker` (started with the server by `make run`). A running job whose
# heartbeat is older than CASCADA_JOB_STALE_SECONDS is taken as lost (worker killed) and
# is picked up again by the next worker (cascada.jobs.services.jobs_recover).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
CASCADA_JOB_STALE_SECONDS = int(os.environ.get("CASCADA_JOB_STALE_SECONDS", "300"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CASCADA_LOG_LEVEL", "WARNING")},
}
