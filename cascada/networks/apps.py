from django.apps import AppConfig


class NetworksConfig(AppConfig):
    name = "cascada.networks"
    label = "networks"

    def ready(self) -> None:
        from cascada.registry.hooks import person_erased, person_exported, person_merged

        from . import arco

        person_merged.subscribe(arco.person_merged)  # docs/decisions/layers-and-hooks.md
        person_erased.subscribe(arco.person_erased)  # S14: docs/decisions/arco.md
        person_exported.subscribe(arco.person_exported)

        from cascada.imports.messages import register_messages
        from cascada.jobs.kinds import register

        from .importers import JOB_KINDS, MESSAGES

        for kind in JOB_KINDS:  # actions recorded in the field (ODK Collect, KoboCollect)
            register(kind)
        register_messages(MESSAGES)
