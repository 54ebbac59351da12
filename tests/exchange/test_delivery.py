"""The delivery worker in one process: claims, streams followed in order, leases, wake-ups, settings.

This node hosts AAA; its peer `b.test` hosts BBB with a key we hold here, so a mock transport can
answer each post with the peer's signed receipt. Two outgoing requests of AAA give two streams.
Sender threads and several worker processes are exercised in tests/exchange/e2e/test_senders.py.
"""

from __future__ import annotations

import datetime as dt
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from django.db import connection, transaction
from django.utils import timezone
from joserfc.jwk import OKPKey

from comity.cases.models import Request
from comity.core.tenancy import state_scope
from comity.exchange import delivery, envelope, keys, outbox, senders, wake
from comity.exchange.models import OutboxMessage, OutboxStatus
from comity.exchange.testing import base_env
from tests.cases import CaseWorld, make_case_world, outgoing
from tests.exchange import applied_receipt

pytestmark = pytest.mark.django_db

NODE = "a.test"
PEER = "b.test"


class Peer:
    """The receiving node: records what it was sent and answers with its signed receipts; it
    takes several messages in one post unless `one_at_a_time`."""

    def __init__(self, signer: keys.Signer) -> None:
        self.signer = signer
        self.posted: list[tuple[str, int, str]] = []  # (request id, seq, text) in arrival order
        self.posts: list[list[str]] = []  # the texts of each post
        self.one_at_a_time = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.headers["Content-Type"] == "application/json":
            if self.one_at_a_time:
                return httpx.Response(415, json={"error": "unsupported_media_type", "detail": "One, please."})
            tokens = orjson.loads(request.content)["messages"]
            self.posts.append([self.receive(token)[1] for token in tokens])
            receipts = [self.receipt(token) for token in tokens]
            return httpx.Response(200, json={"results": [{"status": 200, "receipt": r} for r in receipts]})
        token = request.content.decode()
        self.posts.append([self.receive(token)[1]])
        return httpx.Response(200, content=self.receipt(token), headers={"Content-Type": "application/jose"})

    def receive(self, token: str) -> tuple[str, str]:
        _header, env = envelope.peek(token)
        self.posted.append((env["request_id"], env["seq"], env["payload"]["text"]))
        return env["request_id"], env["payload"]["text"]

    def receipt(self, token: str) -> str:
        return applied_receipt(token, node_id=PEER, signer=self.signer)


@pytest.fixture
def cw(settings: Any) -> CaseWorld:
    settings.COMITY_EXCHANGE_LEASE_SECONDS = 15
    world = make_case_world()
    settings.COMITY_HOSTED_STATES = ["AAA"]  # State B is the peer's
    return world


@pytest.fixture
def peer(cw: CaseWorld) -> Peer:
    keys.node_init(node_id=NODE, base_url="https://a.test")
    signer = keys.Signer(kid=f"{PEER}#1", key=OKPKey.generate_key("Ed25519"))
    keys.peer_add(
        node_id=PEER,
        base_url=f"https://{PEER}",
        states=["BBB"],
        jwks_document={
            "keys": [{**keys.public_jwk(signer.key, kid=signer.kid), "nbf": 0, "exp": 4_000_000_000}]
        },
    )
    return Peer(signer)


@pytest.fixture
def streams(cw: CaseWorld, peer: Peer) -> dict[str, list[OutboxMessage]]:
    """Stream "a": three notes about one request; stream "b": two about another."""
    result = {}
    for name, count in (("a", 3), ("b", 2)):
        request = outgoing(cw)
        with state_scope(request.state_id):
            result[name] = [note(request, f"{name}{n}") for n in range(1, count + 1)]
    return result


def note(request: Request, text: str) -> OutboxMessage:
    return outbox.enqueue(
        request=request, type="note", payload={"text": text}, attachments=[], to_state="BBB", to_node=PEER
    )


def deliverer(peer: Peer) -> delivery.Deliverer:
    return delivery.Deliverer(client=httpx.Client(transport=httpx.MockTransport(peer)))


def stored(message: OutboxMessage) -> OutboxMessage:
    with state_scope(message.state_id):
        return OutboxMessage.objects.get(pk=message.pk)


