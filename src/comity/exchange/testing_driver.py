"""Service calls inside one node of a multi-process exchange test (see comity.exchange.testing).

Run with the node's environment (COMITY_DATA_DIR, COMITY_HOSTED_STATES=one State, ...):

    python -m comity.exchange.testing_driver ACTION 'JSON'   # one call; prints the JSON answer
    python -m comity.exchange.testing_driver serve           # one JSON call per stdin line

`serve` answers each line `{"action": ..., "args": {...}}` with one JSON line
`{"ok": true, "result": ...}` or `{"ok": false, "error": ...}`: the harness keeps one such process
per node, so a call costs a few milliseconds instead of a Django start-up. Every action goes
through the same services a person would use (comity.cases.services, request_transition,
attachment_add), acting as the node's demo people: a drafter, a supervisor and a central
authority officer of the node's central authority. For tests and `make bench` only.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from typing import Any

ACTIONS: dict[str, Callable[..., Any]] = {}
PEOPLE = {"drafter": "drafter", "supervisor": "supervisor", "officer": "central_authority_officer"}
EXCHANGED_KINDS = ("info_requested", "info_provided", "result", "message")


def action(fn: Callable[..., Any]) -> Callable[..., Any]:
    ACTIONS[fn.__name__] = fn
    return fn


def _own_state() -> Any:
    from django.conf import settings

    from comity.core.models import State

    return State.objects.get(code=settings.COMITY_HOSTED_STATES[0])


def _principal(role: str) -> Any:
    from django.contrib.auth import get_user_model

    from comity.accounts.principal import Principal
    from comity.core.enums import AuthorityKind
    from comity.core.models import Authority

    state = _own_state()
    authority = Authority.objects.get(state=state, kind=AuthorityKind.CENTRAL_AUTHORITY)
    user = get_user_model().objects.get(username=f"{state.code.lower()}-{role}")
    return Principal(user=user, authority=authority, roles=frozenset({PEOPLE[role]}))


def _scope() -> Any:
    from comity.core.tenancy import state_scope

    return state_scope(_own_state().pk)


def _request(global_id: str) -> Any:
    from comity.cases.models import Request

    return Request.objects.select_related("state", "authority").get(global_id=global_id)


@action
def setup(*, node_id: str, base_url: str, states: dict[str, str]) -> dict[str, Any]:
    """States of the directory, this node's central authority and people, its identity and key."""
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from comity.core.enums import AuthorityKind
    from comity.core.services import authority_ensure, membership_create, state_ensure
    from comity.exchange import keys

    for code, name in states.items():
        state_ensure(code=code, name=name)
    own = _own_state()
    authority = authority_ensure(
        state=own, name=f"Central authority of {own.name}", kind=AuthorityKind.CENTRAL_AUTHORITY
    )
    for role, role_code in PEOPLE.items():
        user, _ = get_user_model().objects.get_or_create(username=f"{own.code.lower()}-{role}")
        membership_create(actor=None, user=user, authority=authority, role=role_code)
    keys.node_init(node_id=node_id, base_url=base_url)
    signer = keys.current_signer()
    jwk = keys.public_jwk(signer.key, kid=signer.kid)
    return {"state": own.code, "hosted": settings.COMITY_HOSTED_STATES, "fingerprint": keys.fingerprint(jwk)}


@action
def peer_add(
    *, node_id: str, base_url: str, states: list[str], jwks: dict[str, Any], fingerprint: str
) -> dict[str, Any]:
    from comity.exchange import keys

    peer = keys.peer_add(
        node_id=node_id,
        base_url=base_url,
        states=states,
        jwks_document=jwks,
        expected_fingerprint=fingerprint,
    )
    return {"peer": peer.node_id, "keys": peer.keys.count()}


