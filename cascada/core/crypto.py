"""Encryption at rest and keyed hashes (SECURITY.md S13).

Keys come from settings (environment in production, ``var/local-keys.json`` in the
embedded setup), never from the database and never from ``SECRET_KEY``.
``CASCADA_FIELD_KEYS`` lists Fernet keys newest first: rows are written with the first
and read with any, so a key can be rotated (``cascada rotate_field_keys``) while old rows
still decrypt.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models

PREFIX = "enc1:"


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    keys = settings.CASCADA_FIELD_KEYS
    if not keys:
        raise ImproperlyConfigured("CASCADA_FIELD_KEYS is not set.")
    return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])


def _reset(**kwargs: Any) -> None:
    if kwargs.get("setting") in {"CASCADA_FIELD_KEYS", "CASCADA_HASH_KEY"}:
        _fernet.cache_clear()


setting_changed.connect(_reset)


def encrypt(value: str) -> str:
    return PREFIX + _fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    if not token.startswith(PREFIX):
        raise ValueError("Value is not encrypted with Cascada's field encryption.")
    try:
        return _fernet().decrypt(token[len(PREFIX) :].encode("ascii")).decode("utf-8")
    except InvalidToken as exc:  # pragma: no cover - configuration error
        raise ImproperlyConfigured(
            "A stored value cannot be decrypted with the configured keys."
        ) from exc


def rotate(token: str) -> str:
    """Re-encrypt a token with the newest key."""
    return PREFIX + _fernet().rotate(token[len(PREFIX) :].encode("ascii")).decode("ascii")


def normalize(value: str) -> str:
    """Case, accent and space-insensitive form used for look-up hashes."""
    if (value or "").isascii():  # nothing to decompose (most names, every number)
        return " ".join((value or "").casefold().split())
    text = unicodedata.normalize("NFKD", value or "")
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.casefold().split())


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 of the normalized value, for equality look-ups on encrypted data."""
    key = settings.CASCADA_HASH_KEY
    if not key:
        raise ImproperlyConfigured("CASCADA_HASH_KEY is not set.")
    return hmac.new(key.encode(), normalize(value).encode("utf-8"), hashlib.sha256).hexdigest()


def keyed_hasher() -> Callable[[str], str]:
    """``keyed_hash`` for many values: the HMAC key is prepared once (same output)."""
    keyed_hash("")  # the usual configuration error when no key is set
    base = hmac.new(settings.CASCADA_HASH_KEY.encode(), digestmod=hashlib.sha256)

    def hasher(value: str) -> str:
        h = base.copy()
        h.update(normalize(value).encode("utf-8"))
        return h.hexdigest()

    return hasher


# Files (uploads waiting for a decision) are encrypted with the same keys as fields: one
# Fernet token after a marker line, so a file that is not ours is refused, never misread.
FILE_PREFIX = b"cascada-enc1\n"


def encrypt_bytes(data: bytes) -> bytes:
    return FILE_PREFIX + _fernet().encrypt(data)


def is_encrypted_bytes(data: bytes) -> bool:
    return data.startswith(FILE_PREFIX)


def decrypt_bytes(token: bytes) -> bytes:
    if not token.startswith(FILE_PREFIX):
        raise ValueError("Data is not encrypted with Cascada's file encryption.")
    try:
        return _fernet().decrypt(token[len(FILE_PREFIX) :])
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A stored file cannot be decrypted with the configured keys."
        ) from exc


def rotate_bytes(token: bytes) -> bytes:
    """Re-encrypt file contents with the newest key."""
    if not token.startswith(FILE_PREFIX):
        raise ValueError("Data is not encrypted with Cascada's file encryption.")
    return FILE_PREFIX + _fernet().rotate(token[len(FILE_PREFIX) :])


class EncryptedTextField(models.TextField):
    """A text field stored as Fernet ciphertext. Not searchable: pair it with a keyed hash."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))


def encrypted_columns() -> list[tuple[type[models.Model], EncryptedTextField]]:
    """Every ``EncryptedTextField`` of every installed model, found generically so that a
    field added later is rotated too."""
    from django.apps import apps

    out = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                out.append((model, field))
    return out


def rotate_column(
    *, model: type[models.Model], field: EncryptedTextField, batch_size: int = 1000
) -> int:
    """Re-encrypt one column with the newest key, reading raw ciphertext (no decryption
    into Python objects beyond the token itself). Returns the number of values rewritten."""
    from django.db import connection, transaction

    qn = connection.ops.quote_name
    # Concrete columns: Django sets ``column`` when it builds the model class.
    assert field.column is not None and model._meta.pk.column is not None
    table, column = qn(model._meta.db_table), qn(field.column)
    pk = qn(model._meta.pk.column)
    done = 0
    last = None
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            where = f"WHERE {pk} > %s " if last is not None else ""
            cursor.execute(
                f"SELECT {pk}, {column} FROM {table} {where}ORDER BY {pk} LIMIT %s",  # noqa: S608
                [last, batch_size] if last is not None else [batch_size],
            )
            rows = cursor.fetchall()
            if not rows:
                return done
            for row_pk, token in rows:
                if token and token.startswith(PREFIX):
                    cursor.execute(
                        f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",  # noqa: S608
                        [rotate(token), row_pk],
                    )
                    done += 1
            last = rows[-1][0]
