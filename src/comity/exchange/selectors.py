"""Reads of the exchange for the operators of a State, already restricted to what they may see.

The principal's State scope (TenancyMiddleware, or the command's own scope) filters by State;
these selectors also filter by authority (comity.exchange.rules): a message about a request is
for the authority that holds it, a message about no request here yet for the State's receiving
central authority.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from comity.accounts.principal import Principal
from comity.cases.models import Request
from comity.core.rules import can
from comity.exchange import rules as exchange_rules
from comity.exchange.models import (
    InboxMessage,
    InboxStatus,
    OutboxMessage,
    OutboxStatus,
    Peer,
    SigningKey,
)

MESSAGE_TYPE_LABELS = {
    "request.submitted": _("Request submitted"),
    "request.registered": _("Request registered"),
    "request.status_changed": _("Status changed"),
    "request.info_requested": _("Additional information requested"),
    "request.info_provided": _("Additional information provided"),
    "request.consultation": _("Consultation"),
    "request.result": _("Results of execution"),
    "request.withdrawn": _("Request withdrawn"),
    "note": _("Message"),
    "receipt": _("Receipt"),
}

# Outbox messages the operators look at: refused ones, and those still waiting.
OUTBOX_ATTENTION = (OutboxStatus.REJECTED, OutboxStatus.PENDING)


def _authority_filter(principal: Principal) -> Q:
    """Messages of the principal's State about requests its authority holds (linked, or named by
    global id), and, for the receiving central authority, those about no request held here."""
    authority = principal.acting_authority()
    in_state = Request.objects.filter(state_id=authority.state_id)
    held = in_state.filter(authority_id=authority.pk).values("global_id")
    mine = Q(request__authority_id=authority.pk) | Q(request__isnull=True, request_global_id__in=held)
    if exchange_rules.receiving_authority_id(authority.state_id) == authority.pk:
        unknown = Q(request_global_id__isnull=True) | ~Q(request_global_id__in=in_state.values("global_id"))
        mine |= Q(request__isnull=True) & unknown
    return Q(state_id=authority.state_id) & mine


def inbox_parked(principal: Principal) -> QuerySet[InboxMessage]:
    if not can(principal, "exchange.view_messages"):
        return InboxMessage.objects.none()
    return (
        InboxMessage.objects.filter(_authority_filter(principal), status=InboxStatus.PARKED)
        .select_related("request")
        .order_by("-received_at", "-pk")
    )


def outbox_attention(principal: Principal) -> QuerySet[OutboxMessage]:
    """Refused and pending outbox messages (oldest first: the head of each stream comes first)."""
    if not can(principal, "exchange.view_messages"):
        return OutboxMessage.objects.none()
    return (
        OutboxMessage.objects.filter(_authority_filter(principal), status__in=OUTBOX_ATTENTION)
        .select_related("request")
        .order_by("status", "created_at", "pk")
    )


def access_inbox_message(principal: Principal, message_id: Any) -> InboxMessage:
    """A parked or discarded inbox message the principal may act on; the same 404 otherwise."""
    message = (
        InboxMessage.objects.select_related("request", "state").filter(message_id=message_id).first()
        if _is_uuid(message_id)
        else None
    )
    if message is None or not can(principal, "exchange.act_on_message", message):
        raise Http404("No such message.")
    return message


def access_outbox_message(principal: Principal, message_id: Any) -> OutboxMessage:
    message = (
        OutboxMessage.objects.select_related("request", "state").filter(message_id=message_id).first()
        if _is_uuid(message_id)
        else None
    )
    if message is None or not can(principal, "exchange.act_on_message", message):
        raise Http404("No such message.")
    return message


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class ExchangeLine:
    """One message of a request's exchange, as the request's timeline shows it."""

    direction: str  # "sent" | "received"
    type: str
    type_label: str
    seq: int | None
    status: str
    status_label: str
    at: dt.datetime
    receipt_at: dt.datetime | None
    detail: str
    message_id: str


def request_exchange(request: Request) -> list[ExchangeLine]:
    """The messages sent and received about a request the caller already may see (its State's
    copy only: `request` comes from `access_request`)."""
    lines: list[ExchangeLine] = []
    outbox_labels = dict(OutboxStatus.choices)
    inbox_labels = dict(InboxStatus.choices)
    for out in OutboxMessage.objects.filter(state_id=request.state_id, request=request).order_by(
        "created_at", "pk"
    ):
        lines.append(
            ExchangeLine(
                direction="sent",
                type=out.type,
                type_label=str(MESSAGE_TYPE_LABELS.get(out.type, out.type)),
                seq=out.seq,
                status=out.status,
                status_label=str(outbox_labels.get(out.status, out.status)),
                at=out.created_at,
                receipt_at=out.delivered_at if out.receipt_jws else None,
                detail=out.last_error if out.status != OutboxStatus.DELIVERED else "",
                message_id=str(out.message_id),
            )
        )
    for inc in InboxMessage.objects.filter(
        Q(request=request) | Q(request__isnull=True, request_global_id=request.global_id),
        state_id=request.state_id,
    ).order_by("received_at", "pk"):
        lines.append(
            ExchangeLine(
                direction="received",
                type=inc.type,
                type_label=str(MESSAGE_TYPE_LABELS.get(inc.type, inc.type)),
                seq=inc.seq,
                status=inc.status,
                status_label=str(inbox_labels.get(inc.status, inc.status)),
                at=inc.received_at,
                receipt_at=(inc.applied_at or inc.received_at) if inc.receipt_jws else None,
                detail=inc.get_park_reason_display() if inc.park_reason else "",
                message_id=str(inc.message_id),
            )
        )
    lines.sort(key=lambda line: line.at)
    return lines


def signing_keys() -> QuerySet[SigningKey]:
    return SigningKey.objects.order_by("-not_before", "-pk")


def peers() -> QuerySet[Peer]:
    return Peer.objects.prefetch_related("keys").order_by("node_id")