@action
def submit(*, to_state: str, title: str, reference: str, attachment: str = "") -> dict[str, Any]:
    """An outgoing request, reviewed, approved (four eyes) and sent: `request.submitted`."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from comity.cases import services
    from comity.cases.attachments import attachment_add
    from comity.cases.lifecycle import request_transition

    own = _own_state()
    document = {
        "request_type": "mla",
        "language": "en",
        "requested_state": to_state,
        "requesting_authority": {"name": f"Central authority of {own.name}", "state": own.code},
        "reference": reference,
    }
    with _scope():
        request = services.request_create_outgoing(
            actor=_principal("drafter"), case=None, document=document, title=title
        )
        request_transition(actor=_principal("drafter"), request=request, to_status="in_review")
        request_transition(actor=_principal("supervisor"), request=request, to_status="approved")
        if attachment:
            upload = SimpleUploadedFile("request.pdf", attachment.encode(), "application/pdf")
            attachment_add(actor=_principal("officer"), request=request, upload=upload, kind="original")
        request_transition(actor=_principal("officer"), request=request, to_status="sent")
        return {"request": str(request.global_id), "code": request.code}


@action
def register(*, request: str, reference: str) -> dict[str, Any]:
    from comity.cases.lifecycle import request_transition

    with _scope():
        row = _request(request)
        request_transition(
            actor=_principal("officer"),
            request=row,
            to_status="registered",
            data={"our_reference": reference},
        )
        return {"status": _request(request).status}


@action
def info_request(*, request: str, text: str) -> dict[str, Any]:
    from comity.cases import services

    with _scope():
        row = services.request_info_request(actor=_principal("officer"), request=_request(request), text=text)
        return {"status": row.status}


@action
def info_provide(*, request: str, text: str) -> dict[str, Any]:
    from comity.cases import services

    with _scope():
        row = services.request_info_provide(actor=_principal("officer"), request=_request(request), text=text)
        return {"status": row.status}


@action
def send_result(*, request: str, text: str, path: str, filename: str) -> dict[str, Any]:
    """Attach the file at `path` (streamed from disk, in chunks) and transmit it as results."""
    from django.core.files.uploadedfile import UploadedFile

    from comity.cases import services
    from comity.cases.attachments import attachment_add

    size = os.path.getsize(path)
    with _scope(), open(path, "rb") as handle:
        row = _request(request)
        upload = UploadedFile(file=handle, name=filename, content_type="application/pdf", size=size)
        attachment = attachment_add(actor=_principal("officer"), request=row, upload=upload, kind="result")
        services.request_send_result(
            actor=_principal("officer"), request=row, text=text, attachment_codes=[attachment.code]
        )
        return {"attachment": attachment.code, "sha256": attachment.sha256, "size": attachment.size}


@action
def send(*, items: list[list[str]]) -> dict[str, Any]:
    """Each item [request, "note", text] or [request, "status", to_status]: one transaction each."""
    from comity.cases import services
    from comity.cases.lifecycle import request_transition

    sent: Counter[str] = Counter()
    with _scope():
        officer = _principal("officer")  # the same person sends every item
        for request, kind, value in items:
            row = _request(request)
            if kind == "note":
                services.request_send_message(actor=officer, request=row, text=value)
            else:
                request_transition(actor=officer, request=row, to_status=value)
            sent[kind] += 1
    return dict(sent)


@action
def request_state(*, request: str) -> dict[str, Any]:
    from comity.cases.models import Request

    with _scope():
        row = Request.objects.filter(global_id=request).first()
        if row is None:
            return {"exists": False}
        return {
            "exists": True,
            "status": row.status,
            "direction": row.direction,
            "their_reference": row.their_reference,
            "attachments": [
                [a.filename, a.kind, a.size, a.sha256] for a in row.attachments.order_by("created_at", "pk")
            ],
        }


@action
def timeline(*, request: str, kinds: list[str] | None = None) -> list[list[Any]]:
    """The exchanged part of the request's timeline: [kind, text, direction] in order."""
    from comity.cases.models import RequestEvent

    with _scope():
        rows = RequestEvent.objects.filter(
            request__global_id=request, kind__in=kinds or EXCHANGED_KINDS
        ).order_by("created_at", "pk")
        return [[e.kind, e.text, (e.data or {}).get("direction", "")] for e in rows]


@action
def requests() -> list[list[str]]:
    """Every request this node holds: [global id, direction, status, other State]."""
    from comity.cases.models import Request

    with _scope():
        return [
            [
                str(r.global_id),
                r.direction,
                r.status,
                r.requested_state.code if r.direction == "outgoing" else r.requesting_state.code,
            ]
            for r in Request.objects.select_related("requested_state", "requesting_state").order_by("pk")
        ]


