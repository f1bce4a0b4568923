from django.apps import AppConfig


class CurriculaConfig(AppConfig):
    name = "cascada.curricula"
    label = "curricula"
