"""Exchange between States: this node's identity and keys, its peers, the outbox and the inbox.

Node-level rows (the installation's identity, its signing keys, the peers it trusts) belong to no
State. Messages do: an outbox message to the State that sends it, an inbox message to the State
it is addressed to (when that State is hosted here; anything else is refused at the door and
only logged). The protocol is specified in docs/protocol.md.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from comity.core.tenancy import StateOwnedModel


class NodeIdentity(models.Model):
    """This installation as other nodes know it (one row, made by `comity node init`)."""

    node_id = models.CharField(max_length=100, unique=True)
    base_url = models.URLField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.node_id


class SigningKey(models.Model):
    """One of our Ed25519 signing keys. Old keys keep verifying what they signed while valid."""

    kid = models.CharField(max_length=100, unique=True)
    public_jwk = models.JSONField()
    private_jwk_encrypted = models.TextField()  # Fernet, key derived from SECRET_KEY (exchange.keys)
    not_before = models.DateTimeField()
    not_after = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-not_before"]

    def __str__(self) -> str:
        return self.kid


class Peer(models.Model):
    """Another node we exchange with, added by an operator after an out-of-band fingerprint check."""

    node_id = models.CharField(max_length=100, unique=True)
    base_url = models.URLField(max_length=300)
    states = models.JSONField(default=list)  # ISO alpha-3 codes of the States it hosts
    active = models.BooleanField(default=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.node_id


class PeerKey(models.Model):
    peer = models.ForeignKey(Peer, on_delete=models.CASCADE, related_name="keys")
    kid = models.CharField(max_length=100)
    public_jwk = models.JSONField()
    not_before = models.DateTimeField()
    not_after = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["peer", "kid"], name="peer_key_unique_kid")]

    def __str__(self) -> str:
        return f"{self.peer_id}/{self.kid}"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for delivery")
    DELIVERED = "delivered", _("Delivered (receipt stored)")
    REJECTED = "rejected", _("Refused by the receiving node")
    DISCARDED = "discarded", _("Discarded by an operator")


class InboxStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    PARKED = "parked", _("Parked")
    DISCARDED = "discarded", _("Discarded by an operator")


class ParkReason(models.TextChoices):
    INVALID_ENVELOPE = "invalid_envelope", _("Not a valid envelope")
    UNKNOWN_SENDER = "unknown_sender", _("Unknown sending node")
    UNKNOWN_KEY = "unknown_key", _("Unknown signing key")
    BAD_SIGNATURE = "bad_signature", _("Signature does not verify")
    KEY_NOT_VALID = "key_not_valid", _("Key not valid when the message was created")
    KEY_REVOKED = "key_revoked", _("Signing key revoked")
    WRONG_RECIPIENT = "wrong_recipient", _("Not addressed to this node")
    SENDER_MISMATCH = "sender_mismatch", _("Sending State not hosted by the sending node")
    DIGEST_MISMATCH = "digest_mismatch", _("An attachment does not match its digest")
    REPLAY = "replay", _("Replayed or conflicting message")
    SEQUENCE_GAP = "sequence_gap", _("An earlier message of this request is missing")
    UNKNOWN_REQUEST = "unknown_request", _("Unknown request")
    NOT_APPLICABLE = "not_applicable", _("Cannot be applied to the request as it stands")


class OutboxMessage(StateOwnedModel):
    """A signed message to send, written in the same transaction as the change it reports.

    `state`: the sending State. The worker delivers the lowest pending `seq` of each stream
    (request, from State, to State) first, and keeps the receiver's signed receipt.
    """

    message_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(
        "cases.Request", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    request_global_id = models.UUIDField()
    to_state = models.CharField(max_length=3)
    to_node = models.CharField(max_length=100)
    type = models.CharField(max_length=40)
    seq = models.PositiveIntegerField()
    jws = models.TextField()  # compact JWS over the canonical envelope
    digest = models.CharField(max_length=64)  # SHA-256 of `jws`
    attachments = models.JSONField(default=list, blank=True)  # [{sha256, size, filename, ...}]
    status = models.CharField(max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    receipt_jws = models.TextField(blank=True)
    receipt = models.JSONField(default=dict, blank=True)  # the verified receipt envelope
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta(StateOwnedModel.Meta):
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["state", "request_global_id", "to_state", "seq"], name="outbox_unique_stream_seq"
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["state", "request"], name="outbox_request"),
        ]

    def __str__(self) -> str:
        return f"{self.type} #{self.seq} -> {self.to_state}"


class InboxMessage(StateOwnedModel):
    """A message received for a State hosted here: applied exactly once, or parked with a reason.

    `state`: the receiving State. `message_id` is unique: a second delivery of the same message
    is answered with the stored receipt and applies nothing.
    """

    message_id = models.UUIDField(unique=True)
    request = models.ForeignKey(
        "cases.Request", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    request_global_id = models.UUIDField(null=True, blank=True)
    from_node = models.CharField(max_length=100, blank=True)
    from_state = models.CharField(max_length=3, blank=True)
    type = models.CharField(max_length=40, blank=True)
    seq = models.PositiveIntegerField(null=True, blank=True)
    jws = models.TextField()
    digest = models.CharField(max_length=64)
    envelope = models.JSONField(default=dict, blank=True)  # decoded (verified or not: see status)
    status = models.CharField(max_length=16, choices=InboxStatus.choices)
    park_reason = models.CharField(max_length=32, choices=ParkReason.choices, blank=True)
    park_detail = models.TextField(blank=True)
    receipt_jws = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta(StateOwnedModel.Meta):
        ordering = ["received_at", "pk"]
        indexes = [
            models.Index(fields=["state", "status"], name="inbox_status"),
            models.Index(fields=["state", "request_global_id", "from_state", "seq"], name="inbox_stream"),
        ]

    def __str__(self) -> str:
        return f"{self.type} #{self.seq} <- {self.from_state}"


class StreamPosition(StateOwnedModel):
    """The last sequence number applied (inbound) of one request's stream from another State."""

    request_global_id = models.UUIDField()
    from_state = models.CharField(max_length=3)
    last_seq = models.PositiveIntegerField(default=0)

    class Meta(StateOwnedModel.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["state", "request_global_id", "from_state"], name="stream_position_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.request_global_id} <- {self.from_state} #{self.last_seq}"


class ReceivedBlob(models.Model):
    """An attachment being received (resumable upload), before a message references it.

    Node-level: it is content-addressed, staged under var/exchange/ and moved into the receiving
    State's encrypted store when the message that lists it is applied.
    """

    sha256 = models.CharField(max_length=64)
    to_state = models.CharField(max_length=3)
    from_node = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    received = models.PositiveBigIntegerField(default=0)
    complete = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sha256", "to_state", "from_node"], name="received_blob_unique")
        ]

    def __str__(self) -> str:
        return f"{self.sha256[:12]} {self.received}/{self.size}"
