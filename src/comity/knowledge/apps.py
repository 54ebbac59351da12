from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "comity.knowledge"
    label = "knowledge"
    verbose_name = "Comity knowledge base"
