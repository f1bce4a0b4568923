"""Target arithmetic as M&E officers expect it (``../shared/standards/FORMATS.md`` §6):

- **% met** is the share of the way from the baseline to the target that was travelled:
  ``(actual - baseline) / (target - baseline)``; for a decreasing indicator (fewer men who
  justify violence) the same share, ``(baseline - actual) / (baseline - target)``; without
  a baseline, ``actual / target`` for an increasing indicator and, for a decreasing one,
  met only when actual ≤ target (nothing else can be said). A target equal to its baseline
  gives no percentage.
- The **life-of-program target** is its own figure, set by the plan: it is never the sum
  of the periodic targets reported so far, and progress against it reads the value over
  the whole program so far (the cumulative value, or the rate over every period).
"""

from __future__ import annotations

from decimal import Decimal

from .models import Direction


def percent_met(
    *,
    actual: float | None,
    target: float | Decimal | None,
    baseline: float | Decimal | None = None,
    direction: str = Direction.INCREASE,
) -> float | None:
    if actual is None or target is None:
        return None
    target = float(target)
    if baseline is None:
        if direction == Direction.DECREASE:
            return 100.0 if actual <= target else None
        return None if target == 0 else round(100 * actual / target, 1)
    baseline = float(baseline)
    if target == baseline:
        return None
    if direction == Direction.DECREASE:
        return round(100 * (baseline - actual) / (baseline - target), 1)
    return round(100 * (actual - baseline) / (target - baseline), 1)
