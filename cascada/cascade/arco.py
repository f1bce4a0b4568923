"""The cascade's answer to a person's rights (S14, ARCO; docs/decisions/arco.md),
subscribed in ``CascadeConfig.ready()`` to the registry's hooks.

- ``person_exported``: the person's place in the cascade: generation, when and through
  which program first trained, who trained them and whom they trained (other people by
  code only), how many people they reached, their certifications to facilitate.
- ``person_erased``: nothing here identifies a person (rows are keyed by the person's id
  and hold dates, generations and counts), and the lineage is what the published reach,
  generations and multipliers are computed from: every row stays, attached to the stub.
  The answer is explicit so that the wiring test shows the cascade was asked; it marks
  the person's rows of the kept program figures for refreshing (``kept.py``), which count
  the same sex, birth year and consent the erasure keeps.
"""

from __future__ import annotations

from typing import Any

from cascada.registry.hooks import PersonErased, PersonExported
from cascada.registry.models import Person

from . import kept
from .models import Certification, Lineage, Reach, TrainingEdge


def _day(value: Any) -> str | None:
    return value.isoformat() if value else None


def person_exported(event: PersonExported) -> dict[str, dict[str, Any]]:
    person = event.person
    lineage = Lineage.objects.filter(person=person).select_related("program").first()
    edges_in = list(TrainingEdge.objects.filter(trainee=person).select_related("cohort"))
    edges_out = list(TrainingEdge.objects.filter(trainer=person).select_related("cohort"))
    codes = dict(
        Person.objects.filter(
            pk__in={e.trainer_id for e in edges_in} | {e.trainee_id for e in edges_out}
        ).values_list("pk", "code")
    )
    return {
        "cascade": {
            "generation": lineage.generation if lineage else None,
            "first_trained_on": _day(lineage.first_trained_on) if lineage else None,
            "program": lineage.program.name if lineage and lineage.program else None,
            "trained_by": [
                {
                    "trainer": codes.get(e.trainer_id),
                    "cohort": e.cohort.name,
                    "completed_on": _day(e.completed_on),
                }
                for e in edges_in
            ],
            "trained": [
                {
                    "trainee": codes.get(e.trainee_id),
                    "cohort": e.cohort.name,
                    "completed_on": _day(e.completed_on),
                }
                for e in edges_out
            ],
            "reach": Reach.objects.filter(ancestor=person).count(),
            "certifications": [
                {
                    "cohort": c.cohort.name,
                    "granted_on": _day(c.granted_on),
                    "practicum_done": c.practicum_done,
                }
                for c in Certification.objects.filter(person=person).select_related("cohort")
            ],
        }
    }


def person_erased(event: PersonErased) -> dict[str, int]:
    kept.mark_people([event.person.pk])
    return {}
