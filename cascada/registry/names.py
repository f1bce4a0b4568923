"""Search by any part of a name without decrypting the registry (S13).

Each word of a person's names is normalized (case and accents dropped, as
``core.crypto.normalize``) and stored only as a keyed hash in ``NameToken``. A search
hashes the words typed and asks for people holding every one of them: an indexed
equality look-up, never a scan of decrypted names.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from cascada.core.crypto import keyed_hasher, normalize

# Words shorter than this (initials) are neither stored nor searched.
MIN_TOKEN = 2
# A search uses at most this many words (each one is a subquery).
MAX_QUERY_TOKENS = 6
# Keeps token hashes apart from the other keyed hashes (full name, ID number).
PREFIX = "name-token:"


def name_tokens(*parts: str) -> set[str]:
    """The normalized words of a name: "José-Luis QUISPE" -> {"jose", "luis", "quispe"}."""
    text = normalize(" ".join(p or "" for p in parts))
    return {t for t in re.split(r"[^\w]+|_", text) if len(t) >= MIN_TOKEN}


def token_hasher() -> Callable[[str], str]:
    """The keyed hash of one normalized word, the HMAC key prepared once."""
    hasher = keyed_hasher()
    return lambda token: hasher(PREFIX + token)


def name_token_hashes(*parts: str) -> set[str]:
    hasher = token_hasher()
    return {hasher(t) for t in name_tokens(*parts)}
