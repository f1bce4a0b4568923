from django.apps import AppConfig


class CascadeConfig(AppConfig):
    name = "cascada.cascade"
    label = "cascade"
