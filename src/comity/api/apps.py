from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "comity.api"
    label = "comity_api"
    verbose_name = "Comity REST API"
