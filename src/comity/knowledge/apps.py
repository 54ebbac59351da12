from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _prune_search_index(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from comity.knowledge.search import prune_orphans

    prune_orphans(using)


class KnowledgeConfig(AppConfig):
    name = "comity.knowledge"
    label = "knowledge"
    verbose_name = "Comity knowledge base"

    def ready(self) -> None:
        # Django's flush (tests with a live server) empties the entries but not the search index.
        post_migrate.connect(_prune_search_index, sender=self, dispatch_uid="knowledge_prune_search_index")
