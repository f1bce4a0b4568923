"""The embedded setup: SQLite under var/, keys generated once into var/ (never in the DB)."""

from __future__ import annotations

import json
import secrets

from cryptography.fernet import Fernet

from .base import *  # noqa: F403
from .base import DATA_DIR, env_bool

DEBUG = env_bool("CASCADA_DEBUG", False)

DATA_DIR.mkdir(parents=True, exist_ok=True)
_keys_file = DATA_DIR / "local-keys.json"
if not _keys_file.exists():
    _keys_file.write_text(
        json.dumps(
            {
                "secret_key": secrets.token_urlsafe(50),
                "field_keys": [Fernet.generate_key().decode()],
                "hash_key": secrets.token_urlsafe(32),
            }
        )
    )
    _keys_file.chmod(0o600)
_local_keys = json.loads(_keys_file.read_text())

SECRET_KEY = SECRET_KEY or _local_keys["secret_key"]  # noqa: F405
CASCADA_FIELD_KEYS = CASCADA_FIELD_KEYS or _local_keys["field_keys"]  # noqa: F405
CASCADA_HASH_KEY = CASCADA_HASH_KEY or _local_keys["hash_key"]  # noqa: F405
