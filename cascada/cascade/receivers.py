"""The cascade's answers to the news of the apps below it (``core/hooks.py``), subscribed
in ``CascadeConfig.ready()``: the lineage follows completions, facilitators and merges."""

from __future__ import annotations

from cascada.registry.hooks import PersonMerged
from cascada.trainings.hooks import CompletionsChanged, FacilitatorsChanged

from . import services


def completions_changed(event: CompletionsChanged) -> None:
    """All completions one write changed, in one pass over the lineage."""
    services.lineage_people_completion_changed(
        cohort_id=event.cohort.pk, person_ids=(*event.gained, *event.lost)
    )


def facilitators_changed(event: FacilitatorsChanged) -> None:
    services.lineage_cohort_facilitators_changed(cohort=event.cohort)


def person_merged(event: PersonMerged) -> dict[str, int]:
    """Runs after trainings moved the duplicate's enrolments (apps below answer first)."""
    services.lineage_person_merged(source=event.merged, target=event.kept)
    return {}
