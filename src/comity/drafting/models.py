"""Drafts of requests: State-owned, resumable, the document kept as validated JSON."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from comity.core.models import Authority, State
from comity.core.tenancy import StateOwnedModel
from comity.lib.ids import random_code
from comity.vocabulary import RequestType


class Draft(StateOwnedModel):
    """A request being written at an authority (the `state` is the requesting State).

    `document` always holds a RequestDocument (comity.drafting.schema) that validates: drafting
    starts from the request type, the requested State and the language, and every save goes
    through the schema.
    """

    code = models.CharField(max_length=16, unique=True, default=random_code, editable=False)
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    request_type = models.CharField(_("request type"), max_length=40, choices=RequestType.choices)
    requested_state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200, blank=True)
    document = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(StateOwnedModel.Meta):
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["state", "authority", "-updated_at"], name="draft_authority_recent")]

    def __str__(self) -> str:
        return self.title or f"{self.get_request_type_display()} → {self.requested_state_id}"
