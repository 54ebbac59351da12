"""Sending the outbox: claims and leases, one message or several to a peer, signed receipts.

A message is *due* when it is pending, its next attempt time has passed, and no earlier message
of its stream (request, from State, to State) is still pending. A worker claims due messages by
moving their next attempt time forward (a lease, COMITY_EXCHANGE_LEASE_SECONDS), so a second
worker, or the same one after a crash, only takes them again once the lease has run out; the
receiver's idempotent inbox makes a second delivery harmless. A claim holds at most one message
per stream, so a stream never has two messages in flight. The worker's threads, wake-ups and
lease renewal are in comity.exchange.senders.

`Deliverer` sends: for each message it uploads the attachments the receiver lacks (comity.
exchange.blobs), posts the JWS to `/node/v1/messages` (or hands it to the local inbox in hub
mode), verifies the signed receipt and stores it. Messages of different streams to one peer go
in one post when the peer takes several (docs/protocol.md 2.1, COMITY_EXCHANGE_BATCH); each is
handled there exactly as if posted alone. Once a message is delivered, the sender may lease the
next one of its stream and send it at once (`lease_next`). Network errors, 5xx and 409 are
retried with exponential back-off (1 s doubling to 5 minutes); while messages wait because their
peer was unreachable, the worker asks the peer for /node/v1/info every few seconds and, once it
answers, makes them due at once (`wake_reachable_peers`); a receipt saying the receiver parked
the message, or a refusal at the door, ends the attempts (operators see it and can retry).
"""

from __future__ import annotations

import datetime as dt
import logging
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Min, OuterRef, QuerySet
from django.utils import timezone

from comity.cases.storage import open_blob
from comity.core.tenancy import state_scope, unscoped
from comity.exchange import blobs, envelope, keys
from comity.exchange.models import OutboxMessage, OutboxStatus, Peer
from comity.exchange.outbox import backoff

logger = logging.getLogger(__name__)

# A peer that could not be reached is asked for /node/v1/info every PROBE_SECONDS while messages
# to it wait in back-off; once it answers they are due at once (not up to 5 minutes later).
PROBE_SECONDS = 5.0
PROBE_TIMEOUT = httpx.Timeout(3.0, connect=2.0)
UNREACHABLE = "unreachable: "
TIMEOUT = httpx.Timeout(30.0, connect=5.0)
JOSE = "application/jose"
BATCH = "application/json"  # several messages in one post (docs/protocol.md 2.1)
BATCH_BYTES = 1024 * 1024  # at most this much JWS in one post of several
ONE_AT_A_TIME_SECONDS = 600.0  # a peer that refused a post of several gets single ones this long
CLAIMS = "exchange delivery worker: claims and leases due messages of every hosted State"


def lease_seconds() -> int:
    return int(getattr(settings, "COMITY_EXCHANGE_LEASE_SECONDS", 15))


def _lease_until(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(seconds=lease_seconds())


def _stream_heads() -> QuerySet[OutboxMessage]:
    """Pending messages with no earlier pending message in their stream (call unscoped)."""
    earlier_pending = OutboxMessage.objects.filter(
        state_id=OuterRef("state_id"),
        request_global_id=OuterRef("request_global_id"),
        to_state=OuterRef("to_state"),
        status=OutboxStatus.PENDING,
        seq__lt=OuterRef("seq"),
    )
    return OutboxMessage.objects.filter(status=OutboxStatus.PENDING).exclude(Exists(earlier_pending))


def _due_ids(limit: int, *, local_only: bool = False) -> list[int]:
    qs = _stream_heads().filter(next_attempt_at__lte=timezone.now())
    if local_only:
        node = keys.local_node_or_none()
        if node is None:
            return []
        qs = qs.filter(to_node=node.node_id)
    return list(qs.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])


def next_due() -> dt.datetime | None:
    """When the earliest stream head falls due (now or in the past: due already)."""
    with unscoped(reason=CLAIMS):
        return _stream_heads().aggregate(first=Min("next_attempt_at"))["first"]


