"""Trainings' answers to the news of the apps below it (``core/hooks.py``), subscribed in
``TrainingsConfig.ready()``. The ARCO answers (``person_erased``, ``person_exported``)
live in ``arco.py``."""

from __future__ import annotations

from cascada.registry.hooks import PersonMerged

from .services import trainings_person_reassign


def person_merged(event: PersonMerged) -> dict[str, int]:
    """Move the duplicate's enrolments, attendance and facilitation to the kept record
    (``{"enrolments": n, "facilitations": n}`` for the merge's summary)."""
    return trainings_person_reassign(source=event.merged, target=event.kept)
