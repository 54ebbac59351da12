"""The delivery worker: sends the outbox, in order per request, with retries and back-off.

A message is *due* when it is pending, its next attempt time has passed, and no earlier message
of its stream (request, from State, to State) is still pending. The worker claims due messages by
moving their next attempt time forward (a lease), so a second worker, or the same one after a
crash, only takes them again once the lease has run out; the receiver's idempotent inbox makes a
second delivery harmless. For each message it uploads the attachments the receiver lacks
(comity.exchange.blobs), posts the JWS to `/node/v1/messages` (or hands it to the local inbox in
hub mode), verifies the signed receipt and stores it. Network errors, 5xx and 409 are retried
with exponential back-off (1 s doubling to 5 minutes); while messages wait because their peer
was unreachable, the worker asks the peer for /node/v1/info every few seconds and, once it
answers, makes them due at once (`wake_reachable_peers`); a receipt saying the receiver parked the
message, or a refusal at the door, ends the attempts (operators see it and can retry).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from typing import Any

import httpx
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from comity.cases.storage import open_blob
from comity.core.tenancy import state_scope, unscoped
from comity.exchange import blobs, envelope, keys
from comity.exchange.models import OutboxMessage, OutboxStatus, Peer
from comity.exchange.outbox import backoff

logger = logging.getLogger(__name__)

LEASE_SECONDS = 60
# A peer that could not be reached is asked for /node/v1/info every PROBE_SECONDS while messages
# to it wait in back-off; once it answers they are due at once (not up to 5 minutes later).
PROBE_SECONDS = 5.0
PROBE_TIMEOUT = httpx.Timeout(3.0, connect=2.0)
UNREACHABLE = "unreachable: "
TIMEOUT = httpx.Timeout(30.0, connect=5.0)
JOSE = "application/jose"


def _due_ids(limit: int, *, local_only: bool = False) -> list[int]:
    now = timezone.now()
    earlier_pending = OutboxMessage.objects.filter(
        state_id=OuterRef("state_id"),
        request_global_id=OuterRef("request_global_id"),
        to_state=OuterRef("to_state"),
        status=OutboxStatus.PENDING,
        seq__lt=OuterRef("seq"),
    )
    qs = OutboxMessage.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now).exclude(
        Exists(earlier_pending)
    )
    if local_only:
        node = keys.local_node_or_none()
        if node is None:
            return []
        qs = qs.filter(to_node=node.node_id)
    return list(qs.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])


def claim(limit: int = 50, *, local_only: bool = False) -> list[tuple[int, int]]:
    """(message pk, state pk) of up to `limit` due messages, leased to this worker."""
    with unscoped(reason="exchange delivery worker: claims due messages of every hosted State"):  # noqa: SIM117
        with transaction.atomic():
            ids = _due_ids(limit, local_only=local_only)
            if not ids:
                return []
            now = timezone.now()
            lease = now + dt.timedelta(seconds=LEASE_SECONDS)
            claimed = list(
                OutboxMessage.objects.filter(
                    pk__in=ids, status=OutboxStatus.PENDING, next_attempt_at__lte=now
                )
                .select_for_update()
                .values_list("pk", "state_id")
            )
            OutboxMessage.objects.filter(pk__in=[pk for pk, _ in claimed]).update(next_attempt_at=lease)
    return claimed


class Deliverer:
    """Holds one HTTP client (keep-alive connections) for a worker's lifetime."""

    def __init__(self, client: httpx.Client | None = None) -> None:
        self.client = client or httpx.Client(timeout=TIMEOUT, http2=False)

    def close(self) -> None:
        self.client.close()

    def run_once(self, *, limit: int = 50, local_only: bool = False) -> int:
        with keys.batch():
            return self._run_once(limit=limit, local_only=local_only)

    def _run_once(self, *, limit: int, local_only: bool) -> int:
        claimed = claim(limit, local_only=local_only)
        for pk, state_id in claimed:
            with state_scope(state_id):
                message = OutboxMessage.objects.select_related("state").filter(pk=pk).first()
                if message is not None and message.status == OutboxStatus.PENDING:
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

    def deliver(self, message: OutboxMessage) -> None:
        node = keys.local_node()
        try:
            if message.to_node == node.node_id:
                from comity.exchange import inbox

                outcome = inbox.receive(message.jws, local=True)
                self._settle(
                    message, outcome.http_status, outcome.receipt, f"{outcome.reason}: {outcome.detail}"
                )
                return
            peer = Peer.objects.filter(node_id=message.to_node, active=True).first()
            if peer is None:
                self._retry(message, f"No active peer {message.to_node!r}.")
                return
            for item in message.attachments:
                self._upload(peer, message, item)
            response = self.client.post(
                f"{peer.base_url}/node/v1/messages",
                content=message.jws.encode(),
                headers={"Content-Type": JOSE},
            )
            if response.status_code == 409 and _error_code(response) == "attachments_missing":
                self._retry(message, "The receiver lacks attachments; uploading again.")
                return
            receipt = response.text if response.headers.get("content-type", "").startswith(JOSE) else ""
            self._settle(message, response.status_code, receipt, response.text[:500])
        except (httpx.TransportError, OSError) as exc:
            self._retry(message, f"{UNREACHABLE}{type(exc).__name__}: {exc}")
        except httpx.HTTPError as exc:
            self._retry(message, f"{type(exc).__name__}: {exc}")
        except blobs.DigestMismatch as exc:
            self._reject(message, str(exc))

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

    def _settle(self, message: OutboxMessage, status: int, receipt_jws: str, error: str) -> None:
        if receipt_jws:
            try:
                verified = envelope.verify(receipt_jws, our_node_id=keys.local_node().node_id)
            except envelope.EnvelopeError as exc:
                self._retry(message, f"Receipt does not verify ({exc.reason}): {exc.detail}")
                return
            receipt = verified.envelope
            payload = receipt["payload"]
            if (
                receipt["type"] != "receipt"
                or payload.get("message_id") != str(message.message_id)
                or payload.get("message_digest") != message.digest
            ):
                self._retry(message, "The receipt is not about this message.")
                return
            delivered = payload.get("status") in ("applied", "duplicate") or payload.get("reason") in (
                "sequence_gap",
                "unknown_request",
            )
            with transaction.atomic():
                message.receipt_jws = receipt_jws
                message.receipt = receipt
                message.attempts += 1
                message.delivered_at = timezone.now()
                message.status = OutboxStatus.DELIVERED if delivered else OutboxStatus.REJECTED
                message.last_error = "" if delivered else f"{payload.get('reason')}: {payload.get('detail')}"
                message.save(
                    update_fields=[
                        "receipt_jws",
                        "receipt",
                        "attempts",
                        "delivered_at",
                        "status",
                        "last_error",
                    ]
                )
            return
        if status in (400, 403, 404, 413, 422):
            self._reject(message, f"HTTP {status}: {error}")
        else:
            self._retry(message, f"HTTP {status}: {error}")

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


def run(*, stop: threading.Event | None = None, batch: bool = False, poll: float = 0.2) -> int:
    """The worker loop (`comity worker`). With `batch`, stop when nothing is due."""
    stop = stop or threading.Event()
    deliverer = Deliverer()
    total = 0
    next_probe = 0.0
    try:
        while not stop.is_set():
            if not batch and time.monotonic() >= next_probe:
                deliverer.wake_reachable_peers()
                next_probe = time.monotonic() + PROBE_SECONDS
            count = deliverer.run_once()
            total += count
            if not count:
                if batch:
                    break
                stop.wait(poll)
    finally:
        deliverer.close()
    return total
