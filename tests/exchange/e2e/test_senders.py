"""The delivery worker as a separate process: sender threads, wake-ups, lease renewal.

FRA is a real node (gunicorn, `comity worker`, its own SQLite database). MEX's node is replaced
by a stand-in in this process (`StandIn`): an HTTP server that FRA trusts under MEX's node id
with a key held here. It records every message FRA posts, can hold a post before it answers,
and answers with its signed receipt. Like a node of another implementation, it takes one
message per post (415 for several), so FRA's senders post one at a time to it. FRA's worker polls once a day (`--poll 86400`): whatever it
sends here, it sends because it was woken when the message was committed.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from joserfc.jwk import OKPKey

from comity.exchange import envelope, keys
from comity.exchange.testing import Cluster, Node, wait_for
from tests.exchange import applied_receipt

pytestmark = pytest.mark.e2e

LEASE_SECONDS = 3
SENDERS = 4
Envelope = dict[str, Any]


class StandIn:
    """The receiving node, in this process."""

    def __init__(self, node_id: str, signer: keys.Signer) -> None:
        self.node_id = node_id
        self.signer = signer
        self.posts: list[Envelope] = []  # every message posted, in arrival order
        self.changed = threading.Condition()
        self.hold: Callable[[Envelope], None] = lambda env: None  # called before answering
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, arrived: Callable[[Envelope], bool], timeout: float) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: any(arrived(env) for env in self.posts), timeout)

    def of(self, request: str) -> list[Envelope]:
        with self.changed:
            return [env for env in self.posts if env["request_id"] == request]

    def receive(self, token: str) -> str:
        _header, env = envelope.peek(token)
        with self.changed:
            self.posts.append(env)
            self.changed.notify_all()
        self.hold(env)
        return applied_receipt(token, node_id=self.node_id, signer=self.signer)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a real node

            def _answer(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                info = {"node_id": stand_in.node_id, "protocol_version": 1, "states": ["MEX"]}
                self._answer(200, json.dumps(info).encode(), "application/json")

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if self.headers["Content-Type"] != "application/jose":  # one message per post
                    error = {"error": "unsupported_media_type", "detail": "Send application/jose."}
                    self._answer(415, json.dumps(error).encode(), "application/json")
                    return
                self._answer(200, stand_in.receive(body.decode()).encode(), "application/jose")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


@pytest.fixture(scope="module")
def nodes() -> Iterator[tuple[Node, StandIn]]:
    signer = keys.Signer(kid="mex.e2e.test#stand-in", key=OKPKey.generate_key("Ed25519"))
    jwk = {**keys.public_jwk(signer.key, kid=signer.kid), "nbf": 0, "exp": 4_000_000_000}
    settings = {"COMITY_EXCHANGE_SENDERS": str(SENDERS), "COMITY_EXCHANGE_LEASE_SECONDS": str(LEASE_SECONDS)}
    with Cluster(["FRA", "MEX"], worker_poll=86400, extra_env=settings) as cluster:
        fra, mex = cluster["FRA"], cluster["MEX"]
        mex.stop()
        stand_in = StandIn(mex.node_id, signer)
        try:
            fra.call(
                "peer_add",
                node_id=mex.node_id,
                base_url=stand_in.url,
                states=["MEX"],
                jwks={"keys": [jwk]},
                fingerprint=keys.fingerprint(jwk),
            )
            yield fra, stand_in
        finally:
            stand_in.close()


def delivered(fra: Node) -> None:
    wait_for(lambda: fra.pending() == 0, timeout=120, what="FRA's outbox delivered")


def test_streams_travel_at_the_same_time_and_each_in_order(nodes: tuple[Node, StandIn]) -> None:
    fra, stand_in = nodes
    first: dict[str, Any] = {}

    def hold(env: Envelope) -> None:  # the first submission waits until another stream arrives
        if env["type"] == "request.submitted" and not first:
            first["request"] = env["request_id"]
            # Well within the sender's read timeout (30 s), after which it would post `a` again.
            first["other_arrived"] = stand_in.wait_for(lambda e: e["request_id"] != env["request_id"], 20)

    stand_in.hold = hold
    a = fra.call("submit", to_state="MEX", title="A", reference="FRA-A")["request"]
    b = fra.call("submit", to_state="MEX", title="B", reference="FRA-B")["request"]
    fra.call(
        "send", items=[[r, "note", f"{name}{n}"] for n in range(1, 6) for r, name in ((a, "a"), (b, "b"))]
    )
    delivered(fra)
    stand_in.hold = lambda env: None

    assert first == {"request": a, "other_arrived": True}  # b travelled while a was held
    for request, name in ((a, "a"), (b, "b")):
        arrivals = [(env["seq"], env["payload"].get("text")) for env in stand_in.of(request)]
        assert arrivals == [(1, None), *((n + 1, f"{name}{n}") for n in range(1, 6))]  # each once
    counts = fra.call("counts")
    assert counts["outbox_receipt_status"] == {"applied": 12}


def test_a_committed_message_wakes_the_worker(nodes: tuple[Node, StandIn]) -> None:
    fra, stand_in = nodes
    delivered(fra)  # idle: the worker sleeps until woken (or for a day)
    request = fra.call("submit", to_state="MEX", title="C", reference="FRA-C")["request"]
    assert stand_in.wait_for(lambda env: env["request_id"] == request, timeout=60)
    fra.call("send", items=[[request, "note", "Woken"]])
    assert stand_in.wait_for(lambda env: env["payload"].get("text") == "Woken", timeout=60)
    delivered(fra)


def test_a_long_delivery_keeps_its_lease_and_is_sent_once(nodes: tuple[Node, StandIn]) -> None:
    fra, stand_in = nodes
    fra.start_another_worker(poll=0.2)  # looks for due messages five times a second
    request = fra.call("submit", to_state="MEX", title="D", reference="FRA-D")["request"]
    delivered(fra)

    def hold(env: Envelope) -> None:
        if env["payload"].get("text") == "Slow":
            time.sleep(LEASE_SECONDS * 3 + 1)  # three leases and more: renewed, never taken over

    stand_in.hold = hold
    fra.call("send", items=[[request, "note", "Slow"], [request, "note", "After"]])
    delivered(fra)
    stand_in.hold = lambda env: None
    texts = [env["payload"].get("text") for env in stand_in.of(request)]
    assert texts == [None, "Slow", "After"]
