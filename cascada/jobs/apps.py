from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "cascada.jobs"
    label = "jobs"
    verbose_name = "Background jobs"
