"""``cascada demo``: build the demonstration data (idempotent) and list the demo accounts."""

from __future__ import annotations

import os
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cascada.core import context
from cascada.demo.build import DEMO_ACCOUNTS, DEMO_PASSWORD, build


def refuse_in_production() -> None:
    """Demo accounts have a published password: never create them in production."""
    if os.environ.get("DJANGO_SETTINGS_MODULE", "").endswith(".production"):
        raise CommandError("The demo is not available with production settings.")


class Command(BaseCommand):
    help = "Build the demonstration data (fictional people) and print the demo accounts."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Size of the community cohorts (1.0 = full demo; smaller for quick tests).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        refuse_in_production()
        started = time.monotonic()
        with context.acting("cli"):
            try:
                result = build(scale=options["scale"])
            except RuntimeError as exc:
                raise CommandError(str(exc)) from exc
        created = ", ".join(f"{n} {what}" for what, n in result.created.items() if n)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready in {time.monotonic() - started:.1f} s"
                + (f" (created {created})." if created else " (already there, nothing changed).")
            )
        )
        self.stdout.write("")
        self.stdout.write("Demo accounts (every person in the demo is fictional):")
        header = f"  {'username':<14} {'password':<19} {'role':<15} organization"
        self.stdout.write(header)
        self.stdout.write("  " + "-" * (len(header) + 20))
        for account in DEMO_ACCOUNTS:
            self.stdout.write(
                f"  {account.username:<14} {DEMO_PASSWORD:<19} {account.role:<15} "
                f"{account.organization}"
            )
        self.stdout.write("")
        self.stdout.write(
            "Every role except viewer signs in with a second factor (S6); every demo account\n"
            "has an authenticator already. The 6-digit code comes from\n"
            "  cascada demo-totp <username>\n"
            "or add the account to an authenticator app with its secret (TOTP, 6 digits, 30 s):"
        )
        for account in DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.username:<14} {account.otpauth_secret}")
