"""The knowledge base: cases, legislation, guides and model texts, searchable by UNTOC article.

The knowledge base is public reference material (resolution 1(a)): entries are not State-owned
and are served without login. They come from imports (comity.knowledge.importers) and the seed
content; `source_key` makes re-import idempotent. The JSON list fields are the source of truth
for facets; the search backends (comity.knowledge.search) keep their own index in step.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from comity.knowledge.enums import EntryKind, Outcome
from comity.lib.ids import random_code


class Entry(models.Model):
    code = models.CharField(max_length=16, unique=True, default=random_code, editable=False)
    # "<source>:<external id>" as imported; the same key updates the same entry.
    source_key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    title = models.CharField(_("title"), max_length=500)
    summary = models.TextField(_("summary"), blank=True)
    body = models.TextField(_("full text"), blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True)  # citation / provenance
    language = models.CharField(_("language"), max_length=2)  # ISO 639-1 of title/summary/body
    # Other languages: {"fr": {"title": "...", "summary": "..."}, ...}
    translations = models.JSONField(default=dict, blank=True)
    # Clearly labelled example content written for the demo (never third-party text).
    is_example = models.BooleanField(default=False)

    # Facets (lists of codes; see comity.knowledge.enums.FACETS).
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    states = models.JSONField(default=list, blank=True)  # ISO alpha-3
    cooperation_types = models.JSONField(default=list, blank=True)  # comity.vocabulary.CooperationType
    request_types = models.JSONField(default=list, blank=True)  # comity.vocabulary.RequestType
    measures = models.JSONField(default=list, blank=True)  # comity.vocabulary.Measure
    articles = models.JSONField(default=list, blank=True)  # UNTOC references: "18", "18(3)(c)", "20"
    offences = models.JSONField(default=list, blank=True)  # enums.Offence
    obstacles = models.JSONField(default=list, blank=True)  # enums.Obstacle

    # Case fields.
    court = models.CharField(_("court or authority"), max_length=300, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    duration_days = models.PositiveIntegerField(_("duration (days)"), null=True, blank=True)
    obstacle_notes = models.JSONField(default=list, blank=True)  # [str]: what happened, quotable
    good_practices = models.JSONField(default=list, blank=True)  # [str], quotable
    # Legislation: [{"ref": "art. 324-1", "articles": ["6"], "text": "..."}]
    provisions = models.JSONField(default=list, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "title"]
        verbose_name = _("knowledge entry")
        verbose_name_plural = _("knowledge entries")
        indexes = [models.Index(fields=["kind", "year"], name="knowledge_kind_year")]

    def __str__(self) -> str:
        return self.title

    def top_articles(self) -> list[str]:
        """Top-level article numbers ("18(3)(c)" -> "18"), the `article` facet."""
        seen: dict[str, None] = {}
        for ref in self.articles:
            seen.setdefault(str(ref).split("(")[0].strip(), None)
        return list(seen)
