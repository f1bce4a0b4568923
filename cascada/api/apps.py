from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "cascada.api"
    label = "api"
