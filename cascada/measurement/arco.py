"""Measurement's answers to the registry's person hooks (merge, S14 ARCO; subscribed in
``MeasurementConfig.ready()``; docs/decisions/arco.md and measurement.md).

- ``person_merged``: the duplicate's survey responses move to the record kept. Where both
  answered the same round, the response with more items answered stays (the kept
  record's on a tie) and the other is removed: one person, one response per round.
- ``person_exported``: every response of the person: the round, the instrument version,
  each answer as the label the person saw, the score and its category.
- ``person_erased``: the person's responses are deleted. Answers about violence are the
  person's own data, not a count of the program's: the analyses (computed from the
  responses that remain) change with them, which is what erasure asks.
"""

from __future__ import annotations

from typing import Any

from cascada.registry.hooks import PersonErased, PersonExported, PersonMerged

from .models import Response, ResponseOption


def person_merged(event: PersonMerged) -> dict[str, int]:
    moved = dropped = 0
    kept = {r.round_id: r for r in Response.objects.filter(person=event.kept)}
    for response in Response.objects.filter(person=event.merged):
        twin = kept.get(response.round_id)
        if twin is None:
            response.person = event.kept
            response.save(update_fields=["person", "updated_at"])
            moved += 1
        elif response.answered > twin.answered:
            twin.delete()
            response.person = event.kept
            response.save(update_fields=["person", "updated_at"])
            moved += 1
            dropped += 1
        else:
            response.delete()
            dropped += 1
    return {"survey responses": moved, "survey responses left out (same round)": dropped}


def person_exported(event: PersonExported) -> dict[str, list[dict[str, Any]]]:
    responses = list(
        Response.objects.filter(person=event.person)
        .select_related("round__cohort", "round__version__instrument")
        .order_by("round__opens_on", "pk")
    )
    labels = {
        (o.version_id, o.code): o.label_es
        for o in ResponseOption.objects.filter(
            version_id__in={r.round.version_id for r in responses}
        )
    }
    for r in responses:
        event.audit_targets.append(("measurement.response", r.pk))
    return {
        "survey_responses": [
            {
                "round": r.round.get_kind_display(),
                "cohort": r.round.cohort.name,
                "instrument": str(r.round.version),
                "submitted_at": r.submitted_at.isoformat() if r.submitted_at else None,
                "answers": {
                    item: labels.get((r.round.version_id, str(value)), value)
                    for item, value in r.answers.items()
                },
                "total": r.total,
                "category": r.category,
                "consent": r.consent,
            }
            for r in responses
        ]
    }


def person_erased(event: PersonErased) -> dict[str, int]:
    deleted, _by_model = Response.objects.filter(person=event.person).delete()
    return {"survey responses": deleted}
