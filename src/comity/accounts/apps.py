from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "comity.accounts"
    label = "accounts"
    verbose_name = "Comity accounts"

    def ready(self) -> None:
        from comity.accounts import signals  # noqa: F401 - connects login/logout audit receivers
