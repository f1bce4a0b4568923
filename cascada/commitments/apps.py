from django.apps import AppConfig


class CommitmentsConfig(AppConfig):
    name = "cascada.commitments"
    label = "commitments"

    def ready(self) -> None:
        from cascada.accounts.hooks import two_factor_needed
        from cascada.registry.hooks import person_erased, person_exported, person_merged

        from . import arco, selectors

        person_merged.subscribe(arco.person_merged)  # docs/decisions/layers-and-hooks.md
        person_erased.subscribe(arco.person_erased)  # S14: docs/decisions/arco.md
        person_exported.subscribe(arco.person_exported)
        two_factor_needed.subscribe(selectors.assigned_needs_two_factor)  # S6
