from django.apps import AppConfig


class TrainingsConfig(AppConfig):
    name = "cascada.trainings"
    label = "trainings"

    def ready(self) -> None:
        from cascada.registry.hooks import (
            organizations_reached,
            people_reached,
            person_erased,
            person_exported,
            person_merged,
        )

        from . import arco, receivers, selectors

        person_merged.subscribe(receivers.person_merged)  # docs/decisions/layers-and-hooks.md
        # The registry's questions: who a user reaches through cohorts (S2, S3).
        people_reached.subscribe(selectors.people_reached)
        organizations_reached.subscribe(selectors.organizations_reached)

        person_erased.subscribe(arco.person_erased)  # S14: docs/decisions/arco.md
        person_exported.subscribe(arco.person_exported)
        from cascada.imports.kinds import register

        from .importers import ATTENDANCE, ENROLMENTS

        register(ENROLMENTS)  # the importers of this app (docs/decisions/imports.md)
        register(ATTENDANCE)
