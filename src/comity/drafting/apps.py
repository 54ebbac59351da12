from django.apps import AppConfig


class DraftingConfig(AppConfig):
    name = "comity.drafting"
    label = "drafting"
    verbose_name = "Comity request writer"
