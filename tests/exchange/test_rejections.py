"""What the receiving node refuses, through the real `/node/v1/messages` view, in one process.

The node hosts BBB; its peer `a.test` speaks for AAA with a key we hold here (so the tests can
sign as the peer). Each forged or misdirected message is either parked with its reason (stored,
never applied, answered with our signed receipt saying so) or, for a State this node does not
host, refused at the door (404 wrong_recipient, nothing stored). The multi-process tests are in
tests/exchange/e2e/.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import orjson
import pytest
from django.test import Client
from django.utils import timezone
from joserfc.jwk import OKPKey

from comity.cases.models import Request
from comity.core.tenancy import state_scope
from comity.exchange import envelope, keys
from comity.exchange.models import InboxMessage, InboxStatus, ParkReason
from tests.cases import CaseWorld, document, make_case_world

pytestmark = pytest.mark.django_db

PEER = "a.test"
US = "b.test"


@dataclass
class Node:
    cw: CaseWorld
    client: Client
    signer: keys.Signer

    def message(self, *, seq: int = 1, request_id: uuid.UUID | None = None, **fields: Any) -> dict[str, Any]:
        base: dict[str, Any] = {
            "type": "request.submitted",
            "from_node": PEER,
            "to_node": US,
            "from_state": "AAA",
            "to_state": "BBB",
            "request_id": request_id or uuid.uuid4(),
            "seq": seq,
            "payload": {"title": "Bank records", "reference": "REF-1", "document": document()},
        }
        return envelope.build(**{**base, **fields})

    def post(self, token: str) -> Any:
        return self.client.post("/node/v1/messages", data=token, content_type="application/jose")

    def inbox(self) -> list[InboxMessage]:
        with state_scope(self.cw.w.state_b.pk):
            return list(InboxMessage.objects.order_by("pk"))

    def requests(self) -> int:
        with state_scope(self.cw.w.state_b.pk):
            return Request.objects.count()


def _jwk(key: OKPKey, kid: str, not_before: dt.datetime, not_after: dt.datetime) -> dict[str, Any]:
    return {
        **keys.public_jwk(key, kid=kid),
        "nbf": int(not_before.timestamp()),
        "exp": int(not_after.timestamp()),
    }


@pytest.fixture
def node(settings: Any) -> Node:
    cw = make_case_world()  # memberships in AAA and BBB: created before the node hosts only BBB
    settings.COMITY_HOSTED_STATES = ["BBB"]
    keys.node_init(node_id=US, base_url=f"https://{US}")
    key = OKPKey.generate_key("Ed25519")
    now = timezone.now()
    keys.peer_add(
        node_id=PEER,
        base_url=f"https://{PEER}",
        states=["AAA"],
        jwks_document={
            "keys": [_jwk(key, f"{PEER}#1", now - dt.timedelta(days=1), now + dt.timedelta(days=9))]
        },
    )
    return Node(cw=cw, client=Client(), signer=keys.Signer(kid=f"{PEER}#1", key=key))


def receipt_of(response: Any) -> dict[str, Any]:
    assert response["Content-Type"] == "application/jose"
    token = response.content.decode()
    addressee = envelope.peek(token)[1]["to_node"]  # the sender of what it answers
    verified = envelope.verify(token, our_node_id=addressee)  # signed by us (b.test)
    assert verified.envelope["from_node"] == US
    assert verified.envelope["type"] == "receipt"
    return dict(verified.envelope["payload"])


def assert_parked(node: Node, response: Any, reason: str) -> InboxMessage:
    assert response.status_code == 200
    payload = receipt_of(response)
    assert (payload["status"], payload["reason"]) == ("parked", reason)
    parked = node.inbox()[-1]
    assert (parked.status, parked.park_reason) == (InboxStatus.PARKED, reason)
    assert parked.receipt_jws == response.content.decode()
    return parked


def test_a_valid_message_is_applied_once_and_its_duplicate_changes_nothing(node: Node) -> None:
    token = envelope.sign(node.message(), node.signer)
    first = node.post(token)
    assert first.status_code == 200
    again = node.post(token)
    assert (again.status_code, again.content) == (200, first.content)
    [message] = node.inbox()
    assert (message.status, message.type, message.seq) == (InboxStatus.APPLIED, "request.submitted", 1)
    assert node.requests() == 1


def test_a_tampered_payload_is_parked_as_a_bad_signature(node: Node) -> None:
    header, payload, signature = envelope.sign(node.message(), node.signer).split(".")
    env = orjson.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    env["payload"]["title"] = "Something else"
    forged = base64.urlsafe_b64encode(orjson.dumps(env, option=orjson.OPT_SORT_KEYS)).rstrip(b"=").decode()
    assert_parked(node, node.post(f"{header}.{forged}.{signature}"), ParkReason.BAD_SIGNATURE)
    assert node.requests() == 0


def test_a_message_signed_with_another_private_key_under_a_known_kid_is_parked(node: Node) -> None:
    impostor = keys.Signer(kid=node.signer.kid, key=OKPKey.generate_key("Ed25519"))
    assert_parked(node, node.post(envelope.sign(node.message(), impostor)), ParkReason.BAD_SIGNATURE)
    assert node.requests() == 0


def test_a_key_the_peer_never_published_is_unknown(node: Node) -> None:
    stranger = keys.Signer(kid=f"{PEER}#unpublished", key=OKPKey.generate_key("Ed25519"))
    assert_parked(node, node.post(envelope.sign(node.message(), stranger)), ParkReason.UNKNOWN_KEY)


def test_an_unknown_sending_node_is_parked(node: Node) -> None:
    token = envelope.sign(node.message(from_node="z.test"), node.signer)
    assert_parked(node, node.post(token), ParkReason.UNKNOWN_SENDER)


def test_an_expired_key_does_not_sign_todays_messages(node: Node) -> None:
    old = OKPKey.generate_key("Ed25519")
    keys.peer_add(
        node_id=PEER,
        base_url=f"https://{PEER}",
        states=["AAA"],
        jwks_document={
            "keys": [
                _jwk(
                    old,
                    f"{PEER}#2020",
                    dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
                    dt.datetime(2021, 1, 1, tzinfo=dt.UTC),
                )
            ]
        },
    )
    token = envelope.sign(node.message(), keys.Signer(kid=f"{PEER}#2020", key=old))
    assert_parked(node, node.post(token), ParkReason.KEY_NOT_VALID)
    assert node.requests() == 0


def test_a_revoked_key_is_refused(node: Node) -> None:
    keys.peer_key_revoke(node_id=PEER, kid=node.signer.kid)
    assert_parked(node, node.post(envelope.sign(node.message(), node.signer)), ParkReason.KEY_REVOKED)
    assert node.requests() == 0


def test_the_same_id_with_other_content_is_a_replay(node: Node) -> None:
    original = node.message()
    assert node.post(envelope.sign(original, node.signer)).status_code == 200
    replay = {**original, "payload": {**original["payload"], "title": "Changed"}}
    parked = assert_parked(node, node.post(envelope.sign(replay, node.signer)), ParkReason.REPLAY)
    assert parked.message_id != uuid.UUID(original["id"])  # the applied message keeps its id
    assert [m.status for m in node.inbox()] == [InboxStatus.APPLIED, InboxStatus.PARKED]
    assert node.requests() == 1


def test_the_same_sequence_number_under_another_id_is_a_replay(node: Node) -> None:
    request_id = uuid.uuid4()
    assert node.post(envelope.sign(node.message(request_id=request_id), node.signer)).status_code == 200
    note = node.message(request_id=request_id, seq=1, type="note", payload={"text": "Again?"})
    assert_parked(node, node.post(envelope.sign(note, node.signer)), ParkReason.REPLAY)
    assert node.requests() == 1


def test_a_message_for_another_node_is_parked_as_wrong_recipient(node: Node) -> None:
    token = envelope.sign(node.message(to_node="c.test"), node.signer)
    assert_parked(node, node.post(token), ParkReason.WRONG_RECIPIENT)
    assert node.requests() == 0


def test_a_message_for_a_state_not_hosted_here_is_refused_at_the_door(node: Node) -> None:
    for to_state in ("AAA", "QQQ"):
        response = node.post(envelope.sign(node.message(to_state=to_state), node.signer))
        assert response.status_code == 404
        assert response.json()["error"] == "wrong_recipient"
    assert node.inbox() == []


def test_a_peer_speaking_for_a_state_it_does_not_host_is_parked(node: Node) -> None:
    token = envelope.sign(node.message(from_state="QQQ"), node.signer)
    assert_parked(node, node.post(token), ParkReason.SENDER_MISMATCH)


def test_a_later_message_waits_for_the_missing_one_then_applies_by_itself(node: Node) -> None:
    request_id = uuid.uuid4()
    note = node.message(request_id=request_id, seq=2, type="note", payload={"text": "Second."})
    assert_parked(node, node.post(envelope.sign(note, node.signer)), ParkReason.SEQUENCE_GAP)
    assert node.post(envelope.sign(node.message(request_id=request_id), node.signer)).status_code == 200
    assert [m.status for m in node.inbox()] == [InboxStatus.APPLIED, InboxStatus.APPLIED]


# --- several messages in one post (docs/protocol.md 2.1) ----------------------------------------


def post_several(node: Node, tokens: list[Any]) -> Any:
    return node.client.post(
        "/node/v1/messages", data=orjson.dumps({"messages": tokens}), content_type="application/json"
    )


def verified_receipt(token: str) -> dict[str, Any]:
    verified = envelope.verify(token, our_node_id=envelope.peek(token)[1]["to_node"])
    assert (verified.envelope["from_node"], verified.envelope["type"]) == (US, "receipt")
    return dict(verified.envelope["payload"])


def test_several_messages_in_one_post_are_each_received_as_if_posted_alone(node: Node) -> None:
    first = envelope.sign(node.message(), node.signer)
    header, payload, signature = envelope.sign(node.message(), node.signer).split(".")
    tampered = f"{header}.{payload}.{signature[:-4]}AAAA"
    elsewhere = envelope.sign(node.message(to_state="AAA"), node.signer)
    response = post_several(node, [first, tampered, elsewhere, first, "not ascii é"])
    assert (response.status_code, response["Content-Type"]) == (200, "application/json")
    results = response.json()["results"]
    assert [r["status"] for r in results] == [200, 200, 404, 200, 400]
    applied, parked = verified_receipt(results[0]["receipt"]), verified_receipt(results[1]["receipt"])
    assert (applied["status"], applied["message_digest"]) == ("applied", envelope.digest(first))
    assert (parked["status"], parked["reason"]) == ("parked", ParkReason.BAD_SIGNATURE)
    assert (results[2]["error"], results[2]["detail"]) == (
        "wrong_recipient",
        "This node does not host 'AAA'.",
    )
    assert results[3]["receipt"] == results[0]["receipt"]  # the duplicate: the same receipt
    assert results[4]["error"] == "invalid_envelope"
    # What was posted and answered matches the published schemas (docs/protocol/batch.*).
    from tests.exchange.test_protocol_schemas import check

    check("batch.request", {"messages": [first, tampered, elsewhere]})
    check("batch.response", response.json())
    assert [(m.status, m.park_reason) for m in node.inbox()] == [
        (InboxStatus.APPLIED, ""),
        (InboxStatus.PARKED, ParkReason.BAD_SIGNATURE),
    ]
    assert node.requests() == 1
    assert post_several(node, [first]).json()["results"][0]["receipt"] == results[0]["receipt"]


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b'["a.b.c"]',
        b'{"messages": []}',
        b'{"messages": "a.b.c"}',
        orjson.dumps({"messages": ["a"] * 65}),
    ],
)
def test_a_malformed_post_of_several_stores_nothing(node: Node, body: bytes) -> None:
    response = node.client.post("/node/v1/messages", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_envelope"
    assert node.inbox() == []


def test_another_media_type_is_refused(node: Node) -> None:
    token = envelope.sign(node.message(), node.signer)
    response = node.client.post("/node/v1/messages", data=token, content_type="text/plain")
    assert (response.status_code, response.json()["error"]) == (415, "unsupported_media_type")
    assert node.inbox() == []
