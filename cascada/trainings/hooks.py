"""Trainings' news for the apps above it (``core/hooks.py`` explains hooks).

The cascade keeps its lineage from these: who completed a cohort, and who facilitates it;
the indicators refill what ``cohorts_changed`` names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cascada.core.hooks import Hook

if TYPE_CHECKING:
    from cascada.trainings.models import Cohort


@dataclass(frozen=True)
class CompletionsChanged:
    """In ``cohort``, the people (ids) in ``gained`` now hold a final completion and those
    in ``lost`` no longer do."""

    cohort: Cohort
    gained: tuple[int, ...] = ()
    lost: tuple[int, ...] = ()


@dataclass(frozen=True)
class FacilitatorsChanged:
    """``cohort``'s facilitators changed: people (ids) ``added`` and ``removed``."""

    cohort: Cohort
    added: tuple[int, ...] = ()
    removed: tuple[int, ...] = ()


@dataclass(frozen=True)
class CohortsChanged:
    """What the cohorts' figures count changed: enrolments, attendance, headcounts,
    sessions, facilitators, or the cohort's own dates, place or kind (by hand or by
    import). The indicators mark the cohorts' programs for refilling."""

    cohort_ids: tuple[int, ...]
    program_ids: tuple[int, ...]  # kept apart: a deleted cohort's program is still told


completions_changed: Hook[CompletionsChanged] = Hook("trainings.completions_changed")
cohorts_changed: Hook[CohortsChanged] = Hook("trainings.cohorts_changed")
facilitators_changed: Hook[FacilitatorsChanged] = Hook("trainings.facilitators_changed")
