"""The exchange page (/exchange/) and the exchange on a request's page.

State A hosts two central authorities (X, the receiving one, with alice; X2 with xavier) and an
executing authority Y (bob); State B has Z (charlie). A parked message about a request held by X
is alice's to handle: xavier, bob and charlie get a 404 for it and never see it listed, and
alice gets a 404 for theirs."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from joserfc.jwk import OKPKey

from comity.cases import services as case_services
from comity.cases.attachments import attachment_add
from comity.cases.enums import EventKind
from comity.cases.lifecycle import request_transition
from comity.cases.models import Request, RequestEvent
from comity.core.enums import Role
from comity.core.models import AuditEvent
from comity.core.tenancy import state_scope, unscoped
from comity.exchange import delivery, envelope, inbox, keys, outbox
from comity.exchange.models import (
    InboxMessage,
    InboxStatus,
    OutboxMessage,
    OutboxStatus,
    ParkReason,
)
from tests.cases import CaseWorld, as_, incoming, make_case_world, outgoing
from tests.conftest import logged_in
from tests.factories import AuthorityFactory, member

pytestmark = pytest.mark.django_db

NODE = "hub.test"
PEER = "node-c.test"


# --- helpers (also used by test_cli) ----------------------------------------------------------


def signed(
    *,
    to_state: str,
    request_id: uuid.UUID | None = None,
    seq: int = 1,
    from_state: str = "BBB",
    from_node: str = NODE,
    signer: keys.Signer | None = None,
    text: str = "hello",
) -> str:
    env = envelope.build(
        type="note",
        from_node=from_node,
        to_node=NODE,
        from_state=from_state,
        to_state=to_state,
        request_id=request_id or uuid.uuid4(),
        seq=seq,
        payload={"text": text},
    )
    return envelope.sign(env, signer)


def stranger() -> keys.Signer:
    return keys.Signer(kid="stranger#1", key=OKPKey.generate_key("Ed25519"))


def park_from_stranger(to_state: str, *, text: str = "who am I") -> InboxMessage:
    """Parked as unknown_sender: no request here (the receiving central authority handles it)."""
    token = signed(to_state=to_state, from_node="stranger.test", signer=stranger(), text=text)
    outcome = inbox.receive(token)
    assert (outcome.status, outcome.reason) == ("parked", ParkReason.UNKNOWN_SENDER)
    return parked_message(envelope.peek(token)[1]["id"])


def park_gap(request: Request, *, from_state: str = "BBB") -> InboxMessage:
    """Parked as sequence_gap (message #5 of the request's stream, #1 missing): by a trusted sender."""
    token = signed(to_state=request.state.code, request_id=request.global_id, seq=5, from_state=from_state)
    outcome = inbox.receive(token, local=True)
    assert (outcome.status, outcome.reason) == ("parked", ParkReason.SEQUENCE_GAP)
    return parked_message(envelope.peek(token)[1]["id"])


def parked_message(message_id: str) -> InboxMessage:
    with unscoped(reason="test: read the parked message back"):
        return InboxMessage.objects.select_related("state").get(message_id=message_id)


def refused_outbox(request: Request, status: int = 403) -> OutboxMessage:
    """A note about `request` to the peer, which refuses it at the door (HTTP `status`)."""
    with state_scope(request.state_id):
        message = outbox.enqueue(
            request=request,
            type="note",
            payload={"text": "Please confirm"},
            attachments=[],
            to_state="CCC",
            to_node=PEER,
        )
        transport = httpx.MockTransport(
            lambda r: httpx.Response(status, json={"error": "forbidden", "detail": "Unknown key"})
        )
        deliverer = delivery.Deliverer(client=httpx.Client(transport=transport))
        deliverer.deliver(OutboxMessage.objects.select_related("state").get(pk=message.pk))
        message.refresh_from_db()
    return message


def add_peer(node_id: str = PEER, state: str = "CCC", *kids: str) -> dict[str, keys.Signer]:
    """Trust a peer node hosting `state` with a fresh key for each kid; returns their signers."""
    signers = {
        kid: keys.Signer(kid=kid, key=OKPKey.generate_key("Ed25519")) for kid in kids or (f"{node_id}#1",)
    }
    keys.peer_add(
        node_id=node_id,
        base_url=f"https://{node_id}",
        states=[state],
        jwks_document={
            "keys": [
                {**keys.public_jwk(s.key, kid=kid), "nbf": 0, "exp": 4_000_000_000}
                for kid, s in signers.items()
            ]
        },
    )
    return signers


def make_ops_world(settings: Any) -> tuple[CaseWorld, Any, Any]:
    """The case world, this node hosting every State, a peer for State C; X2 and xavier."""
    settings.COMITY_HOSTED_STATES = []
    cw = make_case_world()
    from tests.factories import StateFactory

    StateFactory(code="CCC", name="State C")
    x2 = AuthorityFactory(state=cw.w.state_a, name="Authority X2")
    xavier = member("xavier", x2, Role.CENTRAL_AUTHORITY_OFFICER)
    keys.node_init(node_id=NODE, base_url="https://hub.test")
    add_peer()
    return cw, x2, xavier


@pytest.fixture
def ops(settings: Any) -> dict[str, Any]:
    cw, x2, xavier = make_ops_world(settings)
    alices = incoming(cw, their_reference="ALICE-REQ")
    with state_scope(cw.w.state_a.pk):
        xaviers = case_services.request_register_incoming(
            actor=as_(xavier, x2, Role.CENTRAL_AUTHORITY_OFFICER),
            document={
                "request_type": "mla",
                "language": "en",
                "requested_state": "AAA",
                "requesting_authority": {"name": "B", "state": "BBB"},
                "reference": "XAVIER-REQ",
            },
            their_reference="XAVIER-REQ",
            received_on=dt.date(2026, 1, 5),
        )
    return {
        "cw": cw,
        "xavier": xavier,
        "alice_gap": park_gap(alices),
        "alice_stranger": park_from_stranger("AAA", text="SECRET-A"),
        "alice_refused": refused_outbox(alices),
        "xavier_gap": park_gap(xaviers),
        "xavier_refused": refused_outbox(xaviers),
        "charlie_stranger": park_from_stranger("BBB", text="SECRET-B"),
        "alices": alices,
        "xaviers": xaviers,
    }


def listed(response: Any) -> set[str]:
    return {str(m.message_id) for m in [*response.context["parked"], *response.context["outbox"]]}


def ids(ops: dict[str, Any], *names: str) -> set[str]:
    return {str(ops[n].message_id) for n in names}


# --- who sees the page ----------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(ops: dict[str, Any]) -> None:
    response = logged_in_anonymous().get(reverse("exchange:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def logged_in_anonymous() -> Any:
    from django.test import Client

    return Client()


@pytest.mark.parametrize("who", ["dana", "audrey", "ed", "bob"])
def test_drafters_auditors_and_executing_authorities_cannot_see_the_page(
    ops: dict[str, Any], who: str
) -> None:
    cw = ops["cw"]
    user = {"dana": cw.dana, "audrey": cw.audrey, "ed": cw.ed, "bob": cw.w.bob}[who]
    client = logged_in(user)
    assert client.get(reverse("exchange:index")).status_code == 403
    assert reverse("exchange:index") not in client.get(reverse("cases:dashboard")).content.decode()


def test_alice_sees_her_states_and_authoritys_messages_only(ops: dict[str, Any]) -> None:
    client = logged_in(ops["cw"].w.alice)
    response = client.get(reverse("exchange:index"))
    assert response.status_code == 200
    assert listed(response) == ids(ops, "alice_gap", "alice_stranger", "alice_refused")
    body = response.content.decode()
    assert "SECRET-B" not in body
    assert str(ops["charlie_stranger"].message_id) not in body
    assert str(ops["xavier_gap"].message_id) not in body
    assert "Unknown sending node" in body
    assert "An earlier message of this request is missing" in body
    assert "HTTP 403" in body
    # The node's identity, fingerprint and peers are shown; the nav links to the page.
    assert keys.fingerprint(keys.jwks()["keys"][0]) in body
    assert PEER in body
    assert NODE in body
    assert f'href="{reverse("exchange:index")}"' in body


def test_the_supervisor_of_the_central_authority_sees_the_page(ops: dict[str, Any]) -> None:
    response = logged_in(ops["cw"].sam).get(reverse("exchange:index"))
    assert response.status_code == 200
    assert listed(response) == ids(ops, "alice_gap", "alice_stranger", "alice_refused")


def test_another_central_authority_sees_only_its_requests_messages(ops: dict[str, Any]) -> None:
    response = logged_in(ops["xavier"]).get(reverse("exchange:index"))
    assert response.status_code == 200
    assert listed(response) == ids(ops, "xavier_gap", "xavier_refused")


def test_another_state_sees_only_its_own(ops: dict[str, Any]) -> None:
    response = logged_in(ops["cw"].w.charlie).get(reverse("exchange:index"))
    assert listed(response) == ids(ops, "charlie_stranger")
    assert "SECRET-A" not in response.content.decode()


ACTIONS = [
    ("exchange:inbox_retry", "alice_gap", {}),
    ("exchange:inbox_discard", "alice_gap", {"reason": "x"}),
    ("exchange:inbox_retry", "alice_stranger", {}),
    ("exchange:outbox_retry", "alice_refused", {}),
    ("exchange:outbox_discard", "alice_refused", {"reason": "x"}),
]


@pytest.mark.parametrize(("url", "name", "data"), ACTIONS)
@pytest.mark.parametrize("who", ["xavier", "charlie"])
def test_others_cannot_act_on_alices_messages(
    ops: dict[str, Any], url: str, name: str, data: dict[str, str], who: str
) -> None:
    user = ops["xavier"] if who == "xavier" else ops["cw"].w.charlie
    message = ops[name]
    before = message.status
    response = logged_in(user).post(reverse(url, args=[message.message_id]), data)
    assert response.status_code == 404
    model = type(message)
    with unscoped(reason="test: the message did not change"):
        assert model.objects.get(pk=message.pk).status == before


def test_inbox_and_outbox_urls_do_not_mix(ops: dict[str, Any]) -> None:
    client = logged_in(ops["cw"].w.alice)
    response = client.post(reverse("exchange:inbox_retry", args=[ops["alice_refused"].message_id]))
    assert response.status_code == 404
    response = client.post(reverse("exchange:outbox_retry", args=[ops["alice_gap"].message_id]))
    assert response.status_code == 404


def test_actions_are_post_only(ops: dict[str, Any]) -> None:
    client = logged_in(ops["cw"].w.alice)
    response = client.get(reverse("exchange:inbox_retry", args=[ops["alice_gap"].message_id]))
    assert response.status_code == 405


def test_actions_need_the_csrf_token(ops: dict[str, Any]) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(ops["cw"].w.alice)
    response = client.post(
        reverse("exchange:inbox_discard", args=[ops["alice_gap"].message_id]), {"reason": "x"}
    )
    assert response.status_code == 403
    assert parked_message(str(ops["alice_gap"].message_id)).status == InboxStatus.PARKED


# --- acting ---------------------------------------------------------------------------------


def audit_actions(state: Any) -> list[tuple[str, str, str]]:
    with state_scope(state.pk):
        return list(
            AuditEvent.objects.filter(action__startswith="exchange.", actor__isnull=False)
            .order_by("seq")
            .values_list("action", "object_id", "actor__username")
        )


def test_discarding_needs_a_reason_and_is_audited(ops: dict[str, Any]) -> None:
    cw = ops["cw"]
    message = ops["alice_stranger"]
    client = logged_in(cw.w.alice)
    url = reverse("exchange:inbox_discard", args=[message.message_id])
    response = client.post(url, {"reason": "   "})
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert parked_message(str(message.message_id)).status == InboxStatus.PARKED
    response = client.post(url, {"reason": "Spam from an unknown node"})
    assert response.status_code == 302
    stored = parked_message(str(message.message_id))
    assert stored.status == InboxStatus.DISCARDED
    assert stored.park_detail.endswith("Discarded: Spam from an unknown node")
    assert audit_actions(cw.w.state_a) == [("exchange.discarded", str(message.message_id), "alice")]
    assert str(message.message_id) not in listed(client.get(reverse("exchange:index")))


def test_retrying_a_message_that_still_cannot_apply_keeps_it_parked(ops: dict[str, Any]) -> None:
    cw = ops["cw"]
    message = ops["alice_gap"]
    client = logged_in(cw.w.alice)
    response = client.post(reverse("exchange:inbox_retry", args=[message.message_id]), follow=True)
    assert response.status_code == 200
    assert "still parked" in response.content.decode()
    stored = parked_message(str(message.message_id))
    assert (stored.status, stored.park_reason) == (InboxStatus.PARKED, ParkReason.SEQUENCE_GAP)
    assert audit_actions(cw.w.state_a) == [("exchange.retried", str(message.message_id), "alice")]


def test_retrying_applies_once_the_cause_is_fixed(ops: dict[str, Any]) -> None:
    """Node B signed with a key we did not know yet: parked; its operator confirms the new key,
    it is added, and alice's retry applies the message (audited with her name)."""
    cw = ops["cw"]
    request = ops["alices"]
    add_peer("node-b.test", "BBB", "node-b.test#1")
    new_key = keys.Signer(kid="node-b.test#2", key=OKPKey.generate_key("Ed25519"))
    token = signed(
        to_state="AAA",
        request_id=request.global_id,
        from_node="node-b.test",
        signer=new_key,
        text="Hi from B",
    )
    assert inbox.receive(token).reason == ParkReason.UNKNOWN_KEY
    message = parked_message(envelope.peek(token)[1]["id"])
    keys.peer_add(
        node_id="node-b.test",
        base_url="https://node-b.test",
        states=["BBB"],
        jwks_document={
            "keys": [{**keys.public_jwk(new_key.key, kid=new_key.kid), "nbf": 0, "exp": 4_000_000_000}]
        },
    )
    response = logged_in(cw.w.alice).post(
        reverse("exchange:inbox_retry", args=[message.message_id]), follow=True
    )
    assert "The message was applied." in response.content.decode()
    assert parked_message(str(message.message_id)).status == InboxStatus.APPLIED
    with state_scope(cw.w.state_a.pk):
        event = RequestEvent.objects.get(request=request, kind=EventKind.MESSAGE)
        actions = list(
            AuditEvent.objects.filter(action="exchange.retried").values_list("actor__username", "object_id")
        )
    assert (event.text, event.data["direction"]) == ("Hi from B", "received")
    assert actions == [("alice", request.code)]


def test_a_third_state_cannot_write_on_a_request(ops: dict[str, Any]) -> None:
    """State C's node is trusted, but alice's request is between A and B: C's note is not applied."""
    signer = add_peer("node-d.test", "CCC", "node-d.test#1")["node-d.test#1"]
    token = signed(
        to_state="AAA",
        request_id=ops["alices"].global_id,
        from_state="CCC",
        from_node="node-d.test",
        signer=signer,
    )
    outcome = inbox.receive(token)
    assert (outcome.status, outcome.reason) == ("parked", ParkReason.NOT_APPLICABLE)
    with state_scope(ops["cw"].w.state_a.pk):
        assert not RequestEvent.objects.filter(kind=EventKind.MESSAGE).exists()


def test_sending_a_refused_message_again_and_discarding_one(ops: dict[str, Any]) -> None:
    cw = ops["cw"]
    client = logged_in(cw.w.alice)
    message = ops["alice_refused"]
    assert (message.status, message.attempts) == (OutboxStatus.REJECTED, 1)
    response = client.post(reverse("exchange:outbox_retry", args=[message.message_id]))
    assert response.status_code == 302
    with state_scope(cw.w.state_a.pk):
        message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    # Pending: listed, and cannot be "sent again" a second time, but can be discarded.
    response = client.post(reverse("exchange:outbox_retry", args=[message.message_id]), follow=True)
    assert "Only refused messages can be sent again." in response.content.decode()
    response = client.post(
        reverse("exchange:outbox_discard", args=[message.message_id]), {"reason": "Sent by e-mail"}
    )
    assert response.status_code == 302
    with state_scope(cw.w.state_a.pk):
        message.refresh_from_db()
    assert message.status == OutboxStatus.DISCARDED
    assert message.last_error.endswith("Discarded: Sent by e-mail")
    assert audit_actions(cw.w.state_a) == [
        ("exchange.retried", str(message.message_id), "alice"),
        ("exchange.discarded", str(message.message_id), "alice"),
    ]


def test_the_page_does_not_run_a_query_per_message(ops: dict[str, Any]) -> None:
    client = logged_in(ops["cw"].w.alice)
    client.get(reverse("exchange:index"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("exchange:index"))
    for _ in range(3):
        park_from_stranger("AAA")
        refused_outbox(ops["alices"])
    with CaptureQueriesContext(connection) as more:
        response = client.get(reverse("exchange:index"))
    assert len(response.context["parked"]) == 5
    assert len(more.captured_queries) == len(one.captured_queries)


# --- a request's page -----------------------------------------------------------------------


def deliver_all() -> None:
    deliverer = delivery.Deliverer()
    try:
        while deliverer.run_once():
            pass
    finally:
        deliverer.close()


@pytest.fixture
def hub(settings: Any) -> CaseWorld:
    settings.COMITY_HOSTED_STATES = ["AAA", "BBB"]
    cw = make_case_world()
    keys.node_init(node_id=NODE, base_url="https://hub.test")
    return cw


def submit(cw: CaseWorld) -> tuple[Request, Request]:
    request = outgoing(cw)
    with state_scope(cw.w.state_a.pk):
        request_transition(actor=cw.drafter, request=request, to_status="in_review")
        request_transition(actor=cw.supervisor, request=request, to_status="approved")
        request_transition(actor=cw.alice, request=request, to_status="sent")
    deliver_all()
    with state_scope(cw.w.state_b.pk):
        copy = Request.objects.get(global_id=request.global_id)
    return request, copy


def exchange_rows(response: Any) -> list[tuple[str, str, int | None, str, bool]]:
    return [
        (m.direction, m.type, m.seq, m.status, m.receipt_at is not None) for m in response.context["exchange"]
    ]


def test_the_request_page_shows_its_messages_and_receipts(hub: CaseWorld) -> None:
    request, copy = submit(hub)
    response = logged_in(hub.w.alice).get(reverse("cases:detail", args=[request.code]))
    assert exchange_rows(response) == [("sent", "request.submitted", 1, "delivered", True)]
    body = response.content.decode()
    assert "Exchange with the other State" in body
    assert "1 signed receipt stored." in body
    response = logged_in(hub.w.charlie).get(reverse("cases:detail", args=[copy.code]))
    assert exchange_rows(response) == [("received", "request.submitted", 1, "applied", True)]


def test_a_request_on_paper_shows_no_exchange(hub: CaseWorld) -> None:
    request = incoming(hub)
    response = logged_in(hub.w.alice).get(reverse("cases:detail", args=[request.code]))
    assert response.context["exchange"] == []
    assert "Exchange with the other State" not in response.content.decode()
    # Writing to the other State is still offered: recorded as sent by other means.
    assert "does not travel through the exchange" in response.content.decode()


def test_a_message_to_the_other_state_travels_and_lands_on_its_timeline(hub: CaseWorld) -> None:
    request, copy = submit(hub)
    client = logged_in(hub.w.charlie)
    response = client.post(reverse("cases:message", args=[copy.code]), {"text": "We need the original."})
    assert response.status_code == 302
    deliver_all()
    with state_scope(hub.w.state_a.pk):
        received = RequestEvent.objects.get(request=request, kind=EventKind.MESSAGE)
    assert (received.text, received.data["direction"]) == ("We need the original.", "received")
    response = client.get(reverse("cases:detail", args=[copy.code]))
    assert exchange_rows(response) == [
        ("received", "request.submitted", 1, "applied", True),
        ("sent", "note", 1, "delivered", True),
    ]
    assert "2 signed receipts stored." in response.content.decode()


def test_a_blank_message_is_refused_in_the_form(hub: CaseWorld) -> None:
    _request, copy = submit(hub)
    response = logged_in(hub.w.charlie).post(reverse("cases:message", args=[copy.code]), {"text": "  "})
    assert response.status_code == 422
    with state_scope(hub.w.state_b.pk):
        assert not OutboxMessage.objects.exists()


def test_results_travel_with_the_chosen_attachments(hub: CaseWorld) -> None:
    request, copy = submit(hub)
    with state_scope(hub.w.state_b.pk):
        request_transition(
            actor=hub.charlie, request=copy, to_status="registered", data={"our_reference": "B-1"}
        )
        chosen = attachment_add(
            actor=hub.charlie,
            request=copy,
            upload=SimpleUploadedFile("bank-records.pdf", b"%PDF-1.4 records", "application/pdf"),
            kind="result",
        )
        attachment_add(
            actor=hub.charlie,
            request=copy,
            upload=SimpleUploadedFile("internal.txt", b"internal memo", "text/plain"),
            kind="other",
        )
    deliver_all()
    client = logged_in(hub.w.charlie)
    page = client.get(reverse("cases:detail", args=[copy.code]))
    [result_action] = [a for a in page.context["actions"] if a["key"] == "result"]
    assert len(result_action["form"].fields["attachments"].choices) == 2
    assert chosen.code in [c[0] for c in result_action["form"].fields["attachments"].choices]
    response = client.post(
        reverse("cases:result", args=[copy.code]), {"text": "Records attached.", "attachments": [chosen.code]}
    )
    assert response.status_code == 302
    deliver_all()
    with state_scope(hub.w.state_a.pk):
        a_request = Request.objects.get(pk=request.pk)
        assert [a.filename for a in a_request.attachments.filter(kind="result")] == ["bank-records.pdf"]
        event = RequestEvent.objects.get(request=a_request, kind=EventKind.RESULT)
    assert event.text == "Records attached."


def test_results_are_not_offered_on_outgoing_requests_and_unknown_attachments_are_refused(
    hub: CaseWorld,
) -> None:
    request, copy = submit(hub)
    page = logged_in(hub.w.alice).get(reverse("cases:detail", args=[request.code]))
    assert "result" not in [a["key"] for a in page.context["actions"]]
    response = logged_in(hub.w.charlie).post(
        reverse("cases:result", args=[copy.code]), {"text": "x", "attachments": ["NOPE"]}
    )
    assert response.status_code == 422


@pytest.mark.parametrize("url", ["cases:message", "cases:result"])
def test_others_cannot_write_to_the_other_state_about_a_request(hub: CaseWorld, url: str) -> None:
    request, copy = submit(hub)
    data = {"text": "SECRET", "attachments": []}
    # charlie (State B) on A's copy, alice on B's copy, bob (another authority of A) on A's copy.
    assert logged_in(hub.w.charlie).post(reverse(url, args=[request.code]), data).status_code == 404
    assert logged_in(hub.w.alice).post(reverse(url, args=[copy.code]), data).status_code == 404
    assert logged_in(hub.w.bob).post(reverse(url, args=[request.code]), data).status_code == 404
    # The auditor of the holding authority sees the request but may not write.
    assert logged_in(hub.audrey).post(reverse(url, args=[request.code]), data).status_code == 403
    with state_scope(hub.w.state_a.pk):
        assert not RequestEvent.objects.filter(kind__in=[EventKind.MESSAGE, EventKind.RESULT]).exists()
