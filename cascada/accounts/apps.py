from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cascada.accounts"
    label = "accounts"
