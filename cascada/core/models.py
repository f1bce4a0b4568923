from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from .crypto import EncryptedTextField

# Crockford base32 without look-alikes: easy to read aloud and type on a phone.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def random_code(length: int = 8, prefix: str = "") -> str:
    return prefix + "".join(secrets.choice(ALPHABET) for _ in range(length))


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class IdempotencyRecord(models.Model):
    """The first outcome of a write that may be sent again (``cascada.core.idempotency``):
    a form token, an API ``Idempotency-Key``, or a user's last form content. Unique per user
    and key, so two copies of one request cannot both write: the second waits for the first
    and answers with its outcome. Swept once expired (``cascada idempotency_sweep``)."""

    class Kind(models.TextChoices):
        FORM = "form", "form token"
        LAST = "last", "last form content"
        API = "api", "API Idempotency-Key"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=4, choices=Kind.choices)
    # SHA-256 of the kind and the token, key or path: what a client sent is never stored.
    key = models.CharField(max_length=64)
    # Keyed hash (HMAC) of the method, path and content of the request: no form values.
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(default=0)  # 0 while the first copy runs
    location = models.CharField(max_length=2000, blank=True)
    # The API answer, encrypted (S13, rotated by ``rotate_field_keys``): it may hold names.
    body = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="core_idempotency_user_key")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key[:8]}"
