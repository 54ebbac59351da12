"""The idempotent inbox: verify, store once, apply exactly once or park with a reason, sign a receipt.

`receive(token)` is the one entry point, for HTTP deliveries (comity.exchange.views) and local
ones (hub mode, comity.exchange.delivery). In one transaction, inside the receiving State's
scope, it:

1. finds the receiving State in the envelope (a State this node does not host: refused, not stored);
2. answers a second delivery of the same message (same id, same bytes) with the stored receipt,
   applying nothing; the same id with other bytes is parked as a `replay`;
3. verifies the envelope (comity.exchange.envelope.verify) and that the sending node hosts the
   sending State;
4. checks the stream: `seq` must be the next of (request, sending State); an earlier seq with a
   new id is a `replay`, a later one is parked as `sequence_gap` and applied by itself once the
   missing message has been applied;
5. checks that every attachment has arrived complete (else 409: the sender uploads and retries);
6. applies it (comity.exchange.apply) inside a savepoint: a refusal parks it as `not_applicable`
   or `unknown_request`, with nothing of it written;
7. stores the message with its outcome and our signed receipt, and audits it.

Parked messages stay visible to the State's operators, who retry or discard them (audited).
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from comity.cases.storage import open_blob
from comity.core.audit import audit_record
from comity.core.enums import AuditAction
from comity.core.errors import InvalidInput, NotAllowed, NotFound
from comity.core.models import State
from comity.core.tenancy import state_scope
from comity.exchange import apply as applier
from comity.exchange import blobs, envelope, keys
from comity.exchange.models import InboxMessage, InboxStatus, ParkReason, StreamPosition
from comity.exchange.outbox import hosted_here

logger = logging.getLogger(__name__)

# Parked for these reasons, a message is applied by itself when what it waits for arrives.
SELF_HEALING = frozenset({ParkReason.SEQUENCE_GAP, ParkReason.UNKNOWN_REQUEST})


@dataclass(frozen=True)
class Outcome:
    status: str  # applied | duplicate | parked | refused | retry
    http_status: int
    reason: str = ""
    detail: str = ""
    receipt: str = ""  # our signed receipt (compact JWS); empty when refused at the door

    @property
    def delivered(self) -> bool:
        """The sender may stop sending: we hold the message (applied, duplicate, or parked)."""
        return self.status in ("applied", "duplicate", "parked")


def _sign_receipt(
    state_code: str, env: dict[str, Any], *, digest: str, status: str, reason: str, detail: str
) -> str:
    node = keys.local_node()
    receipt = envelope.build(
        type="receipt",
        from_node=node.node_id,
        to_node=str(env.get("from_node") or ""),
        from_state=state_code,
        to_state=str(env.get("from_state") or "") if isinstance(env.get("from_state"), str) else "",
        request_id=env.get("request_id") if isinstance(env.get("request_id"), str) else None,
        seq=None,
        payload={
            "message_id": str(env.get("id")),
            "message_digest": digest,
            "status": status,
            "reason": reason,
            "detail": detail[:500],
            "received": envelope.now_iso(),
        },
    )
    return envelope.sign(receipt)


def _message_uuid(env: dict[str, Any], digest: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(env.get("id")))
    except ValueError:
        return uuid.uuid5(uuid.NAMESPACE_URL, f"comity:invalid:{digest}")


def _blob_opener(env: dict[str, Any], local: bool) -> applier.BlobOpener:
    def opener(sha256: str) -> Iterator[bytes]:
        if local:
            stream = open_blob(state_code=env["from_state"], sha256=sha256)
            try:
                yield from stream
            finally:
                stream.close()
        else:
            yield from blobs.read_staged(to_state=env["to_state"], from_node=env["from_node"], sha256=sha256)

    return opener


def receive(token: str, *, local: bool = False) -> Outcome:
    """Receive one message (see the module docstring). Never raises for bad input."""
    with keys.batch():
        return _receive_in_batch(token, local=local)


def _receive_in_batch(token: str, *, local: bool) -> Outcome:
    digest = envelope.digest(token if isinstance(token, str) else "")
    try:
        _header, env = envelope.peek(token)
    except envelope.EnvelopeError as exc:
        logger.warning("exchange: refused a message that is not an envelope: %s", exc.detail)
        return Outcome("refused", 400, exc.reason, exc.detail)
    to_state = env.get("to_state")
    state = State.objects.filter(code=to_state).first() if isinstance(to_state, str) else None
    if state is None or not hosted_here(state.code):
        logger.warning("exchange: refused a message for %r, a State this node does not host", to_state)
        return Outcome("refused", 404, ParkReason.WRONG_RECIPIENT, f"This node does not host {to_state!r}.")
    with state_scope(state.pk):
        # Signature and sender are checked before the transaction (they only read keys and
        # peers), so that other deliveries are not held up meanwhile; what the check found is
        # used in the transaction, after the replay check, as the protocol orders it.
        checked = _verify(token)
        with contextlib.suppress(NotFound):
            keys.current_signer()  # read once here, outside the transaction, for our receipt
        if isinstance(checked, envelope.Verified):
            applier.exchange_user(state)  # likewise: the author of what the message records
        for _attempt in range(3):
            try:
                return _receive(token, env, state, digest, checked, local=local)
            except IntegrityError:
                # A concurrent delivery of the same message stored it first: answer as a duplicate.
                continue
        return Outcome("retry", 503, "busy", "Try again.")


def _verify(token: str) -> envelope.Verified | envelope.EnvelopeError:
    try:
        verified = envelope.verify(token, our_node_id=keys.local_node().node_id)
        _check_sender(verified.envelope)
    except envelope.EnvelopeError as exc:
        return exc
    return verified


@transaction.atomic
def _receive(
    token: str,
    env: dict[str, Any],
    state: State,
    digest: str,
    checked: envelope.Verified | envelope.EnvelopeError,
    *,
    local: bool,
) -> Outcome:
    message_id = _message_uuid(env, digest)
    existing = _locked(InboxMessage.objects.filter(message_id=message_id))
    if existing is not None:
        if existing.digest == digest:
            status = "duplicate" if existing.status == InboxStatus.APPLIED else "parked"
            return Outcome(status, 200, existing.park_reason, existing.park_detail, existing.receipt_jws)
        return _park(
            state,
            token,
            env,
            digest,
            ParkReason.REPLAY,
            f"Message id {message_id} was already received with other content.",
            message_id=uuid.uuid5(uuid.NAMESPACE_URL, f"comity:replay:{digest}"),
        )
    if isinstance(checked, envelope.EnvelopeError):
        return _park(state, token, env, digest, checked.reason, checked.detail, message_id=message_id)
    env = checked.envelope
    if env["type"] == "receipt":
        return _park(
            state,
            token,
            env,
            digest,
            ParkReason.INVALID_ENVELOPE,
            "Receipts come back in responses.",
            message_id,
        )
    missing = [a["filename"] for a in env["attachments"] if not local and not _blob_ready(env, a)]
    if missing:
        return Outcome(
            "retry", 409, "attachments_missing", f"Upload these attachments first: {', '.join(missing)}."
        )
    return _sequence_and_apply(state, token, env, digest, message_id, local=local)


def _blob_ready(env: dict[str, Any], item: dict[str, Any]) -> bool:
    return blobs.is_complete(to_state=env["to_state"], from_node=env["from_node"], sha256=item["sha256"])


def _check_sender(env: dict[str, Any]) -> None:
    node = keys.local_node()
    if env["from_node"] == node.node_id:
        if not hosted_here(env["from_state"]):
            raise envelope.EnvelopeError(
                ParkReason.SENDER_MISMATCH, f"This node does not host {env['from_state']}."
            )
        return
    if env["from_state"] not in keys.peer_states(env["from_node"]):
        raise envelope.EnvelopeError(
            ParkReason.SENDER_MISMATCH,
            f"Node {env['from_node']!r} is not trusted to speak for {env['from_state']}.",
        )


def _sequence_and_apply(
    state: State, token: str, env: dict[str, Any], digest: str, message_id: uuid.UUID, *, local: bool
) -> Outcome:
    position, _ = StreamPosition.objects.select_for_update().get_or_create(
        state=state, request_global_id=uuid.UUID(env["request_id"]), from_state=env["from_state"]
    )
    seq = env["seq"]
    if seq <= position.last_seq:
        return _park(
            state,
            token,
            env,
            digest,
            ParkReason.REPLAY,
            f"Message #{seq} of this request was already applied (with another id).",
            message_id,
        )
    if seq > position.last_seq + 1:
        return _park(
            state,
            token,
            env,
            digest,
            ParkReason.SEQUENCE_GAP,
            f"Waiting for message #{position.last_seq + 1} of this request (this is #{seq}).",
            message_id,
        )
    try:
        with transaction.atomic():
            request = applier.apply(state=state, envelope=env, open_blob=_blob_opener(env, local))
    except applier.UnknownRequest as exc:
        return _park(state, token, env, digest, ParkReason.UNKNOWN_REQUEST, exc.detail, message_id)
    except applier.AttachmentMismatch as exc:
        return _park(state, token, env, digest, ParkReason.DIGEST_MISMATCH, exc.detail, message_id)
    except (applier.NotApplicable, InvalidInput, NotAllowed) as exc:
        return _park(state, token, env, digest, ParkReason.NOT_APPLICABLE, exc.message, message_id)
    position.last_seq = seq
    position.save(update_fields=["last_seq"])
    receipt = _sign_receipt(state.code, env, digest=digest, status="applied", reason="", detail="")
    InboxMessage.objects.create(
        state=state,
        message_id=message_id,
        request=request,
        request_global_id=uuid.UUID(env["request_id"]),
        from_node=env["from_node"],
        from_state=env["from_state"],
        type=env["type"],
        seq=seq,
        jws=token,
        digest=digest,
        envelope=env,
        status=InboxStatus.APPLIED,
        receipt_jws=receipt,
        applied_at=timezone.now(),
    )
    audit_record(
        state=state,
        action=AuditAction.EXCHANGE_RECEIVED,
        actor=None,
        authority=None,
        object_type="request",
        object_id=request.code,
        data={
            "type": env["type"],
            "message_id": str(message_id),
            "from_state": env["from_state"],
            "seq": seq,
        },
    )
    if not local:
        transaction.on_commit(lambda: blobs.discard_staged(env))
    _resume_waiting(state, env, position)
    return Outcome("applied", 200, receipt=receipt)


def _resume_waiting(state: State, env: dict[str, Any], position: StreamPosition) -> None:
    """Apply the parked messages of this stream that were only waiting for this one."""
    following = _locked(
        InboxMessage.objects.filter(
            state=state,
            status=InboxStatus.PARKED,
            park_reason__in=SELF_HEALING,
            request_global_id=position.request_global_id,
            from_state=position.from_state,
            seq=position.last_seq + 1,
        )
    )
    if following is not None:
        message_retry(message=following, actor=None)


def _locked(messages: QuerySet[InboxMessage]) -> InboxMessage | None:
    """The one message matching, locked; asked by key first, which is cheaper when (as nearly
    always) there is none."""
    found = list(messages.order_by().values_list("pk", flat=True)[:1])
    return InboxMessage.objects.select_for_update().get(pk=found[0]) if found else None


def _park(
    state: State,
    token: str,
    env: dict[str, Any],
    digest: str,
    reason: str,
    detail: str,
    message_id: uuid.UUID,
) -> Outcome:
    receipt = _sign_receipt(state.code, env, digest=digest, status="parked", reason=reason, detail=detail)
    request_global_id = None
    with contextlib.suppress(ValueError):
        request_global_id = uuid.UUID(str(env.get("request_id")))
    seq = env.get("seq") if isinstance(env.get("seq"), int) and not isinstance(env.get("seq"), bool) else None
    InboxMessage.objects.create(
        state=state,
        message_id=message_id,
        request_global_id=request_global_id,
        from_node=str(env.get("from_node") or "")[:100],
        from_state=str(env.get("from_state") or "")[:3],
        type=str(env.get("type") or "")[:40],
        seq=seq if seq is None or seq >= 0 else None,
        jws=token,
        digest=digest,
        envelope=env,
        status=InboxStatus.PARKED,
        park_reason=reason,
        park_detail=detail[:2000],
        receipt_jws=receipt,
    )
    audit_record(
        state=state,
        action=AuditAction.EXCHANGE_PARKED,
        actor=None,
        authority=None,
        object_type="exchange_message",
        object_id=str(message_id),
        data={
            "reason": reason,
            "type": str(env.get("type") or ""),
            "from_node": str(env.get("from_node") or ""),
        },
    )
    logger.warning("exchange: parked message %s (%s): %s", message_id, reason, detail)
    return Outcome("parked", 200, reason, detail, receipt)


def message_retry(*, message: InboxMessage, actor: Any) -> InboxMessage:
    """Verify and apply a parked message again (after adding a peer key, or once the missing
    message arrived). Stays parked, with the new reason, if it still cannot be applied."""
    if message.status != InboxStatus.PARKED:
        raise InvalidInput("status", "Only parked messages can be retried.")
    state = message.state
    env = message.envelope
    with transaction.atomic():
        message = InboxMessage.objects.select_for_update().get(pk=message.pk)
        try:
            verified = envelope.verify(message.jws, our_node_id=keys.local_node().node_id)
            _check_sender(verified.envelope)
            env = verified.envelope
            if env["type"] == "receipt":
                raise envelope.EnvelopeError(ParkReason.INVALID_ENVELOPE, "Receipts come back in responses.")
            local = env["from_node"] == keys.local_node().node_id
            if not local and any(not _blob_ready(env, a) for a in env["attachments"]):
                raise envelope.EnvelopeError(ParkReason.NOT_APPLICABLE, "Attachments have not all arrived.")
            position, _ = StreamPosition.objects.select_for_update().get_or_create(
                state=state, request_global_id=uuid.UUID(env["request_id"]), from_state=env["from_state"]
            )
            if env["seq"] != position.last_seq + 1:
                reason = ParkReason.REPLAY if env["seq"] <= position.last_seq else ParkReason.SEQUENCE_GAP
                raise envelope.EnvelopeError(
                    reason, f"Stream is at #{position.last_seq}; this is #{env['seq']}."
                )
            if message.park_reason == ParkReason.REPLAY:
                raise envelope.EnvelopeError(ParkReason.REPLAY, message.park_detail)
            with transaction.atomic():
                request = applier.apply(state=state, envelope=env, open_blob=_blob_opener(env, local))
        except envelope.EnvelopeError as exc:
            _still_parked(message, exc.reason, exc.detail, actor)
            return message
        except applier.UnknownRequest as exc:
            _still_parked(message, ParkReason.UNKNOWN_REQUEST, exc.detail, actor)
            return message
        except applier.AttachmentMismatch as exc:
            _still_parked(message, ParkReason.DIGEST_MISMATCH, exc.detail, actor)
            return message
        except (applier.NotApplicable, InvalidInput, NotAllowed) as exc:
            _still_parked(message, ParkReason.NOT_APPLICABLE, exc.message, actor)
            return message
        position.last_seq = env["seq"]
        position.save(update_fields=["last_seq"])
        message.status = InboxStatus.APPLIED
        message.request = request
        message.applied_at = timezone.now()
        message.receipt_jws = _sign_receipt(
            state.code, env, digest=message.digest, status="applied", reason="", detail=""
        )
        message.save(update_fields=["status", "request", "applied_at", "receipt_jws"])
        audit_record(
            state=state,
            action=AuditAction.EXCHANGE_RETRIED if actor is not None else AuditAction.EXCHANGE_RECEIVED,
            actor=getattr(actor, "user", None),
            authority=getattr(actor, "authority", None),
            object_type="request",
            object_id=request.code,
            data={"type": env["type"], "message_id": str(message.message_id), "seq": env["seq"]},
        )
        if not local:
            transaction.on_commit(lambda: blobs.discard_staged(env))
        _resume_waiting(state, env, position)
    return message


def _still_parked(message: InboxMessage, reason: str, detail: str, actor: Any) -> None:
    message.park_reason = reason
    message.park_detail = detail[:2000]
    message.save(update_fields=["park_reason", "park_detail"])
    if actor is not None:
        audit_record(
            state=message.state,
            action=AuditAction.EXCHANGE_RETRIED,
            actor=actor.user,
            authority=actor.authority,
            object_type="exchange_message",
            object_id=str(message.message_id),
            data={"result": "parked", "reason": reason},
        )


@transaction.atomic
def message_discard(*, message: InboxMessage, actor: Any, reason: str) -> InboxMessage:
    """An operator gives up on a parked message (with a reason, audited). It is never applied."""
    if message.status != InboxStatus.PARKED:
        raise InvalidInput("status", "Only parked messages can be discarded.")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("reason", "Say why the message is discarded.")
    message = InboxMessage.objects.select_for_update().get(pk=message.pk)
    message.status = InboxStatus.DISCARDED
    message.park_detail = f"{message.park_detail}\nDiscarded: {reason[:1000]}"
    message.save(update_fields=["status", "park_detail"])
    audit_record(
        state=message.state,
        action=AuditAction.EXCHANGE_DISCARDED,
        actor=actor.user,
        authority=actor.authority,
        object_type="exchange_message",
        object_id=str(message.message_id),
        data={"reason": message.park_reason, "type": message.type},
    )
    return message
