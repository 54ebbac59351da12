"""`comity worker`: the threads that send the outbox, and how they are woken.

`run` claims due messages (comity.exchange.delivery.claim) and hands them, grouped by peer, to
COMITY_EXCHANGE_SENDERS sender threads (default 4), each with its own HTTP client (keep-alive
connections to each peer) and database connection. A claim holds at most one message per
stream, so two threads never send the same stream. A thread posts its group's messages to the
peer together when the peer takes several (COMITY_EXCHANGE_BATCH, docs/protocol.md 2.1). Once
it has a message's receipt, it sends the next message of that stream at once, for at most
CHAIN_LIMIT rounds; then the streams go back to the queue, so that none waits behind a long one.

The receipts the senders verify go to one settler thread, which stores them in batches, one
transaction each, and in the same transaction leases the next message of each stream (until
then the message itself, still pending and leased, keeps every other worker off its stream).
So the senders never wait for the database's write lock between two messages. If the worker
dies before a receipt is stored, the message is sent again once its lease runs out, and the
receiver answers with the receipt it stored.

A keeper thread renews the leases of the messages in hand every third of
COMITY_EXCHANGE_LEASE_SECONDS, so a long upload is never taken over by another worker, and a
killed worker's messages wait at most one lease.

The dispatching thread sleeps until a message is committed (comity.exchange.wake), a sender is
free, a receipt is stored, the next retry falls due, or `poll` seconds pass (the safety net).
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
import time
from collections.abc import Callable

import httpx
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from comity.core.tenancy import state_scope
from comity.exchange import keys, wake
from comity.exchange.delivery import (
    PROBE_SECONDS,
    Deliverer,
    Receipt,
    batch_size,
    claim,
    default_client,
    lease_seconds,
    next_due,
    renew_leases,
    store_receipt,
)
from comity.exchange.models import OutboxMessage

logger = logging.getLogger(__name__)

POLL_SECONDS = 2.0  # the safety net: wake-ups and retry times normally decide when to look
CHAIN_LIMIT = 25  # rounds a sender follows its streams before they go back to the queue
SETTLE_BATCH = 50  # receipts stored in one transaction
SHUTDOWN_SECONDS = 30.0  # how long a stopping worker waits for its senders to finish a message

ClientFactory = Callable[[], httpx.Client]


class Senders:
    """The sender threads of a worker, its settler, and the leases of the messages they hold.

    Each sender thread has its own Deliverer (HTTP client) and database connection. A job is a
    group of claimed messages to one peer, one per stream; the thread posts them (together when
    the peer takes several), then the next message of each delivered stream, for at most
    CHAIN_LIMIT rounds (`Deliverer.deliver_group(lease_next=True)`). The receipts it verifies go
    to the settler thread, which stores them in batches, one transaction each, and leases the
    next message of each stream, so the senders never wait for the database's write lock between
    two posts. A keeper thread renews the leases held (every third of a lease) until the receipt
    is stored.
    """

    def __init__(self, count: int, *, client_factory: ClientFactory, on_free: Callable[[], None]) -> None:
        if count < 1:
            raise ValueError("a worker needs at least one sender")
        self.count = count
        self._client_factory = client_factory
        self._on_free = on_free
        self._jobs: queue.SimpleQueue[list[OutboxMessage] | None] = queue.SimpleQueue()
        self._receipts: queue.SimpleQueue[Receipt | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._busy = 0
        self._held: dict[int, dt.datetime] = {}  # message pk -> its lease, as stored
        self._settling: set[int] = set()  # messages whose receipt waits for the settler
        self.stopping = threading.Event()  # finish the message in hand, take no other
        self._finished = threading.Event()  # the settler has ended: stop renewing leases
        self._senders = [
            threading.Thread(target=self._work, name=f"comity-sender-{n + 1}", daemon=True)
            for n in range(count)
        ]
        self._settler = threading.Thread(target=self._settle, name="comity-settler", daemon=True)
        self._keeper = threading.Thread(target=self._keep_leases, name="comity-leases", daemon=True)
        for thread in [*self._senders, self._settler, self._keeper]:
            thread.start()

    def free(self) -> int:
        with self._lock:
            return self.count - self._busy

    def held(self) -> dict[int, dt.datetime]:
        with self._lock:
            return dict(self._held)

    def submit(self, messages: list[OutboxMessage]) -> None:
        """Hand claimed messages to the senders: spread over the free ones, in groups of one
        peer's messages that are posted together (`Deliverer.deliver_group`)."""
        groups = _groups(messages, max(self.free(), 1))
        with self._lock:
            self._busy += len(groups)
            for message in messages:
                self._held[message.pk] = message.next_attempt_at
        for group in groups:
            self._jobs.put(group)

    def stop(self, timeout: float = SHUTDOWN_SECONDS) -> None:
        """Finish the messages in hand (without taking the next of their streams), store their
        receipts, then end. A sender still busy after `timeout` keeps its lease until it runs out."""
        self.stopping.set()
        for _sender in self._senders:
            self._jobs.put(None)
        deadline = time.monotonic() + timeout
        for thread in self._senders:
            thread.join(max(deadline - time.monotonic(), 0.0))
        self._receipts.put(None)
        self._settler.join(max(deadline - time.monotonic(), 5.0))
        self._finished.set()
        self._keeper.join(5.0)

    # --- sender threads ------------------------------------------------------------------------
    def _work(self) -> None:
        deliverer = Deliverer(client=self._client_factory(), settle_later=self._settle_later)
        try:
            while (group := self._jobs.get()) is not None:
                try:
                    _usable_connection()
                    self._send_streams(deliverer, group)
                except Exception:  # the messages stay leased and are sent again after the lease
                    logger.exception("exchange: sending %d message(s) failed", len(group))
                finally:
                    with self._lock:
                        self._busy -= 1
                    self._on_free()
        finally:
            deliverer.close()
            connection.close()

    def _send_streams(self, deliverer: Deliverer, group: list[OutboxMessage]) -> None:
        """Send the group, then the next message of each of its streams, and so on: at most
        CHAIN_LIMIT rounds, then the streams go back to the queue."""
        rounds = 0
        while group:
            rounds += 1
            follow = rounds < CHAIN_LIMIT and not self.stopping.is_set()
            try:
                with keys.batch():  # node identity, keys and peer read once per round
                    following = deliverer.deliver_group(group, lease_next=follow)
            finally:
                with self._lock:
                    for message in group:
                        if message.pk not in self._settling:  # retried or refused: not ours any more
                            self._held.pop(message.pk, None)
            group = following

    def _settle_later(self, receipt: Receipt) -> None:
        with self._lock:
            self._settling.add(receipt.message.pk)
        self._receipts.put(receipt)

    # --- settler thread ------------------------------------------------------------------------
    def _settle(self) -> None:
        try:
            stopping = False
            while not stopping:
                first = self._receipts.get()
                batch = [first] if first is not None else []
                stopping = first is None
                while not stopping and len(batch) < SETTLE_BATCH:
                    try:
                        receipt = self._receipts.get_nowait()
                    except queue.Empty:
                        break
                    if receipt is None:
                        stopping = True
                    else:
                        batch.append(receipt)
                if batch:
                    self._store(batch)
        finally:
            connection.close()

    def _store(self, batch: list[Receipt]) -> None:
        leases: dict[int, dt.datetime] = {}
        try:
            _usable_connection()
            with transaction.atomic():
                for receipt in batch:
                    with state_scope(receipt.message.state_id):
                        lease = store_receipt(receipt)
                    if lease is not None and receipt.following is not None:
                        leases[receipt.following.pk] = lease
        except Exception:  # nothing stored: the messages are sent again once their leases run out
            logger.exception("exchange: could not store %d receipt(s)", len(batch))
            leases = {}
        settled = {receipt.message.pk for receipt in batch}
        with self._lock:
            for pk in settled:
                self._settling.discard(pk)
                self._held.pop(pk, None)
            self._held.update({pk: lease for pk, lease in leases.items() if pk not in settled})
        self._on_free()  # the next message of a stream may be due now

    # --- lease keeper --------------------------------------------------------------------------
    def _keep_leases(self) -> None:
        interval = lease_seconds() / 3
        try:
            while not self._finished.wait(interval):
                held = self.held()
                try:
                    _usable_connection()
                    renewed = renew_leases(held)
                except Exception:
                    logger.exception("exchange: could not renew the leases of the messages being sent")
                    continue
                with self._lock:
                    for pk, lease in held.items():
                        if self._held.get(pk) != lease:
                            continue  # changed meanwhile (stored, or leased again by the settler)
                        if pk in renewed:
                            self._held[pk] = renewed[pk]
                        else:  # settled, in back-off, or taken over: not ours any more
                            del self._held[pk]
        finally:
            connection.close()


