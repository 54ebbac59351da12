"""Envelopes: canonical JSON signed as a compact JWS (alg "Ed25519"; "EdDSA" accepted).

An envelope is an object with exactly the fields of `ENVELOPE_FIELDS`; the JWS payload is its
canonical JSON (comity.lib.canonical: sorted keys, no whitespace, UTF-8), so any implementation
can rebuild the same bytes. The protected header carries `alg`, `kid` and `typ`. Verification
(`verify`) checks, in order: structure, sender known, key known, signature, key valid at the
envelope's `created` time and not revoked, addressed to this node. Each failure names a
ParkReason. The specification is docs/protocol.md; JSON Schemas in docs/protocol/.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import Any

import orjson
from django.utils import timezone
from joserfc import jws
from joserfc.errors import JoseError

from comity.exchange import keys
from comity.exchange.models import ParkReason
from comity.lib.canonical import canonical_json, sha256_hex

PROTOCOL_VERSION = 1
JWS_TYP = "comity-envelope+jws"
ALGORITHMS = ["Ed25519", "EdDSA"]
MAX_JWS_BYTES = 8 * 1024 * 1024
CLOCK_SKEW = dt.timedelta(minutes=5)

MESSAGE_TYPES = (
    "request.submitted",
    "request.registered",
    "request.status_changed",
    "request.info_requested",
    "request.info_provided",
    "request.consultation",
    "request.result",
    "request.withdrawn",
    "note",
    "receipt",
)
ENVELOPE_FIELDS = frozenset(
    {
        "v",
        "id",
        "type",
        "from_node",
        "to_node",
        "from_state",
        "to_state",
        "from_authority",
        "to_authority",
        "request_id",
        "seq",
        "created",
        "payload",
        "attachments",
    }
)
_STATE = re.compile(r"^[A-Z]{3}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class EnvelopeError(Exception):
    """The envelope is refused; `reason` is a ParkReason code."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def now_iso() -> str:
    return timezone.now().astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def build(
    *,
    type: str,
    from_node: str,
    to_node: str,
    from_state: str,
    to_state: str,
    request_id: uuid.UUID | str | None,
    seq: int | None,
    payload: dict[str, Any],
    from_authority: dict[str, Any] | None = None,
    to_authority: dict[str, Any] | None = None,
    attachments: list[dict[str, Any]] | None = None,
    message_id: uuid.UUID | None = None,
    created: str | None = None,
) -> dict[str, Any]:
    if type not in MESSAGE_TYPES:
        raise ValueError(f"unknown message type {type!r}")
    return {
        "v": PROTOCOL_VERSION,
        "id": str(message_id or uuid.uuid4()),
        "type": type,
        "from_node": from_node,
        "to_node": to_node,
        "from_state": from_state,
        "to_state": to_state,
        "from_authority": from_authority or {},
        "to_authority": to_authority or {},
        "request_id": str(request_id) if request_id else None,
        "seq": seq,
        "created": created or now_iso(),
        "payload": payload,
        "attachments": attachments or [],
    }


def sign(envelope: dict[str, Any], signer: keys.Signer | None = None) -> str:
    signer = signer or keys.current_signer()
    header = {"alg": "Ed25519", "kid": signer.kid, "typ": JWS_TYP}
    return jws.serialize_compact(header, canonical_json(envelope), signer.key, algorithms=["Ed25519"])


