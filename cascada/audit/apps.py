from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "cascada.audit"
    label = "audit"
