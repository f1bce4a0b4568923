from django.apps import AppConfig


class TrainingsConfig(AppConfig):
    name = "cascada.trainings"
    label = "trainings"
