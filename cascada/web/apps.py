from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "cascada.web"
    label = "web"
