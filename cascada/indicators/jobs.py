"""The refill as a job a coordinator or M&E officer asks for ("Refresh now"): the same
``fill.fill_due`` the schedule runs. It fills whatever is due, whoever asks (it writes
sums and shows nothing: what the asker may read is decided when shown)."""

from __future__ import annotations

from typing import Any

from .fill import FillReport, fill_due


def fill(ctx: Any) -> dict[str, Any]:
    report: FillReport = fill_due(progress=ctx.progress)
    return {"filled": len(report.filled), "failed": len(report.failed), "rows": report.rows}
