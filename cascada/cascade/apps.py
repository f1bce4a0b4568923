from django.apps import AppConfig


class CascadeConfig(AppConfig):
    name = "cascada.cascade"
    label = "cascade"

    def ready(self) -> None:
        from cascada.registry.hooks import (
            people_changed,
            person_erased,
            person_exported,
            person_merged,
        )
        from cascada.trainings.hooks import (
            cohorts_changed,
            completions_changed,
            facilitators_changed,
        )

        from . import arco, receivers

        completions_changed.subscribe(receivers.completions_changed)
        facilitators_changed.subscribe(receivers.facilitators_changed)
        person_merged.subscribe(receivers.person_merged)  # after trainings moved its rows
        # The program figures kept as rows (kept.py): marked in the write's transaction.
        cohorts_changed.subscribe(receivers.cohorts_changed)
        people_changed.subscribe(receivers.people_changed)

        person_erased.subscribe(arco.person_erased)  # S14: docs/decisions/arco.md
        person_exported.subscribe(arco.person_exported)
