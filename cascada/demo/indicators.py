"""The demo's indicators (issue 14): Manuela Ramos's program has its baseline and targets
(a life-of-program target for 2026-2028 and yearly ones, a decreasing target for the men
who justify wife-beating), and the fill table is filled at the end of the build, so that
the dashboards of ``make run`` show figures at once. Idempotent (targets already set are left as they are)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cascada.indicators.fill import fill_due
from cascada.indicators.models import Indicator, Plan
from cascada.indicators.services import plan_save
from cascada.trainings.models import Program

PROGRAM = "Cascada de formación de promotores con hombres"
STARTS, ENDS = dt.date(2026, 1, 1), dt.date(2028, 12, 31)

# code, baseline, life-of-program target, frequency, periodic targets
PLANS: list[tuple[str, str | None, str, str, dict[str, str]]] = [
    ("people_enrolled", "0", "600", "year", {"2026": "150", "2027": "380", "2028": "600"}),
    ("people_completed", "0", "450", "year", {"2026": "110", "2027": "280", "2028": "450"}),
    ("completion_rate", None, "75", "year", {"2026": "70", "2027": "75", "2028": "75"}),
    ("replication_rate", None, "50", "year", {"2026": "30", "2027": "40", "2028": "50"}),
    ("gem_improved", None, "60", "year", {}),
    # Lower is better: 40 % of the men justified it at the start; the aim is 20 %.
    ("justify_after", "40", "20", "year", {"2026": "35", "2027": "28", "2028": "20"}),
    ("community_reach", "0", "5000", "year", {"2026": "1000", "2027": "3000", "2028": "5000"}),
]


def build_indicators(*, r: Any) -> None:
    program = Program.objects.filter(name=PROGRAM).first()
    if program is None:
        return
    for code, baseline, lop, frequency, targets in PLANS:
        indicator = Indicator.objects.get(code=code, organization__isnull=True)
        if Plan.objects.filter(indicator=indicator, program=program).exists():
            continue  # set already (or changed by hand since): left as it is
        r.add("indicator targets")
        plan_save(
            actor=None, indicator=indicator, program=program, starts_on=STARTS, ends_on=ENDS,
            baseline=baseline, baseline_on=STARTS if baseline is not None else None,
            lop_target=lop, frequency=frequency, targets=targets,
        )  # fmt: skip
    fill_due(everything=True)  # idempotent: the same rows every time
