from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "cascada.registry"
    label = "registry"
