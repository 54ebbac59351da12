"""The exchange page for a State's operators (/exchange/): parked inbox messages, refused and
pending outbox messages, retry and discard (POST), this node's identity, keys and peers.

Only central authority officers and supervisors of a central authority see it
(comity.exchange.rules); the selectors restrict every list to the principal's State and
authority, and a message of anyone else is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from comity.cases.models import Request
from comity.core.errors import ComityError, InvalidInput, NotAllowed
from comity.exchange import keys, selectors, services
from comity.exchange.forms import DiscardForm
from comity.exchange.models import InboxMessage, InboxStatus, OutboxMessage
from comity.web.views import permission_required, principal_of

LIST_LIMIT = 200
VIEW = "exchange.view_messages"


def _key_rows(rows: Any) -> list[dict[str, Any]]:
    now = timezone.now()
    result = []
    for row in rows:
        if row.revoked_at is not None:
            state = _("Revoked")
        elif row.not_after <= now:
            state = _("Expired")
        elif row.not_before > now:
            state = _("Not yet valid")
        else:
            state = _("Valid")
        result.append({"row": row, "fingerprint": keys.fingerprint(row.public_jwk), "state": state})
    return result


def _render(
    http_request: HttpRequest, *, bound: dict[str, DiscardForm] | None = None, status: int = 200
) -> HttpResponse:
    principal = principal_of(http_request)
    bound = bound or {}
    parked = list(selectors.inbox_parked(principal)[:LIST_LIMIT])
    outbox = list(selectors.outbox_attention(principal)[:LIST_LIMIT])
    # A parked message is not linked to its request: find the requests they name (one query).
    named = {m.request_global_id for m in parked if m.request_id is None and m.request_global_id}
    by_global_id = {
        r.global_id: r
        for r in Request.objects.filter(state_id=principal.acting_authority().state_id, global_id__in=named)
    }
    for inbound in parked:
        named_id = inbound.request_global_id
        linked = inbound.request or (by_global_id.get(named_id) if named_id else None)
        inbound.shown_request = linked  # type: ignore[attr-defined]  # for the template
    messages_shown: list[InboxMessage | OutboxMessage] = [*parked, *outbox]
    for message in messages_shown:
        key = str(message.message_id)
        form = bound.get(key) or DiscardForm()
        form.auto_id = f"id_{key}_%s"
        message.discard_form = form  # type: ignore[union-attr]  # shown next to its message
    peers = [
        {"peer": peer, "keys": _key_rows(sorted(peer.keys.all(), key=lambda k: (k.not_before, k.pk)))}
        for peer in selectors.peers()
    ]
    context = {
        "parked": parked,
        "outbox": outbox,
        "node": keys.local_node_or_none(),
        "signing_keys": _key_rows(selectors.signing_keys()),
        "peers": peers,
    }
    return render(http_request, "exchange/index.html", context, status=status)


@permission_required(VIEW)
@require_GET
def index(http_request: HttpRequest) -> HttpResponse:
    return _render(http_request)


def _message(http_request: HttpRequest, box: str, message_id: str) -> InboxMessage | OutboxMessage:
    principal = principal_of(http_request)
    if box == "inbox":
        return selectors.access_inbox_message(principal, message_id)
    return selectors.access_outbox_message(principal, message_id)


@permission_required(VIEW)
@require_POST
def retry(http_request: HttpRequest, box: str, message_id: str) -> HttpResponse:
    principal = principal_of(http_request)
    message = _message(http_request, box, message_id)
    try:
        if isinstance(message, InboxMessage):
            message = services.inbox_message_retry(actor=principal, message=message)
        else:
            message = services.outbox_message_retry(actor=principal, message=message)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except ComityError as exc:
        messages.error(http_request, exc.message)
        return redirect("exchange:index")
    if isinstance(message, InboxMessage) and message.status == InboxStatus.PARKED:
        messages.warning(
            http_request,
            _("The message is still parked: %(reason)s") % {"reason": message.get_park_reason_display()},
        )
    elif isinstance(message, InboxMessage):
        messages.success(http_request, _("The message was applied."))
    else:
        messages.success(http_request, _("The message will be sent again."))
    return redirect("exchange:index")


@permission_required(VIEW)
@require_POST
def discard(http_request: HttpRequest, box: str, message_id: str) -> HttpResponse:
    principal = principal_of(http_request)
    message = _message(http_request, box, message_id)
    form = DiscardForm(http_request.POST)
    if form.is_valid():
        try:
            if isinstance(message, InboxMessage):
                services.inbox_message_discard(
                    actor=principal, message=message, reason=form.cleaned_data["reason"]
                )
            else:
                services.outbox_message_discard(
                    actor=principal, message=message, reason=form.cleaned_data["reason"]
                )
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
        except InvalidInput as exc:
            form.add_error("reason" if exc.field == "reason" else None, exc.message)
        except ComityError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(http_request, _("The message was discarded."))
            return redirect("exchange:index")
    return _render(http_request, bound={str(message.message_id): form}, status=422)
