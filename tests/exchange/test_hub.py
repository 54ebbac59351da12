"""Hub mode, in one process: two tenants of this node exchange signed messages, delivered locally.

The whole lifecycle of issue #6 runs through the real outbox, signatures, inbox and receipts:
State A submits, State B registers and asks for information, A answers, B sends results with an
attachment and executes; both copies end with the same status and timeline, every message has a
stored receipt, and a second delivery of any message applies nothing.
"""

from __future__ import annotations

import base64
from typing import Any

import orjson
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from comity.cases import services
from comity.cases.attachments import attachment_add
from comity.cases.enums import Direction, EventKind, RequestStatus
from comity.cases.lifecycle import request_transition
from comity.cases.models import Request, RequestEvent
from comity.core.tenancy import state_scope
from comity.exchange import delivery, inbox, keys
from comity.exchange.models import InboxMessage, InboxStatus, OutboxMessage, OutboxStatus
from tests.cases import CaseWorld, make_case_world, outgoing

pytestmark = pytest.mark.django_db


def deliver_all() -> int:
    total = 0
    deliverer = delivery.Deliverer()
    try:
        while count := deliverer.run_once():
            total += count
    finally:
        deliverer.close()
    return total


@pytest.fixture
def hub(settings: Any) -> CaseWorld:
    settings.COMITY_HOSTED_STATES = ["AAA", "BBB"]
    cw = make_case_world()
    keys.node_init(node_id="hub.test", base_url="https://hub.test")
    return cw


def submit(cw: CaseWorld) -> Request:
    request = outgoing(cw)
    with state_scope(cw.w.state_a.pk):
        request_transition(actor=cw.drafter, request=request, to_status="in_review")
        request_transition(actor=cw.supervisor, request=request, to_status="approved")
        attachment_add(
            actor=cw.alice,
            request=request,
            upload=SimpleUploadedFile("request.pdf", b"%PDF-1.4 signed request", "application/pdf"),
            kind="original",
        )
        request_transition(actor=cw.alice, request=request, to_status="sent")
    return request


def copy_in_b(cw: CaseWorld, request: Request) -> Request:
    with state_scope(cw.w.state_b.pk):
        return Request.objects.get(global_id=request.global_id)


def exchanged_timeline(state_id: int, request: Request) -> list[tuple[str, str]]:
    with state_scope(state_id):
        return [
            (kind, text)
            for kind, text in RequestEvent.objects.filter(
                request__global_id=request.global_id, state_id=state_id
            )
            .filter(
                kind__in=[
                    EventKind.INFO_REQUESTED,
                    EventKind.INFO_PROVIDED,
                    EventKind.RESULT,
                    EventKind.MESSAGE,
                ]
            )
            .values_list("kind", "text")
        ]


def test_submission_reaches_the_other_tenant_with_its_attachment_and_a_receipt(hub: CaseWorld) -> None:
    request = submit(hub)
    assert deliver_all() == 1
    incoming = copy_in_b(hub, request)
    with state_scope(hub.w.state_b.pk):
        assert (incoming.direction, incoming.status, incoming.their_reference) == (
            Direction.INCOMING,
            RequestStatus.RECEIVED,
            "REF-1",
        )
        assert incoming.authority == hub.w.z
        [attachment] = incoming.attachments.all()
        assert (attachment.filename, attachment.kind) == ("request.pdf", "original")
        message = InboxMessage.objects.get()
        assert (message.status, message.type, message.seq) == (InboxStatus.APPLIED, "request.submitted", 1)
    with state_scope(hub.w.state_a.pk):
        sent = OutboxMessage.objects.get()
        assert sent.status == OutboxStatus.DELIVERED
        assert sent.receipt["payload"]["status"] == "applied"
        assert sent.receipt["payload"]["message_digest"] == sent.digest


def test_full_lifecycle_keeps_both_sides_in_step(hub: CaseWorld) -> None:
    request = submit(hub)
    deliver_all()
    b_request = copy_in_b(hub, request)
    with state_scope(hub.w.state_b.pk):
        request_transition(
            actor=hub.charlie, request=b_request, to_status="registered", data={"our_reference": "B-2026-1"}
        )
        services.request_info_request(
            actor=hub.charlie, request=b_request, text="Give the account holder's name."
        )
    deliver_all()
    with state_scope(hub.w.state_a.pk):
        a_request = Request.objects.get(pk=request.pk)
        assert (a_request.status, a_request.their_reference) == (RequestStatus.INFO_REQUESTED, "B-2026-1")
        services.request_info_provide(actor=hub.alice, request=a_request, text="John Doe.")
    deliver_all()
    with state_scope(hub.w.state_b.pk):
        b_request = Request.objects.get(pk=b_request.pk)
        assert b_request.status == RequestStatus.REGISTERED
        result = attachment_add(
            actor=hub.charlie,
            request=b_request,
            upload=SimpleUploadedFile("statements.pdf", b"%PDF-1.4 bank statements", "application/pdf"),
            kind="result",
        )
        services.request_send_result(
            actor=hub.charlie, request=b_request, text="Statements attached.", attachment_codes=[result.code]
        )
        services.request_send_message(actor=hub.charlie, request=b_request, text="Originals follow by post.")
    deliver_all()
    with state_scope(hub.w.state_a.pk):
        a_request = Request.objects.get(pk=request.pk)
        assert a_request.status == RequestStatus.REGISTERED
        received = a_request.attachments.get(kind="result")
        assert (received.filename, received.size) == ("statements.pdf", 24)
        assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.DELIVERED}
    with state_scope(hub.w.state_b.pk):
        assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.DELIVERED}
        assert all(m.receipt_jws for m in InboxMessage.objects.all())
    assert exchanged_timeline(hub.w.state_a.pk, request) == exchanged_timeline(hub.w.state_b.pk, request)
    with state_scope(hub.w.state_a.pk):
        assert a_request.status == Request.objects.get(pk=request.pk).status
    with state_scope(hub.w.state_b.pk):
        assert Request.objects.get(pk=b_request.pk).status == a_request.status


def test_a_second_delivery_applies_nothing_and_returns_the_same_receipt(hub: CaseWorld) -> None:
    request = submit(hub)
    deliver_all()
    with state_scope(hub.w.state_a.pk):
        message = OutboxMessage.objects.get()
    again = inbox.receive(message.jws, local=True)
    assert again.status == "duplicate"
    assert again.receipt == message.receipt_jws
    with state_scope(hub.w.state_b.pk):
        assert Request.objects.filter(global_id=request.global_id).count() == 1
        assert InboxMessage.objects.count() == 1


def test_a_tampered_message_is_parked_with_its_reason(hub: CaseWorld) -> None:
    submit(hub)
    with state_scope(hub.w.state_a.pk):
        message = OutboxMessage.objects.get()
    header, payload, signature = message.jws.split(".")
    env = orjson.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    env["payload"]["title"] = "Something else"
    forged = base64.urlsafe_b64encode(orjson.dumps(env, option=orjson.OPT_SORT_KEYS)).rstrip(b"=").decode()
    outcome = inbox.receive(f"{header}.{forged}.{signature}", local=True)
    assert (outcome.status, outcome.reason) == ("parked", "bad_signature")
    with state_scope(hub.w.state_b.pk):
        parked = InboxMessage.objects.get()
        assert (parked.status, parked.park_reason) == (InboxStatus.PARKED, "bad_signature")
        assert not Request.objects.exists()
