"""Signed-in test clients for the benchmarks that time pages (release, imports)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any


@contextlib.contextmanager
def pages() -> Iterator[None]:
    """The test client's host, and static URLs without a collectstatic manifest."""
    from django.conf import settings
    from django.test.utils import override_settings

    plain_static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(
        ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
        STORAGES={**settings.STORAGES, "staticfiles": plain_static},
    ):
        yield


def signed_in(user: Any, *, second_factor: bool = False) -> Any:
    """A ``Client`` signed in as ``user``; with ``second_factor``, through a confirmed TOTP
    device, as a real sign-in of a role that needs one would be."""
    from django.test import Client

    from cascada.accounts.services import totp_device_create

    client = Client()
    client.force_login(user)
    if second_factor:
        device = totp_device_create(user=user, confirmed=True)
        session = client.session
        session["otp_device_id"] = device.persistent_id  # the second factor passed
        session.save()
    return client
