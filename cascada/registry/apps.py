from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "cascada.registry"
    label = "registry"

    def ready(self) -> None:
        from cascada.imports.kinds import register

        from .importers import PEOPLE

        register(PEOPLE)  # the people importer (docs/decisions/imports.md)