def _groups(messages: list[OutboxMessage], senders: int) -> list[list[OutboxMessage]]:
    """Each peer's messages in about equal groups for `senders` threads, of at most
    `batch_size()` each (a claim holds one message per stream: a group never has two of one)."""
    by_peer: dict[str, list[OutboxMessage]] = {}
    for message in messages:
        by_peer.setdefault(message.to_node, []).append(message)
    groups = []
    for items in by_peer.values():
        size = min(batch_size(), max(1, -(-len(items) // senders)))
        groups += [items[start : start + size] for start in range(0, len(items), size)]
    return groups


def _usable_connection() -> None:
    """A worker thread keeps its database connection (as the worker always did, whatever the
    web's CONN_MAX_AGE), unless an error left it unusable: then the next query opens another."""
    if connection.connection is None:
        return
    if connection.errors_occurred:
        if connection.is_usable():
            connection.errors_occurred = False
        else:
            connection.close()


def run(
    *,
    stop: threading.Event | None = None,
    batch: bool = False,
    poll: float = POLL_SECONDS,
    senders: int | None = None,
    client_factory: ClientFactory | None = None,
) -> int:
    """The worker loop (`comity worker`); returns how many messages it claimed. With `batch`,
    send what is due in this thread and stop when nothing is due."""
    stop = stop or threading.Event()
    factory = client_factory or default_client
    if batch:
        deliverer = Deliverer(client=factory())
        total = 0
        try:
            while not stop.is_set() and (count := deliverer.run_once()):
                total += count
        finally:
            deliverer.close()
        return total
    listener = wake.Listener()
    pool = Senders(
        senders or settings.COMITY_EXCHANGE_SENDERS, client_factory=factory, on_free=listener.interrupt
    )
    prober = Deliverer(client=factory())

    ended = threading.Event()

    def interrupt_on_stop() -> None:  # `stop` is set by a signal handler: end the wait at once
        while not stop.wait(1.0):
            if ended.is_set():
                return
        listener.interrupt()

    threading.Thread(target=interrupt_on_stop, name="comity-stop", daemon=True).start()
    total = 0
    next_probe = 0.0
    try:
        while not stop.is_set():
            if time.monotonic() >= next_probe:
                prober.wake_reachable_peers()
                next_probe = time.monotonic() + PROBE_SECONDS
            free = pool.free()
            claimed = claim(free * batch_size()) if free > 0 else []
            if claimed:
                pool.submit(claimed)
                total += len(claimed)
                continue
            timeout = poll
            if free > 0:
                due = next_due()
                if due is not None:
                    timeout = min(timeout, (due - timezone.now()).total_seconds())
            if prober.peers_waiting:
                timeout = min(timeout, next_probe - time.monotonic())
            listener.wait(max(timeout, 0.01))
    finally:
        ended.set()
        pool.stop()
        listener.close()
        prober.close()
        connection.close()
    return total
