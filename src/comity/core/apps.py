from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "comity.core"
    label = "core"
    verbose_name = "Comity core"

    def ready(self) -> None:
        from comity.core import checks  # noqa: F401 - registers the system checks
