"""The transactional outbox: what a change of a request tells the other State, and to whom.

`exchange_event` is called for every timeline event a service writes (comity.cases.services,
comity.cases.lifecycle), inside the same transaction. It maps the event to a message type, or to
nothing, and writes a signed OutboxMessage; the delivery worker (comity.exchange.delivery) sends
it. Who says what (docs/protocol.md, "Message types"):

- The requesting State (its copy is `outgoing`) sends `request.submitted` when it sends the
  request, `request.withdrawn`, `request.info_provided`; its other status changes are not sent
  (they mirror what the requested State reports).
- The requested State (`incoming` copy) sends `request.registered`, every other status change
  as `request.status_changed` (except `closed`: each State closes its own file),
  `request.info_requested` and `request.result`.
- Both send `request.consultation` and `note` (a message typed on the request).

Events recorded *from* a received message (data["direction"] == "received") are never sent
back. A request travels by the exchange when it was submitted by it: a request sent on paper
stays on paper.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from comity.cases.enums import Direction, EventKind, RequestStatus
from comity.cases.models import Request, RequestEvent
from comity.exchange import envelope, keys, wake
from comity.exchange.models import InboxMessage, OutboxMessage, Peer


def hosted_here(state_code: str) -> bool:
    hosted = settings.COMITY_HOSTED_STATES
    return state_code in hosted or not hosted


def route(state_code: str) -> str | None:
    """The node id that hosts `state_code`: ours (hub, local delivery), a peer's, or None."""
    node = keys.local_node_or_none()
    if node is None:
        return None
    if state_code in settings.COMITY_HOSTED_STATES:
        return node.node_id
    for peer_id, states in Peer.objects.filter(active=True).values_list("node_id", "states"):
        if state_code in (states or []):
            return str(peer_id)
    return node.node_id if not settings.COMITY_HOSTED_STATES else None


def attachment_meta(attachment: Any) -> dict[str, Any]:
    return {
        "sha256": attachment.sha256,
        "size": attachment.size,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "kind": attachment.kind,
        "language": attachment.language,
    }


def _authority(authority: Any) -> dict[str, Any]:
    return {"code": authority.code, "name": authority.name} if authority is not None else {}


def _message_for(event: RequestEvent, request: Request) -> tuple[str, dict[str, Any], list[Any]] | None:
    """(type, payload, attachments) for this event, or None when it is not exchanged."""
    if (event.data or {}).get("direction") == "received":
        return None
    outgoing = request.direction == Direction.OUTGOING
    kind = event.kind
    if kind == EventKind.STATUS_CHANGED:
        if outgoing:
            if event.to_status == RequestStatus.SENT:
                payload = {
                    "request_type": request.request_type,
                    "title": request.title,
                    "reference": request.our_reference or request.code,
                    "document": request.document,
                    "urgent": request.urgent,
                    "confidential": request.confidential,
                    "use_limitation": request.use_limitation,
                }
                return "request.submitted", payload, list(request.attachments.all())
            if event.to_status == RequestStatus.WITHDRAWN:
                return "request.withdrawn", {"text": event.text}, []
            return None
        if event.from_status == RequestStatus.RECEIVED and event.to_status == RequestStatus.REGISTERED:
            return "request.registered", {"reference": request.our_reference, "text": event.text}, []
        if event.to_status in (RequestStatus.CLOSED, RequestStatus.WITHDRAWN):
            return None
        payload = {
            "from": event.from_status,
            "to": event.to_status,
            "text": event.text,
            "refusal_grounds": list((event.data or {}).get("refusal_grounds") or []),
        }
        return "request.status_changed", payload, []
    if kind == EventKind.INFO_REQUESTED and not outgoing:
        return "request.info_requested", {"text": event.text, "round": (event.data or {}).get("round")}, []
    if kind == EventKind.INFO_PROVIDED and outgoing:
        return "request.info_provided", {"text": event.text, "round": (event.data or {}).get("round")}, []
    if kind == EventKind.CONSULTATION:
        return "request.consultation", {"text": event.text, "outcome": (event.data or {}).get("outcome")}, []
    if kind == EventKind.MESSAGE:
        return "note", {"text": event.text}, []
    if kind == EventKind.RESULT and not outgoing:
        codes = list((event.data or {}).get("attachments") or [])
        return "request.result", {"text": event.text}, list(request.attachments.filter(code__in=codes))
    return None


def travels_by_exchange(request: Request) -> bool:
    if request.direction == Direction.OUTGOING:
        return OutboxMessage.objects.filter(request=request, type="request.submitted").exists()
    return InboxMessage.objects.filter(request=request, type="request.submitted").exists()


def exchange_event(event: RequestEvent) -> OutboxMessage | None:
    """Write the message this timeline event means for the other State (same transaction)."""
    request = event.request
    mapped = _message_for(event, request)
    if mapped is None:
        return None
    type_, payload, attachments = mapped
    if type_ != "request.submitted" and not travels_by_exchange(request):
        return None
    other = request.requested_state if request.direction == Direction.OUTGOING else request.requesting_state
    with keys.batch():  # the node identity and signing key, read once for this message
        to_node = route(other.code)
        if to_node is None:
            return None  # no electronic channel to that State: it goes on paper, as before
        return enqueue(
            request=request,
            type=type_,
            payload=payload,
            attachments=[attachment_meta(a) for a in attachments],
            to_state=other.code,
            to_node=to_node,
            from_authority=_authority(request.authority),
        )


def enqueue(
    *,
    request: Request,
    type: str,
    payload: dict[str, Any],
    attachments: list[dict[str, Any]],
    to_state: str,
    to_node: str,
    from_authority: dict[str, Any] | None = None,
) -> OutboxMessage:
    """Sign and store one message of the request's stream (must run inside a transaction)."""
    node = keys.local_node()
    if connection.features.has_select_for_update:
        # The request row lock serialises the stream's sequence numbers (the unique constraint
        # backs it). SQLite has no row locks: its writers already run one at a time.
        Request.objects.select_for_update().filter(pk=request.pk).values_list("pk", flat=True).first()
    last = OutboxMessage.objects.filter(
        state_id=request.state_id, request_global_id=request.global_id, to_state=to_state
    ).aggregate(m=Max("seq"))["m"]
    seq = (last or 0) + 1
    env = envelope.build(
        type=type,
        from_node=node.node_id,
        to_node=to_node,
        from_state=request.state.code,
        to_state=to_state,
        from_authority=from_authority,
        request_id=request.global_id,
        seq=seq,
        payload=payload,
        attachments=attachments,
    )
    token = envelope.sign(env)
    message = OutboxMessage.objects.create(
        state_id=request.state_id,
        message_id=env["id"],
        request=request,
        request_global_id=request.global_id,
        to_state=to_state,
        to_node=to_node,
        type=type,
        seq=seq,
        jws=token,
        digest=envelope.digest(token),
        attachments=attachments,
        next_attempt_at=timezone.now(),
    )
    if to_node == node.node_id and settings.COMITY_TASKS_BACKEND == "immediate":
        # Hub mode without a worker (demo, tests): deliver locally once this change is committed.
        from comity.exchange import delivery

        transaction.on_commit(lambda: delivery.deliver_pending_local())
    else:
        wake.notify_in_transaction()  # the worker sends it as soon as this change is committed
    return message


def backoff(attempts: int) -> dt.timedelta:
    """Exponential back-off: 1 s, 2 s, 4 s ... capped at 5 minutes."""
    return dt.timedelta(seconds=min(2 ** max(attempts - 1, 0), 300))
