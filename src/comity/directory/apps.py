from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "comity.directory"
    label = "directory"
    verbose_name = "Comity directory and legal basis"

    def ready(self) -> None:
        from comity.directory.signals import connect_signals

        connect_signals()
