from django.apps import AppConfig


class SafeguardingConfig(AppConfig):
    name = "cascada.safeguarding"
    label = "safeguarding"

    def ready(self) -> None:
        from cascada.accounts.hooks import two_factor_needed
        from cascada.registry.hooks import person_erased, person_merged

        from . import arco, selectors

        two_factor_needed.subscribe(selectors.needs_two_factor)  # S6
        person_merged.subscribe(arco.person_merged)  # docs/decisions/layers-and-hooks.md
        person_erased.subscribe(arco.person_erased)  # S14: docs/decisions/arco.md
        from cascada.imports.kinds import register

        from .importers import SERVICES

        register(SERVICES)  # the directory of services (docs/decisions/imports.md)
