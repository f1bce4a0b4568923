from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cascada.accounts"
    label = "accounts"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (sign-in events come from django.contrib.auth)
