from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cascada.core"
    label = "core"
