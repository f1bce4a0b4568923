from django.apps import AppConfig


class CascadeConfig(AppConfig):
    name = "cascada.cascade"
    label = "cascade"

    def ready(self) -> None:
        from cascada.registry.hooks import person_erased, person_exported, person_merged
        from cascada.trainings.hooks import completions_changed, facilitators_changed

        from . import arco, receivers

        completions_changed.subscribe(receivers.completions_changed)
        facilitators_changed.subscribe(receivers.facilitators_changed)
        person_merged.subscribe(receivers.person_merged)  # after trainings moved its rows

        person_erased.subscribe(arco.person_erased)  # S14: docs/decisions/arco.md
        person_exported.subscribe(arco.person_exported)
