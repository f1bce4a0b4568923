from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "cascada.imports"
    label = "imports"

    def ready(self) -> None:
        from cascada.jobs.kinds import register

        from .jobs import JOB_KINDS

        for kind in JOB_KINDS:
            register(kind)
