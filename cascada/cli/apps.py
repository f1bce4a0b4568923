from django.apps import AppConfig


class CliConfig(AppConfig):
    name = "cascada.cli"
    label = "cli"