def test_a_claim_takes_the_first_pending_message_of_each_stream_and_leases_it(
    streams: dict[str, list[OutboxMessage]],
) -> None:
    before = timezone.now()
    claimed = delivery.claim(10)
    assert sorted(map(text_of, claimed)) == ["a1", "b1"]
    for message in claimed:
        assert message.state.code == "AAA"
        lease = stored(message).next_attempt_at
        assert lease == message.next_attempt_at
        assert before + dt.timedelta(seconds=15) <= lease <= timezone.now() + dt.timedelta(seconds=15)
    assert delivery.claim(10) == []  # held: neither they nor the next of their streams are due


def text_of(message: OutboxMessage) -> str:
    return str(envelope.peek(message.jws)[1]["payload"]["text"])


def test_a_sender_follows_its_stream_in_order_and_leaves_the_other_stream_alone(
    streams: dict[str, list[OutboxMessage]], peer: Peer
) -> None:
    claimed = {text_of(m): m for m in delivery.claim(10)}
    sender = deliverer(peer)
    message: OutboxMessage | None = claimed["a1"]
    followed = []
    while message is not None:
        with state_scope(message.state_id):
            message = sender.deliver(message, lease_next=True)
        if message is not None:
            assert stored(message).next_attempt_at == message.next_attempt_at  # leased to us
            followed.append(message.seq)
    assert followed == [2, 3]
    assert [text for _request, _seq, text in peer.posted] == ["a1", "a2", "a3"]
    assert [stored(m).status for m in streams["a"]] == [OutboxStatus.DELIVERED] * 3
    assert all(stored(m).receipt["payload"]["status"] == "applied" for m in streams["a"])
    assert [stored(m).status for m in streams["b"]] == [OutboxStatus.PENDING] * 2
    assert stored(streams["b"][0]).next_attempt_at == claimed["b1"].next_attempt_at  # still held


def test_the_next_message_of_a_stream_in_back_off_is_left_for_its_time(
    streams: dict[str, list[OutboxMessage]], peer: Peer
) -> None:
    later = timezone.now() + dt.timedelta(minutes=5)
    second = streams["a"][1]
    with state_scope(second.state_id):
        OutboxMessage.objects.filter(pk=second.pk).update(next_attempt_at=later)
    first = next(m for m in delivery.claim(10) if m.pk == streams["a"][0].pk)
    with state_scope(first.state_id):
        assert deliverer(peer).deliver(first, lease_next=True) is None
    assert stored(second).next_attempt_at == later
    assert delivery.next_due() is not None


def test_without_lease_next_the_stream_goes_back_to_the_queue(
    streams: dict[str, list[OutboxMessage]], peer: Peer
) -> None:
    first = next(m for m in delivery.claim(10) if m.pk == streams["a"][0].pk)
    with state_scope(first.state_id):
        assert deliverer(peer).deliver(first) is None
    assert [text_of(m) for m in delivery.claim(10)] == ["a2"]


def test_renewing_extends_only_the_leases_still_held(
    streams: dict[str, list[OutboxMessage]], peer: Peer
) -> None:
    claimed = {text_of(m): m for m in delivery.claim(10)}
    held = {m.pk: m.next_attempt_at for m in claimed.values()}
    renewed = delivery.renew_leases(held)
    assert set(renewed) == set(held)
    for pk, lease in renewed.items():
        assert lease >= held[pk]
    a1, b1 = claimed["a1"], claimed["b1"]
    assert stored(a1).next_attempt_at == renewed[a1.pk]
    # Another worker took b1 over after its lease ran out, and a1 was delivered: not renewed.
    taken_over = timezone.now() + dt.timedelta(seconds=99)
    with state_scope(b1.state_id):
        OutboxMessage.objects.filter(pk=b1.pk).update(next_attempt_at=taken_over)
        a1.next_attempt_at = renewed[a1.pk]
        deliverer(peer).deliver(a1)
    assert delivery.renew_leases(renewed) == {}
    assert stored(b1).next_attempt_at == taken_over
    assert stored(a1).status == OutboxStatus.DELIVERED


