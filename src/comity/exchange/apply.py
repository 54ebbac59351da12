"""Apply a verified message to the receiving State's copy of the request.

Each message type maps to the case-management service a person would have used (the one place
for each rule): `request.submitted` registers an incoming request with
`request_register_incoming`, a status change goes through `request_transition`, and so on. The
actor is the receiving State's *exchange account* (a system user that cannot log in) acting for
the authority that holds the request, with the central authority officer role: the timeline and
the audit log show the exchange as the author. Anything a service refuses raises, and the inbox
parks the message with that reason (nothing of it is written).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from comity.accounts.principal import Principal
from comity.cases import services
from comity.cases.attachments import StoredUpload, attachment_add
from comity.cases.enums import AttachmentKind, Direction, EventKind
from comity.cases.lifecycle import request_transition
from comity.cases.models import Request
from comity.cases.storage import store_blob
from comity.core.enums import AuthorityKind, Role
from comity.core.errors import ComityError
from comity.core.models import Authority, State
from comity.exchange import keys

# sha256 -> the attachment's bytes, in chunks (staged upload, or another tenant's store in a hub).
BlobOpener = Callable[[str], Iterator[bytes]]


class NotApplicable(ComityError):
    code = "not_applicable"
    status = 409

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class UnknownRequest(NotApplicable):
    code = "unknown_request"


class AttachmentMismatch(NotApplicable):
    code = "digest_mismatch"


def exchange_user(state: State) -> Any:
    """The State's exchange account: the author of what the exchange records. Cannot log in.
    Read once per received message (comity.exchange.keys.batch)."""
    return keys.remembered(("exchange_user", state.pk), lambda: _exchange_user(state))


def _exchange_user(state: State) -> Any:
    User = get_user_model()
    username = f"exchange.{state.code.lower()}"
    user, created = User.objects.get_or_create(
        username=username, defaults={"is_active": False, "first_name": "Exchange", "last_name": state.code}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def exchange_principal(state: State, authority: Authority) -> Principal:
    return Principal(
        user=exchange_user(state),
        authority=authority,
        roles=frozenset({str(Role.CENTRAL_AUTHORITY_OFFICER)}),
    )


def central_authority(state: State) -> Authority:
    authority = (
        Authority.objects.filter(state=state, kind=AuthorityKind.CENTRAL_AUTHORITY)
        .order_by("created_at", "pk")
        .first()
    )
    if authority is None:
        raise NotApplicable(
            f"{state.code} has no central authority in this node's directory to receive requests."
        )
    return authority


def _request(state: State, envelope: dict[str, Any]) -> Request:
    """The request the message is about; only the other State of the request may write on it
    (not a third State that learnt its id), and only with the types its side sends."""
    request = (
        Request.objects.select_related("authority", "state", "requesting_state", "requested_state")
        .filter(state=state, global_id=uuid.UUID(envelope["request_id"]))
        .first()
    )
    if request is None:
        raise UnknownRequest(f"No request {envelope['request_id']} here.")
    other = request.requested_state if request.direction == Direction.OUTGOING else request.requesting_state
    type_ = envelope["type"]
    if type_ in BOTH_SIDES:
        expected = request.direction
    else:
        expected = Direction.OUTGOING if type_ in REQUESTED_SIDE else Direction.INCOMING
    if request.direction != expected or other.code != envelope["from_state"]:
        raise NotApplicable(f"{envelope['from_state']} cannot send {type_} about this request.")
    return request


def _text(payload: dict[str, Any], required: bool = True) -> str:
    text = payload.get("text")
    if text is None and not required:
        return ""
    if not isinstance(text, str) or (required and not text.strip()):
        raise NotApplicable("The message has no text.")
    return text


def _attach(
    request: Request, actor: Principal, envelope: dict[str, Any], open_blob: BlobOpener, default_kind: str
) -> list[str]:
    codes = []
    for item in envelope["attachments"]:
        blob = store_blob(state_code=request.state.code, chunks=open_blob(item["sha256"]))
        if blob.sha256 != item["sha256"] or blob.size != item["size"]:
            raise AttachmentMismatch(f"Attachment {item['filename']!r} does not match its digest.")
        kind = item.get("kind") if item.get("kind") in AttachmentKind.values else default_kind
        upload = StoredUpload(name=item["filename"], content_type=item.get("content_type"), blob=blob)
        language = item.get("language") if isinstance(item.get("language"), str) else ""
        codes.append(
            attachment_add(actor=actor, request=request, upload=upload, kind=kind, language=language).code
        )
    return codes


def _submitted(state: State, envelope: dict[str, Any], open_blob: BlobOpener) -> Request:
    payload = envelope["payload"]
    if Request.objects.filter(state=state, global_id=uuid.UUID(envelope["request_id"])).exists():
        raise NotApplicable("This request was already submitted.")
    document = payload.get("document")
    if not isinstance(document, dict):
        raise NotApplicable("The submitted request has no request document.")
    if document.get("requested_state") != state.code:
        raise NotApplicable(f"The request document is addressed to {document.get('requested_state')}.")
    if (document.get("requesting_authority") or {}).get("state") != envelope["from_state"]:
        raise NotApplicable("The request document names another requesting State than the sender.")
    actor = exchange_principal(state, central_authority(state))
    request = services.request_register_incoming(
        actor=actor,
        document=document,
        their_reference=str(payload.get("reference") or "")[:100],
        received_on=timezone.localdate(),
        title=str(payload.get("title") or "")[:300] or None,
        global_id=uuid.UUID(envelope["request_id"]),
    )
    _attach(request, actor, envelope, open_blob, AttachmentKind.ORIGINAL)
    return request


def _registered(request: Request, actor: Principal, envelope: dict[str, Any]) -> None:
    reference = envelope["payload"].get("reference")
    if isinstance(reference, str) and reference.strip():
        services.request_set_their_reference(actor=actor, request=request, reference=reference)
    if request.status != "registered":
        request_transition(
            actor=actor, request=request, to_status="registered", text=_text(envelope["payload"], False)
        )


def _status_changed(request: Request, actor: Principal, envelope: dict[str, Any]) -> None:
    payload = envelope["payload"]
    target = payload.get("to")
    if not isinstance(target, str):
        raise NotApplicable("The status change names no status.")
    if request.status == target:
        return  # already there (e.g. we moved it ourselves when providing information)
    grounds = payload.get("refusal_grounds") or []
    if not isinstance(grounds, list):
        raise NotApplicable("refusal_grounds must be a list.")
    request_transition(
        actor=actor, request=request, to_status=target, text=_text(payload, False), refusal_grounds=grounds
    )


def _received(request: Request, actor: Principal, kind: str, envelope: dict[str, Any], **data: Any) -> None:
    services.request_record_received(
        actor=actor,
        request=request,
        kind=kind,
        text=_text(envelope["payload"]),
        data={"message": envelope["id"], **{k: v for k, v in data.items() if v is not None}},
    )


# Message types the requested State sends (they apply to the requesting State's outgoing copy).
REQUESTED_SIDE = frozenset(
    {"request.registered", "request.status_changed", "request.info_requested", "request.result"}
)
# Message types either State sends.
BOTH_SIDES = frozenset({"request.consultation", "note"})


def apply(*, state: State, envelope: dict[str, Any], open_blob: BlobOpener) -> Request:
    """Apply a verified envelope addressed to `state`; returns the request it concerns."""
    type_ = envelope["type"]
    if type_ == "request.submitted":
        return _submitted(state, envelope, open_blob)
    request = _request(state, envelope)
    actor = exchange_principal(state, request.authority)
    payload = envelope["payload"]
    if type_ == "request.registered":
        _registered(request, actor, envelope)
    elif type_ == "request.status_changed":
        _status_changed(request, actor, envelope)
    elif type_ == "request.info_requested":
        _received(request, actor, EventKind.INFO_REQUESTED, envelope, round=payload.get("round"))
    elif type_ == "request.info_provided":
        services.request_info_provide(actor=actor, request=request, text=_text(payload))
    elif type_ == "request.consultation":
        _received(request, actor, EventKind.CONSULTATION, envelope, outcome=payload.get("outcome"))
    elif type_ == "note":
        _received(request, actor, EventKind.MESSAGE, envelope)
    elif type_ == "request.result":
        codes = _attach(request, actor, envelope, open_blob, AttachmentKind.RESULT)
        _received(request, actor, EventKind.RESULT, envelope, attachments=codes)
    elif type_ == "request.withdrawn":
        if request.status != "withdrawn":
            request_transition(
                actor=actor, request=request, to_status="withdrawn", text=_text(payload, False)
            )
    else:
        raise NotApplicable(f"Message type {type_!r} cannot be applied to a request.")
    return request