def claim(limit: int = 50, *, local_only: bool = False) -> list[OutboxMessage]:
    """Up to `limit` due messages (with their State), leased to this worker: at most one per stream."""
    with unscoped(reason=CLAIMS):
        if not _due_ids(limit, local_only=local_only):  # read first: no write lock when idle
            return []
        with transaction.atomic():
            ids = _due_ids(limit, local_only=local_only)
            now = timezone.now()
            lease = _lease_until(now)
            claimed = list(
                OutboxMessage.objects.filter(
                    pk__in=ids, status=OutboxStatus.PENDING, next_attempt_at__lte=now
                )
                .select_for_update()
                .values_list("pk", flat=True)
            )
            if not claimed:
                return []
            OutboxMessage.objects.filter(pk__in=claimed).update(next_attempt_at=lease)
            return list(OutboxMessage.objects.select_related("state").filter(pk__in=claimed).order_by("pk"))


def _next_in_stream(message: OutboxMessage) -> OutboxMessage | None:
    """The message to send after `message` in its stream, if it is due now (one in back-off waits
    for its time; anything unusual, such as an earlier message made pending again by an
    operator, is left to the dispatcher)."""
    following = (
        OutboxMessage.objects.filter(
            state_id=message.state_id,
            request_global_id=message.request_global_id,
            to_state=message.to_state,
            status=OutboxStatus.PENDING,
        )
        .exclude(pk=message.pk)
        .order_by("seq")
        .first()
    )
    if following is None or following.seq < message.seq or following.next_attempt_at > timezone.now():
        return None
    following.state = message.state  # the same State: no need to read it again
    return following


def _lease(pk: int, as_read: dt.datetime) -> dt.datetime | None:
    """Lease a pending message whose next attempt time is still `as_read`; the lease, or None."""
    lease = _lease_until(timezone.now())
    taken = OutboxMessage.objects.filter(pk=pk, status=OutboxStatus.PENDING, next_attempt_at=as_read).update(
        next_attempt_at=lease
    )
    return lease if taken else None


@dataclass
class Receipt:
    """A verified receipt for `message`. Delivered, with `following`: the next message of the
    stream, which the same sender already sends; it is leased when the receipt is stored (until
    then the message itself, still pending and leased, keeps every other worker off the stream)."""

    message: OutboxMessage
    jws: str
    envelope: dict[str, Any]
    delivered: bool
    following: OutboxMessage | None = None
    following_as_read: dt.datetime | None = None


def store_receipt(receipt: Receipt) -> dt.datetime | None:
    """Store a receipt on its message (in a transaction, in the message's State scope); the lease
    taken on the following message, if there is one and it is still as it was read."""
    message, payload = receipt.message, receipt.envelope["payload"]
    message.receipt_jws = receipt.jws
    message.receipt = receipt.envelope
    message.attempts += 1
    message.delivered_at = timezone.now()
    message.status = OutboxStatus.DELIVERED if receipt.delivered else OutboxStatus.REJECTED
    message.last_error = "" if receipt.delivered else f"{payload.get('reason')}: {payload.get('detail')}"
    message.save(update_fields=["receipt_jws", "receipt", "attempts", "delivered_at", "status", "last_error"])
    if receipt.following is None or receipt.following_as_read is None:
        return None
    return _lease(receipt.following.pk, receipt.following_as_read)


def renew_leases(held: dict[int, dt.datetime]) -> dict[int, dt.datetime]:
    """Extend the leases this worker holds ({pk: lease as stored}); returns the renewed ones
    with their new lease. A message settled, put in back-off, or taken over by another worker
    meanwhile (its stored time is no longer ours) is left alone."""
    if not held:
        return {}
    until = _lease_until(timezone.now())
    renewed = {}
    with unscoped(reason="exchange delivery worker: renews the leases of the messages it sends"):  # noqa: SIM117
        with transaction.atomic():
            for pk, lease in held.items():
                if OutboxMessage.objects.filter(
                    pk=pk, status=OutboxStatus.PENDING, next_attempt_at=lease
                ).update(next_attempt_at=until):
                    renewed[pk] = until
    return renewed


