"""States, authorities, memberships and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from comity.core.enums import AuthorityKind, Role, StateKind, UnStatus
from comity.core.tenancy import StateOwnedModel
from comity.lib.ids import random_code

iso3_validator = RegexValidator(r"^[A-Z]{3}$", _("Use an ISO 3166-1 alpha-3 code, e.g. FRA."))


class State(models.Model):
    """A State (or the EU as a party, or the secretariat): the unit of tenancy.

    The directory of States is public, so this model is not itself scoped.
    """

    code = models.CharField(
        _("ISO 3166-1 alpha-3 code"), max_length=3, unique=True, validators=[iso3_validator]
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=StateKind.choices, default=StateKind.STATE)
    un_status = models.CharField(
        _("UN status"), max_length=16, choices=UnStatus.choices, default=UnStatus.MEMBER
    )
    # Names in the six UN languages: {"ar": ..., "zh": ..., "en": ..., "fr": ..., "ru": ..., "es": ...}
    names = models.JSONField(_("names"), default=dict, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("State")
        verbose_name_plural = _("States")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def name_in(self, language: str) -> str:
        """The name in a UI language code (`zh-hans` reads `zh`), falling back to English."""
        return self.names.get(language.split("-")[0]) or self.name


class Authority(models.Model):
    """An authority of a State: central, competent, executing, focal point or secretariat.

    Authorities are part of the public directory; what they own (cases, tokens, audit events) is
    State-owned and scoped.
    """

    code = models.CharField(max_length=16, unique=True, default=random_code, editable=False)
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="authorities")
    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=32, choices=AuthorityKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["state__name", "name"]
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")
        constraints = [
            models.UniqueConstraint(fields=["state", "name"], name="authority_unique_name_per_state")
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's role at an authority. Access is by membership only (never by superuser flag)."""

    code = models.CharField(max_length=16, unique=True, default=random_code, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "authority", "role"],
                condition=models.Q(ended_at__isnull=True),
                name="membership_unique_active_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.authority}"

    @property
    def state_id(self) -> int:
        return self.authority.state_id


class AuditEvent(StateOwnedModel):
    """One append-only event of a State's hash chain.

    `hash` = SHA-256 over the canonical JSON of the event's content and `prev_hash`
    (see `comity.core.audit.event_digest`). References to actor and authority are stored as
    public codes (`actor_ref`, `authority_ref`) so that the chain never depends on rows that may
    change; the foreign keys are only there to query.
    """

    seq = models.PositiveBigIntegerField()
    created_at = models.DateTimeField()
    # PROTECT: an append-only row is never rewritten by a cascade; deactivate users instead.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    actor_ref = models.CharField(max_length=64, blank=True)
    authority = models.ForeignKey(Authority, null=True, on_delete=models.PROTECT, related_name="+")
    authority_ref = models.CharField(max_length=16, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta(StateOwnedModel.Meta):
        ordering = ["state", "seq"]
        constraints = [models.UniqueConstraint(fields=["state", "seq"], name="audit_event_unique_seq")]
        indexes = [
            models.Index(fields=["state", "object_type", "object_id"], name="audit_event_object"),
            models.Index(fields=["state", "authority", "created_at"], name="audit_event_authority"),
        ]

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise RuntimeError("audit events are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise RuntimeError("audit events are append-only")


class AuditChainHead(StateOwnedModel):
    """The last sequence number and hash of a State's chain; locked by every writer.

    Writers take `SELECT ... FOR UPDATE` on this row (PostgreSQL) or the database write lock
    (SQLite, `BEGIN IMMEDIATE`), so concurrent writers append one after the other.
    """

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta(StateOwnedModel.Meta):
        constraints = [models.UniqueConstraint(fields=["state"], name="audit_chain_head_unique_state")]
