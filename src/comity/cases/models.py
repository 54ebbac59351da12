"""Cases, requests (outgoing and incoming), their timeline, deadlines and attachments.

Everything here is State-owned (the State whose node holds it) and scoped; within a State, what
a user may see depends on authority and assignment (comity.cases.rules, selectors).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from comity.cases.enums import AttachmentKind, DeadlineKind, Direction, EventKind, RequestStatus
from comity.core.models import Authority, State
from comity.core.tenancy import StateOwnedModel
from comity.lib.ids import random_code
from comity.vocabulary import RequestType


class Case(StateOwnedModel):
    """A matter handled by an authority, grouping its requests, with its own reference."""

    code = models.CharField(max_length=16, unique=True, default=random_code, editable=False)
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(_("reference"), max_length=100)
    title = models.CharField(_("title"), max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(StateOwnedModel.Meta):
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["state", "reference"], name="case_unique_reference")]

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"


class Request(StateOwnedModel):
    """One request as this State's node holds it: outgoing (we ask) or incoming (we are asked).

    `global_id` is shared by both States' copies of the same request (the exchange carries it).
    `document` is a RequestDocument (comity.drafting.schema). Status moves only through
    `comity.cases.lifecycle.request_transition`.
    """

    code = models.CharField(max_length=16, unique=True, default=random_code, editable=False)
    global_id = models.UUIDField(default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="requests")
    direction = models.CharField(max_length=8, choices=Direction.choices)
    request_type = models.CharField(_("type"), max_length=40, choices=RequestType.choices)
    status = models.CharField(
        _("status"), max_length=32, choices=RequestStatus.choices, default=RequestStatus.DRAFT
    )
    requesting_state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="+")
    requested_state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="+")
    # The authority of this State that handles it (drafting authority, or the central authority).
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    assigned_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    executing_authority = models.ForeignKey(
        Authority, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    executing_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=300)
    our_reference = models.CharField(_("our reference"), max_length=100, blank=True)
    their_reference = models.CharField(_("their reference"), max_length=100, blank=True)
    document = models.JSONField(default=dict)
    urgent = models.BooleanField(_("urgent"), default=False)
    confidential = models.BooleanField(_("confidential (18(20))"), default=False)
    use_limitation = models.TextField(_("use limitation (18(19))"), blank=True)
    refusal_grounds = models.JSONField(default=list, blank=True)
    refusal_reasons = models.TextField(blank=True)
    due_on = models.DateField(_("next due date"), null=True, blank=True)  # earliest open deadline
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta(StateOwnedModel.Meta):
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["state", "global_id"], name="request_unique_global_id_per_state")
        ]
        indexes = [
            models.Index(fields=["state", "authority", "status", "-updated_at"], name="request_queue"),
            models.Index(fields=["state", "executing_authority", "status"], name="request_executing_queue"),
            models.Index(fields=["state", "assigned_officer", "status"], name="request_officer_queue"),
            models.Index(fields=["state", "due_on"], name="request_due"),
        ]

    def __str__(self) -> str:
        return self.title


class RequestEvent(StateOwnedModel):
    """One line of a request's timeline (every status change, note, assignment, message...)."""

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    authority = models.ForeignKey(
        Authority, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField(max_length=32, blank=True)
    to_status = models.CharField(max_length=32, blank=True)
    text = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(StateOwnedModel.Meta):
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["state", "request", "created_at"], name="request_event_timeline")]

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind}"


class Deadline(StateOwnedModel):
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(max_length=16, choices=DeadlineKind.choices)
    due_on = models.DateField()
    reason = models.CharField(max_length=500, blank=True)
    met_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(StateOwnedModel.Meta):
        ordering = ["due_on"]
        indexes = [models.Index(fields=["state", "due_on", "met_at"], name="deadline_due")]

    def __str__(self) -> str:
        return f"{self.kind} {self.due_on}"


class ReminderSent(StateOwnedModel):
    """A reminder already sent (deadline, offset in days): the worker never sends one twice."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="reminders")
    offset_days = models.IntegerField()  # negative: before the due date
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta(StateOwnedModel.Meta):
        constraints = [models.UniqueConstraint(fields=["deadline", "offset_days"], name="reminder_once")]


class Attachment(StateOwnedModel):
    """A file of a request, stored encrypted and content-addressed (comity.cases.storage)."""

    code = models.CharField(max_length=16, unique=True, default=random_code, editable=False)
    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField(max_length=16, choices=AttachmentKind.choices)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    language = models.CharField(max_length=2, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(StateOwnedModel.Meta):
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.filename
