"""Settings for the test suite: fixed keys, fast hashing, SQLite in memory unless DATABASE_URL."""

from __future__ import annotations

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production-" + "x" * 20
CASCADA_FIELD_KEYS = ["yW4O5bL0ySPWrRCmCMYsY8ALRYbdmV0p8RV6y6wq3gE="]
CASCADA_HASH_KEY = "test-hash-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["*"]

# Static files come from the app folders in tests (whitenoise's finders); no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT = DATA_DIR / "static-test"  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Tests read English unless they say otherwise: assertions on wording stay stable while
# translations change. Spanish as the default is tested explicitly (tests/test_translations.py
# overrides LANGUAGE_CODE to "es").
LANGUAGE_CODE = "en"

# No persistent connections in tests: live-server threads must not hold the test database
# open when it is dropped at the end of the run (PostgreSQL).
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# PostgreSQL in tests: a commit need not wait for the disk (the test database is thrown
# away at the end of the run); transactional and live-server tests commit often.
if DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):  # noqa: F405
    _options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    _options["options"] = (_options.get("options", "") + " -c synchronous_commit=off").strip()
