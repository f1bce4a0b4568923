from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "cascada.audit"
    label = "audit"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (sign-in events come from django.contrib.auth)
