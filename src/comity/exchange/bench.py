"""Benchmarks of the exchange between two nodes running as separate processes on this machine.

`bench_exchange()` starts two nodes with comity.exchange.testing (each: gunicorn, `comity
worker`, its own SQLite database) and measures, beside the bare engine in the same run:

- sustained signed messages per second: `messages` notes enqueued over `requests` requests (one
  transaction each), from the first enqueue to the last receipt stored on the sender (timestamps
  of the outbox rows). Bare: one httpx client with keep-alive POSTing the same number of bodies of
  the same size, one at a time, to a minimal WSGI app under the same gunicorn configuration that
  inserts one row per POST into SQLite (`bare_application`);
- round trip with a 1 MB attachment: from the transaction that enqueues a result with a fresh
  1 MB attachment to its receipt stored on the sender (`samples` times, one after the other).
  Bare: a 1 MB POST inserted by the bare app.

Goals (DESIGN.md section 5): >= 50 messages/s; round trip p95 <= 300 ms. Reported, never asserted.

    python -m comity.exchange.bench [--messages N] [--requests N] [--samples N]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import httpx

from comity.bench import _fmt_ms, _line, _stats
from comity.exchange.testing import Cluster, Node, free_port

_bare = threading.local()  # one SQLite connection per gunicorn thread


def bare_application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """The floor: read the POST body, insert it as one row into SQLite, answer 200."""
    if not hasattr(_bare, "db"):
        db = sqlite3.connect(os.environ["COMITY_BENCH_BARE_DB"], timeout=20, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("CREATE TABLE IF NOT EXISTS message (id INTEGER PRIMARY KEY, body BLOB)")
        _bare.db = db
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    if environ["REQUEST_METHOD"] == "POST":
        db = _bare.db
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO message (body) VALUES (?)", (body,))
        db.execute("COMMIT")
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]


def _bare_node(cluster: Cluster) -> Node:
    root = cluster.root / "bare"
    root.mkdir()
    template = cluster["FRA"]
    return Node(
        name="bare",
        state="FRA",
        root=root,
        port=free_port(),
        web_workers=template.web_workers,
        web_threads=template.web_threads,
        extra_env={"COMITY_BENCH_BARE_DB": str(root / "bare.sqlite3")},
        web_app="comity.exchange.bench:bare_application",
    )


def _bare_posts(url: str, body: bytes, count: int) -> list[float]:
    samples = []
    with httpx.Client(timeout=30) as client:
        for _ in range(min(20, count)):  # warm-up
            client.post(url, content=body)
        for _ in range(count):
            start = time.perf_counter()
            client.post(url, content=body).raise_for_status()
            samples.append(time.perf_counter() - start)
    return samples


def bench_exchange(*, messages: int = 1000, requests: int = 20, samples: int = 30) -> None:
    with Cluster(["FRA", "MEX"]) as cluster:
        fra, mex = cluster["FRA"], cluster["MEX"]
        ids = [
            fra.call("submit", to_state="MEX", title=f"Bench {i}", reference=f"B-{i}")["request"]
            for i in range(requests)
        ]
        cluster.wait_settled(300)
        mex.call("register", request=ids[0], reference="MEX-BENCH")
        cluster.wait_settled(300)

        enqueue = fra.call("bench_enqueue", requests=ids, count=messages)
        cluster.wait_settled(600)
        window = fra.call("bench_window", requests=ids)
        rate = window["delivered"] / window["seconds"]
        sizes = fra.sql("SELECT avg(length(jws)) FROM exchange_outboxmessage WHERE type = 'note'")
        body = b"x" * int(sizes[0][0])

        roundtrip = mex.call("bench_roundtrip", request=ids[0], samples=samples, size=1024 * 1024)["seconds"]

        bare = _bare_node(cluster)
        try:
            bare.start_web()
            url = f"{bare.base_url}/"
            posts = _bare_posts(url, body, messages)
            bare_rate = messages / sum(posts)
            big = _bare_posts(url, os.urandom(1024 * 1024), samples)
            with contextlib.closing(sqlite3.connect(bare.extra_env["COMITY_BENCH_BARE_DB"])) as db:
                rows = db.execute("SELECT count(*) FROM message").fetchone()[0]
        finally:
            bare.stop()

    print(
        f"exchange between two local nodes (separate processes: gunicorn {fra.web_workers} workers x "
        f"{fra.web_threads} threads, comity worker, SQLite each)"
    )
    print(
        f"    sustained: {window['delivered']:,} of {window['count']:,} signed notes over {requests} requests "
        f"in {window['seconds']:.2f} s (enqueued in {enqueue['seconds']:.2f} s): {rate:,.1f} messages/s "
        f"(goal >= 50/s)"
    )
    print(
        f"    bare HTTP POST + SQLite insert ({len(body)} B bodies, one keep-alive client, "
        f"{rows:,} rows): {bare_rate:,.1f} /s;  ratio bare/ours {bare_rate / rate:5.1f}x"
    )
    _line(
        f"round trip of a result with a 1 MB attachment, enqueue -> receipt stored ({samples} samples) "
        "vs bare 1 MB POST + insert",
        roundtrip,
        big,
        f"\n    p95 {_fmt_ms(_stats(roundtrip)[2]).strip()} (goal <= 300 ms)",
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--samples", type=int, default=30)
    args = parser.parse_args(argv)
    bench_exchange(messages=args.messages, requests=args.requests, samples=args.samples)


if __name__ == "__main__":
    main()
