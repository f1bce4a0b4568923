"""cascada synth --people 100000 --seed 1: a reproducible synthetic country."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cascada.cascade.synth import synth_country
from cascada.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Build a reproducible synthetic country (programs, cohorts, attendance, cascade)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--people", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **opts: Any) -> None:
        started = time.perf_counter()
        try:
            out = synth_country(people=opts["people"], seed=opts["seed"])
        except ApplicationError as exc:
            raise CommandError(str(exc)) from exc
        lineage = out.pop("lineage", {})
        for key, value in {**out, **{f"lineage_{k}": v for k, v in lineage.items()}}.items():
            self.stdout.write(f"{key:>20}: {value:,}")
        self.stdout.write(f"{'seconds':>20}: {time.perf_counter() - started:.1f}")
