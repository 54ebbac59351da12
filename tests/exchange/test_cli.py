"""`comity node ...`: identity, keys, peers (with the out-of-band fingerprint check), and the
operator's view of parked and refused messages. Errors are one line and an exit status (1
refused or failed, 2 invalid input), never a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from joserfc.jwk import OKPKey

from comity.core.models import AuditEvent
from comity.core.tenancy import state_scope, unscoped
from comity.exchange import keys
from comity.exchange.models import (
    InboxMessage,
    InboxStatus,
    OutboxMessage,
    OutboxStatus,
    Peer,
    PeerKey,
    SigningKey,
)
from tests.cases import incoming
from tests.conftest import CliRun
from tests.exchange.test_ops_views import make_ops_world, park_from_stranger, refused_outbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def node(world: Any, settings: Any, comity_cli: CliRun) -> CliRun:
    settings.COMITY_HOSTED_STATES = ["AAA"]
    code, out, _ = comity_cli("node", "init", "--node-id", "node-a.test", "--url", "https://node-a.test/")
    assert code == 0
    assert out.startswith("Node node-a.test at https://node-a.test\nNode id: node-a.test\n")
    return comity_cli


def peer_document(tmp_path: Path, kid: str = "node-b.test#1") -> tuple[Path, str]:
    key = OKPKey.generate_key("Ed25519")
    document = {"keys": [{**keys.public_jwk(key, kid=kid), "nbf": 0, "exp": 4_000_000_000}]}
    path = tmp_path / "peer.jwks.json"
    path.write_text(json.dumps(document))
    return path, keys.fingerprint(document["keys"][0])


def add_args(path: Path, *extra: str) -> list[str]:
    return ["node", "peers", "add", "--node-id", "node-b.test", "--url", "https://node-b.test", "--states", "BBB",
            "--jwks", str(path), *extra]  # fmt: skip


# --- identity and keys ----------------------------------------------------------------------


def test_init_prints_the_node_id_and_the_fingerprint_to_read_out(node: CliRun) -> None:
    key = SigningKey.objects.get()
    code, out, _ = node("node", "fingerprint")
    assert code == 0
    assert out.splitlines() == ["Node id: node-a.test", key.kid, f"  {keys.fingerprint(key.public_jwk)}"]
    code, out, _ = node("node", "fingerprint", "--format", "json")
    assert json.loads(out) == {
        "node_id": "node-a.test",
        "base_url": "https://node-a.test",
        "keys": [{"kid": key.kid, "fingerprint": keys.fingerprint(key.public_jwk)}],
    }


def test_init_is_idempotent_and_refuses_a_second_identity(node: CliRun) -> None:
    assert node("node", "init", "--node-id", "node-a.test", "--url", "https://node-a.test")[0] == 0
    assert SigningKey.objects.count() == 1
    code, _, err = node("node", "init", "--node-id", "other", "--url", "https://node-a.test")
    assert code == 2
    assert "already initialised as 'node-a.test'" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--node-id", "a b", "--url", "https://x"], "node id without spaces"),
        (["--node-id", "n", "--url", "ftp://x"], "base URL"),
        (["--node-id", "n", "--url", "https://x", "--validity-days", "0"], "between 1 and 3650"),
    ],
)
def test_init_refuses_bad_input(world: Any, comity_cli: CliRun, args: list[str], message: str) -> None:
    code, _, err = comity_cli("node", "init", *args)
    assert code == 2
    assert message in err
    assert not SigningKey.objects.exists()


def test_commands_before_init_say_what_to_do(world: Any, comity_cli: CliRun) -> None:
    code, _, err = comity_cli("node", "fingerprint")
    assert code == 1
    assert "run `comity node init`" in err


def test_rotate_list_and_revoke(node: CliRun) -> None:
    old = SigningKey.objects.get().kid
    code, out, _ = node("node", "keys", "rotate", "--validity-days", "30")
    assert code == 0
    new = SigningKey.objects.exclude(kid=old).get().kid
    assert out.startswith(f"New signing key {new}")
    assert keys.current_signer().kid == new
    code, out, _ = node("node", "keys", "list", "--format", "json")
    rows = json.loads(out)
    assert [(r["kid"], r["state"], r["signs"]) for r in rows] == [(new, "valid", True), (old, "valid", False)]
    code, out, _ = node("node", "keys", "revoke", new)
    assert code == 0
    assert keys.current_signer().kid == old
    code, out, _ = node("node", "keys", "list")
    assert f"{new}  revoked" in out
    assert f"{old}  valid (signs)" in out
    code, _, err = node("node", "keys", "revoke", "nope")
    assert code == 1
    assert "No signing key 'nope'" in err


def test_export_jwks_prints_the_published_key_set(node: CliRun) -> None:
    code, out, _ = node("node", "export-jwks")
    assert code == 0
    document = json.loads(out)
    assert document == keys.jwks()
    assert "d" not in document["keys"][0]


# --- peers ----------------------------------------------------------------------------------


def test_a_peer_is_added_with_the_right_fingerprint(node: CliRun, tmp_path: Path) -> None:
    path, fingerprint = peer_document(tmp_path)
    code, out, err = node(*add_args(path, "--fingerprint", fingerprint))
    assert code == 0
    assert "WITHOUT" not in err
    assert out.splitlines()[0] == "Peer node-b.test (BBB) at https://node-b.test"
    assert fingerprint in out
    code, out, _ = node("node", "peers", "list", "--format", "json")
    [row] = json.loads(out)
    assert (row["node_id"], row["states"], row["active"]) == ("node-b.test", ["BBB"], True)
    assert [k["fingerprint"] for k in row["keys"]] == [fingerprint]


def test_a_wrong_fingerprint_is_refused(node: CliRun, tmp_path: Path) -> None:
    path, _ = peer_document(tmp_path)
    _, wrong = peer_document(tmp_path / "..", kid="other")
    code, _, err = node(*add_args(path, "--fingerprint", wrong))
    assert code == 1
    assert "No key of this peer has that fingerprint" in err
    assert not Peer.objects.exists()


def test_the_fingerprint_is_required_unless_trust_is_explicit(node: CliRun, tmp_path: Path) -> None:
    path, _ = peer_document(tmp_path)
    code, _, err = node(*add_args(path))
    assert code == 2
    assert "one of the arguments --fingerprint --trust-without-fingerprint is required" in err
    assert not Peer.objects.exists()
    code, _, err = node(*add_args(path, "--fingerprint", "1234"))
    assert code == 2
    assert "64 hex digits" in err
    code, _, err = node(*add_args(path, "--trust-without-fingerprint"))
    assert code == 0
    assert "WITHOUT an out-of-band fingerprint check" in err
    assert Peer.objects.get().node_id == "node-b.test"


@pytest.mark.parametrize(
    ("content", "message"),
    [("not json", "not JSON"), ("[]", "expected a key set"), ('{"keys": []}', "key set")],
)
def test_a_bad_key_file_is_refused(node: CliRun, tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    code, _, err = node(*add_args(path, "--trust-without-fingerprint"))
    assert code == 2
    assert message in err
    code, _, err = node(*add_args(tmp_path / "missing.json", "--trust-without-fingerprint"))
    assert code == 2
    assert "No such file" in err


def fake_peer(monkeypatch: Any, handler: Any) -> list[str]:
    """httpx.get answered by `handler` (the network, not our code, is replaced)."""
    urls: list[str] = []
    client = httpx.Client(transport=httpx.MockTransport(handler))

    def get(url: str, **kwargs: Any) -> httpx.Response:
        urls.append(url)
        return client.get(url)

    monkeypatch.setattr(httpx, "get", get)
    return urls


def test_fetch_takes_the_key_set_from_the_peer(node: CliRun, tmp_path: Path, monkeypatch: Any) -> None:
    path, fingerprint = peer_document(tmp_path)
    urls = fake_peer(monkeypatch, lambda request: httpx.Response(200, content=path.read_bytes()))
    code, _, _ = node("node", "peers", "add", "--node-id", "node-b.test", "--url", "https://node-b.test/",
                        "--states", "BBB", "--fetch", "--fingerprint", fingerprint)  # fmt: skip
    assert code == 0
    assert urls == ["https://node-b.test/node/v1/keys"]
    assert PeerKey.objects.get().kid == "node-b.test#1"


def test_fetch_failures_are_reported(node: CliRun, monkeypatch: Any) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    fake_peer(monkeypatch, refuse)
    args = ["node", "peers", "add", "--node-id", "node-b.test", "--url", "https://node-b.test", "--states", "BBB",
            "--fetch", "--trust-without-fingerprint"]  # fmt: skip
    code, _, err = node(*args)
    assert code == 1
    assert "Could not fetch https://node-b.test/node/v1/keys" in err
    fake_peer(monkeypatch, lambda request: httpx.Response(503))
    code, _, err = node(*args)
    assert code == 1
    assert "answered HTTP 503" in err
    assert not Peer.objects.exists()


def test_remove_a_peer_and_revoke_one_of_its_keys(node: CliRun, tmp_path: Path) -> None:
    path, fingerprint = peer_document(tmp_path)
    node(*add_args(path, "--fingerprint", fingerprint))
    code, out, _ = node("node", "peers", "revoke-key", "node-b.test", "node-b.test#1")
    assert code == 0
    assert PeerKey.objects.get().revoked_at is not None
    assert node("node", "peers", "revoke-key", "node-b.test", "nope")[0] == 1
    code, out, _ = node("node", "peers", "remove", "node-b.test")
    assert code == 0
    assert Peer.objects.get().active is False
    assert keys.trusted_key(node_id="node-b.test", kid="node-b.test#1") is None
    code, out, _ = node("node", "peers", "list")
    assert "(removed)" in out
    assert node("node", "peers", "remove", "nobody")[0] == 1


# --- parked and refused messages ------------------------------------------------------------


@pytest.fixture
def parked(settings: Any, comity_cli: CliRun) -> dict[str, Any]:
    cw, _x2, _xavier = make_ops_world(settings)
    request = incoming(cw)
    return {
        "cw": cw,
        "a": park_from_stranger("AAA"),
        "b": park_from_stranger("BBB"),
        "refused": refused_outbox(request),
    }


def test_parked_lists_parked_and_refused_messages(parked: dict[str, Any], comity_cli: CliRun) -> None:
    code, out, _ = comity_cli("node", "parked", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert sorted((r["direction"], r["state"], r["reason"]) for r in rows) == [
        ("inbox", "AAA", "unknown_sender"),
        ("inbox", "BBB", "unknown_sender"),
        ("outbox", "AAA", "refused"),
    ]
    code, out, _ = comity_cli("node", "parked", "--state", "bbb")
    assert out.splitlines() == [
        f"inbox {parked['b'].message_id} BBB <- BBB note #1  unknown_sender: "
        "Node 'stranger.test' is not a known peer.",
        "1 message(s).",
    ]
    code, _, err = comity_cli("node", "parked", "--state", "ZZZ")
    assert code == 2
    assert "unknown State" in err


def test_retry_and_discard_act_for_a_named_operator(parked: dict[str, Any], comity_cli: CliRun) -> None:
    cw = parked["cw"]
    message = parked["a"]
    code, out, _ = comity_cli("node", "retry", str(message.message_id), "--user", "alice")
    assert code == 1
    assert out.startswith("Still parked: unknown_sender")
    code, _, err = comity_cli("node", "discard", str(message.message_id), "--user", "alice")
    assert code == 2
    assert "--reason" in err
    code, out, _ = comity_cli(
        "node", "discard", str(message.message_id), "--user", "alice", "--reason", "spam"
    )
    assert code == 0
    assert out == f"Message {message.message_id}: Discarded by an operator.\n"
    with unscoped(reason="test: read back"):
        assert InboxMessage.objects.get(pk=message.pk).status == InboxStatus.DISCARDED
    refused = parked["refused"]
    code, out, _ = comity_cli("node", "retry", str(refused.message_id), "--user", "alice")
    assert (code, out) == (0, f"Message {refused.message_id}: Waiting for delivery.\n")
    with state_scope(cw.w.state_a.pk):
        assert OutboxMessage.objects.get(pk=refused.pk).status == OutboxStatus.PENDING
        actions = list(
            AuditEvent.objects.filter(action__startswith="exchange.", actor__username="alice")
            .order_by("seq")
            .values_list("action", flat=True)
        )
    assert actions == ["exchange.retried", "exchange.discarded", "exchange.retried"]


def test_retry_and_discard_refuse_who_may_not_act(parked: dict[str, Any], comity_cli: CliRun) -> None:
    message_id = str(parked["a"].message_id)
    code, _, err = comity_cli("node", "discard", message_id, "--user", "charlie", "--reason", "x")
    assert code == 1
    assert "charlie at" in err
    assert "may not act on this message" in err
    code, _, err = comity_cli("node", "discard", message_id, "--user", "dana", "--reason", "x")
    assert code == 1
    code, _, err = comity_cli("node", "retry", message_id, "--user", "nobody")
    assert code == 2
    assert "no active user 'nobody'" in err
    code, _, err = comity_cli("node", "retry", "not-a-uuid", "--user", "alice")
    assert code == 2
    code, _, err = comity_cli("node", "retry", "00000000-0000-0000-0000-000000000000", "--user", "alice")
    assert code == 1
    assert "No message" in err
    with unscoped(reason="test: nothing changed"):
        assert InboxMessage.objects.get(pk=parked["a"].pk).status == InboxStatus.PARKED
