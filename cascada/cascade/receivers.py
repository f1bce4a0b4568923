"""The cascade's answers to the news of the apps below it (``core/hooks.py``), subscribed
in ``CascadeConfig.ready()``: the lineage follows completions, facilitators and merges;
the program figures kept as rows (``kept.py``) are marked for refreshing by every write
that changes what they count."""

from __future__ import annotations

from cascada.registry.hooks import PeopleChanged, PersonMerged
from cascada.trainings.hooks import CohortsChanged, CompletionsChanged, FacilitatorsChanged

from . import kept, services


def completions_changed(event: CompletionsChanged) -> None:
    """All completions one write changed, in one pass over the lineage."""
    people = (*event.gained, *event.lost)
    kept.mark_cohort_people(cohort_id=event.cohort.pk, person_ids=people)
    services.lineage_people_completion_changed(cohort_id=event.cohort.pk, person_ids=people)


def facilitators_changed(event: FacilitatorsChanged) -> None:
    services.lineage_cohort_facilitators_changed(cohort=event.cohort)


def cohorts_changed(event: CohortsChanged) -> None:
    """Enrolments, attendance, headcounts, sessions, a cohort's place or kind: the cohort
    and everyone in it (told before a deletion: the marks outlive the rows)."""
    kept.mark_cohorts(event.cohort_ids)


def people_changed(event: PeopleChanged) -> None:
    """Sex, birth year, consent to aggregate reporting: the people's rows everywhere."""
    kept.mark_people(event.person_ids)


def person_merged(event: PersonMerged) -> dict[str, int]:
    """Runs after trainings moved the duplicate's enrolments (apps below answer first)."""
    services.lineage_person_merged(source=event.merged, target=event.kept)
    kept.mark_people([event.merged.pk, event.kept.pk])
    return {}
