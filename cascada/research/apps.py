from django.apps import AppConfig


class ResearchConfig(AppConfig):
    name = "cascada.research"
    label = "research"

    def ready(self) -> None:
        from cascada.accounts.hooks import two_factor_needed

        from . import selectors

        two_factor_needed.subscribe(selectors.member_needs_two_factor)  # S6
