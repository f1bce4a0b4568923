"""``cascada demo-totp <username>``: the current sign-in code of a DEMO account.

Refuses any other user, and a demo username whose device no longer has the published demo
key (so a real account that happens to be called ``admin`` is never exposed)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from cascada.cli.management.commands.demo import refuse_in_production
from cascada.demo.build import DEMO_ACCOUNTS


def demo_totp_code(username: str, *, at: float | None = None) -> str:
    """The current code for a demo account; CommandError for anyone else."""
    account = next((a for a in DEMO_ACCOUNTS if a.username == username), None)
    if account is None:
        raise CommandError(f"{username!r} is not a demo account.")
    device = (
        TOTPDevice.objects.filter(user__username=username, confirmed=True, key=account.totp_key)
        .order_by("pk")
        .first()
    )
    if device is None:
        raise CommandError(f"{username!r} has no demo authenticator: run `cascada demo` first.")
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    return f"{totp.token():0{device.digits}d}"


class Command(BaseCommand):
    help = "Print the current 6-digit sign-in code of a demo account (demo accounts only)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        refuse_in_production()
        code = demo_totp_code(options["username"])
        remaining = 30 - int(time.time()) % 30
        self.stdout.write(code)
        self.stderr.write(f"(valid for about {remaining} s more)")