def digest(token: str | bytes) -> str:
    return sha256_hex(token.encode() if isinstance(token, str) else token)


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def peek(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and envelope WITHOUT verifying anything (to route and to record a parked message)."""
    if not isinstance(token, str) or len(token) > MAX_JWS_BYTES:
        raise EnvelopeError(ParkReason.INVALID_ENVELOPE, "Not a compact JWS, or too large.")
    parts = token.split(".")
    if len(parts) != 3:
        raise EnvelopeError(ParkReason.INVALID_ENVELOPE, "Not a compact JWS (three dot-separated parts).")
    try:
        header = orjson.loads(_b64decode(parts[0]))
        envelope = orjson.loads(_b64decode(parts[1]))
    except (ValueError, orjson.JSONDecodeError):
        raise EnvelopeError(
            ParkReason.INVALID_ENVELOPE, "The JWS header or payload is not base64url JSON."
        ) from None
    if not isinstance(header, dict) or not isinstance(envelope, dict):
        raise EnvelopeError(ParkReason.INVALID_ENVELOPE, "The JWS header and payload must be JSON objects.")
    return header, envelope


def parse_time(value: Any) -> dt.datetime:
    if not isinstance(value, str):
        raise EnvelopeError(ParkReason.INVALID_ENVELOPE, "`created` must be an ISO 8601 UTC date-time.")
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise EnvelopeError(
            ParkReason.INVALID_ENVELOPE, "`created` must be an ISO 8601 UTC date-time."
        ) from None
    if parsed.tzinfo is None:
        raise EnvelopeError(ParkReason.INVALID_ENVELOPE, "`created` needs a time zone (Z).")
    return parsed


def check_structure(envelope: dict[str, Any]) -> None:
    """Field presence and types (the JSON Schema in docs/protocol/ says the same)."""

    def bad(detail: str) -> EnvelopeError:
        return EnvelopeError(ParkReason.INVALID_ENVELOPE, detail)

    missing = ENVELOPE_FIELDS - envelope.keys()
    extra = envelope.keys() - ENVELOPE_FIELDS
    if missing:
        raise bad(f"Missing field(s): {', '.join(sorted(missing))}.")
    if extra:
        raise bad(f"Unknown field(s): {', '.join(sorted(extra))}.")
    if envelope["v"] != PROTOCOL_VERSION:
        raise bad(f"Unsupported protocol version {envelope['v']!r}.")
    try:
        uuid.UUID(str(envelope["id"]))
    except ValueError:
        raise bad("`id` must be a UUID.") from None
    if envelope["type"] not in MESSAGE_TYPES:
        raise bad(f"Unknown message type {envelope['type']!r}.")
    for name in ("from_node", "to_node"):
        if not isinstance(envelope[name], str) or not envelope[name] or len(envelope[name]) > 100:
            raise bad(f"`{name}` must be a node id.")
    for name in ("from_state", "to_state"):
        if not isinstance(envelope[name], str) or not _STATE.match(envelope[name]):
            raise bad(f"`{name}` must be an ISO 3166-1 alpha-3 code.")
    for name in ("from_authority", "to_authority", "payload"):
        if not isinstance(envelope[name], dict):
            raise bad(f"`{name}` must be an object.")
    parse_time(envelope["created"])
    if envelope["type"] != "receipt":
        try:
            uuid.UUID(str(envelope["request_id"]))
        except ValueError:
            raise bad("`request_id` must be the request's global UUID.") from None
        seq = envelope["seq"]
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
            raise bad("`seq` must be a positive integer.")
    if not isinstance(envelope["attachments"], list):
        raise bad("`attachments` must be a list.")
    for index, item in enumerate(envelope["attachments"]):
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("sha256"), str)
            or not _SHA256.match(item["sha256"])
            or not isinstance(item.get("size"), int)
            or isinstance(item.get("size"), bool)
            or item["size"] < 0
            or not isinstance(item.get("filename"), str)
        ):
            raise bad(f"attachments[{index}] needs sha256 (hex), size (bytes) and filename.")


@dataclass(frozen=True)
class Verified:
    header: dict[str, Any]
    envelope: dict[str, Any]
    digest: str


def verify(token: str, *, our_node_id: str, now: dt.datetime | None = None) -> Verified:
    """Verify a received JWS; raise EnvelopeError(reason, detail) on the first failure."""
    header, envelope = peek(token)
    if header.get("alg") not in ALGORITHMS:
        raise EnvelopeError(ParkReason.BAD_SIGNATURE, f"Algorithm {header.get('alg')!r} is not accepted.")
    check_structure(envelope)
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise EnvelopeError(ParkReason.UNKNOWN_KEY, "The JWS header names no key (kid).")
    trusted = keys.trusted_key(node_id=envelope["from_node"], kid=kid)
    if trusted is None:
        from comity.exchange.models import Peer

        known = Peer.objects.filter(node_id=envelope["from_node"], active=True).exists() or (
            keys.local_node_or_none() is not None and keys.local_node().node_id == envelope["from_node"]
        )
        if not known:
            raise EnvelopeError(
                ParkReason.UNKNOWN_SENDER, f"Node {envelope['from_node']!r} is not a known peer."
            )
        raise EnvelopeError(
            ParkReason.UNKNOWN_KEY, f"Key {kid!r} is not known for {envelope['from_node']!r}."
        )
    try:
        result = jws.deserialize_compact(token, trusted.key, algorithms=ALGORITHMS)
    except (JoseError, ValueError) as exc:
        raise EnvelopeError(ParkReason.BAD_SIGNATURE, f"The signature does not verify ({exc}).") from None
    if result.payload != canonical_json(envelope):
        raise EnvelopeError(ParkReason.INVALID_ENVELOPE, "The payload is not canonical JSON.")
    if trusted.revoked_at is not None:
        raise EnvelopeError(
            ParkReason.KEY_REVOKED, f"Key {kid!r} was revoked on {trusted.revoked_at:%Y-%m-%d %H:%M}."
        )
    created = parse_time(envelope["created"])
    now = now or timezone.now()
    if created > now + CLOCK_SKEW:
        raise EnvelopeError(ParkReason.INVALID_ENVELOPE, "`created` is in the future.")
    if not (trusted.not_before <= created < trusted.not_after):
        raise EnvelopeError(
            ParkReason.KEY_NOT_VALID,
            f"Key {kid!r} is valid from {trusted.not_before:%Y-%m-%d} to {trusted.not_after:%Y-%m-%d}, "
            f"not at {envelope['created']}.",
        )
    if envelope["to_node"] != our_node_id:
        raise EnvelopeError(
            ParkReason.WRONG_RECIPIENT, f"Addressed to node {envelope['to_node']!r}, not to us."
        )
    return Verified(header=header, envelope=envelope, digest=digest(token))
