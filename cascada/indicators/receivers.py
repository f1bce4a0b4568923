"""News from below that marks the fill table's ledger for refilling (``fill.py``).

- ``registry.people_changed`` (a consent granted or withdrawn, sex, birth year or place
  corrected, people imported over), ``registry.person_merged`` and
  ``registry.person_erased``: every program the person is enrolled in, facilitates or was
  certified by;
- ``trainings.cohorts_changed`` (enrolments, attendance, headcounts, sessions, a cohort's
  dates or place, by hand or by import) and ``trainings.completions_changed``: the
  cohorts' programs.

The organization-wide families (plans, commitments, research, safeguarding) are small:
``fill_due`` refills them when they are older than ``CASCADA_INDICATORS_REFRESH_MINUTES``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from .fill import mark_programs


def _programs_of_people(person_ids: Any) -> set[int]:
    from cascada.cascade.models import Certification
    from cascada.trainings.models import Cohort

    ids = list(person_ids)
    if not ids:
        return set()
    cohorts = Cohort.objects.filter(
        Q(enrolments__person_id__in=ids)
        | Q(facilitations__person_id__in=ids)
        | Q(pk__in=Certification.objects.filter(person_id__in=ids).values("cohort_id"))
    )
    return set(cohorts.values_list("program_id", flat=True).distinct())


def people_changed(event: Any) -> None:
    mark_programs(_programs_of_people(event.person_ids))


def person_merged(event: Any) -> dict[str, int]:
    mark_programs(_programs_of_people([event.kept.pk, event.merged.pk]))
    return {}


def person_erased(event: Any) -> dict[str, int]:
    mark_programs(_programs_of_people([event.person.pk]))
    return {}


def cohorts_changed(event: Any) -> None:
    mark_programs(event.program_ids)


def completions_changed(event: Any) -> None:
    # A write that already sent ``cohorts_changed`` for this cohort (attendance, an
    # enrolment) marked its program: no second UPDATE in the same write.
    if getattr(event.cohort, "_figures_news_sent", False):
        return
    mark_programs([event.cohort.program_id])