class Deliverer:
    """Sends messages with one HTTP client (keep-alive connections); one per sender thread.

    Receipts are stored in this thread, or, with `settle_later`, handed to the worker's settler
    (comity.exchange.senders), which stores them in batches while this thread goes on.
    """

    def __init__(
        self, client: httpx.Client | None = None, *, settle_later: Callable[[Receipt], None] | None = None
    ) -> None:
        self._client = client
        self.settle_later = settle_later
        self.peers_waiting = False  # the last probe found messages waiting for an unreachable peer
        self._one_at_a_time: dict[str, float] = {}  # peer node id -> until (monotonic): no batches

    @property
    def client(self) -> httpx.Client:
        """Made when first needed (local delivery in a hub needs none)."""
        if self._client is None:
            self._client = default_client()
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def run_once(self, *, limit: int = 50, local_only: bool = False) -> int:
        """Claim what is due and send it, one message after the other, in this thread."""
        with keys.batch():
            claimed = claim(limit, local_only=local_only)
            for message in claimed:
                with state_scope(message.state_id):
                    self.deliver(message)
        return len(claimed)

    def wake_reachable_peers(self) -> int:
        """Messages waiting in back-off because their peer was unreachable: probe each such peer
        once; for those that answer again, make the messages due now. Returns how many."""
        later = timezone.now() + dt.timedelta(seconds=PROBE_SECONDS)
        reason = "exchange delivery worker: finds and wakes messages to peers that answer again"
        with unscoped(reason=reason):
            waiting = OutboxMessage.objects.filter(
                status=OutboxStatus.PENDING, next_attempt_at__gt=later, last_error__startswith=UNREACHABLE
            )
            nodes = set(waiting.values_list("to_node", flat=True).distinct())
            self.peers_waiting = bool(nodes)
            woken = 0
            for peer in Peer.objects.filter(node_id__in=nodes, active=True):
                try:
                    answered = self.client.get(f"{peer.base_url}/node/v1/info", timeout=PROBE_TIMEOUT)
                except httpx.HTTPError:
                    continue
                if answered.status_code == 200:
                    woken += waiting.filter(to_node=peer.node_id).update(next_attempt_at=timezone.now())
        if woken:
            logger.info("exchange: %d message(s) due again: their peers answer", woken)
        return woken

    def deliver(self, message: OutboxMessage, *, lease_next: bool = False) -> OutboxMessage | None:
        """Send one pending message (inside its State's scope) and store the outcome. With
        `lease_next`, once it is delivered, lease the next message of its stream in the same
        transaction and return it (None: nothing due in that stream)."""
        if message.status != OutboxStatus.PENDING:
            return None
        node = keys.local_node()
        try:
            if message.to_node == node.node_id:
                from comity.exchange import inbox

                outcome = inbox.receive(message.jws, local=True)
                return self._settle(
                    message,
                    outcome.http_status,
                    outcome.receipt,
                    f"{outcome.reason}: {outcome.detail}",
                    lease_next=lease_next,
                )
            peer = _peer(message.to_node)
            if peer is None:
                self._retry(message, f"No active peer {message.to_node!r}.")
                return None
            for item in message.attachments:
                self._upload(peer, message, item)
            response = self.client.post(
                f"{peer.base_url}/node/v1/messages",
                content=message.jws.encode(),
                headers={"Content-Type": JOSE},
            )
            if response.status_code == 409 and _error_code(response) == "attachments_missing":
                self._retry(message, "The receiver lacks attachments; uploading again.")
                return None
            receipt = response.text if response.headers.get("content-type", "").startswith(JOSE) else ""
            return self._settle(
                message, response.status_code, receipt, response.text[:500], lease_next=lease_next
            )
        except (httpx.TransportError, OSError) as exc:
            self._retry(message, f"{UNREACHABLE}{type(exc).__name__}: {exc}")
        except httpx.HTTPError as exc:
            self._retry(message, f"{type(exc).__name__}: {exc}")
        except blobs.DigestMismatch as exc:
            self._reject(message, str(exc))
        return None

    def deliver_group(
        self, messages: list[OutboxMessage], *, lease_next: bool = False
    ) -> list[OutboxMessage]:
        """Send messages of different streams to one peer: several in one post when it takes them
        (docs/protocol.md 2.1), one by one otherwise (and always those with attachments, and
        deliveries to this node). With `lease_next`, the next message of each delivered stream."""
        following: list[OutboxMessage] = []
        together: list[OutboxMessage] = []
        for message in messages:
            if message.status != OutboxStatus.PENDING:
                continue
            if message.attachments or not self._batches_to(message.to_node):
                following += self._one(message, lease_next=lease_next)
            else:
                together.append(message)
        for chunk in _chunks(together):
            following += self._together(chunk, lease_next=lease_next)
        return following

    def _one(self, message: OutboxMessage, *, lease_next: bool) -> list[OutboxMessage]:
        with state_scope(message.state_id):
            following = self.deliver(message, lease_next=lease_next)
        return [following] if following is not None else []

    def _batches_to(self, node_id: str) -> bool:
        if batch_size() < 2 or node_id == keys.local_node().node_id:
            return False
        return self._one_at_a_time.get(node_id, 0.0) < time.monotonic()

    def _together(self, messages: list[OutboxMessage], *, lease_next: bool) -> list[OutboxMessage]:
        if len(messages) == 1:
            return self._one(messages[0], lease_next=lease_next)
        node_id = messages[0].to_node
        peer = _peer(node_id)
        if peer is None:
            self._retry_all(messages, f"No active peer {node_id!r}.")
            return []
        try:
            response = self.client.post(
                f"{peer.base_url}/node/v1/messages",
                content=orjson.dumps({"messages": [message.jws for message in messages]}),
                headers={"Content-Type": BATCH},
            )
        except (httpx.TransportError, OSError) as exc:
            self._retry_all(messages, f"{UNREACHABLE}{type(exc).__name__}: {exc}")
            return []
        except httpx.HTTPError as exc:
            self._retry_all(messages, f"{type(exc).__name__}: {exc}")
            return []
        results = _batch_results(response, len(messages))
        if results is None:
            if response.status_code in (400, 404, 405, 413, 415):
                # A peer that takes one message per post (or not this post): one at a time.
                logger.info(
                    "exchange: %s takes one message per post (HTTP %s)", node_id, response.status_code
                )
                self._one_at_a_time[node_id] = time.monotonic() + ONE_AT_A_TIME_SECONDS
                return [f for message in messages for f in self._one(message, lease_next=lease_next)]
            self._retry_all(messages, f"HTTP {response.status_code}: {response.text[:500]}")
            return []
        following = []
        for message, result in zip(messages, results, strict=True):
            with state_scope(message.state_id):
                status, receipt = result["status"], str(result.get("receipt") or "")
                error = f"{result.get('error')}: {result.get('detail')}"[:500]
                if status == 409 and result.get("error") == "attachments_missing":
                    self._retry(message, "The receiver lacks attachments; uploading again.")
                    continue
                nxt = self._settle(message, status, receipt, error, lease_next=lease_next)
            if nxt is not None:
                following.append(nxt)
        return following

    def _retry_all(self, messages: list[OutboxMessage], error: str) -> None:
        for message in messages:
            with state_scope(message.state_id):
                self._retry(message, error)

    def _upload(self, peer: Peer, message: OutboxMessage, item: dict[str, Any]) -> None:
        sha, size = item["sha256"], item["size"]
        url = f"{peer.base_url}/node/v1/blobs/{sha}"
        params = {"to_state": message.to_state, "size": str(size)}

        def auth() -> dict[str, str]:
            token = blobs.blob_token(
                to_node=message.to_node, to_state=message.to_state, sha256=sha, size=size
            )
            return {"Authorization": f"Comity-JWS {token}"}

        head = self.client.head(url, params=params, headers=auth())
        head.raise_for_status()
        if head.headers.get("Upload-Complete") == "1":
            return
        offset = int(head.headers.get("Upload-Offset", "0"))
        stream = open_blob(state_code=message.state.code, sha256=sha)
        try:
            buffer = bytearray()
            position = 0
            for chunk in stream:
                if position + len(chunk) <= offset:
                    position += len(chunk)
                    continue
                if position < offset:
                    chunk = chunk[offset - position :]
                    position = offset
                buffer += chunk
                position += len(chunk)
                while len(buffer) >= blobs.PART_BYTES:
                    offset = self._patch(url, params, auth, offset, bytes(buffer[: blobs.PART_BYTES]))
                    del buffer[: blobs.PART_BYTES]
            if buffer or offset < size:
                offset = self._patch(url, params, auth, offset, bytes(buffer))
        finally:
            stream.close()

    def _patch(self, url: str, params: dict[str, str], auth: Any, offset: int, part: bytes) -> int:
        response = self.client.patch(
            url,
            params=params,
            content=part,
            headers={**auth(), "Upload-Offset": str(offset), "Content-Type": "application/octet-stream"},
        )
        if response.status_code == 422:
            raise blobs.DigestMismatch(response.text[:300])
        response.raise_for_status()
        return int(response.headers.get("Upload-Offset", offset + len(part)))

    def _settle(
        self, message: OutboxMessage, status: int, receipt_jws: str, error: str, *, lease_next: bool = False
    ) -> OutboxMessage | None:
        if receipt_jws:
            try:
                verified = envelope.verify(receipt_jws, our_node_id=keys.local_node().node_id)
            except envelope.EnvelopeError as exc:
                self._retry(message, f"Receipt does not verify ({exc.reason}): {exc.detail}")
                return None
            receipt = verified.envelope
            payload = receipt["payload"]
            if (
                receipt["type"] != "receipt"
                or payload.get("message_id") != str(message.message_id)
                or payload.get("message_digest") != message.digest
            ):
                self._retry(message, "The receipt is not about this message.")
                return None
            delivered = payload.get("status") in ("applied", "duplicate") or payload.get("reason") in (
                "sequence_gap",
                "unknown_request",
            )
            verified_receipt = Receipt(message, receipt_jws, receipt, delivered)
            if self.settle_later is not None:
                following = _next_in_stream(message) if delivered and lease_next else None
                if following is not None:
                    verified_receipt.following = following
                    verified_receipt.following_as_read = following.next_attempt_at
                self.settle_later(verified_receipt)
                return following
            with transaction.atomic():
                store_receipt(verified_receipt)
                following = _next_in_stream(message) if delivered and lease_next else None
                if following is None:
                    return None
                lease = _lease(following.pk, following.next_attempt_at)
                if lease is None:
                    return None
                following.next_attempt_at = lease
                return following
        if status in (400, 403, 404, 413, 422):
            self._reject(message, f"HTTP {status}: {error}")
        else:
            self._retry(message, f"HTTP {status}: {error}")
        return None

    def _retry(self, message: OutboxMessage, error: str) -> None:
        message.attempts += 1
        message.next_attempt_at = timezone.now() + backoff(message.attempts)
        message.last_error = error[:2000]
        message.save(update_fields=["attempts", "next_attempt_at", "last_error"])
        logger.info("exchange: message %s will be retried: %s", message.message_id, error)

    def _reject(self, message: OutboxMessage, error: str) -> None:
        message.attempts += 1
        message.status = OutboxStatus.REJECTED
        message.last_error = error[:2000]
        message.save(update_fields=["attempts", "status", "last_error"])
        logger.warning("exchange: message %s refused: %s", message.message_id, error)


