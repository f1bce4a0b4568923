"""cascada indicators_fill: fill the indicators' fill table (docs/decisions/indicators.md).

Fills what the ledger says is due (news marked it, a new scope, a new year, an
organization-wide family older than ``CASCADA_INDICATORS_REFRESH_MINUTES``); ``--all``
refills everything. Idempotent: run it from cron every few minutes in production; the
worker of ``make run`` runs it every ``CASCADA_INDICATORS_FILL_SECONDS`` itself.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cascada.indicators.fill import fill_due


class Command(BaseCommand):
    help = "Fill the indicators' table where it is due (--all: everything)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--all", action="store_true", help="Refill every scope.")

    def handle(self, *args: Any, **options: Any) -> None:
        report = fill_due(everything=options["all"])
        for family, scope, rows, seconds in report.filled:
            self.stdout.write(f"{family} {scope}: {rows} rows in {seconds:.2f} s")
        for family, scope in report.failed:
            self.stderr.write(f"{family} {scope}: failed (see the log)")
        self.stdout.write(f"{len(report.filled)} filled, {len(report.failed)} failed")
        if report.failed:
            raise SystemExit(1)
