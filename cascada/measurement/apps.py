from django.apps import AppConfig


class MeasurementConfig(AppConfig):
    name = "cascada.measurement"
    label = "measurement"

    def ready(self) -> None:
        from cascada.registry.hooks import person_erased, person_exported, person_merged

        from . import arco

        # A person's answers follow them through a merge, leave with their data and go
        # with an erasure (S14: docs/decisions/arco.md, docs/decisions/measurement.md).
        person_merged.subscribe(arco.person_merged)
        person_erased.subscribe(arco.person_erased)
        person_exported.subscribe(arco.person_exported)

        from cascada.imports.messages import register_messages
        from cascada.jobs.kinds import register

        from .importers import JOB_KINDS, MESSAGES

        for kind in JOB_KINDS:  # submissions from KoboToolbox and ODK Central
            register(kind)
        register_messages(MESSAGES)