def _peer(node_id: str) -> Peer | None:
    """The active peer `node_id`, read once per batch (comity.exchange.keys.batch)."""
    peer: Peer | None = keys.remembered(
        ("peer", node_id), lambda: Peer.objects.filter(node_id=node_id, active=True).first()
    )
    return peer


def batch_size() -> int:
    return int(getattr(settings, "COMITY_EXCHANGE_BATCH", 16))


def _chunks(messages: list[OutboxMessage]) -> list[list[OutboxMessage]]:
    """Posts to one peer each, of at most `batch_size()` messages and BATCH_BYTES of JWS."""
    chunks: list[list[OutboxMessage]] = []
    size = 0
    for message in sorted(messages, key=lambda m: m.to_node):
        if (
            not chunks
            or chunks[-1][0].to_node != message.to_node
            or len(chunks[-1]) >= batch_size()
            or size + len(message.jws) > BATCH_BYTES
        ):
            chunks.append([])
            size = 0
        chunks[-1].append(message)
        size += len(message.jws)
    return chunks


def _batch_results(response: httpx.Response, count: int) -> list[dict[str, Any]] | None:
    """The per-message results of a post of several, or None if it is not such an answer."""
    if response.status_code != 200 or not response.headers.get("content-type", "").startswith(BATCH):
        return None
    try:
        results = response.json().get("results")
    except (ValueError, AttributeError):
        return None
    if not isinstance(results, list) or len(results) != count:
        return None
    for result in results:
        if not isinstance(result, dict) or not isinstance(result.get("status"), int):
            return None
    return results


def _error_code(response: httpx.Response) -> str:
    try:
        return str(response.json().get("error", ""))
    except ValueError:
        return ""


def deliver_pending_local() -> None:
    """Hub mode without a worker: deliver what is due between tenants of this node, now."""
    deliverer = Deliverer(client=None)
    try:
        for _round in range(100):  # each delivery may cause answers; bounded
            if not deliverer.run_once(local_only=True):
                break
    except Exception:
        logger.exception("exchange: local delivery failed; the worker will retry")
    finally:
        deliverer.close()


_tls_lock = threading.Lock()
_tls: list[ssl.SSLContext] = []


def default_client() -> httpx.Client:
    """An HTTP client with keep-alive connections. Every client of the process shares one TLS
    context (loading the certificate authorities costs a fifth of a second of CPU each time)."""
    with _tls_lock:
        if not _tls:
            _tls.append(httpx.create_ssl_context())
    return httpx.Client(timeout=TIMEOUT, http2=False, verify=_tls[0])
