"""Writes that are safe to send twice: the one mechanism behind every form and API create
(``docs/decisions/idempotency.md``).

A request that may be repeated (a double tap, a retry on a flaky link, Back and send
again) names itself with one or more *claims*: a one-time form token, an API
``Idempotency-Key``, or "the user's last form content". ``perform_once`` runs the write
inside one transaction that first claims each key with a row unique per user and key
(``IdempotencyRecord``):

- the first copy inserts the row, writes, and stores its outcome (where it sent the user,
  or the API's status and body, encrypted) before it commits;
- a second copy sent meanwhile blocks on the unique row (PostgreSQL) or on the write lock
  (SQLite) until the first commits, then finds the outcome and answers with it: a
  ``Replay``; nothing is written twice;
- a copy that fails (invalid input, a refusal, an error) leaves no row: the user corrects
  the form and sends it again.

A ``LAST`` claim is rolling: one row per user, replaced by every successful write; it
recognises the same content sent again within ``replay_window()`` (Back after a create
reloads the form with a fresh token, since pages are ``no-store``), and only that.
Rows expire (``keep_for()`` for tokens and keys) and are deleted by ``idempotency_sweep``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import IdempotencyRecord

Kind = IdempotencyRecord.Kind
T = TypeVar("T")

# Defaults beside the rule; ``config/settings/base.py`` reads them from the environment.
KEEP_HOURS = 24  # CASCADA_IDEMPOTENCY_KEEP_HOURS: form tokens and API keys
REPLAY_SECONDS = 600  # CASCADA_IDEMPOTENCY_REPLAY_SECONDS: the same content sent again


def keep_for() -> dt.timedelta:
    return dt.timedelta(hours=getattr(settings, "CASCADA_IDEMPOTENCY_KEEP_HOURS", KEEP_HOURS))


def replay_window() -> dt.timedelta:
    seconds = getattr(settings, "CASCADA_IDEMPOTENCY_REPLAY_SECONDS", REPLAY_SECONDS)
    return dt.timedelta(seconds=seconds)


@dataclass(frozen=True)
class Claim:
    """One name of a request: ``value`` is the token, the key, or "" for the user's last
    form content; ``fingerprint`` says what the request carried (``fingerprint()``)."""

    kind: str
    value: str
    fingerprint: str

    @property
    def key(self) -> str:
        return hashlib.sha256(f"{self.kind}\x1f{self.value}".encode()).hexdigest()

    @property
    def rolling(self) -> bool:
        return self.kind == Kind.LAST

    def expiry(self, now: dt.datetime) -> dt.datetime:
        return now + (replay_window() if self.rolling else keep_for())


@dataclass(frozen=True)
class Outcome:
    """What the first copy answered: a redirect (``location``) or an API answer."""

    status: int
    location: str = ""
    body: str = ""


@dataclass(frozen=True)
class Replay:
    """The request was sent before: answer with ``outcome``. ``same_content`` is false when
    the same token or key came with other content (the first content won)."""

    outcome: Outcome
    same_content: bool
    kind: str


def fingerprint(*parts: str) -> str:
    """Keyed hash (HMAC-SHA256, ``CASCADA_HASH_KEY``) of a request's method, path and
    content: equal requests, equal fingerprints; the form values cannot be read back."""
    key = settings.CASCADA_HASH_KEY
    if not key:
        raise ImproperlyConfigured("CASCADA_HASH_KEY is not set.")
    data = "\x1e".join(parts).encode("utf-8")
    return hmac.new(key.encode(), data, hashlib.sha256).hexdigest()


def _claim(user_id: int, claim: Claim, now: dt.datetime) -> tuple[IdempotencyRecord, bool]:
    """The row of ``claim``, locked for this transaction; ``True`` when this request
    inserted it. A concurrent copy blocks here until the first one commits."""
    try:
        with transaction.atomic():
            row = IdempotencyRecord.objects.create(
                user_id=user_id,
                kind=claim.kind,
                key=claim.key,
                fingerprint=claim.fingerprint,
                expires_at=claim.expiry(now),
            )
        return row, True
    except IntegrityError:
        row = IdempotencyRecord.objects.select_for_update().get(user_id=user_id, key=claim.key)
        return row, False


def _replay(row: IdempotencyRecord, claim: Claim, now: dt.datetime) -> Replay | None:
    if not row.status or row.expires_at <= now:
        return None  # expired, or left by a copy that never finished: not an outcome
    same = hmac.compare_digest(row.fingerprint, claim.fingerprint)
    if claim.rolling and not same:
        return None  # other content than last time: a new write
    outcome = Outcome(status=row.status, location=row.location, body=row.body)
    return Replay(outcome=outcome, same_content=same, kind=claim.kind)


def perform_once(
    *,
    user_id: int,
    claims: list[Claim],
    action: Callable[[], tuple[T, Outcome | None]],
) -> T | Replay:
    """Run ``action`` once for these claims. ``action`` returns its result and the outcome
    to keep (``None``: it did not write, e.g. the form had errors: nothing is kept). When a
    claim was already fulfilled, ``action`` does not run: its ``Replay`` is returned."""
    with transaction.atomic():
        now = timezone.now()
        rows: list[tuple[Claim, IdempotencyRecord, bool]] = []
        for claim in claims:
            row, inserted = _claim(user_id, claim, now)
            replay = None if inserted else _replay(row, claim, now)
            if replay is not None:
                for _earlier_claim, earlier, was_inserted in rows:
                    if was_inserted:
                        earlier.delete()
                return replay
            rows.append((claim, row, inserted))
        result, outcome = action()
        for claim, row, inserted in rows:
            if outcome is None:
                if inserted:
                    row.delete()
                continue
            row.fingerprint = claim.fingerprint
            row.status = outcome.status
            row.location = outcome.location
            row.body = outcome.body
            row.created_at = now
            row.expires_at = claim.expiry(now)
            row.save()
        return result


def idempotency_sweep(*, now: dt.datetime | None = None) -> int:
    """Delete expired records; returns how many. Run by ``cascada idempotency_sweep``."""
    deleted, _by_model = IdempotencyRecord.objects.filter(
        expires_at__lte=now or timezone.now()
    ).delete()
    return deleted
