"""`comity knowledge-reindex`: rebuild the knowledge search index from the entries.

Needed after restoring the entries table from a backup or loading it by other means; normal
writes keep the index in step (comity.knowledge.services).
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from comity.knowledge.services import index_rebuild


class Command(BaseCommand):
    help = "Rebuild the knowledge-base search index from the entries."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        start = time.perf_counter()
        count = index_rebuild()
        seconds = time.perf_counter() - start
        backend = settings.COMITY_SEARCH_BACKEND
        if options["format"] == "json":
            self.stdout.write(
                json.dumps({"backend": backend, "entries": count, "seconds": round(seconds, 3)})
            )
        else:
            self.stdout.write(f"indexed {count} entries with the {backend} backend in {seconds:.1f} s")