@action
def counts() -> dict[str, Any]:
    """Outbox and inbox by status, receipts stored, parked reasons."""
    from comity.exchange.models import InboxMessage, OutboxMessage

    with _scope():
        outbox = list(OutboxMessage.objects.values("type", "status", "receipt_jws", "receipt", "to_node"))
        inbox = list(InboxMessage.objects.values("type", "status", "park_reason", "receipt_jws", "from_node"))
    return {
        "outbox": dict(Counter(m["status"] for m in outbox)),
        "outbox_types": dict(Counter(m["type"] for m in outbox)),
        "outbox_to": dict(Counter(m["to_node"] for m in outbox)),
        "outbox_with_receipt": sum(
            1 for m in outbox if m["receipt_jws"] and (m["receipt"] or {}).get("payload", {}).get("status")
        ),
        "outbox_receipt_status": dict(
            Counter((m["receipt"] or {}).get("payload", {}).get("status", "") for m in outbox)
        ),
        "inbox": dict(Counter(m["status"] for m in inbox)),
        "inbox_types": dict(Counter(m["type"] for m in inbox if m["status"] == "applied")),
        "inbox_from": dict(Counter(m["from_node"] for m in inbox)),
        "inbox_with_receipt": sum(1 for m in inbox if m["receipt_jws"]),
        "parked": dict(Counter(m["park_reason"] for m in inbox if m["status"] == "parked")),
    }


@action
def bench_enqueue(*, requests: list[str], count: int) -> dict[str, Any]:
    """`count` notes round-robin over `requests`, one transaction each, as fast as possible."""
    items = [[requests[i % len(requests)], "note", f"Bench note {i}"] for i in range(count)]
    started = time.time()
    result = send(items=items)
    return {"sent": result.get("note", 0), "seconds": time.time() - started}


@action
def bench_window(*, requests: list[str]) -> dict[str, Any]:
    """Notes sent on `requests`: count, delivered, seconds from first enqueue to last receipt."""
    from django.db.models import Max, Min

    from comity.exchange.models import OutboxMessage, OutboxStatus

    with _scope():
        chosen = OutboxMessage.objects.filter(type="note", request_global_id__in=requests)
        window = chosen.aggregate(first=Min("created_at"), last=Max("delivered_at"))
        count = chosen.count()
        delivered = chosen.filter(status=OutboxStatus.DELIVERED).count()
    seconds = (window["last"] - window["first"]).total_seconds() if window["last"] else None
    return {"count": count, "delivered": delivered, "seconds": seconds}


@action
def bench_roundtrip(*, request: str, samples: int, size: int, timeout: float = 60.0) -> dict[str, Any]:
    """`samples` results with a fresh `size`-byte attachment each: enqueue -> receipt stored (s)."""
    import tempfile

    from comity.exchange.models import OutboxMessage, OutboxStatus

    times = []
    with tempfile.TemporaryDirectory(prefix="comity-rt-") as tmp:
        for index in range(samples):
            path = os.path.join(tmp, f"result-{index}.bin")
            with open(path, "wb") as handle:
                handle.write(os.urandom(size))
            send_result(request=request, text=f"Result sample {index}", path=path, filename=f"r{index}.pdf")
            with _scope():
                message = OutboxMessage.objects.filter(type="request.result").order_by("-pk").first()
                assert message is not None  # noqa: S101 - just enqueued
                deadline = time.monotonic() + timeout
                while time.monotonic() < deadline:
                    message.refresh_from_db(fields=["status", "delivered_at", "created_at"])
                    if message.status != OutboxStatus.PENDING:
                        break
                    time.sleep(0.002)
                if message.delivered_at is None:
                    raise RuntimeError(f"sample {index} not delivered: {message.status}")
                times.append((message.delivered_at - message.created_at).total_seconds())
    return {"seconds": times}


@action
def file_digest(*, path: str) -> dict[str, Any]:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return {"sha256": digest.hexdigest(), "size": os.path.getsize(path)}


def call(name: str, args: dict[str, Any]) -> Any:
    from django.db import close_old_connections, connection

    try:
        return ACTIONS[name](**args)
    finally:
        close_old_connections()
        if connection.in_atomic_block is False:
            connection.close()


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comity.settings")
    import django

    django.setup()


def serve() -> None:
    out = sys.stdout
    sys.stdout = sys.stderr  # anything printed by the code under test must not break the protocol
    out.write(json.dumps({"ok": True, "result": "ready"}) + "\n")
    out.flush()
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            message = json.loads(line)
            answer = {"ok": True, "result": call(message["action"], message.get("args") or {})}
        except Exception as exc:
            answer = {"ok": False, "error": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc()}
        out.write(json.dumps(answer, default=str) + "\n")
        out.flush()


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        raise SystemExit(f"usage: driver ACTION [JSON] | serve\nactions: {', '.join(sorted(ACTIONS))}")
    _setup_django()
    if argv[0] == "serve":
        serve()
        return
    args = json.loads(argv[1]) if len(argv) > 1 else {}
    print(json.dumps(call(argv[0], args), default=str, indent=2))


if __name__ == "__main__":
    main()
