"""The cascade's lineage, kept up to date incrementally as completions change.

Called by ``cascada.trainings.services``. Filled in by the cascade issue.
"""

from __future__ import annotations

from typing import Any


def lineage_completion_changed(*, enrolment: Any) -> None:
    """An enrolment's completion changed: update the trainee's lineage."""


def lineage_cohort_facilitators_changed(*, cohort: Any) -> None:
    """A cohort's facilitators changed: update the lineage of its completers."""


def lineage_person_merged(*, source: Any, target: Any) -> None:
    """Two person records were merged."""
