from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TokenScope(models.TextChoices):
    """What an API token may do. A token never exceeds its owner's role at its authority."""

    READ = "read", _("Read")
    WRITE = "write", _("Write")
    AUDIT_READ = "audit:read", _("Read the audit trail")
