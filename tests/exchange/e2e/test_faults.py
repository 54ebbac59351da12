"""Crashes and outages between two nodes (separate processes): nothing lost, nothing applied twice.

(a) MEX (requested State) sends 200 messages to FRA (notes and status changes on four requests)
while MEX's worker and, separately, FRA's web server are killed with SIGKILL at random moments
and restarted. Every message is applied exactly once: FRA's inbox holds 200 applied messages of
these types, and the timelines hold exactly the texts sent, in order, once each.
(b) FRA's web server is down for COMITY_E2E_OUTAGE_SECONDS (default 300); what MEX sent in the
meantime arrives once it is back.

Both are `slow` (minutes): `make test-exchange` runs them with -s, and each prints its counts.
"""

from __future__ import annotations

import os
import random
import time

import pytest

from comity.exchange.testing import Cluster, Node, wait_for

pytestmark = pytest.mark.e2e

REQUESTS = 4
BATCHES = 20
PER_BATCH = 10  # 9 notes and 1 status change each: 200 messages
SEED = int(os.environ.get("COMITY_E2E_SEED", "6"))


def _opened(cluster: Cluster, count: int) -> list[str]:
    """`count` requests from FRA to MEX, registered by MEX, everything delivered."""
    fra, mex = cluster["FRA"], cluster["MEX"]
    ids = [
        fra.call("submit", to_state="MEX", title=f"Request {i}", reference=f"FRA-{i}")["request"]
        for i in range(count)
    ]
    for index, request in enumerate(ids):
        wait_for(
            lambda r=request: mex.call("request_state", request=r).get("exists"),
            timeout=120,
            what=f"request {index} at MEX",
        )
        mex.call("register", request=request, reference=f"MEX-{index}")
    cluster.wait_settled(120)
    return ids


def _received_notes(node: Node, request: str) -> list[str]:
    return [text for kind, text, direction in node.call("timeline", request=request, kinds=["message"])]


def _status_events(node: Node, request: str) -> int:
    return len(node.call("timeline", request=request, kinds=["status_changed"]))


@pytest.mark.slow  # ~2 minutes: a killed worker's claimed messages wait for their 60 s lease
def test_crashes_lose_nothing_and_apply_nothing_twice() -> None:
    rng = random.Random(SEED)  # noqa: S311 - a reproducible schedule of kills, not a secret
    worker_kills = set(rng.sample(range(1, BATCHES - 1), 4))
    web_kills = set(rng.sample(range(1, BATCHES - 1), 4))
    with Cluster(["FRA", "MEX"]) as cluster:
        fra, mex = cluster["FRA"], cluster["MEX"]
        requests = _opened(cluster, REQUESTS)
        baseline = fra.call("counts")["inbox_types"]
        status_before = {r: _status_events(fra, r) for r in requests}
        status = dict.fromkeys(requests, "registered")
        notes: dict[str, list[str]] = {r: [] for r in requests}
        sent = 0
        for batch in range(BATCHES):
            items: list[list[str]] = []
            for i in range(PER_BATCH - 1):
                request = requests[(batch * PER_BATCH + i) % REQUESTS]
                text = f"Note {batch}.{i}"
                notes[request].append(text)
                items.append([request, "note", text])
            request = requests[batch % REQUESTS]
            status[request] = "in_consultation" if status[request] == "registered" else "registered"
            items.append([request, "status", status[request]])
            result = mex.call("send", items=items)
            sent += result["note"] + result["status"]
            if batch in worker_kills:
                time.sleep(rng.uniform(0, 0.5))  # somewhere in the middle of delivering
                mex.kill_worker()
                time.sleep(rng.uniform(0, 1))
                mex.start_worker()
            if batch in web_kills:
                time.sleep(rng.uniform(0, 0.5))
                fra.kill_web()
                time.sleep(rng.uniform(0, 1))
                fra.start_web()
        cluster.wait_settled(600)

        after = fra.call("counts")
        applied = {
            t: after["inbox_types"].get(t, 0) - baseline.get(t, 0) for t in ("note", "request.status_changed")
        }
        mex_counts = mex.call("counts")
        lost = sent - sum(applied.values())
        print(
            f"\n[faults a] sent {sent}, applied {sum(applied.values())} ({applied}), lost {lost}, "
            f"parked {after['parked']}, sender outbox {mex_counts['outbox']}, "
            f"worker kills {len(worker_kills)}, web kills {len(web_kills)}, "
            f"starts MEX worker {mex.starts['worker']} FRA web {fra.starts['web']}"
        )
        assert sent == BATCHES * PER_BATCH == 200
        assert applied == {"note": 180, "request.status_changed": 20}
        assert after["inbox"] == {"applied": sum(after["inbox_types"].values())}
        assert after["parked"] == {}
        assert mex_counts["outbox"] == {"delivered": sum(mex_counts["outbox"].values())}
        twice = 0
        for request in requests:
            received = _received_notes(fra, request)
            twice += len(received) - len(set(received))
            assert received == notes[request]  # every text once, in the order sent
            assert _status_events(fra, request) - status_before[request] == BATCHES // REQUESTS
            assert fra.call("request_state", request=request)["status"] == status[request]
            assert mex.call("request_state", request=request)["status"] == status[request]
        print(f"[faults a] applied twice {twice}")
        assert twice == 0


@pytest.mark.slow
def test_a_receiver_down_for_minutes_gets_everything_when_it_returns() -> None:
    outage = float(os.environ.get("COMITY_E2E_OUTAGE_SECONDS", "300"))
    with Cluster(["FRA", "MEX"]) as cluster:
        fra, mex = cluster["FRA"], cluster["MEX"]
        [request] = _opened(cluster, 1)
        before = fra.inbox_count()
        fra.kill_web()
        down_at = time.monotonic()
        texts = []
        while time.monotonic() - down_at < outage:
            # Messages written all through the outage, so their back-off clocks differ.
            text = f"During the outage {len(texts)}"
            mex.call("send", items=[[request, "note", text]])
            texts.append(text)
            time.sleep(min(outage / 10, 30))
        fra.start_web()
        back_at = time.monotonic()
        cluster.wait_settled(outage + 360)
        caught_up = time.monotonic() - back_at
        applied = fra.inbox_count() - before
        print(
            f"\n[faults b] outage {outage:.0f} s, sent during it {len(texts)}, applied {applied}, "
            f"delivered {caught_up:.1f} s after the receiver came back"
        )
        assert applied == len(texts)
        assert _received_notes(fra, request) == texts
