"""What the page tests of safeguarding share: a signed-in client and a page's text."""

from __future__ import annotations

from typing import Any

from django.test import Client

from tests.accounts.factories import login_verified


def client_for(user: Any) -> Client:
    """A browser signed in as ``user``, second factor passed."""
    client = Client()
    login_verified(client, user)
    return client


def page_text(response: Any) -> str:
    return response.content.decode()
