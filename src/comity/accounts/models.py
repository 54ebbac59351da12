"""Users and API tokens."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comity.core.models import Authority
from comity.core.tenancy import StateOwnedModel
from comity.lib.ids import random_code


class User(AbstractUser):
    """A person. What they may do comes from memberships (core.Membership), never from flags:
    `is_staff` only opens the operators' admin pages, `is_superuser` bypasses no scope."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    language = models.CharField(
        _("preferred language"), max_length=10, blank=True, choices=settings.LANGUAGES
    )
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)


class ApiToken(StateOwnedModel):
    """A bearer token bound to one authority (and so one State), with scopes and an expiry.

    Only a SHA-256 of the secret is stored; the full token (`cmt_<prefix>_<secret>`) is shown
    once, at creation.
    """

    code = models.CharField(max_length=16, unique=True, default=random_code, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta(StateOwnedModel.Meta):
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
