"""cascada cascade_rebuild: recompute the cascade's lineage from completions."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from cascada.cascade.services import lineage_rebuild


class Command(BaseCommand):
    help = "Recompute who trained whom, generations and reach from the trainings tables."

    def handle(self, *args: Any, **opts: Any) -> None:
        started = time.perf_counter()
        out = lineage_rebuild()
        for key, value in out.items():
            self.stdout.write(f"{key:>12}: {value:,}")
        self.stdout.write(f"{'seconds':>12}: {time.perf_counter() - started:.1f}")