def test_a_receipt_handed_to_the_settler_leases_the_next_message_when_it_is_stored(
    streams: dict[str, list[OutboxMessage]], peer: Peer
) -> None:
    handed: list[delivery.Receipt] = []
    sender = delivery.Deliverer(
        client=httpx.Client(transport=httpx.MockTransport(peer)), settle_later=handed.append
    )
    a1, b1 = sorted(delivery.claim(10), key=text_of)
    with state_scope(a1.state_id):
        a2 = sender.deliver(a1, lease_next=True)
        b2 = sender.deliver(b1, lease_next=True)
    assert a2 is not None
    assert b2 is not None
    assert (text_of(a2), text_of(b2)) == ("a2", "b2")  # already being sent...
    assert [stored(m).status for m in (a1, b1)] == [OutboxStatus.PENDING] * 2  # ...before a1, b1 are stored
    assert [stored(m).next_attempt_at for m in (a2, b2)] == [a2.next_attempt_at, b2.next_attempt_at]
    # b2 went into back-off meanwhile (its post failed): storing b1's receipt does not lease it.
    later = timezone.now() + dt.timedelta(seconds=1)
    with state_scope(b2.state_id):
        OutboxMessage.objects.filter(pk=b2.pk).update(next_attempt_at=later)
    with transaction.atomic(), state_scope(a1.state_id):
        leases = [delivery.store_receipt(receipt) for receipt in handed]
    assert leases[1] is None
    assert leases[0] is not None
    assert stored(a2).next_attempt_at == leases[0]
    assert stored(b2).next_attempt_at == later
    assert [stored(m).status for m in (a1, b1)] == [OutboxStatus.DELIVERED] * 2
    assert stored(a1).receipt_jws == handed[0].jws


def test_run_in_batch_sends_every_stream_in_order(
    streams: dict[str, list[OutboxMessage]], peer: Peer
) -> None:
    sent = senders.run(batch=True, client_factory=lambda: httpx.Client(transport=httpx.MockTransport(peer)))
    assert sent == 5
    by_stream: dict[str, list[str]] = {}
    for request_id, _seq, text in peer.posted:
        by_stream.setdefault(request_id, []).append(text)
    assert sorted(by_stream.values()) == [["a1", "a2", "a3"], ["b1", "b2"]]


def test_messages_of_several_streams_to_a_peer_go_in_one_post(
    streams: dict[str, list[OutboxMessage]], peer: Peer
) -> None:
    group = sorted(delivery.claim(10), key=text_of)
    sender = deliverer(peer)
    while group:
        with keys.batch():
            group = sender.deliver_group(group, lease_next=True)
    assert peer.posts == [["a1", "b1"], ["a2", "b2"], ["a3"]]  # one stream's messages in order
    assert {stored(m).status for m in streams["a"] + streams["b"]} == {OutboxStatus.DELIVERED}


def test_a_peer_that_takes_one_message_per_post_gets_one_at_a_time(
    streams: dict[str, list[OutboxMessage]], peer: Peer
) -> None:
    peer.one_at_a_time = True
    group = sorted(delivery.claim(10), key=text_of)
    sender = deliverer(peer)
    while group:
        with keys.batch():
            group = sender.deliver_group(group, lease_next=True)
    assert peer.posts == [["a1"], ["b1"], ["a2"], ["b2"], ["a3"]]  # after one refused post of two
    assert {stored(m).status for m in streams["a"] + streams["b"]} == {OutboxStatus.DELIVERED}


def test_with_a_batch_of_one_each_message_has_its_post(
    streams: dict[str, list[OutboxMessage]], peer: Peer, settings: Any
) -> None:
    settings.COMITY_EXCHANGE_BATCH = 1
    group = sorted(delivery.claim(10), key=text_of)
    with keys.batch():
        deliverer(peer).deliver_group(group)
    assert peer.posts == [["a1"], ["b1"]]


# --- wake-ups ---------------------------------------------------------------------------------


@pytest.fixture
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def test_a_poke_wakes_a_listening_worker(data_dir: Path) -> None:
    with wake.Listener(listen_database=False) as listener:
        assert listener.path is not None
        assert listener.path.parent == data_dir / "exchange" / "wake"
        assert listener.wait(0) is False
        wake.poke()
        assert listener.wait(30) is True
        assert listener.wait(0) is False  # drained
    assert not listener_sockets(data_dir)


def test_an_interrupt_from_another_thread_wakes_it(data_dir: Path) -> None:
    with wake.Listener(listen_database=False) as listener:
        listener.interrupt()
        assert listener.wait(30) is True


def test_the_socket_of_a_killed_worker_is_removed_by_the_next_poke(data_dir: Path) -> None:
    directory = data_dir / "exchange" / "wake"
    directory.mkdir(parents=True)
    dead = directory / "worker-1-dead.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as orphan:
        orphan.bind(str(dead))  # closed without unlinking, like a worker killed with SIGKILL
    with wake.Listener(listen_database=False) as listener:
        wake.poke()
        assert listener.wait(30) is True
        assert listener_sockets(data_dir) == [listener.path]


