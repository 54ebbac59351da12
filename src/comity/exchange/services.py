"""Operator actions on exchange messages: retry or discard a parked inbox message, retry or
discard a refused outbox message. Each asks the rule again and is audited (the inbox ones by
comity.exchange.inbox, which does the work)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from comity.accounts.principal import Principal
from comity.core.audit import audit_record
from comity.core.enums import AuditAction
from comity.core.errors import InvalidInput, NotAllowed, NotFound
from comity.core.rules import can
from comity.exchange import inbox, keys, wake
from comity.exchange import rules as _rules  # noqa: F401 - registers the exchange.* rules
from comity.exchange.models import InboxMessage, OutboxMessage, OutboxStatus, Peer

REASON_MAX = 1000


def _require(actor: Principal, message: InboxMessage | OutboxMessage) -> None:
    if not can(actor, "exchange.act_on_message", message):
        raise NotAllowed("You cannot act on this message.")


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("reason", "Say why the message is discarded.")
    if len(reason) > REASON_MAX:
        raise InvalidInput("reason", f"Keep the reason under {REASON_MAX} characters.")
    return reason


def inbox_message_retry(*, actor: Principal, message: InboxMessage) -> InboxMessage:
    """Verify and apply a parked message again; it stays parked (with the new reason) if it
    still cannot be applied. Audited either way."""
    _require(actor, message)
    return inbox.message_retry(message=message, actor=actor)


def inbox_message_discard(*, actor: Principal, message: InboxMessage, reason: str) -> InboxMessage:
    _require(actor, message)
    return inbox.message_discard(message=message, actor=actor, reason=_reason(reason))


def _deliver_locally_after_commit(message: OutboxMessage) -> None:
    """The stream of `message` may move on: deliver it locally (hub mode without a worker) or
    wake the worker once this is committed."""
    node = keys.local_node_or_none()
    if node is not None and message.to_node == node.node_id and settings.COMITY_TASKS_BACKEND == "immediate":
        from comity.exchange import delivery

        transaction.on_commit(delivery.deliver_pending_local)
    else:
        wake.notify_in_transaction()


@transaction.atomic
def outbox_message_retry(*, actor: Principal, message: OutboxMessage) -> OutboxMessage:
    """Send a refused message again (after the cause was fixed, e.g. the peer added our key)."""
    _require(actor, message)
    message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if message.status != OutboxStatus.REJECTED:
        raise InvalidInput("status", "Only refused messages can be sent again.")
    previous_error = message.last_error
    message.status = OutboxStatus.PENDING
    message.next_attempt_at = timezone.now()
    message.save(update_fields=["status", "next_attempt_at"])
    audit_record(
        state=message.state,
        action=AuditAction.EXCHANGE_RETRIED,
        actor=actor.user,
        authority=actor.authority,
        object_type="exchange_message",
        object_id=str(message.message_id),
        data={"direction": "outbox", "type": message.type, "seq": message.seq, "error": previous_error[:300]},
    )
    _deliver_locally_after_commit(message)
    return message


@transaction.atomic
def outbox_message_discard(*, actor: Principal, message: OutboxMessage, reason: str) -> OutboxMessage:
    """Give up sending a refused or pending message (with a reason). The later messages of its
    stream are then sent; the receiver will wait for the missing number until its operators act."""
    _require(actor, message)
    reason = _reason(reason)
    message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if message.status not in (OutboxStatus.REJECTED, OutboxStatus.PENDING):
        raise InvalidInput("status", "Only refused or pending messages can be discarded.")
    previous = message.status
    message.status = OutboxStatus.DISCARDED
    message.last_error = f"{message.last_error}\nDiscarded: {reason}".strip()[:2000]
    message.save(update_fields=["status", "last_error"])
    audit_record(
        state=message.state,
        action=AuditAction.EXCHANGE_DISCARDED,
        actor=actor.user,
        authority=actor.authority,
        object_type="exchange_message",
        object_id=str(message.message_id),
        data={
            "direction": "outbox",
            "type": message.type,
            "seq": message.seq,
            "was": previous,
            "reason": reason,
        },
    )
    _deliver_locally_after_commit(message)
    return message


@transaction.atomic
def peer_deactivate(*, node_id: str) -> Peer:
    """Stop trusting a peer (operator command): its keys no longer verify, nothing is routed to
    it. Its rows stay, so what it sent before remains explained; `peers add` trusts it again."""
    peer = Peer.objects.select_for_update().filter(node_id=(node_id or "").strip()).first()
    if peer is None:
        raise NotFound(f"No peer {node_id!r}.")
    if peer.active:
        peer.active = False
        peer.save(update_fields=["active"])
    return peer
