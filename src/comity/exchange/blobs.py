"""Attachments in transit: content-addressed, resumable, digest-checked, never held in memory.

The sending node pushes each attachment a message lists before the message itself:
`HEAD /node/v1/blobs/<sha256>` tells how much has arrived (`Upload-Offset`), and each
`PATCH` appends one part at that offset (8 MiB by default; a part at the wrong offset is
refused with the right one). When the last byte arrives the file is hashed; a mismatch deletes
it. Parts are staged as plain files under `<data dir>/exchange/` (the transfer buffer, readable
only by the service account) and moved into the receiving State's encrypted store when the
message that lists them is applied, then deleted. Each call carries a short-lived token signed
with the sender's node key (`blob_token`), so only trusted peers can upload.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import orjson
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from joserfc import jws
from joserfc.errors import JoseError

from comity.core.errors import ComityError, InvalidInput, NotAllowed
from comity.exchange import keys
from comity.exchange.models import ReceivedBlob
from comity.lib.canonical import canonical_json

PART_BYTES = 8 * 1024 * 1024
READ_BYTES = 1024 * 1024
TOKEN_LIFETIME = dt.timedelta(minutes=5)
BLOB_TYP = "comity-blob+jws"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_STATE = re.compile(r"^[A-Z]{3}$")


class OffsetMismatch(ComityError):
    code = "offset_mismatch"
    status = 409

    def __init__(self, offset: int) -> None:
        super().__init__(f"The upload is at byte {offset}.")
        self.offset = offset


class DigestMismatch(ComityError):
    code = "digest_mismatch"
    status = 422


def _root() -> Path:
    return Path(settings.DATA_DIR) / "exchange"


def _safe(node_id: str) -> str:
    return hashlib.sha256(node_id.encode()).hexdigest()[:24]


def staged_path(*, to_state: str, from_node: str, sha256: str) -> Path:
    if not _SHA256.match(sha256) or not _STATE.match(to_state):
        raise InvalidInput("sha256", "Not a SHA-256 digest (64 lowercase hex digits).")
    return _root() / to_state / _safe(from_node) / sha256


def is_complete(*, to_state: str, from_node: str, sha256: str) -> bool:
    return ReceivedBlob.objects.filter(
        to_state=to_state, from_node=from_node, sha256=sha256, complete=True
    ).exists()


def read_staged(*, to_state: str, from_node: str, sha256: str) -> Iterator[bytes]:
    path = staged_path(to_state=to_state, from_node=from_node, sha256=sha256)
    with path.open("rb") as handle:
        while chunk := handle.read(READ_BYTES):
            yield chunk


def discard_staged(envelope: dict[str, Any]) -> None:
    """After the message that lists them was applied: the staged copies are no longer needed."""
    for item in envelope.get("attachments") or []:
        sha = item.get("sha256", "")
        if not _SHA256.match(str(sha)):
            continue
        ReceivedBlob.objects.filter(
            to_state=envelope["to_state"], from_node=envelope["from_node"], sha256=sha
        ).delete()
        staged_path(to_state=envelope["to_state"], from_node=envelope["from_node"], sha256=sha).unlink(
            missing_ok=True
        )


def blob_offset(*, to_state: str, from_node: str, sha256: str, size: int) -> tuple[int, bool]:
    """(bytes received so far, complete) for an upload; starts one if none."""
    if not isinstance(size, int) or size < 0 or size > settings.COMITY_ATTACHMENT_MAX_BYTES:
        raise InvalidInput(
            "size", f"Size must be between 0 and {settings.COMITY_ATTACHMENT_MAX_BYTES} bytes."
        )
    row, _ = ReceivedBlob.objects.get_or_create(
        to_state=to_state, from_node=from_node, sha256=sha256, defaults={"size": size}
    )
    if row.size != size:
        raise InvalidInput("size", f"This upload was started with a size of {row.size} bytes.")
    path = staged_path(to_state=to_state, from_node=from_node, sha256=sha256)
    on_disk = path.stat().st_size if path.exists() else 0
    if on_disk != row.received:  # a crash between the write and the commit: trust the smaller
        row.received = min(on_disk, row.received)
        if path.exists():
            os.truncate(path, row.received)
        row.save(update_fields=["received", "updated_at"])
    return row.received, row.complete


def blob_append(
    *, to_state: str, from_node: str, sha256: str, size: int, offset: int, stream: BinaryIO, length: int
) -> tuple[int, bool]:
    """Append `length` bytes read from `stream` at `offset`; returns (new offset, complete)."""
    if not isinstance(length, int) or length < 0 or length > PART_BYTES * 2:
        raise InvalidInput(
            "Content-Length", f"Send parts of at most {PART_BYTES * 2} bytes with a Content-Length."
        )
    with transaction.atomic():
        received, complete = blob_offset(to_state=to_state, from_node=from_node, sha256=sha256, size=size)
        row = ReceivedBlob.objects.select_for_update().get(
            to_state=to_state, from_node=from_node, sha256=sha256
        )
        if complete:
            return row.received, True
        if offset != received:
            raise OffsetMismatch(received)
        if received + length > size:
            raise InvalidInput("Content-Length", "This part goes past the announced size.")
        path = staged_path(to_state=to_state, from_node=from_node, sha256=sha256)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        written = 0
        with path.open("ab") as handle:
            while written < length:
                chunk = stream.read(min(READ_BYTES, length - written))
                if not chunk:
                    break
                handle.write(chunk)
                written += len(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        if written != length:
            os.truncate(path, received)
            raise InvalidInput("body", f"The part ended after {written} of {length} bytes.")
        row.received = received + written
        if row.received == size:
            digest = hashlib.sha256()
            with path.open("rb") as handle:
                while chunk := handle.read(READ_BYTES):
                    digest.update(chunk)
            if digest.hexdigest() != sha256:
                path.unlink(missing_ok=True)
                row.delete()
                raise DigestMismatch("The attachment does not match its SHA-256 digest; upload it again.")
            row.complete = True
        row.save(update_fields=["received", "complete", "updated_at"])
        return row.received, row.complete


def blob_token(*, to_node: str, to_state: str, sha256: str, size: int) -> str:
    """Authorises one upload for a short time (signed with our node key)."""
    node = keys.local_node()
    signer = keys.current_signer()
    claims = {
        "iss": node.node_id,
        "aud": to_node,
        "to_state": to_state,
        "sha256": sha256,
        "size": size,
        "exp": int((timezone.now() + TOKEN_LIFETIME).timestamp()),
    }
    header = {"alg": "Ed25519", "kid": signer.kid, "typ": BLOB_TYP}
    return jws.serialize_compact(header, canonical_json(claims), signer.key, algorithms=["Ed25519"])


def check_blob_token(token: str, *, sha256: str, size: int, to_state: str) -> str:
    """The sending node's id, if `token` authorises this upload; NotAllowed otherwise."""
    from comity.exchange import envelope as env_module

    try:
        header, claims = env_module.peek(token)
    except env_module.EnvelopeError:
        raise NotAllowed("Missing or malformed upload token.") from None
    issuer = claims.get("iss")
    kid = header.get("kid")
    trusted = keys.trusted_key(node_id=str(issuer), kid=str(kid)) if issuer and kid else None
    if trusted is None or trusted.revoked_at is not None or header.get("typ") != BLOB_TYP:
        raise NotAllowed("The upload token is not signed by a trusted peer key.")
    try:
        result = jws.deserialize_compact(token, trusted.key, algorithms=["Ed25519", "EdDSA"])
    except (JoseError, ValueError):
        raise NotAllowed("The upload token's signature does not verify.") from None
    claims = orjson.loads(result.payload)
    node = keys.local_node()
    now = timezone.now().timestamp()
    if (
        claims.get("aud") != node.node_id
        or claims.get("sha256") != sha256
        or claims.get("size") != size
        or claims.get("to_state") != to_state
        or not isinstance(claims.get("exp"), int)
        or claims["exp"] < now
        or not (trusted.not_before.timestamp() <= now < trusted.not_after.timestamp())
    ):
        raise NotAllowed("The upload token does not authorise this upload (or has expired).")
    return str(issuer)