def test_a_poke_without_any_worker_does_nothing(data_dir: Path) -> None:
    wake.poke()
    assert not (data_dir / "exchange").exists()


def test_committing_an_outbox_message_wakes_the_worker(
    streams: dict[str, list[OutboxMessage]], data_dir: Path, django_capture_on_commit_callbacks: Any
) -> None:
    request = streams["a"][0].request
    assert request is not None
    with wake.Listener(listen_database=False) as listener:
        with django_capture_on_commit_callbacks(execute=False) as callbacks, state_scope(request.state_id):
            note(request, "a4")
        assert listener.wait(0) is False  # nothing before the commit
        for callback in callbacks:
            callback()
        assert listener.wait(30) is True


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="NOTIFY/LISTEN is PostgreSQL's")
def test_on_postgresql_the_commit_notifies_listeners_on_other_hosts(data_dir: Path) -> None:
    with wake.Listener() as listener:
        assert listener.path is not None
        listener.path.unlink()  # only the database can wake it now
        with transaction.atomic():
            wake.notify_in_transaction()
            assert listener.wait(0.2) is False  # not before the commit
        assert listener.wait(30) is True
        with transaction.atomic():
            wake.notify_in_transaction()
            transaction.set_rollback(True)
        assert listener.wait(0.5) is False  # nothing for a rolled back change


def listener_sockets(data_dir: Path) -> list[Path]:
    directory = data_dir / "exchange" / "wake"
    return sorted(directory.glob("*.sock")) if directory.exists() else []


# --- settings and command line ----------------------------------------------------------------

READ_SETTINGS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.COMITY_EXCHANGE_SENDERS, s.COMITY_EXCHANGE_LEASE_SECONDS)"
)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("COMITY_EXCHANGE_SENDERS", "four", "COMITY_EXCHANGE_SENDERS='four' is not an integer"),
        ("COMITY_EXCHANGE_SENDERS", "0", "COMITY_EXCHANGE_SENDERS=0 is below the minimum 1"),
        ("COMITY_EXCHANGE_SENDERS", "33", "COMITY_EXCHANGE_SENDERS=33 is above the maximum 32"),
        ("COMITY_EXCHANGE_BATCH", "0", "COMITY_EXCHANGE_BATCH=0 is below the minimum 1"),
        ("COMITY_EXCHANGE_BATCH", "65", "COMITY_EXCHANGE_BATCH=65 is above the maximum 64"),
        ("COMITY_EXCHANGE_LEASE_SECONDS", "1", "COMITY_EXCHANGE_LEASE_SECONDS=1 is below the minimum 2"),
        (
            "COMITY_EXCHANGE_LEASE_SECONDS",
            "7200",
            "COMITY_EXCHANGE_LEASE_SECONDS=7200 is above the maximum 3600",
        ),
    ],
)
def test_a_bad_exchange_setting_stops_the_worker_with_a_clear_message(
    tmp_path: Path, variable: str, value: str, message: str
) -> None:
    env = {
        **base_env(),
        "DJANGO_SETTINGS_MODULE": "comity.settings",
        "COMITY_DATA_DIR": str(tmp_path),
        "COMITY_SECRET_KEY": "settings-test-" + "x" * 40,
        variable: value,
    }
    done = subprocess.run(
        [sys.executable, "-m", "comity.cli", "worker", "--batch"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert f"django.core.exceptions.ImproperlyConfigured: {message}" in done.stderr


def test_good_exchange_settings_are_read(tmp_path: Path) -> None:
    env = {
        **base_env(),
        "DJANGO_SETTINGS_MODULE": "comity.settings",
        "COMITY_DATA_DIR": str(tmp_path),
        "COMITY_EXCHANGE_SENDERS": "7",
        "COMITY_EXCHANGE_LEASE_SECONDS": "30",
    }
    done = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", READ_SETTINGS],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (done.returncode, done.stdout) == (0, "7 30\n")


def test_the_worker_refuses_a_poll_that_is_not_positive(comity_cli: Any) -> None:
    code, _out, err = comity_cli("worker", "--poll", "0")
    assert code == 1
    assert "--poll must be a positive number of seconds." in err


def test_a_worker_needs_a_sender() -> None:
    with pytest.raises(ValueError, match="at least one sender"):
        senders.Senders(0, client_factory=httpx.Client, on_free=lambda: None)
