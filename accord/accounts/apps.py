from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accord.accounts"
    label = "accounts"

    def ready(self) -> None:
        from . import sessions  # noqa: F401 - connects the user_logged_in receiver
